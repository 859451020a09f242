"""A throw-away JupyterLab server for browser tests and the widget benchmark.

``start_lab(root, project)`` runs ``python -m jupyterlab`` on 127.0.0.1 and a
free port with a random token, ``root_dir=root``, ``TOOLKIT_PROJECT=project``
in its environment and private settings/workspace folders; it yields a
:class:`Lab` once ``/api/status`` answers and stops the server's process group
(server and kernels) afterwards.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from tests.support.browser import screenshot_path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "01_annotate.ipynb"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab server and its folders."""

    url: str
    token: str
    root: Path
    project: Path
    proc: subprocess.Popen[bytes]
    log: Path
    annotator: str = "tester"
    docs: tuple[Any, ...] = ()

    def doc(self, doc_id: str) -> Any:
        """One of ``docs`` (the documents the test project was made with)."""
        return next(d for d in self.docs if d.id == doc_id)

    def notebook_url(self, name: str = "01_annotate.ipynb") -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}"

    def records_path(self, annotator: str | None = None) -> Path:
        return self.project / "records" / f"{annotator or self.annotator}.jsonl"

    def records(self, annotator: str | None = None) -> list[dict[str, Any]]:
        """Complete lines of ``records/<annotator>.jsonl`` on disk."""
        path = self.records_path(annotator)
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

    @staticmethod
    def screenshot(locator: Any, name: str) -> Path:
        """Write a screenshot (see :func:`tests.support.browser.screenshot_path`) and return its path."""
        out = screenshot_path(name)
        locator.screenshot(path=str(out))
        return out

    def __repr__(self) -> str:
        return f"<Lab {self.url} root={self.root}>"


def notebook_copy(dest: Path, keep_preannotate: bool = True) -> Path:
    """Copy the annotation notebook (optionally without its pre-annotation cell)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    if not keep_preannotate:
        nb.cells = [c for c in nb.cells if "preannotate" not in c.get("metadata", {}).get("tags", [])]
    nbformat.write(nb, dest)
    return dest


@contextmanager
def start_lab(root: Path, project: Path, annotator: str = "tester") -> Iterator[Lab]:
    """Run JupyterLab on ``root`` (see module docstring)."""
    settings = root / ".jl-settings"
    notif = settings / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True, exist_ok=True)
    # no "official Jupyter news?" toast over screenshots
    (notif / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    for d in ("workspaces", "runtime", "config"):
        (root / f".jl-{d}").mkdir(exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.update(
        TOOLKIT_PROJECT=str(project),
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        JUPYTER_RUNTIME_DIR=str(root / ".jl-runtime"),
        JUPYTER_CONFIG_DIR=str(root / ".jl-config"),
    )
    log = root / "jupyter.log"
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={root / '.jl-workspaces'}",
        "--LabApp.news_url=",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        cmd.append("--allow-root")
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
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
        yield Lab(url, token, root, project, proc, log, annotator)
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


def open_and_run_notebook(page: Any, lab: Lab, name: str = "01_annotate.ipynb", timeout_ms: int = 180_000) -> None:
    """Open a notebook in JupyterLab, run all cells and wait for the annotator and side-by-side widgets."""
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
    page.wait_for_selector(".nl-tagger .nl-text", timeout=timeout_ms)
    page.wait_for_selector(".nl-side .nl-col", timeout=timeout_ms)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


# JS: screen points over characters of `sub` inside the rendered tagger text
# (UTF-16 offsets from the segments' data-s; chips are not segments).
POINTS_JS = """
([sub, fromChar, toChar, nth]) => {
  const box = document.querySelector('.nl-tagger .nl-text');
  const segs = Array.from(box.querySelectorAll('.nl-seg'));
  const full = segs.map((s) => s.textContent).join('');
  let i = -1;
  for (let k = 0; k <= (nth || 0); k++) { i = full.indexOf(sub, i + 1); if (i < 0) return null; }
  const at = (u) => {
    for (const s of segs) {
      const a = Number(s.dataset.s), b = Number(s.dataset.e);
      if (u >= a && u < b) {
        const r = document.createRange();
        r.setStart(s.firstChild, u - a);
        r.setEnd(s.firstChild, u - a + 1);
        const rc = r.getBoundingClientRect();
        return { x: rc.left + rc.width / 2, y: rc.top + rc.height / 2 };
      }
    }
    return null;
  };
  const from = at(i + fromChar), to = at(i + sub.length - 1 - toChar);
  if (from) {
    // bring the words into view, then measure again
    const s = segs.find((x) => Number(x.dataset.s) <= i && Number(x.dataset.e) > i);
    if (s) s.scrollIntoView({ block: 'center' });
  }
  return { from: at(i + fromChar), to: at(i + sub.length - 1 - toChar) };
}
"""


def drag_select(page: Any, sub: str, nth: int = 0) -> None:
    """Select ``sub`` with a real mouse drag that starts and ends inside words (so snapping matters)."""
    page.locator(".nl-tagger .nl-text").scroll_into_view_if_needed()
    got = None
    for inset in (2, 1, 3):  # start/end this many characters inside the first/last word
        pts = page.evaluate(POINTS_JS, [sub, inset, inset - 1, nth])
        assert pts and pts["from"] and pts["to"], f"{sub!r} not found in the rendered text"
        # whole pixels: headless Chromium does not extend a drag started at some fractional coordinates
        x0, y0, x1, y1 = (round(v) for v in (pts["from"]["x"], pts["from"]["y"], pts["to"]["x"], pts["to"]["y"]))
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move((x0 + x1) // 2, (y0 + y1) // 2, steps=4)
        page.mouse.move(x1, y1, steps=4)
        page.mouse.up()
        # Python snaps the selection and sends it back; the page then shows it as pending
        try:
            page.wait_for_function(
                "(sub) => Array.from(document.querySelectorAll('.nl-tagger .nl-pending'))"
                ".map((s) => s.textContent).join('') === sub",
                arg=sub,
                timeout=5_000,
            )
            return
        except Exception:  # noqa: BLE001 - report what was selected instead
            got = page.evaluate(
                "() => Array.from(document.querySelectorAll('.nl-tagger .nl-pending')).map((s) => s.textContent).join('')"
            )
            page.keyboard.press("Escape")
    raise AssertionError(f"drag over {sub!r} selected {got!r}")
