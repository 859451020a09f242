"""Pure text helpers used by the annotation widgets.

Everything here works on Python strings and **code point** offsets (the unit
of ``docs/format.md``); the browser side converts its UTF-16 indices to code
points before anything reaches Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "is_word_char",
    "snap_selection",
    "tokens",
    "similarity",
    "rank_claims",
]

_WORD_JOINERS = frozenset("'\u2019-\u2010\u2011")  # apostrophes and hyphens inside words


def is_word_char(ch: str) -> bool:
    """True for letters, digits, underscore and combining marks."""
    if ch.isalnum() or ch == "_":
        return True
    return unicodedata.category(ch).startswith("M")


def _in_word(text: str, i: int) -> bool:
    """True if ``text[i]`` belongs to a word (joiners count only between word chars)."""
    ch = text[i]
    if is_word_char(ch):
        return True
    if ch in _WORD_JOINERS and 0 < i < len(text) - 1:
        return is_word_char(text[i - 1]) and is_word_char(text[i + 1])
    return False


def snap_selection(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Snap a raw selection ``[start, end)`` to whole words.

    A boundary that falls inside a run of letters/digits moves outwards to the
    run's edge, then whitespace and punctuation at either end are dropped
    (apostrophes and hyphens are kept only between letters: ``Ostrand's``).  Returns ``None`` when
    nothing but whitespace/punctuation is selected.

    >>> snap_selection("The harbour authority said", 6, 13)
    (4, 21)
    >>> snap_selection("  (hello), ", 0, 11)
    (3, 8)
    """
    n = len(text)
    if start > end:
        start, end = end, start
    start = max(0, min(int(start), n))
    end = max(0, min(int(end), n))
    if start == end:
        return None
    # expand a boundary that cuts a run of letters/digits (an apostrophe or hyphen
    # is a boundary here, so "Venn" can be tagged inside "Venn's")
    if 0 < start < n and is_word_char(text[start]) and is_word_char(text[start - 1]):
        while start > 0 and is_word_char(text[start - 1]):
            start -= 1
    if 0 < end < n and is_word_char(text[end - 1]) and is_word_char(text[end]):
        while end < n and is_word_char(text[end]):
            end += 1
    # drop surrounding whitespace and punctuation
    while start < end and not _in_word(text, start):
        start += 1
    while end > start and not _in_word(text, end - 1):
        end -= 1
    if start >= end:
        return None
    return start, end


_TOKEN = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "said",
        "says",
        "she",
        "that",
        "the",
        "their",
        "they",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "would",
    ]
)


def tokens(text: str) -> set[str]:
    """Lower-cased word tokens of ``text`` without very common function words."""
    return {t for t in (m.group(0).lower() for m in _TOKEN.finditer(text)) if t not in _STOP}


def similarity(a: str, b: str) -> float:
    """Token Jaccard similarity in [0, 1] (1 = same content words)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def rank_claims(
    claim_text: str,
    candidates: Iterable[Mapping[str, Any]],
    limit: int = 25,
    linked: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Rank candidate claims (dicts with at least ``id`` and ``text``) by similarity.

    Already linked candidates (ids in ``linked``) come first; ties keep input order.
    Returns new dicts with ``score`` (rounded to 3 places) and ``linked`` added.
    """
    linked_set = set(linked)
    scored = []
    for i, cand in enumerate(candidates):
        score = similarity(claim_text, str(cand.get("text", "")))
        is_linked = cand["id"] in linked_set
        scored.append((not is_linked, -score, i, {**cand, "score": round(score, 3), "linked": is_linked}))
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored[:limit]]
