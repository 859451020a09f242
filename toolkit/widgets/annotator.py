"""The annotation app: composes the views and talks to the project store.

Flow of every action (the widget never "confirms" anything it has not stored)::

    browser view --message/trait--> Annotator method --> Project API (fsync)
                 <--trait update---  Annotator._sync*()  <-- Project.current()

Undo/redo never edit the log: they append the inverse events (a ``delete``
for an added span, a ``put`` of the old version for a changed or deleted one).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as ipw
import numpy as np

from ..errors import NotFoundError, ToolkitError, ValidationError
from ..model import ClaimLink, Document, Span, Stance, check_annotator, is_model_annotator
from ..store import AnnotatorState, Project
from .docindex import DocCatalog, LogIndex, id_hash
from .text import rank_claims, snap_selection
from .uistate import RejectedKey, UIState
from .views import LinkPicker, NavBar, SpanTagger, StancePanel, _View, run_action

__all__ = ["Annotator", "open_project", "LABEL_KEYS"]

#: Keys assigned to labels in order (claim labels first, then entity labels).
LABEL_KEYS = "1234567890qwertyuiop"

#: Suggestion groups the widget shows one at a time (label layers), or none.
SUGGESTION_GROUPS = ("entity", "claim", "off")
#: Where "accept all above a score" acts: the open document, or every document in the list.
SCOPES = ("document", "all")


def check_score(value: Any, what: str = "score") -> float:
    """``value`` as a score threshold in ``[0, 1]`` (rounded to 4 decimals), else a one-line ValidationError."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if isinstance(value, bool) or not 0.0 <= x <= 1.0:  # NaN fails too
        raise ValidationError(f"{what} must be a number from 0 to 1, got {value!r}")
    return round(x, 4)


def score_of(span: Span) -> float | None:
    """A suggestion's ``attrs["score"]`` as a number, or None when it has none (or not a number)."""
    x = span.attrs.get("score")
    if isinstance(x, int | float) and not isinstance(x, bool) and not math.isnan(x):
        return float(x)
    return None


def passes(score: float | None, threshold: float) -> bool:
    """The score filter: a scored suggestion passes at ``score >= threshold``; one without a score only at 0."""
    return threshold <= 0 if score is None else score >= threshold


def _passes_array(score: np.ndarray, threshold: float) -> np.ndarray:
    """:func:`passes` on a column of scores (NaN = no score)."""
    return (score >= threshold) | (np.isnan(score) & (threshold <= 0))


def _rows_in(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each row of the int array ``a`` (n, k): whether it is also a row of ``b`` (m, k).  Exact; O((n+m) log)."""
    if not len(a) or not len(b):
        return np.zeros(len(a), bool)
    _, inv = np.unique(np.concatenate([b, a]), axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    return np.isin(inv[len(b) :], inv[: len(b)])


@dataclass
class _Plan:
    """The open suggestions a score filter selects (see ``Annotator._plan``): one entry per (doc, offsets, label)."""

    threshold: float
    scope: str
    group: str
    ids: list[str]  # the documents in scope; ``doc`` codes index this list
    layers: list[LogIndex] = field(default_factory=list)
    layer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # index into ``layers``
    row: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # line of that layer's index
    doc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    score: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))

    def __len__(self) -> int:
        return len(self.row)

    @property
    def n_docs(self) -> int:
        return len(np.unique(self.doc))


def open_project(project: Project | str | os.PathLike[str] | None = None) -> Project:
    """``project`` itself, or the project at that path (default: ``$TOOLKIT_PROJECT`` or ``annotations``)."""
    if isinstance(project, Project):
        return project
    if project is None:
        project = os.environ.get("TOOLKIT_PROJECT", "annotations")
    return Project.open(project)


@dataclass
class _Action:
    """One undoable user action: callables that append the inverse / the same events again."""

    name: str
    doc: str
    undo: Callable[[], None]
    redo: Callable[[], None]


class Annotator(ipw.VBox):
    """Annotate a project's documents in JupyterLab.

    Parameters
    ----------
    project:
        A :class:`toolkit.Project` or its folder (default ``$TOOLKIT_PROJECT`` or ``annotations``).
    annotator:
        Annotator name.  If omitted, the name remembered in ``<project>/ui/annotator.json`` is used,
        or the widget asks for it once and remembers it.
    source:
        Only show documents of this source.
    doc:
        Document id to open first (default: the first unannotated one).

    Everything the user does is available as a method too (``tag``, ``delete_span``,
    ``set_stance``, ``link``, ``accept``, ``reject``, ``undo``, ...), which is
    what the browser view calls.
    """

    def __init__(
        self,
        project: Project | str | os.PathLike[str] | None = None,
        annotator: str | None = None,
        *,
        source: str | None = None,
        doc: str | None = None,
    ) -> None:
        self.project = open_project(project)
        self.ui = UIState(self.project.path)
        self.annotator: str = ""
        self.source: str | None = source
        self.doc_id: str | None = None
        self._undo: list[_Action] = []
        self._redo: list[_Action] = []
        self._rejected: set[str] = set()
        self._rejected_keys: set[RejectedKey] = set()
        # per-document indexes (issue 11): nothing below reads every document or every record on an action
        self.catalog = DocCatalog(self.project)
        self._mine: LogIndex | None = None
        self._models: dict[str, LogIndex] = {}
        self._annotated: set[str] = set()
        group = self.ui.setting("sugg_group", "entity")
        handler = self._handle
        self.nav = NavBar(handler=handler)
        self.tagger = SpanTagger(handler=handler, sugg_group=group if group in SUGGESTION_GROUPS else "entity")
        try:
            self.tagger.min_score = check_score(self.ui.setting("min_score", 0.0))
        except ValidationError:  # a hand-edited settings file must not stop the widget
            self.tagger.min_score = 0.0
        self.stances = StancePanel(handler=handler)
        self.links = LinkPicker(handler=handler)
        # side by side from about 700 px; below that the stance/link panel moves under the text
        self.tagger.layout = ipw.Layout(flex="3 1 420px", min_width="0")
        side = ipw.VBox([self.stances, self.links], layout=ipw.Layout(flex="1 1 260px", min_width="0"))
        body = ipw.HBox([self.tagger, side], layout=ipw.Layout(width="100%", align_items="flex-start",
                                                               flex_flow="row wrap"))
        super().__init__([self.nav, body], layout=ipw.Layout(width="100%"))
        self._send_schema()
        self.tagger.observe(self._on_selection, names="selection")
        self.tagger.observe(self._on_selected, names="selected")
        name = annotator or self.ui.annotator()
        if name:
            self.set_annotator(name, remember=annotator is None)
        ids = self.doc_ids()
        if doc is not None:
            self.goto(doc)
        elif ids:
            done = self.annotated_docs()
            self.goto(next((d for d in ids if d not in done), ids[0]) if self.annotator else ids[0])
        else:
            self._sync()

    def __repr__(self) -> str:
        return (
            f"<Annotator {self.annotator or '(no name yet)'!r} on {str(self.project.path)!r}: "
            f"doc {self.doc_id!r}, {len(self._undo)} undoable actions>"
        )

    # ------------------------------------------------------------------ state
    def state(self) -> AnnotatorState:
        """Current annotations of this annotator (from the store)."""
        return self.project.current(self._need_annotator())

    def _need_annotator(self) -> str:
        if not self.annotator:
            raise ValidationError("enter your annotator name first")
        return self.annotator

    def _need_doc(self) -> str:
        if self.doc_id is None:
            raise NotFoundError(f"no document open (project {self.project.path} has no documents?)")
        return self.doc_id

    def doc_ids(self) -> list[str]:
        """Ids of the documents shown (after the source filter), in order (from file names; cached)."""
        ids = self.catalog.ids()
        if self.source is None:
            return ids
        sources = self.catalog.sources()
        return [d for d in ids if sources.get(d) == self.source]

    def annotated_docs(self) -> set[str]:
        """Documents with at least one span or stance of this annotator (kept up to date per action)."""
        return set(self._annotated) if self.annotator else set()

    def doc_state(self, doc: str | None = None) -> AnnotatorState:
        """This annotator's current spans and stances on ``doc`` (default: the open one), from the index."""
        doc = doc or self._need_doc()
        if self._mine is None:
            return AnnotatorState(self.annotator)
        return self._mine.state(doc)

    def _model_indexes(self) -> list[LogIndex]:
        for ann in self.project.annotators():
            if is_model_annotator(ann) and ann not in self._models:
                self._models[ann] = LogIndex(self.project, ann)
        return list(self._models.values())

    def suggestions(self, doc: str | None = None) -> list[Span]:
        """Model spans on ``doc`` this annotator has not dealt with (whatever the group and score filters).

        Left out: suggestions this annotator accepted (``meta.accepted_from``) or already has (a span
        with the same offsets and label), and rejected ones, by id or by (document, offsets, label),
        so a rejected suggestion stays hidden when a re-run or another model layer suggests it again.
        """
        doc = doc or self._need_doc()
        mine = self.doc_state(doc).spans.values() if self.annotator else []
        taken = {(s.start, s.end, s.label) for s in mine}
        accepted = {(s.meta or {}).get("accepted_from") for s in mine}  # a copy lies on its suggestion's document
        out = []
        for index in self._model_indexes():
            for s in index.state(doc).spans.values():
                if s.id in self._rejected or s.id in accepted or (s.start, s.end, s.label) in taken:
                    continue
                if (s.doc, s.start, s.end, s.label) in self._rejected_keys:
                    continue
                out.append(s)
        return out

    # ------------------------------------------------------------------ setup
    def set_annotator(self, name: str, remember: bool = True) -> None:
        """Use ``name`` for all new records (and remember it in ``<project>/ui/`` unless ``remember=False``)."""
        name = check_annotator(str(name).strip())
        if is_model_annotator(name):
            raise ValidationError(f"{name!r} is reserved for model suggestions; pick a person's name")
        self.annotator = name
        self._mine = LogIndex(self.project, name)
        self._annotated = self._mine.annotated()
        self._rejected = self.ui.rejected(name)
        self._rejected_keys = self.ui.rejected_keys(name)
        self._undo.clear()
        self._redo.clear()
        if remember:
            self.ui.remember_annotator(name)
        ids = self.doc_ids()
        if self.doc_id is None and ids:
            self.doc_id = ids[0]
        self._sync()

    def _send_schema(self) -> None:
        schema = self.project.schema
        labels = []
        for i, lab in enumerate([*schema.claim_labels, *schema.entity_labels]):
            labels.append(
                {
                    "name": lab.name,
                    "color": lab.color,
                    "description": lab.description,
                    "layer": schema.layer_of(lab.name),
                    "key": LABEL_KEYS[i] if i < len(LABEL_KEYS) else "",
                }
            )
        self.tagger.labels = labels
        self.tagger.claim_kinds = list(schema.claim_kinds)
        self.stances.targets = list(schema.stance_targets)
        self.stances.values = list(schema.stance_values)

    # ------------------------------------------------------------------ navigation
    def goto(self, doc_id: str) -> None:
        """Show document ``doc_id``."""
        self.catalog.document(doc_id)  # raises NotFoundError with the project path
        self.doc_id = doc_id
        with self.tagger.hold_sync():
            self.tagger.selection = []
            self.tagger.selected = ""
        self._sync()

    def _step(self, delta: int) -> None:
        ids = self.doc_ids()
        if not ids:
            return
        i = ids.index(self.doc_id) if self.doc_id in ids else -1
        self.goto(ids[max(0, min(len(ids) - 1, i + delta))])

    def next(self) -> None:
        """Open the next document."""
        self._step(1)

    def prev(self) -> None:
        """Open the previous document."""
        self._step(-1)

    def next_unannotated(self) -> str | None:
        """Open the next document (after the current one, wrapping) without annotations; None if all are done."""
        ids = self.doc_ids()
        done = self.annotated_docs()
        i = ids.index(self.doc_id) if self.doc_id in ids else -1
        for d in ids[i + 1 :] + ids[: i + 1]:
            if d not in done:
                self.goto(d)
                return d
        self.tagger.status = "All documents have annotations."
        return None

    def set_source(self, source: str | None) -> None:
        """Only show documents of ``source`` (None: all)."""
        self.source = source or None
        ids = self.doc_ids()
        if ids and self.doc_id not in ids:
            self.goto(ids[0])
        else:
            self._sync()

    # ------------------------------------------------------------------ spans
    def select(self, start: int, end: int) -> tuple[int, int] | None:
        """Set the pending selection, snapped to words (what a mouse selection does)."""
        self.tagger.selection = [start, end]
        sel = self.tagger.selection
        return (sel[0], sel[1]) if sel else None

    def tag(self, label: str, start: int | None = None, end: int | None = None) -> Span:
        """Store a span with ``label`` over ``[start, end)`` (default: the pending selection), snapped to words."""
        ann, doc_id = self._need_annotator(), self._need_doc()
        if start is None or end is None:
            if len(self.tagger.selection) != 2:
                raise ValidationError("select some text first")
            start, end = self.tagger.selection
        snapped = snap_selection(self.catalog.document(doc_id).text, int(start), int(end))
        if snapped is None:
            raise ValidationError(f"selection [{start}, {end}) in {doc_id!r} holds no word")
        span = self.project.add_span(doc_id, snapped[0], snapped[1], label, annotator=ann)
        self._push(
            f"add {label}",
            undo=lambda: self.project.delete("span", span.id, annotator=ann),
            redo=lambda: self.project.restore(span),
        )
        with self.tagger.hold_sync():
            self.tagger.selection = []
            self.tagger.selected = span.id
        self._sync(f"Saved {label} “{_short(span.text)}”")
        return span

    def relabel(self, span_id: str, label: str) -> Span:
        """Change the label of one of this annotator's spans."""
        ann = self._need_annotator()
        old = self._span(span_id)
        new = self.project.update_span(span_id, annotator=ann, label=label)
        self._push(f"relabel {old.label}->{label}", undo=lambda: self.project.restore(old),
                   redo=lambda: self.project.restore(new), doc=old.doc)  # fmt: skip
        self._sync(f"Saved {old.label} → {label} “{_short(new.text)}”")
        return new

    def set_attrs(self, span_id: str, _name: str = "edit attributes", **changes: Any) -> Span:
        """Update claim attributes (``kind``, ``speaker``, ``speaker_span``); None or "" removes one."""
        ann = self._need_annotator()
        old = self._span(span_id)
        attrs = dict(old.attrs)
        for k, v in changes.items():
            if v is None or v == "":
                attrs.pop(k, None)
            else:
                attrs[k] = v
        new = self.project.update_span(span_id, annotator=ann, attrs=attrs)
        self._push(_name, undo=lambda: self.project.restore(old),
                   redo=lambda: self.project.restore(new), doc=old.doc)  # fmt: skip
        self._sync(f"Saved attributes of “{_short(new.text)}”")
        return new

    def link_speaker(self, claim_id: str, entity_id: str) -> Span:
        """Make entity span ``entity_id`` the speaker of claim ``claim_id`` (one undoable edit).

        Sets the claim's ``attrs.speaker_span`` to the entity's id and ``attrs.speaker`` to the
        entity's text.  Both spans must be this annotator's, on the same document; the claim must
        be in the claim layer and the entity in the entity layer.
        """
        claim, entity = self._span(claim_id), self._span(entity_id)
        schema = self.project.schema
        if schema.layer_of(claim.label) != "claim":
            raise ValidationError(f"span {claim_id!r} is a {claim.label}, not a claim: it cannot have a speaker")
        if schema.layer_of(entity.label) != "entity":
            raise ValidationError(f"span {entity_id!r} is a {entity.label}, not an entity: pick an entity span")
        if entity.doc != claim.doc:
            raise ValidationError(
                f"speaker span {entity_id!r} is on document {entity.doc!r}, the claim on {claim.doc!r}"
            )
        new = self.set_attrs(claim_id, speaker=entity.text, speaker_span=entity.id, _name="link speaker")
        self._sync(f"Speaker of “{_short(claim.text)}”: {entity.text} ({entity.label})")
        return new

    def unlink_speaker(self, claim_id: str) -> Span:
        """Remove a claim's ``speaker_span`` (its free-text ``speaker`` stays)."""
        claim = self._span(claim_id)
        if not claim.attrs.get("speaker_span"):
            raise ValidationError(f"claim {claim_id!r} has no linked speaker span")
        new = self.set_attrs(claim_id, speaker_span=None, _name="unlink speaker")
        self._sync(f"Unlinked the speaker span of “{_short(claim.text)}”")
        return new

    def delete_span(self, span_id: str) -> None:
        """Delete a span, with what refers to it, as one undo step.

        Links and claim stances that name the span are deleted; claims whose
        ``speaker_span`` is the span lose that attribute (their ``speaker`` text stays).
        """
        ann = self._need_annotator()
        st = self.state()
        span = self._span(span_id)
        links = [lk for lk in st.links.values() if span_id in (lk.a, lk.b)]
        stances = [s for s in st.stances.values() if s.claim == span_id]
        spoken = [s for s in st.spans.values() if s.id != span_id and s.attrs.get("speaker_span") == span_id]

        def do() -> None:
            cur = self.state()
            for c in spoken:
                now = cur.spans.get(c.id)
                if now is not None and now.attrs.get("speaker_span") == span_id:
                    attrs = {k: v for k, v in now.attrs.items() if k != "speaker_span"}
                    self.project.update_span(c.id, annotator=ann, attrs=attrs)
            for lk in links:
                if lk.id in cur.links:
                    self.project.delete("link", lk.id, annotator=ann)
            for s in stances:
                if s.id in cur.stances:
                    self.project.delete("stance", s.id, annotator=ann)
            self.project.delete("span", span_id, annotator=ann)

        def undo() -> None:
            self.project.restore(span)
            records: list[Span | Stance | ClaimLink] = [*stances, *links, *spoken]
            for rec in records:
                self.project.restore(rec)

        do()
        self._push(f"delete {span.label}", undo=undo, redo=do, doc=span.doc)
        if self.tagger.selected == span_id:
            self.tagger.selected = ""
        self._sync(f"Deleted {span.label} “{_short(span.text)}”")

    def _span(self, span_id: str) -> Span:
        span = self.doc_state().spans.get(span_id) if self.doc_id is not None else None
        if span is None:  # not on the open document: look in every record of this annotator
            span = self.state().spans.get(span_id)
        if span is None:
            raise NotFoundError(f"annotator {self.annotator!r} has no span {span_id!r}")
        return span

    # ------------------------------------------------------------------ stances and links
    def set_stance(self, target: str, value: str, claim: str | None = None) -> Stance | None:
        """Set the stance of the open document (or of ``claim``) toward ``target``.

        Setting the value it already has clears it (the stance is deleted).
        """
        ann, doc_id = self._need_annotator(), self._need_doc()
        sid = Stance.make_id(doc_id, target, claim or None)
        old = self.doc_state(doc_id).stances.get(sid)
        new: Stance | None = None
        if old is not None and old.value == value:
            self.project.delete("stance", sid, annotator=ann)
            msg = f"Cleared stance toward {target}"
        else:
            new = self.project.set_stance(doc_id, target, value, annotator=ann, claim=claim or None)
            msg = f"Saved stance toward {target}: {value}"

        def undo() -> None:
            if old is not None:
                self.project.restore(old)
            else:
                self.project.delete("stance", sid, annotator=ann)

        def redo() -> None:
            if new is not None:
                self.project.restore(new)
            else:
                self.project.delete("stance", sid, annotator=ann)

        self._push(f"stance {target}", undo=undo, redo=redo)
        self._sync(msg)
        return new

    def link(self, claim_a: str, claim_b: str) -> ClaimLink:
        """Link two claims (span ids) that say the same thing."""
        ann = self._need_annotator()
        link = self.project.link_claims(claim_a, claim_b, annotator=ann)
        self._push("link claims", undo=lambda: self.project.delete("link", link.id, annotator=ann),
                   redo=lambda: self.project.restore(link))  # fmt: skip
        self._sync("Linked the claims")
        return link

    def unlink(self, claim_a: str, claim_b: str) -> None:
        """Remove the link between two claims."""
        ann = self._need_annotator()
        lid = ClaimLink.make_id(claim_a, claim_b)
        old = self.state().links.get(lid)
        if old is None:
            raise NotFoundError(f"no link between {claim_a} and {claim_b}")
        self.project.delete("link", lid, annotator=ann)
        self._push("unlink claims", undo=lambda: self.project.restore(old),
                   redo=lambda: self.project.delete("link", lid, annotator=ann))  # fmt: skip
        self._sync("Removed the link")

    def link_candidates(self, claim: str, limit: int = 25) -> list[dict[str, Any]]:
        """This annotator's claims in other sources' documents, most similar first."""
        st = self.state()
        span = st.spans[claim]
        docs = self.project.documents()
        source = docs[span.doc].source
        cands = [
            {"id": s.id, "doc": s.doc, "source": docs[s.doc].source, "title": docs[s.doc].title, "text": s.text}
            for s in sorted(st.spans.values(), key=lambda s: (s.doc, s.start))
            if s.doc in docs and docs[s.doc].source != source and self.project.schema.layer_of(s.label) == "claim"
        ]
        linked = [lk.b if lk.a == claim else lk.a for lk in st.links.values() if claim in (lk.a, lk.b)]
        return rank_claims(span.text, cands, limit=limit, linked=linked)

    # ------------------------------------------------------------------ stance targets
    def add_target(self, name: str) -> str:
        """Add a stance target to the project (see :mod:`toolkit.targets`)."""
        from ..targets import add_target

        name = add_target(self.project, name)
        self._send_schema()
        self._sync(f"Added stance target {name!r}")
        return name

    def rename_target(self, old: str, new: str) -> int:
        """Rename a stance target; every stance moves with it (returns how many)."""
        from ..targets import rename_target

        moved = rename_target(self.project, old, new)
        self._send_schema()
        self._sync(f"Renamed {old!r} to {new!r} ({moved} stance(s))")
        return moved

    def remove_target(self, name: str, drop_stances: bool = False) -> int:
        """Remove a stance target (refused while stances use it, unless ``drop_stances``)."""
        from ..targets import remove_target

        dropped = remove_target(self.project, name, drop_stances=drop_stances)
        self._send_schema()
        self._sync(f"Removed stance target {name!r}")
        return dropped

    # ------------------------------------------------------------------ suggestions
    def accept(self, suggestion_id: str) -> Span:
        """Copy a model suggestion into this annotator's layer."""
        return self._accept([self._suggestion(suggestion_id)])[0]

    def show_suggestions(self, group: str) -> None:
        """Draw the model suggestions of one label group (``"entity"`` or ``"claim"``), or none (``"off"``).

        Real news gives a suggestion under nearly every phrase; one group at a time keeps the
        text readable.  The choice is remembered in ``<project>/ui/settings.json``.
        """
        if group not in SUGGESTION_GROUPS:
            raise ValidationError(f"unknown suggestion group {group!r}; use one of: {', '.join(SUGGESTION_GROUPS)}")
        self.ui.set_setting("sugg_group", group)
        with self.tagger.hold_sync():  # the toggle and the spans it selects reach the browser together
            self.tagger.sugg_group = group
            self._sync({"off": "Suggestions hidden"}.get(group, f"Showing {group} suggestions"))

    def visible_suggestions(self, doc: str | None = None) -> list[Span]:
        """The open (or given) document's suggestions that are drawn: the group shown and the score filter.

        See :meth:`show_suggestions` and :attr:`min_score`.
        """
        group = self.tagger.sugg_group
        if group == "off":
            return []
        layer_of, threshold = self.project.schema.layer_of, self.min_score
        return [s for s in self.suggestions(doc) if layer_of(s.label) == group and passes(score_of(s), threshold)]

    # ------------------------------------------------------------------ confidence (issue 13)
    @property
    def min_score(self) -> float:
        """Lowest score of the suggestions drawn (``0`` to ``1``; default ``0``: all of them).

        A suggestion is shown when ``attrs["score"] >= min_score``.  **A suggestion without a
        score is shown only at** ``min_score == 0``: with a threshold set, only suggestions the
        recommender vouches for remain, so "accept all above a score" never takes unscored
        guesses.  Setting it redraws the view and is remembered in ``<project>/ui/settings.json``.
        """
        return float(self.tagger.min_score)

    @min_score.setter
    def min_score(self, value: float) -> None:
        self.set_min_score(value)

    def set_min_score(self, value: float) -> float:
        """Set :attr:`min_score` (a number from 0 to 1); returns it as stored (rounded to 4 decimals)."""
        score = check_score(value, "min score")
        self.ui.set_setting("min_score", score)
        with self.tagger.hold_sync():
            self.tagger.min_score = score
            self._sync(f"Showing suggestions with score ≥ {score:g}" if score > 0 else "Showing all suggestions")
        return score

    def count_above(self, score: float = 0.0, scope: str = "document", group: str | None = None) -> int:
        """How many suggestions :meth:`accept_above` would accept now (nothing is written).

        The suggestions counted are the ones shown by the filters: in ``group`` (default: the group
        shown; ``"off"`` shows none), with a score ``>= max(score, min_score)`` (unscored ones only
        when that is 0), not rejected by this annotator and not already in their layer; several
        model layers suggesting the same (document, offsets, label) count once.  ``scope`` is
        ``"document"`` (the open one) or ``"all"`` (every document in the list, after the source
        filter).  Array operations on the per-document indexes: no document is replayed.
        """
        return len(self._plan(score, scope, group))

    def accept_above(
        self, score: float = 0.0, scope: str = "document", group: str | None = None, *, expect: int | None = None
    ) -> list[Span]:
        """Accept exactly the suggestions :meth:`count_above` counts, with one write and as ONE undo step.

        Undo deletes all of them (across documents, one write); redo puts them back.  ``expect``
        (what the confirmation showed): refuse, writing nothing, when the count is different now.
        Reads only the accepted suggestions' own log lines.
        """
        plan = self._plan(score, scope, group)
        if expect is not None and int(expect) != len(plan):
            raise ValidationError(
                f"{len(plan)} suggestion(s) match now, not the {expect} confirmed (something changed); ask again"
            )
        if not len(plan):
            self._sync(f"No {plan.group} suggestions with score ≥ {plan.threshold:g} to accept")
            return []
        sugg: list[Span] = []
        for i, index in enumerate(plan.layers):
            sugg.extend(index.read_spans(plan.row[plan.layer == i]))
        sugg.sort(key=lambda s: (s.doc, s.start, -s.end, s.label))
        where = "in this document" if plan.scope == "document" else f"in {plan.n_docs} document(s)"
        return self._accept(sugg, name=f"accept {len(sugg)} ≥ {plan.threshold:g}", where=where)

    def ask_accept_above(self, score: float | None = None, scope: str = "document") -> int:
        """What the browser's "Accept all ≥ score" does first: count, then show an inline confirmation.

        Sets the tagger's ``bulk`` trait (``{score, scope, group, count, docs}``) that the view turns
        into "Accept N …? [Accept N] [Cancel]"; its confirm sends ``accept_above`` with ``expect=N``.
        Returns the count (0: nothing to confirm, the status line says so).
        """
        if self.tagger.sugg_group == "off":
            raise ValidationError("suggestions are hidden: show entities or claims first (key g)")
        plan = self._plan(self.min_score if score is None else score, scope, None)
        if not len(plan):
            self._sync(f"No {plan.group} suggestions with score ≥ {plan.threshold:g} "
                       f"{'in this document' if scope == 'document' else 'in any document'}")  # fmt: skip
            return 0
        with self.tagger.hold_sync():
            self._sync(f"Confirm: accept {len(plan)} suggestion(s)?")
            self.tagger.bulk = {"score": plan.threshold, "scope": plan.scope, "group": plan.group,
                                "count": len(plan), "docs": plan.n_docs}  # fmt: skip
        return len(plan)

    def cancel_bulk(self) -> None:
        """Close the "accept all ≥ score" confirmation without writing anything."""
        self._sync("Cancelled")

    def uncertain_docs(self) -> list[str]:
        """Documents with open suggestions, most uncertain first: the order of "next most uncertain".

        Counted are the suggestions the filters show in every document of the list (group shown,
        or both groups when suggestions are hidden; :attr:`min_score`; not rejected, not yet
        accepted).  The order is :func:`toolkit.nlp.recommend.most_uncertain`'s: expected wrong
        suggestions (sum of ``1 - score``; no score counts as 1) descending, then the lowest score,
        then the document id.  Documents whose suggestions are all dealt with drop out.
        """
        plan = self._plan(self.min_score, "all", None if self.tagger.sugg_group != "off" else "any")
        if not len(plan):
            return []
        score = np.where(np.isnan(plan.score), 1.0, plan.score)
        n = len(plan.ids)
        wrong = np.round(np.bincount(plan.doc, weights=1.0 - score, minlength=n), 4)
        lowest = np.full(n, np.inf)
        np.minimum.at(lowest, plan.doc, score)
        docs = np.unique(plan.doc)
        order = docs[np.lexsort((docs, lowest[docs], -wrong[docs]))]  # ids are sorted: code order = id order
        return [plan.ids[i] for i in order.tolist()]

    def next_uncertain(self) -> str | None:
        """Open the most uncertain document other than the open one (see :meth:`uncertain_docs`); None if none."""
        for d in self.uncertain_docs():
            if d != self.doc_id:
                self.goto(d)
                self.tagger.status = f"Most uncertain open document: {d}  ·  {time.strftime('%H:%M:%S')}"
                return d
        self._sync("No other document has open suggestions at this score")
        return None

    def _group(self, group: str | None) -> str:
        group = self.tagger.sugg_group if group is None else group
        if group not in (*SUGGESTION_GROUPS, "any"):
            raise ValidationError(f"unknown suggestion group {group!r}; use one of: {', '.join(SUGGESTION_GROUPS)}")
        return group

    def _plan(self, score: float, scope: str, group: str | None) -> _Plan:
        """The open suggestions that pass the filters in ``scope`` (see :meth:`count_above`), as index rows.

        Linear in the current spans of the logs (array operations; ``np.unique`` for exact key matches).
        """
        self._need_annotator()
        if scope not in SCOPES:
            raise ValidationError(f"unknown scope {scope!r}; use one of: {', '.join(SCOPES)}")
        group = self._group(group)
        threshold = max(check_score(score), self.min_score)
        ids = [self._need_doc()] if scope == "document" else self.doc_ids()
        plan = _Plan(threshold, scope, group, ids)
        schema = self.project.schema
        names = [lab.name for lab in [*schema.claim_labels, *schema.entity_labels]]
        glab = {n: i for i, n in enumerate(names) if group == "any" or schema.layer_of(n) == group}
        if group == "off" or not ids or not glab:
            return plan
        gid = {d: i for i, d in enumerate(ids)}

        def codes(rows_docs: list[str], mapping: dict[str, int], values: np.ndarray) -> np.ndarray:
            table = np.array([mapping.get(x, -1) for x in rows_docs] + [-1], np.int64)
            return table[np.where(values >= 0, values, len(rows_docs))]

        # what this annotator already has, and what they rejected, as (doc, start, end, label) keys
        assert self._mine is not None
        mine = self._mine.spans()
        blocked = [np.stack([codes(mine.docs, gid, mine.doc), mine.start, mine.end,
                             codes(mine.labels, glab, mine.label)], axis=1).astype(np.int64)]  # fmt: skip
        rk = [(gid[d], s, e, glab[lab]) for d, s, e, lab in self._rejected_keys if d in gid and lab in glab]
        if rk:
            blocked.append(np.array(rk, np.int64))
        keys_blocked = np.concatenate(blocked)
        keys_blocked = keys_blocked[(keys_blocked[:, 0] >= 0) & (keys_blocked[:, 3] >= 0)]
        no_ids = np.array(sorted({id_hash(i) for i in self._rejected} | set(mine.src[mine.src != 0].tolist())),
                          np.int64)  # fmt: skip
        parts = []
        for li, index in enumerate(self._model_indexes()):
            r = index.spans()
            doc, lab = codes(r.docs, gid, r.doc), codes(r.labels, glab, r.label)
            ok = np.flatnonzero((doc >= 0) & (lab >= 0) & _passes_array(r.score, threshold) & ~np.isin(r.idh, no_ids))
            keys = np.stack([doc[ok], r.start[ok], r.end[ok], lab[ok]], axis=1).astype(np.int64)
            free = ~_rows_in(keys, keys_blocked)
            plan.layers.append(index)
            parts.append((np.full(int(free.sum()), li), r.row[ok][free], keys[free], r.score[ok][free]))
        if not parts:
            return plan
        layer = np.concatenate([p[0] for p in parts]).astype(np.int64)
        row = np.concatenate([p[1] for p in parts]).astype(np.int64)
        keys = np.concatenate([p[2] for p in parts]) if parts else np.zeros((0, 4), np.int64)
        sc = np.concatenate([p[3] for p in parts])
        if len(row):
            # the same (doc, offsets, label) from several model layers: keep one, the highest score
            pre = np.argsort(-np.nan_to_num(sc, nan=-1.0), kind="stable")
            _, first = np.unique(keys[pre], axis=0, return_index=True)
            keep = pre[np.sort(first)]
            plan.layer, plan.row, plan.doc, plan.score = layer[keep], row[keep], keys[keep, 0], sc[keep]
        return plan

    def accept_all(self, label: str) -> list[Span]:
        """Accept every shown suggestion with ``label`` on the open document (this article only; one write)."""
        return self._accept([s for s in self.visible_suggestions() if s.label == label])

    def _accept(self, sugg: list[Span], name: str | None = None, where: str = "") -> list[Span]:
        """Copy suggestions into this annotator's layer: one write, one undo step (one write to undo, one to redo).

        Several suggestions with the same (document, offsets, label) give one span.
        """
        ann = self._need_annotator()
        seen: set[tuple[str, int, int, str]] = set()
        unique = []
        for s in sugg:
            if (s.doc, s.start, s.end, s.label) not in seen:
                seen.add((s.doc, s.start, s.end, s.label))
                unique.append(s)
        if not unique:
            self._sync("No suggestions to accept")
            return []
        items = [
            {"doc": s.doc, "start": s.start, "end": s.end, "label": s.label, "attrs": dict(s.attrs),
             "meta": {"accepted_from": s.id, "model": s.annotator}}
            for s in unique
        ]  # fmt: skip
        spans = self.project.add_spans(items, annotator=ann)
        ids = [s.id for s in spans]

        def undo() -> None:
            self.project.delete_many("span", ids, annotator=ann)
            self._refresh_annotated()

        def redo() -> None:
            again = [self.project.make_span(s.doc, s.start, s.end, s.label, ann, s.attrs, id=s.id, meta=s.meta)
                     for s in spans]  # fmt: skip
            self.project.put(again)
            self._refresh_annotated()

        self._push(name or f"accept {len(spans)}", undo=undo, redo=redo)
        self._refresh_annotated()
        self._sync(f"Accepted {len(spans)} suggestion(s){' ' + where if where else ''}")
        return spans

    def _refresh_annotated(self) -> None:
        """The annotated set again from the index (after an action that may touch other documents)."""
        if self._mine is not None:
            self._annotated = self._mine.annotated()

    def reject(self, suggestion_id: str) -> None:
        """Hide a model suggestion for this annotator for good (stored in ``<project>/ui/``).

        It stays hidden in every later session, and so does any suggestion with the same
        document, offsets and label (a re-run, another model layer).  Undo brings it back.
        """
        self._reject([self._suggestion(suggestion_id)])

    def reject_all(self, label: str) -> None:
        """Reject every shown suggestion with ``label`` on the open document (this article only)."""
        self._reject([s for s in self.visible_suggestions() if s.label == label])

    def _reject(self, sugg: list[Span]) -> None:
        ann = self._need_annotator()
        new = {s.id for s in sugg} - self._rejected
        new_keys = {(s.doc, s.start, s.end, s.label) for s in sugg} - self._rejected_keys

        def apply(add: bool) -> None:
            if add:
                self._rejected, self._rejected_keys = self._rejected | new, self._rejected_keys | new_keys
            else:
                self._rejected, self._rejected_keys = self._rejected - new, self._rejected_keys - new_keys
            self.ui.set_rejected(ann, self._rejected, self._rejected_keys)

        apply(True)
        self._push(f"reject {len(new)}", undo=lambda: apply(False), redo=lambda: apply(True))
        if self.tagger.selected in new:
            self.tagger.selected = ""
        self._sync(f"Rejected {len(new)} suggestion(s)")

    def _suggestion(self, span_id: str) -> Span:
        for s in self.suggestions():
            if s.id == span_id:
                return s
        raise NotFoundError(f"no open suggestion {span_id!r} on document {self.doc_id!r}")

    # ------------------------------------------------------------------ undo / redo
    def _push(self, name: str, undo: Callable[[], Any], redo: Callable[[], Any], doc: str | None = None) -> None:
        self._undo.append(_Action(name, doc or self.doc_id or "", undo, redo))
        self._redo.clear()

    def undo(self) -> str | None:
        """Undo the last action (appends inverse events); returns its name or None."""
        return self._replay(self._undo, self._redo, "undo", "Undid")

    def redo(self) -> str | None:
        """Redo the last undone action; returns its name or None."""
        return self._replay(self._redo, self._undo, "redo", "Redid")

    def _replay(self, src: list[_Action], dst: list[_Action], which: str, verb: str) -> str | None:
        if not src:
            self._sync(f"Nothing to {which}")
            return None
        action = src.pop()
        try:
            getattr(action, which)()
        except ToolkitError:
            src.append(action)
            raise
        dst.append(action)
        if action.doc and action.doc != self.doc_id and action.doc in set(self.catalog.ids()):
            self.doc_id = action.doc
        self._sync(f"{verb}: {action.name}")
        return action.name

    # ------------------------------------------------------------------ front end
    def _handle(self, view: _View, msg: dict[str, Any]) -> None:
        """Run one action sent by a browser view; errors are shown in the status line (see ``run_action``)."""
        action = msg.get("action")
        handlers: dict[str, Callable[[], Any]] = {
            "add": lambda: self.tag(str(msg["label"]), int(msg["start"]), int(msg["end"])),
            "relabel": lambda: self.relabel(str(msg["id"]), str(msg["label"])),
            "attrs": lambda: self.set_attrs(str(msg["id"]), kind=msg.get("kind"), speaker=msg.get("speaker")),
            "delete": lambda: self.delete_span(str(msg["id"])),
            "speaker": lambda: self.link_speaker(str(msg["id"]), str(msg["entity"])),
            "unspeaker": lambda: self.unlink_speaker(str(msg["id"])),
            "stance": lambda: self.set_stance(str(msg["target"]), str(msg["value"]), claim=msg.get("claim") or None),
            "link": lambda: self.link(str(msg["a"]), str(msg["b"])),
            "unlink": lambda: self.unlink(str(msg["a"]), str(msg["b"])),
            "accept": lambda: self.accept(str(msg["id"])),
            "reject": lambda: self.reject(str(msg["id"])),
            "accept_all": lambda: self.accept_all(str(msg["label"])),
            "reject_all": lambda: self.reject_all(str(msg["label"])),
            "sugg_group": lambda: self.show_suggestions(str(msg["group"])),
            "min_score": lambda: self.set_min_score(msg["value"]),
            "count_above": lambda: self.ask_accept_above(msg.get("score"), str(msg.get("scope", "document"))),
            "accept_above": lambda: self.accept_above(
                msg["score"], str(msg["scope"]), msg.get("group") or None, expect=int(msg["expect"])
            ),
            "cancel_bulk": self.cancel_bulk,
            "next_uncertain": self.next_uncertain,
            "add_target": lambda: self.add_target(str(msg["name"])),
            "rename_target": lambda: self.rename_target(str(msg["old"]), str(msg["new"])),
            "remove_target": lambda: self.remove_target(str(msg["name"])),
            "undo": self.undo,
            "redo": self.redo,
            "next": self.next,
            "prev": self.prev,
            "next_unannotated": self.next_unannotated,
            "source": lambda: self.set_source(msg.get("source")),
            "set_annotator": lambda: self.set_annotator(str(msg.get("name", ""))),
        }
        fn = handlers.get(str(action))
        if fn is None:
            self._error(view, f"unknown action {action!r}")
            return
        run_action(lambda reason: self._error(view, reason), action, fn, msg)

    def _error(self, view: _View, message: str) -> None:
        target = self.nav if view is self.nav or not self.annotator else self.tagger
        target.status = f"Error: {message}"

    def _on_selection(self, change: dict[str, Any]) -> None:
        sel = list(change["new"] or [])
        if len(sel) != 2 or self.doc_id is None:
            if sel:
                self.tagger.selection = []
            return
        snapped = snap_selection(self.catalog.document(self.doc_id).text, sel[0], sel[1])
        new = list(snapped) if snapped else []
        if new != sel:
            self.tagger.selection = new
        if new:
            self.tagger.selected = ""

    def _on_selected(self, _change: dict[str, Any]) -> None:
        self._sync_side()

    # ------------------------------------------------------------------ sync traits
    def _sync(self, status: str | None = None) -> None:
        """Push the store's current state for the open document to every view."""
        ids = self.doc_ids()
        doc = self._open_document()
        spans: list[dict[str, Any]] = []
        counts: dict[str, int] = {}  # layer -> open suggestions on this document
        hidden = 0  # suggestions of the group shown that the score filter hides
        if doc is not None:
            schema = self.project.schema
            state = self.doc_state(doc.id) if self.annotator else AnnotatorState(self.annotator)
            mine = list(state.spans.values())
            if state.spans or state.stances:  # the annotated set follows every action on the open document
                self._annotated.add(doc.id)
            else:
                self._annotated.discard(doc.id)
            every = self.suggestions(doc.id) if self.annotator else []
            group, threshold = self.tagger.sugg_group, self.min_score
            in_group = [s for s in every if group != "off" and schema.layer_of(s.label) == group]
            sugg = [s for s in in_group if passes(score_of(s), threshold)]
            hidden = len(in_group) - len(sugg)
            for s in every:
                counts[schema.layer_of(s.label)] = counts.get(schema.layer_of(s.label), 0) + 1
            for s in [*mine, *sugg]:
                spans.append(
                    {
                        "id": s.id, "start": s.start, "end": s.end, "label": s.label,
                        "layer": schema.layer_of(s.label), "text": s.text, "annotator": s.annotator,
                        "suggestion": is_model_annotator(s.annotator), "score": score_of(s),
                        "kind": s.attrs.get("kind") or "", "speaker": s.attrs.get("speaker") or "",
                        "speaker_span": s.attrs.get("speaker_span") or "",
                    }
                )  # fmt: skip
            spans.sort(key=lambda d: (d["start"], -d["end"]))
        with self.tagger.hold_sync():
            self.tagger.annotator = self.annotator
            if doc is None:
                self.tagger.doc, self.tagger.text = {}, ""
            else:
                self.tagger.doc = {"id": doc.id, "source": doc.source, "title": doc.title,
                                   "published": doc.published, "url": doc.url}  # fmt: skip
                self.tagger.text = doc.text
            self.tagger.spans = spans
            self.tagger.sugg_counts = counts
            self.tagger.sugg_hidden = hidden
            self.tagger.has_models = bool(self.annotator) and bool(self._model_indexes())
            self.tagger.bulk = {}  # a confirmation is for the state it was asked in
            if self.tagger.selected and not any(s["id"] == self.tagger.selected for s in spans):
                self.tagger.selected = ""
            self.tagger.can_undo = bool(self._undo)
            self.tagger.can_redo = bool(self._redo)
            if status is not None:
                self.tagger.status = f"{status}  ·  {time.strftime('%H:%M:%S')}"
        done = self.annotated_docs()
        with self.nav.hold_sync():
            self.nav.annotator = self.annotator
            self.nav.sources = self._source_names()
            self.nav.source = self.source or ""
            self.nav.count = len(ids)
            self.nav.position = ids.index(self.doc_id) + 1 if self.doc_id in ids else 0
            self.nav.total = len(ids)
            self.nav.done = len(done) if self.source is None else sum(1 for d in ids if d in done)
            if self.annotator:
                self.nav.status = ""
        self._sync_side()

    def _open_document(self) -> Document | None:
        """The open document, or None (none open, or its file is gone)."""
        if self.doc_id is None:
            return None
        try:
            return self.catalog.document(self.doc_id)
        except NotFoundError:
            return None

    def _source_names(self) -> list[str]:
        """Every source in the project (for the filter); computed once per change of the documents folder."""
        ids = self.catalog.ids()
        if getattr(self, "_sources_for", None) is not ids:
            self._sources_for = ids
            self._sources = sorted(set(self.catalog.sources().values()))
        return self._sources

    def _sync_side(self) -> None:
        """Stance panel and link picker for the open document / selected claim."""
        if not self.annotator or self.doc_id is None:
            with self.stances.hold_sync():
                self.stances.doc_values, self.stances.claim, self.stances.claim_values = {}, "", {}
            self.links.claim, self.links.candidates = "", []
            return
        st = self.doc_state()
        doc_values = {s.target: s.value for s in st.stances.values() if s.claim is None}
        sel = st.spans.get(self.tagger.selected)
        claim = sel if sel is not None and self.project.schema.layer_of(sel.label) == "claim" else None
        with self.stances.hold_sync():
            self.stances.doc_values = doc_values
            self.stances.claim = claim.id if claim else ""
            self.stances.claim_text = _short(claim.text, 80) if claim else ""
            self.stances.claim_values = (
                {s.target: s.value for s in st.stances.values() if claim and s.claim == claim.id} if claim else {}
            )
        with self.links.hold_sync():
            self.links.claim = claim.id if claim else ""
            self.links.claim_text = _short(claim.text, 80) if claim else ""
            self.links.candidates = self.link_candidates(claim.id) if claim else []


def _short(text: str, n: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
