"""The anywidget views: thin synced-trait containers, no store logic.

Every view shares one ES module (``static/widget.js``) and stylesheet
(``static/widget.css``); the ``view`` trait tells the module what to draw.
Views hold UI state only.  User actions arrive as custom messages
``{"action": ..., ...}`` and are passed to a handler (normally an
:class:`~toolkit.widgets.annotator.Annotator`), which writes to the project
through the core API and then updates the traits; the browser redraws from
the traits, so nothing appears as saved before it is on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

__all__ = ["SpanTagger", "NavBar", "StancePanel", "LinkPicker", "SideBySideView", "Handler"]

STATIC = Path(__file__).parent / "static"

Handler = Callable[["_View", dict[str, Any]], None]


class _View(anywidget.AnyWidget):
    """Base class: shared ESM/CSS, a ``view`` name, a status line and message dispatch."""

    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"

    view = t.Unicode("").tag(sync=True)
    status = t.Unicode("").tag(sync=True)

    def __init__(self, handler: Handler | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handler = handler
        self.on_msg(self._on_custom_msg)

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and isinstance(content.get("action"), str) and self._handler:
            self._handler(self, content)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} view={self.view!r} status={self.status!r}>"


class SpanTagger(_View):
    """The document text with its spans; mouse selection, label keys, suggestions.

    Offsets in ``spans`` and ``selection`` are code points (Python indices).
    """

    view = t.Unicode("tagger").tag(sync=True)
    doc = t.Dict().tag(sync=True)  # id, source, title, published, url
    text = t.Unicode("").tag(sync=True)
    # [{id, start, end, label, layer, text, suggestion, annotator, kind, speaker, speaker_span}]
    spans = t.List().tag(sync=True)
    labels = t.List().tag(sync=True)  # [{name, color, layer, key, description}]
    claim_kinds = t.List().tag(sync=True)
    selection = t.List(t.Int()).tag(sync=True)  # [] or [start, end] (snapped by Python)
    selected = t.Unicode("").tag(sync=True)  # id of the selected span
    can_undo = t.Bool(False).tag(sync=True)
    can_redo = t.Bool(False).tag(sync=True)
    annotator = t.Unicode("").tag(sync=True)
    # which model suggestions are drawn: one label group at a time ("entity" / "claim") or "off"
    sugg_group = t.Unicode("entity").tag(sync=True)
    sugg_counts = t.Dict().tag(sync=True)  # layer -> number of open suggestions on this document

    def __repr__(self) -> str:
        return f"<SpanTagger doc={self.doc.get('id')!r} spans={len(self.spans)} selected={self.selected!r}>"


class NavBar(_View):
    """Annotator name prompt, previous/next, source filter and progress."""

    view = t.Unicode("nav").tag(sync=True)
    annotator = t.Unicode("").tag(sync=True)
    position = t.Int(0).tag(sync=True)  # 1-based position of the current document in the filtered list
    count = t.Int(0).tag(sync=True)  # documents in the filtered list
    done = t.Int(0).tag(sync=True)  # documents (filtered) with at least one annotation of this annotator
    total = t.Int(0).tag(sync=True)
    sources = t.List().tag(sync=True)
    source = t.Unicode("").tag(sync=True)

    def __repr__(self) -> str:
        return f"<NavBar {self.annotator!r} doc {self.position} of {self.count}, {self.done} of {self.total} done>"


class StancePanel(_View):
    """Stance buttons for the document and for the selected claim."""

    view = t.Unicode("stances").tag(sync=True)
    targets = t.List().tag(sync=True)
    values = t.List().tag(sync=True)
    doc_values = t.Dict().tag(sync=True)  # target -> value (document level)
    claim = t.Unicode("").tag(sync=True)
    claim_text = t.Unicode("").tag(sync=True)
    claim_values = t.Dict().tag(sync=True)


class LinkPicker(_View):
    """Claims of other sources ranked by similarity to the selected claim."""

    view = t.Unicode("links").tag(sync=True)
    claim = t.Unicode("").tag(sync=True)
    claim_text = t.Unicode("").tag(sync=True)
    candidates = t.List().tag(sync=True)  # [{id, doc, source, title, text, score, linked}]


class SideBySideView(_View):
    """Two documents next to each other (read only)."""

    view = t.Unicode("side").tag(sync=True)
    left = t.Dict().tag(sync=True)  # {id, source, title, text, spans}
    right = t.Dict().tag(sync=True)
    labels = t.List().tag(sync=True)
    clusters = t.Dict().tag(sync=True)  # span id -> cluster number (linked claims)
    shared = t.List().tag(sync=True)  # entity span ids whose text occurs as an entity in both documents
    options = t.List().tag(sync=True)  # [{id, label}] documents to pick from
