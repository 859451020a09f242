# Shared by scripts/start.sh and scripts/test.sh (sourced from the repository root, not run).

PYTHON=${PYTHON:-python3}

# Run a pip command; its output goes to a log that is shown only if the install fails.
# A line every 15 s says it is still working (a first install takes a few minutes).
quiet_pip() {
  "$@" > .pip-install.log 2>&1 &
  local pid=$! t=0 n
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; t=$((t + 1))
    if [ $((t % 15)) = 0 ]; then
      n=$(grep -c '^Collecting\|^Requirement already' .pip-install.log 2>/dev/null || true)
      echo "    ... still installing (${t}s, ${n:-0} packages checked so far)"
    fi
  done
  if ! wait "$pid"; then
    grep -v '^WARNING: Location' .pip-install.log | tail -n 60; echo "pip install failed: $*"; return 1
  fi
  rm -f .pip-install.log
}

# JupyterLab settings for this project's .venv: no news pop-up or update check on first launch
# (it covers part of the widget and asks the internet).
quiet_jupyterlab() {
  local dir=.venv/share/jupyter/lab/settings
  mkdir -p "$dir"
  cat > "$dir/overrides.json" <<'JSON'
{
  "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}
}
JSON
}

# Create the project's virtualenv .venv if it is missing.
ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
  fi
}
