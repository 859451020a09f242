"""Shared fixtures: small projects in temporary folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import toolkit as tk
from tests.support.texts import TEXT_A, TEXT_B

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

@pytest.fixture
def project(tmp_path: Path) -> tk.Project:
    """A project with two documents from two sources and stance targets."""
    proj = tk.Project.init(tmp_path / "proj", schema=tk.LabelSchema.default(["Velmora", "Ostrand"]))
    proj.add_documents(
        [
            tk.Document.create("wire-001", "Harbour Wire", TEXT_A, title="Velmora and Ostrand agree to talks"),
            tk.Document.create("daily-001", "Ostrand Daily", TEXT_B, title="Ostrand daily"),
        ]
    )
    return proj


@pytest.fixture
def env_with_repo() -> dict[str, str]:
    """Environment for subprocesses that import the toolkit from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env
