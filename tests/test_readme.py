"""The README's Python example runs as written (on a copy of the demo project)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.demo import build_demo

REPO = Path(__file__).resolve().parent.parent


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text("utf-8"), re.S)
    example = next(b for b in blocks if "tk.Project.open(" in b)
    build_demo(tmp_path / "annotations")
    monkeypatch.chdir(tmp_path)  # the example opens "annotations" relative to the working folder
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    frames = namespace["frames"]
    alice = frames.spans[frames.spans["annotator"] == "alice"]
    assert sorted(alice["label"]) == ["CLAIM", "PERSON"]
    assert "Dario Venn" in set(alice["text"])
    assert set(frames.stances[frames.stances["annotator"] == "alice"]["value"]) == {"neutral", "favour"}
    assert frames.problems.empty
