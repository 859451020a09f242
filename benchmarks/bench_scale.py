"""Corpus scale: every step of the toolkit on synthetic projects of 1k, 10k and 100k articles.

    .venv/bin/python benchmarks/bench_scale.py --sizes 1000,10000,100000 [--steps load,report] [--timeout 1800]

Each project has the shape of a real event's coverage: about 530 words an article, 8 outlets
per event, two human annotators each with 20 entity spans, 5 claims (quotations with speakers),
3 stances and 1 cross-document claim link per article, and a model layer like pre-annotation's
(25 entity spans and 8 claim candidates per article).  Articles are written to a JSON Lines file
and brought in with ``toolkit import`` (the first measured step); the annotation logs are then
written directly in the store's record format (one JSON line per event), as hundreds of
annotation sessions would have left them.

Every step runs in its own process; the benchmark prints its wall time and peak RSS (the child's
``ru_maxrss``), and for the two largest sizes the growth exponent ``log(t2/t1)/log(n2/n1)``
(1.0 = linear).  Targets (issue 11): every step completes at 100k, peak RSS <= 4 GiB, exponent
<= 1.15, report < 10 minutes, widget open < 1 s and next document < 200 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLKIT = [sys.executable, "-m", "toolkit.cli"]

OUTLETS_PER_EVENT = 8
FIRST = ["Ana", "Rui", "Ilse", "Dario", "Mirela", "Tomas", "Lin", "Okon", "Petra", "Jonas", "Sela", "Viktor",
         "Maren", "Ilan", "Odile", "Kasim", "Nadia", "Bram", "Yusra", "Emeka"]
LAST = ["Pires", "Venn", "Markovic", "Dask", "Rell", "Harte", "Okafor", "Lund", "Varga", "Moreau", "Adeyemi",
        "Halloran", "Castel", "Brandt", "Sorensen", "Quill", "Ferreira", "Tamm", "Ozdemir", "Nakai"]
PLACES = ["Velmora", "Ostrand", "Castavel", "Kestra", "Lisvane", "Corran", "Tarnby", "Selva", "Brightwater", "Holm"]
ORGS = ["Tarn Basin Council", "Kestrel Air", "Northwind Bank", "Selva Water Board", "Harbour Authority",
        "Ministry of Energy", "Civic Union", "Port Workers Guild"]
SYLL = ["ra", "to", "mi", "ne", "sa", "lo", "ven", "dar", "ki", "pe", "lu", "con", "stra", "mor", "bel", "ti",
        "gra", "al", "en", "or", "ish", "ment", "ed", "ing"]
FUNCTION = ["the", "of", "and", "to", "a", "in", "that", "is", "for", "on", "with", "as", "was", "by", "at",
            "from", "it", "its", "has", "have", "said", "would", "after", "over", "two", "new"]


def _vocab(rng: random.Random, n: int = 6000) -> list[str]:
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLL) for _ in range(rng.randint(1, 3))))
    return sorted(words)


def _sentence(rng: random.Random, vocab: list[str], n: int) -> str:
    out = []
    for _ in range(n):
        if rng.random() < 0.45:
            out.append(rng.choice(FUNCTION))
        else:  # Zipf-like: low ranks much more frequent
            out.append(vocab[min(len(vocab) - 1, int(rng.paretovariate(1.1)) - 1)])
    s = " ".join(out)
    return s[0].upper() + s[1:] + "."


class Article:
    """Text built piece by piece, remembering where the named things and quotations are."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.names: list[tuple[int, int, str, str]] = []  # start, end, label, text
        self.quotes: list[tuple[int, int, str]] = []  # start, end (of the claim sentence), speaker

    def add(self, text: str, label: str | None = None) -> None:
        if label:
            self.names.append((self.length, self.length + len(text), label, text))
        self.parts.append(text)
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _article(rng: random.Random, vocab: list[str], event: int, outlet: int, quotes: list[str]) -> Article:
    art = Article()
    people = [(FIRST[(event * 3 + k) % len(FIRST)], LAST[(event * 7 + k) % len(LAST)]) for k in range(4)]
    art.add(_sentence(rng, vocab, 10)[:-1] + "\n\n")
    while len(art.names) < 24 or len(art.quotes) < 6 or art.length < 3300:
        kind = rng.random()
        if kind < 0.35 and len(art.quotes) < 8:
            first, last = rng.choice(people)
            q = rng.choice(quotes)
            start = art.length
            art.add('"' + q + '," said ')
            art.add(f"{first} {last}", "PERSON")
            art.add(". ")
            art.quotes.append((start, art.length - 1, f"{first} {last}"))
        else:
            words = _sentence(rng, vocab, rng.randint(12, 22)).split(" ")
            for i, w in enumerate(words):
                if i and rng.random() < 0.08:
                    label, name = rng.choice(
                        [("GPE", rng.choice(PLACES)), ("ORG", rng.choice(ORGS)),
                         ("PERSON", " ".join(rng.choice(people)))])  # fmt: skip
                    art.add(name, label)
                    art.add(" ")
                art.add(w + (" " if i < len(words) - 1 else ". "))
        if rng.random() < 0.25:
            art.add("\n\n")
    return art


def _rec(op: str, annotator: str, body: dict, ts: str) -> str:
    return json.dumps({"rid": uuid.uuid4().hex[:20], "op": op, **body, "annotator": annotator, "ts": ts},
                      ensure_ascii=False)


def generate(size: int, workdir: Path, seed: int = 0) -> tuple[Path, list[dict]]:
    """Write ``articles.jsonl`` for ``size`` articles; return its path and the annotation plan."""
    rng = random.Random(seed)
    vocab = _vocab(rng)
    path = workdir / "articles.jsonl"
    plan: list[dict] = []
    n_events = max(1, size // (OUTLETS_PER_EVENT * 4))
    event_quotes = {}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(size):
            event = i % n_events
            if event not in event_quotes:
                er = random.Random(seed * 1_000_003 + event)
                event_quotes[event] = [_sentence(er, vocab, er.randint(8, 18))[:-1] for _ in range(30)]
            outlet = (i // n_events) % OUTLETS_PER_EVENT
            art = _article(rng, vocab, event, outlet, event_quotes[event])
            doc_id = f"e{event:05d}-o{outlet}-{i:06d}"
            text = art.text
            fh.write(json.dumps({"id": doc_id, "source": f"Outlet {outlet}", "text": text}, ensure_ascii=False) + "\n")
            plan.append({"doc": doc_id, "names": art.names, "quotes": art.quotes, "text": text, "event": event})
    return path, plan


def write_annotations(project: Path, plan: list[dict], seed: int = 0) -> None:
    """Append the human and model layers to the project's logs in the store's record format."""
    from toolkit.store import annotator_filename

    rng = random.Random(seed + 1)
    ts = "2026-11-28T00:00:00+00:00"
    model = "model:synthetic@1.0"
    records = project / "records"
    first_claim: dict[int, tuple[str, str]] = {}
    handles = {a: (records / annotator_filename(a)).open("a", encoding="utf-8") for a in ("ana", "ben", model)}
    try:
        for item in plan:
            doc, text = item["doc"], item["text"]
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            for ann in ("ana", "ben", model):
                fh = handles[ann]
                n_ents = 25 if ann == model else 20
                names = item["names"][:n_ents]
                if ann == "ben":  # the second annotator differs a little
                    names = [n for n in names if rng.random() > 0.1]
                lines = []
                for s, e, label, surface in names:
                    sid = f"s-{uuid.uuid4().hex[:20]}"
                    lines.append(_rec("put", ann, {"type": "span", "id": sid, "doc": doc, "start": s, "end": e,
                                                   "label": label, "text": surface, "doc_sha256": sha,
                                                   "attrs": {}}, ts))
                claims = item["quotes"][: 8 if ann == model else 5]
                claim_ids = []
                for s, e, speaker in claims:
                    sid = f"s-{uuid.uuid4().hex[:20]}"
                    claim_ids.append(sid)
                    lines.append(_rec("put", ann, {"type": "span", "id": sid, "doc": doc, "start": s, "end": e,
                                                   "label": "CLAIM", "text": text[s:e], "doc_sha256": sha,
                                                   "attrs": {"kind": "quotation", "speaker": speaker}}, ts))
                if ann != model:
                    for k, target in enumerate(("Velmora", "Ostrand", "the deal")):
                        claim = claim_ids[k] if k == 2 and claim_ids else None
                        value = rng.choice(("favour", "against", "neutral"))
                        lines.append(_rec("put", ann, {"type": "stance", "id": f"st:{doc}:{claim or ''}:{target}",
                                                       "doc": doc, "claim": claim, "target": target,
                                                       "value": value}, ts))
                    prev = first_claim.get(item["event"]) if ann == "ana" else first_claim.get(-item["event"] - 1)
                    if claim_ids and prev and prev[0] != doc:
                        a, b = sorted((prev[1], claim_ids[0]))
                        lines.append(_rec("put", ann, {"type": "link", "id": f"ln:{a}:{b}", "a": prev[1],
                                                       "b": claim_ids[0], "doc_a": prev[0], "doc_b": doc}, ts))
                    if claim_ids:
                        first_claim[item["event"] if ann == "ana" else -item["event"] - 1] = (doc, claim_ids[0])
                fh.write("\n".join(lines) + "\n")
    finally:
        for fh in handles.values():
            fh.close()


# ----------------------------------------------------------------------------------- steps

PY = "import sys, time; sys.path.insert(0, {repo!r}); "


def _py(code: str) -> list[str]:
    return [sys.executable, "-c", PY.format(repo=str(REPO)) + code]


def steps(project: Path, out: Path) -> dict[str, list[str]]:
    p = ["--project", str(project)]
    return {
        "status": [*TOOLKIT, *p, "status"],
        "validate": [*TOOLKIT, *p, "validate"],
        "load": _py(f"from toolkit import Project; f = Project.open({str(project)!r}).load(); "
                    "print(len(f.spans), 'spans')"),
        "agreement stances": [*TOOLKIT, *p, "agreement", "--task", "stances"],
        "agreement spans": [*TOOLKIT, *p, "agreement", "--task", "spans"],
        **{f"compare {v}": [*TOOLKIT, *p, "compare", v, "--format", "csv"]
           for v in ("entities", "claims", "quotes", "stances", "profiles", "links", "voices", "verbs", "words",
                     "descriptors", "emphasis")},
        "report": [*TOOLKIT, *p, "report", "-o", str(out / "report.html")],
        "export jsonl": [*TOOLKIT, *p, "export", "--format", "jsonl", "-o", str(out / "export.jsonl")],
        "export spacy": [*TOOLKIT, *p, "export", "--format", "spacy", "-o", str(out / "export.spacy")],
        "export conll": [*TOOLKIT, *p, "export", "--format", "conll", "-o", str(out / "export.conll")],
        "widget open+next": _py(
            "from toolkit.widgets import Annotator; t = time.perf_counter(); "
            f"w = Annotator(project={str(project)!r}, annotator='ana'); t1 = time.perf_counter(); "
            "w.next_unannotated(); t2 = time.perf_counter(); w.next(); t3 = time.perf_counter(); "
            "print(f'WIDGET open={t1 - t:.3f} next_unannotated={t2 - t1:.3f} next={t3 - t2:.3f}')"),
    }


def run_isolated(cmd: list[str], timeout: float) -> tuple[float, float, str, str]:
    """Run the step from a fresh Python parent so the children's peak RSS is the step's own."""
    wrapper = [sys.executable, "-c",
               "import json, subprocess, sys, time, resource; cmd = json.loads(sys.argv[1]); "
               "t = time.perf_counter(); p = subprocess.run(cmd, capture_output=True, timeout=float(sys.argv[2])); "
               "dt = time.perf_counter() - t; "
               "out = (p.stdout + p.stderr).decode('utf-8', 'replace').strip().splitlines(); "
               "w = [x for x in out if x.startswith('WIDGET')]; "
               "print(json.dumps([dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "
               "p.returncode, (w or out or [''])[-1][:160]]))",
               json.dumps(cmd), str(timeout)]
    try:
        res = subprocess.run(wrapper, capture_output=True, timeout=timeout + 30, cwd=REPO)
        dt, rss, code, last = json.loads(res.stdout.decode().strip().splitlines()[-1])
        return dt, rss, "ok" if code == 0 else f"exit {code}", last
    except (subprocess.TimeoutExpired, IndexError, json.JSONDecodeError):
        return float(timeout), float("nan"), "timeout", ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated article counts (default 1000,10000)")
    ap.add_argument("--steps", help="comma-separated step names (default: all)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per step (default 1800)")
    ap.add_argument("--workdir", help="where projects are built (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated projects")
    ap.add_argument("--reuse", action="store_true",
                    help="with --workdir: reuse projects a previous --keep run left there (no generation or import)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    wanted = {s.strip() for s in args.steps.split(",")} if args.steps else None
    root = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[int, tuple[float, float, str, str]]] = {}
    disk: dict[int, float] = {}
    try:
        for size in sizes:
            work = root / f"n{size}"
            project = work / "project"
            if args.reuse and (project / "project.json").exists():
                disk[size] = sum(f.stat().st_size for f in project.rglob("*") if f.is_file()) / 2**20
                print(f"[{size}] reusing {project} ({disk[size]:.0f} MiB on disk)", flush=True)
                _run_steps(size, project, work, wanted, args.timeout, results)
                continue
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            t = time.perf_counter()
            articles, plan = generate(size, work)
            print(f"[{size}] generated {size} articles in {time.perf_counter() - t:.1f} s", flush=True)
            subprocess.run([*TOOLKIT, "--project", str(project), "init", "--target", "Velmora", "--target",
                            "Ostrand", "--target", "the deal"], check=True, cwd=REPO, capture_output=True)
            if wanted is None or "import" in wanted:
                results.setdefault("import", {})[size] = r = run_isolated(
                    [*TOOLKIT, "--project", str(project), "import", str(articles)], args.timeout)
                print(f"[{size}] import: {r[0]:.1f} s, {r[1]:.0f} MiB, {r[2]}", flush=True)
            else:
                subprocess.run([*TOOLKIT, "--project", str(project), "import", str(articles)], check=True,
                               cwd=REPO, capture_output=True)
            t = time.perf_counter()
            write_annotations(project, plan)
            del plan
            disk[size] = sum(f.stat().st_size for f in project.rglob("*") if f.is_file()) / 2**20
            print(f"[{size}] annotation logs written in {time.perf_counter() - t:.1f} s; "
                  f"project {disk[size]:.0f} MiB on disk", flush=True)
            _run_steps(size, project, work, wanted, args.timeout, results)
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(root, ignore_errors=True)
    _print_table(sizes, results, disk)
    if args.json:
        Path(args.json).write_text(json.dumps({"sizes": sizes, "disk_mib": disk, "results": {
            k: {str(n): v for n, v in r.items()} for k, r in results.items()}}, indent=2))


def _run_steps(size: int, project: Path, work: Path, wanted: set[str] | None, timeout: float,
               results: dict) -> None:
    for name, cmd in steps(project, work).items():
        if wanted is not None and name not in wanted:
            continue
        results.setdefault(name, {})[size] = r = run_isolated(cmd, timeout)
        print(f"[{size}] {name}: {r[0]:.1f} s, {r[1]:.0f} MiB, {r[2]}  {r[3][:90]}", flush=True)


def _print_table(sizes: list[int], results: dict, disk: dict[int, float]) -> None:
    print()
    print("project size on disk: " + ", ".join(f"{n:,} articles {disk.get(n, float('nan')):.0f} MiB" for n in sizes))
    head = "| step | " + " | ".join(f"{n:,}: time, peak RSS" for n in sizes) + " | exponent |"
    print(head)
    print("|" + "---|" * (len(sizes) + 2))
    for name, per in results.items():
        cells = []
        for n in sizes:
            r = per.get(n)
            cells.append("" if r is None else (f"{r[0]:.1f} s, {r[1]:.0f} MiB" + ("" if r[2] == "ok" else f" ({r[2]})")))
        exp = ""
        ok = [n for n in sizes if n in per and per[n][2] == "ok"]
        if len(ok) >= 2:
            n1, n2 = ok[-2], ok[-1]
            t1, t2 = per[n1][0], per[n2][0]
            if t1 > 0 and t2 > 0:
                exp = f"{math.log(t2 / t1) / math.log(n2 / n1):.2f}"
        print(f"| {name} | " + " | ".join(cells) + f" | {exp} |")
    widget = results.get("widget open+next", {})
    for n in sizes:
        if n in widget:
            print(f"widget at {n:,}: {widget[n][3]}")


if __name__ == "__main__":
    main()
