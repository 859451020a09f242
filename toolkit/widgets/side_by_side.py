"""Two sources' articles next to each other, linked claims and shared entities marked."""

from __future__ import annotations

import os
from typing import Any

from ..model import Span, connected_components, is_model_annotator
from ..store import Project
from .annotator import open_project
from .uistate import UIState
from .views import SideBySideView, _View

__all__ = ["SideBySide", "claim_clusters"]


def claim_clusters(links: list[tuple[str, str]]) -> dict[str, int]:
    """Connected components of undirected links: span id -> cluster number (0, 1, ... in first-seen order)."""
    root = connected_components(links)
    numbers: dict[str, int] = {}
    out: dict[str, int] = {}
    for a, b in links:
        for x in (a, b):
            out[x] = numbers.setdefault(root[x], len(numbers))
    return out


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


class SideBySide(SideBySideView):
    """Read-only view of two documents from one annotator's layer.

    Claims linked to each other get the same colour in both columns (click one
    to jump to its partner); entities whose text is tagged in both documents
    are outlined.

    Parameters
    ----------
    project: a :class:`toolkit.Project` or its folder.
    left, right: document ids (default: the first document and a document of another source,
        preferring one linked to it).
    annotator: whose layer to show (default: the name remembered by the annotator widget, else ``gold``;
        looked up again on every refresh).
    """

    def __init__(
        self,
        project: Project | str | os.PathLike[str] | None = None,
        left: str | None = None,
        right: str | None = None,
        annotator: str | None = None,
    ) -> None:
        super().__init__(handler=self._on_action)
        self.project = open_project(project)
        self._annotator = annotator
        docs = self.project.documents()
        ids = sorted(docs)
        self.options = [{"id": d, "label": f"{docs[d].source} — {docs[d].title or d}"} for d in ids]
        self.labels = [
            {"name": lab.name, "color": lab.color, "layer": self.project.schema.layer_of(lab.name)}
            for lab in self.project.schema.labels
        ]
        left = left or (ids[0] if ids else None)
        if right is None and left is not None:
            right = self._default_partner(left)
        self.show(left, right)

    @property
    def annotator(self) -> str:
        """The layer shown: the ``annotator`` argument, else the remembered name, else ``gold``
        (or the first human annotator when there is no gold layer)."""
        name = self._annotator or UIState(self.project.path).annotator()
        if name:
            return name
        humans = [a for a in self.project.annotators() if not is_model_annotator(a)]
        return "gold" if "gold" in humans or not humans else humans[0]

    def __repr__(self) -> str:
        return f"<SideBySide {self.left.get('id')!r} | {self.right.get('id')!r} ({self.annotator})>"

    def _default_partner(self, left: str) -> str | None:
        docs = self.project.documents()
        st = self.project.current(self.annotator)
        linked = [
            lk.doc_b if lk.doc_a == left else lk.doc_a for lk in st.links.values() if left in (lk.doc_a, lk.doc_b)
        ]
        for d in linked:
            if d != left:
                return d
        others = [d for d in sorted(docs) if docs[d].source != docs[left].source]
        return others[0] if others else next((d for d in sorted(docs) if d != left), None)

    def show(self, left: str | None, right: str | None) -> None:
        """Show documents ``left`` and ``right``."""
        st = self.project.current(self.annotator)
        schema = self.project.schema
        by_doc: dict[str, list[Span]] = {}
        for s in st.spans.values():
            by_doc.setdefault(s.doc, []).append(s)
        pair = {d for d in (left, right) if d}
        clusters = claim_clusters([(lk.a, lk.b) for lk in st.links.values()])
        # colour only clusters with members in both shown documents
        docs_of_cluster: dict[int, set[str]] = {}
        for sid, c in clusters.items():
            span = st.spans.get(sid)
            if span is not None and span.doc in pair:
                docs_of_cluster.setdefault(c, set()).add(span.doc)
        keep = {c for c, ds in docs_of_cluster.items() if len(ds) == 2 or len(pair) == 1}
        renumber = {c: i for i, c in enumerate(sorted(keep))}
        shown = {
            sid: renumber[c]
            for sid, c in clusters.items()
            if c in keep and st.spans.get(sid) and st.spans[sid].doc in pair
        }
        ents = {d: {_norm(s.text) for s in by_doc.get(d, []) if schema.layer_of(s.label) == "entity"} for d in pair}
        shared: list[str] = []
        if left and right and left != right:
            both = ents[left] & ents[right]
            shared = [s.id for d in (left, right) for s in by_doc.get(d, [])
                      if schema.layer_of(s.label) == "entity" and _norm(s.text) in both]  # fmt: skip
        with self.hold_sync():
            self.left = self._payload(left, by_doc)
            self.right = self._payload(right, by_doc)
            self.clusters = shown
            self.shared = shared

    def _payload(self, doc_id: str | None, by_doc: dict[str, list[Span]]) -> dict[str, Any]:
        if doc_id is None:
            return {}
        doc = self.project.document(doc_id)
        schema = self.project.schema
        spans = [
            {"id": s.id, "start": s.start, "end": s.end, "label": s.label, "layer": schema.layer_of(s.label),
             "suggestion": False}
            for s in sorted(by_doc.get(doc_id, []), key=lambda s: (s.start, -s.end))
        ]  # fmt: skip
        return {"id": doc.id, "source": doc.source, "title": doc.title, "text": doc.text, "spans": spans}

    def refresh(self) -> None:
        """Re-read the store (new spans and links) and redraw."""
        self.show(self.left.get("id"), self.right.get("id"))

    def _on_action(self, _view: _View, msg: dict[str, Any]) -> None:
        if msg.get("action") == "refresh":
            self.refresh()
        if msg.get("action") == "pick" and msg.get("side") in ("left", "right"):
            other = self.right if msg["side"] == "left" else self.left
            new = str(msg.get("doc"))
            if msg["side"] == "left":
                self.show(new, other.get("id"))
            else:
                self.show(other.get("id"), new)
