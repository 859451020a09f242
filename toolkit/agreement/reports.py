"""Agreement reports from a project's frames (pure functions of DataFrames).

Every function takes the frames of ``Project.load()`` (or DataFrames with the
same columns) and counts only *human* annotators: model suggestions
(``is_model`` / names starting with ``model:``) and the adjudicated ``gold``
layer are never treated as annotators.

Stance units are ``(doc_id, claim, target)``; document-level stances have
``claim`` ``None``.  Claim-level stances of different annotators are the same
unit when their claim spans are aligned (:func:`toolkit.agreement.align.align_claims`:
same document, best character-Jaccard match >= 0.5); ``claim`` is then the
aligned claim's key ``"<start>-<end>"``.  Without span data (a bare stances
frame and no ``spans=``) claim stances line up only by identical claim span id.

Span units (:func:`span_units`) are groups of overlapping spans of one layer
(entity or claim) in one document, over all human annotators.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .align import align_claims
from .bootstrap import bootstrap_ci
from .coefficients import cohen_kappa, gwet_ac1, krippendorff_alpha, percent_agreement
from .spans import ALL, Match, human_annotators, pair_scores, span_agreement

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "agreement_heatmap",
    "disagreements",
    "pairwise_matrix",
    "span_agreement_by_source",
    "span_report",
    "span_units",
    "stance_agreement",
    "stance_matrix",
]

UNIT = ["doc_id", "claim_key", "target"]


def _human(frame: pd.DataFrame, annotators: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    names = list(annotators) if annotators is not None else human_annotators(frame)
    return frame[frame["annotator"].isin(names)], names


def _stances_spans(stances: Any, spans: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Accept ``Project.load()`` frames (stances + spans) or a stances DataFrame (+ optional spans)."""
    if not isinstance(stances, pd.DataFrame) and hasattr(stances, "stances"):
        return stances.stances, spans if spans is not None else getattr(stances, "spans", None)
    return stances, spans


def _with_claim_key(stances: pd.DataFrame, spans: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add ``claim_key`` (``""`` for document level), ``claim_start`` and ``claim_end`` to a stances frame.

    With ``spans``, claim stances are keyed by their aligned claim (see
    :func:`~toolkit.agreement.align.align_claims`); a stance whose claim span is
    not among the spans keeps ``"id:<claim span id>"``.  Without ``spans`` the key
    is the claim span id itself.
    """
    out = stances.copy()
    has_claim = out["claim_id"].notna() & (out["claim_id"].astype(str) != "")
    out["claim_key"] = ""
    out["claim_start"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    out["claim_end"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    if not has_claim.any():
        return out
    if spans is None:
        out.loc[has_claim, "claim_key"] = out.loc[has_claim, "claim_id"].astype(str)
        return out
    aligned = align_claims(spans, human_annotators(out))
    where = {(a, s): (k, c0, c1) for a, s, k, c0, c1 in zip(
        aligned["annotator"], aligned["span_id"], aligned["claim_key"], aligned["claim_start"], aligned["claim_end"],
        strict=True)}  # fmt: skip
    keys: list[str] = [""] * len(out)
    starts: list[Any] = [None] * len(out)
    ends: list[Any] = [None] * len(out)
    annotators, claim_ids = out["annotator"].astype(str).tolist(), out["claim_id"].astype(str).tolist()
    for i in np.flatnonzero(has_claim.to_numpy()).tolist():  # one pass over lists, no per-cell pandas calls
        hit = where.get((annotators[i], claim_ids[i]))
        if hit is None:
            keys[i] = f"id:{claim_ids[i]}"
        else:
            keys[i], starts[i], ends[i] = hit
    out["claim_key"] = keys
    out["claim_start"] = pd.Series(starts, index=out.index, dtype=object)
    out["claim_end"] = pd.Series(ends, index=out.index, dtype=object)
    return out


def _claim_extents(keyed: pd.DataFrame) -> dict[tuple[str, str], tuple[Any, Any]]:
    """``(doc_id, claim_key) -> (claim_start, claim_end)`` of a frame from :func:`_with_claim_key`."""
    sub = keyed[keyed["claim_key"] != ""].drop_duplicates(["doc_id", "claim_key"])
    return {
        (d, k): (s, e)
        for d, k, s, e in zip(sub["doc_id"], sub["claim_key"], sub["claim_start"], sub["claim_end"], strict=True)
    }


def stance_matrix(
    stances: Any,
    annotators: Sequence[str] | None = None,
    target: str | None = None,
    spans: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Stance values as an annotators x units table (``None`` where not coded).

    Columns are a MultiIndex ``(doc_id, claim_key, target)``; ``claim_key`` is
    ``""`` for document-level stances and the aligned claim key otherwise
    (pass ``Project.load()`` frames or ``spans=`` to align claims by overlap).
    This is the ``reliability_data`` of the coefficient functions.
    """
    stances, spans = _stances_spans(stances, spans)
    frame, names = _human(_with_claim_key(stances, spans), annotators)
    if target is not None:
        frame = frame[frame["target"] == target]
    table = frame.pivot_table(index="annotator", columns=UNIT, values="value", aggfunc="last")
    table = table.reindex(names)
    cells = table.to_numpy(dtype=object, copy=True)  # missing cells as None in one array pass (a wide table)
    cells[pd.isna(cells)] = None
    return pd.DataFrame(cells, index=table.index, columns=table.columns, dtype=object)


def _stance_row(matrix: pd.DataFrame, n_boot: int, seed: int) -> dict[str, Any]:
    data = matrix.to_numpy(dtype=object)
    coded = (data != None).sum(axis=0)  # noqa: E711 - elementwise comparison with None
    row: dict[str, Any] = {"n_units": int((coded >= 2).sum()), "n_annotators": int(len(matrix))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        row["percent_agreement"] = percent_agreement(data) if data.size else float("nan")
        row["krippendorff_alpha"] = krippendorff_alpha(data) if data.size else float("nan")
        row["gwet_ac1"] = gwet_ac1(data) if data.size else float("nan")
        row["cohen_kappa"] = cohen_kappa(data[0], data[1]) if len(data) == 2 and data.size else float("nan")
    if n_boot and row["n_units"] >= 2:
        ci = bootstrap_ci(krippendorff_alpha, data, n_boot=n_boot, seed=seed)
        row["alpha_ci_low"], row["alpha_ci_high"] = ci.low, ci.high
    return row


def stance_agreement(
    stances: Any,
    annotators: Sequence[str] | None = None,
    n_boot: int = 0,
    seed: int = 0,
    spans: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Stance agreement per target, plus an ``(all)`` row over every target.

    ``stances`` is ``Project.load()`` (claim stances aligned by claim overlap) or
    a stances DataFrame (pass ``spans=`` to align claims; without it claim
    stances match only by identical claim span id).

    Columns: ``target, n_units`` (units coded by at least two annotators),
    ``n_annotators, percent_agreement, krippendorff_alpha`` (nominal),
    ``gwet_ac1, cohen_kappa`` (only with exactly two annotators) and, with
    ``n_boot > 0``, a seeded bootstrap interval ``alpha_ci_low, alpha_ci_high``.
    """
    matrix = stance_matrix(stances, annotators, spans=spans)
    rows = []
    targets = sorted(pd.unique(matrix.columns.get_level_values("target"))) if matrix.shape[1] else []
    for t in targets:
        sub = matrix.loc[:, matrix.columns.get_level_values("target") == t]
        rows.append({"target": t, **_stance_row(sub, n_boot, seed)})
    rows.append({"target": ALL, **_stance_row(matrix, n_boot, seed)})
    return pd.DataFrame(rows)


def span_report(
    spans: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    annotators: Sequence[str] | None = None,
    match: Match | Iterable[Match] = ("exact", "overlap"),
    layer: str | None = None,
) -> pd.DataFrame:
    """Span agreement per annotator pair and label (see :func:`toolkit.agreement.spans.span_agreement`)."""
    return span_agreement(spans, documents, annotators, match=match, layer=layer)


def span_agreement_by_source(
    spans: pd.DataFrame,
    annotators: Sequence[str] | None = None,
    match: Literal["exact", "overlap"] = "exact",
    layer: str | None = None,
) -> pd.DataFrame:
    """Span F1 per source and annotator pair (all labels together)."""
    frame = spans if layer is None else spans[spans["layer"] == layer]
    frame, names = _human(frame, annotators)
    rows = []
    for source, sub in frame.groupby("source", sort=True):
        for x, y in itertools.combinations(names, 2):
            fa, fb = sub[sub["annotator"] == x], sub[sub["annotator"] == y]
            docs = set(fa["doc_id"]) & set(fb["doc_id"])
            res = pair_scores(fa[fa["doc_id"].isin(docs)], fb[fb["doc_id"].isin(docs)], match, by_label=False)
            rows.append({"source": source, "annotator_a": x, "annotator_b": y, "n_docs": len(docs), **res.iloc[0]})
    return pd.DataFrame(rows)


SPAN_UNIT_COLUMNS = ["unit", "doc_id", "source", "layer", "unit_start", "unit_end", "disputed"]


def span_units(spans: pd.DataFrame, annotators: Sequence[str] | None = None) -> pd.DataFrame:
    """Assign every human span to a *span unit*.

    A span unit is a maximal group of spans of the **same layer** (entity or
    claim; ``unknown`` labels form their own layer) in **one document** that are
    chained by overlap (sharing at least one character), over all human
    annotators.  Its id ``unit`` is ``"<doc_id>:<layer>:<start>-<end>"`` where
    ``start``/``end`` is the union of its spans' ranges (``unit_start``,
    ``unit_end``).  A unit is ``disputed`` unless every annotator (of
    ``annotators``, default all human ones) marked the very same set of
    ``(start, end, label)`` in it; a unit only one annotator marked is disputed.

    Returns the human spans (all columns of ``spans``) plus the columns
    ``unit, unit_start, unit_end, disputed``, sorted by document, layer, start.
    """
    frame, names = _human(spans, annotators)
    cols = list(spans.columns) + ["unit", "unit_start", "unit_end", "disputed"]
    if len(frame) == 0:
        return pd.DataFrame(columns=cols)
    f = frame.sort_values(["doc_id", "layer", "start", "end"], kind="stable").reset_index(drop=True)
    group = (f["doc_id"].astype(str) + "\x00" + f["layer"].astype(str)).to_numpy()
    run_end = f.groupby(group, sort=False)["end"].cummax().to_numpy()
    new_group = np.concatenate([[True], group[1:] != group[:-1]])
    prev_end = np.concatenate([[0], run_end[:-1]])
    cluster = np.cumsum(new_group | (f["start"].to_numpy() >= prev_end)) - 1
    f["_cluster"] = cluster
    ext = f.groupby("_cluster").agg(unit_start=("start", "min"), unit_end=("end", "max"))
    f = f.join(ext, on="_cluster")
    f["unit"] = (
        f["doc_id"].astype(str)
        + ":"
        + f["layer"].astype(str)
        + ":"
        + (f["unit_start"].astype(str) + "-" + f["unit_end"].astype(str))
    )
    disputed = {}
    for unit, grp in f.groupby("unit", sort=False):
        sets = {n: frozenset(zip(g["start"], g["end"], g["label"], strict=True)) for n, g in grp.groupby("annotator")}
        disputed[unit] = len({sets.get(n, frozenset()) for n in names}) > 1
    f["disputed"] = f["unit"].map(disputed).astype(bool)
    return f.drop(columns="_cluster")[cols]


def _span_answer(rows: pd.DataFrame) -> str | None:
    if len(rows) == 0:
        return None
    return "; ".join(f"{r.label} [{r.start}:{r.end}] {r.text!r}" for r in rows.itertuples())


def disagreements(
    frames: Any,
    task: Literal["stances", "spans"] = "stances",
    annotators: Sequence[str] | None = None,
    include_missing: bool = False,
) -> pd.DataFrame:
    """Every disputed unit with every annotator's answer side by side.

    ``frames`` is ``Project.load()`` (or anything with ``.stances`` / ``.spans``).

    * stances: one row per ``(doc_id, claim, target)`` where the annotators who
      answered gave different values (with ``include_missing=True`` also units some
      annotators left empty).  ``claim`` is the aligned claim key (``None`` for
      document-level stances), ``claim_start``/``claim_end`` its character range.
      One column per annotator holds the value.
    * spans: one row per disputed span unit (see :func:`span_units`: overlapping
      spans of one layer in one document).  Each annotator column lists that
      annotator's spans in the unit as ``LABEL [start:end] 'text'`` (``None`` if
      nothing).
    """
    if task == "stances":
        spans = getattr(frames, "spans", None)
        keyed = _with_claim_key(frames.stances, spans)
        matrix = stance_matrix(frames.stances, annotators, spans=spans)
        fixed = ["doc_id", "source", "claim", "claim_start", "claim_end", "target"]
        if matrix.shape[1] == 0:
            return pd.DataFrame(columns=[*fixed, *matrix.index, "n_answers"])
        data = matrix.to_numpy(dtype=object)
        present = data != None  # noqa: E711
        distinct = [len({v for v in col if v is not None}) for col in data.T]
        n_present = present.sum(axis=0)
        disputed = np.array(distinct) > 1
        if include_missing:
            disputed |= (n_present < len(matrix)) & (n_present >= 1)
        cols = matrix.columns[disputed]
        out = pd.DataFrame(data[:, disputed].T, columns=list(matrix.index))
        extents = _claim_extents(keyed)
        docs, claims = cols.get_level_values("doc_id"), cols.get_level_values("claim_key")
        sources = frames.stances.drop_duplicates("doc_id").set_index("doc_id")["source"]
        fixed_values = {
            "doc_id": list(docs),
            "source": [sources.get(d) for d in docs],
            "claim": [c if c else None for c in claims],
            "claim_start": [extents.get((d, c), (None, None))[0] for d, c in zip(docs, claims, strict=True)],
            "claim_end": [extents.get((d, c), (None, None))[1] for d, c in zip(docs, claims, strict=True)],
            "target": list(cols.get_level_values("target")),
        }
        for i, (name, values) in enumerate(fixed_values.items()):
            out.insert(i, name, values)
        out["n_answers"] = n_present[disputed]
        return out.reset_index(drop=True)
    if task != "spans":
        raise ValueError(f"unknown task {task!r}; allowed: stances, spans")
    names = list(annotators) if annotators is not None else human_annotators(frames.spans)
    units = span_units(frames.spans, names)
    units = units[units["disputed"]]
    rows = []
    for unit, grp in units.groupby("unit", sort=False):
        first = grp.iloc[0]
        row: dict[str, Any] = {
            "unit": unit,
            "doc_id": first["doc_id"],
            "source": first.get("source"),
            "layer": first["layer"],
            "start": int(first["unit_start"]),
            "end": int(first["unit_end"]),
        }
        for n in names:
            row[n] = _span_answer(grp[grp["annotator"] == n])
        rows.append(row)
    return pd.DataFrame(rows, columns=["unit", "doc_id", "source", "layer", "start", "end", *names])


def pairwise_matrix(
    frames: Any,
    task: Literal["stances", "spans"] = "stances",
    annotators: Sequence[str] | None = None,
    match: Literal["exact", "overlap"] = "exact",
) -> pd.DataFrame:
    """Annotator x annotator agreement: Cohen's kappa on stances, span F1 on spans (diagonal 1)."""
    if task == "stances":
        matrix = stance_matrix(frames, annotators)
        names = list(matrix.index)
    else:
        names = list(annotators) if annotators is not None else human_annotators(frames.spans)
    out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for x, y in itertools.combinations(names, 2):
        if task == "stances":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                v = cohen_kappa(matrix.loc[x].to_numpy(), matrix.loc[y].to_numpy())
        else:
            res = span_agreement(frames.spans, None, [x, y], match=match, by_label=False)
            v = float(res["f1"].iloc[0]) if len(res) else float("nan")
        out.loc[x, y] = out.loc[y, x] = v
    return out


def agreement_heatmap(matrix: pd.DataFrame, title: str = "Pairwise agreement", cmap: str = "viridis") -> Figure:
    """Heatmap of a square annotator x annotator agreement matrix; returns the matplotlib Figure."""
    from toolkit.figures import InlineFigure

    n = len(matrix)
    fig = InlineFigure(figsize=(1.2 + 0.9 * max(n, 2), 1.0 + 0.8 * max(n, 2)))
    ax = fig.add_subplot()
    values = matrix.to_numpy(dtype=float)
    im = ax.imshow(values, vmin=min(0.0, np.nanmin(values)) if values.size else 0.0, vmax=1.0, cmap=cmap)
    ax.set_xticks(range(n), labels=list(matrix.columns), rotation=45, ha="right")
    ax.set_yticks(range(n), labels=list(matrix.index))
    for i in range(n):
        for j in range(n):
            v = values[i, j]
            ax.text(j, i, "–" if np.isnan(v) else f"{v:.2f}", ha="center", va="center", color="w" if v < 0.6 else "k")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return fig
