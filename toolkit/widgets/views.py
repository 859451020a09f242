"""The anywidget views: thin synced-trait containers, no store logic.

Every widget of the toolkit (these views, :mod:`toolkit.widgets.review`) shares one ES
module and one stylesheet (``static/widget.css``); the ``view`` trait tells the module
what to draw.  The module's source is split over several files in ``static/`` (see
:data:`ESM_FILES`); anywidget loads ``_esm`` as a single module without resolving
relative imports, so :func:`build_esm` concatenates them once at import time.
Views hold UI state only.  User actions arrive as custom messages
``{"action": ..., ...}`` and are passed to a handler (normally an
:class:`~toolkit.widgets.annotator.Annotator`), which writes to the project
through the core API and then updates the traits; the browser redraws from
the traits, so nothing appears as saved before it is on disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from ..errors import ToolkitError

__all__ = [
    "ESM", "ESM_FILES", "Handler", "LinkPicker", "NavBar", "SideBySideView", "SpanTagger", "StancePanel",
    "build_esm", "run_action",
]  # fmt: skip

STATIC = Path(__file__).parent / "static"

#: The front end's source files, dependencies first; ``widget.js`` (the entry point) last.
ESM_FILES = ("helpers.js", "textview.js", "tagger.js", "panels.js", "review.js", "widget.js")

_IMPORT = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"\./[\w.-]+\.js";[ \t]*\n', re.MULTILINE)
_EXPORT = re.compile(r"^export (?=(?:async )?function |const |let |class )", re.MULTILINE)

Handler = Callable[["_View", dict[str, Any]], None]


def build_esm(folder: Path = STATIC, files: tuple[str, ...] = ESM_FILES) -> str:
    """One ES module from the front end's source files.

    Each file is an ES module of its own (``node --test`` imports ``helpers.js`` directly);
    here their relative ``import {...} from "./x.js"`` lines and the ``export`` keywords of
    named exports are dropped and the files are joined in order, so every name is defined
    once at the top level of one module.  Only the last file keeps its ``export default``.
    """
    parts = []
    for i, name in enumerate(files):
        src = (folder / name).read_text(encoding="utf-8")
        src = _EXPORT.sub("", _IMPORT.sub("", src))
        last = i == len(files) - 1
        left = [ln for ln in src.splitlines() if re.match(r"\s*(import|export)\b", ln)]
        if left and not (last and left == ["export default { render };"]):
            raise RuntimeError(f"{folder / name}: import/export the loader cannot join: {left[0]!r}")
        parts.append(f"// ---- {name}\n{src}")
    return "\n".join(parts)


#: The module every widget loads (built once, when this module is imported).
ESM = build_esm()
CSS = STATIC / "widget.css"


def run_action(show: Callable[[str], None], action: object, fn: Callable[[], Any], msg: object = None) -> Any:
    """Run one browser action under the widgets' single error policy.

    ``show(reason)`` puts the reason on the widget's status line (each widget adds its
    ``Error: ...`` prefix).  A :class:`~toolkit.errors.ToolkitError` (the user asked for
    something impossible) and a malformed message (KeyError/TypeError/ValueError) are shown
    and swallowed: nothing was written.  Any other exception is shown the same way and then
    re-raised, so ipywidgets logs the traceback (a bug must not pass silently).  The browser
    side does the same with ``guard`` in ``static/helpers.js``.
    """
    try:
        return fn()
    except ToolkitError as exc:
        show(str(exc))
    except (KeyError, TypeError, ValueError) as exc:
        show(f"bad message {msg!r}: {exc!r}")
    except Exception as exc:
        show(f"internal error in {action!r}: {exc!r}")
        raise
    return None


class _View(anywidget.AnyWidget):
    """Base class: shared ESM/CSS, a ``view`` name, a status line and message dispatch."""

    _esm = ESM
    _css = CSS

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
    # [{id, start, end, label, layer, text, suggestion, score (None: no score), annotator, kind, speaker, speaker_span}]
    spans: t.List[Any] = t.List().tag(sync=True)
    labels: t.List[Any] = t.List().tag(sync=True)  # [{name, color, layer, key, description}]
    claim_kinds: t.List[Any] = t.List().tag(sync=True)
    selection = t.List(t.Int()).tag(sync=True)  # [] or [start, end] (snapped by Python)
    selected = t.Unicode("").tag(sync=True)  # id of the selected span
    can_undo = t.Bool(False).tag(sync=True)
    can_redo = t.Bool(False).tag(sync=True)
    annotator = t.Unicode("").tag(sync=True)
    # which model suggestions are drawn: one label group at a time ("entity" / "claim") or "off"
    sugg_group = t.Unicode("entity").tag(sync=True)
    sugg_counts = t.Dict().tag(sync=True)  # layer -> number of open suggestions on this document
    # the score filter: suggestions with attrs.score >= min_score are drawn (unscored ones only at 0)
    min_score = t.Float(0.0).tag(sync=True)
    sugg_hidden = t.Int(0).tag(sync=True)  # suggestions of the group shown that the score filter hides here
    has_models = t.Bool(False).tag(sync=True)  # the project has model layers (the suggestions bar is drawn)
    # a pending "accept all >= score": {score, scope, group, count, docs}, or {} (set by Python, confirmed in the view)
    bulk = t.Dict().tag(sync=True)

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
    sources: t.List[Any] = t.List().tag(sync=True)
    source = t.Unicode("").tag(sync=True)

    def __repr__(self) -> str:
        return f"<NavBar {self.annotator!r} doc {self.position} of {self.count}, {self.done} of {self.total} done>"


class StancePanel(_View):
    """Stance buttons for the document and for the selected claim."""

    view = t.Unicode("stances").tag(sync=True)
    targets: t.List[Any] = t.List().tag(sync=True)
    values: t.List[Any] = t.List().tag(sync=True)
    doc_values = t.Dict().tag(sync=True)  # target -> value (document level)
    claim = t.Unicode("").tag(sync=True)
    claim_text = t.Unicode("").tag(sync=True)
    claim_values = t.Dict().tag(sync=True)


class LinkPicker(_View):
    """Claims of other sources ranked by similarity to the selected claim."""

    view = t.Unicode("links").tag(sync=True)
    claim = t.Unicode("").tag(sync=True)
    claim_text = t.Unicode("").tag(sync=True)
    candidates: t.List[Any] = t.List().tag(sync=True)  # [{id, doc, source, title, text, score, linked}]


class SideBySideView(_View):
    """Two documents next to each other (read only)."""

    view = t.Unicode("side").tag(sync=True)
    left = t.Dict().tag(sync=True)  # {id, source, title, text, spans}
    right = t.Dict().tag(sync=True)
    labels: t.List[Any] = t.List().tag(sync=True)
    clusters = t.Dict().tag(sync=True)  # span id -> cluster number (linked claims)
    shared: t.List[Any] = t.List().tag(sync=True)  # entity span ids whose text occurs as an entity in both documents
    options: t.List[Any] = t.List().tag(sync=True)  # [{id, label}] documents to pick from
