"""Start JupyterLab and Chromium for the end-to-end widget tests.

One JupyterLab server per test session: 127.0.0.1, a free port, a random
token, ``root_dir`` = a temporary folder holding a copy of
``notebooks/01_annotate.ipynb`` and a temporary project (``TOOLKIT_PROJECT``
in the server's environment, so the notebook's first cell opens it).  The
browser is Debian's Chromium driven by Playwright (``tests/support/browser.py``).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

import toolkit as tk
from tests.support.browser import launch_browser

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "01_annotate.ipynb"
ANNOTATOR = "tester"

# Original test articles (invented; no real news text).
DOCS = [
    tk.Document.create(
        "doc-1-wire",
        "Harbour Wire",
        "Velmora and Ostrand agree to resume talks\n\n"
        "President Dario Venn said on Tuesday that the river belongs to both peoples. "
        "Minister Ilse Marković called the call a useful first step. "
        "Farmers in the Lower Selva valley said prices rose four per cent in March.",
        title="Velmora and Ostrand agree to resume talks",
        published="2031-03-12",
    ),
    tk.Document.create(
        "doc-2-emoji",
        "Ostrand Daily",
        "Readers reacted 😀🎉 quickly: Minister Ilse Marković welcomed the call from Castavel. "
        "𝔗𝔥𝔢 headline writers were pleased too.",
        title="Ostrand Daily live blog",
        published="2031-03-12",
    ),
    tk.Document.create(
        "doc-3-xss",
        "Evil Gazette",
        "An attacker wrote <img src=x onerror=\"window.__pwned=1;document.title='PWNED'\"> into the article, "
        "and also <script>window.__pwned=2;document.title='PWNED'</script> for good measure. "
        "Neither should run.",
        title="<b>Markup</b> in a title",
        published="2031-03-13",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab server and its temporary folders."""

    url: str
    token: str
    root: Path
    project: Path
    proc: subprocess.Popen[bytes]
    log: Path
    annotator: str = ANNOTATOR
    docs: tuple[tk.Document, ...] = tuple(DOCS)

    def doc(self, doc_id: str) -> tk.Document:
        return next(d for d in self.docs if d.id == doc_id)

    @staticmethod
    def screenshot(locator: Any, name: str) -> Path:
        """Write a screenshot into docs/img (shown in the README) and return its path."""
        out = REPO / "docs" / "img" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(out))
        return out

    def notebook_url(self, name: str = "01_annotate.ipynb") -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}"

    def records(self, annotator: str = ANNOTATOR) -> list[dict[str, Any]]:
        """Complete lines of ``records/<annotator>.jsonl`` on disk."""
        path = self.project / "records" / f"{annotator}.jsonl"
        if not path.exists():
            return []
        raw = path.read_text("utf-8")
        return [json.loads(line) for line in raw.split("\n")[:-1] if line.strip()]

    def wait_record(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]:
        """Poll the log on disk until a record matches ``pred``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rec in self.records():
                if pred(rec):
                    return rec
            time.sleep(0.02)
        raise AssertionError(f"no matching record on disk within {timeout}s; have {self.records()[-5:]}")

    def __repr__(self) -> str:
        return f"<Lab {self.url} root={self.root}>"


def make_project(path: Path) -> Path:
    """A temporary project with the test documents and stance targets."""
    proj = tk.Project.init(path, schema=tk.LabelSchema.default(["Velmora", "Ostrand"]), name="browser test")
    proj.add_documents(DOCS)
    return path


def notebook_copy(dest: Path, keep_preannotate: bool = True) -> Path:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    if not keep_preannotate:
        nb.cells = [c for c in nb.cells if "preannotate" not in c.get("metadata", {}).get("tags", [])]
    nbformat.write(nb, dest)
    return dest


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab")
    project = make_project(root / "project")
    notebook_copy(root / "01_annotate.ipynb")
    for d in ("settings", "workspaces", "runtime", "config", "data"):
        (root / f".jl-{d}").mkdir()
    # no "official Jupyter news?" toast over the screenshots
    notif = root / ".jl-settings" / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True)
    (notif / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.update(
        TOOLKIT_PROJECT=str(project),
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        JUPYTER_RUNTIME_DIR=str(root / ".jl-runtime"),
        JUPYTER_CONFIG_DIR=str(root / ".jl-config"),
        TQDM_DISABLE="1",
    )
    log = root / "jupyter.log"
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={root / '.jl-settings'}",
        f"--LabApp.workspaces_dir={root / '.jl-workspaces'}",
        "--LabApp.news_url=",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        cmd.append("--allow-root")
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    server = Lab(url, token, root, project, proc, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer in 90 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield server
    finally:
        stop_server(proc)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started (its own process group: server + kernels)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    with launch_browser(viewport={"width": 1500, "height": 1100}) as ctx:
        ctx.set_default_timeout(60_000)
        yield ctx


def open_and_run_notebook(page: Any, lab: Lab, name: str = "01_annotate.ipynb") -> None:
    """Open a notebook in JupyterLab, run all cells and wait for the annotator widget."""
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.goto(lab.notebook_url(name))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    # wait until the kernel is connected and idle before running
    page.wait_for_function(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
            return k && k.connectionStatus === 'connected' && k.status === 'idle';
        }""",
        timeout=90_000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".nl-tagger .nl-text", timeout=120_000)
    page.wait_for_selector(".nl-side .nl-col", timeout=120_000)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


@pytest.fixture(scope="session")
def notebook_page(lab: Lab, browser_context: Any) -> Iterator[Any]:
    """A page with the annotation notebook open and all its cells run (shared by the tests in order)."""
    page = browser_context.new_page()
    page.js_errors = []  # type: ignore[attr-defined]
    open_and_run_notebook(page, lab)
    yield page
    page.close()
