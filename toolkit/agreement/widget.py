"""Review widget: walk disputed stance units, compare answers, record the decision as ``gold``."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from .adjudicate import GOLD, apply_decisions
from .reports import disagreements

if TYPE_CHECKING:
    from toolkit import Project

__all__ = ["ReviewWidget"]


class ReviewWidget(w.VBox):
    """Walk the disputed stance units of a project one by one.

    Shows the unit (document, source, claim, target, a text excerpt), every
    annotator's answer side by side, and one button per allowed stance value.
    Clicking a value writes it to the ``gold`` layer through the Project API and
    moves to the next unit; *Skip* moves on without deciding.

    >>> ReviewWidget(tk.Project.open("annotations"))   # doctest: +SKIP
    """

    def __init__(self, project: Project, annotators: list[str] | None = None, include_missing: bool = False) -> None:
        self.project = project
        frames = project.load()
        self.units: pd.DataFrame = disagreements(frames, "stances", annotators, include_missing=include_missing)
        fixed = {"doc_id", "source", "claim_id", "target", "n_answers"}
        self.annotators = [c for c in self.units.columns if c not in fixed]
        self.values = list(project.schema.stance_values)
        self.index = 0
        self.decided: dict[int, str] = {}
        self._header = w.HTML()
        self._answers = w.HTML()
        self._status = w.HTML()
        self._buttons = [w.Button(description=v, tooltip=f"record '{v}' as gold") for v in self.values]
        for b, v in zip(self._buttons, self.values, strict=True):
            b.on_click(lambda _b, v=v: self.choose(v))
        self._prev = w.Button(description="◀ Previous")
        self._skip = w.Button(description="Skip ▶")
        self._prev.on_click(lambda _b: self.go(self.index - 1))
        self._skip.on_click(lambda _b: self.go(self.index + 1))
        super().__init__(
            [self._header, self._answers, w.HBox(self._buttons), w.HBox([self._prev, self._skip]), self._status]
        )
        self._render()

    def __repr__(self) -> str:
        return f"<ReviewWidget {len(self.units)} disputed units, {len(self.decided)} decided, at {self.index}>"

    @property
    def current(self) -> dict[str, Any] | None:
        """The unit on screen (a row of the disagreement table) or ``None`` when done."""
        if 0 <= self.index < len(self.units):
            return self.units.iloc[self.index].to_dict()
        return None

    def go(self, index: int) -> None:
        """Show unit ``index`` (clamped to the list; one past the end means done)."""
        self.index = max(0, min(index, len(self.units)))
        self._render()

    def choose(self, value: str) -> None:
        """Record ``value`` as the gold answer of the current unit and advance."""
        unit = self.current
        if unit is None:
            return
        apply_decisions(
            self.project,
            [{"task": "stance", "doc_id": unit["doc_id"], "claim_id": unit["claim_id"], "target": unit["target"],
              "value": value}],
            annotator=GOLD,
        )  # fmt: skip
        self.decided[self.index] = value
        self.go(self.index + 1)

    def _render(self) -> None:
        unit = self.current
        if unit is None:
            self._header.value = f"<b>All {len(self.units)} disputed units reviewed.</b>"
            self._answers.value = ""
            for b in self._buttons:
                b.disabled = True
            self._status.value = f"{len(self.decided)} decisions recorded as <code>{GOLD}</code>."
            return
        for b in self._buttons:
            b.disabled = False
        doc = self.project.document(unit["doc_id"])
        excerpt = html.escape(doc.text[:300]) + ("…" if len(doc.text) > 300 else "")
        claim = f" · claim <code>{html.escape(str(unit['claim_id']))}</code>" if unit.get("claim_id") else ""
        self._header.value = (
            f"<h4>Unit {self.index + 1} of {len(self.units)}: stance toward "
            f"<i>{html.escape(str(unit['target']))}</i></h4>"
            f"<div><b>{html.escape(str(unit['doc_id']))}</b> ({html.escape(str(unit.get('source')))}){claim}</div>"
            f"<blockquote style='color:#555'>{excerpt}</blockquote>"
        )
        cells = "".join(
            f"<tr><td style='padding:2px 8px'>{html.escape(a)}</td>"
            f"<td style='padding:2px 8px'><b>{html.escape(str(unit.get(a) or '—'))}</b></td></tr>"
            for a in self.annotators
        )
        self._answers.value = f"<table><tr><th>annotator</th><th>answer</th></tr>{cells}</table>"
        done = self.decided.get(self.index)
        self._status.value = f"decided: <b>{done}</b>" if done else "not decided yet"
