"""Start JupyterLab and Chromium for the end-to-end widget tests.

One JupyterLab server per test session: 127.0.0.1, a free port, a random
token, ``root_dir`` = a temporary folder holding a copy of
``notebooks/01_annotate.ipynb`` and a temporary project (``TOOLKIT_PROJECT``
in the server's environment, so the notebook's first cell opens it).  The
browser is Debian's Chromium driven by Playwright (``tests/support/browser.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from tests.browser.labserver import Lab, notebook_copy, open_and_run_notebook, start_lab
from tests.support.browser import launch_browser

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


def make_project(path: Path) -> Path:
    """A temporary project with the test documents and stance targets."""
    proj = tk.Project.init(path, schema=tk.LabelSchema.default(["Velmora", "Ostrand"]), name="browser test")
    proj.add_documents(DOCS)
    return path


@pytest.fixture(scope="package")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab")
    project = make_project(root / "project")
    notebook_copy(root / "01_annotate.ipynb", keep_preannotate=True)
    with start_lab(root, project, annotator=ANNOTATOR) as server:
        server.docs = tuple(DOCS)
        yield server


@pytest.fixture(scope="package")
def browser_context() -> Iterator[Any]:
    with launch_browser(viewport={"width": 1500, "height": 1100}) as ctx:
        ctx.set_default_timeout(60_000)
        yield ctx


@pytest.fixture(scope="package")
def notebook_page(lab: Lab, browser_context: Any) -> Iterator[Any]:
    """A page with the annotation notebook open and all its cells run (shared by the tests, in file order)."""
    page = browser_context.new_page()
    page.js_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    open_and_run_notebook(page, lab)
    yield page
    page.close()
