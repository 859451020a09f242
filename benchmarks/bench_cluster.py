"""Benchmark: ``preannotate`` on a 2-worker Dask cluster against bare ``nlp.pipe(n_process=2)``.

    .venv/bin/python benchmarks/bench_cluster.py [--docs 400] [--words 500] [--workers 2] [--partition-size 50]
                                                  [--rounds 2]

Both sides get the same texts (``--docs`` invented news-like articles of about ``--words`` words:
quotations, reporting verbs, people, places, organisations, figures) and the same pipeline.

* ``bare``: ``list(nlp.pipe(texts, n_process=N, batch_size=32))``, the Docs thrown away;
  includes spaCy starting its worker processes.
* ``toolkit``: :func:`toolkit.nlp.preannotate` with ``workers=N`` into a fresh project: starts a
  ``LocalCluster`` (N single-threaded worker processes), each worker loads the pipeline, parses
  its partitions, finds entities, claims, quotations and speakers, and the client validates and
  durably writes every suggestion and the skip-state.
* ``toolkit (running cluster)``: the same with a cluster started beforehand (``client=``), i.e.
  without the cluster start and the workers' first pipeline load, as with ``--scheduler``.

The best of ``--rounds`` alternating rounds is kept; the printed ratio is throughput
(documents per second) of the toolkit over bare spaCy (target >= 0.85).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import toolkit as tk  # noqa: E402
from toolkit.nlp import DEFAULT_MODEL, load_pipeline, preannotate  # noqa: E402

PEOPLE = ["Dario Venn", "Ilse Marković", "Agnès Fairlie", "Rasmus Tell", "Mara Quint", "Olek Brand",
          "Tove Lindqvist", "Samir Haddad"]
ROLES = ["the foreign minister", "a spokeswoman for the port authority", "the mayor of Corran",
         "an engineer at the dam", "the opposition leader", "a senior economist"]
PLACES = ["Velmora", "Ostrand", "Corran", "the Lesk valley", "Port Hallow", "Brennic"]
ORGS = ["the Harbour Board", "the River Commission", "Ostrand Power", "the Velmoran Farmers' Union",
        "the Central Bank"]
VERBS = ["said", "told reporters", "warned", "claimed", "added", "insisted", "announced"]
TOPICS = ["the dam", "water rights", "the new tariff", "the fishing quota", "the bridge project", "grain exports"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Friday"]
MONTHS = ["March", "April", "June", "September"]


def _sentence(r: random.Random) -> str:
    p, pl, o, t, n = r.choice(PEOPLE), r.choice(PLACES), r.choice(ORGS), r.choice(TOPICS), r.randint(2, 95)
    kind = r.randrange(6)
    if kind == 0:
        return f"“We will not accept any further delay on {t},” {p} {r.choice(VERBS)} on {r.choice(DAYS)}."
    if kind == 1:
        return (f"{p}, {r.choice(ROLES)}, {r.choice(VERBS)} that {o} had spent {n} million on {t} "
                f"since {r.randint(2001, 2023)}.")
    if kind == 2:
        return f"Prices in {pl} rose {n}% in {r.choice(MONTHS)}, according to figures published by {o}."
    if kind == 3:
        return f"Officials in {pl} met representatives of {o} to discuss {t} for the {r.choice(['second', 'third'])} time."
    if kind == 4:
        return f"Residents of {pl} said the talks about {t} had gone on for {n} weeks without a result."
    return f"The agreement would allow {o} to build {n} kilometres of new channels near {pl}, {p} added."


def make_text(i: int, words: int) -> str:
    """An invented news-like article of about ``words`` words, four sentences a paragraph."""
    r = random.Random(i)
    paras, para, count = [f"{r.choice(PLACES)} and {r.choice(PLACES)} resume talks on {r.choice(TOPICS)} ({i})"], [], 0
    while count < words:
        s = _sentence(r)
        para.append(s)
        count += len(s.split())
        if len(para) == 4:
            paras.append(" ".join(para))
            para = []
    if para:
        paras.append(" ".join(para))
    return "\n\n".join(paras)


def run_bare(texts: list[str], n_process: int) -> float:
    nlp = load_pipeline(DEFAULT_MODEL)
    t = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=32, n_process=n_process):
        pass
    return time.perf_counter() - t


def run_toolkit(docs: list[tk.Document], workdir: Path, partition_size: int, **where: object) -> tuple[float, object]:
    path = workdir / "proj"
    shutil.rmtree(path, ignore_errors=True)
    proj = tk.Project.init(path)
    proj.add_documents(docs)
    t = time.perf_counter()
    report = preannotate(proj, progress=False, partition_size=partition_size, **where)
    return time.perf_counter() - t, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--words", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partition-size", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    texts = [make_text(i, args.words) for i in range(args.docs)]
    sources = ["Harbour Wire", "Ostrand Daily", "Velmora Herald", "Corran Post"]
    docs = [tk.Document.create(f"doc-{i:05d}", sources[i % len(sources)], t) for i, t in enumerate(texts)]
    words = sum(len(t.split()) for t in texts)
    bare: list[float] = []
    fresh: list[float] = []
    running: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            bare.append(run_bare(texts, args.workers))
            sec, report = run_toolkit(docs, Path(tmp), args.partition_size, workers=args.workers)
            fresh.append(sec)
            with (
                LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                             dashboard_address="127.0.0.1:0") as lc,
                Client(lc) as client,
            ):
                client.run(lambda: __import__("toolkit.nlp.cluster").nlp.cluster.worker_pipeline(DEFAULT_MODEL))
                sec_running, _ = run_toolkit(docs, Path(tmp), args.partition_size, client=client)
            running.append(sec_running)
            print(f"round {r + 1}: bare nlp.pipe {bare[-1]:.2f} s, toolkit --workers {args.workers} {fresh[-1]:.2f} s, "
                  f"toolkit on a running cluster {running[-1]:.2f} s")
    b, f, g = min(bare), min(fresh), min(running)
    print(f"\n{args.docs} documents, {words} words, model {DEFAULT_MODEL}, {args.workers} workers, "
          f"partitions of {args.partition_size}; {report.total_spans} suggestions per run")
    print(f"bare nlp.pipe(n_process={args.workers}):        {args.docs / b:7.1f} docs/s")
    print(f"toolkit --workers {args.workers} (cluster start incl.): {args.docs / f:7.1f} docs/s   ratio {b / f:.2f} "
          f"(target >= 0.85)")
    print(f"toolkit on a running cluster:          {args.docs / g:7.1f} docs/s   ratio {b / g:.2f}")


if __name__ == "__main__":
    main()
