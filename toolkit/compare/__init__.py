"""Cross-source analysis: how did each outlet cover the same event?

All analysis functions are pure: they take the DataFrames of ``Project.load()`` (columns in
``docs/format.md``) and return DataFrames; a ``layer`` argument chooses whose annotations are
used (an annotator name, ``"gold"``, ``"model"`` for all model suggestions, ``"human"``,
``"all"``, or a list; default: gold when present, else all human annotators).

* :mod:`~toolkit.compare.entities` -- entity x source coverage, name normalisation, merges;
* :mod:`~toolkit.compare.claims` -- claim clusters x source, suggested links, attributions;
* :mod:`~toolkit.compare.quotes` -- shared quotations across sources, with diffs and speakers;
* :mod:`~toolkit.compare.stances` -- stance per source and target, with agreement;
* :mod:`~toolkit.compare.profiles` -- length, quotations and speakers per source;
* :mod:`~toolkit.compare.framing` -- voices, attribution verbs, distinctive wording, emphasis;
* :mod:`~toolkit.compare.descriptors` -- what each outlet calls each entity (appositions, titles);
* :mod:`~toolkit.compare.lemmas` -- the small rule-based English lemmatiser of distinctive wording;
* :mod:`~toolkit.compare.plots` -- heatmaps and bar charts (matplotlib Figures);
* :mod:`~toolkit.compare.report` -- one self-contained HTML report (``toolkit report``).

Names listed in ``__all__`` are importable from here; submodules load on first use so that
``import toolkit.compare`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "entities": ["entity_mentions", "entity_matrix", "entity_shares", "first_mentions",
                 "first_mention_matrix", "exclusive_entities", "add_merge", "remove_merge",
                 "load_merges", "clean_surface", "EntityNormalizer", "propose_merges", "merge_proposals",
                 "accept_proposal", "reject_proposal", "accept_all_proposals", "load_proposals",
                 "record_proposals"],
    "claims": ["claim_clusters", "cluster_matrix", "cluster_labels", "exclusive_claims",
               "claim_attributions", "suggest_links"],
    "quotes": ["document_quotations", "match_quotations", "shared_quotations", "compare_quotes",
               "quote_similarity", "quotes_match", "word_diff", "heuristic_speaker", "quote_groups"],
    "stances": ["stance_distribution", "stance_agreement", "stance_table"],
    "profiles": ["source_profiles", "document_profiles"],
    "framing": ["voices", "voice_presence", "attribution_verbs", "verb_table", "shared_quote_verbs",
                "distinctive_words", "log_odds_dirichlet", "emphasis"],
    "descriptors": ["entity_descriptors", "distinctive_descriptors", "descriptor_table"],
    "lemmas": ["lemma"],
    "plots": ["coverage_heatmap", "stance_bars", "profile_bars"],
    "report": ["Comparison", "write_report", "render_report"],
}
_WHERE = {name: mod for mod, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        module = importlib.import_module(f"toolkit.compare.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'toolkit.compare' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
