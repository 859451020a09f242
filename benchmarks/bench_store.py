"""Store benchmarks: append latency vs log size, load time vs pandas, import time.

Run: ``python benchmarks/bench_store.py``.  Prints figures and ratios against
baselines measured in the same run; the README quotes its latest output.

* append latency (median of 300 ``add_span`` calls, each durable: lock + write + fsync)
  on a log with 1,000 and with 100,000 existing records: the ratio must stay <= 1.5
  (appends never read or rewrite the log);
* ``Project.load()`` of 100,000 span records into DataFrames (with replay and
  validation of every span against its document) vs ``pandas.read_json(lines=True)``
  of the same file: target <= 2x;
* ``import toolkit`` in a fresh interpreter minus a bare interpreter start: target < 0.5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import toolkit as tk  # noqa: E402

WORDS = "Velmora Ostrand river dam talks minister said would agreement water flow council".split()


def make_project(root: Path, n_records: int) -> tk.Project:
    proj = tk.Project.init(root, schema=tk.LabelSchema.default(["Velmora"]))
    text = " ".join(WORDS[i % len(WORDS)] for i in range(4000))
    proj.add_documents([tk.Document.create(f"d{i}", f"Outlet {i % 4}", text) for i in range(20)])
    starts = [i for i, ch in enumerate(text) if ch != " " and (i == 0 or text[i - 1] == " ")]
    batch = []
    for i in range(n_records):
        s = starts[i % len(starts)]
        e = text.find(" ", s) if text.find(" ", s) > 0 else len(text)
        batch.append({"doc": f"d{i % 20}", "start": s, "end": e, "label": "PERSON" if i % 3 else "ORG"})
        if len(batch) == 10_000:
            proj.add_spans(batch, annotator="ana")
            batch = []
    if batch:
        proj.add_spans(batch, annotator="ana")
    return proj


def append_latency(proj: tk.Project, n: int = 300) -> float:
    times = []
    for i in range(n):
        t = time.perf_counter()
        proj.add_span(f"d{i % 20}", 0, 7, "GPE", annotator="ana")
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def best_of(fn, repeat: int = 3) -> float:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def main() -> None:
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        small = make_project(Path(tmp) / "small", 1_000)
        big = make_project(Path(tmp) / "big", 100_000)
        lat_small = append_latency(small)
        lat_big = append_latency(big)
        print(f"append latency, 1,000 existing records:   {lat_small * 1e3:8.3f} ms (median of 300, fsync'd)")
        print(f"append latency, 100,000 existing records: {lat_big * 1e3:8.3f} ms")
        print(f"  ratio 100k/1k: {lat_big / lat_small:.2f}  (target <= 1.5)")

        log = big.records_dir / "ana.jsonl"
        n_lines = sum(1 for _ in log.open("rb"))
        t_load = best_of(lambda: tk.Project.open(big.path).load())
        t_pd = best_of(lambda: pd.read_json(log, lines=True))
        frames = tk.Project.open(big.path).load()
        print(f"load {n_lines:,} records -> {len(frames.spans):,} current spans: Project.load() {t_load:.3f} s")
        print(f"pandas.read_json(lines=True) of the same file:           {t_pd:.3f} s")
        print(f"  ratio load/read_json: {t_load / t_pd:.2f}  (target <= 2)")

    def start(code: str) -> float:
        return statistics.median(
            best_of(lambda: subprocess.run([sys.executable, "-c", code], check=True), 1) for _ in range(7)
        )

    bare, imp = start("pass"), start("import toolkit")
    print(f"import toolkit: {imp - bare:.3f} s over a bare interpreter start ({bare:.3f} s)  (target < 0.5 s)")


if __name__ == "__main__":
    main()
