"""Review widgets: walk disputed units, compare every annotator's answer, record the decision as ``gold``.

* :class:`ReviewWidget` walks disputed **stance** units: keys ``1``-``9`` pick
  the n-th stance value of the schema.
* :class:`SpanReviewWidget` walks disputed **span** units: keys ``1``-``9``
  take the n-th annotator's version of the unit, ``x`` rejects it.
* :func:`review` puts both in one tabbed widget (the notebook entry point).

Both are anywidgets built on :class:`_KeyedReview` (position, ``"k of N
decided"``, ``n``/``p``, resume at the first undecided unit, browser messages).
Their front end is ``static/review.js`` in the widgets' one ES module and stylesheet
(see :mod:`toolkit.widgets.views`): a focusable root that keeps every key away from
JupyterLab's command-mode shortcuts.  Errors follow the widgets' one policy
(:func:`~toolkit.widgets.views.run_action`): shown on the message line as
``Error: not recorded: ...`` (nothing was written), and re-raised when unexpected.

Span decisions are stored in the ``gold`` layer only, through the Project API:

* *take annotator X*: X's spans of the unit are put into ``gold`` with
  deterministic ids ``s-rv<hash of unit>-<i>`` and ``meta={"review": {"unit": ..,
  "choice": X}}``; every other gold span of that layer overlapping the unit is
  deleted first.  Deciding again therefore replaces the unit's gold spans and
  never duplicates them.
* *reject*: the unit's gold spans are deleted and a marker event is appended to
  the gold log with ``Project.delete(..., missing_ok=True)``: a ``delete`` of the
  never-existing object id ``review:<unit>`` with ``meta={"review": {"unit": ..,
  "choice": "reject"}}`` (replay ignores deletes of absent ids, so the gold
  annotations are unaffected; see docs/format.md).

On opening, a unit counts as decided when gold has a span of its layer
overlapping it (from this widget, from :func:`~toolkit.agreement.adjudicate.apply_decisions`
or from hand edits) or when its latest review event in the gold log is a rejection.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets as w
import pandas as pd
import traitlets as t

from ..agreement.adjudicate import GOLD, _gold_claim, apply_decisions
from ..agreement.reports import disagreements, span_units
from ..agreement.spans import human_annotators
from ..errors import ValidationError
from ..model import Stance
from .views import CSS, ESM, run_action

if TYPE_CHECKING:
    from toolkit import Project

__all__ = ["REJECT", "ReviewWidget", "SpanReviewWidget", "SpanUnit", "review"]

#: Choice recorded for a rejected span unit.
REJECT = "reject"
#: Number keys of both widgets: the n-th annotator's version (spans) or the n-th stance value (stances).
TAKE_KEYS = "123456789"


def _open(project: Project | str | os.PathLike[str] | None) -> Project:
    from toolkit import Project

    if isinstance(project, Project):
        return project
    return Project.open(project)


def _blank(v: Any) -> bool:
    """``None``, NaN, ``pd.NA`` or ``""``: no value (disagreement tables hold all of these)."""
    if v is None or isinstance(v, str):
        return v is None or v == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


class _KeyedReview(anywidget.AnyWidget):
    """What both review widgets share: position, progress, ``n``/``p`` and number keys, browser messages.

    Subclasses set ``units``, implement :meth:`_is_decided`, :meth:`_number`
    (number key ``i``, 0-based), :meth:`_action` (their own browser actions) and
    :meth:`_refresh` (push the unit on screen to the browser).
    """

    _esm = ESM
    _css = CSS

    view = t.Unicode("").tag(sync=True)  # which review view the shared module draws
    unit = t.Dict().tag(sync=True)
    position = t.Int(0).tag(sync=True)
    count = t.Int(0).tag(sync=True)
    n_decided = t.Int(0).tag(sync=True)
    status = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)

    units: list[Any]

    def __init__(self) -> None:
        super().__init__()
        self.on_msg(self._on_msg)

    # subclass hooks
    def _is_decided(self, index: int) -> bool:
        raise NotImplementedError(f"{type(self).__name__} must say when a unit is decided")

    def _number(self, index: int) -> None:
        raise NotImplementedError(f"{type(self).__name__} must handle number keys")

    def _letter(self, key: str) -> None:
        """Keys other than numbers and ``n``/``p`` (lower case); ignored unless a subclass uses them."""

    def _action(self, action: Any, msg: Mapping[str, Any]) -> bool:
        """Handle a widget-specific browser action; ``False`` if unknown."""
        return False

    def _refresh(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must push its unit to the browser")

    # shared behaviour
    @property
    def index(self) -> int:
        """Position of the unit on screen (``len(units)`` once past the last one)."""
        return self.position

    @property
    def n_done(self) -> int:
        """Number of decided units."""
        return sum(self._is_decided(i) for i in range(len(self.units)))

    @property
    def progress(self) -> str:
        """``"3 of 17 decided"``."""
        return f"{self.n_done} of {len(self.units)} decided"

    def first_undecided(self) -> int:
        """Index of the first undecided unit (``len(units)`` when all are decided): where the widget opens."""
        return next((i for i in range(len(self.units)) if not self._is_decided(i)), len(self.units))

    def go(self, index: int) -> None:
        """Show unit ``index`` (clamped; ``len(units)`` is the "all reviewed" screen)."""
        self.position = max(0, min(index, len(self.units)))
        self.count = len(self.units)
        self.n_decided = self.n_done
        self.status = self.progress
        self._refresh()

    def next(self) -> None:
        """Next unit (key ``n``)."""
        self.go(self.position + 1)

    def prev(self) -> None:
        """Previous unit (key ``p``)."""
        self.go(self.position - 1)

    def press(self, key: str) -> None:
        """Keyboard shortcut: ``1``-``9`` (see the subclass), ``n``/``p`` move; unknown keys do nothing."""
        k = key.lower()
        if len(k) == 1 and k in TAKE_KEYS:
            self._number(int(k) - 1)
        elif k == "n":
            self.next()
        elif k == "p":
            self.prev()
        else:
            self._letter(k)

    def handle(self, msg: Mapping[str, Any]) -> None:
        """Dispatch a message from the browser.

        Errors go to the message line (``Error: not recorded: ...``; nothing was written); an
        unexpected one is re-raised after that, like the annotator does (see ``run_action``).
        """
        action = msg.get("action")

        def dispatch() -> None:
            if action == "next":
                self.next()
            elif action == "prev":
                self.prev()
            elif action == "key":
                self.press(str(msg.get("key", "")))
            elif not self._action(action, msg):
                self.message = f"unknown action {action!r}"

        run_action(self._show_error, action, dispatch, msg)

    def _show_error(self, reason: str) -> None:
        self.message = f"Error: not recorded: {reason}"

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, Mapping):
            self.handle(content)


# --------------------------------------------------------------------------- stances

class ReviewWidget(_KeyedReview):
    """Walk the disputed stance units of a project one by one (anywidget, keyboard shortcuts).

    Shows the unit (document, source, claim, target, a text excerpt), every
    annotator's answer side by side, and one button per stance value **of the
    schema, in schema order** (``project.schema.stance_values``); the number
    keys ``1``-``9`` pick the value with that position (the key is shown on each
    button; the order is the same for every unit).  A pick is written to the
    ``gold`` layer through :func:`~toolkit.agreement.adjudicate.apply_decisions`
    and the widget moves to the next unit; ``n``/``p`` (or *Next*/*Previous*)
    move without deciding.  The header shows ``"k of N decided"``; on opening,
    units that already have a gold stance count as decided and the widget starts
    at the first undecided one.

    Claim-level units are aligned claims (see ``docs/agreement.md``); their gold
    stance is put on the gold claim span that overlaps the aligned claim
    (adjudicate the claim spans first, e.g. with :class:`SpanReviewWidget`);
    without one nothing is written and the unit stays undecided.

    The browser calls :meth:`handle` with ``{"action": "choose", "value": ...}``,
    ``{"action": "next" | "prev"}`` or ``{"action": "key", "key": ...}``; the
    same methods (``choose``, ``next``, ``prev``, ``press``, ``go``) work from Python.

    >>> ReviewWidget(tk.Project.open("annotations"))   # doctest: +SKIP
    """

    view = t.Unicode("review_stances").tag(sync=True)

    def __init__(
        self,
        project: Project | str | os.PathLike[str] | None = None,
        annotators: list[str] | None = None,
        include_missing: bool = False,
    ) -> None:
        super().__init__()
        self.project = _open(project)
        frames = self.project.load()
        self.units_table: pd.DataFrame = disagreements(frames, "stances", annotators, include_missing=include_missing)
        fixed = {"doc_id", "source", "claim", "claim_start", "claim_end", "target", "n_answers"}
        self.annotators = [c for c in self.units_table.columns if c not in fixed]
        self.units = self.units_table.to_dict("records")
        self.values = list(self.project.schema.stance_values)
        #: unit index -> gold value (written here or found in gold on opening)
        self.decided: dict[int, str] = self._load_decisions()
        #: unit index -> value that could not be written (no gold claim span yet)
        self.skipped: dict[int, str] = {}
        self.go(self.first_undecided())

    def __repr__(self) -> str:
        return f"<ReviewWidget {len(self.units)} disputed stance units, {self.progress}, at {self.index}>"

    @property
    def current(self) -> dict[str, Any] | None:
        """The unit on screen (a row of the disagreement table) or ``None`` when done."""
        return self.units[self.position] if 0 <= self.position < len(self.units) else None

    def _decision(self, unit: Mapping[str, Any], value: str | None) -> dict[str, Any]:
        keys = ("doc_id", "claim", "claim_start", "claim_end", "target")
        return {"task": "stance", **{k: unit.get(k) for k in keys}, "value": value}

    def _load_decisions(self) -> dict[int, str]:
        """Gold stances already recorded for the units (resume)."""
        if GOLD not in self.project.annotators():
            return {}
        gold = self.project.current(GOLD)
        out: dict[int, str] = {}
        for i, unit in enumerate(self.units):
            claim = None
            if not _blank(unit.get("claim")):
                claim = _gold_claim(gold, self.project.schema, unit)
                if claim is None:
                    continue
            st = gold.stances.get(Stance.make_id(str(unit["doc_id"]), str(unit["target"]), claim))
            if st is not None:
                out[i] = st.value
        return out

    def _is_decided(self, index: int) -> bool:
        return index in self.decided

    def choose(self, value: str) -> None:
        """Record ``value`` as the gold answer of the current unit and advance.

        A claim-level unit without a matching gold claim span is not written; the
        message line says so and the unit stays undecided.
        """
        unit = self.current
        if unit is None:
            return
        if value not in self.values:
            raise ValidationError(f"unknown stance value {value!r}; use one of: {', '.join(self.values)}")
        counts = apply_decisions(self.project, [self._decision(unit, value)], annotator=GOLD)
        if counts["skipped"]:
            self.skipped[self.position] = value
            self.message = (
                "not recorded: gold has no claim span overlapping this claim yet (adjudicate the claim spans first)"
            )
            return
        self.skipped.pop(self.position, None)
        self.decided[self.position] = value
        self.go(self.position + 1)
        self.message = f"recorded {unit['doc_id']} / {unit['target']}: {value}. {self.message}"

    def _number(self, index: int) -> None:
        if index < len(self.values):
            self.choose(self.values[index])

    def _action(self, action: Any, msg: Mapping[str, Any]) -> bool:
        if action == "choose":
            self.choose(str(msg.get("value")))
            return True
        return False

    def unit_view(self, index: int) -> dict[str, Any]:
        """What the browser shows for unit ``index`` (all plain text)."""
        unit = self.units[index]
        text = self.project.document(unit["doc_id"]).text
        claim_text = ""
        c0, c1 = unit.get("claim_start"), unit.get("claim_end")
        if not _blank(unit.get("claim")) and not _blank(c0) and not _blank(c1):
            claim_text = text[int(c0) : int(c1)]
        chosen = self.decided.get(index)
        return {
            "doc_id": str(unit["doc_id"]), "source": unit.get("source"), "target": str(unit["target"]),
            "claim": None if _blank(unit.get("claim")) else str(unit["claim"]), "claim_text": claim_text,
            "excerpt": text[:300] + ("…" if len(text) > 300 else ""),
            "answers": [{"annotator": a, "value": None if _blank(unit.get(a)) else str(unit[a])}
                        for a in self.annotators],
            "choices": [{"value": v, "key": TAKE_KEYS[i] if i < len(TAKE_KEYS) else "", "chosen": v == chosen}
                        for i, v in enumerate(self.values)],
            "decision": chosen,
        }  # fmt: skip

    def _refresh(self) -> None:
        if self.current is None:
            self.unit = {}
            self.message = f"All {len(self.units)} disputed stance units reviewed ({self.progress}, in {GOLD})."
            return
        self.unit = self.unit_view(self.position)
        done = self.decided.get(self.position)
        self.message = f"decided: {done}" if done else "not decided yet"


# --------------------------------------------------------------------------- spans


@dataclass
class SpanUnit:
    """A disputed span unit: overlapping spans of one layer in one document (see :func:`~toolkit.agreement.reports.span_units`)."""

    uid: str
    doc_id: str
    source: str | None
    layer: str
    start: int
    end: int
    versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # annotator -> spans

    def __repr__(self) -> str:
        marked = {a: len(v) for a, v in self.versions.items()}
        return f"<SpanUnit {self.uid} spans per annotator={marked}>"


def _gold_id(uid: str, i: int) -> str:
    return f"s-rv{hashlib.sha1(uid.encode('utf-8')).hexdigest()[:16]}-{i}"


def _review_meta(meta: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    rv = meta.get("review") if isinstance(meta, Mapping) else None
    return rv if isinstance(rv, Mapping) else None


class SpanReviewWidget(_KeyedReview):
    """Walk the disputed span units of a project and record decisions as ``gold``.

    A unit is a group of overlapping spans of one layer (entity or claim) in one
    document, over the human annotators; it is disputed unless all of them marked
    the same ``(start, end, label)`` set (exactly the rows of
    ``disagreements(frames, "spans")``).  Each annotator's version is shown as
    text (never as HTML) in the document context, side by side, with buttons and
    keys: ``1``-``9`` take that annotator's version, ``x`` rejects (no span),
    ``n``/``p`` next/previous.  Every decision is written at once (see the
    module docstring); re-deciding replaces the unit's gold spans.

    The browser calls :meth:`handle` with ``{"action": "take", "annotator": ...}``,
    ``{"action": "reject"}``, ``{"action": "next"}``, ``{"action": "prev"}`` or
    ``{"action": "key", "key": ...}``; the same methods can be called from Python.

    >>> SpanReviewWidget(tk.Project.open("annotations"))   # doctest: +SKIP
    """

    view = t.Unicode("review_spans").tag(sync=True)

    def __init__(
        self,
        project: Project | str | os.PathLike[str] | None = None,
        annotators: list[str] | None = None,
        layer: str | None = None,
        context: int = 160,
    ) -> None:
        super().__init__()
        self.project = _open(project)
        self.context = context
        frames = self.project.load(include_models=False)
        spans = frames.spans
        self.annotators: list[str] = list(annotators) if annotators is not None else human_annotators(spans)
        table = span_units(spans, self.annotators)
        table = table[table["disputed"]]
        if layer is not None:
            table = table[table["layer"] == layer]
        self.units: list[SpanUnit] = []
        for uid, grp in table.groupby("unit", sort=False):
            first = grp.iloc[0]
            versions = {
                a: [
                    {"start": int(r.start), "end": int(r.end), "label": str(r.label), "text": str(r.text),
                     "attrs": dict(r.attrs) if isinstance(r.attrs, Mapping) else {}}
                    for r in grp[grp["annotator"] == a].sort_values(["start", "end", "label"]).itertuples()
                ]
                for a in self.annotators
            }  # fmt: skip
            self.units.append(
                SpanUnit(str(uid), str(first["doc_id"]), first.get("source"), str(first["layer"]),
                         int(first["unit_start"]), int(first["unit_end"]), versions)
            )  # fmt: skip
        self.decisions: dict[str, str] = self._load_decisions()
        self.go(self.first_undecided())

    def __repr__(self) -> str:
        return f"<SpanReviewWidget {self.progress}, at {self.index}>"

    # ------------------------------------------------------------ state
    @property
    def current(self) -> SpanUnit | None:
        """The unit on screen, or ``None`` past the end."""
        return self.units[self.position] if 0 <= self.position < len(self.units) else None

    def _is_decided(self, index: int) -> bool:
        return self.units[index].uid in self.decisions

    def _gold_in(self, unit: SpanUnit, gold: Any) -> list[Any]:
        layer_of = self.project.schema.layer_of
        return [
            s
            for s in gold.spans.values()
            if s.doc == unit.doc_id and s.start < unit.end and unit.start < s.end and layer_of(s.label) == unit.layer
        ]

    def _gold(self) -> Any:
        return self.project.current(GOLD) if GOLD in self.project.annotators() else None

    def _load_decisions(self) -> dict[str, str]:
        """Decisions already in the gold layer (resume): unit id -> annotator name, ``reject`` or ``gold``."""
        gold = self._gold()
        if gold is None:
            return {}
        last: dict[str, str] = {}
        for ev in self.project.history(GOLD):
            rv = _review_meta(ev.get("meta"))
            if rv and isinstance(rv.get("unit"), str):
                last[rv["unit"]] = str(rv.get("choice"))
        out: dict[str, str] = {}
        for u in self.units:
            inside = self._gold_in(u, gold)
            if inside:
                metas = [_review_meta(s.meta) for s in inside]
                choices = {str(m.get("choice")) for m in metas if m and m.get("unit") == u.uid}
                ours = all(m and m.get("unit") == u.uid for m in metas)
                # taken with this widget: the annotator's name; otherwise (majority vote, hand edits) "gold"
                out[u.uid] = choices.pop() if ours and len(choices) == 1 else GOLD
            elif last.get(u.uid) == REJECT:
                out[u.uid] = REJECT
        return out

    # ------------------------------------------------------------ actions
    def take(self, annotator: str | int) -> None:
        """Record ``annotator``'s version of the current unit as gold (a name or a 0-based index) and advance."""
        unit = self.current
        if unit is None:
            return
        name = self.annotators[annotator] if isinstance(annotator, int) else annotator
        if name not in unit.versions:
            raise ValidationError(f"unknown annotator {name!r}; this unit has: {', '.join(unit.versions)}")
        version = unit.versions[name]
        if not version:  # taking an empty version is a rejection
            self.reject()
            return
        meta = {"review": {"unit": unit.uid, "choice": name}}
        items = []
        for i, s in enumerate(version):
            attrs = {k: v for k, v in s["attrs"].items() if k != "speaker_span"}  # ids of another layer
            items.append({"doc": unit.doc_id, "start": s["start"], "end": s["end"], "label": s["label"],
                          "attrs": attrs, "id": _gold_id(unit.uid, i), "meta": meta})  # fmt: skip
        keep = {it["id"] for it in items}
        gold = self._gold()
        stale = [s.id for s in self._gold_in(unit, gold) if s.id not in keep] if gold is not None else []
        # delete first: a crash in between leaves the unit empty (undecided), never duplicated
        if stale:
            self.project.delete_many("span", stale, annotator=GOLD)
        self.project.add_spans(items, annotator=GOLD)
        self._decided(unit, name)

    def reject(self) -> None:
        """Decide that gold has no span in the current unit (key ``x``) and advance."""
        unit = self.current
        if unit is None:
            return
        gold = self._gold()
        if gold is not None:
            self.project.delete_many("span", [s.id for s in self._gold_in(unit, gold)], annotator=GOLD)
        self.project.delete(
            "span", f"review:{unit.uid}", GOLD, meta={"review": {"unit": unit.uid, "choice": REJECT}}, missing_ok=True
        )
        self._decided(unit, REJECT)

    def _number(self, index: int) -> None:
        """Key ``index + 1``: take that annotator's version (keys past the last annotator do nothing)."""
        if index < len(self.annotators):
            self.take(index)

    def _letter(self, key: str) -> None:
        if key == "x":
            self.reject()

    def _action(self, action: Any, msg: Mapping[str, Any]) -> bool:
        if action == "take":
            self.take(str(msg["annotator"]))
        elif action == "reject":
            self.reject()
        else:
            return False
        return True

    def _decided(self, unit: SpanUnit, choice: str) -> None:
        self.decisions[unit.uid] = choice
        self.go(self.position + 1)
        self.message = f"recorded {unit.uid}: {choice}. {self.message}"

    # ------------------------------------------------------------ view data
    def _segments(self, text: str, lo: int, hi: int, spans: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Cut ``text[lo:hi]`` at span boundaries; each piece lists the labels covering it (code points)."""
        cuts = sorted({lo, hi, *(min(max(p, lo), hi) for s in spans for p in (s["start"], s["end"]))})
        out = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            if b > a:
                labels = [s["label"] for s in spans if s["start"] <= a and b <= s["end"]]
                out.append({"text": text[a:b], "labels": labels})
        return out

    def unit_view(self, unit: SpanUnit) -> dict[str, Any]:
        """What the browser shows for ``unit``: context pieces per annotator (plain text) and the decision."""
        text = self.project.document(unit.doc_id).text
        lo, hi = max(0, unit.start - self.context), min(len(text), unit.end + self.context)
        choice = self.decisions.get(unit.uid)
        versions = []
        for i, (a, spans) in enumerate(unit.versions.items()):
            versions.append({
                "annotator": a, "key": TAKE_KEYS[i] if i < len(TAKE_KEYS) else "",
                "spans": [{k: s[k] for k in ("start", "end", "label", "text")} for s in spans],
                "segments": self._segments(text, lo, hi, spans), "chosen": choice == a,
            })  # fmt: skip
        gold = self._gold()
        gold_spans = sorted(
            ({"start": s.start, "end": s.end, "label": s.label, "text": s.text} for s in self._gold_in(unit, gold)),
            key=lambda s: (s["start"], s["end"]),
        ) if gold is not None else []  # fmt: skip
        versions.append({
            "annotator": f"{GOLD} (decided: {choice})" if choice else f"{GOLD} (not decided)", "key": "",
            "spans": gold_spans, "segments": self._segments(text, lo, hi, gold_spans), "chosen": False,
        })  # fmt: skip
        return {
            "uid": unit.uid, "doc_id": unit.doc_id, "source": unit.source, "layer": unit.layer,
            "start": unit.start, "end": unit.end, "decision": choice, "versions": versions,
            "cut_before": lo > 0, "cut_after": hi < len(text),
        }  # fmt: skip

    def _refresh(self) -> None:
        unit = self.current
        self.unit = self.unit_view(unit) if unit is not None else {}
        if unit is None:
            self.message = f"All {len(self.units)} disputed span units reviewed ({self.progress})."
        else:
            choice = self.decisions.get(unit.uid)
            self.message = f"decided: {choice}" if choice else "not decided yet"


def review(project: Project | str | os.PathLike[str] | None = None, annotators: list[str] | None = None) -> w.Tab:
    """Both review widgets in tabs: disputed span units first (claims need gold spans), then stances."""
    proj = _open(project)
    spans = SpanReviewWidget(proj, annotators)
    stances = ReviewWidget(proj, annotators)
    tab = w.Tab([spans, stances])
    tab.set_title(0, f"Spans ({len(spans.units)})")
    tab.set_title(1, f"Stances ({len(stances.units)})")
    return tab
