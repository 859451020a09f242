"""Span agreement, unitizing alpha and bootstrap tests (hand-computed expectations)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from toolkit.agreement.bootstrap import bootstrap_ci
from toolkit.agreement.coefficients import krippendorff_alpha
from toolkit.agreement.spans import label_confusion, pair_scores, span_agreement, tokenize, unitizing_alpha


def frame(rows: list[tuple], annotator: str = "x") -> pd.DataFrame:
    """Span frame from (doc, start, end, label) tuples."""
    df = pd.DataFrame(rows, columns=["doc_id", "start", "end", "label"])
    return df.assign(annotator=annotator, is_model=False, text="", source="S", layer="entity")


A = frame([("d1", 0, 5, "PER"), ("d1", 10, 15, "ORG"), ("d2", 3, 8, "PER"), ("d2", 20, 30, "GPE")], "ana")
B = frame([("d1", 0, 5, "PER"), ("d1", 11, 15, "ORG"), ("d2", 3, 8, "ORG"), ("d2", 40, 45, "GPE")], "ben")


def test_exact_overlap_hand_counts() -> None:
    ex = pair_scores(A, B, "exact").set_index("label")
    # exact + labelled: only d1 0-5 PER matches -> 1 of 4 each way
    assert ex.loc["(all)", ["matched_a", "matched_b"]].tolist() == [1, 1]
    assert ex.loc["(all)", "f1"] == pytest.approx(0.25)
    assert ex.loc["PER", "precision"] == pytest.approx(1.0)  # ben's one PER matches
    assert ex.loc["PER", "recall"] == pytest.approx(0.5)  # ana's two PER, one matched
    ov = pair_scores(A, B, "overlap").set_index("label")
    # overlap + labelled: PER d1, ORG d1 (10-15 vs 11-15) -> 2 of 4 each way
    assert ov.loc["(all)", "matched_a"] == 2 and ov.loc["(all)", "matched_b"] == 2
    unl = pair_scores(A, B, "overlap", labeled=False).set_index("label")
    # ignoring labels, d2 3-8 also matches -> 3 of 4
    assert unl.loc["(all)", "f1"] == pytest.approx(0.75)


def test_exact_duplicates_match_one_to_one() -> None:
    a = frame([("d", 0, 3, "X"), ("d", 0, 3, "X")])
    b = frame([("d", 0, 3, "X")])
    r = pair_scores(a, b, "exact").iloc[0]
    assert (r.matched_a, r.matched_b, r.precision, r.recall) == (1, 1, 1.0, 0.5)


def test_token_level() -> None:
    text = "Dario Venn met Ilse, today."
    starts, ends = tokenize(text)
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == ["Dario", "Venn", "met", "Ilse", ",", "today", "."]
    a = frame([("t", 0, 10, "PER")])  # Dario Venn -> 2 tokens
    b = frame([("t", 6, 10, "PER"), ("t", 15, 19, "PER")])  # Venn, Ilse -> 2 tokens
    r = pair_scores(a, b, "token", texts={"t": text}).set_index("label").loc["(all)"]
    assert (r.n_a, r.n_b, r.matched_a) == (2, 2, 1)
    assert r.f1 == pytest.approx(0.5)
    with pytest.raises(ValueError, match="texts"):
        pair_scores(a, b, "token")


def test_empty_and_unknown_match() -> None:
    empty = frame([])
    r = pair_scores(empty, empty, "overlap").iloc[0]
    assert r.n_a == 0 and math.isnan(r.f1)
    with pytest.raises(ValueError, match="exact, overlap, token"):
        pair_scores(A, B, "fuzzy")  # type: ignore[arg-type]


def test_span_agreement_skips_models_and_gold() -> None:
    model = frame([("d1", 0, 5, "PER")], "model:spacy@3").assign(is_model=True)
    gold = frame([("d1", 0, 5, "PER")], "gold")
    res = span_agreement(pd.concat([A, B, model, gold]), match="exact")
    assert set(zip(res.annotator_a, res.annotator_b, strict=True)) == {("ana", "ben")}


def test_label_confusion_counts() -> None:
    table = label_confusion(A, B, match="overlap")
    assert table.loc["PER", "PER"] == 1
    assert table.loc["ORG", "ORG"] == 1
    assert table.loc["PER", "ORG"] == 1  # d2 3-8
    assert table.loc["GPE", "(none)"] == 1 and table.loc["(none)", "GPE"] == 1
    assert int(table.to_numpy().sum()) == 5


def test_unitizing_alpha_hand_computed() -> None:
    # One label, L = 10, ana marks [2, 5), ben marks [3, 5).
    # Observed: the only non-zero pair is unit/unit: (2-3)^2 + (5-5)^2 = 1;
    #   D_o = 2 * 1 / (m (m-1) L^2) = 2 / 200 = 0.01.
    # Expected: units l = 3, 2 (N_c = 2); gaps of both coders: 2, 5, 3, 5.
    #   l=3: (N_c-1)(2*27 - 27 + 3)/3 = 10;  gaps >= 3: (5-2)+(5-2)+(3-2) = 7 -> 9*7 = 63
    #   l=2: (16 - 12 + 2)/3 = 2;           gaps >= 2: 4+4+2+1 = 11        -> 4*11 = 44
    #   D_e = (2/10)(10+63+2+44) / (20*19 - (3*2 + 2*1)) = 23.8 / 372
    spans = frame([("d", 2, 5, "X")], "ana")
    spans = pd.concat([spans, frame([("d", 3, 5, "X")], "ben")])
    expected = 1 - 0.01 / (23.8 / 372)
    assert unitizing_alpha(spans, {"d": 10}) == pytest.approx(expected, abs=1e-12)


def test_unitizing_alpha_perfect_and_empty() -> None:
    same = pd.concat([frame([("d", 2, 5, "X"), ("d", 7, 9, "Y")], n) for n in ("ana", "ben")])
    assert unitizing_alpha(same, {"d": 12}) == pytest.approx(1.0)
    per_doc = unitizing_alpha(same, {"d": 12}, per_document=True)
    assert per_doc["d"] == pytest.approx(1.0)
    with pytest.warns(RuntimeWarning):
        assert math.isnan(unitizing_alpha(same, {"d": 12}, annotators=["ana"]))
    # a unit ben did not mark at all lowers alpha below 1
    partial = pd.concat([frame([("d", 2, 5, "X")], "ana"), frame([], "ben")])
    assert unitizing_alpha(partial, {"d": 12}, annotators=["ana", "ben"]) < 0.5


def test_span_f1_vectorised_matches_naive_loop() -> None:
    rng = np.random.default_rng(3)
    rows_a, rows_b = [], []
    for d in range(30):
        for _ in range(rng.integers(0, 6)):
            s = int(rng.integers(0, 80))
            rows_a.append((f"d{d}", s, s + int(rng.integers(1, 10)), str(rng.choice(["P", "O"]))))
        for _ in range(rng.integers(0, 6)):
            s = int(rng.integers(0, 80))
            rows_b.append((f"d{d}", s, s + int(rng.integers(1, 10)), str(rng.choice(["P", "O"]))))
    a, b = frame(rows_a), frame(rows_b)
    got = pair_scores(a, b, "overlap").set_index("label").loc["(all)"]

    def hit(x: tuple, others: list[tuple]) -> bool:
        return any(x[0] == o[0] and x[3] == o[3] and x[1] < o[2] and o[1] < x[2] for o in others)

    assert got.matched_b == sum(hit(x, rows_a) for x in rows_b)
    assert got.matched_a == sum(hit(x, rows_b) for x in rows_a)


def test_bootstrap_is_seeded_and_brackets_estimate() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 200)
    noisy = np.where(rng.random(200) < 0.8, truth, rng.integers(0, 3, 200))
    data = np.vstack([truth, noisy]).astype(float)
    r1 = bootstrap_ci(krippendorff_alpha, data, n_boot=200, seed=42)
    r2 = bootstrap_ci(krippendorff_alpha, data, n_boot=200, seed=42)
    r3 = bootstrap_ci(krippendorff_alpha, data, n_boot=200, seed=7)
    assert (r1.low, r1.high) == (r2.low, r2.high)
    assert (r1.low, r1.high) != (r3.low, r3.high)
    assert r1.low < r1.estimate < r1.high
    assert r1.estimate == pytest.approx(krippendorff_alpha(data))
    assert "CI" in repr(r1)


def test_bootstrap_over_documents() -> None:
    spans = pd.concat([A, B])

    def f1(s: pd.DataFrame) -> float:
        return float(span_agreement(s, match="exact", by_label=False)["f1"].iloc[0])

    r = bootstrap_ci(f1, spans, n_boot=50, seed=1, unit_column="doc_id")
    assert r.estimate == pytest.approx(0.25)
    assert 0.0 <= r.low <= r.high <= 0.5  # doc d1 alone gives 0.5, d2 alone 0
