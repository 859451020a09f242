"""Replay: a log's events -> an annotator's current records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from ..model import ClaimLink, Document, Span, Stance, record_from_event
from ..validation import event_problem, span_fit_problem
from .log import Problem


@dataclass
class AnnotatorState:
    """Current annotations of one annotator (the replay of its log)."""

    annotator: str
    spans: dict[str, Span] = field(default_factory=dict)
    stances: dict[str, Stance] = field(default_factory=dict)
    links: dict[str, ClaimLink] = field(default_factory=dict)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (type, id) -> line of last put
    problems: list[Problem] = field(default_factory=list)

    def table(self, kind: str) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {"span": self.spans, "stance": self.stances, "link": self.links}
        return tables[kind]

    def __repr__(self) -> str:
        return (
            f"<AnnotatorState {self.annotator!r}: {len(self.spans)} spans, {len(self.stances)} stances, "
            f"{len(self.links)} links, {len(self.problems)} problems>"
        )


def apply_events(state: AnnotatorState, path: str, events: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Apply more events to ``state`` in place."""
    annotator = state.annotator
    for lineno, ev in events:
        kind, oid = ev["type"], ev["id"]
        table = state.table(kind)
        if ev["op"] == "delete":
            table.pop(oid, None)
            state.lines.pop((kind, oid), None)
            continue
        try:
            obj = record_from_event({**ev, "annotator": annotator})
        except (KeyError, TypeError, ValidationError) as exc:
            what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            state.problems.append(Problem(path, lineno, annotator, oid, "invalid-record", what))
            continue
        table[oid] = obj
        state.lines[(kind, oid)] = lineno


def span_event_problem(ev: Mapping[str, Any], docs: Mapping[str, Document]) -> tuple[str, str] | None:
    """``(kind, message)`` if a span event (or ``{**Span.to_record(), "op": "put"}``) is malformed or does not fit.

    :func:`toolkit.validation.event_problem` (``invalid-record``) then
    :func:`toolkit.validation.span_fit_problem` (document known, unchanged, offsets and text).
    """
    what = event_problem({"op": "put", **ev})
    if what is not None:
        return "invalid-record", f"span {ev.get('id')}: {what}"
    return span_fit_problem(ev, docs)
