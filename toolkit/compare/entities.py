"""Entity coverage per source: which people, organisations and places each outlet mentions.

Mentions are grouped into one row per person, place and organisation by the rules of
:mod:`toolkit.compare.names` (automatic, safe merges), then by the merges the analyst records
(``<project>/entity_merges.json``): their own (:func:`add_merge`) and the proposals they accepted
(:func:`merge_proposals`, :func:`accept_proposal`, :func:`reject_proposal`).  Dates and numbers
(:data:`~toolkit.compare.names.NUMERIC_LABELS`) are left out unless asked for.

The central function is :func:`entity_mentions`; the others summarise its result.
:class:`EntityNormalizer` maps any name (claim speakers, quotation speakers) to the same rows.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.compare._layers import Layer, select_layer
from toolkit.compare.names import (
    GENDERED_TITLES,
    NUMERIC_LABELS,
    PERSON,
    TITLES,
    NameGrouper,
    Proposal,
    clean_surface,
    majority_label,
    name_key,
)
from toolkit.errors import CorruptFileError, NotFoundError, ValidationError
from toolkit.store import atomic_write_text, file_lock

__all__ = ["MERGES_FILE", "NUMERIC_LABELS", "TITLES", "EntityNormalizer", "accept_all_proposals",
           "accept_proposal", "add_merge", "clean_surface", "entity_key", "entity_matrix", "entity_mentions",
           "entity_shares", "exclusive_entities", "first_mention_matrix", "first_mentions", "load_merges",
           "load_proposals", "merge_proposals", "merges_path", "propose_merges", "record_proposals",
           "reject_proposal", "remove_merge", "save_merges"]

MERGES_FILE = "entity_merges.json"
#: Statuses of a stored proposal.
STATUSES = ("proposed", "accepted", "rejected")
PROPOSAL_COLUMNS = ["alias", "canonical", "rule", "status", "alias_mentions", "canonical_mentions", "evidence"]


def entity_key(text: str) -> str:
    """Comparison key of a surface form (:func:`toolkit.compare.names.name_key`: titles, case,
    diacritics, punctuation and initials folded)."""
    return name_key(text)


def _resolve_chain(key: str, merges: Mapping[str, str]) -> str:
    """Follow alias -> canonical links (keys from :func:`entity_key`); stops on cycles."""
    seen = {key}
    while key in merges:
        nxt = entity_key(merges[key])
        if nxt in seen:
            break
        seen.add(nxt)
        key = nxt
    return key


# ---------------------------------------------------------------------------------------------
# Merges and proposals stored in the project folder
# ---------------------------------------------------------------------------------------------


def merges_path(project_path: str | os.PathLike[str]) -> Path:
    """Path of the merges file of a project folder."""
    return Path(project_path) / MERGES_FILE


_FORMAT = '{"version": 1, "merges": {alias: canonical}, "proposals": [{"alias", "canonical", "status", ...}]}'


def _read(project_path: str | os.PathLike[str]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """``(merges, proposals)`` of the merges file ({} and [] when there is none)."""
    path = merges_path(project_path)
    if not path.exists():
        return {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"{path}: cannot read entity merges: {exc}") from exc
    merges = data.get("merges") if isinstance(data, dict) else None
    if not isinstance(merges, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in merges.items()
    ):
        raise CorruptFileError(f"{path}: expected {_FORMAT}")
    proposals = data.get("proposals", [])
    if not isinstance(proposals, list) or not all(
        isinstance(p, dict) and isinstance(p.get("alias"), str) and isinstance(p.get("canonical"), str)
        and p.get("status") in STATUSES for p in proposals
    ):
        raise CorruptFileError(f"{path}: bad 'proposals' (expected {_FORMAT}, status one of {', '.join(STATUSES)})")
    return dict(merges), [dict(p) for p in proposals]


def _write(project_path: str | os.PathLike[str], merges: Mapping[str, str],
           proposals: list[dict[str, Any]]) -> Path:
    path = merges_path(project_path)
    if not path.parent.is_dir():
        raise ValidationError(f"{path.parent}: project folder does not exist")
    body: dict[str, Any] = {"version": 1, "merges": dict(sorted(merges.items()))}
    if proposals:  # files without proposals keep the original layout
        body["proposals"] = proposals
    atomic_write_text(path, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    return path


def load_merges(project_path: str | os.PathLike[str]) -> dict[str, str]:
    """The analyst's merges ``{alias: canonical}`` of a project, accepted proposals included ({} when none)."""
    return _read(project_path)[0]


def load_proposals(project_path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Stored merge proposals (dicts with ``alias, canonical, rule, status, evidence, ...``)."""
    return _read(project_path)[1]


def rejected_pairs(project_path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``(alias, canonical)`` of every rejected proposal (never proposed again)."""
    return [(p["alias"], p["canonical"]) for p in load_proposals(project_path) if p["status"] == "rejected"]


def save_merges(project_path: str | os.PathLike[str], merges: Mapping[str, str]) -> Path:
    """Write ``merges`` to the project's merges file atomically (temp file + fsync + rename),
    keeping its stored proposals."""
    return _write(project_path, merges, _read(project_path)[1])


def _merges_lock(project_path: str | os.PathLike[str]):
    path = merges_path(project_path)
    if not path.parent.is_dir():
        raise ValidationError(f"{path.parent}: project folder does not exist")
    return file_lock(path.with_name(".entity_merges.lock"))


def _set_merge(merges: dict[str, str], alias: str, canonical: str) -> dict[str, str]:
    """``merges`` with ``alias -> canonical`` (cleaned, checked), without touching the file."""
    a, c = clean_surface(alias), clean_surface(canonical)
    if not a or not c:
        raise ValidationError(f"entity merge: empty name (alias={alias!r}, canonical={canonical!r})")
    if entity_key(a) == entity_key(c):
        raise ValidationError(f"entity merge: alias and canonical are the same name ({a!r})")
    keyed = {entity_key(k): v for k, v in merges.items() if entity_key(k) != entity_key(a)}
    if _resolve_chain(entity_key(c), keyed) == entity_key(a):
        raise ValidationError(f"entity merge: {a!r} -> {c!r} would make a cycle")
    out = {k: v for k, v in merges.items() if entity_key(k) != entity_key(a)}
    out[a] = c
    return out


def add_merge(project_path: str | os.PathLike[str], alias: str, canonical: str) -> dict[str, str]:
    """Record that entity ``alias`` is the same as ``canonical``; returns all merges.

    Both names are cleaned with :func:`clean_surface`.  Raises
    :class:`~toolkit.errors.ValidationError` for empty names, an alias equal to its canonical
    name, or a merge that would make a cycle.
    """
    with _merges_lock(project_path):  # read-modify-write: two notebooks must not lose each other's merges
        merges, proposals = _read(project_path)
        merges = _set_merge(merges, alias, canonical)
        _write(project_path, merges, proposals)
    return merges


def remove_merge(project_path: str | os.PathLike[str], alias: str) -> dict[str, str]:
    """Forget the merge recorded for ``alias``; returns the remaining merges."""
    key = entity_key(alias)
    with _merges_lock(project_path):
        merges, proposals = _read(project_path)
        merges = {k: v for k, v in merges.items() if entity_key(k) != key}
        _write(project_path, merges, proposals)
    return merges


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pair(p: Mapping[str, Any] | Proposal) -> frozenset[str]:
    alias, canonical = (p.alias, p.canonical) if isinstance(p, Proposal) else (p["alias"], p["canonical"])
    return frozenset((name_key(alias), name_key(canonical)))


def record_proposals(project_path: str | os.PathLike[str], proposals: Iterable[Proposal],
                     drop_stale: bool = True) -> list[dict[str, Any]]:
    """Store proposals in the merges file (under its lock); returns every stored proposal.

    A new pair (either direction) is added as ``"proposed"``; a stored ``"proposed"`` one gets
    fresh evidence; accepted and rejected ones are kept as they are.  With ``drop_stale``, stored
    ``"proposed"`` entries that are not in ``proposals`` any more are removed.
    """
    proposals = list(proposals)
    with _merges_lock(project_path):
        merges, stored = _read(project_path)
        index = {_pair(p): p for p in stored}
        current = set()
        for p in proposals:
            pair = _pair(p)
            current.add(pair)
            entry = {"alias": p.alias, "canonical": p.canonical, "rule": p.rule, "evidence": p.evidence,
                     "alias_mentions": p.alias_mentions, "canonical_mentions": p.canonical_mentions}
            old = index.get(pair)
            if old is None:
                stored.append({**entry, "status": "proposed", "updated": _now()})
                index[pair] = stored[-1]
            elif old["status"] == "proposed":
                old.update(entry)
        if drop_stale:
            stored = [p for p in stored if p["status"] != "proposed" or _pair(p) in current]
        _write(project_path, merges, stored)
    return stored


def _decide(project_path: str | os.PathLike[str], alias: str, canonical: str | None,
            status: str) -> dict[str, Any]:
    with _merges_lock(project_path):
        merges, stored = _read(project_path)
        key = name_key(alias)
        hits = [p for p in stored if name_key(p["alias"]) == key
                and (canonical is None or name_key(p["canonical"]) == name_key(canonical))]
        if not hits:
            raise NotFoundError(f"no merge proposal for {alias!r} (list them with: toolkit compare merges)")
        if len({name_key(p["canonical"]) for p in hits}) > 1:
            names = ", ".join(sorted({repr(p["canonical"]) for p in hits}))
            raise ValidationError(f"several proposals for {alias!r} ({names}): give the canonical name too")
        hit = hits[0]
        if status == "accepted":
            merges = _set_merge(merges, hit["alias"], hit["canonical"])
        else:  # undo an earlier accept
            merges = {k: v for k, v in merges.items()
                      if not (entity_key(k) == key and entity_key(v) == name_key(hit["canonical"]))}
        hit["status"], hit["updated"] = status, _now()
        _write(project_path, merges, stored)
    return hit


def accept_proposal(project_path: str | os.PathLike[str], alias: str,
                    canonical: str | None = None) -> dict[str, Any]:
    """Accept the stored proposal for ``alias`` (its merge is recorded); returns the proposal.

    Raises :class:`~toolkit.errors.NotFoundError` when there is none, and
    :class:`~toolkit.errors.ValidationError` when ``alias`` has proposals to several names and
    ``canonical`` is not given.
    """
    return _decide(project_path, alias, canonical, "accepted")


def reject_proposal(project_path: str | os.PathLike[str], alias: str,
                    canonical: str | None = None) -> dict[str, Any]:
    """Reject the stored proposal for ``alias``: it is never proposed again (and its merge is
    removed if it had been accepted); returns the proposal."""
    return _decide(project_path, alias, canonical, "rejected")


def accept_all_proposals(project_path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Accept every stored ``"proposed"`` proposal (in one locked write); returns them."""
    done = []
    with _merges_lock(project_path):
        merges, stored = _read(project_path)
        for p in stored:
            if p["status"] != "proposed":
                continue
            try:
                merges = _set_merge(merges, p["alias"], p["canonical"])
            except ValidationError:
                continue  # would make a cycle with an earlier decision: left for the analyst
            p["status"], p["updated"] = "accepted", _now()
            done.append(p)
        _write(project_path, merges, stored)
    return done


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


class EntityNormalizer:
    """Maps surface forms of mentions to canonical entity names (one name per group row).

    Build it from the mentions of a corpus (``fit`` or :meth:`from_spans`), then call
    :meth:`canonical` with any name -- a mention, a claim speaker, a quotation speaker -- and,
    when known, its document.

    >>> n = EntityNormalizer().fit([("d1", "PERSON", "Jane Doe"), ("d1", "PERSON", "Ms Doe")])
    >>> n.canonical("Ms Doe", doc_id="d1", label="PERSON")
    'Jane Doe'
    """

    def __init__(self, merges: Mapping[str, str] | None = None,
                 person_labels: Iterable[str] = (PERSON,),
                 rejected: Iterable[tuple[str, str]] = ()) -> None:
        self.merges = {entity_key(k): v for k, v in (merges or {}).items()}
        self.grouper = NameGrouper(merges, rejected, person_labels)

    def __repr__(self) -> str:
        g = self.grouper
        return f"EntityNormalizer(merges={len(self.merges)}, names={len(g.parts)}, documents={len(g.docs)})"

    @classmethod
    def from_spans(cls, spans: pd.DataFrame, layer: Layer = None, merges: Mapping[str, str] | None = None,
                   labels: Iterable[str] | None = None, *, all_labels: bool = False,
                   rejected: Iterable[tuple[str, str]] = (),
                   documents: pd.DataFrame | None = None) -> EntityNormalizer:
        """Fitted on the same entity mentions as :func:`entity_mentions` (same arguments), so
        that names map to the same rows as its tables (pass ``documents`` as there, so that
        honorifics written before a tagged surname count)."""
        ents = _entity_rows(spans, layer, labels, all_labels)
        norm = cls(merges, rejected=rejected)
        if not ents.empty:
            for (doc_id, label, surface), (n, start) in _counted(_mention_keys(ents, documents)).items():
                norm.grouper.add(doc_id, label, surface, count=n, start=start)
        return norm

    def fit(self, mentions: Iterable[tuple[str, str, str]]) -> EntityNormalizer:
        """Learn names from ``(doc_id, label, surface)`` triples."""
        for doc_id, label, surface in mentions:
            self.grouper.add(str(doc_id), str(label), str(surface))
        return self

    def key(self, surface: str, doc_id: str | None = None, label: str | None = None) -> str:
        """Group key of a name (its group's root key)."""
        return self.grouper.resolve(surface, doc_id, label)

    def display(self, key: str) -> str:
        """Canonical name of a group key from :meth:`key`."""
        g = self.grouper
        if key in g.group_keys or key in g.parts:
            return g.display(key)
        return key.split("\x1f")[-1].title()

    def canonical(self, surface: str, doc_id: str | None = None, label: str | None = None) -> str:
        """Canonical name of any name string: the name of its group's row ("Ms Doe" in a
        document that names Jane Doe -> "Jane Doe"); an unknown name comes back cleaned."""
        root = self.key(surface, doc_id, label)
        g = self.grouper
        if root in g.group_keys or root in g.parts:
            return g.display(root)
        return clean_surface(surface)

    def label(self, surface: str, doc_id: str | None = None, label: str | None = None) -> str:
        """Majority label of the name's group ("" for an unknown name)."""
        return self.grouper.label_of(self.key(surface, doc_id, label))

    def proposals(self) -> list[Proposal]:
        """Uncertain merges for the analyst (:meth:`toolkit.compare.names.NameGrouper.proposals`)."""
        return self.grouper.proposals()


# ---------------------------------------------------------------------------------------------
# Analyses
# ---------------------------------------------------------------------------------------------

MENTION_COLUMNS = ["entity", "label", "doc_id", "source", "start", "end", "text", "rel_pos",
                   "annotator"]


def _entity_rows(spans: pd.DataFrame, layer: Layer, labels: Iterable[str] | None,
                 all_labels: bool) -> pd.DataFrame:
    """Entity spans of ``layer`` with the chosen labels; a mention marked by several annotators
    (same document and offsets) once."""
    ents = select_layer(spans, layer)
    ents = ents[ents["layer"] == "entity"] if "layer" in ents.columns else ents
    if labels is not None:
        ents = ents[ents["label"].isin(list(labels))]
    elif not all_labels:
        ents = ents[~ents["label"].isin(NUMERIC_LABELS)]
    if ents.empty:
        return ents
    ents = ents.sort_values(["doc_id", "start", "end", "annotator"])
    return ents.drop_duplicates(["doc_id", "start", "end"], keep="first")


#: The word written just before a tagged span (a title such as "Mr." is the candidate).
_WORD_BEFORE = re.compile(r"(?:^|[\s(\[\"'\u2018\u201c])(\w+)\.?[ \u00a0]$")


def _with_title(surface: str, text: str | None, start: int) -> str:
    """A one-word name gets the gendered title written just before it ("Mr. [Pires]" -> "Mr. Pires"):
    taggers leave titles out of the span, and the title is what tells two Pires apart
    (:data:`~toolkit.compare.names.GENDERED_TITLES`)."""
    if not text or start <= 0 or " " in surface.strip():
        return surface
    m = _WORD_BEFORE.search(text, max(0, start - 7), start)
    return f"{m.group(1)}. {surface}" if m and m.group(1).lower() in GENDERED_TITLES else surface


def _mention_keys(ents: pd.DataFrame, documents: pd.DataFrame | None) -> list[tuple[str, str, str, int]]:
    """``(doc_id, label, surface, start)`` per mention; with ``documents``, a one-word surface carries
    the title written before it in the text."""
    texts = {} if documents is None or documents.empty or "text" not in documents.columns else dict(
        zip(documents["doc_id"].astype(str).tolist(), documents["text"].tolist(), strict=True))
    return [(d, lab, _with_title(sur, texts.get(d), st) if texts else sur, st)
            for d, lab, sur, st in zip(ents["doc_id"].astype(str).tolist(), ents["label"].astype(str).tolist(),
                                       ents["text"].astype(str).tolist(), ents["start"].astype(int).tolist(),
                                       strict=True)]


def _counted(keys: list[tuple[str, str, str, int]]) -> dict[tuple[str, str, str], tuple[int, int]]:
    """``(doc_id, label, surface) -> (mentions, first start)`` of :func:`_mention_keys`' rows."""
    out: dict[tuple[str, str, str], tuple[int, int]] = {}
    for doc_id, label, surface, start in keys:
        key = (doc_id, label, surface)
        hit = out.get(key)
        out[key] = (1, start) if hit is None else (hit[0] + 1, min(hit[1], start))
    return out


def entity_mentions(
    spans: pd.DataFrame,
    documents: pd.DataFrame,
    layer: Layer = None,
    merges: Mapping[str, str] | None = None,
    labels: Iterable[str] | None = None,
    *,
    all_labels: bool = False,
) -> pd.DataFrame:
    """One row per entity mention with its canonical entity name.

    Args:
        spans: the ``spans`` frame of ``Project.load()``.
        documents: the ``documents`` frame (for ``n_chars``).
        layer: whose annotations (see :mod:`toolkit.compare._layers`).
        merges: ``{alias: canonical}`` (e.g. :func:`load_merges`).
        labels: entity labels to keep (default: every label except dates and numbers,
            :data:`~toolkit.compare.names.NUMERIC_LABELS`).
        all_labels: keep dates and numbers too (when ``labels`` is None).

    Returns columns ``entity, label, doc_id, source, start, end, text, rel_pos, annotator``
    where ``entity`` is the group's canonical name, ``label`` its majority label (ties: PERSON
    first) and ``rel_pos`` is ``start / n_chars``.  When several annotators are selected, a
    mention annotated by more than one of them (same document and offsets) is counted once.
    """
    ents = _entity_rows(spans, layer, labels, all_labels)
    if ents.empty:
        return pd.DataFrame(columns=MENTION_COLUMNS)
    grouper = NameGrouper(merges)
    keys = _mention_keys(ents, documents)
    triples = [k[:3] for k in keys]
    # Each distinct (document, label, surface) is grouped once, with its count.
    nodes = {t: grouper.add(*t, count=n, start=start) for t, (n, start) in _counted(keys).items()}
    grouper.build()
    root_of = {t: (grouper.root_of(t[0], node) if node is not None else "") for t, node in nodes.items()}
    roots = [root_of[t] for t in triples]
    display = {r: grouper.display(r) for r in set(root_of.values()) if r}
    n_chars = documents.set_index("doc_id")["n_chars"] if not documents.empty else pd.Series()
    out = pd.DataFrame({
        "entity": [display.get(r, "") for r in roots],
        "label": ents["label"].to_numpy(),
        "doc_id": ents["doc_id"].to_numpy(),
        "source": ents["source"].to_numpy(),
        "start": ents["start"].astype(int).to_numpy(),
        "end": ents["end"].astype(int).to_numpy(),
        "text": ents["text"].to_numpy(),
        "annotator": ents["annotator"].to_numpy(),
    })
    out = out[out["entity"] != ""]
    lengths = out["doc_id"].map(n_chars).astype(float)
    out["rel_pos"] = (out["start"] / lengths.where(lengths > 0)).round(4)
    # Several annotators may mark the same mention with different boundaries ("Ms Doe" and
    # "Doe"): overlapping mentions of the same entity in a document count once.
    out = out.sort_values(["doc_id", "start", "end"], kind="stable")
    keep = []
    last_end: dict[tuple[str, str], int] = {}
    for doc_id, ent, s, e in zip(out["doc_id"].tolist(), out["entity"].tolist(), out["start"].tolist(),
                                 out["end"].tolist(), strict=True):
        k = (doc_id, ent)
        keep.append(s >= last_end.get(k, -1))
        last_end[k] = max(e, last_end.get(k, -1))
    out = out[keep]
    # The label of an entity is its most frequent label (ties: PERSON first, then alphabetical).
    counts = out.groupby(["entity", "label"]).size()
    per_entity: dict[str, dict[str, int]] = {}
    for (ent, lab), n in counts.items():
        per_entity.setdefault(ent, {})[lab] = int(n)
    out["label"] = out["entity"].map({e: majority_label(c) for e, c in per_entity.items()})
    return out[MENTION_COLUMNS].reset_index(drop=True)


def propose_merges(
    spans: pd.DataFrame,
    layer: Layer = None,
    merges: Mapping[str, str] | None = None,
    labels: Iterable[str] | None = None,
    *,
    all_labels: bool = False,
    rejected: Iterable[tuple[str, str]] = (),
    documents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Uncertain merges computed from the entity mentions (nothing is stored).

    Same selection arguments as :func:`entity_mentions`; ``rejected`` pairs are never proposed.
    Returns columns ``alias, canonical, rule, status ("proposed"), alias_mentions,
    canonical_mentions, evidence``, most mentioned first.  Rules: ``surname``, ``label``,
    ``spelling``, ``one-letter`` (see :mod:`toolkit.compare.names`).
    """
    norm = EntityNormalizer.from_spans(spans, layer, merges, labels, all_labels=all_labels, rejected=rejected,
                                       documents=documents)
    rows = [{"alias": p.alias, "canonical": p.canonical, "rule": p.rule, "status": "proposed",
             "alias_mentions": p.alias_mentions, "canonical_mentions": p.canonical_mentions,
             "evidence": p.evidence} for p in norm.proposals()]
    return pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)


def merge_proposals(project_path: str | os.PathLike[str], layer: Layer = None,
                    labels: Iterable[str] | None = None, *, all_labels: bool = False,
                    save: bool = True, status: str | Iterable[str] | None = None) -> pd.DataFrame:
    """The merge proposals of a project as a DataFrame (for notebooks and ``toolkit compare merges``).

    Computes the current proposals from the project's entity mentions (``layer``, ``labels``,
    ``all_labels`` as in :func:`entity_mentions`), stores new ones in ``entity_merges.json``
    (``save=False`` leaves the file alone) and returns them with the stored accepted and
    rejected ones: columns ``alias, canonical, rule, status, alias_mentions, canonical_mentions,
    evidence``.  ``status`` keeps only the given status(es).  Accept or reject with
    :func:`accept_proposal` / :func:`reject_proposal` (or ``toolkit compare merges --accept ALIAS``).
    """
    from toolkit.store import Project

    frames = Project.open(project_path).load()
    merges, stored = _read(project_path)
    rejected = [(p["alias"], p["canonical"]) for p in stored if p["status"] == "rejected"]
    norm = EntityNormalizer.from_spans(frames.spans, layer, merges, labels, all_labels=all_labels,
                                       rejected=rejected, documents=frames.documents)
    current = norm.proposals()
    if save:
        stored = record_proposals(project_path, current)
    else:
        index = {_pair(p): p for p in stored}
        for p in current:
            if _pair(p) not in index:
                stored.append({"alias": p.alias, "canonical": p.canonical, "rule": p.rule, "status": "proposed",
                               "alias_mentions": p.alias_mentions, "canonical_mentions": p.canonical_mentions,
                               "evidence": p.evidence})
    frame = pd.DataFrame(stored, columns=PROPOSAL_COLUMNS)
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        frame = frame[frame["status"].isin(wanted)]
    order = frame["status"].map({"proposed": 0, "accepted": 1, "rejected": 2})
    frame = frame.assign(_o=order).sort_values(["_o", "alias_mentions"], ascending=[True, False], kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)


def entity_matrix(mentions: pd.DataFrame, sources: Iterable[str] | None = None) -> pd.DataFrame:
    """Entity x source matrix of mention counts (rows sorted by total, descending).

    ``sources`` adds columns for sources with no mentions (all zeros).
    """
    if mentions.empty:
        cols = list(sources or [])
        return pd.DataFrame(columns=cols, dtype=int).rename_axis(index="entity", columns="source")
    m = pd.crosstab(mentions["entity"], mentions["source"])
    if sources is not None:
        m = m.reindex(columns=sorted(set(m.columns) | set(sources)), fill_value=0)
    order = m.sum(axis=1).sort_values(ascending=False, kind="stable").index
    m = m.loc[sorted(order, key=lambda e: (-m.loc[e].sum(), e))]
    return m.rename_axis(index="entity", columns="source")


def entity_shares(mentions: pd.DataFrame, sources: Iterable[str] | None = None) -> pd.DataFrame:
    """Share of each source's entity mentions that go to each entity (columns sum to 1)."""
    m = entity_matrix(mentions, sources)
    totals = m.sum(axis=0)
    return m.div(totals.where(totals > 0), axis=1).fillna(0.0)


def first_mentions(mentions: pd.DataFrame) -> pd.DataFrame:
    """Where each document first mentions each entity.

    Returns one row per (entity, document): ``entity, source, doc_id, first_start, rel_pos``
    (character offset of the first mention, and that offset divided by the document length:
    0.0 = the very beginning, close to 1.0 = the end).
    """
    if mentions.empty:
        return pd.DataFrame(columns=["entity", "source", "doc_id", "first_start", "rel_pos"])
    first = (mentions.sort_values("start")
             .drop_duplicates(["entity", "doc_id"], keep="first")
             .rename(columns={"start": "first_start"}))
    return (first[["entity", "source", "doc_id", "first_start", "rel_pos"]]
            .sort_values(["entity", "source", "doc_id"]).reset_index(drop=True))


def first_mention_matrix(mentions: pd.DataFrame) -> pd.DataFrame:
    """Entity x source: earliest relative position of the entity in that source's documents."""
    fm = first_mentions(mentions)
    if fm.empty:
        return pd.DataFrame()
    return fm.pivot_table(index="entity", columns="source", values="rel_pos", aggfunc="min")


def exclusive_entities(mentions: pd.DataFrame) -> pd.DataFrame:
    """Entities that only one source mentions: ``entity, label, source, mentions``."""
    if mentions.empty:
        return pd.DataFrame(columns=["entity", "label", "source", "mentions"])
    n_sources = mentions.groupby("entity")["source"].nunique()
    only = mentions[mentions["entity"].map(n_sources) == 1]
    out = (only.groupby(["entity", "label", "source"]).size().reset_index(name="mentions")
           .sort_values(["source", "mentions", "entity"], ascending=[True, False, True]))
    return out.reset_index(drop=True)
