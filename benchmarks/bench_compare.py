"""Benchmark: claim-link suggestions for 2,000 claims across 200 documents (target < 5 s).

Synthetic claims (invented words, Zipf-distributed, 12-35 words each, 10 claims per document,
5 sources) with 200 planted paraphrase pairs.  Times :func:`toolkit.compare.claims.suggest_links`
end to end (claim clustering, TF-IDF, sparse cosine, ranking) and, as a baseline measured in the
same run, a straightforward pure-Python pairwise cosine over word-count dictionaries.  Also
reports how many planted pairs the suggestions recover.

Run:  .venv/bin/python benchmarks/bench_compare.py [--claims 2000] [--docs 200]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from toolkit.compare.claims import suggest_links  # noqa: E402


def make_corpus(n_claims: int, n_docs: int, seed: int = 7) -> tuple[pd.DataFrame, set[frozenset[str]]]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvw"
    vocab = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(6000)})
    weights = [1 / (r + 1) for r in range(len(vocab))]
    per_doc = n_claims // n_docs
    rows, planted = [], set()
    for i in range(n_claims):
        d = i // per_doc
        words = rng.choices(vocab, weights, k=rng.randint(12, 35))
        rows.append({"id": f"c{i}", "doc_id": f"doc{d:04d}", "source": f"Source {d % 5}", "start": (i % per_doc) * 300,
                     "end": (i % per_doc) * 300 + 200, "label": "CLAIM", "layer": "claim", "text": " ".join(words),
                     "kind": "factual", "speaker": None, "speaker_span": None, "attrs": {}, "annotator": "ana",
                     "is_model": False, "ts": ""})
    # plant paraphrases: claim j (in a later document) reuses most words of claim i
    for _ in range(n_claims // 10):
        i = rng.randrange(0, n_claims - per_doc)
        j = rng.randrange(((i // per_doc) + 1) * per_doc, n_claims)
        words = rows[i]["text"].split()
        keep = [w for w in words if rng.random() > 0.25] + rng.choices(vocab, weights, k=3)
        rng.shuffle(keep)
        rows[j]["text"] = " ".join(keep)
        planted.add(frozenset({rows[i]["id"], rows[j]["id"]}))
    return pd.DataFrame(rows), planted


def naive_pairs(texts: list[str], docs: list[str], min_score: float) -> list[tuple[float, int, int]]:
    """Baseline: pure-Python cosine of word counts over every pair of claims."""
    vecs = [Counter(t.split()) for t in texts]
    norms = [math.sqrt(sum(v * v for v in c.values())) for c in vecs]
    out = []
    for i in range(len(vecs)):
        vi, ni = vecs[i], norms[i]
        for j in range(i + 1, len(vecs)):
            if docs[i] == docs[j]:
                continue
            vj = vecs[j]
            small, big = (vi, vj) if len(vi) < len(vj) else (vj, vi)
            dot = sum(c * big.get(w, 0) for w, c in small.items())
            s = dot / (ni * norms[j])
            if s >= min_score:
                out.append((s, i, j))
    out.sort(reverse=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=2000)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    spans, planted = make_corpus(args.claims, args.docs)
    links = pd.DataFrame(columns=["id", "a", "b", "doc_a", "doc_b", "annotator", "is_model", "ts"])
    suggest_links(spans.head(50), links)  # warm-up: imports scikit-learn

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        sug = suggest_links(spans, links, min_score=0.3)
        times.append(time.perf_counter() - t0)
    best = min(times)
    found = {frozenset({a, b}) for a, b in zip(sug["a"], sug["b"], strict=True)}
    recall = len(planted & found) / len(planted)
    top = {frozenset({a, b}) for a, b in zip(sug["a"].head(len(planted)), sug["b"].head(len(planted)), strict=True)}
    precision_at_k = len(planted & top) / len(planted)

    t0 = time.perf_counter()
    base = naive_pairs(spans["text"].tolist(), spans["doc_id"].tolist(), 0.3)
    t_base = time.perf_counter() - t0

    n_pairs = args.claims * (args.claims - 1) // 2
    print(f"claims: {args.claims} in {args.docs} documents ({n_pairs:,} pairs), planted paraphrases: {len(planted)}")
    print(f"suggest_links (TF-IDF + sparse cosine): best {best:.3f} s of {args.repeat} "
          f"(all: {', '.join(f'{t:.3f}' for t in times)}); target < 5 s: {'PASS' if best < 5 else 'FAIL'}")
    print(f"  suggestions >= 0.3: {len(sug):,}; planted pairs recovered: {recall:.1%}; "
          f"planted pairs among the top {len(planted)}: {precision_at_k:.1%}")
    print(f"baseline (pure-Python pairwise cosine of word counts): {t_base:.3f} s, {len(base):,} pairs >= 0.3")
    print(f"speed-up over baseline: {t_base / best:.1f}x")


if __name__ == "__main__":
    main()
