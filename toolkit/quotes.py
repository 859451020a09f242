"""Find quotations in plain text (pure Python, no spaCy).

:func:`find_quotations` returns every quotation in a text as a
:class:`Quotation` with code-point offsets (Python string indices, like the
rest of the toolkit).  It understands:

* straight double quotes ``"..."`` (opening/closing decided from context),
* curly double quotes ``“...”`` (and German ``„...“``; a text that uses ``”``
  on both sides is handled too),
* guillemets ``«...»`` and ``‹...›`` (and the reversed German ``»...«``),
* single-quote quotations ``‘...’`` and ``'...'`` where they are unambiguous:
  apostrophes (``don't``, ``Venn's``, ``’90s``, ``rock ’n’ roll``, plural
  possessives such as ``the Joneses’ house`` inside a quotation) are not
  taken for quote marks, and a single quote that never closes is *not*
  reported, because it is far more often an apostrophe than a quotation,
* nesting (a ``‘quote’`` inside a ``“quote”``; each is reported separately),
* quotations running over several sentences and over paragraphs in the
  newspaper convention: a paragraph that continues a quotation starts with
  an opening mark and the previous paragraph has no closing mark.  Such a
  quotation is reported once, from its first opening mark to its final
  closing mark; the intermediate opening marks are part of its inner text,
* unclosed double quotations: reported with ``closed=False``, ending at the
  end of their paragraph (trailing whitespace excluded) -- or, when a new
  quotation with the same kind of mark opens later in the same paragraph,
  just before that new quotation.

A *paragraph* is a line: text between newline characters.  (Documents in a
project have ``\\n`` line ends only; empty lines are ignored.)  Hard-wrapped
text whose quotations run across line breaks without the newspaper
convention is therefore reported as unclosed quotations, one per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["STYLES", "Quotation", "find_quotations"]

#: The values :attr:`Quotation.style` can take.
STYLES = ("straight", "curly", "guillemet", "single")

# Characters after which an opening quote mark may stand (besides whitespace
# and the start of a paragraph).
_OPEN_CONTEXT = set("([{<—–-/:“„«»‹›\"‘'")
# Characters that cannot follow an opening quote mark.
_NOT_AFTER_OPEN = set(".,;:!?)]}")

# Elisions written with a leading apostrophe: 'tis, 'em, 'n' (rock 'n' roll)...
_ELISION_RE = re.compile(r"(?i)(?:tis|twas|em|til|cause|bout|round|n(?=['’]))(?![A-Za-z])")
# '90s, ’20, '05: a year abbreviated with an apostrophe.
_YEAR_RE = re.compile(r"\d\d(?:s)?(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Quotation:
    """One quotation found in a text.

    ``start``/``end`` cover the quotation *including* its quote marks (for an
    unclosed quotation ``end`` is the end of its last paragraph);
    ``inner_start``/``inner_end`` cover its content without the outer marks.
    Offsets are Python string indices into the text given to
    :func:`find_quotations`, end exclusive.
    """

    start: int
    end: int
    inner_start: int
    inner_end: int
    style: str
    closed: bool
    source: str = field(repr=False, compare=False, hash=False, default="")

    @property
    def text(self) -> str:
        """The quotation with its marks: ``source[start:end]``."""
        return self.source[self.start : self.end]

    @property
    def inner_text(self) -> str:
        """The quoted words without the outer marks: ``source[inner_start:inner_end]``."""
        return self.source[self.inner_start : self.inner_end]

    def __repr__(self) -> str:
        snippet = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        state = "" if self.closed else ", unclosed"
        return f"Quotation({self.start}:{self.end}, {self.style}{state}, {snippet!r})"


@dataclass
class _Open:
    """An opening mark waiting for its closer (internal)."""

    pos: int  # index of the opening mark
    style: str
    closers: str  # characters that close it
    para_end: int = 0  # end of the last paragraph it has reached


def _prev_char(text: str, i: int, para_start: int) -> str | None:
    return text[i - 1] if i > para_start else None


def _next_char(text: str, i: int, para_end: int) -> str | None:
    return text[i + 1] if i + 1 < para_end else None


def _opener_shaped(prev: str | None, nxt: str | None) -> bool:
    """A mark that stands where an opening quote would: before a word, not after one."""
    if nxt is None or nxt.isspace() or nxt in _NOT_AFTER_OPEN:
        return False
    return prev is None or prev.isspace() or prev in _OPEN_CONTEXT


def _can_open(prev: str | None, nxt: str | None) -> bool:
    """Could a mark followed by ``nxt`` open a quotation (a word follows it)?"""
    return nxt is not None and not nxt.isspace() and nxt not in _NOT_AFTER_OPEN


def _closer_shaped(prev: str | None, nxt: str | None) -> bool:
    """A mark that stands where a closing quote would: after a word, not before one."""
    if prev is None or prev.isspace():
        return False
    return nxt is None or not nxt.isalnum()


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line, surrounding whitespace excluded."""
    out: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        line_end = n if nl < 0 else nl
        s, e = pos, line_end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def find_quotations(text: str) -> list[Quotation]:
    """Return the quotations in ``text``, sorted by start offset (outer before inner).

    See the module docstring for the conventions handled.  The function never
    raises on odd input; marks it cannot pair are ignored.
    """
    scan = _QuoteScan(text)
    carry: _Open | None = None
    for ps, pe in _paragraphs(text):
        carry = scan.paragraph(ps, pe, carry)
    if carry is not None:
        scan.report(carry, carry.para_end, closed=False)
    found = scan.found
    found.sort(key=lambda q: (q.start, -q.end))
    return found


class _QuoteScan:
    """Pairs the quotation marks of one text, paragraph by paragraph; ``found`` collects the quotations."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: list[Quotation] = []

    def report(self, op: _Open, end: int, closed: bool) -> None:
        """Record ``op``; ``end`` is the closing mark's index, or where an unclosed one stops."""
        if not closed and op.style == "single":
            return  # an unclosed single mark is too often an apostrophe
        text = self.text
        inner_end = _rstrip_end(text, op.pos + 1, end)
        inner_start = op.pos + 1
        while inner_start < inner_end and text[inner_start].isspace():
            inner_start += 1
        if inner_start >= inner_end:
            return  # nothing quoted
        outer_end = end + 1 if closed else inner_end
        self.found.append(Quotation(op.pos, outer_end, inner_start, inner_end, op.style, closed, text))

    def close_to(self, stack: list[_Open], idx: int, at: int) -> None:
        """Close stack[idx] with the mark at ``at``; inner unclosed items end there."""
        for inner in stack[idx + 1 :]:
            self.report(inner, at, closed=False)
        self.report(stack[idx], at, closed=True)
        del stack[idx:]

    @staticmethod
    def find_open(stack: list[_Open], style: str, mark: str | None = None) -> int:
        for k in range(len(stack) - 1, -1, -1):
            if stack[k].style == style and (mark is None or mark in stack[k].closers):
                return k
        return -1

    def paragraph(self, ps: int, pe: int, carry: _Open | None) -> _Open | None:
        """Pair the marks of paragraph ``[ps, pe)``; ``carry`` is a quotation left open by the previous one.

        Returns the outermost quotation still open at the paragraph's end (it may continue in the next).
        """
        text = self.text
        stack: list[_Open] = []
        i = ps
        if carry is not None:
            if _continues(carry, text[ps]):
                carry.para_end = pe
                stack.append(carry)
                i = ps + 1
            else:
                self.report(carry, carry.para_end, closed=False)
        while i < pe:
            if text[i] not in _ALL_MARKS:
                i += 1
                continue
            i = self.mark(stack, i, ps, pe)
        if not stack:
            return None
        outer = stack[0]
        for inner in stack[1:]:
            self.report(inner, pe, closed=False)
        outer.para_end = pe
        return outer

    def mark(self, stack: list[_Open], i: int, ps: int, pe: int) -> int:
        """Open or close a quotation with the mark at ``i`` (paragraph ``[ps, pe)``); the index to scan next."""
        text, find_open = self.text, self.find_open
        ch = text[i]
        prev = _prev_char(text, i, ps)
        nxt = _next_char(text, i, pe)
        if ch == '"':
            k = find_open(stack, "straight")
            if k >= 0:
                self.close_to(stack, k, i)
            elif _can_open(prev, nxt) and (prev is None or not prev.isalnum()):
                stack.append(_Open(i, "straight", '"', pe))

        elif ch in "“„‟":
            k = find_open(stack, "curly", ch)
            if k >= 0 and (_closer_shaped(prev, nxt) or not _opener_shaped(prev, nxt)):
                self.close_to(stack, k, i)
            elif _can_open(prev, nxt):
                j = find_open(stack, "curly")
                if j >= 0:  # same kind of mark opens again: the earlier one never closed
                    for item in stack[j:]:
                        self.report(item, i, closed=False)
                    del stack[j:]
                closers = "“”" if ch == "„" else "”"
                stack.append(_Open(i, "curly", closers, pe))

        elif ch == "”":
            k = find_open(stack, "curly", ch)
            if k >= 0:
                self.close_to(stack, k, i)
            elif _opener_shaped(prev, nxt):  # ”...” convention
                stack.append(_Open(i, "curly", "”", pe))

        elif ch in "«»‹›":
            k = find_open(stack, "guillemet", ch)
            if k >= 0:
                self.close_to(stack, k, i)
            elif ch in "«‹" and nxt is not None:  # French style may have a space inside
                stack.append(_Open(i, "guillemet", "»" if ch == "«" else "›", pe))
            elif ch in "»›" and _opener_shaped(prev, nxt):  # German »...«
                stack.append(_Open(i, "guillemet", "«" if ch == "»" else "‹", pe))

        elif ch in "‘'’‚":
            if (prev is None or not prev.isalnum()) and (m := _elision(text, i + 1)) is not None:
                return m.end() + (1 if text[m.end() : m.end() + 1] in ("'", "’") and m.group().lower() == "n" else 0)
            k = find_open(stack, "single", ch)
            if k >= 0 and _closer_shaped(prev, nxt) and not _is_possessive(text, i, prev, pe, stack[k].closers):
                self.close_to(stack, k, i)
            elif ch in "‘'‚" and _opener_shaped(prev, nxt):
                closers = "’" if ch == "‘" else ("'" if ch == "'" else "‘’")
                stack.append(_Open(i, "single", closers, pe))
        return i + 1


_ALL_MARKS = frozenset("\"“”„‟«»‹›‘’'‚")


def _continues(op: _Open, first: str) -> bool:
    """Does a paragraph starting with ``first`` continue the open quotation ``op``?"""
    if op.style == "straight":
        return first == '"'
    if op.style == "curly":
        return first in "“„" if "“" in op.closers else first in "“”"
    if op.style == "guillemet":
        return first == {"»": "«", "«": "»", "›": "‹", "‹": "›"}[op.closers[0]]
    return first in ("'" if op.closers == "'" else "‘‚")


def _elision(text: str, after: int) -> re.Match[str] | None:
    """The elided word after the single mark just before ``after`` if that mark is an apostrophe
    ('tis, '90s, 'n'), else None."""
    return _ELISION_RE.match(text, after) or _YEAR_RE.match(text, after)


def _is_possessive(text: str, i: int, prev: str | None, pe: int, closers: str) -> bool:
    """Is the closer-shaped mark at ``i`` a plural possessive (``the Joneses’ house``)?

    Only when another closing single mark follows before the quotation could
    end (a double quote mark, a new single opener, or the end of the paragraph):
    then that later mark is the real closer.
    """
    if prev not in ("s", "S", "z"):
        return False
    nxt = text[i + 1] if i + 1 < pe else None
    if nxt is None or nxt != " ":
        return False
    j = i + 2
    if j >= pe or not text[j].isalpha():
        return False
    while j < pe:
        c = text[j]
        if c in '"“”„«»‹›':
            return False
        if c in closers or c in "'’":
            p = text[j - 1]
            n = text[j + 1] if j + 1 < pe else None
            if _opener_shaped(p, n):
                return False
            if _closer_shaped(p, n):
                return True
        j += 1
    return False
