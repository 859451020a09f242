"""Claim coverage per source: clusters of the same claim across outlets, suggested links.

A *claim cluster* is a connected component of the claim-link graph (links are undirected).
Claims annotated by several selected annotators at the same offsets are treated as the same
claim.  :func:`suggest_links` ranks claim pairs not yet in the same cluster by the cosine
similarity of their TF-IDF word vectors, so an analyst can review likely links first.  It keeps
each claim's ``neighbors`` most similar eligible claims (:func:`top_k_similar`: sparse products
in row blocks), so memory grows with the number of claims, never with its square.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from toolkit.compare._layers import Layer, select_layer

CLUSTER_COLUMNS = ["cluster", "claim_id", "doc_id", "source", "start", "end", "text", "kind",
                   "speaker", "annotator", "cluster_size", "cluster_sources"]


class _UnionFind:
    """Disjoint sets over 0..n-1 with path halving."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def __repr__(self) -> str:
        return f"_UnionFind(n={len(self.parent)})"

    def find(self, i: int) -> int:
        p = self.parent
        while p[i] != i:
            p[i] = p[p[i]]
            i = p[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def claim_spans(spans: pd.DataFrame, layer: Layer = None) -> pd.DataFrame:
    """The claim spans of ``layer``, sorted by document and offset."""
    claims = select_layer(spans, layer)
    if "layer" in claims.columns:
        claims = claims[claims["layer"] == "claim"]
    return claims.sort_values(["doc_id", "start", "end", "annotator"]).reset_index(drop=True)


def _speaker(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def claim_clusters(spans: pd.DataFrame, links: pd.DataFrame, layer: Layer = None) -> pd.DataFrame:
    """One row per claim with its cluster.

    Clusters are numbered ``C1, C2, ...`` in order of their first claim (by document id, then
    offset), so numbering is stable for a given annotation state.  Links of the same ``layer``
    are used; a link whose ends are not both selected claims is ignored.

    Returns columns ``cluster, claim_id, doc_id, source, start, end, text, kind, speaker,
    annotator, cluster_size`` (number of distinct claims) and ``cluster_sources`` (number of
    distinct sources).
    """
    claims = claim_spans(spans, layer)
    if claims.empty:
        return pd.DataFrame(columns=CLUSTER_COLUMNS)
    ids = claims["id"].tolist()
    index = {cid: i for i, cid in enumerate(ids)}
    uf = _UnionFind(len(ids))
    # Same offsets in the same document (different annotators) = same claim.
    for _, grp in claims.groupby(["doc_id", "start", "end"], sort=False):
        rows = grp.index.tolist()
        for r in rows[1:]:
            uf.union(rows[0], r)
    sel_links = select_layer(links, layer) if not links.empty else links
    for a, b in zip(sel_links.get("a", []), sel_links.get("b", []), strict=False):
        if a in index and b in index:
            uf.union(index[a], index[b])
    roots = [uf.find(i) for i in range(len(ids))]
    order: dict[int, str] = {}
    for r in roots:  # rows are sorted by doc, offset: first appearance gives the number
        if r not in order:
            order[r] = f"C{len(order) + 1}"
    out = pd.DataFrame({
        "cluster": [order[r] for r in roots],
        "claim_id": ids,
        "doc_id": claims["doc_id"],
        "source": claims["source"],
        "start": claims["start"].astype(int),
        "end": claims["end"].astype(int),
        "text": claims["text"],
        "kind": claims.get("kind", None),
        "speaker": [_speaker(s) for s in claims.get("speaker", [None] * len(claims))],
        "annotator": claims["annotator"],
    })
    distinct = out.drop_duplicates(["cluster", "doc_id", "start", "end"])
    out["cluster_size"] = out["cluster"].map(distinct.groupby("cluster").size())
    out["cluster_sources"] = out["cluster"].map(out.groupby("cluster")["source"].nunique())
    out["_n"] = out["cluster"].str[1:].astype(int)
    return out.sort_values(["_n", "doc_id", "start"]).drop(columns="_n").reset_index(drop=True)


def cluster_labels(clusters: pd.DataFrame, width: int = 60) -> pd.Series:
    """A short label per cluster: its id and the text of its first claim, cut to ``width``."""
    first = clusters.drop_duplicates("cluster").set_index("cluster")["text"]

    def cut(t: str) -> str:
        t = " ".join(str(t).split())
        return t if len(t) <= width else t[: width - 1].rstrip() + "\u2026"

    return pd.Series({c: f"{c}: {cut(t)}" for c, t in first.items()}, name="label")


def cluster_matrix(clusters: pd.DataFrame, sources: Iterable[str] | None = None,
                   labelled: bool = False) -> pd.DataFrame:
    """Cluster x source matrix: number of distinct claims of each cluster in each source.

    ``labelled=True`` replaces the cluster ids by :func:`cluster_labels`.
    """
    if clusters.empty:
        return pd.DataFrame(columns=list(sources or []), dtype=int)
    distinct = clusters.drop_duplicates(["cluster", "doc_id", "start", "end"])
    m = pd.crosstab(distinct["cluster"], distinct["source"])
    if sources is not None:
        m = m.reindex(columns=sorted(set(m.columns) | set(sources)), fill_value=0)
    m = m.loc[sorted(m.index, key=lambda c: int(c[1:]))]
    if labelled:
        m.index = m.index.map(cluster_labels(clusters))
    return m.rename_axis(index="cluster", columns="source")


def exclusive_claims(clusters: pd.DataFrame) -> pd.DataFrame:
    """Clusters found in one source only: ``cluster, source, claims, text`` (first claim)."""
    if clusters.empty:
        return pd.DataFrame(columns=["cluster", "source", "claims", "text"])
    only = clusters[clusters["cluster_sources"] == 1]
    distinct = only.drop_duplicates(["cluster", "doc_id", "start", "end"])
    out = (distinct.groupby(["cluster", "source"], sort=False)
           .agg(claims=("claim_id", "size"), text=("text", "first")).reset_index())
    return out


def claim_attributions(clusters: pd.DataFrame) -> pd.DataFrame:
    """Who each source attributes each claim cluster to.

    Cluster x source table of speaker names (the claims' ``speaker`` attribute, distinct names
    joined with "; "), "(unattributed)" when the source has the claim without a speaker, and
    empty when the source does not have the claim.
    """
    if clusters.empty:
        return pd.DataFrame()

    def names(s: pd.Series) -> str:
        vals = sorted({v for v in s if v})
        return "; ".join(vals) if vals else "(unattributed)"

    table = clusters.groupby(["cluster", "source"])["speaker"].agg(names).unstack("source")
    table = table.loc[sorted(table.index, key=lambda c: int(c[1:]))].fillna("")
    return table.rename_axis(index="cluster", columns="source")


def tfidf_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF word vectors (English stop words removed, sublinear tf), one row per text.

    Texts with no word left (empty, only stop words) get an all-zero row.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(lowercase=True, stop_words="english", sublinear_tf=True,
                          token_pattern=r"(?u)\b\w[\w'\u2019]*\b", dtype=np.float32)
    try:
        return vec.fit_transform(texts).tocsr()
    except ValueError:  # only stop words / empty texts
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32)


def similarity_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Sparse cosine similarity of TF-IDF word vectors (English stop words removed), all pairs.

    For a few thousand texts at most: the result can hold every pair.  :func:`suggest_links`
    uses :func:`top_k_similar` instead.
    """
    x = tfidf_vectors(texts)
    return (x @ x.T).tocsr()


#: Upper bound on the entries of one block's similarity product (rows x claims) in :func:`top_k_similar`.
BLOCK_ENTRIES = 1 << 23


class _Groups:
    """Rows sharing a code: ``members(v)`` are the rows whose code is ``v`` (sorted)."""

    def __init__(self, codes: np.ndarray) -> None:
        self.codes = codes
        self.order = np.argsort(codes, kind="stable")
        self.sorted = codes[self.order]

    def members(self, value: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.sorted, [value, value + 1])
        return self.order[lo:hi]


def _eligible(rows: np.ndarray, cols: np.ndarray, codes: list[np.ndarray]) -> np.ndarray:
    """Mask of the pairs that may be suggested: not a row with itself, no shared code (document, cluster...)."""
    keep = rows != cols
    for c in codes:
        keep &= c[rows] != c[cols]
    return keep


def _block_sparse(
    rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, k: int | None, codes: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-k of one block from its candidate entries (above the threshold, ordered by row then column)."""
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    keep = _eligible(rows, cols, codes)
    return _top_k_rows(rows[keep], cols[keep], scores[keep], k)


def _block_dense(
    d: np.ndarray, lo: int, k: int, min_score: float, codes: list[np.ndarray], groups: list[_Groups]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-k of one dense block (rows ``lo..``; changed in place): excluded cells zeroed, ``argpartition``."""
    b, n = d.shape
    local = np.arange(b)
    d[local, lo + local] = 0
    for c, g in zip(codes, groups, strict=True):
        block_codes = c[lo:lo + b]
        for value in np.unique(block_codes):
            d[np.ix_(np.flatnonzero(block_codes == value), g.members(value))] = 0
    if min_score > 0:
        d[d < min_score] = 0
    kk = min(k, n)
    cand = np.argpartition(d, n - kk, axis=1)[:, n - kk:] if kk < n else np.tile(np.arange(n), (b, 1))
    top = np.take_along_axis(d, cand, axis=1)
    # argpartition breaks ties at the cut arbitrarily: where a left-out column has the same score as the
    # lowest kept one, redo that row keeping the lower columns (rare: duplicate texts)
    kth = top.min(axis=1)
    for t in np.flatnonzero((kth > 0) & (np.count_nonzero(d >= kth[:, None], axis=1) > kk)):
        row = d[t]
        sel = np.flatnonzero(row >= kth[t])
        sel = sel[np.lexsort((sel, -row[sel]))][:kk]
        cand[t], top[t] = sel, row[sel]
    rows: np.ndarray = np.repeat(local + lo, kk)  # 1-D; masked below (mypy: any shape)
    cols: np.ndarray = cand.ravel().astype(np.int64)
    scores: np.ndarray = top.ravel()
    keep = scores > 0
    rows, cols, scores = rows[keep], cols[keep], scores[keep]
    order = np.lexsort((cols, -scores, rows))
    return rows[order], cols[order], scores[order]


def _sparse_product_to_dense() -> Callable[..., np.ndarray] | None:
    """scikit-learn's ``sparse_matmul_to_dense`` (1.7+): CSR x CSR straight into a dense array, or None."""
    try:
        from sklearn.utils.sparsefuncs import sparse_matmul_to_dense
    except ImportError:  # older scikit-learn: scipy's sparse product, then dense or sparse ranking
        return None
    return sparse_matmul_to_dense


#: Above this many rows, :func:`top_k_similar` finds candidates through rare terms only (linear time).
PRUNE_ABOVE = 20_000
#: A term in more rows than this is "common": it does not make two rows candidates (its weight still counts).
COMMON_DF = 200
#: Upper bound on candidate pairs scored at once on the pruned path.
PRUNED_BLOCK_ENTRIES = 1 << 21


def _top_k_rows(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, k: int | None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's ``k`` best entries, by decreasing score then increasing column.

    The input is ordered by row, then column (a CSR product with sorted indices) and the scores
    are non-negative float32: one stable sort on an integer key (row, then the score's bits
    reversed) orders it, which is several times faster than a three-key ``lexsort``."""
    if not len(rows):
        return rows, cols, scores
    key = (rows.astype(np.int64) << 32) | (0x7FFFFFFF - scores.astype(np.float32).view(np.int32).astype(np.int64))
    order = np.argsort(key, kind="stable")
    rows, cols, scores = rows[order], cols[order], scores[order]
    if k is not None:
        first = np.searchsorted(rows, rows, side="left")
        keep = np.arange(len(rows)) - first < k
        rows, cols, scores = rows[keep], cols[keep], scores[keep]
    return rows, cols, scores


def _top_k_pruned(
    x: sparse.csr_matrix, k: int | None, min_score: float, codes: list[np.ndarray], max_df: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`top_k_similar` for big inputs: two rows are candidates only when they share a term that
    at most ``max_df`` rows contain; each candidate pair then gets its exact score (common terms
    included).  Work is about ``sum over rows of the rows sharing its rare terms``, which is linear in
    the number of rows for a fixed ``max_df``, instead of all pairs.

    The common terms' share of a score is added only for candidates that could still reach the
    row's top ``k``: scores are non-negative, so a row's k-th best rare-terms score is a floor for
    its k-th best exact score, and ``|common_i| * |common_j|`` bounds what the common terms add."""
    n = x.shape[0]
    df = np.bincount(x.indices, minlength=x.shape[1])
    rare = np.flatnonzero((df >= 2) & (df <= max_df))
    common = np.flatnonzero(df > max_df)
    low = x[:, rare].tocsr()
    high = x[:, common].tocsr() if len(common) else None
    high_norm = (np.sqrt(np.asarray(high.multiply(high).sum(axis=1), dtype=np.float64)).ravel()
                 if high is not None else None)
    low_t = low.T.tocsr()
    # rows per block so that a block's candidate entries stay near PRUNED_BLOCK_ENTRIES
    binary = low.copy()
    binary.data[:] = 1
    cost = np.cumsum(np.asarray(binary @ df[rare].astype(np.float64)).ravel())
    cuts = np.searchsorted(cost, np.arange(PRUNED_BLOCK_ENTRIES, cost[-1] + PRUNED_BLOCK_ENTRIES,
                                           PRUNED_BLOCK_ENTRIES)) if n else np.empty(0, np.int64)
    starts = np.unique(np.concatenate([[0], np.minimum(cuts + 1, n)])).astype(np.int64)
    floor = min_score if min_score > 0 else float(np.finfo(np.float32).tiny)
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for lo, hi in zip(starts.tolist(), [*starts[1:].tolist(), n], strict=True):
        if hi <= lo:
            continue
        prod = (low[lo:hi] @ low_t).tocsr()
        prod.sort_indices()
        prod = prod.tocoo()
        rows, cols = prod.row.astype(np.int64) + lo, prod.col.astype(np.int64)
        keep = _eligible(rows, cols, codes)
        rows, cols, score = rows[keep], cols[keep], prod.data[keep].astype(np.float32)
        if high is not None and high_norm is not None and len(rows):
            if k is not None:  # drop candidates that cannot reach their row's top k
                tr, _tc, ts = _top_k_rows(rows, cols, score, k)
                kth = np.zeros(hi - lo, dtype=np.float64)
                counts = np.bincount(tr - lo, minlength=hi - lo)
                last = np.searchsorted(tr, np.arange(lo, hi), side="right") - 1
                full = counts >= k
                kth[full] = ts[last[full]]
                bound = score + high_norm[rows] * high_norm[cols] + 1e-6
                hope = bound >= kth[rows - lo]
                rows, cols, score = rows[hope], cols[hope], score[hope]
            score = score + np.asarray(high[rows].multiply(high[cols]).sum(axis=1), dtype=np.float32).ravel()
        ok = score >= floor
        out.append(_top_k_rows(rows[ok], cols[ok], score[ok], k))
    if not out:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    r, c, sc = zip(*out, strict=True)
    return np.concatenate(r), np.concatenate(c), np.concatenate(sc)


def top_k_similar(
    x: sparse.csr_matrix,
    k: int | None = 10,
    min_score: float = 0.0,
    exclude_same: Sequence[np.ndarray] = (),
    block_rows: int | None = None,
    max_df: int | None | str = "auto",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's ``k`` most similar other rows by dot product (cosine for L2-normalised rows).

    ``x @ x.T`` is computed for a block of rows at a time (``block_rows``, default: as many as
    keep a block under :data:`BLOCK_ENTRIES` entries) and only kept entries survive a block, so
    memory is O(n * k + block), never O(n^2).  A block's product is computed straight into a dense
    buffer (scikit-learn's sparse-to-dense product) and cut with ``np.argpartition``; with
    ``k=None``, or when few entries pass ``min_score``, the block is ranked from its entries above
    the threshold.  A pair is eligible when its score is positive and at least
    ``min_score``, ``j != i``, and ``codes[i] != codes[j]`` for every integer code array in
    ``exclude_same`` (e.g. document, source or cluster codes).  ``k=None`` keeps every eligible
    pair.  Among equal scores the lower column index wins.

    ``max_df``: with a number, only pairs sharing a term that at most ``max_df`` rows contain are
    candidates (:func:`_top_k_pruned`: linear time; a pair that shares only common words is
    missed, which costs little recall since such words weigh little in TF-IDF).  ``"auto"``
    (default) does that with :data:`COMMON_DF` above :data:`PRUNE_ABOVE` rows and compares all
    pairs below; ``None`` always compares all pairs (quadratic time, exact).

    Returns ``(rows, cols, scores)``, each row's entries by decreasing score.
    """
    if k is not None and k < 1:
        raise ValueError(f"k must be >= 1 or None, got {k}")
    x = sparse.csr_matrix(x, dtype=np.float32)
    n = x.shape[0]
    codes = [np.asarray(c, dtype=np.int64) for c in exclude_same]
    for c in codes:
        if c.shape != (n,):
            raise ValueError(f"exclude_same arrays must have one code per row ({n}), got shape {c.shape}")
    if max_df == "auto":
        max_df = COMMON_DF if n > PRUNE_ABOVE else None
    if max_df is not None:
        return _top_k_pruned(x, k, min_score, codes, int(max_df))
    groups = [_Groups(c) for c in codes] if k is not None else []
    if block_rows is None:
        block_rows = max(1, BLOCK_ENTRIES // max(n, 1))
    xt = x.T.tocsr()
    to_dense = _sparse_product_to_dense()
    buf: np.ndarray | None = None
    floor = min_score if min_score > 0 else float(np.finfo(np.float32).tiny)
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for lo in range(0, n, block_rows):
        a = x[lo:lo + block_rows]
        if to_dense is not None:  # scikit-learn's sparse x sparse -> dense kernel, into one reused buffer
            if buf is None:
                buf = np.empty((a.shape[0], n), dtype=np.float32)
            d = to_dense(a, xt, out=buf[:a.shape[0]])
            # argpartition is slow on rows that are mostly zeros: few candidates are ranked sparse
            if k is not None and np.count_nonzero(d >= floor) > d.size // 8:
                out.append(_block_dense(d, lo, k, min_score, codes, groups))
            else:
                r, c = np.nonzero(d >= floor)
                out.append(_block_sparse(r + lo, c, d[r, c], k, codes))
            continue
        prod = (a @ xt).tocsr()
        prod.sort_indices()  # entries by row, then column (the order _block_sparse breaks ties in)
        cand = np.flatnonzero(prod.data >= floor)
        if k is not None and len(cand) > prod.shape[0] * n // 8:
            out.append(_block_dense(prod.toarray(), lo, k, min_score, codes, groups))
        else:
            rows = np.searchsorted(prod.indptr, cand, side="right") - 1 + lo
            out.append(_block_sparse(rows, prod.indices[cand], prod.data[cand], k, codes))
    if not out:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    rows, cols, scores = zip(*out, strict=True)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(scores)


SUGGESTION_COLUMNS = ["score", "a", "b", "doc_a", "doc_b", "source_a", "source_b", "text_a",
                      "text_b", "cluster_a", "cluster_b"]


def suggest_links(
    spans: pd.DataFrame,
    links: pd.DataFrame | None = None,
    layer: Layer = None,
    min_score: float = 0.3,
    top: int | None = None,
    cross_source: bool = False,
    neighbors: int | None = 10,
) -> pd.DataFrame:
    """Rank claim pairs that are not yet linked by TF-IDF cosine similarity.

    Pairs of claims in the same document, and pairs already in the same cluster, are left out;
    ``cross_source=True`` also leaves out pairs from the same source.  A pair is suggested when
    one of its claims is among the other's ``neighbors`` most similar eligible claims
    (``neighbors=None``: every pair scoring at least ``min_score``, which can be a quadratic
    number of rows).  Returns columns ``score, a, b, doc_a, doc_b, source_a, source_b, text_a,
    text_b, cluster_a, cluster_b`` sorted by score (highest first), at most ``top`` rows.
    """
    links = links if links is not None else pd.DataFrame(columns=["a", "b", "annotator"])
    clusters = claim_clusters(spans, links, layer)
    if clusters.empty:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    claims = clusters.drop_duplicates(["doc_id", "start", "end"]).reset_index(drop=True)
    doc = claims["doc_id"].to_numpy()
    src = claims["source"].to_numpy()
    clu = claims["cluster"].to_numpy()
    # a document has one source, so excluding the same source also excludes the same document
    same = [pd.factorize(src)[0] if cross_source else pd.factorize(doc)[0], pd.factorize(clu)[0]]
    x = tfidf_vectors(claims["text"].astype(str).tolist())
    i, j, score = top_k_similar(x, neighbors, min_score, same)
    # a pair found from both ends once, as (lower, higher) row
    i, j = np.minimum(i, j), np.maximum(i, j)
    key = i * len(claims) + j
    key, first = np.unique(key, return_index=True)
    i, j, score = i[first], j[first], score[first]
    order = np.lexsort((j, i, -score))
    if top is not None:
        order = order[:top]
    i, j, score = i[order], j[order], score[order]
    text = claims["text"].to_numpy()
    ids = claims["claim_id"].to_numpy()
    return pd.DataFrame({
        "score": np.round(score.astype(float), 4), "a": ids[i], "b": ids[j],
        "doc_a": doc[i], "doc_b": doc[j], "source_a": src[i], "source_b": src[j],
        "text_a": text[i], "text_b": text[j], "cluster_a": clu[i], "cluster_b": clu[j],
    }, columns=SUGGESTION_COLUMNS)
