"""Claim-link suggestions at scale: the toolkit's top-k against scikit-learn's on the same vectors.

    .venv/bin/python benchmarks/bench_links.py [--sizes 10000,100000] [--k 10] [--repeat 1]

For each size, synthetic claims are generated (news-like: every claim belongs to one of
``n / 25`` events and mixes that event's words with words from a Zipf-distributed general
vocabulary, 12-25 words each, 5 sources, 3 claims per document) and turned into TF-IDF vectors
with :func:`toolkit.compare.claims.tfidf_vectors`.  On the same vectors, each in its own process
(so that peak RSS is the step's own), the benchmark times

* ``toolkit``: :func:`toolkit.compare.claims.top_k_similar` (``k`` neighbours, no threshold);
* ``sklearn``: ``NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute")``
  ``.fit(x).kneighbors(x)`` (the +1 is the row itself);
* ``suggest_links``: the whole :func:`toolkit.compare.claims.suggest_links` from a spans table
  (clusters, vectors, top-k with the document/cluster exclusions, the ranked table), default settings.

It prints wall time, peak RSS (``ru_maxrss`` of the step's process) and the toolkit/sklearn time
ratio per size (target <= 1.5), how often both found the same k-th best score (a check that they
answer the same question), and the growth exponent ``log(t2/t1) / log(n2/n1)`` between the two
largest sizes.  Brute-force k-NN compares every pair, so an exponent near 2 is expected for both;
what the toolkit avoids is memory growing with n^2.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SYLL = ["ka", "ro", "mi", "ven", "tal", "os", "dre", "lu", "sen", "bar", "qui", "ne", "tor", "al", "fe", "gri",
        "mon", "ash", "pel", "ur"]
FILLER = ["the", "of", "and", "to", "in", "that", "on", "for", "with", "by", "was", "has", "would", "after"]


def _vocab(rng: random.Random, n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLL) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def make_claims(n: int, seed: int = 0) -> list[dict]:
    """``n`` synthetic claim rows (spans-table shape) with event-specific and general words."""
    rng = random.Random(seed)
    general = _vocab(rng, 20000)
    weights = [1 / (r + 1) ** 1.05 for r in range(len(general))]
    cum = np.cumsum(weights) / sum(weights)
    n_events = max(1, n // 25)
    event_words = [rng.sample(general, 12) for _ in range(n_events)]
    rows = []
    for c in range(n):
        event = rng.randrange(n_events)
        length = rng.randint(12, 25)
        picks = np.searchsorted(cum, [rng.random() for _ in range(length)])
        words = [general[p] for p in picks]
        words[: length // 3] = rng.sample(event_words[event], min(length // 3, 12))
        words += rng.sample(FILLER, 4)
        rng.shuffle(words)
        doc = c // 3
        rows.append({"id": f"c{c}", "doc_id": f"d{doc:06d}", "source": f"Outlet {doc % 5}", "start": (c % 3) * 200,
                     "end": (c % 3) * 200 + 150, "label": "CLAIM", "layer": "claim", "text": " ".join(words),
                     "kind": "factual", "speaker": None, "annotator": "ana"})
    return rows


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(step: str, n: int, k: int, out: Path) -> None:
    """One measured step in this process; writes a JSON result to ``out``."""
    import pandas as pd

    from toolkit.compare import claims

    rows = make_claims(n)
    if step == "suggest_links":
        spans = pd.DataFrame(rows)
        base = _peak_mib()
        t = time.perf_counter()
        sug = claims.suggest_links(spans)
        sec = time.perf_counter() - t
        out.write_text(json.dumps({"seconds": sec, "peak_mib": _peak_mib(), "before_mib": base, "rows": len(sug)}))
        return
    x = claims.tfidf_vectors([r["text"] for r in rows])
    base = _peak_mib()
    t = time.perf_counter()
    if step == "toolkit":
        r, _c, s = claims.top_k_similar(x, k)
        sec = time.perf_counter() - t
        first = np.searchsorted(r, np.arange(n + 1))
        kth = np.array([s[first[i + 1] - 1] if first[i + 1] - first[i] == k else np.nan for i in range(n)])
    else:
        from sklearn.neighbors import NearestNeighbors

        nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute", n_jobs=1).fit(x)
        dist, _idx = nn.kneighbors(x)
        sec = time.perf_counter() - t
        kth = 1 - dist[:, k]  # column 0 is (normally) the row itself
    np.save(out.with_suffix(".npy"), kth)
    out.write_text(json.dumps({"seconds": sec, "peak_mib": _peak_mib(), "before_mib": base, "nnz": int(x.nnz)}))


def run_child(step: str, n: int, k: int, tmp: Path) -> dict:
    out = tmp / f"{step}-{n}.json"
    subprocess.run([sys.executable, __file__, "--child", step, "--sizes", str(n), "--k", str(k), "--out", str(out)],
                   check=True, cwd=REPO)
    res = json.loads(out.read_text())
    if out.with_suffix(".npy").exists():
        res["kth"] = np.load(out.with_suffix(".npy"))
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=1, help="rounds per size (best time is kept)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        child(args.child, sizes[0], args.k, Path(args.out))
        return
    steps = ["toolkit", "sklearn", "suggest_links"]
    best: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for _ in range(args.repeat):
                for step in steps:  # alternate so that machine load hits both alike
                    res = run_child(step, n, args.k, Path(tmp))
                    if (step, n) not in best or res["seconds"] < best[(step, n)]["seconds"]:
                        best[(step, n)] = res
            tk, sk = best[("toolkit", n)], best[("sklearn", n)]
            both = ~np.isnan(tk["kth"])
            agree = float(np.mean(np.abs(tk["kth"][both] - sk["kth"][both]) < 1e-4))
            print(f"\n{n:,} claims ({tk['nnz']:,} non-zero TF-IDF entries), k={args.k}")
            for step in steps:
                r = best[(step, n)]
                print(f"  {step:<14} {r['seconds']:8.2f} s   peak RSS {r['peak_mib']:7.0f} MiB "
                      f"(before the step {r['before_mib']:.0f} MiB)")
            print(f"  toolkit / sklearn time: {tk['seconds'] / sk['seconds']:.2f} (target <= 1.5); "
                  f"same k-th best score for {agree:.1%} of claims")
    if len(sizes) >= 2:
        n1, n2 = sizes[-2], sizes[-1]
        print(f"\ngrowth exponent {n1:,} -> {n2:,} (log t2/t1 / log n2/n1):")
        for step in steps:
            t1, t2 = best[(step, n1)]["seconds"], best[(step, n2)]["seconds"]
            print(f"  {step:<14} {math.log(t2 / t1) / math.log(n2 / n1):.2f}")


if __name__ == "__main__":
    main()
