"""Annotation widgets for JupyterLab (anywidget; no JupyterLab extension to build).

>>> from toolkit.widgets import Annotator, SideBySide       # doctest: +SKIP
>>> Annotator("annotations")                                 # asks for your name once
>>> SideBySide("annotations")                                # two sources next to each other

See ``docs/widgets.md`` for keys and behaviour.
"""

from __future__ import annotations

from .annotator import LABEL_KEYS, Annotator, open_project
from .side_by_side import SideBySide, claim_clusters
from .text import rank_claims, similarity, snap_selection
from .uistate import UIState
from .views import LinkPicker, NavBar, SideBySideView, SpanTagger, StancePanel

__all__ = [
    "Annotator",
    "LABEL_KEYS",
    "LinkPicker",
    "NavBar",
    "SideBySide",
    "SideBySideView",
    "SpanTagger",
    "StancePanel",
    "UIState",
    "claim_clusters",
    "open_project",
    "rank_claims",
    "similarity",
    "snap_selection",
]
