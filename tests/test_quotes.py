"""Tests of toolkit.quotes.find_quotations (all texts written for these tests)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.quotes import Quotation, find_quotations


def quotes(text: str) -> list[tuple[str, str, bool]]:
    """(quotation text with marks, style, closed) of every quotation in ``text``."""
    return [(q.text, q.style, q.closed) for q in find_quotations(text)]


def check_offsets(text: str, q: Quotation) -> None:
    assert 0 <= q.start <= q.inner_start <= q.inner_end <= q.end <= len(text)
    assert q.text == text[q.start : q.end]
    assert q.inner_text == text[q.inner_start : q.inner_end]


# ---------------------------------------------------------------- basics


def test_straight_double_quotes() -> None:
    text = 'The mayor said "the bridge is safe" and "no one was hurt".'
    assert quotes(text) == [
        ('"the bridge is safe"', "straight", True),
        ('"no one was hurt"', "straight", True),
    ]
    q = find_quotations(text)[0]
    # hand-counted: 'The mayor said ' is 15 characters
    assert (q.start, q.inner_start, q.inner_end, q.end) == (15, 16, 34, 35)
    assert q.inner_text == "the bridge is safe"


def test_curly_double_quotes() -> None:
    text = "“We will rebuild,” the minister said. “It will take a year.”"
    assert quotes(text) == [
        ("“We will rebuild,”", "curly", True),
        ("“It will take a year.”", "curly", True),
    ]


def test_quotation_spanning_sentences() -> None:
    text = "“The water rose fast. Nobody expected it. We ran,” said Ana Ruiz."
    (q,) = find_quotations(text)
    assert q.inner_text == "The water rose fast. Nobody expected it. We ran,"
    assert q.closed


def test_guillemets_french_and_german() -> None:
    text = "« Nous reconstruirons », a-t-il dit. Sie sagte: »Morgen.« Und ‹so›."
    assert quotes(text) == [
        ("« Nous reconstruirons »", "guillemet", True),
        ("»Morgen.«", "guillemet", True),
        ("‹so›", "guillemet", True),
    ]
    # inner text excludes the spaces French typography puts inside the marks
    assert find_quotations(text)[0].inner_text == "Nous reconstruirons"


def test_german_low_quotes() -> None:
    assert quotes("„Wir bauen neu“, sagte sie.") == [("„Wir bauen neu“", "curly", True)]


def test_right_quote_used_on_both_sides() -> None:
    assert quotes("He said ”enough” and left.") == [("”enough”", "curly", True)]


def test_quotation_at_very_start_and_end() -> None:
    text = '"All done"'
    (q,) = find_quotations(text)
    assert (q.start, q.end, q.inner_text, q.closed) == (0, 10, "All done", True)


# ---------------------------------------------------------------- single quotes


def test_single_curly_quotes() -> None:
    assert quotes("‘It is over,’ she said.") == [("‘It is over,’", "single", True)]


def test_single_straight_quotes() -> None:
    assert quotes("She called it 'a disgrace' on Monday.") == [("'a disgrace'", "single", True)]


@pytest.mark.parametrize(
    "text",
    [
        "Don't say it isn't so.",
        "Venn's report and the council’s reply.",
        "Prices last seen in the ’90s and '80s.",
        "It was the summer of ’03 when they’d left.",
        "The Joneses' car and the boys’ bikes.",
        "They sang 'em songs 'til dawn; 'tis the season.",
        "A rock ’n’ roll band played rock 'n' roll.",
        "He is 6'2\" tall.",
    ],
)
def test_apostrophes_are_not_quotes(text: str) -> None:
    assert find_quotations(text) == []


def test_apostrophes_inside_single_quotation() -> None:
    text = "‘We don’t play rock ’n’ roll any more,’ the singer said."
    assert quotes(text) == [("‘We don’t play rock ’n’ roll any more,’", "single", True)]


def test_plural_possessive_inside_single_quotation() -> None:
    # the ’ after "Joneses" is followed by another closer in the same quotation
    text = "She wrote ‘the Joneses’ house is empty’ in her notes."
    assert quotes(text) == [("‘the Joneses’ house is empty’", "single", True)]


def test_unclosed_single_quote_is_not_reported() -> None:
    # an unclosed single mark is more likely an apostrophe than a quotation
    assert find_quotations("He wrote ‘maybe and then stopped.") == []


# ---------------------------------------------------------------- nesting


def test_single_nested_in_double() -> None:
    text = "“She told me ‘never again’ twice,” he said."
    qs = find_quotations(text)
    assert [(q.text, q.style) for q in qs] == [
        ("“She told me ‘never again’ twice,”", "curly"),
        ("‘never again’", "single"),
    ]
    outer, inner = qs
    assert outer.start < inner.start < inner.end < outer.end


def test_double_nested_in_single_british_style() -> None:
    text = "‘He said “no” to me,’ she said."
    assert quotes(text) == [
        ("‘He said “no” to me,’", "single", True),
        ("“no”", "curly", True),
    ]


def test_straight_single_nested_in_straight_double() -> None:
    text = "\"They shouted 'stop' at us,\" a witness said."
    assert quotes(text) == [
        ("\"They shouted 'stop' at us,\"", "straight", True),
        ("'stop'", "single", True),
    ]


def test_inner_unclosed_single_dropped_when_outer_closes() -> None:
    text = "“He said ‘wait and went,” she said."
    assert quotes(text) == [("“He said ‘wait and went,”", "curly", True)]


# ---------------------------------------------------------------- paragraphs


def test_newspaper_convention_continues_across_paragraphs() -> None:
    text = (
        "“The first paragraph ends without a closing mark.\n\n"
        "“The second one too.\n\n"
        "“The third one closes,” said the chief.\n\n"
        "Unrelated text."
    )
    (q,) = find_quotations(text)
    assert q.closed and q.style == "curly"
    assert q.start == 0
    assert q.text.endswith("closes,”")
    assert q.inner_text.startswith("The first paragraph")
    assert "“The second one too." in q.inner_text


def test_newspaper_convention_with_straight_quotes_and_single_newlines() -> None:
    text = '"One.\n"Two.\n"Three," she said.\n"Separate," he said.'
    assert quotes(text) == [
        ('"One.\n"Two.\n"Three,"', "straight", True),
        ('"Separate,"', "straight", True),
    ]


def test_unclosed_quote_ends_at_end_of_paragraph() -> None:
    text = "He said “this never closes.  \n\nNext paragraph has no mark."
    (q,) = find_quotations(text)
    assert not q.closed
    assert q.text == "“this never closes."  # trailing spaces excluded
    assert q.inner_text == "this never closes."


def test_unclosed_quote_in_last_paragraph() -> None:
    (q,) = find_quotations("“Continued.\n“And never closed")
    assert not q.closed
    assert q.text == "“Continued.\n“And never closed"


def test_unclosed_quote_before_new_quote_of_same_kind() -> None:
    text = "“First thought. “Second,” he said."
    assert quotes(text) == [
        ("“First thought.", "curly", False),
        ("“Second,”", "curly", True),
    ]


def test_closing_mark_does_not_reach_into_next_paragraph() -> None:
    text = '"Open here\nand "closed" there.'
    assert quotes(text) == [
        ('"Open here', "straight", False),
        ('"closed"', "straight", True),
    ]


# ---------------------------------------------------------------- edge cases


@pytest.mark.parametrize("text", ["", "\n\n", '"', "“”", "''", "no quotes at all", 'a" b', "»"])
def test_degenerate_inputs(text: str) -> None:
    assert find_quotations(text) == []


def test_offsets_are_code_points() -> None:
    text = "😀 é “naïve 🎉” ok"
    (q,) = find_quotations(text)
    assert q.start == 4  # emoji, space, é, space: 4 code points
    assert q.inner_text == "naïve 🎉"


def test_quotation_is_frozen_and_has_readable_repr() -> None:
    (q,) = find_quotations('x "hello" y')
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.start = 0  # type: ignore[misc]
    assert repr(q) == "Quotation(2:9, straight, '\"hello\"')"
    (u,) = find_quotations('x "open')
    assert "unclosed" in repr(u)


def test_results_sorted_outer_first() -> None:
    text = "“a ‘b’ c” and “d”"
    starts = [q.start for q in find_quotations(text)]
    assert starts == sorted(starts)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .,\n'\"“”‘’«»„")), max_size=60))
def test_never_crashes_and_offsets_consistent(text: str) -> None:
    for q in find_quotations(text):
        check_offsets(text, q)
        assert q.style in ("straight", "curly", "guillemet", "single")
        assert q.inner_text == q.inner_text.strip()
        assert q.inner_text  # empty quotations are not reported
