#!/usr/bin/env bash
# Set everything up and open JupyterLab on the annotation notebook.
#   bash scripts/start.sh            (extra arguments go to `jupyter lab`)
# Creates .venv, installs the toolkit with its dependencies (spaCy model included),
# creates the demo project in annotations/ if it is missing, and starts JupyterLab.
# No server other than JupyterLab itself is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

ensure_venv
echo "==> installing the toolkit and its dependencies into .venv"
quiet_pip .venv/bin/python -m pip install --disable-pip-version-check -e ".[all]"
quiet_jupyterlab
if [ ! -f annotations/project.json ]; then
  echo "==> creating the demo project in annotations/"
  .venv/bin/toolkit --project annotations init --demo
fi
.venv/bin/toolkit --project annotations status
echo "==> opening JupyterLab on notebooks/01_annotate.ipynb (Ctrl+C twice to stop)"
extra=()
[ "$(id -u)" != 0 ] || extra+=(--allow-root)  # containers and CI machines often run as root
exec .venv/bin/jupyter lab "${extra[@]}" --ServerApp.root_dir="$PWD" \
  --LabApp.default_url=/lab/tree/notebooks/01_annotate.ipynb "$@"
