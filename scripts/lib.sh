# Shared by scripts/start.sh and scripts/test.sh (sourced from the repository root, not run).

PYTHON=${PYTHON:-python3}

# Run a pip command; its output goes to a log that is shown only if the install fails.
quiet_pip() {
  if ! "$@" > .pip-install.log 2>&1; then
    grep -v '^WARNING: Location' .pip-install.log | tail -n 60; echo "pip install failed: $*"; return 1
  fi
  rm -f .pip-install.log
}

# Create the project's virtualenv .venv if it is missing.
ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
  fi
}
