"""Put offsets counted in an input file's text onto the stored document's text.

Two differences are repaired, and reported as "realigned":

* **UTF-16 counting**: tools written in JavaScript count characters outside the
  Basic Multilingual Plane (most emoji) twice.  A span whose own text matches
  only under the UTF-16 reading is converted; a document whose verifiable spans
  all need that reading has its unverifiable spans converted too.
* **whitespace**: the file's text differs from the document only in whitespace
  (``\\r\\n`` line ends, a CoNLL text rebuilt from tokens with single spaces,
  a re-wrapped paragraph).  Offsets are carried over through the sequence of
  non-whitespace characters, which is the same in both texts.

Anything else is reported as a mismatch and the span is not stored: offsets
are never silently shifted.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from ..offsets import OffsetMap


def _non_ws(text: str) -> tuple[list[int], str]:
    """Positions and characters of the non-whitespace characters of ``text``."""
    pos = [i for i, ch in enumerate(text) if not ch.isspace()]
    return pos, "".join(text[i] for i in pos)


def same_but_whitespace(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` have the same characters once all whitespace is removed."""
    return "".join(a.split()) == "".join(b.split())


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a span lands in the document (``start``/``end`` None: it could not be placed)."""

    start: int | None
    end: int | None
    how: str = ""  # "" exact, "utf16", "whitespace", "utf16+whitespace"; for failures: the reason

    @property
    def ok(self) -> bool:
        return self.start is not None


class Aligner:
    """Maps offsets in ``file_text`` to offsets in ``doc_text`` (linear set-up, O(log n) per span)."""

    def __init__(self, file_text: str, doc_text: str) -> None:
        self.file_text = file_text
        self.doc_text = doc_text
        self.same = file_text == doc_text
        self._omap: OffsetMap | None = None
        self._f_pos: list[int] | None = None
        self._d_pos: list[int] | None = None
        #: unit decided from verifiable spans: "cp" or "utf16"
        self.unit = "cp"
        if not self.same:
            f_pos, f_chars = _non_ws(file_text)
            d_pos, d_chars = _non_ws(doc_text)
            if f_chars != d_chars:
                raise ValueError("texts differ in more than whitespace")
            self._f_pos, self._d_pos = f_pos, d_pos

    @property
    def omap(self) -> OffsetMap:
        if self._omap is None:
            self._omap = OffsetMap(self.file_text)
        return self._omap

    def _readings(self, start: int, end: int) -> list[tuple[int, int, str]]:
        out = [(start, end, "")]
        if self.omap.has_astral:
            s, e = self.omap.utf16_to_cp(start), self.omap.utf16_to_cp(end)
            if s is not None and e is not None and (s, e) != (start, end):
                out.append((s, e, "utf16"))
        return out

    def count_units(self, spans: list[tuple[int, int, str | None]]) -> tuple[int, int]:
        """How many of the spans that carry their own text match as code points / only as UTF-16."""
        if not self.omap.has_astral:
            return 0, 0
        cp = utf16 = 0
        n = len(self.file_text)
        for start, end, text in spans:
            if not text:
                continue
            for s, e, how in self._readings(start, end):
                if 0 <= s < e <= n and self.file_text[s:e] == text:
                    if how:
                        utf16 += 1
                    else:
                        cp += 1
                    break
        return cp, utf16

    def place(self, start: int, end: int, text: str | None) -> Placed:
        """Where ``[start, end)`` of the file's text (with its own ``text``, if the file gives one) lands."""
        n = len(self.file_text)
        readings = self._readings(start, end)
        if self.unit == "utf16" and len(readings) > 1:
            readings.reverse()
        chosen = None
        for s, e, how in readings:
            if not 0 <= s < e <= n:
                continue
            if text is None or text == "" or self.file_text[s:e] == text:
                chosen = (s, e, how)
                break
        if chosen is None:
            if not 0 <= start < end:
                return Placed(None, None, f"need 0 <= start < end, got [{start}, {end})")
            if end > n and not any(0 <= s < e <= n for s, e, _ in readings):
                return Placed(None, None, f"[{start}, {end}) lies outside the text ({n} characters)")
            actual = self.file_text[start:end] if end <= n else None
            return Placed(None, None, f"[{start}, {end}) holds {_short(actual)}, the file says {_short(text)}")
        s, e, how = chosen
        if self.same:
            return Placed(s, e, how)
        assert self._f_pos is not None and self._d_pos is not None
        # k0/k1: how many non-whitespace characters of the file's text lie before s / e
        k0, k1 = bisect_left(self._f_pos, s), bisect_left(self._f_pos, e)
        if k0 == k1:
            return Placed(None, None, f"[{start}, {end}) holds only whitespace")
        ds, de = self._d_pos[k0], self._d_pos[k1 - 1] + 1
        return Placed(ds, de, "+".join(x for x in (how, "whitespace") if x) if (ds, de) != (s, e) else how)


def _short(text: str | None) -> str:
    if text is None:
        return "nothing"
    return repr(text if len(text) <= 40 else text[:37] + "...")
