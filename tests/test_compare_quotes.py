"""Quotation matching on constructed pairs, and the attribution heuristic.

Every expected value here is worked out by hand from the pair itself (see the comments):
similarity = words of the shorter quotation that lie in runs of >= 2 matching words, divided
by the number of words of the shorter quotation.
"""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.compare.quotes import (
    compare_quotes,
    document_quotations,
    heuristic_speaker,
    match_quotations,
    normalize_quote,
    quote_tokens,
    quotes_match,
    shared_quotations,
    word_diff,
)

BASE = "We will rebuild the harbour wall before the winter storms arrive"  # 11 words


def test_tokens_normalise_quotes_apostrophes_case_and_elisions():
    assert quote_tokens("“We Don’t know…” ") == ["we", "don't", "know"]
    assert quote_tokens("a ... b [...] c . . . d", keep_elisions=True) == [
        "a", "\u2026", "b", "\u2026", "c", "\u2026", "d"]
    assert normalize_quote("«Oui»") == '"oui"'


def test_curly_versus_straight_quotes_are_identical():
    c = compare_quotes("“We don’t yet know what caused it,”", '"We don\'t yet know what caused it,"')
    assert c.similarity == 1.0 and c.overlap == 1.0
    assert all(d.op == "equal" for d in c.diff)


def test_words_trimmed_at_either_end_match():
    # The shorter version (7 words) lies entirely inside the longer one: similarity 7/7.
    c = compare_quotes(BASE, "rebuild the harbour wall before the winter")
    assert c.similarity == 1.0
    # Dice overlap 2*7/(11+7)
    assert c.overlap == pytest.approx(round(14 / 18, 4))
    assert c.diff_text == "[-we will-] rebuild the harbour wall before the winter [-storms arrive-]"
    assert quotes_match(BASE, "rebuild the harbour wall before the winter")


@pytest.mark.parametrize("elided", [
    "We will rebuild the harbour wall ... storms arrive",
    "We will rebuild the harbour wall … storms arrive",
    "We will rebuild the harbour wall [...] storms arrive",
    "We will rebuild the harbour wall. . . storms arrive",
])
def test_elided_words_match(elided):
    # 7 words remain (we will rebuild the harbour wall | storms arrive), all in runs >= 2.
    c = compare_quotes(BASE, elided)
    assert c.similarity == 1.0
    assert c.matched_words == 8
    assert "{+\u2026+}" in c.diff_text


def test_a_changed_word_matches_and_the_diff_shows_it():
    changed = "We will rebuild the harbour wall before the autumn storms arrive"
    c = compare_quotes(BASE, changed)
    # 10 of 11 words in runs "we ... the" (8) and "storms arrive" (2).
    assert c.similarity == pytest.approx(round(10 / 11, 4))
    assert c.matches()
    assert c.diff_text == "we will rebuild the harbour wall before the [-winter-] {+autumn+} storms arrive"
    assert "<del>winter</del> <ins>autumn</ins>" in c.diff_html


def test_trimmed_plus_changed_plus_curly_still_matches():
    c = compare_quotes("“We will rebuild the port wall before the winter”", BASE)
    # shorter: 9 words; matching runs "we will rebuild the" (4) + "wall before the winter" (4)
    assert c.similarity == pytest.approx(round(8 / 9, 4))
    assert c.matches()


@pytest.mark.parametrize("a,b,expected", [
    # shared run "the people of this town" (5 of 9 words): 0.556
    ("The council has failed the people of this town",
     "The people of this town deserve answers from the council", 5 / 9),
    # shared run "public safety must come first" (5 of 13); "inspectors" alone does not count
    ("Public safety must come first, and the harbour will stay closed until the inspectors finish",
     "Public safety must come first, which is why we are hiring more inspectors", 5 / 13),
    # many shared words, scattered: in-order runs "the mayor" and then "the town" (4 of 10),
    # and 4 matched words are weighted by the length floor 4/5
    ("The mayor said the budget was fair to the town",
     "Fair questions remain: was the budget the mayor wanted good for the town", 4 / 10 * 4 / 5),
    # nothing in common beyond function words in different order
    ("We are not going anywhere", "Nobody is going to listen to us anyway", 0.0),
])
def test_different_quotations_with_shared_words_do_not_match(a, b, expected):
    c = compare_quotes(a, b)
    assert c.similarity == pytest.approx(round(expected, 4))
    assert not c.matches()
    assert not quotes_match(a, b)


def test_empty_quotations_never_match():
    assert not compare_quotes("...", "We will rebuild").matches()
    assert compare_quotes("", "").similarity == 0.0


def test_word_diff_ops():
    ops = word_diff("a b c d", "a x c d")
    assert [o.op for o in ops] == ["equal", "replace", "equal"]
    assert ops[1].a == ("b",) and ops[1].b == ("x",)


@pytest.mark.parametrize("text,quote,speaker", [
    ('"We are ready," said Jane Doe on Monday.', '"We are ready,"', "Jane Doe"),
    ("“We are ready,” Ms Doe said.", "“We are ready,”", "Ms Doe"),
    ("“We are ready,” the harbour master said.", "“We are ready,”", "the harbour master"),
    ('Jane Doe told reporters: "We are ready."', '"We are ready."', "Jane Doe"),
    ('According to Doe, "the port is ready".', '"the port is ready"', "Doe"),
    ('"We are ready," according to Mayor Jane Doe.', '"We are ready,"', "Mayor Jane Doe"),
    ('"We are ready," the port\'s director, Jane Doe, said.', '"We are ready,"', "Jane Doe"),
    ('"We are ready," she said.', '"We are ready,"', "she"),
    ('The report was late. "We are ready."', '"We are ready."', ""),
])
def test_heuristic_speaker(text, quote, speaker):
    i = text.index(quote)
    assert heuristic_speaker(text, i, i + len(quote)) == speaker


def _docs(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"doc_id": d, "source": s, "text": t, "n_chars": len(t)} for d, s, t in rows])


def test_matching_across_sources_on_documents():
    docs = _docs(
        ("a1", "Alpha", '"We will rebuild the harbour wall before the winter storms arrive," said Jane Doe. '
                        'Critics called it "too little, too late" and "a plan without money behind it".'),
        ("b1", "Beta", "“We will rebuild the harbour wall … storms arrive,” Ms Doe told reporters. "
                       "“The money is there,” she added."),
        ("c1", "Gamma", "Doe promised: “rebuild the harbour wall before the winter”. "
                        "One resident said: “There is no money behind it at all.”"),
        ("a2", "Alpha", '"We will rebuild the harbour wall before the winter storms arrive," Doe repeated.'),
    )
    q = document_quotations(docs)
    assert set(q["text"].str.strip(",.")) >= {"We will rebuild the harbour wall before the winter storms arrive",
                                              "a plan without money behind it", "The money is there"}
    m = match_quotations(q)
    pairs = {tuple(sorted((a, b))) for a, b in zip(m["doc_a"], m["doc_b"], strict=True)}
    # a1/a2 are the same source: not compared by default.  b1 and c1 are two different cuts:
    # they share only "rebuild the harbour wall" (4 of c1's 7 words, 0.57), so no direct match;
    # the group below still joins them through a1.
    assert pairs == {("a1", "b1"), ("a1", "c1"), ("a2", "b1"), ("a2", "c1")}
    # "a plan without money behind it" vs "There is no money behind it at all": run of 3 / 6 -> 0.5
    assert not ((m["text_a"].str.contains("money")) | (m["text_b"].str.contains("money"))).any()
    # Attribution: "said Jane Doe", "Ms Doe told"; no entity spans are given, so names stay as
    # written minus titles.
    row = m[(m["doc_a"] == "a1") & (m["doc_b"] == "b1")].iloc[0]
    assert (row["speaker_a"], row["speaker_b"]) == ("Jane Doe", "Doe")
    groups = shared_quotations(q, m)
    assert len(groups) == 1 and groups.loc[0, "n_sources"] == 3
    same_source = match_quotations(q, cross_source=False)
    assert len(same_source) == len(m) + 1
