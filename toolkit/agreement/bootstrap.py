"""Seeded bootstrap confidence intervals over units for any agreement coefficient."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["BootstrapResult", "bootstrap_ci"]


@dataclass(frozen=True)
class BootstrapResult:
    """Point estimate and percentile bootstrap interval of a statistic."""

    estimate: float
    low: float
    high: float
    confidence: float
    n_boot: int
    n_failed: int
    seed: int | None
    samples: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"<BootstrapResult {self.estimate:.4f} [{self.low:.4f}, {self.high:.4f}] "
            f"{self.confidence:.0%} CI, n_boot={self.n_boot}, undefined={self.n_failed}, seed={self.seed}>"
        )

    def as_dict(self, prefix: str = "") -> dict[str, float]:
        """``{estimate, ci_low, ci_high}`` (with an optional key prefix) for report rows."""
        return {f"{prefix}estimate": self.estimate, f"{prefix}ci_low": self.low, f"{prefix}ci_high": self.high}


def _resample_frame(frame: pd.DataFrame, unit_column: str, units: np.ndarray, pick: np.ndarray) -> pd.DataFrame:
    """Rows of the picked units; repeated units get distinct ids (``<id>#<k>``)."""
    groups = frame.groupby(unit_column, sort=False).indices
    parts = []
    new_ids = []
    for k, u in enumerate(units[pick]):
        idx = groups[u]
        parts.append(idx)
        new_ids.append(np.full(len(idx), f"{u}#{k}", dtype=object))
    rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)
    out = frame.iloc[rows].copy()
    out[unit_column] = np.concatenate(new_ids) if new_ids else np.zeros(0, dtype=object)
    return out


def bootstrap_ci(
    statistic: Callable[[Any], float],
    data: Any,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int | None = 0,
    unit_column: str | None = None,
    progress: bool = False,
) -> BootstrapResult:
    """Percentile bootstrap interval of ``statistic(data)``, resampling *units* with replacement.

    ``data`` is either coders x units (list / array / DataFrame; the columns are
    the units, e.g. ``bootstrap_ci(krippendorff_alpha, data)``), or a long
    DataFrame with ``unit_column`` naming the unit (e.g. ``"doc_id"`` for span
    agreement); then whole units are resampled and repeated units are renamed so
    they stay distinct.  The same ``seed`` gives the same interval.  Replicates
    where the statistic is undefined (``nan``) are dropped and counted in
    ``n_failed``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1; got {n_boot}")
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if unit_column is None:
            arr = data.to_numpy() if isinstance(data, pd.DataFrame) else np.asarray(data)
            if arr.ndim != 2:
                raise ValueError("data must be coders x units (2-D) unless unit_column is given")
            estimate = float(statistic(arr))
            n_units = arr.shape[1]

            def draw() -> float:
                return float(statistic(arr[:, rng.integers(0, n_units, n_units)]))

        else:
            units = pd.unique(data[unit_column])
            estimate = float(statistic(data))
            n_units = len(units)

            def draw() -> float:
                return float(statistic(_resample_frame(data, unit_column, units, rng.integers(0, n_units, n_units))))

        iterator: Any = range(n_boot)
        if progress:
            from tqdm.auto import tqdm

            iterator = tqdm(iterator, desc="bootstrap", unit="rep")
        samples = np.array([draw() for _ in iterator], dtype=np.float64)
    ok = samples[~np.isnan(samples)]
    tail = (1 - confidence) / 2
    if len(ok):
        low, high = (float(v) for v in np.quantile(ok, [tail, 1 - tail]))
    else:
        low = high = float("nan")
    return BootstrapResult(estimate, low, high, confidence, n_boot, int(len(samples) - len(ok)), seed, samples)
