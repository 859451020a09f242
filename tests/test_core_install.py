"""The core installs and works alone: ``pip install .`` without extras, then the main commands.

A fresh virtualenv (no system site-packages) gets the toolkit without extras; the store,
validation, agreement and the comparison tables must work there, with none of spaCy,
JupyterLab, ipywidgets, anywidget, label-studio-sdk or matplotlib installed.
"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EDGES = ("spacy", "jupyterlab", "ipywidgets", "anywidget", "label_studio_sdk", "matplotlib", "dask")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("core-venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(root / "venv")
    py = root / "venv" / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(REPO)],
                   check=True, capture_output=True, text=True, timeout=900)
    return py


def _run(py: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    out = subprocess.run([str(py), *args], capture_output=True, text=True, cwd=cwd, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def test_core_commands_without_the_edges(core_venv: Path, tmp_path: Path) -> None:
    py = core_venv
    missing = _run(py, "-c", f"import importlib.util as u; print([m for m in {EDGES!r} if u.find_spec(m)])",
                   cwd=tmp_path)
    assert missing.stdout.strip() == "[]", "an edge package was installed by the core install"
    demo = tmp_path / "demo"
    _run(py, "-m", "toolkit.cli", "--project", str(demo), "init", "--demo", cwd=tmp_path)
    loaded = _run(py, "-c", "import sys; from toolkit import Project; f = Project.open(sys.argv[1]).load(); "
                  "print(len(f.documents), len(f.spans), len(f.stances))", str(demo), cwd=tmp_path)
    n_docs, n_spans, n_stances = map(int, loaded.stdout.split())
    assert n_docs == 4 and n_spans > 100 and n_stances > 10
    _run(py, "-m", "toolkit.cli", "--project", str(demo), "validate", cwd=tmp_path)
    agreement = _run(py, "-m", "toolkit.cli", "--project", str(demo), "agreement", cwd=tmp_path)
    assert "alpha" in agreement.stdout
    claims = _run(py, "-m", "toolkit.cli", "--project", str(demo), "compare", "claims", "--format", "csv", cwd=tmp_path)
    assert "Ilse Marković" in claims.stdout
    # a command that needs an edge says which extra to install, in one line
    pre = subprocess.run([str(py), "-m", "toolkit.cli", "--project", str(demo), "preannotate"], capture_output=True,
                         text=True, cwd=tmp_path, timeout=300)
    assert pre.returncode != 0 and "Traceback" not in pre.stderr and "pip install" in pre.stderr
