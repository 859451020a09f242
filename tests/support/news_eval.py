"""The news evaluation set: original news-style articles with gold quotations, speakers, name
groups and shared quotations (``tests/data/news_eval/``, described in its ``README.md``).

Loading, locating and checking the set::

    from tests.support import news_eval as ne
    articles, gold = ne.load_articles(), ne.load_gold()
    assert not ne.check(articles, gold)
    spans = ne.quotation_spans(articles, gold)   # gold quotations with start/end offsets

``python -m tests.support.news_eval`` prints the problems (if any) and the counts used in the
README.  Nothing here imports spaCy; :func:`build_project` needs only the toolkit core.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: Folder holding ``articles.jsonl``, ``gold.json`` and ``README.md``.
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "news_eval"
ARTICLES_FILE = DATA_DIR / "articles.jsonl"
GOLD_FILE = DATA_DIR / "gold.json"

#: Every pattern name a gold quotation may carry (see the README for their meaning).
PATTERNS: tuple[str, ...] = (
    "after", "before", "inside", "inversion", "pronoun", "pronoun-paragraph", "colon", "continuation",
    "multi-sentence", "apposition", "title", "role", "org", "according-to", "common-noun-trap",
    "two-speakers", "scare", "headline",
)
#: Patterns that need only 3 examples; every other pattern needs :data:`MIN_PER_PATTERN`.
RARE_PATTERNS: dict[str, int] = {"scare": 3, "headline": 3, "common-noun-trap": 3, "two-speakers": 3}
MIN_PER_PATTERN = 4

#: Size targets of the set (the brief it was written to); checked by tests/test_news_eval_data.py.
TARGETS: dict[str, int] = {
    "articles": 14,
    "events_min": 4,
    "outlets_per_event_min": 3,
    "quotations": 90,
    "entity_groups": 12,
    "people_with_3_forms": 6,
    "shared": 15,
    "not_shared": 5,
    "words_min": 250,
    "words_max": 600,
}

STYLES = ("wire", "newspaper")
CONVENTIONS = ("us", "uk")
SHARED_KINDS = ("full", "partial", "scare")
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP")
SPEAKER_TYPES = ("person", "org")
#: Characters that open or close a quotation in the articles.
OPEN_MARKS = "\"'“‘"
CLOSE_MARKS = "\"'”’"
ARTICLE_KEYS = ("id", "event", "source", "style", "convention", "title", "text")


class NewsEvalError(ValueError):
    """The evaluation files cannot be read or a quotation cannot be located (one-line message)."""


# --------------------------------------------------------------------------- loading


def load_articles(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """The articles of ``articles.jsonl`` (default: the set in :data:`DATA_DIR`), in file order.

    Each is a dict with ``id, event, source, style, convention, title, text``.  Raises
    :class:`NewsEvalError` naming the file and line for unreadable JSON or a non-object line.
    """
    p = Path(path) if path is not None else ARTICLES_FILE
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise NewsEvalError(f"{p}: cannot read ({exc.strerror})") from None
    out: list[dict[str, Any]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise NewsEvalError(f"{p}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise NewsEvalError(f"{p}:{n}: expected a JSON object, got {type(obj).__name__}")
        out.append(obj)
    return out


def load_gold(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The ground truth of ``gold.json`` (default: the set in :data:`DATA_DIR`).

    Missing top-level lists (``quotations, entities, distinct, shared, not_shared``) are
    returned empty so that a partial file can still be checked.
    """
    p = Path(path) if path is not None else GOLD_FILE
    try:
        gold = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NewsEvalError(f"{p}: cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise NewsEvalError(f"{p}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(gold, dict):
        raise NewsEvalError(f"{p}: expected a JSON object at the top level")
    for key in ("quotations", "entities", "distinct", "shared", "not_shared"):
        gold.setdefault(key, [])
    return gold


# --------------------------------------------------------------------------- locating quotations


def find_all(text: str, sub: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``sub`` in ``text``."""
    if not sub:
        return []
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def _locate(q: Mapping[str, Any], text: str) -> tuple[int, int] | str:
    """``(start, end)`` of quotation ``q`` in ``text``, or a problem description."""
    quote = q.get("quote")
    if not isinstance(quote, str) or not quote:
        return "has no quote text"
    hits = find_all(text, quote)
    occ = q.get("occurrence")
    if not hits:
        return f"quote not found in {q.get('doc')!r}: {quote[:60]!r}"
    if occ is None:
        if len(hits) > 1:
            return f"quote is ambiguous ({len(hits)} occurrences in {q.get('doc')!r}; give 'occurrence'): {quote[:60]!r}"
        occ = 1
    if not isinstance(occ, int) or isinstance(occ, bool) or occ < 1:
        return f"occurrence must be a positive integer, got {occ!r}"
    if occ > len(hits):
        return f"occurrence {occ} asked but the quote occurs {len(hits)} time(s) in {q.get('doc')!r}: {quote[:60]!r}"
    start = hits[occ - 1]
    return start, start + len(quote)


def quotation_spans(articles: Sequence[Mapping[str, Any]], gold: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every gold quotation (a copy) with ``start``/``end``: offsets of its content in its article.

    Also adds ``source`` and ``event`` of the article.  Raises :class:`NewsEvalError` on the
    first quotation that cannot be located (run :func:`check` for the full list).
    """
    by_id = {a["id"]: a for a in articles}
    out = []
    for q in gold.get("quotations", []):
        art = by_id.get(q.get("doc"))
        if art is None:
            raise NewsEvalError(f"quotation {q.get('id')!r}: unknown doc {q.get('doc')!r}")
        where = _locate(q, art["text"])
        if isinstance(where, str):
            raise NewsEvalError(f"quotation {q.get('id')!r}: {where}")
        out.append({**q, "start": where[0], "end": where[1], "source": art["source"], "event": art["event"]})
    return out


# --------------------------------------------------------------------------- checking


def _check_articles(articles: Sequence[Mapping[str, Any]]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for n, a in enumerate(articles, 1):
        aid = a.get("id")
        missing = [k for k in ARTICLE_KEYS if not isinstance(a.get(k), str) or not a.get(k)]
        if missing:
            problems.append(f"article #{n} ({aid!r}): missing or empty {', '.join(missing)}")
            continue
        if aid in seen:
            problems.append(f"article {aid!r}: duplicate id")
        seen.add(aid)
        if a["style"] not in STYLES:
            problems.append(f"article {aid!r}: style {a['style']!r} is not one of {', '.join(STYLES)}")
        if a["convention"] not in CONVENTIONS:
            problems.append(f"article {aid!r}: convention {a['convention']!r} is not one of {', '.join(CONVENTIONS)}")
        if not a["text"].startswith(a["title"] + "\n\n"):
            problems.append(f"article {aid!r}: text must start with the title line and a blank line")
    return problems


def _check_quote_marks(q: Mapping[str, Any], text: str, start: int, end: int) -> str | None:
    """A quotation's content sits right after an opening mark and ends at a closing mark or at
    the end of its paragraph (a continued multi-paragraph quotation)."""
    if start == 0 or text[start - 1] not in OPEN_MARKS:
        return f"quotation {q['id']!r}: no opening quotation mark before {q['quote'][:40]!r}"
    at_par_end = end == len(text) or text.startswith("\n\n", end)
    if not (at_par_end or (end < len(text) and text[end] in CLOSE_MARKS)):
        return f"quotation {q['id']!r}: no closing mark or paragraph end after {q['quote'][-40:]!r}"
    return None


def _check_quotations(articles: Sequence[Mapping[str, Any]], gold: Mapping[str, Any],
                      all_text: str) -> list[str]:
    problems = []
    by_id = {a.get("id"): a for a in articles}
    seen: set[str] = set()
    for q in gold.get("quotations", []):
        qid = q.get("id")
        if not isinstance(qid, str) or not qid:
            problems.append(f"quotation without an id: {str(q)[:80]}")
            continue
        if qid in seen:
            problems.append(f"quotation {qid!r}: duplicate id")
        seen.add(qid)
        art = by_id.get(q.get("doc"))
        if art is None:
            problems.append(f"quotation {qid!r}: unknown doc {q.get('doc')!r}")
            continue
        where = _locate(q, art["text"])
        if isinstance(where, str):
            problems.append(f"quotation {qid!r}: {where}")
            continue
        start, end = where
        mark = _check_quote_marks(q, art["text"], start, end)
        if mark:
            problems.append(mark)
        in_headline = end <= len(art["title"])
        patterns = q.get("patterns") or []
        if bool(q.get("headline")) != in_headline:
            problems.append(f"quotation {qid!r}: headline={q.get('headline')!r} but the quote is "
                            f"{'in' if in_headline else 'not in'} the headline line")
        if ("headline" in patterns) != in_headline:
            problems.append(f"quotation {qid!r}: pattern 'headline' must be listed iff the quote is in the headline")
        unknown = [p for p in patterns if p not in PATTERNS]
        if unknown:
            problems.append(f"quotation {qid!r}: unknown pattern(s) {', '.join(map(repr, unknown))}")
        if len(set(patterns)) != len(patterns):
            problems.append(f"quotation {qid!r}: a pattern is listed twice")
        speaker, stype = q.get("speaker"), q.get("speaker_type")
        if speaker is None:
            if stype is not None:
                problems.append(f"quotation {qid!r}: speaker_type must be null when the speaker is null")
        else:
            if not isinstance(speaker, str) or not speaker.strip():
                problems.append(f"quotation {qid!r}: speaker must be a non-empty string or null")
            elif speaker not in all_text:
                problems.append(f"quotation {qid!r}: speaker {speaker!r} is not written in any article")
            if stype not in SPEAKER_TYPES:
                problems.append(f"quotation {qid!r}: speaker_type {stype!r} is not one of {', '.join(SPEAKER_TYPES)}")
    return problems


def _check_entities(gold: Mapping[str, Any], all_text: str) -> list[str]:
    problems = []
    names: set[str] = set()
    owner: dict[str, str] = {}
    for g in gold.get("entities", []):
        name = g.get("name")
        if not isinstance(name, str) or not name:
            problems.append(f"entity group without a name: {str(g)[:80]}")
            continue
        if name in names:
            problems.append(f"entity group {name!r}: duplicate name")
        names.add(name)
        if g.get("label") not in ENTITY_LABELS:
            problems.append(f"entity group {name!r}: label {g.get('label')!r} is not one of {', '.join(ENTITY_LABELS)}")
        variants = g.get("variants") or []
        if name not in variants:
            problems.append(f"entity group {name!r}: its name must be one of its variants")
        for v in variants:
            if v not in all_text:
                problems.append(f"entity group {name!r}: variant {v!r} is not written in any article")
            if v in owner and owner[v] != name:
                problems.append(f"variant {v!r} is in two groups: {owner[v]!r} and {name!r}")
            owner.setdefault(v, name)
    for pair in gold.get("distinct", []):
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            problems.append(f"distinct entry must be a pair of group names: {pair!r}")
            continue
        for n in pair:
            if n not in names:
                problems.append(f"distinct pair {list(pair)!r}: {n!r} is not an entity group")
    return problems


def _check_pairs(articles: Sequence[Mapping[str, Any]], gold: Mapping[str, Any]) -> list[str]:
    problems = []
    source_of = {a.get("id"): a.get("source") for a in articles}
    event_of = {a.get("id"): a.get("event") for a in articles}
    doc_of = {q.get("id"): q.get("doc") for q in gold.get("quotations", [])}
    shared_keys: set[frozenset[str]] = set()
    for key in ("shared", "not_shared"):
        for pair in gold.get(key, []):
            a, b = pair.get("a"), pair.get("b")
            label = f"{key} pair {a!r}-{b!r}"
            if a not in doc_of or b not in doc_of:
                problems.append(f"{label}: unknown quotation id {a if a not in doc_of else b!r}")
                continue
            if a == b:
                problems.append(f"{label}: a quotation paired with itself")
                continue
            k = frozenset((a, b))
            if key == "shared":
                if source_of.get(doc_of[a]) == source_of.get(doc_of[b]):
                    problems.append(f"{label}: both quotations are from {source_of.get(doc_of[a])!r}")
                if event_of.get(doc_of[a]) != event_of.get(doc_of[b]):
                    problems.append(f"{label}: the quotations are from different events")
                if pair.get("kind") not in SHARED_KINDS:
                    problems.append(f"{label}: kind {pair.get('kind')!r} is not one of {', '.join(SHARED_KINDS)}")
                if k in shared_keys:
                    problems.append(f"{label}: listed twice")
                shared_keys.add(k)
            elif k in shared_keys:
                problems.append(f"{label}: also listed as shared")
    return problems


def check(articles: Sequence[Mapping[str, Any]], gold: Mapping[str, Any]) -> list[str]:
    """Every problem of the set, one line each (empty when consistent).

    Checked: article fields, ids, styles and title lines; each quotation's id (unique), doc
    (known), text (found once, or at the given ``occurrence``, between quotation marks or
    running to its paragraph's end), headline flag, patterns and speaker (written in some
    article, typed); entity groups (each variant written in some article and in one group
    only) and ``distinct`` pairs; ``shared`` pairs (known ids, different outlets, same event,
    valid kind, no duplicates) and ``not_shared`` pairs (known ids, not also shared).
    """
    if gold.get("version") != 1:
        return [f"gold version must be 1, got {gold.get('version')!r}"]
    all_text = "\n\n".join(a["text"] for a in articles if isinstance(a.get("text"), str))
    return (_check_articles(articles) + _check_quotations(articles, gold, all_text)
            + _check_entities(gold, all_text) + _check_pairs(articles, gold))


# --------------------------------------------------------------------------- counts


def pattern_counts(gold: Mapping[str, Any]) -> Counter[str]:
    """How many gold quotations exercise each pattern (every name of :data:`PATTERNS`, zeros kept)."""
    counts: Counter[str] = Counter(dict.fromkeys(PATTERNS, 0))
    for q in gold.get("quotations", []):
        counts.update(set(q.get("patterns") or []))
    return counts


def word_count(text: str) -> int:
    """Words (whitespace-separated tokens) of an article's body, the headline excluded."""
    return len(text.split("\n\n", 1)[-1].split())


def summary(articles: Sequence[Mapping[str, Any]], gold: Mapping[str, Any]) -> dict[str, Any]:
    """Size figures of the set, computed from the data (the README and the tests use them)."""
    events: dict[str, set[str]] = {}
    for a in articles:
        events.setdefault(a["event"], set()).add(a["source"])
    words = [word_count(a["text"]) for a in articles]
    people3 = [g["name"] for g in gold["entities"] if g.get("label") == "PERSON" and len(g.get("variants", [])) >= 3]
    quotes = gold["quotations"]
    return {
        "articles": len(articles),
        "events": len(events),
        "outlets_per_event": {e: len(s) for e, s in sorted(events.items())},
        "outlets": sorted({a["source"] for a in articles}),
        "words_min": min(words, default=0),
        "words_max": max(words, default=0),
        "words_total": sum(words),
        "quotations": len(quotes),
        "headline_quotations": sum(1 for q in quotes if q.get("headline")),
        "null_speaker": sum(1 for q in quotes if q.get("speaker") is None),
        "speaker_types": dict(Counter(str(q.get("speaker_type")) for q in quotes)),
        "entity_groups": len(gold["entities"]),
        "entity_labels": dict(Counter(g.get("label") for g in gold["entities"])),
        "people_with_3_forms": len(people3),
        "distinct": len(gold["distinct"]),
        "shared": len(gold["shared"]),
        "shared_kinds": dict(Counter(p.get("kind") for p in gold["shared"])),
        "not_shared": len(gold["not_shared"]),
        "styles": dict(Counter(a["style"] for a in articles)),
        "conventions": dict(Counter(a["convention"] for a in articles)),
    }


def pattern_minimum(pattern: str) -> int:
    """The number of quotations a pattern needs (3 for the rare ones, else 4)."""
    return RARE_PATTERNS.get(pattern, MIN_PER_PATTERN)


# --------------------------------------------------------------------------- projects


def build_project(tmpdir: str | os.PathLike[str], articles: Iterable[Mapping[str, Any]] | None = None,
                  name: str = "news-eval") -> Any:
    """A toolkit project at ``<tmpdir>/<name>`` holding the articles (ids, sources, titles kept).

    Returns the :class:`toolkit.Project`.  ``articles`` defaults to :func:`load_articles`.
    """
    import toolkit as tk

    arts = list(articles) if articles is not None else load_articles()
    proj = tk.Project.init(Path(tmpdir) / name)
    proj.add_documents(
        tk.Document.create(a["id"], a["source"], a["text"], title=a["title"]) for a in arts
    )
    return proj


def _markdown_counts(articles: Sequence[Mapping[str, Any]], gold: Mapping[str, Any]) -> str:
    s = summary(articles, gold)
    lines = [
        f"- {s['articles']} articles, {s['events']} events, outlets per event: "
        + ", ".join(f"{e} {n}" for e, n in s["outlets_per_event"].items()),
        f"- body length {s['words_min']}-{s['words_max']} words ({s['words_total']} in all); "
        f"styles {s['styles']}; conventions {s['conventions']}",
        f"- {s['quotations']} quotations ({s['headline_quotations']} in headlines, "
        f"{s['null_speaker']} with no knowable speaker); speaker types {s['speaker_types']}",
        f"- {s['entity_groups']} entity groups {s['entity_labels']}, {s['people_with_3_forms']} people with "
        f"3+ forms, {s['distinct']} distinct pair(s)",
        f"- {s['shared']} shared pairs {s['shared_kinds']}, {s['not_shared']} not-shared look-alike pairs",
        "",
        "| pattern | quotations |",
        "|---|---:|",
    ]
    lines += [f"| {p} | {n} |" for p, n in pattern_counts(gold).items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the problems of the set (exit 1 if any) and its counts as Markdown."""
    args = list(sys.argv[1:] if argv is None else argv)
    articles = load_articles(args[0] if args else None)
    gold = load_gold(args[1] if len(args) > 1 else None)
    problems = check(articles, gold)
    for p in problems:
        print(p)
    if problems:
        return 1
    print(_markdown_counts(articles, gold))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
