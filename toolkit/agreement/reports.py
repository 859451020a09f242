"""Agreement reports from a project's frames (pure functions of DataFrames).

Every function takes the frames of ``Project.load()`` (or DataFrames with the
same columns) and counts only *human* annotators: model suggestions
(``is_model`` / names starting with ``model:``) and the adjudicated ``gold``
layer are never treated as annotators.

Stance units are ``(doc_id, claim_id, target)``; document-level stances have
``claim_id`` ``None``.  Claim-level stances line up across annotators only when
they refer to the same claim span id.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .bootstrap import bootstrap_ci
from .coefficients import cohen_kappa, gwet_ac1, krippendorff_alpha, percent_agreement
from .spans import ALL, human_annotators, pair_scores, span_agreement

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "agreement_heatmap",
    "disagreements",
    "pairwise_matrix",
    "span_agreement_by_source",
    "span_report",
    "stance_agreement",
    "stance_matrix",
]

UNIT = ["doc_id", "claim_key", "target"]


def _human(frame: pd.DataFrame, annotators: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    names = list(annotators) if annotators is not None else human_annotators(frame)
    return frame[frame["annotator"].isin(names)], names


def _with_claim_key(stances: pd.DataFrame) -> pd.DataFrame:
    out = stances.copy()
    out["claim_key"] = out["claim_id"].where(out["claim_id"].notna(), "")
    return out


def stance_matrix(
    stances: pd.DataFrame, annotators: Sequence[str] | None = None, target: str | None = None
) -> pd.DataFrame:
    """Stance values as an annotators x units table (``None`` where not coded).

    Columns are a MultiIndex ``(doc_id, claim_key, target)``; ``claim_key`` is
    ``""`` for document-level stances.  This is the ``reliability_data`` of the
    coefficient functions.
    """
    frame, names = _human(_with_claim_key(stances), annotators)
    if target is not None:
        frame = frame[frame["target"] == target]
    table = frame.pivot_table(index="annotator", columns=UNIT, values="value", aggfunc="last")
    table = table.reindex(names)
    return table.astype(object).where(table.notna(), None)


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
    stances: pd.DataFrame,
    annotators: Sequence[str] | None = None,
    n_boot: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Stance agreement per target, plus an ``(all)`` row over every target.

    Columns: ``target, n_units`` (units coded by at least two annotators),
    ``n_annotators, percent_agreement, krippendorff_alpha`` (nominal),
    ``gwet_ac1, cohen_kappa`` (only with exactly two annotators) and, with
    ``n_boot > 0``, a seeded bootstrap interval ``alpha_ci_low, alpha_ci_high``.
    """
    matrix = stance_matrix(stances, annotators)
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
    match: Sequence[str] = ("exact", "overlap"),
    layer: str | None = None,
) -> pd.DataFrame:
    """Span agreement per annotator pair and label (see :func:`toolkit.agreement.spans.span_agreement`)."""
    return span_agreement(spans, documents, annotators, match=match, layer=layer)  # type: ignore[arg-type]


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


def _span_clusters(frame: pd.DataFrame) -> pd.DataFrame:
    """Assign every span to a cluster of overlapping spans within its document."""
    f = frame.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)
    if len(f) == 0:
        return f.assign(cluster=pd.Series(dtype=np.int64))
    run_end = f.groupby("doc_id", sort=False)["end"].cummax().to_numpy()
    new_doc = (f["doc_id"] != f["doc_id"].shift()).to_numpy()
    prev_end = np.concatenate([[0], run_end[:-1]])
    new = new_doc | (f["start"].to_numpy() >= prev_end)
    return f.assign(cluster=np.cumsum(new) - 1)


def disagreements(
    frames: Any,
    task: Literal["stances", "spans"] = "stances",
    annotators: Sequence[str] | None = None,
    include_missing: bool = False,
) -> pd.DataFrame:
    """Every disputed unit with every annotator's answer side by side.

    ``frames`` is ``Project.load()`` (or anything with ``.stances`` / ``.spans``).

    * stances: one row per ``(doc_id, claim_id, target)`` where the annotators who
      answered gave different values (with ``include_missing=True`` also units some
      annotators left empty).  One column per annotator holds the value.
    * spans: spans of all annotators in a document are grouped into clusters of
      overlapping spans; a cluster is disputed unless every annotator marked the
      very same set of ``(start, end, label)``.  Each annotator column lists that
      annotator's spans as ``LABEL [start:end] 'text'`` (``None`` if nothing).
    """
    if task == "stances":
        matrix = stance_matrix(frames.stances, annotators)
        if matrix.shape[1] == 0:
            return pd.DataFrame(columns=["doc_id", "source", "claim_id", "target", *matrix.index, "n_answers"])
        data = matrix.to_numpy(dtype=object)
        present = data != None  # noqa: E711
        distinct = [len({v for v in col if v is not None}) for col in data.T]
        n_present = present.sum(axis=0)
        disputed = np.array(distinct) > 1
        if include_missing:
            disputed |= (n_present < len(matrix)) & (n_present >= 1)
        cols = matrix.columns[disputed]
        out = pd.DataFrame(data[:, disputed].T, columns=list(matrix.index))
        out.insert(0, "doc_id", cols.get_level_values("doc_id"))
        claim = cols.get_level_values("claim_key")
        out.insert(1, "claim_id", [c if c else None for c in claim])
        out.insert(2, "target", cols.get_level_values("target"))
        sources = frames.stances.drop_duplicates("doc_id").set_index("doc_id")["source"]
        out.insert(1, "source", out["doc_id"].map(sources))
        out["n_answers"] = n_present[disputed]
        return out.reset_index(drop=True)
    if task != "spans":
        raise ValueError(f"unknown task {task!r}; allowed: stances, spans")
    frame, names = _human(frames.spans, annotators)
    clustered = _span_clusters(frame)
    rows = []
    for cid, grp in clustered.groupby("cluster", sort=True):
        sets = {n: frozenset(zip(g["start"], g["end"], g["label"], strict=True)) for n, g in grp.groupby("annotator")}
        answers = {n: sets.get(n, frozenset()) for n in names}
        if len(set(answers.values())) <= 1:
            continue
        row: dict[str, Any] = {
            "doc_id": grp["doc_id"].iloc[0],
            "source": grp["source"].iloc[0] if "source" in grp else None,
            "start": int(grp["start"].min()),
            "end": int(grp["end"].max()),
            "cluster": int(cid),
        }
        for n in names:
            g = grp[grp["annotator"] == n]
            row[n] = "; ".join(f"{r.label} [{r.start}:{r.end}] {r.text!r}" for r in g.itertuples()) if len(g) else None
        rows.append(row)
    return pd.DataFrame(rows, columns=["doc_id", "source", "start", "end", "cluster", *names])


def pairwise_matrix(
    frames: Any,
    task: Literal["stances", "spans"] = "stances",
    annotators: Sequence[str] | None = None,
    match: Literal["exact", "overlap"] = "exact",
) -> pd.DataFrame:
    """Annotator x annotator agreement: Cohen's kappa on stances, span F1 on spans (diagonal 1)."""
    if task == "stances":
        matrix = stance_matrix(frames.stances, annotators)
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
    from matplotlib.figure import Figure

    n = len(matrix)
    fig = Figure(figsize=(1.2 + 0.9 * max(n, 2), 1.0 + 0.8 * max(n, 2)))
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
