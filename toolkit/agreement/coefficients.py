"""Agreement coefficients on coder-by-unit data, as plain vectorised NumPy functions.

Conventions (shared by every function here):

* ``reliability_data`` is a *coders x units* matrix (list of lists, NumPy array or
  pandas DataFrame).  Missing values are ``None``, ``float('nan')`` or ``pd.NA``;
  in a NumPy *string* array (what ``np.asarray`` makes from a list mixing strings
  and ``nan``) the string ``"nan"`` is treated as missing, exactly like the
  ``krippendorff`` package does.
* Categorical values may be numbers or strings; they are mapped to integer codes
  internally.  Category order (needed by weighted kappa and ordinal alpha) is the
  sorted order of the values, or the order of an explicit ``labels`` /
  ``value_domain`` argument.
* Undefined results never crash and are never reported as perfect agreement:
  when the chance-agreement term leaves nothing to correct (e.g. every coder used
  the same single category, or there are no pairable values at all), the function
  returns ``nan`` and emits a :class:`RuntimeWarning` saying why.

Edge cases, summarised (see ``docs/agreement.md`` for the full table):

=========================  =====================================================
situation                  result
=========================  =====================================================
one category used by all   ``nan`` + ``RuntimeWarning`` (expected disagreement 0)
all values missing         ``nan`` + ``RuntimeWarning``
a single coder             ``nan`` + ``RuntimeWarning`` (no unit has 2 values);
                           ``cohen_kappa``/``scotts_pi`` need exactly two coders
unit coded once            ignored (alpha, percent agreement, AC1's ``pa``)
unknown ``level``          ``ValueError`` naming the allowed levels
=========================  =====================================================
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "LEVELS",
    "category_counts",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "scotts_pi",
]

#: Levels of measurement accepted by :func:`krippendorff_alpha`.
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")

Level = Literal["nominal", "ordinal", "interval", "ratio"]

# Above this many (unit, value) cells we switch from dense to sparse counting.
_DENSE_LIMIT = 20_000_000


# --------------------------------------------------------------------------- #
# input handling
# --------------------------------------------------------------------------- #
def _undefined(reason: str) -> float:
    """Warn that a coefficient is undefined and return NaN."""
    warnings.warn(f"agreement coefficient undefined: {reason}; returning nan", RuntimeWarning, stacklevel=3)
    return float("nan")


def _as_matrix(reliability_data: Any) -> np.ndarray:
    """Return ``reliability_data`` as a 2-D NumPy array (coders x units)."""
    is_frame = isinstance(reliability_data, pd.DataFrame)
    arr = reliability_data.to_numpy() if is_frame else np.asarray(reliability_data)
    if arr.ndim == 1:
        raise ValueError("reliability_data must be 2-D (coders x units); got a 1-D sequence")
    if arr.ndim != 2:
        raise ValueError(f"reliability_data must be 2-D (coders x units); got {arr.ndim} dimensions")
    return arr


def _missing_mask(arr: np.ndarray) -> np.ndarray:
    """Boolean mask of missing cells (NaN, None, pd.NA; ``"nan"`` in string arrays)."""
    kind = arr.dtype.kind
    if kind in "fc":
        return np.isnan(arr)
    if kind in "iub":
        return np.zeros(arr.shape, dtype=bool)
    if kind in "US":
        return arr == ("nan" if kind == "U" else b"nan")
    return np.asarray(pd.isna(arr), dtype=bool)


def _is_numeric(values: np.ndarray) -> bool:
    """True when an array of present values holds only (non-bool) real numbers."""
    if values.dtype.kind in "iuf":
        return True
    if values.dtype.kind != "O":
        return False
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def _sorted_uniques(values: np.ndarray) -> np.ndarray:
    """Unique values in sorted order (falls back to sorting by ``str`` for mixed types)."""
    uniq = pd.unique(values)
    try:
        order = sorted(range(len(uniq)), key=lambda i: uniq[i])
    except TypeError:
        order = sorted(range(len(uniq)), key=lambda i: str(uniq[i]))
    return np.asarray([uniq[i] for i in order], dtype=object if values.dtype.kind == "O" else values.dtype)


def _encode_present(values: np.ndarray, value_domain: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Map present (non-missing) values to integer codes.

    Returns ``(codes, domain)`` with ``domain[codes] == values``.  Without a
    ``value_domain`` the domain is the sorted set of observed values.  With one,
    values outside it raise ``ValueError`` (like the ``krippendorff`` package).
    """
    if value_domain is not None:
        domain = np.asarray(value_domain)
        if domain.ndim != 1:
            raise ValueError("value_domain must be a 1-D sequence of values")
        index = pd.Index(domain)
        if not index.is_unique:
            raise ValueError("value_domain contains duplicate values")
        codes = index.get_indexer(values)
        if (codes < 0).any():
            bad = pd.unique(values[codes < 0])[:5]
            raise ValueError(f"reliability data contains values outside value_domain: {list(bad)!r}")
        return codes.astype(np.intp), domain
    if values.size == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    if values.dtype.kind in "iuf":
        vf = values.astype(np.float64, copy=False)
        lo, hi = vf.min(), vf.max()
        # Fast path: integer-valued data with a small range -> O(n) bincount, no sort.
        if np.isfinite(lo) and np.isfinite(hi) and hi - lo <= 4 * vf.size + 1024:
            shifted = vf - lo
            ints = shifted.astype(np.intp)
            if np.array_equal(ints, shifted):
                present = np.bincount(ints, minlength=int(hi - lo) + 1) > 0
                remap = np.cumsum(present) - 1
                domain = np.flatnonzero(present) + lo
                if values.dtype.kind in "iu":
                    domain = domain.astype(values.dtype)
                return remap[ints], domain
        domain, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.intp).reshape(-1), domain
    domain = _sorted_uniques(values)
    codes = pd.Index(domain).get_indexer(values)
    return codes.astype(np.intp), domain


def _fast_integer_codes(x: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes for integer-valued float data with a small range, in O(n) without sorting.

    Returns ``None`` when the fast path does not apply (non-integral values, a
    range much larger than the data, or no present value).
    """
    if missing.all():
        return None
    lo = float(np.fmin.reduce(x, axis=None))  # fmin/fmax skip NaN without copying
    hi = float(np.fmax.reduce(x, axis=None))
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo > 4 * x.size + 1024:
        return None
    span = int(hi - lo) + 1
    shifted = np.where(missing, float(span), x - lo)
    ints = shifted.astype(np.intp)
    if not np.array_equal(ints, shifted):
        return None
    present = np.bincount(ints.ravel(), minlength=span + 1)[:span] > 0
    remap = np.append(np.cumsum(present) - 1, -1)
    return remap[ints], np.flatnonzero(present) + lo


def _encode_array(arr: np.ndarray, value_domain: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Encode a coders x units array as integer codes (``-1`` = missing) and its domain."""
    missing = _missing_mask(arr)
    if arr.dtype.kind in "iuf" and value_domain is None:
        x = arr.astype(np.float64, copy=False)
        fast = _fast_integer_codes(x, missing)
        if fast is not None:
            codes, domain = fast
            if arr.dtype.kind in "iu":
                domain = domain.astype(arr.dtype)
            return codes, domain
    present = arr[~missing]
    if present.dtype.kind == "O" and present.size and _is_numeric(present):
        present = present.astype(np.float64)
    codes_present, domain = _encode_present(present, value_domain)
    codes = np.full(arr.shape, -1, dtype=np.intp)
    codes[~missing] = codes_present
    return codes, domain


def _encode(reliability_data: Any, value_domain: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Encode coders x units data (any accepted input) as integer codes and domain."""
    return _encode_array(_as_matrix(reliability_data), value_domain)


def _dense_counts(codes: np.ndarray, n_values: int) -> np.ndarray | None:
    """Units x values count matrix, or ``None`` when it would be too large (use triplets)."""
    n_units = codes.shape[1]
    width = n_values + 1  # one extra slot per unit collects the missing cells
    if n_units * width > _DENSE_LIMIT:
        return None
    slot = np.where(codes >= 0, codes, n_values)
    slot += np.arange(n_units, dtype=slot.dtype)[None, :] * width
    return np.bincount(slot.ravel(), minlength=n_units * width).reshape(n_units, width)[:, :n_values]


def _unit_value_counts(codes: np.ndarray, n_values: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse ``(unit, value, count)`` triplets of a codes matrix (coders x units, -1 missing)."""
    n_units = codes.shape[1]
    width = n_values + 1  # one extra slot per unit collects the missing cells
    if n_units * width <= _DENSE_LIMIT:
        slot = np.where(codes >= 0, codes, n_values)
        keys = slot + np.arange(n_units, dtype=np.intp)[None, :] * width
        dense = np.bincount(keys.ravel(), minlength=n_units * width).reshape(n_units, width)[:, :n_values]
        flat = dense.ravel()
        nz = np.flatnonzero(flat)
        return nz // n_values, nz % n_values, flat[nz]
    mask = codes >= 0
    _coder_idx, unit_idx = np.nonzero(mask)  # C order, the same order as codes[mask]
    keys = unit_idx.astype(np.int64) * n_values + codes[mask]
    uniq, cnt = np.unique(keys, return_counts=True)
    return uniq // n_values, uniq % n_values, cnt


def _pairable_triplets(
    codes: np.ndarray, n_values: int, min_values: int = 2
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Triplets restricted to units with at least ``min_values`` values, plus per-unit totals.

    Returns ``(unit, value, count, m)`` where ``m[u]`` is the number of values in
    unit ``u`` (all units; filter with ``m >= min_values``).
    """
    unit, value, count = _unit_value_counts(codes, max(n_values, 1))
    m = np.bincount(unit, weights=count, minlength=codes.shape[1])
    keep = m[unit] >= min_values
    return unit[keep], value[keep], count[keep].astype(np.float64), m


# --------------------------------------------------------------------------- #
# Krippendorff's alpha
# --------------------------------------------------------------------------- #
def _check_level(level: str) -> None:
    if level not in LEVELS:
        allowed = ", ".join(repr(x) for x in LEVELS)
        raise ValueError(f"unknown level of measurement {level!r}; allowed levels: {allowed}")


def _interval_alpha(x: np.ndarray) -> float:
    """Interval alpha in closed form (no coincidence matrix), x is coders x units float with NaN."""
    present = ~np.isnan(x)
    m = present.sum(axis=0)
    pairable = m >= 2
    if not pairable.any():
        return _undefined("no unit has values from two or more coders")
    xp = x[:, pairable]
    pp = present[:, pairable]
    mp = m[pairable].astype(np.float64)
    filled = np.where(pp, xp, 0.0)
    unit_mean = filled.sum(axis=0) / mp
    dev = np.where(pp, xp - unit_mean, 0.0)
    ss_unit = np.einsum("ij,ij->j", dev, dev)
    # sum over ordered pairs inside a unit of (x_i - x_j)^2 = 2 m SS_u; weight 1/(m-1)
    observed = float(np.sum(ss_unit * (mp / (mp - 1.0))))
    n = float(mp.sum())
    grand = float(filled.sum()) / n
    dev_all = np.where(pp, xp - grand, 0.0)
    ss_total = float(np.einsum("ij,ij->", dev_all, dev_all))
    if ss_total == 0.0:
        return _undefined("all pairable values are identical (expected disagreement is zero)")
    return 1.0 - (n - 1.0) * observed / (n * ss_total)


def krippendorff_alpha(
    reliability_data: Any,
    level: Level | str = "nominal",
    value_domain: Sequence[Any] | npt.ArrayLike | None = None,
) -> float:
    """Krippendorff's alpha for coders x units data with missing values.

    Parameters
    ----------
    reliability_data:
        Matrix *coders x units* (the convention of the ``krippendorff`` package).
        Missing values are ``nan`` / ``None`` / ``pd.NA``.  Values may be numbers or
        strings.
    level:
        ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.  Any other value
        raises ``ValueError`` naming the allowed levels.
    value_domain:
        Optional ordered sequence of the possible values.  Needed for ``"ordinal"``
        with string values (it gives their order); data values outside it raise
        ``ValueError``.  Values in the domain that nobody used do not change alpha.
        ``"interval"`` and ``"ratio"`` need numeric values.

    Returns
    -------
    float
        ``1 - D_o / D_e``.  Units coded by fewer than two coders carry no pairable
        values and are ignored.  ``nan`` with a ``RuntimeWarning`` when alpha is
        undefined: no unit has two values (all missing, a single coder) or all
        pairable values are the same (expected disagreement ``D_e = 0``).

    Notes
    -----
    Nominal and interval alpha are computed without the value-by-value
    coincidence matrix (nominal from per-unit value counts, interval from
    per-unit sums of squares), so they cost O(coders x units) whatever the
    number of distinct values.  Ordinal and ratio use the coincidence matrix
    ``o = W^T C - diag(...)`` where ``C`` holds unit-by-value counts and
    ``W = C / (m_u - 1)``; their cost grows with the square of the number of
    distinct values (as in the ``krippendorff`` package).
    """
    _check_level(level)
    arr = _as_matrix(reliability_data)
    missing = _missing_mask(arr)
    _check_values(arr, missing, level, value_domain)
    if level == "interval":
        x = arr.astype(np.float64) if arr.dtype.kind in "iufb" else np.where(missing, np.nan, arr).astype(np.float64)
        return _interval_alpha(x)

    codes, domain = _encode_array(arr, value_domain)
    pairable = _pairable_values(codes, len(domain), nominal=level == "nominal")
    if pairable is None:
        return _undefined("no unit has values from two or more coders")
    n_v, n = pairable.n_v, pairable.n
    if level == "nominal":
        expected = n * n - float(np.dot(n_v, n_v))
        if expected == 0.0:
            return _undefined("all pairable values are identical (expected disagreement is zero)")
        return 1.0 - (n - 1.0) * (n - pairable.trace) / expected

    d = _ordinal_distances(n_v) if level == "ordinal" else _ratio_distances(domain)
    expected = float(n_v @ d @ n_v)
    if expected == 0.0:
        return _undefined("all pairable values are identical (expected disagreement is zero)")
    assert pairable.o is not None
    return 1.0 - (n - 1.0) * float(np.sum(pairable.o * d)) / expected


def _check_values(arr: np.ndarray, missing: np.ndarray, level: str, value_domain: Any) -> None:
    """Raise ValueError if the values do not suit ``level``: strings for interval or ratio, ordinal
    strings without a ``value_domain``, interval or ratio values outside a given domain."""
    if arr.dtype.kind in "iufb":
        present_vals = None
        is_string = False
    else:
        present_vals = arr[~missing]
        is_string = present_vals.size > 0 and not _is_numeric(present_vals)
    if is_string and level == "ordinal" and value_domain is None:
        raise ValueError("ordinal alpha on string values needs an ordered value_domain")
    if level in ("interval", "ratio"):
        if is_string or (value_domain is not None and not _is_numeric(np.asarray(value_domain).ravel())):
            raise ValueError(f"level {level!r} needs numeric values; got strings")
        if value_domain is not None:
            vals = arr[~missing] if present_vals is None else present_vals
            _encode_present(vals.astype(np.float64), np.asarray(value_domain, dtype=np.float64))


class _Pairable(NamedTuple):
    """The pairable values of a reliability matrix (units coded by two or more coders)."""

    n_v: np.ndarray  # pairable values per value
    n: float  # all pairable values
    trace: float  # nominal: trace of the coincidence matrix (nan otherwise)
    o: np.ndarray | None  # other levels: the coincidence matrix (None for nominal)


def _pairable_values(codes: np.ndarray, n_values: int, nominal: bool) -> _Pairable | None:
    """Value totals and coincidences of the units coded by two or more coders; None if there are none.

    A dense units x values count matrix when it fits (:func:`_dense_counts`), else sparse triplets.
    """
    trace, o = float("nan"), None
    dense = _dense_counts(codes, n_values)
    if dense is not None:
        m_all = dense.sum(axis=1)
        keep = m_all >= 2
        if not keep.any():
            return None
        c_mat = dense[keep].astype(np.float64)
        inv = 1.0 / (m_all[keep] - 1.0)
        n_v = c_mat.sum(axis=0)
        if nominal:
            # trace of the coincidence matrix: sum_u sum_c c_uc (c_uc - 1) / (m_u - 1)
            trace = float(np.dot(np.einsum("ij,ij->i", c_mat, c_mat - 1.0), inv))
        else:
            # coincidence matrix o = sum_u (c_u c_u^T - diag(c_u)) / (m_u - 1)
            w_mat = c_mat * inv[:, None]
            o = w_mat.T @ c_mat
            o[np.diag_indices(n_values)] -= w_mat.sum(axis=0)
        return _Pairable(n_v, float(n_v.sum()), trace, o)
    unit, value, count, m_all = _pairable_triplets(codes, n_values)
    if unit.size == 0:
        return None
    inv_all = np.zeros(len(m_all))
    np.divide(1.0, m_all - 1.0, out=inv_all, where=m_all >= 2)
    winv = inv_all[unit]
    n_v = np.bincount(value, weights=count, minlength=n_values)
    if nominal:
        trace = float(np.sum(count * (count - 1.0) * winv))
    else:
        from scipy import sparse

        shape = (codes.shape[1], n_values)
        c_sp = sparse.csr_matrix((count, (unit, value)), shape=shape)
        w_sp = sparse.csr_matrix((count * winv, (unit, value)), shape=shape)
        o = np.asarray((w_sp.T @ c_sp).todense())
        o[np.diag_indices(n_values)] -= np.bincount(value, weights=count * winv, minlength=n_values)
    return _Pairable(n_v, float(n_v.sum()), trace, o)


def _ordinal_distances(n_v: np.ndarray) -> np.ndarray:
    """Squared ordinal distances between values (from the pairable value totals ``n_v``, in domain order)."""
    n_values = len(n_v)
    cum = np.cumsum(n_v)
    lo = np.minimum.outer(np.arange(n_values), np.arange(n_values))
    hi = np.maximum.outer(np.arange(n_values), np.arange(n_values))
    between = cum[hi] - cum[lo] + n_v[lo]
    return (between - (n_v[:, None] + n_v[None, :]) / 2.0) ** 2


def _ratio_distances(domain: np.ndarray) -> np.ndarray:
    """Squared ratio distances ``((a - b) / (a + b))^2`` between the domain's values (0 where a + b = 0)."""
    dv = np.asarray(domain, dtype=np.float64)
    s = dv[:, None] + dv[None, :]
    diff = dv[:, None] - dv[None, :]
    return np.divide(diff, s, out=np.zeros_like(s), where=s != 0) ** 2


# --------------------------------------------------------------------------- #
# multi-coder categorical coefficients
# --------------------------------------------------------------------------- #
def category_counts(reliability_data: Any, categories: Sequence[Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Turn coders x units data into a units x categories count table.

    Returns ``(counts, categories)``; ``counts[u, k]`` is how many coders put unit
    ``u`` in category ``categories[k]``.  This is the input of :func:`fleiss_kappa`.
    """
    codes, domain = _encode(reliability_data, categories)
    n_units = codes.shape[1]
    table = np.zeros((n_units, len(domain)), dtype=np.int64)
    if len(domain) == 0:
        return table, domain
    unit, value, count = _unit_value_counts(codes, len(domain))
    table[unit, value] = count
    return table, domain


def percent_agreement(reliability_data: Any) -> float:
    """Observed (pairwise) percent agreement, as a proportion in ``[0, 1]``.

    For each unit coded by ``m_u >= 2`` coders, the share of agreeing ordered coder
    pairs ``sum_k r_uk (r_uk - 1) / (m_u (m_u - 1))``; the result is the mean over
    those units.  With two coders and no missing values this is the share of units
    on which they agree.  Units coded once are ignored; ``nan`` with a
    ``RuntimeWarning`` when no unit has two values.  This is the ``p_a`` of Gwet's
    handbook (and NLTK's ``avg_Ao`` when no values are missing).
    """
    codes, domain = _encode(reliability_data)
    unit, _value, count, m = _pairable_triplets(codes, len(domain))
    if unit.size == 0:
        return _undefined("no unit has values from two or more coders")
    agree = np.bincount(unit, weights=count * (count - 1.0), minlength=len(m))
    keep = m >= 2
    return float(np.mean(agree[keep] / (m[keep] * (m[keep] - 1.0))))


def fleiss_kappa(counts: npt.ArrayLike) -> float:
    """Fleiss' kappa from a subjects x categories table of counts, for any number of raters per subject.

    Gwet's generalisation of Fleiss (1971) to subjects rated by different numbers of
    raters (Handbook of Inter-Rater Reliability, 4th ed., 2014, Fleiss' generalized kappa),
    with ``r_ik`` the count of subject ``i`` in category ``k`` and ``r_i = sum_k r_ik``:

    * ``p_a``: mean over subjects with ``r_i >= 2`` of ``sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))``;
    * ``pi_k``: mean over subjects with ``r_i >= 1`` of ``r_ik / r_i``; ``p_e = sum_k pi_k**2``;
    * ``kappa = (p_a - p_e) / (1 - p_e)``.

    When every subject has the same number of raters this is exactly Fleiss' kappa.
    Subjects with no rating are ignored.  Use :func:`category_counts` to build the table
    from coders x units data.  Returns ``nan`` with a ``RuntimeWarning`` when no subject
    has two ratings or all ratings fall in one category (chance agreement 1).
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError("counts must be a 2-D subjects x categories table")
    if table.shape[0] == 0:
        return _undefined("no subjects")
    if (table < 0).any() or not np.isfinite(table).all():
        raise ValueError("counts must be finite and non-negative")
    raters = table.sum(axis=1)
    rated = raters >= 1
    pairable = raters >= 2
    if not pairable.any():
        return _undefined("no subject has two or more ratings")
    r = raters[pairable]
    p_a = float(np.mean((np.sum(table[pairable] ** 2, axis=1) - r) / (r * (r - 1.0))))
    pi_k = (table[rated] / raters[rated][:, None]).mean(axis=0)
    p_e = float(np.dot(pi_k, pi_k))
    if p_e >= 1.0:
        return _undefined("every rating is in the same category (chance agreement is 1)")
    return (p_a - p_e) / (1.0 - p_e)


def gwet_ac1(reliability_data: Any, categories: Sequence[Any] | None = None) -> float:
    """Gwet's AC1 (Gwet 2008; Handbook of Inter-Rater Reliability, 4th ed., 2014).

    Multi-rater form with missing values, as in Gwet's handbook:

    * ``p_a``: mean over units rated by ``r_i >= 2`` raters of
      ``sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))`` (same as :func:`percent_agreement`);
    * ``pi_k``: mean over units rated at least once of ``r_ik / r_i``;
    * ``p_e = sum_k pi_k (1 - pi_k) / (q - 1)`` with ``q`` the number of categories
      (``len(categories)`` if given, else the number of observed values).

    Returns ``(p_a - p_e) / (1 - p_e)``; ``nan`` with a ``RuntimeWarning`` when
    ``q < 2`` (a single category) or no unit has two ratings.
    """
    codes, domain = _encode(reliability_data, categories)
    q = len(domain)
    if q < 2:
        return _undefined("fewer than two categories (AC1 needs q >= 2)")
    unit, value, count, m = _pairable_triplets(codes, q, min_values=1)
    rated = m >= 1
    pairable = m >= 2
    if not pairable.any():
        return _undefined("no unit has values from two or more coders")
    m_safe = np.where(rated, m, 1.0)
    pi_k = np.bincount(value, weights=count / m_safe[unit], minlength=q) / float(rated.sum())
    agree = np.bincount(unit, weights=count * (count - 1.0), minlength=len(m))
    p_a = float(np.mean(agree[pairable] / (m[pairable] * (m[pairable] - 1.0))))
    p_e = float(np.sum(pi_k * (1.0 - pi_k)) / (q - 1.0))
    return (p_a - p_e) / (1.0 - p_e)


# --------------------------------------------------------------------------- #
# two-coder coefficients
# --------------------------------------------------------------------------- #
def _two_coder_table(a: Any, b: Any, labels: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """Contingency table (proportions) of two coders over units both coded."""
    a_arr = np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a
    b_arr = np.asarray(b, dtype=object) if not isinstance(b, np.ndarray) else b
    if a_arr.ndim != 1 or b_arr.ndim != 1:
        raise ValueError("a and b must be 1-D sequences of labels (one per unit)")
    if len(a_arr) != len(b_arr):
        raise ValueError(f"a and b must have the same length; got {len(a_arr)} and {len(b_arr)}")
    stacked = np.empty((2, len(a_arr)), dtype=object)
    stacked[0] = a_arr
    stacked[1] = b_arr
    codes, domain = _encode(stacked, labels)
    both = (codes >= 0).all(axis=0)
    q = len(domain)
    ca, cb = codes[0, both], codes[1, both]
    table = np.bincount(ca * q + cb, minlength=q * q).reshape(q, q).astype(np.float64)
    return table, domain


def _weights(q: int, weights: str | None) -> np.ndarray:
    """Disagreement weights between category positions."""
    idx = np.arange(q)
    diff = np.abs(idx[:, None] - idx[None, :]).astype(np.float64)
    if weights is None:
        return (diff > 0).astype(np.float64)
    if weights == "linear":
        return diff
    if weights == "quadratic":
        return diff**2
    raise ValueError(f"unknown weights {weights!r}; allowed: None, 'linear', 'quadratic'")


def cohen_kappa(
    a: Sequence[Any] | npt.ArrayLike,
    b: Sequence[Any] | npt.ArrayLike,
    weights: Literal["linear", "quadratic"] | None = None,
    labels: Sequence[Any] | None = None,
) -> float:
    """Cohen's kappa (Cohen 1960) between two coders, optionally weighted (Cohen 1968).

    ``a`` and ``b`` hold one label per unit; units where either is missing are
    dropped.  ``weights`` is ``None`` (unweighted), ``"linear"`` or ``"quadratic"``;
    weights use category *positions* in ``labels`` (default: sorted observed
    labels), like ``sklearn.metrics.cohen_kappa_score``.  Returns ``nan`` with a
    ``RuntimeWarning`` when chance disagreement is zero (both coders used one and
    the same category) or no unit was coded by both.
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"unknown weights {weights!r}; allowed: None, 'linear', 'quadratic'")
    table, _domain = _two_coder_table(a, b, labels)
    total = table.sum()
    if total == 0:
        return _undefined("no unit was coded by both coders")
    p = table / total
    w = _weights(len(table), weights)
    expected = float(np.sum(w * np.outer(p.sum(axis=1), p.sum(axis=0))))
    if expected == 0.0:
        return _undefined("chance disagreement is zero (both coders used a single category)")
    return 1.0 - float(np.sum(w * p)) / expected


def scotts_pi(a: Sequence[Any] | npt.ArrayLike, b: Sequence[Any] | npt.ArrayLike) -> float:
    """Scott's pi (Scott 1955) between two coders.

    Like Cohen's kappa but chance agreement uses the pooled distribution of both
    coders: ``p_e = sum_k ((p_ak + p_bk) / 2)^2``.  Units where either coder is
    missing are dropped.  ``nan`` with a ``RuntimeWarning`` when ``p_e == 1``.
    """
    table, _domain = _two_coder_table(a, b, None)
    total = table.sum()
    if total == 0:
        return _undefined("no unit was coded by both coders")
    p = table / total
    pooled = (p.sum(axis=1) + p.sum(axis=0)) / 2.0
    p_o = float(np.trace(p))
    p_e = float(np.dot(pooled, pooled))
    if p_e >= 1.0:
        return _undefined("chance agreement is 1 (both coders used a single category)")
    return (p_o - p_e) / (1.0 - p_e)
