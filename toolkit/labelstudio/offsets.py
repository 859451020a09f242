"""Offset conversion and checking for Label Studio text regions.

The toolkit counts offsets in Unicode code points (Python string indices).
JavaScript counts UTF-16 code units, where every character outside the Basic
Multilingual Plane (most emoji, mathematical letters, some CJK) takes two.
Label Studio 1.23's editor converts its selections to code points, and its
API stores whatever numbers a client sends (see ``docs/labelstudio.md``), so a
region may arrive in either unit.  :func:`check_region` decides, for one
region, which reading makes the region's own ``text`` match the document and
never silently accepts a shifted span.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


def _is_astral(ch: str) -> bool:
    return ord(ch) > 0xFFFF


def utf16_length(text: str) -> int:
    """Number of UTF-16 code units of ``text`` (what JavaScript's ``length`` says)."""
    return len(text) + sum(1 for ch in text if _is_astral(ch))


class OffsetMap:
    """Fast conversion between code-point and UTF-16 offsets of one text.

    Only the positions of astral characters are stored, so documents without
    them cost nothing.
    """

    __slots__ = ("text", "_astral_cp")

    def __init__(self, text: str) -> None:
        self.text = text
        self._astral_cp = [i for i, ch in enumerate(text) if _is_astral(ch)]

    def __repr__(self) -> str:
        return f"<OffsetMap {len(self.text)} code points, {len(self._astral_cp)} astral>"

    @property
    def has_astral(self) -> bool:
        return bool(self._astral_cp)

    def cp_to_utf16(self, i: int) -> int:
        """UTF-16 offset of code-point offset ``i`` (0 <= i <= len(text))."""
        if not 0 <= i <= len(self.text):
            raise ValueError(f"code-point offset {i} outside 0..{len(self.text)}")
        return i + bisect_right(self._astral_cp, i - 1)

    def utf16_to_cp(self, u: int) -> int | None:
        """Code-point offset of UTF-16 offset ``u``, or None if ``u`` is out of range or
        falls between the two halves of a surrogate pair."""
        if u < 0:
            return None
        # number of astral characters whose UTF-16 start lies before u
        lo, hi = 0, len(self._astral_cp)
        while lo < hi:  # count astral characters k with cp_to_utf16(k) < u
            mid = (lo + hi) // 2
            if self._astral_cp[mid] + mid < u:
                lo = mid + 1
            else:
                hi = mid
        n_before = lo
        cp = u - n_before
        if n_before and self._astral_cp[n_before - 1] + (n_before - 1) + 1 == u:
            return None  # inside a surrogate pair
        if cp > len(self.text):
            return None
        return cp


def cp_to_utf16(text: str, i: int) -> int:
    """UTF-16 offset of code-point offset ``i`` in ``text``."""
    return OffsetMap(text).cp_to_utf16(i)


def utf16_to_cp(text: str, u: int) -> int | None:
    """Code-point offset of UTF-16 offset ``u`` in ``text`` (None if not on a character boundary)."""
    return OffsetMap(text).utf16_to_cp(u)


@dataclass(frozen=True, slots=True)
class RegionCheck:
    """Outcome of checking one pulled region.

    ``status`` is ``"ok"`` (offsets are code points and match), ``"realigned"``
    (``start``/``end`` were corrected; ``how`` says why) or ``"mismatch"``
    (no unambiguous reading; ``start``/``end`` are None and the region must
    not be stored).
    """

    status: str
    start: int | None
    end: int | None
    how: str = ""

    @property
    def usable(self) -> bool:
        return self.status in ("ok", "realigned")


def check_region(
    text: str, start: object, end: object, region_text: str | None, omap: OffsetMap | None = None
) -> RegionCheck:
    """Check a Label Studio region ``[start, end)`` with value ``region_text`` against ``text``.

    Order of readings (the first that matches wins):

    1. code points as stored (what Label Studio's editor writes);
    2. UTF-16 code units converted to code points (what a JavaScript client
       or an older Label Studio writes) -- only tried when the document has
       characters outside the BMP, otherwise both readings are the same;
    3. the region text occurs exactly once in the document: use that place.

    Without ``region_text`` nothing can be verified beyond the bounds, so the
    offsets are taken as code points (``how="unverified"``).  Anything else is
    a ``"mismatch"``.
    """
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return RegionCheck("mismatch", None, None, f"offsets are not integers: {start!r}, {end!r}")
    n = len(text)
    if region_text is None or region_text == "":
        if 0 <= start < end <= n:
            return RegionCheck("ok", start, end, "unverified")
        return RegionCheck("mismatch", None, None, f"[{start}, {end}) outside the document ({n} characters)")
    if 0 <= start < end <= n and text[start:end] == region_text:
        return RegionCheck("ok", start, end)
    omap = omap or OffsetMap(text)
    if omap.has_astral:
        s, e = omap.utf16_to_cp(start), omap.utf16_to_cp(end)
        if s is not None and e is not None and s < e and text[s:e] == region_text:
            return RegionCheck("realigned", s, e, "utf16")
    first = text.find(region_text)
    if first >= 0 and text.find(region_text, first + 1) < 0:
        return RegionCheck("realigned", first, first + len(region_text), "unique-text")
    where = "not found in the document" if first < 0 else "occurs several times in the document"
    actual = text[start:end] if 0 <= start < end <= n else None
    return RegionCheck(
        "mismatch", None, None, f"[{start}, {end}) holds {actual!r}, region text {region_text!r} is {where}"
    )
