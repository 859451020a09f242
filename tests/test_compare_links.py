"""Claim-link suggestions from top-k neighbours (toolkit.compare.claims.top_k_similar)."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from toolkit.compare import claims


def _unit_rows(n: int, dim: int, density: float, seed: int) -> sparse.csr_matrix:
    rng = np.random.default_rng(seed)
    x = sparse.random(n, dim, density=density, format="csr", dtype=np.float32, random_state=rng)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
    norms[norms == 0] = 1
    return sparse.csr_matrix(sparse.diags(1 / norms) @ x, dtype=np.float32)


def _brute(x: sparse.csr_matrix, k: int | None, min_score: float, codes: list[np.ndarray]) -> dict[int, list[int]]:
    """Dense reference: each row's eligible columns by decreasing score, then column."""
    dense = (x @ x.T).toarray()
    out: dict[int, list[int]] = {}
    for i in range(x.shape[0]):
        ok = [j for j in range(x.shape[0])
              if j != i and dense[i, j] > 0 and dense[i, j] >= min_score and all(c[i] != c[j] for c in codes)]
        ok.sort(key=lambda j: (-dense[i, j], j))
        if ok:
            out[i] = ok[:k] if k is not None else ok
    return out


def _as_rows(rows: np.ndarray, cols: np.ndarray) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        out.setdefault(r, []).append(c)
    return out


@pytest.mark.parametrize("block_rows", [1, 7, 64, None])
@pytest.mark.parametrize(("k", "min_score"), [(1, 0.0), (5, 0.0), (5, 0.2), (None, 0.1)])
def test_top_k_matches_dense_brute_force(block_rows: int | None, k: int | None, min_score: float) -> None:
    x = _unit_rows(120, 40, 0.08, seed=3)
    rng = np.random.default_rng(4)
    doc = rng.integers(0, 30, 120)
    cluster = rng.integers(0, 90, 120)
    rows, cols, scores = claims.top_k_similar(x, k, min_score, [doc, cluster], block_rows=block_rows)
    assert _as_rows(rows, cols) == _brute(x, k, min_score, [doc, cluster])
    dense = (x @ x.T).toarray()
    np.testing.assert_allclose(scores, dense[rows, cols], rtol=1e-5)


@pytest.mark.parametrize(
    ("dim", "density", "kernel", "k", "path"),
    [
        (40, 0.1, True, 3, "_block_dense"),  # scikit-learn's sparse -> dense product, argpartition
        (2000, 0.004, True, None, "_block_sparse"),  # every pair above the threshold
        (40, 0.1, False, 3, "_block_dense"),  # scipy product (older scikit-learn), dense block
        (2000, 0.004, False, 3, "_block_sparse"),  # scipy product, few non-zeros: ranked sparse
    ],
)
def test_every_block_strategy_matches_brute_force(
    dim: int, density: float, kernel: bool, k: int | None, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"_block_dense": 0, "_block_sparse": 0}
    for name in calls:
        real = getattr(claims, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(claims, name, spy)
    if not kernel:
        monkeypatch.setattr(claims, "_sparse_product_to_dense", lambda: None)
    x = _unit_rows(150, dim, density, seed=11)
    x = sparse.vstack([x, x[:20]]).tocsr()  # duplicates: exact ties
    source = np.arange(170) % 4
    rows, cols, _ = claims.top_k_similar(x, k, 0.0, [source], block_rows=32)
    assert _as_rows(rows, cols) == _brute(x, k, 0.0, [source])
    assert calls[path] == 6  # 170 rows in blocks of 32


def test_ties_go_to_the_lower_column_and_empty_vocabulary_gives_nothing() -> None:
    x = sparse.csr_matrix(np.array([[1, 0], [1, 0], [1, 0], [0, 1]], dtype=np.float32))
    rows, cols, _ = claims.top_k_similar(x, 1)
    assert _as_rows(rows, cols) == {0: [1], 1: [0], 2: [0]}
    empty = claims.top_k_similar(sparse.csr_matrix((3, 0), dtype=np.float32), 2)
    assert all(len(a) == 0 for a in empty)
    with pytest.raises(ValueError, match="k must be"):
        claims.top_k_similar(x, 0)
    with pytest.raises(ValueError, match="one code per row"):
        claims.top_k_similar(x, 1, exclude_same=[np.zeros(3)])


def test_same_neighbours_as_scikit_learn() -> None:
    from sklearn.neighbors import NearestNeighbors

    x = _unit_rows(300, 60, 0.1, seed=5)
    k = 4
    rows, cols, scores = claims.top_k_similar(x, k)
    nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute").fit(x)
    dist, idx = nn.kneighbors(x)
    ours = _as_rows(rows, cols)
    sk_scores = 1 - dist
    for i in range(x.shape[0]):
        theirs = [j for j, s in zip(idx[i].tolist(), sk_scores[i].tolist(), strict=True) if j != i and s > 1e-6][:k]
        if len(theirs) == k and ours.get(i):
            # same k-th best score (neighbour identity may differ only among exact ties)
            assert sk_scores[i][idx[i] == theirs[-1]][0] == pytest.approx(
                scores[rows == i][len(ours[i]) - 1], abs=1e-5
            )
            assert len(set(ours[i]) & set(theirs)) >= k - 1


def _claim_spans(n: int, seed: int) -> pd.DataFrame:
    """``n`` invented claims about a few topics across 4 sources, 3 claims per document."""
    r = random.Random(seed)
    topics = ["dam flow cubic metres summer", "bridge repairs deck reopen monday", "tariff grain exports border",
              "fishing quota harbour boats", "election turnout polling stations"]
    rows = []
    for c in range(n):
        words = r.choice(topics).split() + r.sample(["council", "minister", "agency", "week", "river", "report"], 2)
        r.shuffle(words)
        doc = c // 3
        rows.append({"id": f"c{c}", "doc_id": f"d{doc:03d}", "source": f"S{doc % 4}", "start": (c % 3) * 100,
                     "end": (c % 3) * 100 + 60, "label": "CLAIM", "layer": "claim", "text": " ".join(words),
                     "kind": "factual", "speaker": None, "annotator": "ana"})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("cross_source", [False, True])
def test_suggest_links_all_neighbours_equals_all_pairs(cross_source: bool) -> None:
    spans = _claim_spans(90, seed=8)
    links = pd.DataFrame([{"a": "c0", "b": "c5", "annotator": "ana"}, {"a": "c5", "b": "c9", "annotator": "ana"}])
    got = claims.suggest_links(spans, links, min_score=0.2, cross_source=cross_source, neighbors=None)
    # all-pairs reference from the full similarity matrix
    cl = claims.claim_clusters(spans, links).drop_duplicates(["doc_id", "start", "end"]).reset_index(drop=True)
    sim = claims.similarity_matrix(cl["text"].tolist()).toarray()
    expected = set()
    for i in range(len(cl)):
        for j in range(i + 1, len(cl)):
            a, b = cl.iloc[i], cl.iloc[j]
            if sim[i, j] < 0.2 or a.doc_id == b.doc_id or a.cluster == b.cluster:
                continue
            if cross_source and a.source == b.source:
                continue
            expected.add(frozenset((a.claim_id, b.claim_id)))
    assert {frozenset(p) for p in zip(got["a"], got["b"], strict=True)} == expected
    assert got["score"].is_monotonic_decreasing
    assert not ({frozenset(("c0", "c5")), frozenset(("c5", "c9")), frozenset(("c0", "c9"))} & expected)


def test_suggest_links_neighbors_keeps_each_claims_best() -> None:
    spans = _claim_spans(90, seed=9)
    every = claims.suggest_links(spans, min_score=0.0, neighbors=None)
    few = claims.suggest_links(spans, min_score=0.0, neighbors=2)
    assert 0 < len(few) < len(every)
    pairs = {frozenset(p) for p in zip(few["a"], few["b"], strict=True)}
    assert pairs <= {frozenset(p) for p in zip(every["a"], every["b"], strict=True)}
    # every claim that has a suggestion at all keeps its single best one
    long = pd.concat([every.rename(columns={"a": "me", "b": "other"}), every.rename(columns={"b": "me", "a": "other"})])
    best = long.sort_values("score", ascending=False).drop_duplicates("me")
    for me, row in best.set_index("me").iterrows():
        best_score = row["score"]
        kept = few[(few["a"] == me) | (few["b"] == me)]
        assert kept["score"].max() == pytest.approx(best_score)
    assert every.iloc[0]["score"] == few.iloc[0]["score"]


@pytest.mark.parametrize(("k", "min_score"), [(1, 0.0), (5, 0.0), (5, 0.2), (None, 0.1)])
def test_pruned_candidates_are_exact_pairs_that_share_a_rare_term(k: int | None, min_score: float) -> None:
    # Big inputs find candidates through rare terms only (linear time).  Every pair it returns has
    # its exact score and shares a rare term; with no common term at all it equals brute force.
    x = _unit_rows(150, 300, 0.03, seed=5)
    rng = np.random.default_rng(6)
    doc, cluster = rng.integers(0, 40, 150), rng.integers(0, 120, 150)
    df = np.bincount(x.indices, minlength=x.shape[1])
    rows, cols, scores = claims.top_k_similar(x, k, min_score, [doc, cluster], max_df=int(df.max()))
    assert _as_rows(rows, cols) == _brute(x, k, min_score, [doc, cluster])
    max_df = int(np.percentile(df[df > 0], 60))
    rows, cols, scores = claims.top_k_similar(x, k, min_score, [doc, cluster], max_df=max_df)
    dense = (x @ x.T).toarray()
    np.testing.assert_allclose(scores, dense[rows, cols], rtol=1e-5)
    rare = sparse.csr_matrix(x[:, np.flatnonzero((df >= 2) & (df <= max_df))])
    shared = (rare @ rare.T).toarray()
    assert len(rows) and (shared[rows, cols] > 0).all()
    everything = _brute(x, None, min_score, [doc, cluster])
    for r, found in _as_rows(rows, cols).items():  # each row: the best of its candidates, in brute-force order
        assert found == [j for j in everything[r] if shared[r, j] > 0][:k]


def test_big_inputs_take_the_pruned_path_and_keep_the_best_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _unit_rows(400, 2000, 0.01, seed=8)
    exact = claims.top_k_similar(x, 5, 0.0, max_df=None)
    monkeypatch.setattr(claims, "PRUNE_ABOVE", 100)
    monkeypatch.setattr(claims, "COMMON_DF", 30)
    called: list[int] = []
    real = claims._top_k_pruned
    monkeypatch.setattr(claims, "_top_k_pruned", lambda *a: (called.append(a[4]), real(*a))[1])
    pruned = claims.top_k_similar(x, 5, 0.0)
    assert called == [30]
    e = set(zip(exact[0].tolist(), exact[1].tolist(), strict=True))
    p = set(zip(pruned[0].tolist(), pruned[1].tolist(), strict=True))
    assert len(e & p) / len(e) >= 0.95
