"""The annotation app: composes the views and talks to the project store.

Flow of every action (the widget never "confirms" anything it has not stored)::

    browser view --message/trait--> Annotator method --> Project API (fsync)
                 <--trait update---  Annotator._sync*()  <-- Project.current()

Undo/redo never edit the log: they append the inverse events (a ``delete``
for an added span, a ``put`` of the old version for a changed or deleted one).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as ipw

from ..errors import NotFoundError, ToolkitError, ValidationError
from ..model import ClaimLink, Document, Span, Stance, check_annotator, is_model_annotator
from ..store import AnnotatorState, Project
from .docindex import DocCatalog, LogIndex
from .text import rank_claims, snap_selection
from .uistate import UIState
from .views import LinkPicker, NavBar, SpanTagger, StancePanel, _View, run_action

__all__ = ["Annotator", "open_project", "LABEL_KEYS"]

#: Keys assigned to labels in order (claim labels first, then entity labels).
LABEL_KEYS = "1234567890qwertyuiop"

#: Suggestion groups the widget shows one at a time (label layers), or none.
SUGGESTION_GROUPS = ("entity", "claim", "off")


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
        # per-document indexes (issue 11): nothing below reads every document or every record on an action
        self.catalog = DocCatalog(self.project)
        self._mine: LogIndex | None = None
        self._models: dict[str, LogIndex] = {}
        self._annotated: set[str] = set()
        group = self.ui.setting("sugg_group", "entity")
        handler = self._handle
        self.nav = NavBar(handler=handler)
        self.tagger = SpanTagger(handler=handler, sugg_group=group if group in SUGGESTION_GROUPS else "entity")
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
        """Model spans on ``doc`` not yet accepted (same offsets and label) nor rejected by this annotator."""
        doc = doc or self._need_doc()
        mine = self.doc_state(doc).spans.values() if self.annotator else []
        taken = {(s.start, s.end, s.label) for s in mine}
        accepted = {(s.meta or {}).get("accepted_from") for s in mine}  # a copy lies on its suggestion's document
        out = []
        for index in self._model_indexes():
            for s in index.state(doc).spans.values():
                if s.id in self._rejected or s.id in accepted or (s.start, s.end, s.label) in taken:
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
            for rec in [*stances, *links, *spoken]:
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
        """The open (or given) document's suggestions in the group shown (see :meth:`show_suggestions`)."""
        group = self.tagger.sugg_group
        if group == "off":
            return []
        layer_of = self.project.schema.layer_of
        return [s for s in self.suggestions(doc) if layer_of(s.label) == group]

    def accept_all(self, label: str) -> list[Span]:
        """Accept every shown suggestion with ``label`` on the open document (this article only; one write)."""
        return self._accept([s for s in self.visible_suggestions() if s.label == label])

    def _accept(self, sugg: list[Span]) -> list[Span]:
        ann = self._need_annotator()
        if not sugg:
            self._sync("No suggestions to accept")
            return []
        items = [
            {"doc": s.doc, "start": s.start, "end": s.end, "label": s.label, "attrs": dict(s.attrs),
             "meta": {"accepted_from": s.id, "model": s.annotator}}
            for s in sugg
        ]  # fmt: skip
        spans = self.project.add_spans(items, annotator=ann)

        def undo() -> None:
            for s in spans:
                self.project.delete("span", s.id, annotator=ann)

        def redo() -> None:
            for s in spans:
                self.project.restore(s)

        self._push(f"accept {len(spans)}", undo=undo, redo=redo)
        self._sync(f"Accepted {len(spans)} suggestion(s)")
        return spans

    def reject(self, suggestion_id: str) -> None:
        """Hide a model suggestion for this annotator (stored in ``<project>/ui/``)."""
        self._reject([self._suggestion(suggestion_id).id])

    def reject_all(self, label: str) -> None:
        """Reject every shown suggestion with ``label`` on the open document (this article only)."""
        self._reject([s.id for s in self.visible_suggestions() if s.label == label])

    def _reject(self, ids: list[str]) -> None:
        ann = self._need_annotator()
        new = set(ids) - self._rejected

        def apply(add: bool) -> None:
            self._rejected = (self._rejected | new) if add else (self._rejected - new)
            self.ui.set_rejected(ann, self._rejected)

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
        if doc is not None:
            schema = self.project.schema
            state = self.doc_state(doc.id) if self.annotator else AnnotatorState(self.annotator)
            mine = list(state.spans.values())
            if state.spans or state.stances:  # the annotated set follows every action on the open document
                self._annotated.add(doc.id)
            else:
                self._annotated.discard(doc.id)
            every = self.suggestions(doc.id) if self.annotator else []
            group = self.tagger.sugg_group
            sugg = [s for s in every if group != "off" and schema.layer_of(s.label) == group]
            for s in every:
                counts[schema.layer_of(s.label)] = counts.get(schema.layer_of(s.label), 0) + 1
            for s in [*mine, *sugg]:
                spans.append(
                    {
                        "id": s.id, "start": s.start, "end": s.end, "label": s.label,
                        "layer": schema.layer_of(s.label), "text": s.text, "annotator": s.annotator,
                        "suggestion": is_model_annotator(s.annotator),
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
