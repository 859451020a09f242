"""The analysis notebooks run top to bottom on a copy of the demo project (no errors, real output)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from toolkit.demo import build_demo

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["02_agreement.ipynb", "03_compare.ipynb"])
def test_notebook_runs_on_the_demo_project(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_demo(tmp_path / "annotations")
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy(REPO / "notebooks" / name, work / name)
    monkeypatch.setenv("TOOLKIT_PROJECT", str(tmp_path / "annotations"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(work / name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # every code cell that ends in an expression shows something: tables, figures or text
    assert sum(1 for o in outputs if o.get("output_type") in ("execute_result", "display_data")) >= 5
    # every figure shows as an image, never as its text repr ("<Figure size 965x760 with 2 Axes>")
    figures = [o for o in outputs if "Figure size" in str(o.get("data", {}).get("text/plain", ""))]
    assert figures, "the notebook is expected to draw figures"
    assert all("image/png" in o["data"] for o in figures), [o["data"].get("text/plain") for o in figures]
    # a warning is said once, not once per row
    warned = [
        line.strip() for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"
        for line in o.get("text", "").splitlines() if "Warning" in line
    ]
    assert len(warned) == len(set(warned)), warned
    html = " ".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "<table" in html
    if name == "03_compare.ipynb":
        assert (work / "report.html").stat().st_size > 10_000
