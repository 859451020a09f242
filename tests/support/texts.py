"""Small texts shared by the tests (original, invented)."""

from __future__ import annotations

TEXT_A = (
    "Velmora and Ostrand agree to talks\n\n"
    "President Dario Venn said on Tuesday that “the river belongs to both our peoples”. "
    "Ostrand's foreign ministry did not comment. Prices rose 4% in March."
)
TEXT_B = "Ostrand daily: Venn's call was “a first step”, according to Minister Ilse Marković. 😀 End."


def offsets(text: str, sub: str) -> tuple[int, int]:
    """Offsets of the first occurrence of ``sub`` in ``text`` (test helper)."""
    i = text.index(sub)
    return i, i + len(sub)
