"""notebooks/04_labelstudio.ipynb runs against the real server, and the token never shows in its output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.support.labelstudio_server import LabelStudioServer

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]


def test_labelstudio_notebook_pushes_the_demo_and_hides_the_token(
    ls_server: LabelStudioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(REPO / "notebooks" / "04_labelstudio.ipynb", tmp_path / "nb.ipynb")
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.token)
    nb = nbformat.read(tmp_path / "nb.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = json.dumps(outputs)
    assert "new tasks in" in text and "0 new tasks" in text  # first push creates tasks, the second none
    assert "4 already there" in text
    assert "annotations: 8 created" in text  # ana and ben x 4 documents
    assert "annotations: 0 created, 0 updated, 0 deleted, 8 unchanged" in text  # pushing again sends nothing
    assert ls_server.token not in text  # the secret never lands in a notebook
