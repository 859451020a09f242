"""Inter-annotator agreement and adjudication (``toolkit.agreement``).

Coefficients (coders x units data, NaN/None missing)::

    from toolkit.agreement import krippendorff_alpha, cohen_kappa, fleiss_kappa
    krippendorff_alpha([[1, 2, None], [1, 3, 3]], level="ordinal")

Span agreement, reports, adjudication and the review widget work on the
frames of ``Project.load()``; see ``docs/agreement.md``.  Names are imported
lazily so that ``toolkit.agreement.cli`` stays cheap to import.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "coefficients": [
        "LEVELS", "category_counts", "cohen_kappa", "fleiss_kappa", "gwet_ac1", "krippendorff_alpha",
        "percent_agreement", "scotts_pi",
    ],
    "spans": ["label_confusion", "pair_scores", "span_agreement", "tokenize", "unitizing_alpha", "human_annotators"],
    "bootstrap": ["BootstrapResult", "bootstrap_ci"],
    "reports": [
        "agreement_heatmap", "disagreements", "pairwise_matrix", "span_agreement_by_source", "span_report",
        "span_units", "stance_agreement", "stance_matrix",
    ],
    "adjudicate": ["GOLD", "Adjudication", "apply_decisions", "majority_spans", "majority_stances"],
    "align": ["CLAIM_THRESHOLD", "align_claims", "jaccard"],
    # the review widgets live in toolkit.widgets.review (UI); re-exported here for notebooks (ag.review)
    "..widgets.review": ["ReviewWidget", "SpanReviewWidget", "SpanUnit", "review"],
}  # fmt: skip
_WHERE = {name: mod for mod, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        mod = _WHERE[name]
        return getattr(importlib.import_module(mod if mod.startswith(".") else f".{mod}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
