#!/usr/bin/env bash
# Install everything the tests need and run them all.
#   bash scripts/test.sh             (extra arguments go to pytest, e.g. -k store)
# - Debian's chromium (browser tests drive it with Playwright), via apt-get if missing;
# - .venv with the toolkit and its test extras;
# - Label Studio in its own virtualenv .venv-labelstudio (it pins many packages);
# then pytest over tests/, which itself starts JupyterLab and Label Studio on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian chromium"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
  echo "==> installing Node.js (the widgets' JavaScript unit tests run with node --test)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs >/dev/null
fi

ensure_venv

echo "==> installing Label Studio into .venv-labelstudio (in the background)"
PYTHONPATH=. "$PYTHON" -c "from tests.support.labelstudio_server import ensure_label_studio as e; print(e())" \
  > .ls-install.log 2>&1 &
ls_pid=$!

echo "==> installing the toolkit with its test extras into .venv"
quiet_pip .venv/bin/python -m pip install --disable-pip-version-check -e ".[test]"
quiet_jupyterlab

if ! wait "$ls_pid"; then
  echo "Label Studio installation failed:"; cat .ls-install.log; exit 1
fi
rm -f .ls-install.log

rc=0

# Static checks (issue 16): ruff and mypy must both report zero errors. Each prints its full
# output only when it fails, then one summary line; a failure fails the script (pytest still runs).
static_check() {
  local name=$1 out status=0; shift
  out=$("$@" 2>&1) || status=$?
  if [ "$status" = 0 ]; then
    echo "==> $name: $(printf '%s\n' "$out" | tail -n 1)"
  else
    printf '%s\n' "$out"
    echo "==> $name FAILED: $(printf '%s\n' "$out" | grep -E '^(Found|error)' | tail -n 1)"
    rc=1
  fi
}
echo "==> static checks (ruff, mypy)"
static_check "ruff" .venv/bin/ruff check --no-cache toolkit tests benchmarks
static_check "mypy" .venv/bin/mypy   # files and settings: [tool.mypy] in pyproject.toml

echo "==> running the test suite"
.venv/bin/python -m pytest -p no:cacheprovider "$@" || rc=$?

# A test run leaves a clean clone clean (screenshots go to test-artifacts/ unless
# TOOLKIT_REFRESH_SCREENSHOTS=1). Checked where it matters: on CI's fresh clone.
if [ "${CI:-}" = "true" ] && [ -d .git ] && [ -n "$(git status --porcelain 2>/dev/null)" ]; then
  echo "the test run changed tracked files or left untracked ones:"; git status --porcelain
  [ "$rc" != 0 ] || rc=1
fi
exit "$rc"
