"""The news evaluation set (tests/data/news_eval) is consistent and as large as its brief asks."""

from __future__ import annotations

import copy
import re
from collections import Counter

import pytest

from tests.support import news_eval as ne


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    return ne.load_articles()


@pytest.fixture(scope="module")
def gold() -> dict:
    return ne.load_gold()


def test_the_set_has_no_problem(articles, gold):
    assert ne.check(articles, gold) == []


def test_size_targets(articles, gold):
    s = ne.summary(articles, gold)
    t = ne.TARGETS
    assert s["articles"] >= t["articles"]
    assert s["events"] >= t["events_min"]
    assert min(s["outlets_per_event"].values()) >= t["outlets_per_event_min"]
    assert t["words_min"] <= s["words_min"] and s["words_max"] <= t["words_max"]
    assert s["quotations"] >= t["quotations"]
    assert s["entity_groups"] >= t["entity_groups"]
    assert s["people_with_3_forms"] >= t["people_with_3_forms"]
    assert s["shared"] >= t["shared"]
    assert set(s["shared_kinds"]) == set(ne.SHARED_KINDS)
    assert s["not_shared"] >= t["not_shared"]
    assert set(s["styles"]) == set(ne.STYLES) and set(s["conventions"]) == set(ne.CONVENTIONS)


def test_every_pattern_has_enough_examples(gold):
    counts = ne.pattern_counts(gold)
    short = {p: n for p, n in counts.items() if n < ne.pattern_minimum(p)}
    assert not short, f"patterns below their minimum: {short}"


def test_spans_point_at_the_quote_text(articles, gold):
    texts = {a["id"]: a["text"] for a in articles}
    spans = ne.quotation_spans(articles, gold)
    assert len(spans) == len(gold["quotations"])
    for q in spans:
        assert texts[q["doc"]][q["start"]:q["end"]] == q["quote"]
    # quotations whose text occurs twice in their article are told apart by "occurrence"
    repeated = [q for q in spans if q.get("occurrence", 1) > 1]
    assert repeated
    assert all(q["start"] > texts[q["doc"]].index(q["quote"]) for q in repeated)


def test_quote_marks_of_both_conventions_and_both_typographies(articles):
    by_conv: dict[str, str] = {}
    for a in articles:
        by_conv[a["convention"]] = by_conv.get(a["convention"], "") + a["text"]
    for mark in "“”":
        assert mark in by_conv["us"]
    for mark in "‘’'":
        assert mark in by_conv["uk"]
    assert '"' in by_conv["us"]
    assert "per cent" in by_conv["uk"] and "percent" in by_conv["us"]


def test_headline_quotes_repeat_words_of_their_body(articles, gold):
    texts = {a["id"]: a["text"] for a in articles}
    heads = [q for q in gold["quotations"] if q["headline"]]
    assert len(heads) >= ne.pattern_minimum("headline")
    for q in heads:
        body = texts[q["doc"]].split("\n\n", 1)[1].casefold()
        words = " ".join(re.findall(r"[\w'’-]+", q["quote"].casefold()))
        assert words in body, q["id"]


def test_people_sharing_a_surname_are_both_quoted(gold):
    speakers = Counter(q["speaker"] for q in gold["quotations"])
    groups = {g["name"] for g in gold["entities"]}
    assert gold["distinct"]
    for a, b in gold["distinct"]:
        assert a in groups and b in groups
    surname_pairs = [(a, b) for a, b in gold["distinct"] if a.split()[-1] == b.split()[-1]]
    assert surname_pairs
    for a, b in surname_pairs:
        assert speakers[a] >= 2 and speakers[b] >= 2


def test_shared_pairs_cover_every_event_with_two_sources(articles, gold):
    event_of = {a["id"]: a["event"] for a in articles}
    doc_of = {q["id"]: q["doc"] for q in gold["quotations"]}
    events = {event_of[doc_of[p["a"]]] for p in gold["shared"]}
    assert events == set(event_of.values())


def test_null_speakers_are_common_noun_traps(gold):
    nulls = [q for q in gold["quotations"] if q["speaker"] is None]
    assert len(nulls) >= 3
    assert all("common-noun-trap" in q["patterns"] for q in nulls)


# ----------------------------------------------------------------- the checker catches mistakes


def _problems_after(articles, gold, change) -> list[str]:
    arts, g = copy.deepcopy(articles), copy.deepcopy(gold)
    change(arts, g)
    return ne.check(arts, g)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a, g: g["quotations"][0].update(quote="words nobody wrote"), "quote not found"),
        (lambda a, g: g["quotations"][0].update(doc="no-such-doc"), "unknown doc"),
        (lambda a, g: g["quotations"][1].update(id=g["quotations"][0]["id"]), "duplicate id"),
        (lambda a, g: g["quotations"][0].update(patterns=["after", "sideways"]), "unknown pattern"),
        (lambda a, g: g["quotations"][0].update(speaker="Nobody Ever"), "not written in any article"),
        (lambda a, g: g["entities"][0]["variants"].append("Samwise Okafor"), "not written in any article"),
        (lambda a, g: g["entities"][1]["variants"].append(g["entities"][0]["variants"][0]), "in two groups"),
        (lambda a, g: g["distinct"].append(["Ana Pires", "Nobody"]), "is not an entity group"),
        (lambda a, g: g["shared"].append({"a": "q001", "b": "q002", "kind": "full"}), "both quotations are from"),
        (lambda a, g: g["shared"].append({"a": "q001", "b": "q999", "kind": "full"}), "unknown quotation id"),
        (lambda a, g: g["not_shared"].append(dict(g["shared"][0])), "also listed as shared"),
        (lambda a, g: a[0].update(style="blog"), "style 'blog'"),
        (lambda a, g: a[1].update(id=a[0]["id"]), "duplicate id"),
    ],
)
def test_check_reports_each_kind_of_mistake(articles, gold, change, expected):
    problems = _problems_after(articles, gold, change)
    assert any(expected in p for p in problems), problems


def test_check_reports_ambiguous_and_out_of_range_occurrences(articles, gold):
    texts = {a["id"]: a["text"] for a in articles}
    rep = next(q for q in gold["quotations"] if q.get("occurrence"))
    n = len(ne.find_all(texts[rep["doc"]], rep["quote"]))

    def drop(a, g):
        next(q for q in g["quotations"] if q["id"] == rep["id"]).pop("occurrence")

    def too_far(a, g):
        next(q for q in g["quotations"] if q["id"] == rep["id"])["occurrence"] = n + 1

    assert any("ambiguous" in p for p in _problems_after(articles, gold, drop))
    assert any(f"occurs {n} time(s)" in p for p in _problems_after(articles, gold, too_far))


def test_quotation_spans_raises_one_line_error(articles, gold):
    g = copy.deepcopy(gold)
    g["quotations"][0]["quote"] = "words nobody wrote"
    with pytest.raises(ne.NewsEvalError, match=r"^quotation 'q001': quote not found") as err:
        ne.quotation_spans(articles, g)
    assert "\n" not in str(err.value)


def test_load_errors_name_the_file(tmp_path):
    bad = tmp_path / "articles.jsonl"
    bad.write_text('{"id": "a"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(ne.NewsEvalError, match=r"articles\.jsonl:2: expected a JSON object"):
        ne.load_articles(bad)
    broken = tmp_path / "gold.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ne.NewsEvalError, match=r"gold\.json:1: not valid JSON"):
        ne.load_gold(broken)


def test_build_project_keeps_ids_sources_and_texts(tmp_path, articles):
    proj = ne.build_project(tmp_path)
    docs = proj.documents()
    assert sorted(docs) == sorted(a["id"] for a in articles)
    for a in articles:
        d = docs[a["id"]]
        assert (d.source, d.text, d.title) == (a["source"], a["text"], a["title"])
