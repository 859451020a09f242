"""newslens toolkit: annotate and compare how news sources cover the same event.

Quick start::

    import toolkit as tk
    proj = tk.Project.open("annotations")
    proj.add_span("meridian-001", 0, 12, "PERSON", annotator="alice")
    frames = proj.load()          # pandas DataFrames of the current state

The core (``toolkit.model``, ``toolkit.store``, ``toolkit.io``) imports no
Jupyter, network or NLP code.  Heavier parts live in subpackages and are
imported only when used: ``toolkit.widgets``, ``toolkit.nlp``,
``toolkit.agreement``, ``toolkit.compare``, ``toolkit.labelstudio``.
"""

from __future__ import annotations

from .errors import (
    CorruptFileError,
    DocumentChangedError,
    ImportFormatError,
    NotFoundError,
    OffsetError,
    ToolkitError,
    UnknownLabelError,
    ValidationError,
)
from .model import ClaimLink, Document, Label, LabelSchema, Span, Stance, text_sha256
from .store import AnnotatorState, Frames, Problem, Project

__version__ = "0.1.0"

__all__ = [
    "AnnotatorState",
    "ClaimLink",
    "CorruptFileError",
    "Document",
    "DocumentChangedError",
    "Frames",
    "ImportFormatError",
    "Label",
    "LabelSchema",
    "NotFoundError",
    "OffsetError",
    "Problem",
    "Project",
    "Span",
    "Stance",
    "ToolkitError",
    "UnknownLabelError",
    "ValidationError",
    "text_sha256",
    "__version__",
]
