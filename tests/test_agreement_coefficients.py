"""Tests of toolkit.agreement.coefficients: published worked examples, edge cases,
and hypothesis property tests against krippendorff, statsmodels, nltk and scikit-learn."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from toolkit.agreement import coefficients as coef
from toolkit.agreement.coefficients import (
    LEVELS,
    category_counts,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scotts_pi,
)

N = None  # shorthand for a missing value in the tables below

# --------------------------------------------------------------------------- #
# Published worked examples
# --------------------------------------------------------------------------- #
# Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability", Annenberg
# School for Communication, section C: 4 observers x 12 units, values 1..5, missing
# data.  Published: nominal .743, ordinal .815, interval .849, ratio .797.
KRIPP_2011_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
# Same paper, section A: binary data, two observers, no missing data.  Published .095.
KRIPP_2011_A = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example_c(level: str, published: float) -> None:
    assert round(krippendorff_alpha(KRIPP_2011_C, level=level), 3) == published


def test_krippendorff_2011_example_a_binary() -> None:
    assert round(krippendorff_alpha(KRIPP_2011_A, level="nominal"), 3) == 0.095
    # hand check from the paper's coincidence matrix: o01 = 4, n0 = 14, n1 = 6, n = 20
    assert krippendorff_alpha(KRIPP_2011_A) == pytest.approx(1 - 19 * 4 / (14 * 6), abs=1e-12)


def test_krippendorff_2011_ordinal_with_string_domain() -> None:
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    data = [[names[v] if v is not None else None for v in row] for row in KRIPP_2011_C]
    domain = ["very low", "low", "mid", "high", "very high"]
    assert round(krippendorff_alpha(data, level="ordinal", value_domain=domain), 3) == 0.815
    assert round(krippendorff_alpha(data, level="nominal"), 3) == 0.743


# Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
# Psychological Bulletin 76(5), 378-382, Table 1: 30 patients, 6 psychiatrists each,
# 5 diagnoses (depression, personality disorder, schizophrenia, neurosis, other).
# Published kappa = .430.
FLEISS_1971 = np.array(
    [
        [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
        [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
        [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
        [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
    ]
)  # fmt: skip


def test_fleiss_1971_table_1() -> None:
    assert FLEISS_1971.shape == (30, 5)
    assert (FLEISS_1971.sum(axis=1) == 6).all()
    assert round(fleiss_kappa(FLEISS_1971), 3) == 0.430


# Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed., p. 120: 4 raters x
# 12 subjects, categories 1..5, missing ratings.  Published: p_a = 0.818, AC1 = 0.775
# (the values the irrCAC package by Gwet reproduces for this data set).
GWET_2014_RAW4 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, N],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def test_gwet_2014_ac1_and_percent_agreement() -> None:
    assert round(gwet_ac1(GWET_2014_RAW4), 3) == 0.775
    assert round(percent_agreement(GWET_2014_RAW4), 3) == 0.818
    # p_a by hand: 10 units with full agreement among their raters, unit 6 has four
    # different ratings (0), unit 2 has 3 of 4 agreeing (6/12 pairs): (9 + 0.5) / 11 ... see
    # below; units 1..11 have >= 2 raters, unit 12 only one.
    per_unit = [1, 0.5, 1, 1, 1, 0, 1, 0.5, 1, 1, 1]
    assert percent_agreement(GWET_2014_RAW4) == pytest.approx(sum(per_unit) / 11, abs=1e-12)


# Gwet (2014), Handbook, "cont3x3abstractors": 100 pregnant women classified by two
# abstractors into Ectopic / AIU / NIU.  Published: Cohen's kappa 0.796, linear
# weighted 0.843, quadratic weighted 0.892; Scott's pi 0.796.
GWET_3X3 = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])


def _table_to_pairs(table: np.ndarray, labels: list[str]) -> tuple[list[str], list[str]]:
    a: list[str] = []
    b: list[str] = []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            a += [labels[i]] * int(n)
            b += [labels[j]] * int(n)
    return a, b


def test_gwet_3x3_cohen_and_scott() -> None:
    labels = ["1-Ectopic", "2-AIU", "3-NIU"]
    a, b = _table_to_pairs(GWET_3X3, labels)
    assert round(cohen_kappa(a, b), 3) == 0.796
    assert round(cohen_kappa(a, b, weights="linear"), 3) == 0.843
    assert round(cohen_kappa(a, b, weights="quadratic"), 3) == 0.892
    assert round(scotts_pi(a, b), 3) == 0.796


def test_cohen_kappa_hand_computed_2x2() -> None:
    # 50 units: yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4
    a, b = _table_to_pairs(np.array([[20, 5], [10, 15]]), ["yes", "no"])
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)
    # Scott: pooled p(yes) = (25 + 30) / 100 = 0.55; p_e = 0.55^2 + 0.45^2 = 0.505
    assert scotts_pi(a, b) == pytest.approx((0.7 - 0.505) / (1 - 0.505), abs=1e-12)


# --------------------------------------------------------------------------- #
# Edge cases (documented in the module docstring and docs/agreement.md)
# --------------------------------------------------------------------------- #
def test_single_category_is_nan_with_warning() -> None:
    data = [["a", "a", "a"], ["a", "a", "a"]]
    for level in ("nominal",):
        with pytest.warns(RuntimeWarning, match="undefined"):
            assert math.isnan(krippendorff_alpha(data, level=level))
    for level in ("ordinal", "interval", "ratio"):
        with pytest.warns(RuntimeWarning, match="undefined"):
            assert math.isnan(krippendorff_alpha([[2, 2, 2], [2, 2, 2]], level=level))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(cohen_kappa(data[0], data[1]))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(scotts_pi(data[0], data[1]))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(fleiss_kappa([[2, 0], [2, 0], [2, 0]]))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(gwet_ac1(data))
    # percent agreement is defined (and 1.0) in that case
    assert percent_agreement(data) == 1.0


def test_all_missing_is_nan_with_warning() -> None:
    data = [[None, None], [np.nan, None]]
    for fn in (krippendorff_alpha, percent_agreement, gwet_ac1):
        with pytest.warns(RuntimeWarning):
            assert math.isnan(fn(data))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(krippendorff_alpha(np.full((3, 4), np.nan), level="interval"))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(cohen_kappa([None, None], [None, "a"]))


def test_one_coder_is_nan_with_warning() -> None:
    for level in LEVELS:
        with pytest.warns(RuntimeWarning, match="two or more coders"):
            assert math.isnan(krippendorff_alpha([[1, 2, 3, 1]], level=level))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(percent_agreement([[1, 2, 3]]))


def test_unit_coded_once_is_ignored() -> None:
    base = krippendorff_alpha(KRIPP_2011_C)
    extra = [row + [v] for row, v in zip(KRIPP_2011_C, [N, 4, N, N], strict=True)]
    assert krippendorff_alpha(extra) == pytest.approx(base, abs=1e-15)
    for level in LEVELS:
        assert krippendorff_alpha(extra, level=level) == pytest.approx(krippendorff_alpha(KRIPP_2011_C, level=level))
    assert percent_agreement(extra) == pytest.approx(percent_agreement(KRIPP_2011_C))


def test_unknown_level_names_allowed_levels() -> None:
    with pytest.raises(ValueError, match="'nominal', 'ordinal', 'interval', 'ratio'"):
        krippendorff_alpha(KRIPP_2011_C, level="categorical")


def test_value_domain_handling() -> None:
    with pytest.raises(ValueError, match="outside value_domain"):
        krippendorff_alpha(KRIPP_2011_C, value_domain=[1, 2, 3])
    with pytest.raises(ValueError, match="value_domain"):
        krippendorff_alpha([["a", "b"], ["b", "b"]], level="ordinal")
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["b", "b"]], level="interval")
    # values in the domain that nobody used do not change alpha
    assert krippendorff_alpha(KRIPP_2011_C, "ordinal", value_domain=[0, 1, 2, 3, 4, 5, 6]) == pytest.approx(
        krippendorff_alpha(KRIPP_2011_C, "ordinal")
    )


def test_inputs_dataframe_strings_and_numpy_string_nan() -> None:
    df = pd.DataFrame(KRIPP_2011_C, dtype="float")
    assert krippendorff_alpha(df) == pytest.approx(0.7434210526, abs=1e-9)
    # np.asarray of strings mixed with nan gives '<U..' with "nan" for missing
    arr = np.asarray([[str(v) if v is not None else np.nan for v in row] for row in KRIPP_2011_C])
    assert arr.dtype.kind == "U"
    assert krippendorff_alpha(arr) == pytest.approx(krippendorff_alpha(KRIPP_2011_C))


def test_fleiss_uneven_raters_hand_computed_from_gwets_formula() -> None:
    # Gwet, Handbook of Inter-Rater Reliability (4th ed.), Fleiss' generalized kappa.
    # Categories A, B, C; r_i raters per subject (the last subject has no rating and is ignored):
    #   S1: A=3 (r=3)   S2: A=1, B=1 (r=2)   S3: B=2, C=1 (r=3)   S4: C=2 (r=2)   S5: A=1 (r=1)
    # p_a = mean over r_i >= 2 of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1)):
    #   S1: 3*2/(3*2) = 1;  S2: 0/(2*1) = 0;  S3: 2*1/(3*2) = 1/3;  S4: 2*1/(2*1) = 1
    #   p_a = (1 + 0 + 1/3 + 1) / 4 = 7/12
    # pi_k = mean over r_i >= 1 of r_ik / r_i (five subjects):
    #   A: (1 + 1/2 + 0 + 0 + 1) / 5 = 1/2;  B: (0 + 1/2 + 2/3 + 0 + 0) / 5 = 7/30;  C: (0 + 0 + 1/3 + 1 + 0) / 5 = 4/15
    # p_e = (1/2)^2 + (7/30)^2 + (4/15)^2 = 225/900 + 49/900 + 64/900 = 338/900 = 169/450
    # kappa = (7/12 - 169/450) / (1 - 169/450) = (93.5/450) / (281/450) = 187/562
    table = [[3, 0, 0], [1, 1, 0], [0, 2, 1], [0, 0, 2], [1, 0, 0], [0, 0, 0]]
    assert fleiss_kappa(table) == pytest.approx(float(Fraction(187, 562)), abs=1e-12)


def test_fleiss_equal_raters_is_classic_fleiss_and_category_counts_roundtrip() -> None:
    # classic Fleiss (1971): p_j from all ratings pooled, P_i = (sum_j n_ij^2 - n) / (n (n - 1))
    table = np.array([[2, 1, 0], [0, 3, 0], [1, 1, 1], [3, 0, 0]], dtype=float)
    n = 3
    p_j = table.sum(axis=0) / table.sum()
    p_bar = np.mean((np.sum(table**2, axis=1) - n) / (n * (n - 1)))
    classic = (p_bar - np.dot(p_j, p_j)) / (1 - np.dot(p_j, p_j))
    assert fleiss_kappa(table) == pytest.approx(classic, abs=1e-12)
    with pytest.warns(RuntimeWarning):
        assert math.isnan(fleiss_kappa([[1, 0], [0, 1]]))  # nobody rated any subject twice
    table, cats = category_counts([["x", "y", "x"], ["x", "y", "y"]])
    assert list(cats) == ["x", "y"]
    assert table.tolist() == [[2, 0], [0, 2], [1, 1]]


def test_bad_weights_and_lengths() -> None:
    with pytest.raises(ValueError, match="linear"):
        cohen_kappa([1, 2], [1, 2], weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same length"):
        cohen_kappa([1, 2], [1])


def test_sparse_path_matches_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(0, 6, size=(5, 300)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    dense = {lvl: krippendorff_alpha(x, lvl) for lvl in LEVELS}
    monkeypatch.setattr(coef, "_DENSE_LIMIT", 10)
    for lvl in LEVELS:
        assert krippendorff_alpha(x, lvl) == pytest.approx(dense[lvl], abs=1e-12)


# --------------------------------------------------------------------------- #
# Property tests against reference implementations
# --------------------------------------------------------------------------- #
@st.composite
def reliability_matrices(draw: st.DrawFn, max_value: int = 4, missing: bool = True) -> np.ndarray:
    """Coders x units float matrices with NaN; unit 0 always has two different values."""
    n_coders = draw(st.integers(2, 6))
    n_units = draw(st.integers(2, 30))
    cell = st.integers(0, max_value)
    if missing:
        cell = st.one_of(cell, st.none())
    rows = draw(st.lists(st.lists(cell, min_size=n_units, max_size=n_units), min_size=n_coders, max_size=n_coders))
    x = np.array([[np.nan if v is None else float(v) for v in row] for row in rows])
    x[0, 0], x[1, 0] = 0.0, 1.0
    return x


TOL = 1e-9


@settings(max_examples=150, deadline=None)
@given(reliability_matrices())
def test_alpha_matches_krippendorff_package(x: np.ndarray) -> None:
    for level in LEVELS:
        data = x + 1.0 if level == "ratio" else x  # the ratio metric wants positive values
        ours = krippendorff_alpha(data, level=level)
        ref = krippendorff.alpha(data, level_of_measurement=level)
        assert ours == pytest.approx(ref, abs=TOL), level


@settings(max_examples=60, deadline=None)
@given(reliability_matrices(), st.sampled_from([0.25, 0.1, 3.0]))
def test_alpha_non_integer_values_match_package(x: np.ndarray, scale: float) -> None:
    data = x * scale + 0.5  # non-integral values take the np.unique path
    for level in LEVELS:
        assert krippendorff_alpha(data, level=level) == pytest.approx(
            krippendorff.alpha(data, level_of_measurement=level), abs=TOL
        )


@settings(max_examples=60, deadline=None)
@given(reliability_matrices())
def test_alpha_on_strings_equals_alpha_on_codes(x: np.ndarray) -> None:
    names = np.array(["anti", "bad", "calm", "damp", "eager"], dtype=object)
    strings = np.where(np.isnan(x), None, names[np.nan_to_num(x).astype(int)])
    assert krippendorff_alpha(strings) == pytest.approx(krippendorff_alpha(x), abs=TOL)
    assert krippendorff_alpha(strings, "ordinal", value_domain=list(names)) == pytest.approx(
        krippendorff_alpha(x, "ordinal"), abs=TOL
    )


def _nltk_task(x: np.ndarray) -> AnnotationTask:
    triples = [
        (f"c{i}", f"u{j}", int(x[i, j])) for i in range(x.shape[0]) for j in range(x.shape[1]) if not np.isnan(x[i, j])
    ]
    return AnnotationTask(data=triples)


@settings(max_examples=80, deadline=None)
@given(reliability_matrices())
def test_alpha_matches_nltk(x: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _nltk_task(x).alpha()
    assert krippendorff_alpha(x) == pytest.approx(ref, abs=TOL)


@settings(max_examples=80, deadline=None)
@given(reliability_matrices(missing=False))
def test_full_data_pi_kappa_agreement_match_nltk(x: np.ndarray) -> None:
    task = _nltk_task(x)
    assert percent_agreement(x) == pytest.approx(task.avg_Ao(), abs=TOL)
    if x.shape[0] == 2:
        assert scotts_pi(x[0], x[1]) == pytest.approx(task.pi(), abs=TOL)
        assert cohen_kappa(x[0], x[1]) == pytest.approx(task.kappa(), abs=TOL)


@settings(max_examples=100, deadline=None)
@given(reliability_matrices(missing=False), st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_kappa_matches_sklearn_and_statsmodels(x: np.ndarray, weights: str | None) -> None:
    a, b = x[0].astype(int), x[1].astype(int)
    ours = cohen_kappa(a, b, weights=weights)  # type: ignore[arg-type]
    assert ours == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=TOL)
    labels = np.union1d(a, b)
    table = np.array([[np.sum((a == i) & (b == j)) for j in labels] for i in labels])
    sm = sm_cohens_kappa(table, wt=weights) if weights else sm_cohens_kappa(table)
    assert ours == pytest.approx(sm.kappa, abs=TOL)


@settings(max_examples=100, deadline=None)
@given(reliability_matrices(missing=False))
def test_fleiss_kappa_matches_statsmodels(x: np.ndarray) -> None:
    table, _cats = category_counts(x)
    assert fleiss_kappa(table) == pytest.approx(sm_fleiss_kappa(table, method="fleiss"), abs=TOL)


@settings(max_examples=100, deadline=None)
@given(reliability_matrices(missing=False))
def test_gwet_ac1_full_data_matches_textbook_formula(x: np.ndarray) -> None:
    # Independent formula for complete data (Gwet 2008, eq. for r raters):
    # p_a = mean_i sum_k r_ik (r_ik - 1) / (r (r - 1)); pi_k = mean_i r_ik / r.
    table, cats = category_counts(x)
    r = table.sum(axis=1)[0]
    p_a = np.mean(np.sum(table * (table - 1), axis=1) / (r * (r - 1)))
    pi = table.mean(axis=0) / r
    p_e = np.sum(pi * (1 - pi)) / (len(cats) - 1)
    assert gwet_ac1(x) == pytest.approx((p_a - p_e) / (1 - p_e), abs=TOL)
