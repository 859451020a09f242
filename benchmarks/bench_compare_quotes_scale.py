"""Shared quotations and source profiles at corpus scale (synthetic news, 10k and 100k articles).

    .venv/bin/python benchmarks/bench_compare_quotes_scale.py [--sizes 10000,100000] [--baseline 1000]

Each synthetic event is covered by 8 outlets (out of 40).  An article has a headline (a third of
them quote a few words of one of the article's quotations), filler sentences and 5 quotations
with an attribution ("..., said Name." or "Name said: ..."): 3 planted from the event's pool of
statements (the first article to use a statement prints it in full; later ones print it in full, trimmed at either end, a short excerpt (a short
quotation inside the long one), with one word changed or with words elided ("...")), and 2 of
the article's own; half the articles also carry a scare quote ('Name called the plan "word"')
that other outlets repeat for the same speaker.  A quarter of the statements contain a stock
phrase shared by thousands of quotations ("at the end of the day"), which blocking must skip.
Claim spans with the speaker cover half of the quotations (annotator "ana").

Every measurement runs in a fresh process (this file with ``--child``) and prints wall time and
peak RSS (``ru_maxrss``, which includes the generated corpus; the RSS after generation is printed
too):

* ``quotes``: :func:`document_quotations` (with scare quotes) + :func:`match_quotations` +
  :func:`shared_quotations`, with the recall of the planted statements (every copy of a planted
  statement in one shared group) and the share of matched pairs that join different statements;
* ``profiles``: :func:`source_profiles` on the same corpus;
* ``baseline``: at a small size, the previous all-pairs method (every pair of quotations sharing
  a word bigram compared with ``difflib``) against :func:`match_quotations` on the same
  quotations, as a ratio.

The growth exponent between the two largest sizes is ``log(t2/t1) / log(n2/n1)`` (1.0 = linear;
target <= 1.15), for wall time and for CPU time (``process_time``: less disturbed by other load
on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from toolkit.compare.profiles import source_profiles  # noqa: E402
from toolkit.compare.quotes import (  # noqa: E402
    document_quotations,
    match_quotations,
    quote_tokens,
    shared_quotations,
    word_diff,
)
from toolkit.model import connected_components  # noqa: E402

OUTLETS, PER_EVENT, POOL = 40, 8, 6
SYLL = ["ra", "to", "mi", "ne", "sa", "lo", "ven", "dar", "ki", "pe", "lu", "con", "stra", "mor", "bel", "ti",
        "gra", "al", "en", "or", "ish", "ment", "ed", "ing"]
FUNCTION = ["the", "of", "and", "to", "a", "in", "that", "is", "for", "on", "with", "as", "was", "by", "we",
            "will", "not", "our", "this", "it", "be", "have"]
STOCK = ["at the end of the day", "we are going to do", "there is no doubt that", "in the long run"]
FIRST = ["Ana", "Rui", "Ilse", "Dario", "Mirela", "Tomas", "Lin", "Okon", "Petra", "Jonas", "Sela", "Viktor"]
LAST = ["Pires", "Venn", "Markovic", "Dask", "Rell", "Harte", "Okafor", "Lund", "Varga", "Moreau", "Adeyemi",
        "Halloran", "Castel", "Brandt", "Sorensen", "Quill", "Ferreira", "Tamm", "Ozdemir", "Nakai"]


def _vocab(rng: random.Random, n: int = 8000) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLL) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _words(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    return [rng.choice(FUNCTION) if rng.random() < 0.35 else rng.choice(vocab) for _ in range(n)]


def _name(rng: random.Random, vocab: list[str]) -> str:
    """A person's name: a first name and a surname (a real or made-up one)."""
    last = rng.choice(LAST) if rng.random() < 0.2 else rng.choice(vocab).capitalize()
    return f"{rng.choice(FIRST)} {last}"


def _variant(rng: random.Random, words: list[str]) -> list[str]:
    """A planted statement as an outlet prints it."""
    kind = rng.random()
    n = len(words)
    if kind < 0.35:
        return words
    if kind < 0.55:  # trimmed at either end
        return words[rng.randint(0, 2): n - rng.randint(0, 2)]
    if kind < 0.7:  # a short excerpt: a short quotation inside the long one
        k = rng.randint(5, 7)
        s = rng.randint(0, n - k)
        return words[s: s + k]
    if kind < 0.85:  # one word changed
        out = list(words)
        out[rng.randint(1, n - 2)] = "changed"
        return out
    cut = rng.randint(3, n - 5)  # words elided
    return [*words[:cut], "...", *words[cut + 2:]]


def generate(n_articles: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Documents, spans, and quote start -> planted statement id (``"<doc>@<start>"`` keys)."""
    rng = random.Random(seed)
    vocab = _vocab(rng)
    docs, spans, planted = [], [], {}
    n_events = max(1, n_articles // PER_EVENT)
    for event in range(n_events):
        outlets = rng.sample(range(OUTLETS), PER_EVENT)
        pool = []
        for s in range(POOL):
            words = _words(rng, vocab, rng.randint(12, 22))
            if rng.random() < 0.25:
                at = rng.randint(0, len(words))
                words[at:at] = rng.choice(STOCK).split()
            pool.append((f"e{event}s{s}", words, _name(rng, vocab)))
        scare_word = rng.choice(vocab)
        scare_speaker = pool[0][2]
        used: set[int] = set()
        for k, outlet in enumerate(outlets):
            if event * PER_EVENT + k >= n_articles:
                break
            doc_id = f"e{event:06d}-o{outlet:02d}"
            quotes = []
            for i in rng.sample(range(POOL), 3):
                # the first article to carry a statement prints it in full, later ones vary it
                quotes.append((*pool[i], _variant(rng, pool[i][1]) if i in used else pool[i][1]))
                used.add(i)
            for j in range(2):
                own = _words(rng, vocab, rng.randint(10, 18))
                quotes.append((f"{doc_id}-own{j}", own, _name(rng, vocab), own))
            rng.shuffle(quotes)
            head_q = quotes[0][3][:4] if rng.random() < 0.33 else None
            headline = " ".join(_words(rng, vocab, 6)).capitalize()
            if head_q:
                headline = f'{quotes[0][2]}: "{" ".join(head_q)}"'
            text = headline + "\n\n"
            for sid, _, speaker, printed in quotes:
                text += " ".join(_words(rng, vocab, rng.randint(15, 30))).capitalize() + ". "
                body = " ".join(printed).capitalize()
                if rng.random() < 0.5:
                    start = len(text)
                    text += f'"{body}," said {speaker}.'
                else:
                    text += f'{speaker} said: "{body}."'
                    start = len(text) - len(body) - 3
                planted[f"{doc_id}@{start}"] = sid
                if rng.random() < 0.5:
                    spans.append({"doc_id": doc_id, "start": start, "end": len(text), "label": "CLAIM",
                                  "layer": "claim", "text": text[start:], "kind": "quotation", "speaker": speaker})
                text += "\n"
            if rng.random() < 0.5:
                text += f'{scare_speaker} called the plan "{scare_word}" on Monday.\n'
            docs.append({"doc_id": doc_id, "source": f"Outlet {outlet:02d}", "title": headline, "text": text})
    spans_df = pd.DataFrame(spans)
    spans_df["annotator"] = "ana"
    spans_df["is_model"] = False
    return pd.DataFrame(docs), spans_df, planted


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _old_match(quotes: pd.DataFrame) -> int:
    """The previous method: every pair sharing a word bigram, compared with difflib, diff kept."""
    recs = quotes.to_dict("records")
    toks = [quote_tokens(r["text"]) for r in recs]
    index: dict[tuple[str, str], list[int]] = {}
    for i, t in enumerate(toks):
        for bg in set(zip(t, t[1:], strict=False)):
            index.setdefault(bg, []).append(i)
    cands = {(i, j) for ms in index.values() for x, i in enumerate(ms) for j in ms[x + 1:]}
    found = 0
    for i, j in sorted(cands):
        if recs[i]["source"] == recs[j]["source"]:
            continue
        ta, tb = toks[i], toks[j]
        short = min(len(ta), len(tb))
        sm = SequenceMatcher(None, ta, tb, autojunk=False)
        m = sum(b.size for b in sm.get_matching_blocks() if b.size >= (1 if short <= 3 else 2))
        if short and m / short >= 0.75:
            word_diff(recs[i]["text"], recs[j]["text"])
            found += 1
    return found


def child(task: str, size: int) -> dict:
    t0 = time.perf_counter()
    docs, spans, planted = generate(size)
    out: dict = {"generate_s": time.perf_counter() - t0, "rss_after_generate_mib": _rss_mib(),
                 "documents": len(docs)}
    c0 = time.process_time()
    if task == "quotes":
        t = time.perf_counter()
        q = document_quotations(docs, spans, layer="ana", scare_quotes=True)
        t1 = time.perf_counter()
        m = match_quotations(q)
        t2 = time.perf_counter()
        g = shared_quotations(q, m)
        t3 = time.perf_counter()
        out.update(document_quotations_s=t1 - t, match_quotations_s=t2 - t1, shared_quotations_s=t3 - t2,
                   total_s=t3 - t, quotations=len(q), pairs=len(m), groups=len(g),
                   kinds=m["match"].value_counts().to_dict(), headline_versions=int((q["headline_of"] != "").sum()))
        # recall: every printed copy of a planted statement in the same group
        sid = dict(zip(q["quote_id"], (planted.get(f"{d}@{s}", "") for d, s in zip(q["doc_id"], q["start"],
                                                                                   strict=True)), strict=True))
        # a headline version quotes its body quotation's statement
        q = q.assign(sid=[sid[h] if h else sid[x] for x, h in zip(q["quote_id"], q["headline_of"], strict=True)])
        root = connected_components(zip(m["quote_a"], m["quote_b"], strict=True))
        body = q[(q["headline_of"] == "") & ~q["scare"] & (q["sid"] != "")]
        shared = body[~body["sid"].str.contains("-own")].groupby("sid")
        whole = sum(1 for _, grp in shared if grp["doc_id"].nunique() < 2
                    or len({root.get(x, x) for x in grp["quote_id"]}) == 1)
        out["planted_statements"] = shared.ngroups
        out["planted_recall"] = round(whole / max(1, shared.ngroups), 4)
        by_id = dict(zip(q["quote_id"], q["sid"], strict=True))
        full = m[m["match"] != "scare"]
        wrong = sum(1 for a, b in zip(full["quote_a"], full["quote_b"], strict=True) if by_id[a] != by_id[b])
        out["false_pairs"] = wrong
    elif task == "profiles":
        q = document_quotations(docs, spans, layer="ana", scare_quotes=True)
        out["rss_before_mib"] = _rss_mib()
        c0 = time.process_time()
        t = time.perf_counter()
        p = source_profiles(docs, q, spans, layer="ana")
        out.update(total_s=time.perf_counter() - t, sources=len(p))
    elif task == "baseline":
        q = document_quotations(docs, spans, layer="ana")
        t = time.perf_counter()
        old = _old_match(q)
        t1 = time.perf_counter()
        new = match_quotations(q)
        t2 = time.perf_counter()
        out.update(old_s=t1 - t, new_s=t2 - t1, old_pairs=old, new_pairs=len(new), total_s=t2 - t,
                   speedup=round((t1 - t) / max(t2 - t1, 1e-9), 1))
    out["cpu_s"] = time.process_time() - c0
    out["peak_rss_mib"] = _rss_mib()
    return out


def run(task: str, size: int, timeout: float) -> dict:
    res = subprocess.run([sys.executable, __file__, "--child", task, str(size)], capture_output=True, text=True,
                         timeout=timeout, cwd=REPO)
    if res.returncode:
        raise SystemExit(f"{task} at {size}: failed: {res.stderr.strip().splitlines()[-1:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="article counts (default 10000,100000)")
    ap.add_argument("--baseline", type=int, default=1000, help="article count of the old-method run (0: skip)")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, dict[int, dict]] = {"quotes": {}, "profiles": {}}
    for size in sizes:
        for task in ("quotes", "profiles"):
            r = results[task][size] = run(task, size, args.timeout)
            print(f"[{size:,}] {task}: " + json.dumps({k: (round(v, 2) if isinstance(v, float) else v)
                                                      for k, v in r.items()}), flush=True)
    if args.baseline:
        r = run("baseline", args.baseline, args.timeout)
        print(f"[{args.baseline:,}] baseline: old all-pairs difflib {r['old_s']:.2f} s ({r['old_pairs']} pairs) vs "
              f"match_quotations {r['new_s']:.2f} s ({r['new_pairs']} pairs): {r['speedup']}x", flush=True)
    print()
    print("| step | " + " | ".join(f"{n:,} articles: wall, CPU, peak RSS" for n in sizes)
          + " | exponent (wall, CPU) |")
    print("|" + "---|" * (len(sizes) + 2))
    for task, per in results.items():
        cells = [f"{per[n]['total_s']:.1f} s, {per[n]['cpu_s']:.1f} s, {per[n]['peak_rss_mib']:.0f} MiB" for n in sizes]
        exp = ""
        if len(sizes) >= 2:
            n1, n2 = sizes[-2], sizes[-1]
            exp = ", ".join(f"{math.log(per[n2][k] / per[n1][k]) / math.log(n2 / n1):.2f}" for k in ("total_s", "cpu_s"))
        print(f"| {task} | " + " | ".join(cells) + f" | {exp} |")


if __name__ == "__main__":
    main()
