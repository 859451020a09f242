"""Quotation matching on constructed pairs, and the attribution heuristic.

Every expected value here is worked out by hand from the pair itself (see the comments):
m = matched words (words in runs of >= 2 matching words), cover_a = m / words of a,
cover_b = m / words of b, similarity = max(cover_a, cover_b) * min(1, m / 5).
"""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.compare.profiles import source_profiles
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


# -- containment, fragments, scare quotes, headlines, look-alikes, blocking ------------------------

LONG = "We will rebuild the harbour wall before the winter storms arrive and the town will be safe again"  # 18


def _match(*rows: tuple[str, str, str], **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    q = document_quotations(_docs(*rows), scare_quotes=True)
    return q, match_quotations(q, **kw)


def test_a_short_quotation_inside_a_long_one_is_a_partial_match_with_both_coverages():
    q, m = _match(("a1", "Alpha", f'"{LONG}," said Jane Doe.'),
                  ("b1", "Beta", 'Doe promised the town "the harbour wall before the winter storms", she said.'))
    assert len(m) == 1
    row = m.iloc[0]
    # 7 words of Beta's quotation, all inside Alpha's 18: cover_a 7/18, cover_b 7/7, similarity 1 * min(1, 7/5)
    assert (row["source_a"], row["match"]) == ("Alpha", "partial")
    assert row["cover_a"] == pytest.approx(round(7 / 18, 4)) and row["cover_b"] == 1.0
    assert row["similarity"] == 1.0
    assert row["diff"].startswith("[-we will rebuild-] the harbour wall")


def test_a_three_word_fragment_scores_below_a_full_sentence():
    full = compare_quotes(LONG, LONG)
    fragment = compare_quotes("the winter storms", LONG)
    # m = 3: max cover 3/3 = 1, length floor 3/5 -> 0.6; the full sentence: 1 * min(1, 18/5) = 1
    assert full.similarity == 1.0 and fragment.similarity == pytest.approx(0.6)
    assert fragment.cover_a == 1.0 and fragment.cover_b == pytest.approx(round(3 / 18, 4))
    assert not fragment.matches()
    # in a corpus the fragment matches only when both sides name the same speaker
    _, same = _match(("a1", "Alpha", f'"{LONG}," said Jane Doe.'),
                     ("b1", "Beta", 'Jane Doe warned of "the winter storms" again.'))
    _, unknown = _match(("a1", "Alpha", f'"{LONG}," said Jane Doe.'),
                        ("b1", "Beta", 'The report warned of "the winter storms" again.'))
    assert same["match"].tolist() == ["partial"] and same["similarity"].tolist() == [pytest.approx(0.6)]
    assert unknown.empty


def test_scare_quotes_match_only_for_the_same_speaker_and_a_content_word():
    q, m = _match(("a1", "Alpha", 'Jane Doe called the plan "theft" on Monday.'),
                  ("b1", "Beta", 'Ms Jane Doe called the harbour plan "theft".'),
                  ("c1", "Gamma", 'Tom Roe called the plan "theft" as well.'),
                  ("d1", "Delta", 'Jane Doe called the date "not yet" fixed.'),
                  ("e1", "Epsilon", 'Jane Doe called it "not yet" decided.'))
    assert q["scare"].all() and set(q["n_words"]) == {1, 2}
    assert (q.set_index("doc_id")["speaker"].to_dict()
            == {"a1": "Jane Doe", "b1": "Jane Doe", "c1": "Tom Roe", "d1": "Jane Doe", "e1": "Jane Doe"})
    # Alpha and Beta: same word, same speaker.  Gamma: same word, another speaker.  Delta and
    # Epsilon: same speaker, but "not yet" has only function words.
    assert list(zip(m["doc_a"], m["doc_b"], m["match"], strict=True)) == [("a1", "b1", "scare")]
    assert m.loc[0, "similarity"] == pytest.approx(0.2)  # 1 word: 1 * min(1, 1/5)
    # without scare_quotes the one-word quotations are not quotations at all
    assert document_quotations(_docs(("a1", "Alpha", 'Jane Doe called the plan "theft".'))).empty


def test_a_headline_quotation_is_the_body_quotation_and_is_not_counted_twice():
    head = 'Doe: "We will rebuild the harbour wall"'
    docs = pd.DataFrame([
        {"doc_id": "a1", "source": "Alpha", "title": head,
         "text": f'{head}\n\n"{LONG}," said Jane Doe on Monday.'},
        {"doc_id": "b1", "source": "Beta", "title": "Harbour works to begin",
         "text": f'Harbour works to begin\n\n"{LONG}," Jane Doe told reporters.'},
    ])
    q = document_quotations(docs)
    a = q[q["doc_id"] == "a1"].set_index("quote_id")
    assert a["in_headline"].tolist() == [True, False]
    assert a.loc["a1:q1", "headline_of"] == "a1:q2" and a.loc["a1:q2", "headline_of"] == ""
    m = match_quotations(q)
    # the headline version matches Beta's quotation too (6 words inside 18: partial) ...
    assert sorted(zip(m["quote_a"], m["quote_b"], m["match"], strict=True)) == [
        ("a1:q1", "b1:q1", "partial"), ("a1:q2", "b1:q1", "full")]
    # ... but the group counts Alpha once, and so does the profile
    groups = shared_quotations(q, m)
    assert groups[["n_sources", "n_quotations"]].values.tolist() == [[2, 2]]
    prof = source_profiles(docs, q)
    assert prof["quotations"].to_dict() == {"Alpha": 1, "Beta": 1}


@pytest.mark.parametrize("a,b", [
    # one clause in common, then different statements: m = 7 ("we will not accept any deal
    # that"), cover 7/11 and 7/10 -> 0.7
    ('"We will not accept any deal that takes our water away," said Jane Doe.',
     '"We will not accept any deal that ignores our farmers," said Jane Doe.'),
    # a stock phrase inside two different people's quotations: a partial match (cover 6/6) but
    # the speakers are two different named people
    ('"At the end of the day," said Tom Roe.',
     '"At the end of the day we have to protect the river for our children," said Jane Doe.'),
])
def test_look_alike_statements_do_not_match(a, b):
    _, m = _match(("a1", "Alpha", a), ("b1", "Beta", b))
    assert m.empty


def test_the_blocking_cap_keeps_a_planted_pair_among_many_candidates():
    # 40 quotations share the phrase "the harbour wall"; two of them (x and y) are the same
    # 13-word statement.  With at most 3 candidates per quotation and the common 3-gram skipped
    # (max_df=5), the planted pair is still found, and nothing else matches.
    rows = [(f"n{i}", f"Outlet {i}", f'"Residents near the harbour wall w{i}a w{i}b w{i}c w{i}d w{i}e," '
                                     f"said Person{i} Smith{i}.") for i in range(40)]
    planted = "We must finish the harbour wall now or lose the whole lower town"
    rows += [("x", "X Times", f'"{planted}," said Jane Doe.'), ("y", "Y Post", f'"{planted}," Jane Doe said.')]
    q = document_quotations(_docs(*rows))
    for kw in ({}, {"max_candidates": 3, "max_df": 5}, {"max_candidates": 1}):
        m = match_quotations(q, **kw)
        assert list(zip(m["doc_a"], m["doc_b"], m["match"], strict=True)) == [("x", "y", "full")], kw
    # a changed word in y (two distinct texts, so blocking has to find them): x's and y's 39
    # other candidates share one 3-gram with them, y shares 9 with x, so the cap keeps it
    rows[-1] = ("y", "Y Post", f'"{planted.replace("whole", "entire")}," Jane Doe said.')
    q = document_quotations(_docs(*rows))
    for kw in ({"max_candidates": 1}, {"max_candidates": 1, "max_df": 5}):
        m = match_quotations(q, **kw)
        # m = 12 of 13 words on both sides: similarity 12/13, a full match
        assert list(zip(m["doc_a"], m["doc_b"], m["match"], strict=True)) == [("x", "y", "full")], kw
        assert m["similarity"].tolist() == [pytest.approx(round(12 / 13, 4))]


def test_bad_arguments_are_one_line_errors():
    from toolkit.errors import ValidationError

    q = document_quotations(_docs(("a1", "Alpha", f'"{LONG}," said Jane Doe.')))
    with pytest.raises(ValidationError, match="threshold"):
        match_quotations(q, threshold=0)
    with pytest.raises(ValidationError, match="max_candidates"):
        match_quotations(q, max_candidates=0)
    with pytest.raises(ValidationError, match="min_words"):
        document_quotations(_docs(("a1", "Alpha", "x")), min_words=0)


def test_sentences_in_another_order_and_one_shared_sentence_match_for_the_same_speaker():
    a = "We checked every single fact twice. The film stays off the air until the review ends."
    b = "The film stays off the air until the review ends. We checked every single fact twice."
    _, swapped = _match(("a1", "Alpha", f'"{a}" said Jane Doe.'), ("b1", "Beta", f'"{b}" said Jane Doe.'))
    assert swapped["match"].tolist() == ["full"]
    one = "We checked every single fact twice."
    c = f"{one} Our lawyers read the script before it aired and found nothing wrong with it at all."
    d = f"Nobody at the network was told about the complaint until Friday evening. {one}"
    _, shared = _match(("a1", "Alpha", f'"{c}" said Jane Doe.'), ("b1", "Beta", f'"{d}" Jane Doe said.'))
    assert shared["match"].tolist() == ["partial"]
    # the same sentence from two different people is not one statement
    _, other = _match(("a1", "Alpha", f'"{c}" said Jane Doe.'), ("b1", "Beta", f'"{d}" Tom Roe said.'))
    assert other.empty


def test_a_scare_quote_inside_a_longer_quotation_of_the_same_speaker():
    long_q = "This one-sided film was made without a single call to our office."
    _, m = _match(("a1", "Alpha", f'"{long_q}" said Jane Doe.'),
                  ("b1", "Beta", 'Jane Doe called the film "one-sided" on Monday.'),
                  ("c1", "Gamma", 'Tom Roe called the film "one-sided" too.'))
    assert list(zip(m["doc_a"], m["doc_b"], m["match"], strict=True)) == [("a1", "b1", "scare")]
