"""Span agreement on the ``spans`` DataFrame of ``Project.load()``.

Three ways to compare two annotators' spans (all vectorised: group by
document, sort, merge; no Python loop over spans):

* ``"exact"``: a span matches when another annotator has a span with the same
  document, start, end (and label, unless ``labeled=False``).  Matching is one to
  one (multiset intersection), so precision and recall share one count.
* ``"overlap"``: a span of B is matched when some span of A in the same document
  (same label) overlaps it by at least one character, and vice versa.  Precision
  is the share of B's spans that are matched, recall the share of A's.
* ``"token"``: documents are tokenised with the regular expression
  ``\\w+|[^\\w\\s]``; each span stands for the tokens it touches; precision and
  recall are computed on the sets of ``(token, label)`` pairs.

Annotator ``a`` plays the reference: ``recall = matched_a / n_a`` and
``precision = matched_b / n_b``.  F1 is their harmonic mean (``nan`` when both
annotators have no spans).

:func:`unitizing_alpha` computes Krippendorff's unitizing alpha over the
character continuum of each document.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from toolkit.model import GOLD, MODEL_PREFIX

__all__ = [
    "TOKEN_PATTERN",
    "label_confusion",
    "pair_scores",
    "span_agreement",
    "tokenize",
    "unitizing_alpha",
]

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")

Match = Literal["exact", "overlap", "token"]
MATCHES: tuple[str, ...] = ("exact", "overlap", "token")
ALL = "(all)"


def tokenize(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Token start and end offsets of ``text`` (pattern ``\\w+|[^\\w\\s]``)."""
    spans = [m.span() for m in TOKEN_PATTERN.finditer(text)]
    if not spans:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    arr = np.asarray(spans, dtype=np.int64)
    return arr[:, 0], arr[:, 1]


def _prf(n_a: np.ndarray, n_b: np.ndarray, m_a: np.ndarray, m_b: np.ndarray) -> pd.DataFrame:
    """Precision/recall/F1 columns from counts (nan where undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(n_b > 0, m_b / np.maximum(n_b, 1), np.nan)
        recall = np.where(n_a > 0, m_a / np.maximum(n_a, 1), np.nan)
        both_empty = (n_a == 0) & (n_b == 0)
        pr = np.nan_to_num(precision) + np.nan_to_num(recall)
        f1 = np.where(pr > 0, 2 * np.nan_to_num(precision) * np.nan_to_num(recall) / np.where(pr > 0, pr, 1), 0.0)
        f1 = np.where(both_empty, np.nan, f1)
    n_a, n_b = np.asarray(n_a).astype(np.int64), np.asarray(n_b).astype(np.int64)
    m_a, m_b = np.asarray(m_a).astype(np.int64), np.asarray(m_b).astype(np.int64)
    return pd.DataFrame(
        {"n_a": n_a, "n_b": n_b, "matched_a": m_a, "matched_b": m_b, "precision": precision, "recall": recall, "f1": f1}
    )


def _codes(a: pd.DataFrame, b: pd.DataFrame, labeled: bool) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """Group codes (doc, label) for both frames, a shared label index and group->label map."""
    docs = pd.Index(pd.unique(pd.concat([a["doc_id"], b["doc_id"]], ignore_index=True)))
    labels = sorted(pd.unique(pd.concat([a["label"], b["label"]], ignore_index=True)).tolist())
    lab_index = pd.Index(labels)
    n_lab = max(len(labels), 1)

    def group(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        d = docs.get_indexer(frame["doc_id"]).astype(np.int64)
        lab = lab_index.get_indexer(frame["label"]).astype(np.int64)
        return (d * n_lab + (lab if labeled else 0)), lab

    ga, la = group(a)
    gb, lb = group(b)
    return np.concatenate([ga, gb]), np.concatenate([la, lb]), labels, np.array([len(a)])


def _per_label(
    hit_a: np.ndarray, hit_b: np.ndarray, lab_a: np.ndarray, lab_b: np.ndarray, labels: list[str], by_label: bool
) -> pd.DataFrame:
    """Aggregate per-span hit flags/counts to an overall row and (optionally) one row per label."""
    n_lab = len(labels)
    rows = _prf(
        np.array([len(hit_a)]), np.array([len(hit_b)]), np.array([hit_a.sum()]), np.array([hit_b.sum()])
    ).assign(label=ALL)
    if by_label and n_lab:
        per = _prf(
            np.bincount(lab_a, minlength=n_lab),
            np.bincount(lab_b, minlength=n_lab),
            np.bincount(lab_a, weights=hit_a, minlength=n_lab),
            np.bincount(lab_b, weights=hit_b, minlength=n_lab),
        ).assign(label=labels)
        rows = pd.concat([rows, per], ignore_index=True)
    return rows


def _exact_hits(a: pd.DataFrame, b: pd.DataFrame, ga: np.ndarray, gb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one exact matches: per span 1 if matched (duplicates matched at most once each)."""
    ka = pd.DataFrame({"g": ga, "s": a["start"].to_numpy(), "e": a["end"].to_numpy()})
    kb = pd.DataFrame({"g": gb, "s": b["start"].to_numpy(), "e": b["end"].to_numpy()})
    # rank of each span among identical keys, so duplicates pair up one to one
    ka["k"] = ka.groupby(["g", "s", "e"], sort=False).cumcount()
    kb["k"] = kb.groupby(["g", "s", "e"], sort=False).cumcount()
    ka["ia"] = np.arange(len(ka))
    kb["ib"] = np.arange(len(kb))
    merged = ka.merge(kb, on=["g", "s", "e", "k"], how="inner")
    hit_a = np.zeros(len(ka))
    hit_b = np.zeros(len(kb))
    hit_a[merged["ia"].to_numpy()] = 1.0
    hit_b[merged["ib"].to_numpy()] = 1.0
    return hit_a, hit_b


def _overlap_hits_one_way(
    g_ref: np.ndarray, s_ref: np.ndarray, e_ref: np.ndarray, g_q: np.ndarray, s_q: np.ndarray, e_q: np.ndarray
) -> np.ndarray:
    """For each query span: 1 if some reference span in the same group overlaps it."""
    if len(g_ref) == 0 or len(g_q) == 0:
        return np.zeros(len(g_q))
    width = int(max(e_ref.max(), e_q.max())) + 1
    # lay every group on one line, separated so groups can never overlap each other
    rs = g_ref * width + s_ref
    re_ = g_ref * width + e_ref
    qs = g_q * width + s_q
    qe = g_q * width + e_q
    order = np.argsort(rs, kind="stable")
    rs, re_ = rs[order], re_[order]
    prefmax = np.maximum.accumulate(re_)
    k = np.searchsorted(rs, qe, side="left")  # reference spans starting before the query ends
    has = k > 0
    out = np.zeros(len(g_q))
    out[has] = (prefmax[k[has] - 1] > qs[has]).astype(np.float64)
    return out


def _token_keys(
    frame: pd.DataFrame, tok: Mapping[str, tuple[np.ndarray, np.ndarray]], doc_base: Mapping[str, int], lab: np.ndarray,
    n_lab: int, labeled: bool,
) -> np.ndarray:  # fmt: skip
    """Unique keys (global token index x label) covered by a frame's spans."""
    if len(frame) == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.empty(len(frame), dtype=np.int64)
    last = np.empty(len(frame), dtype=np.int64)
    for doc, idx in frame.groupby("doc_id", sort=False).indices.items():
        starts, ends = tok[doc]
        s = frame["start"].to_numpy()[idx]
        e = frame["end"].to_numpy()[idx]
        base = doc_base[doc]
        first[idx] = base + np.searchsorted(ends, s, side="right")  # first token ending after start
        last[idx] = base + np.searchsorted(starts, e, side="left")  # tokens starting before end
    counts = np.maximum(last - first, 0)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(frame)), counts)
    offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    token = first[owner] + offs
    keys = token * n_lab + (lab[owner] if labeled else 0)
    return np.unique(keys)


def pair_scores(
    a: pd.DataFrame,
    b: pd.DataFrame,
    match: Match = "exact",
    labeled: bool = True,
    by_label: bool = True,
    texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Precision / recall / F1 of annotator ``b``'s spans against annotator ``a``'s.

    ``a`` and ``b`` are span frames (columns ``doc_id, start, end, label``).
    ``texts`` (doc id -> text) is needed for ``match="token"``.  Returns one row
    for all labels (``label == "(all)"``) and, with ``by_label``, one per label,
    with columns ``label, n_a, n_b, matched_a, matched_b, precision, recall, f1``
    (for ``"token"`` the counts are token-label pairs, not spans).
    """
    if match not in MATCHES:
        raise ValueError(f"unknown match {match!r}; allowed: {', '.join(MATCHES)}")
    groups, labs, labels, _ = _codes(a, b, labeled)
    ga, gb = groups[: len(a)], groups[len(a) :]
    la, lb = labs[: len(a)], labs[len(a) :]
    if match == "exact":
        hit_a, hit_b = _exact_hits(a, b, ga, gb)
        out = _per_label(hit_a, hit_b, la, lb, labels, by_label)
    elif match == "overlap":
        sa, ea = a["start"].to_numpy(np.int64), a["end"].to_numpy(np.int64)
        sb, eb = b["start"].to_numpy(np.int64), b["end"].to_numpy(np.int64)
        hit_b = _overlap_hits_one_way(ga, sa, ea, gb, sb, eb)
        hit_a = _overlap_hits_one_way(gb, sb, eb, ga, sa, ea)
        out = _per_label(hit_a, hit_b, la, lb, labels, by_label)
    else:
        if texts is None:
            raise ValueError("match='token' needs the document texts (texts={doc_id: text})")
        docs = pd.unique(pd.concat([a["doc_id"], b["doc_id"]], ignore_index=True))
        missing = [d for d in docs if d not in texts]
        if missing:
            raise ValueError(f"no text for documents {missing[:5]!r}")
        tok = {d: tokenize(texts[d]) for d in docs}
        doc_base: dict[str, int] = {}
        base = 0
        for d in docs:
            doc_base[d] = base
            base += len(tok[d][0])
        n_lab = max(len(labels), 1)
        ka = _token_keys(a, tok, doc_base, la, n_lab, labeled)
        kb = _token_keys(b, tok, doc_base, lb, n_lab, labeled)
        common = np.intersect1d(ka, kb, assume_unique=True)
        rows = _prf(np.array([len(ka)]), np.array([len(kb)]), np.array([len(common)]), np.array([len(common)]))
        out = rows.assign(label=ALL)
        if by_label and labeled and labels:
            per = _prf(
                np.bincount(ka % n_lab, minlength=n_lab),
                np.bincount(kb % n_lab, minlength=n_lab),
                np.bincount(common % n_lab, minlength=n_lab),
                np.bincount(common % n_lab, minlength=n_lab),
            ).assign(label=labels)
            out = pd.concat([out, per], ignore_index=True)
    out.insert(0, "match", match)
    return out[["match", "label", "n_a", "n_b", "matched_a", "matched_b", "precision", "recall", "f1"]]


def human_annotators(spans_or_stances: pd.DataFrame) -> list[str]:
    """Annotators that count for agreement: not models (``is_model`` / ``model:``) and not ``gold``."""
    if len(spans_or_stances) == 0:
        return []
    frame = spans_or_stances
    names = frame["annotator"].astype(str)
    is_model = frame["is_model"].astype(bool) if "is_model" in frame else names.str.startswith(MODEL_PREFIX)
    keep = ~is_model & ~names.str.startswith(MODEL_PREFIX) & (names != GOLD)
    return sorted(pd.unique(names[keep]).tolist())


def span_agreement(
    spans: pd.DataFrame,
    documents: pd.DataFrame | Mapping[str, str] | None = None,
    annotators: Sequence[str] | None = None,
    match: Match | Iterable[Match] = ("exact", "overlap"),
    labeled: bool = True,
    by_label: bool = True,
    layer: str | None = None,
) -> pd.DataFrame:
    """Pairwise span agreement between all (human) annotators of a spans frame.

    ``documents`` (the documents frame or a ``{doc_id: text}`` mapping) is needed
    for ``"token"`` matching.  Model annotators and ``gold`` are left out unless
    named in ``annotators``.  Only documents annotated by *both* annotators of a
    pair are compared (a document nobody in the pair touched says nothing about
    their agreement).  Returns columns ``annotator_a, annotator_b, match, label,
    n_a, n_b, matched_a, matched_b, precision, recall, f1``.
    """
    matches = [match] if isinstance(match, str) else list(match)
    frame = spans if layer is None else spans[spans["layer"] == layer]
    names = list(annotators) if annotators is not None else human_annotators(frame)
    texts: Mapping[str, str] | None
    if isinstance(documents, pd.DataFrame):
        texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    else:
        texts = documents
    by_ann = {n: frame[frame["annotator"] == n] for n in names}
    out = []
    for x, y in itertools.combinations(names, 2):
        docs = set(by_ann[x]["doc_id"]) & set(by_ann[y]["doc_id"])
        fa = by_ann[x][by_ann[x]["doc_id"].isin(docs)]
        fb = by_ann[y][by_ann[y]["doc_id"].isin(docs)]
        for m in matches:
            res = pair_scores(fa, fb, m, labeled=labeled, by_label=by_label, texts=texts)
            res.insert(0, "annotator_b", y)
            res.insert(0, "annotator_a", x)
            out.append(res)
    if not out:
        cols = ["annotator_a", "annotator_b", "match", "label", "n_a", "n_b", "matched_a", "matched_b"]
        return pd.DataFrame(columns=[*cols, "precision", "recall", "f1"])
    return pd.concat(out, ignore_index=True)


NONE = "(none)"


def label_confusion(a: pd.DataFrame, b: pd.DataFrame, match: Literal["exact", "overlap"] = "overlap") -> pd.DataFrame:
    """Confusion of labels between annotators ``a`` (rows) and ``b`` (columns) on matched spans.

    Spans are paired ignoring labels: ``"exact"`` pairs identical offsets,
    ``"overlap"`` pairs each span of ``b`` with the span of ``a`` it overlaps most
    (one to one, greedy by overlap length).  Unpaired spans are counted in the
    ``"(none)"`` row / column.  Cost: O(sum over documents of n_a x n_b).
    """
    cols = ["doc_id", "start", "end", "label"]
    fa = a[cols].reset_index(drop=True).assign(ia=lambda d: np.arange(len(d)))
    fb = b[cols].reset_index(drop=True).assign(ib=lambda d: np.arange(len(d)))
    if match == "exact":
        pairs = fa.merge(fb, on=["doc_id", "start", "end"], suffixes=("_a", "_b"))
        pairs["ov"] = pairs["end"] - pairs["start"]
    elif match == "overlap":
        pairs = fa.merge(fb, on="doc_id", suffixes=("_a", "_b"))
        pairs["ov"] = np.minimum(pairs["end_a"], pairs["end_b"]) - np.maximum(pairs["start_a"], pairs["start_b"])
        pairs = pairs[pairs["ov"] > 0]
    else:
        raise ValueError(f"unknown match {match!r}; allowed: exact, overlap")
    pairs = pairs.sort_values("ov", ascending=False, kind="stable")
    pairs = pairs.drop_duplicates("ia").drop_duplicates("ib")
    rows = (
        list(pairs["label_a"])
        + list(fa.loc[~fa["ia"].isin(pairs["ia"]), "label"])
        + [NONE] * int((~fb["ib"].isin(pairs["ib"])).sum())
    )
    colv = (
        list(pairs["label_b"])
        + [NONE] * int((~fa["ia"].isin(pairs["ia"])).sum())
        + list(fb.loc[~fb["ib"].isin(pairs["ib"]), "label"])
    )
    table = pd.crosstab(pd.Series(rows, name="a", dtype=object), pd.Series(colv, name="b", dtype=object))
    labels = sorted((set(table.index) | set(table.columns)) - {NONE})
    order = [*labels, NONE]
    return table.reindex(index=order, columns=order, fill_value=0)


# --------------------------------------------------------------------------- #
# Krippendorff's unitizing alpha
# --------------------------------------------------------------------------- #
def _merge_intervals(s: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of intervals [s, e) (sorted, non-overlapping result)."""
    if len(s) == 0:
        return s, e
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    run_end = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] >= run_end[:-1]  # touching units stay separate units
    idx = np.flatnonzero(new)
    ends = np.maximum.reduceat(e, idx)
    return s[idx], ends


def _segments(units_s: np.ndarray, units_e: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segmentation of [0, length) into units and gaps: (begin, end, is_unit)."""
    bounds = np.concatenate([[0], np.column_stack([units_s, units_e]).ravel(), [length]])
    begins = bounds[:-1]
    ends = bounds[1:]
    is_unit = np.zeros(len(begins), dtype=bool)
    is_unit[1::2] = True
    keep = ends > begins
    return begins[keep], ends[keep], is_unit[keep]


def _observed_pair(seg1: tuple[np.ndarray, ...], seg2: tuple[np.ndarray, ...]) -> float:
    """Sum of squared differences over overlapping segment pairs of two segmentations."""
    b1, e1, u1 = seg1
    b2, e2, u2 = seg2
    cuts = np.union1d(b1, b2)
    i1 = np.searchsorted(b1, cuts, side="right") - 1
    i2 = np.searchsorted(b2, cuts, side="right") - 1
    # consecutive pieces can belong to the same segment pair; keep distinct pairs
    new = np.ones(len(cuts), dtype=bool)
    new[1:] = (i1[1:] != i1[:-1]) | (i2[1:] != i2[:-1])
    i1, i2 = i1[new], i2[new]
    bg1, bg2 = b1[i1].astype(np.float64), b2[i2].astype(np.float64)
    l1, l2 = (e1[i1] - b1[i1]).astype(np.float64), (e2[i2] - b2[i2]).astype(np.float64)
    unit1, unit2 = u1[i1], u2[i2]
    d = bg1 - bg2
    both = unit1 & unit2
    total = float(np.sum(d[both] ** 2 + (d[both] + (l1[both] - l2[both])) ** 2))
    # a unit lying inside the other coder's gap counts its squared length
    in_gap1 = unit1 & ~unit2 & (d >= 0) & (d + l1 <= l2)
    in_gap2 = unit2 & ~unit1 & (d <= 0) & (-d + l2 <= l1)
    total += float(np.sum(l1[in_gap1] ** 2) + np.sum(l2[in_gap2] ** 2))
    return total


def _category_terms(units: Sequence[tuple[np.ndarray, np.ndarray]], length: int) -> tuple[float, float]:
    """Observed and expected disagreement of one category on one continuum (Krippendorff 1995)."""
    m = len(units)
    segs = [_segments(s, e, length) for s, e in units]
    observed = 0.0
    for i, j in itertools.combinations(range(m), 2):
        observed += _observed_pair(segs[i], segs[j])
    observed = 2.0 * observed / (m * (m - 1) * float(length) ** 2)

    lens = np.concatenate([e - s for s, e in units]).astype(np.float64)
    gaps = np.sort(np.concatenate([(seg[1] - seg[0])[~seg[2]] for seg in segs]).astype(np.float64))
    n_c = len(lens)
    if n_c == 0:
        return observed, 0.0
    suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
    idx = np.searchsorted(gaps, lens, side="left")
    count = len(gaps) - idx
    gap_term = suffix[idx] - (lens - 1.0) * count  # sum over gaps G >= l of (G - l + 1)
    within = (n_c - 1.0) * (2 * lens**3 - 3 * lens**2 + lens) / 3.0
    numerator = float(np.sum(within + lens**2 * gap_term)) * 2.0 / length
    denominator = m * length * (m * length - 1.0) - float(np.sum(lens * (lens - 1.0)))
    return observed, numerator / denominator


def unitizing_alpha(
    spans: pd.DataFrame,
    lengths: Mapping[str, int] | pd.Series,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    per_document: bool = False,
) -> float | pd.Series:
    """Krippendorff's unitizing alpha (``u-alpha``) over the character continuum.

    Follows Krippendorff (1995), "On the reliability of unitizing continuous
    data", Sociological Methodology 25: each annotator segments a document's
    characters ``[0, len(text))`` into units (spans of one label) and gaps.  For
    one label ``c``:

    * observed ``D_o(c) = sum over annotator pairs i != j, over overlapping
      segments g (of i) and h (of j) of delta^2(g, h) / (m (m-1) L^2)``, where
      ``delta^2`` is ``(b_g - b_h)^2 + (e_g - e_h)^2`` for two overlapping units,
      ``l_g^2`` for a unit lying inside the other's gap, 0 otherwise;
    * expected ``D_e(c) = (2/L) sum over units u of c [ (N_c - 1)(2l^3 - 3l^2 + l)/3
      + l^2 sum over gaps G >= l of (G - l + 1) ] / (mL(mL - 1) - sum l(l-1))``.

    ``u-alpha = 1 - sum_c D_o(c) / sum_c D_e(c)``.  Overlapping spans of one
    annotator with the same label are merged first (the definition needs
    non-overlapping units per coder and label).  With ``per_document=False`` the
    documents are laid end to end as one continuum (``L`` = total length); with
    ``per_document=True`` a Series of per-document values is returned.  ``nan``
    with a ``RuntimeWarning`` when nobody marked anything (``D_e = 0``) or fewer
    than two annotators are given.
    """
    names = list(annotators) if annotators is not None else human_annotators(spans)
    if len(names) < 2:
        warnings.warn(
            "unitizing alpha undefined: fewer than two annotators; returning nan", RuntimeWarning, stacklevel=2
        )
        return float("nan")
    lengths = dict(lengths)
    frame = spans[spans["annotator"].isin(names)]
    labs = list(labels) if labels is not None else sorted(pd.unique(frame["label"]).tolist())
    if per_document:
        result = {}
        for doc, length in lengths.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                result[doc] = unitizing_alpha(frame[frame["doc_id"] == doc], {doc: length}, names, labs)
        return pd.Series(result, name="u_alpha", dtype=float)

    offset = {}
    pos = 0
    for doc, length in lengths.items():
        offset[doc] = pos
        pos += int(length)
    total_len = pos
    unknown = set(frame["doc_id"]) - set(offset)
    if unknown:
        raise ValueError(f"spans refer to documents without a length: {sorted(unknown)[:5]!r}")
    base = frame["doc_id"].map(offset).to_numpy(np.int64)
    g_start = frame["start"].to_numpy(np.int64) + base
    g_end = frame["end"].to_numpy(np.int64) + base
    ann = frame["annotator"].to_numpy()
    lab = frame["label"].to_numpy()
    d_o = d_e = 0.0
    for c in labs:
        units = []
        for name in names:
            sel = (ann == name) & (lab == c)
            units.append(_merge_intervals(g_start[sel], g_end[sel]))
        o, e = _category_terms(units, total_len)
        d_o += o
        d_e += e
    if d_e == 0.0:
        warnings.warn("unitizing alpha undefined: no units marked (expected disagreement 0); returning nan",
                      RuntimeWarning, stacklevel=2)  # fmt: skip
        return float("nan")
    return 1.0 - d_o / d_e
