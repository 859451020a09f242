"""Benchmark of toolkit.agreement against the `krippendorff` package, measured in the same run.

Prints:
* krippendorff_alpha on 20 coders x 50,000 units (values 1..5, 10 % missing), nominal and
  interval (plus ordinal and ratio), ours vs ``krippendorff.alpha``: best of 7 runs each, and the ratio;
* span F1 (exact and overlap, per label) for 2 annotators x 10,000 documents x 30 spans.

Run: ``.venv/bin/python benchmarks/bench_agreement.py``
"""

from __future__ import annotations

import time
from collections.abc import Callable

import krippendorff
import numpy as np
import pandas as pd

from toolkit.agreement.coefficients import krippendorff_alpha
from toolkit.agreement.spans import pair_scores


def best_of(fn: Callable[[], object], repeat: int = 7) -> tuple[float, object]:
    """Fastest wall time of ``repeat`` calls (after one warm-up call) and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def bench_alpha() -> None:
    rng = np.random.default_rng(2024)
    data = rng.integers(1, 6, size=(20, 50_000)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    print("krippendorff_alpha, 20 coders x 50,000 units, values 1..5, 10% missing (best of 7)")
    print(f"{'level':<10}{'ours (ms)':>12}{'krippendorff (ms)':>20}{'ratio':>8}{'|diff|':>10}")
    for level in ("nominal", "interval", "ordinal", "ratio"):
        ours_t, ours = best_of(lambda level=level: krippendorff_alpha(data, level=level))
        ref_t, ref = best_of(lambda level=level: krippendorff.alpha(data, level_of_measurement=level))
        diff = abs(float(ours) - float(ref))  # type: ignore[arg-type]
        print(f"{level:<10}{ours_t * 1e3:>12.1f}{ref_t * 1e3:>20.1f}{ours_t / ref_t:>8.2f}{diff:>10.1e}")


def make_spans(rng: np.random.Generator, n_docs: int, per_doc: int) -> pd.DataFrame:
    docs = np.repeat(np.arange(n_docs), per_doc)
    starts = np.tile(np.arange(per_doc), n_docs) * 40 + rng.integers(0, 10, n_docs * per_doc)
    ends = starts + rng.integers(1, 25, n_docs * per_doc)
    labels = rng.choice(["PERSON", "ORG", "GPE", "DATE", "CLAIM"], n_docs * per_doc)
    ids = np.char.add("doc-", np.char.zfill(docs.astype(str), 5))
    return pd.DataFrame({"doc_id": ids, "start": starts, "end": ends, "label": labels})


def bench_spans() -> None:
    rng = np.random.default_rng(7)
    a = make_spans(rng, 10_000, 30)
    b = a.copy()
    shift = rng.random(len(b)) < 0.2
    b.loc[shift, ["start", "end"]] += 1
    relabel = rng.random(len(b)) < 0.1
    b.loc[relabel, "label"] = "ORG"
    b = b.sample(frac=1.0, random_state=1).reset_index(drop=True)
    print(f"\nspan F1, 2 annotators x 10,000 documents x 30 spans ({len(a):,} + {len(b):,} spans), best of 3")
    for match in ("exact", "overlap"):
        t, res = best_of(lambda match=match: pair_scores(a, b, match), repeat=3)
        f1 = float(res.iloc[0]["f1"])  # type: ignore[union-attr]
        print(f"{match:<10}{t:>8.3f} s   F1 = {f1:.4f}   target < 2 s: {'OK' if t < 2 else 'MISSED'}")


if __name__ == "__main__":
    bench_alpha()
    bench_spans()
