"""Code points vs UTF-16 code units.

The toolkit counts offsets in Unicode code points (Python string indices).
JavaScript (browsers, Label Studio's front end) counts UTF-16 code units, where
every character outside the Basic Multilingual Plane (most emoji, mathematical
letters, some CJK) takes two.  These helpers convert between the two.
"""

from __future__ import annotations

from bisect import bisect_right

__all__ = ["OffsetMap", "cp_to_utf16", "utf16_length", "utf16_to_cp"]


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
