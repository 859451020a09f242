"""Benchmark: toolkit pre-annotation vs bare ``nlp.pipe`` on the same documents.

Usage::

    python benchmarks/bench_nlp.py [--docs 200] [--batch-size 32] [--n-process 1] [--rounds 2] [--profile]

Both runs use the same loaded pipeline and the same texts (the demo corpus
replicated to ``--docs`` documents).  "bare" iterates ``nlp.pipe`` and does
nothing with the Docs; "toolkit" is :func:`toolkit.nlp.preannotate` into a
fresh temporary project (finding quotations, claims, speakers, snapping,
validating and durably writing every suggestion, updating the state file).
The best of ``--rounds`` alternating rounds is reported for each; the target
is a toolkit throughput of at least 90% of bare spaCy.  Because wall-clock
ratios are noisy on a busy machine, the script also prints the toolkit's own
work (total time minus the time spent waiting for ``nlp.pipe``) as a share of
the bare spaCy time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import toolkit as tk  # noqa: E402
from toolkit.demo import build_demo  # noqa: E402
from toolkit.nlp import DEFAULT_MODEL, load_pipeline, preannotate  # noqa: E402


def make_documents(n: int) -> list[tk.Document]:
    """The demo articles replicated to ``n`` documents (distinct ids and texts)."""
    with tempfile.TemporaryDirectory() as tmp:
        base = list(build_demo(Path(tmp) / "demo", annotations=False).documents().values())
    docs = []
    for i in range(n):
        d = base[i % len(base)]
        # a distinct first line so that every document has its own text hash
        docs.append(tk.Document.create(f"{d.id}-{i:04d}", d.source, f"Copy {i}: {d.text}", title=d.title))
    return docs


def run_bare(nlp, texts: list[str], batch_size: int, n_process: int) -> float:
    t0 = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        pass
    return time.perf_counter() - t0


def run_toolkit(docs: list[tk.Document], batch_size: int, n_process: int, profile: bool) -> tuple[float, object]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-nlp-"))
    try:
        proj = tk.Project.init(tmp / "proj")
        proj.add_documents(docs)
        prof = cProfile.Profile() if profile else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        report = preannotate(proj, n_process=n_process, batch_size=batch_size, progress=False)
        if prof:
            prof.disable()
        seconds = time.perf_counter() - t0
        assert report.processed == len(docs), report
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return seconds, report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the toolkit run (last round)")
    args = ap.parse_args(argv)

    nlp = load_pipeline(args.model)
    docs = make_documents(args.docs)
    texts = [d.text for d in docs]
    words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:8]))  # warm up

    bare: list[float] = []
    ours: list[float] = []
    overhead: list[float] = []
    report = None
    for r in range(args.rounds):
        bare.append(run_bare(nlp, texts, args.batch_size, args.n_process))
        sec, report = run_toolkit(docs, args.batch_size, args.n_process, args.profile and r == args.rounds - 1)
        ours.append(sec)
        overhead.append(sec - report.seconds_pipeline)
        print(
            f"round {r + 1}: bare {bare[-1]:.2f} s, toolkit {sec:.2f} s "
            f"(of which spaCy {report.seconds_pipeline:.2f} s, toolkit's own work {overhead[-1]:.2f} s)"
        )

    b, t = min(bare), min(ours)
    print(
        f"\n{len(docs)} documents, {words} words, model {args.model}, batch {args.batch_size}, n_process {args.n_process}"
    )
    print(f"bare nlp.pipe      : {len(docs) / b:8.1f} docs/s  {words / b:9.0f} words/s  ({b:.2f} s)")
    print(f"toolkit preannotate: {len(docs) / t:8.1f} docs/s  {words / t:9.0f} words/s  ({t:.2f} s)")
    ratio = b / t
    print(f"throughput ratio toolkit/bare: {ratio:.3f}  (target >= 0.90: {'OK' if ratio >= 0.9 else 'MISSED'})")
    own = min(overhead)
    print(
        f"toolkit's own work (quotations, claims, speakers, snapping, validation, fsync'ed writes): "
        f"{own:.2f} s = {own / b * 100:.1f}% of bare spaCy time -> load-independent ratio {b / (b + own):.3f}"
    )
    print(f"suggestions written: {report.total_spans} ({dict(report.spans.most_common())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
