"""Tests of toolkit.nlp.snap_to_tokens (spaCy's blank English tokenizer; texts written for these tests)."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.nlp import snap_to_tokens

BLANK = spacy.blank("en")


@pytest.fixture(scope="module")
def nlp():
    return BLANK


def snapped(nlp, text: str, start: int, end: int) -> str | None:
    doc = nlp(text)
    rng = snap_to_tokens(doc, start, end)
    return None if rng is None else text[rng[0] : rng[1]]


def test_trailing_period_and_whitespace_removed(nlp) -> None:
    text = "  The dam is full.  "
    assert snapped(nlp, text, 0, len(text)) == "The dam is full"


def test_quote_marks_at_edges_removed_inside_kept(nlp) -> None:
    text = "“We will win,” she said."
    # decision documented in docs/nlp.md: edge marks go, inner marks stay
    assert snapped(nlp, text, 0, len(text)) == "We will win,” she said"
    text2 = 'He said "no".'
    assert snapped(nlp, text2, 8, len(text2)) == "no"


def test_partial_token_is_widened(nlp) -> None:
    text = "President Dario Venn spoke."
    # [12, 17) cuts "Dario" and "Venn": widened to both whole words
    assert snapped(nlp, text, 12, 17) == "Dario Venn"


def test_only_punctuation_gives_none(nlp) -> None:
    text = "Yes. ” — ok"
    assert snapped(nlp, text, 3, 8) is None  # ". ” —"
    assert snapped(nlp, text, 5, 5) is None  # empty range


def test_percent_sign_kept(nlp) -> None:
    text = "Prices rose 40%."
    assert snapped(nlp, text, 12, len(text)) == "40%"


def test_out_of_range_offsets_are_clamped(nlp) -> None:
    text = "Short text."
    assert snapped(nlp, text, -5, 500) == "Short text"


def test_parentheses_and_newlines(nlp) -> None:
    text = "(Reuters)\n\nThe talks ended."
    assert snapped(nlp, text, 0, 11) == "Reuters"
    assert snapped(nlp, text, 9, len(text)) == "The talks ended"


def test_code_point_offsets_with_emoji(nlp) -> None:
    text = "😀 “Dario Venn” 🎉"
    assert snapped(nlp, text, 0, len(text)) is not None
    rng = snap_to_tokens(nlp(text), 2, len(text))
    assert text[rng[0] : rng[1]].startswith("Dario")


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab cd.,“”\"'\n-!%")), min_size=1, max_size=40),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_snapped_spans_never_have_edge_junk(text: str, a: int, b: int) -> None:
    doc = BLANK(text)
    rng = snap_to_tokens(doc, min(a, b), max(a, b))
    if rng is None:
        return
    s, e = rng
    assert 0 <= s < e <= len(text)
    piece = text[s:e]
    assert piece == piece.strip()
    # starts and ends on token boundaries
    starts = {t.idx for t in doc}
    ends = {t.idx + len(t.text) for t in doc}
    assert s in starts and e in ends
    first = next(t for t in doc if t.idx == s)
    last = next(t for t in doc if t.idx + len(t.text) == e)
    assert not (first.is_punct and first.text != "%") and not first.is_space
    assert not (last.is_punct and last.text != "%") and not last.is_space
