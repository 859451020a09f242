"""Snap character ranges to spaCy token boundaries.

Every span the toolkit suggests starts and ends on a token boundary and has
no surrounding whitespace or punctuation: ``“We will win,” she said.`` becomes
``We will win,” she said`` (quote marks, commas and full stops at the edges
are dropped; marks *inside* the span stay).  Percent signs count as part of
a number, not as punctuation (``40%`` stays whole).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["TokenIndex", "is_edge_junk", "snap_to_tokens"]

_KEEP_PUNCT = frozenset({"%", "‰", "‱"})


def is_edge_junk(tok: Token) -> bool:
    """True for tokens a span must not start or end with: whitespace and punctuation."""
    if tok.is_space:
        return True
    return tok.is_punct and tok.text not in _KEEP_PUNCT


class TokenIndex:
    """Token offsets of one ``Doc`` for fast character -> token lookups.

    ``Doc.char_span(..., alignment_mode="expand")`` scans the whole document
    on every call; this index is built once per document (one pass over the
    tokens) and answers each lookup with a binary search.
    """

    __slots__ = ("doc", "ends", "junk", "starts")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.junk: list[bool] = []
        for tok in doc:
            self.starts.append(tok.idx)
            self.ends.append(tok.idx + len(tok.text))
            self.junk.append(is_edge_junk(tok))

    def __repr__(self) -> str:
        return f"<TokenIndex {len(self.starts)} tokens>"

    def token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Indices ``(first, last)`` (inclusive) of the tokens overlapping ``[start, end)``."""
        first = bisect_right(self.ends, start)  # first token ending after start
        last = bisect_left(self.starts, end) - 1  # last token starting before end
        return (first, last) if first <= last else None

    def trimmed(self, first: int, last: int) -> tuple[int, int] | None:
        """Token range without whitespace/punctuation tokens at either end."""
        junk = self.junk
        while first <= last and junk[first]:
            first += 1
        while last >= first and junk[last]:
            last -= 1
        return (first, last) if first <= last else None

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """See :func:`snap_to_tokens`."""
        if start >= end:
            return None
        rng = self.token_range(start, end)
        if rng is None:
            return None
        rng = self.trimmed(*rng)
        if rng is None:
            return None
        return self.starts[rng[0]], self.ends[rng[1]]


def snap_to_tokens(doc: Doc, start: int, end: int, index: TokenIndex | None = None) -> tuple[int, int] | None:
    """Return ``(start, end)`` moved onto token boundaries, edges trimmed.

    The range is first widened to whole tokens (a character range that cuts a
    token includes that token), then whitespace and punctuation tokens are
    dropped from both ends.  Returns ``None`` when nothing is left (for
    example a range covering only ``” .``).  Offsets are character offsets
    into ``doc.text``, end exclusive.  Pass a :class:`TokenIndex` of ``doc``
    to snap many ranges of one document quickly.
    """
    n = len(doc.text)
    start = max(0, min(start, n))
    end = max(0, min(end, n))
    return (index or TokenIndex(doc)).snap(start, end)
