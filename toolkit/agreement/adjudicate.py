"""Adjudication: merge human annotators into the ``gold`` layer.

* :func:`majority_stances` / :func:`majority_spans` decide by strict majority
  and *list* ties instead of deciding them.
* :func:`apply_decisions` writes decisions (majority results or an
  adjudicator's choices) through the Project API as annotator ``gold``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from .align import CLAIM_THRESHOLD, jaccard
from .reports import _claim_extents, _stances_spans, _with_claim_key, stance_matrix
from .spans import human_annotators

if TYPE_CHECKING:
    from toolkit import Project

__all__ = ["GOLD", "Adjudication", "apply_decisions", "majority_spans", "majority_stances"]

GOLD = "gold"


@dataclass
class Adjudication:
    """Result of a majority vote: decided units and tied (undecided) units."""

    decisions: pd.DataFrame
    ties: pd.DataFrame

    def __repr__(self) -> str:
        return f"<Adjudication decided={len(self.decisions)} ties={len(self.ties)}>"


def majority_stances(
    stances: Any, annotators: Sequence[str] | None = None, spans: pd.DataFrame | None = None
) -> Adjudication:
    """Majority vote per stance unit ``(doc_id, claim, target)``.

    ``stances`` is ``Project.load()`` (claim stances aligned by claim-span
    overlap, see :func:`toolkit.agreement.align.align_claims`) or a stances
    DataFrame (with optional ``spans=``).  A value wins when more annotators
    chose it than any other value (among the annotators who answered).  Units
    where two or more values share the top count are returned in ``ties`` with
    every annotator's answer, not decided.  ``decisions`` has columns ``task,
    doc_id, claim, claim_start, claim_end, target, value, votes, n_answers``
    (``claim`` is ``None`` for document-level stances).
    """
    stances_df, spans = _stances_spans(stances, spans)
    keyed = _with_claim_key(stances_df, spans)
    extents = _claim_extents(keyed)
    matrix = stance_matrix(stances_df, annotators, spans=spans)
    decided: list[dict[str, Any]] = []
    tied: list[dict[str, Any]] = []
    for col in matrix.columns:
        doc_id, claim_key, target = col
        answers = {a: v for a, v in matrix[col].items() if v is not None}
        if not answers:
            continue
        counts = pd.Series(list(answers.values())).value_counts()
        top = counts[counts == counts.iloc[0]]
        c0, c1 = extents.get((doc_id, claim_key), (None, None))
        base = {"doc_id": doc_id, "claim": claim_key or None, "claim_start": c0, "claim_end": c1,
                "target": target, "n_answers": len(answers)}  # fmt: skip
        if len(top) == 1:
            decided.append({"task": "stance", **base, "value": top.index[0], "votes": int(top.iloc[0])})
        else:
            tied.append({**base, "candidates": sorted(top.index), **answers})
    dcols = ["task", "doc_id", "claim", "claim_start", "claim_end", "target", "value", "votes", "n_answers"]
    return Adjudication(pd.DataFrame(decided, columns=dcols), pd.DataFrame(tied))


def majority_spans(spans: pd.DataFrame, annotators: Sequence[str] | None = None) -> Adjudication:
    """Majority vote on spans: keep ``(doc, start, end, label)`` marked by a strict majority.

    The electorate of a document is the annotators who marked anything in it.
    Spans with exactly half of the votes are ties (listed, not decided); spans
    with fewer are dropped.  ``decisions`` has columns ``task, doc_id, start,
    end, label, attrs, votes, n_annotators``.
    """
    names = list(annotators) if annotators is not None else human_annotators(spans)
    frame = spans[spans["annotator"].isin(names)]
    electorate = frame.groupby("doc_id")["annotator"].nunique()
    key = ["doc_id", "start", "end", "label"]
    votes = (
        frame.drop_duplicates([*key, "annotator"])
        .groupby(key, sort=True)
        .agg(votes=("annotator", "nunique"), attrs=("attrs", "first"), voters=("annotator", lambda s: sorted(s)))
        .reset_index()
    )
    votes["n_annotators"] = votes["doc_id"].map(electorate).astype(int)
    win = votes["votes"] * 2 > votes["n_annotators"]
    tie = votes["votes"] * 2 == votes["n_annotators"]
    decisions = votes[win].assign(task="span")[["task", *key, "attrs", "votes", "n_annotators"]]
    return Adjudication(decisions.reset_index(drop=True), votes[tie].reset_index(drop=True))


def _records(decisions: pd.DataFrame | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(decisions, pd.DataFrame):
        return decisions.to_dict("records")
    return [dict(d) for d in decisions]


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v == ""


def _gold_claim(gold: Any, schema: Any, d: Mapping[str, Any]) -> str | None:
    """The gold claim span a claim-stance decision refers to, or ``None``.

    ``claim_id`` naming a gold span wins; otherwise the gold claim span of the
    document with the best character Jaccard (>= 0.5) against
    ``[claim_start, claim_end)``.
    """
    if gold is None:
        return None
    cid = d.get("claim_id")
    if not _missing(cid) and cid in gold.spans:
        return str(cid)
    c0: Any = d.get("claim_start")  # loosely typed table cells: int, float, str, NaN or None
    c1: Any = d.get("claim_end")
    if _missing(c0) or _missing(c1):
        return None
    best: tuple[float, str] | None = None
    for sp in gold.spans.values():
        if sp.doc != d["doc_id"] or schema.layer_of(sp.label) != "claim":
            continue
        j = jaccard(int(c0), int(c1), sp.start, sp.end)
        if j >= CLAIM_THRESHOLD and (best is None or (-j, sp.id) < (-best[0], best[1])):
            best = (j, sp.id)
    return best[1] if best else None


def apply_decisions(
    project: Project, decisions: pd.DataFrame | Iterable[Mapping[str, Any]], annotator: str = GOLD
) -> dict[str, int]:
    """Write decisions to the project as annotator ``gold`` (idempotent).

    Each decision is a mapping with ``task`` ``"stance"`` (``doc_id, target,
    value``; for a claim-level stance ``claim_id`` = a gold claim span id, or
    ``claim``/``claim_start``/``claim_end`` as in :func:`majority_stances`) or
    ``"span"`` (``doc_id, start, end, label``, optional ``attrs``).  A stance
    decision whose ``value`` is ``None`` deletes the gold stance.  Spans already
    present in gold with the same offsets and label are not added twice.  A
    claim-level stance is written on the gold claim span given by ``claim_id``
    or, failing that, on the gold claim span of that document that best overlaps
    ``[claim_start, claim_end)`` (character Jaccard >= 0.5); without one (adjudicate
    the claim spans first) it is counted as ``skipped``.
    Returns counts ``{"stances": n, "spans": n, "deleted": n, "skipped": n}``.
    """
    counts = {"stances": 0, "spans": 0, "deleted": 0, "skipped": 0}
    recs = _records(decisions)
    gold = project.current(annotator) if annotator in project.annotators() else None
    existing = {(s.doc, s.start, s.end, s.label) for s in gold.spans.values()} if gold else set()
    new_spans = []
    stance_recs = []
    for d in recs:
        task = d.get("task", "stance")
        if task == "span":
            k = (d["doc_id"], int(d["start"]), int(d["end"]), d["label"])
            if k in existing:
                continue
            existing.add(k)
            attrs = d.get("attrs")
            new_spans.append(
                {
                    "doc": k[0],
                    "start": k[1],
                    "end": k[2],
                    "label": k[3],
                    "attrs": attrs if isinstance(attrs, dict) else None,
                }
            )
        elif task == "stance":
            stance_recs.append(d)
        else:
            raise ValueError(f"unknown decision task {task!r}; allowed: stance, span")
    if new_spans:  # spans first, so that claim stances decided in the same call find their gold claim
        project.add_spans(new_spans, annotator=annotator)
        counts["spans"] = len(new_spans)
        gold = project.current(annotator)
    for d in stance_recs:
        is_claim = not (_missing(d.get("claim_id")) and _missing(d.get("claim")) and _missing(d.get("claim_start")))
        claim = _gold_claim(gold, project.schema, d) if is_claim else None
        if is_claim and claim is None:
            counts["skipped"] += 1
            continue
        if d.get("value") is None:
            from toolkit.model import Stance

            sid = Stance.make_id(d["doc_id"], d["target"], claim)
            if gold is not None and sid in gold.stances:
                project.delete("stance", sid, annotator=annotator)
                counts["deleted"] += 1
            continue
        project.set_stance(d["doc_id"], d["target"], d["value"], annotator=annotator, claim=claim)
        counts["stances"] += 1
    return counts
