"""Why a table came out empty, and what to run next (one place for every command and the report).

An empty result is never just "(nothing)": the analyst learns whether the project has no
annotations of that kind at all, only model suggestions (and that ``--layer model`` shows them),
or too few annotators for agreement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .model import GOLD, MODEL_PREFIX

__all__ = ["agreement_hint", "empty_hint"]

_ANNOTATE = "annotate in notebooks/01_annotate.ipynb, run `toolkit preannotate`, or `toolkit import` annotations"


def split_annotators(frame: Any, also: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(human annotators, model layers) present in a frame with an ``annotator`` column, plus ``also``."""
    names = {str(a) for a in also}
    if frame is not None and len(frame) and "annotator" in frame.columns:
        names |= {str(a) for a in frame["annotator"].unique()}
    ordered = sorted(names)
    return [a for a in ordered if not a.startswith(MODEL_PREFIX)], [a for a in ordered if a.startswith(MODEL_PREFIX)]


def empty_hint(frame: Any, what: str, layer: Any = None, option: str = "--layer",
               annotators: Sequence[str] | None = None) -> str:
    """One line saying why ``what`` (e.g. "entity annotations") is empty for ``layer`` and what to do.

    ``frame`` is the unfiltered frame (spans or stances of ``Project.load()``); ``layer`` the
    selection that produced nothing (``None``: the default, gold or human annotators).
    ``annotators``: annotators whose logs were not read into ``frame`` (a layer was chosen
    before loading); they are named in the hint too.
    """
    humans, models = split_annotators(frame, annotators or ())
    if not humans and not models:
        return f"No {what} in this project yet: {_ANNOTATE}."
    if layer in (None, "human", GOLD) and not humans and models:
        return (
            f"No human {what} yet, only model suggestions ({', '.join(models)}): "
            f"add `{option} model` to use them, or review them in notebooks/01_annotate.ipynb."
        )
    known = ", ".join([*humans, *models])
    return f"No {what} for {layer or 'the default layer (gold, else human annotators)'}; annotators here: {known}."


def agreement_hint(frame: Any, what: str) -> str | None:
    """Why agreement on ``what`` cannot be computed (``None`` when it can)."""
    humans, models = split_annotators(frame)
    humans = [h for h in humans if h != GOLD]
    if len(humans) >= 2:
        return None
    if not humans and models:
        return (
            f"Agreement compares human annotators; this project has only model suggestions for {what} "
            f"({', '.join(models)}). Ask two or more people to annotate (notebooks/01_annotate.ipynb)."
        )
    if not humans:
        return f"No {what} yet, so no agreement to compute: {_ANNOTATE}."
    return (
        f"Agreement needs two or more human annotators; {what} so far only by {humans[0]}. "
        "A second annotator opens notebooks/01_annotate.ipynb with another name."
    )
