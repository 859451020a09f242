"""Stance per source and target, with inter-annotator agreement beside each distribution.

The distribution counts stance annotations of the chosen ``layer``.  Agreement is computed
over the human annotators other than ``gold`` (by default): for each (source, target) the
units are the stance items (document-level or claim-level) of that source's documents with
that target, and Krippendorff's alpha (nominal) is computed over the annotators' values.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import combinations

import pandas as pd

from toolkit.compare._layers import Layer, layer_mask, select_layer

STANCE_VALUES = ["favour", "against", "neutral", "none"]


def _filter_level(stances: pd.DataFrame, level: str) -> pd.DataFrame:
    if level == "all":
        return stances
    is_doc = stances["claim_id"].isna() | (stances["claim_id"].astype(str) == "")
    if level == "document":
        return stances[is_doc]
    if level == "claim":
        return stances[~is_doc]
    from toolkit.errors import ValidationError

    raise ValidationError(f"stance level must be document, claim or all, got {level!r}")


def stance_distribution(stances: pd.DataFrame, layer: Layer = None, level: str = "all",
                        shares: bool = False) -> pd.DataFrame:
    """Counts (or shares) of stance values per (source, target).

    Index ``(source, target)``; one column per stance value (``favour, against, neutral,
    none`` first, then any other value seen) and ``n`` (the total).  ``level`` selects
    document-level stances, claim-level stances or both ("all").
    """
    sel = _filter_level(select_layer(stances, layer), level)
    if sel.empty:
        return pd.DataFrame(columns=[*STANCE_VALUES, "n"],
                            index=pd.MultiIndex.from_tuples([], names=["source", "target"]))
    table = pd.crosstab([sel["source"], sel["target"]], sel["value"])
    extra = sorted(set(table.columns) - set(STANCE_VALUES))
    table = table.reindex(columns=STANCE_VALUES + extra, fill_value=0)
    table["n"] = table.sum(axis=1)
    if shares:
        vals = table.columns[:-1]
        table[vals] = table[vals].div(table["n"], axis=0).round(4)
    table.columns.name = None
    return table


def krippendorff_alpha(reliability_data: Sequence[Sequence[Hashable | None]],
                       level: str = "nominal") -> float:
    """Krippendorff's alpha of annotators x units data: :func:`toolkit.agreement.krippendorff_alpha`."""
    from toolkit.agreement import krippendorff_alpha as ka

    return float(ka(reliability_data, level=level))


def _percent_agreement(matrix: list[list[str | None]]) -> float:
    """Share of agreeing annotator pairs over units coded by two or more annotators."""
    agree = total = 0
    for u in range(len(matrix[0]) if matrix else 0):
        coded = [row[u] for row in matrix if row[u] is not None]
        for x, y in combinations(coded, 2):
            total += 1
            agree += x == y
    return agree / total if total else float("nan")


def stance_agreement(stances: pd.DataFrame, annotators: Layer = None,
                     level: str = "all") -> pd.DataFrame:
    """Agreement per (source, target) among ``annotators``.

    ``annotators`` is a layer (default: human annotators other than ``gold``).  Returns index
    ``(source, target)`` and columns ``n_items`` (stance items), ``n_annotators``,
    ``pairable`` (items coded by at least two annotators), ``percent_agreement`` and ``alpha``
    (Krippendorff's alpha, nominal; NaN when undefined, e.g. fewer than two annotators or all
    annotators always chose the same value).
    """
    if annotators is None:
        mask = layer_mask(stances, "human") & (stances["annotator"] != "gold")
        sel = stances[mask]
    else:
        sel = select_layer(stances, annotators)
    sel = _filter_level(sel, level)
    cols = ["n_items", "n_annotators", "pairable", "percent_agreement", "alpha"]
    if sel.empty:
        return pd.DataFrame(columns=cols,
                            index=pd.MultiIndex.from_tuples([], names=["source", "target"]))
    sel = sel.assign(unit=sel["doc_id"].astype(str) + "|" + sel["claim_id"].fillna("").astype(str))
    rows = {}
    undefined: Counter[str] = Counter()
    for (source, target), grp in sel.groupby(["source", "target"], sort=True):
        wide = grp.pivot_table(index="annotator", columns="unit", values="value",
                               aggfunc="last")
        matrix = [[v if isinstance(v, str) else None for v in row] for row in wide.to_numpy()]
        pairable = int((wide.notna().sum(axis=0) >= 2).sum())
        alpha = float("nan")
        if wide.shape[0] >= 2:
            # one warning for the whole table, not one per (source, target) row
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                alpha = round(krippendorff_alpha(matrix, level="nominal"), 4)
            for w in caught:
                undefined[str(w.message).split(":", 1)[-1].split(";")[0].strip()] += 1
        rows[(source, target)] = {
            "n_items": wide.shape[1], "n_annotators": wide.shape[0], "pairable": pairable,
            "percent_agreement": round(_percent_agreement(matrix), 4), "alpha": alpha,
        }
    for reason, n in undefined.items():
        warnings.warn(f"stance alpha undefined for {n} of {len(rows)} (source, target) rows: {reason}; shown as NaN",
                      RuntimeWarning, stacklevel=2)
    out = pd.DataFrame.from_dict(rows, orient="index")[cols]
    out.index = pd.MultiIndex.from_tuples(out.index, names=["source", "target"])
    return out


def stance_table(stances: pd.DataFrame, layer: Layer = None, annotators: Layer = None,
                 level: str = "all") -> pd.DataFrame:
    """:func:`stance_distribution` with :func:`stance_agreement` columns beside it."""
    dist = stance_distribution(stances, layer, level)
    agr = stance_agreement(stances, annotators, level)
    out = dist.join(agr[["n_annotators", "percent_agreement", "alpha"]], how="left")
    return out
