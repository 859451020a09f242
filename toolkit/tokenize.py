"""The one tokenisation the training exports share (CoNLL and spaCy ``DocBin``).

Pure Python (no spaCy): a token is a run of word characters or a single
punctuation/symbol character, with three refinements so that entity
boundaries fall on token boundaries:

* possessives and clitics are split off: ``Ostrand's`` -> ``Ostrand`` ``'s``,
  ``don't`` -> ``do`` ``n't``, ``they're`` -> ``they`` ``'re`` (straight or curly
  apostrophe); a trailing apostrophe (``ministers'``) is its own token;
* an apostrophe inside a name stays: ``O'Brien`` is one token;
* numbers keep their decimal and thousands separators (``3.5``, ``1,200``; ``3.5bn`` is
  ``3.5`` ``bn``);
  every other punctuation character -- hyphens included -- is one token, so
  ``Velmora-Ostrand`` is three tokens.

Whitespace is never part of a token.  Offsets are Python string indices into
the text, end exclusive, like every offset in the toolkit.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

#: Combining marks count as word characters (``\\w`` does not match them in decomposed text).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = rf"(?:\w|[{_MARKS}])"
_APOS = "'\u2019"

TOKEN_RE = re.compile(
    r"\d+(?:[.,]\d+)+"  # numbers with separators: 3.5  1,200  (3.5bn -> 3.5 bn)
    rf"|{_WORD}+(?:[{_APOS}]{_WORD}+)*"  # words, with apostrophes inside (O'Brien, Venn's)
    r"|[^\w\s]"  # one punctuation or symbol character
)
#: Clitics split off the end of a word (lower-cased comparison).
_CLITIC_RE = re.compile(rf"(?:[{_APOS}](?:s|re|ve|ll|d|m)|n[{_APOS}]t)$", re.IGNORECASE)


def tokenize(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the tokens of ``text``, in order, never overlapping, never whitespace."""
    out: list[tuple[int, int]] = []
    for m in TOKEN_RE.finditer(text):
        s, e = m.span()
        c = _CLITIC_RE.search(text, s, e)
        if c is not None and c.start() > s:
            out.append((s, c.start()))
            out.append((c.start(), e))
        else:
            out.append((s, e))
    return out


def token_texts(text: str) -> list[str]:
    """The tokens of ``text`` as strings (convenience for tests and notebooks)."""
    return [text[s:e] for s, e in tokenize(text)]


class TokenIndex:
    """Find the tokens a character span covers (binary search; ``O(log n)`` per span)."""

    def __init__(self, tokens: Sequence[tuple[int, int]]) -> None:
        self.tokens = list(tokens)
        self.starts = [s for s, _ in self.tokens]
        self.ends = [e for _, e in self.tokens]

    def align(self, start: int, end: int) -> tuple[int, int] | None:
        """Token range ``[first, last_plus_one)`` whose characters are exactly ``[start, end)``, else None.

        A span aligns when it starts where a token starts and ends where a
        token ends (a span may cover several tokens and the whitespace between them).
        """
        i = bisect_left(self.starts, start)
        if i == len(self.starts) or self.starts[i] != start:
            return None
        j = bisect_left(self.ends, end)
        if j == len(self.ends) or self.ends[j] != end or j < i:
            return None
        return i, j + 1
