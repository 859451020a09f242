"""The README's first command: scripts/start.sh sets up and serves JupyterLab on the annotation notebook."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.support.labelstudio_server import free_port

REPO = Path(__file__).resolve().parent.parent


def test_start_script_serves_the_annotation_notebook_and_demo_project(tmp_path: Path) -> None:
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    proc = subprocess.Popen(
        ["bash", "scripts/start.sh", "--no-browser", f"--port={port}", f"--IdentityProvider.token={token}",
         "--ServerApp.ip=127.0.0.1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline, last = time.monotonic() + 240, None
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                url = f"http://127.0.0.1:{port}/api/contents/notebooks/01_annotate.ipynb?content=1&token={token}"
                with urllib.request.urlopen(url, timeout=10) as resp:
                    nb = json.load(resp)
                break
            except OSError as exc:
                last = exc
                time.sleep(1)
        else:
            raise AssertionError(f"JupyterLab did not answer within 240 s: {last}")
        assert nb["type"] == "notebook"
        cells = "".join("".join(c["source"]) for c in nb["content"]["cells"])
        assert "Annotator(" in cells and "Project.open" in cells
        assert (REPO / "annotations" / "project.json").is_file()  # the demo project the notebook opens
        # the browser lands on the annotation notebook
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=30) as resp:
            assert resp.geturl().split("?")[0].endswith("/lab/tree/notebooks/01_annotate.ipynb")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
