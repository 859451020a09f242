"""Align claim spans of different annotators, so that claim-level stances become comparable.

Two annotators rarely mark a claim with identical boundaries (and never with the
same span id), so a claim-level stance unit cannot be keyed by span id.  The
rule (also in ``docs/agreement.md``):

1. Only claim-layer spans (``layer == "claim"``) of human annotators count.
2. In each document, for every pair of annotators, every pair of their claim
   spans gets the character Jaccard index
   ``|a ∩ b| / |a ∪ b|`` (offsets are code points, end exclusive).
3. Pairs with Jaccard ``>= threshold`` (default 0.5) are matched greedily,
   best Jaccard first (ties: earlier start, then shorter, then span id), one to
   one: a span is matched to at most one span of each other annotator.
4. Aligned claims are the connected components of the matched pairs; a span
   with no match is a claim of its own.  Each aligned claim gets the key
   ``"<start>-<end>"`` (the union of its spans' ranges; ``#2``, ``#3`` ... when two
   claims of a document would get the same key).

If an annotator ends up with two spans in one aligned claim (possible only
through a chain of matches with third annotators), their stances for that claim
are reduced like any duplicate answer: the last one wins.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pandas as pd

from toolkit.model import connected_components

from .spans import human_annotators

__all__ = ["CLAIM_THRESHOLD", "align_claims", "jaccard"]

#: Minimum character Jaccard index for two claim spans to be the same claim.
CLAIM_THRESHOLD = 0.5

ALIGN_COLUMNS = ["span_id", "annotator", "doc_id", "start", "end", "claim_key", "claim_start", "claim_end"]


def jaccard(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """Character Jaccard index of ``[a_start, a_end)`` and ``[b_start, b_end)`` (0.0 when both are empty)."""
    inter = max(0, min(a_end, b_end) - max(a_start, b_start))
    union = (a_end - a_start) + (b_end - b_start) - inter
    return inter / union if union > 0 else 0.0


def align_claims(
    spans: pd.DataFrame, annotators: Sequence[str] | None = None, threshold: float = CLAIM_THRESHOLD
) -> pd.DataFrame:
    """Group the claim spans of human annotators into aligned claims (see the module docstring).

    ``spans`` is ``Project.load().spans`` (columns ``id, doc_id, start, end,
    layer, annotator``, ``is_model``).  Returns one row per claim span with
    ``span_id, annotator, doc_id, start, end, claim_key, claim_start, claim_end``.
    """
    names = list(annotators) if annotators is not None else human_annotators(spans)
    if len(spans) == 0:
        return pd.DataFrame(columns=ALIGN_COLUMNS)
    claims = spans[(spans["layer"] == "claim") & spans["annotator"].isin(names)]
    # One sort, then plain lists walked document by document (no per-document DataFrame work).
    claims = pd.DataFrame({"id": claims["id"].astype(str), "doc_id": claims["doc_id"].astype(str),
                           "annotator": claims["annotator"].astype(str), "start": claims["start"].astype(int),
                           "end": claims["end"].astype(int)})
    claims = claims.sort_values(["doc_id", "start", "end", "id"], kind="stable")
    cols = [claims[c].tolist() for c in ("id", "doc_id", "annotator", "start", "end")]
    rows: list[dict[str, object]] = []
    n, i = len(cols[0]), 0
    while i < n:
        doc_id, stop = cols[1][i], i
        while stop < n and cols[1][stop] == doc_id:
            stop += 1
        items = {cols[0][k]: (cols[2][k], cols[3][k], cols[4][k]) for k in range(i, stop)}
        i = stop
        by_ann: dict[str, list[str]] = {}
        for sid, (ann, _, _) in items.items():
            by_ann.setdefault(ann, []).append(sid)
        pairs: list[tuple[str, str]] = [(sid, sid) for sid in items]
        for x, y in itertools.combinations(sorted(by_ann), 2):
            cands = []
            for sa in by_ann[x]:
                _, a0, a1 = items[sa]
                for sb in by_ann[y]:
                    _, b0, b1 = items[sb]
                    j = jaccard(a0, a1, b0, b1)
                    if j >= threshold:
                        cands.append((-j, min(a0, b0), max(a1, b1) - min(a0, b0), sa, sb))
            used: set[str] = set()
            for _, _, _, sa, sb in sorted(cands):
                if sa not in used and sb not in used:
                    used.update((sa, sb))
                    pairs.append((sa, sb))
        rep = connected_components(pairs)
        groups: dict[str, list[str]] = {}
        for sid in items:
            groups.setdefault(rep[sid], []).append(sid)
        seen: dict[str, int] = {}
        ordered = sorted(
            groups.values(),
            key=lambda g: (min(items[s][1] for s in g), max(items[s][2] for s in g), min(g)),
        )
        for members in ordered:
            c0 = min(items[s][1] for s in members)
            c1 = max(items[s][2] for s in members)
            key = f"{c0}-{c1}"
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key = f"{key}#{seen[key]}"
            for s in members:
                ann, s0, s1 = items[s]
                rows.append(
                    {"span_id": s, "annotator": ann, "doc_id": doc_id, "start": s0, "end": s1,
                     "claim_key": key, "claim_start": c0, "claim_end": c1}
                )  # fmt: skip
    return pd.DataFrame(rows, columns=ALIGN_COLUMNS)
