"""Stance targets: list, add, rename (stances move with it, resumable) and remove."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import Project
from toolkit.cli import main
from toolkit.demo import build_demo
from toolkit.errors import ValidationError
from toolkit.targets import add_target, list_targets, remove_target, rename_target, stance_counts


def _stances_by_key(project: Project, target: str) -> dict[tuple[str, str, str | None], str]:
    """(annotator, doc, claim) -> value of every current stance toward ``target``."""
    return {
        (ann, st.doc, st.claim): st.value
        for ann in project.annotators()
        for st in project.current(ann).table("stance").values()
        if st.target == target
    }


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return build_demo(tmp_path / "demo")


def test_list_counts_stances_per_target(demo: Project) -> None:
    rows = dict(list_targets(demo))
    assert set(demo.schema.stance_targets) <= set(rows)
    assert sum(rows.values()) == sum(stance_counts(demo).values()) > 0


def test_add_and_duplicate(demo: Project) -> None:
    assert add_target(demo, "  Harbour   levy ") == "Harbour levy"
    assert Project.open(demo.path).schema.stance_targets[-1] == "Harbour levy"
    with pytest.raises(ValidationError, match="already exists"):
        add_target(demo, "Harbour levy")
    with pytest.raises(ValidationError, match="non-empty"):
        add_target(demo, "   ")


def test_rename_keeps_every_stance(demo: Project) -> None:
    old = max(demo.schema.stance_targets, key=lambda t: stance_counts(demo)[t])
    before = _stances_by_key(demo, old)
    assert before
    position = demo.schema.stance_targets.index(old)
    moved = rename_target(demo, old, "Renamed target")
    reopened = Project.open(demo.path)
    assert moved == len(before)
    assert reopened.schema.stance_targets[position] == "Renamed target"
    assert old not in reopened.schema.stance_targets
    assert _stances_by_key(reopened, "Renamed target") == before
    assert _stances_by_key(reopened, old) == {}
    assert not reopened.validate()
    # history keeps the old stances (append-only logs)
    history = [e for ann in reopened.annotators() for e in reopened.history(ann)]
    old_puts = {(e["annotator"], e["id"]) for e in history if e["op"] == "put" and e.get("target") == old}
    deleted = {(e["annotator"], e["id"]) for e in history if e["op"] == "delete"}
    assert len(old_puts) >= len(before) and old_puts <= deleted


def test_interrupted_rename_finishes_when_run_again(demo: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    old = max(demo.schema.stance_targets, key=lambda t: stance_counts(demo)[t])
    before = _stances_by_key(demo, old)
    calls = {"n": 0}
    real = Project.delete_many

    def crash_once(self: Project, *args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("simulated crash between writing the new stances and deleting the old")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Project, "delete_many", crash_once)
    with pytest.raises(OSError):
        rename_target(demo, old, "New name")
    rename_target(Project.open(demo.path), old, "New name")
    reopened = Project.open(demo.path)
    assert _stances_by_key(reopened, "New name") == before
    assert _stances_by_key(reopened, old) == {}
    assert old not in reopened.schema.stance_targets


def test_rename_refuses_to_merge_into_an_existing_target(demo: Project) -> None:
    a, b = demo.schema.stance_targets[:2]
    if not stance_counts(demo)[a]:
        a, b = b, a
    with pytest.raises(ValidationError, match="already exists"):
        rename_target(demo, a, b)
    with pytest.raises(ValidationError, match="no stance target"):
        rename_target(demo, "nope", "other")


def test_remove_refuses_used_target_unless_asked(demo: Project) -> None:
    used = max(demo.schema.stance_targets, key=lambda t: stance_counts(demo)[t])
    n = stance_counts(demo)[used]
    with pytest.raises(ValidationError, match=r"used by \d+ stance"):
        remove_target(demo, used)
    assert remove_target(demo, used, drop_stances=True) == n
    assert used not in Project.open(demo.path).schema.stance_targets
    add_target(demo, "unused")
    assert remove_target(demo, "unused") == 0


def test_cli_on_a_plain_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = str(tmp_path / "p")
    assert main(["--project", proj, "init"]) == 0
    capsys.readouterr()
    assert main(["--project", proj, "targets"]) == 0
    assert "toolkit targets add" in capsys.readouterr().out
    assert main(["--project", proj, "targets", "add", "Dam deal"]) == 0
    assert main(["--project", proj, "targets", "rename", "Dam deal", "Corran Dam deal"]) == 0
    capsys.readouterr()
    assert main(["--project", proj, "targets", "list"]) == 0
    assert "Corran Dam deal" in capsys.readouterr().out
    assert main(["--project", proj, "targets", "remove", "missing"]) == 1
    assert "no stance target 'missing'" in capsys.readouterr().err


def test_project_option_is_accepted_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = str(tmp_path / "p")
    assert main(["init", "--project", proj]) == 0
    assert main(["targets", "add", "Dam deal", "--project", proj]) == 0
    capsys.readouterr()
    assert main(["status", "--project", proj]) == 0
    assert proj in capsys.readouterr().out
    assert Project.open(proj).schema.stance_targets == ("Dam deal",)
