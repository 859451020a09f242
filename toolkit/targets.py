"""Stance targets of a project: list, add, rename and remove them.

A stance target is a named thing annotators take a stance toward ("the dam deal", "Venn").
Targets live in ``schema.json``; stances name their target.  Renaming therefore rewrites the
affected stances as ordinary events (a new stance under the new name, then a delete of the old
one, per annotator) so every log keeps its history, and it can be re-run after a crash: a
rename that was cut short is finished by running it again.

Used by ``toolkit targets`` and the annotation widget.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING

from .errors import ValidationError
from .model import Stance

if TYPE_CHECKING:
    from .store import Project

__all__ = ["add_target", "list_targets", "remove_target", "rename_target", "stance_counts"]


def _clean(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("a stance target needs a non-empty name")
    if "\n" in name or "\r" in name:
        raise ValidationError(f"stance target {name!r}: no line breaks in a target name")
    return " ".join(name.split())


def stance_counts(project: Project) -> Counter[str]:
    """How many current stances (all annotators) name each target."""
    counts: Counter[str] = Counter()
    for ann in project.annotators():
        for st in project.current(ann).table("stance").values():
            counts[st.target] += 1
    return counts


def list_targets(project: Project) -> list[tuple[str, int]]:
    """``(target, number of stances)`` for the schema's targets, then targets only stances use."""
    counts = stance_counts(project)
    out = [(t, counts.get(t, 0)) for t in project.schema.stance_targets]
    out += sorted((t, n) for t, n in counts.items() if t not in project.schema.stance_targets)
    return out


def _save_targets(project: Project, targets: list[str]) -> None:
    project.save_schema(dataclasses.replace(project.schema, stance_targets=tuple(targets)))


def add_target(project: Project, name: str) -> str:
    """Add a target to the schema (an existing one is an error); returns the cleaned name."""
    name = _clean(name)
    if name in project.schema.stance_targets:
        raise ValidationError(f"stance target {name!r} already exists")
    _save_targets(project, [*project.schema.stance_targets, name])
    return name


def rename_target(project: Project, old: str, new: str) -> int:
    """Rename a target, keeping every stance (their values, claims and annotators).

    Returns how many stances were moved.  Safe to run again after an interruption.
    """
    new = _clean(new)
    targets = list(project.schema.stance_targets)
    if old == new:
        return 0
    if old not in targets and new not in targets:
        known = ", ".join(targets) or "(none)"
        raise ValidationError(f"no stance target {old!r}; the schema has: {known}")
    if old in targets and new in targets and stance_counts(project).get(old) and not _resuming(project, old, new):
        raise ValidationError(f"stance target {new!r} already exists (merging two targets is not supported)")
    # 1. the new name first (so the new stances are valid), keeping the old one's position
    if new not in targets:
        targets[targets.index(old)] = new
        _save_targets(project, [*targets, old])  # old stays valid until its stances moved
    moved = 0
    # 2. per annotator: the same stances under the new name, then the old ones deleted
    for ann in project.annotators():
        olds = [st for st in project.current(ann).table("stance").values() if st.target == old]
        if not olds:
            continue
        news = [
            Stance(
                Stance.make_id(st.doc, new, st.claim), st.doc, new, st.value, ann, st.claim,
                meta={**dict(st.meta or {}), "renamed_from": old},
            )
            for st in olds
        ]  # fmt: skip
        project.put(news)
        project.delete_many("stance", [st.id for st in olds], ann)
        moved += len(olds)
    # 3. the old name leaves the schema
    _save_targets(project, [t for t in project.schema.stance_targets if t != old])
    return moved


def _resuming(project: Project, old: str, new: str) -> bool:
    """True when stances under ``new`` came from renaming ``old`` (an interrupted rename)."""
    return any(
        st.target == new and (st.meta or {}).get("renamed_from") == old
        for ann in project.annotators()
        for st in project.current(ann).table("stance").values()
    )


def remove_target(project: Project, name: str, drop_stances: bool = False) -> int:
    """Remove a target from the schema.

    Refused while stances use it, unless ``drop_stances`` (then they are deleted as ordinary
    events: the logs keep them in their history).  Returns how many stances were deleted.
    """
    if name not in project.schema.stance_targets:
        known = ", ".join(project.schema.stance_targets) or "(none)"
        raise ValidationError(f"no stance target {name!r}; the schema has: {known}")
    used = stance_counts(project).get(name, 0)
    if used and not drop_stances:
        raise ValidationError(
            f"stance target {name!r} is used by {used} stance(s); rename it instead, or remove it with "
            "--drop-stances (the stances are deleted, the logs keep their history)"
        )
    dropped = 0
    for ann in project.annotators():
        ids = [st.id for st in project.current(ann).table("stance").values() if st.target == name]
        dropped += project.delete_many("stance", ids, ann) if ids else 0
    _save_targets(project, [t for t in project.schema.stance_targets if t != name])
    return dropped
