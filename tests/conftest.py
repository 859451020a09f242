"""Shared fixtures: small projects in temporary folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import toolkit as tk

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

TEXT_A = (
    "Velmora and Ostrand agree to talks\n\n"
    "President Dario Venn said on Tuesday that “the river belongs to both our peoples”. "
    "Ostrand's foreign ministry did not comment. Prices rose 4% in March."
)
TEXT_B = "Ostrand daily: Venn's call was “a first step”, according to Minister Ilse Marković. 😀 End."


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


def offsets(text: str, sub: str) -> tuple[int, int]:
    """Offsets of the first occurrence of ``sub`` in ``text`` (test helper)."""
    i = text.index(sub)
    return i, i + len(sub)


@pytest.fixture
def env_with_repo() -> dict[str, str]:
    """Environment for subprocesses that import the toolkit from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env
