"""Snap character ranges to spaCy token boundaries.

Every span the toolkit suggests starts and ends on a token boundary and has
no surrounding whitespace or punctuation: ``“We will win,” she said.`` becomes
``We will win,” she said`` (quote marks, commas and full stops at the edges
are dropped; marks *inside* the span stay).  Percent signs count as part of
a number, not as punctuation (``40%`` stays whole).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["is_edge_junk", "snap_to_tokens"]

_KEEP_PUNCT = frozenset({"%", "‰", "‱"})


def is_edge_junk(tok: Token) -> bool:
    """True for tokens a span must not start or end with: whitespace and punctuation."""
    if tok.is_space:
        return True
    return tok.is_punct and tok.text not in _KEEP_PUNCT


def snap_to_tokens(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Return ``(start, end)`` moved onto token boundaries, edges trimmed.

    The range is first widened to whole tokens (a character range that cuts a
    token includes that token), then whitespace and punctuation tokens are
    dropped from both ends.  Returns ``None`` when nothing is left (for
    example a range covering only ``” .``).  Offsets are character offsets
    into ``doc.text``, end exclusive.
    """
    n = len(doc.text)
    start = max(0, min(start, n))
    end = max(0, min(end, n))
    if start >= end:
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    first, last = span.start, span.end - 1
    while first <= last and is_edge_junk(doc[first]):
        first += 1
    while last >= first and is_edge_junk(doc[last]):
        last -= 1
    if first > last:
        return None
    tok = doc[last]
    s, e = doc[first].idx, tok.idx + len(tok.text)
    # A token never has surrounding whitespace, but be defensive with odd tokenizers.
    text = doc.text
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else None
