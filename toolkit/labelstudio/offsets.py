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

from dataclasses import dataclass

from ..offsets import OffsetMap, cp_to_utf16, utf16_length, utf16_to_cp

__all__ = ["OffsetMap", "RegionCheck", "check_region", "cp_to_utf16", "utf16_length", "utf16_to_cp"]


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
