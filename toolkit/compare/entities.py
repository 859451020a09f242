"""Entity coverage per source: which people, organisations and places each outlet mentions.

Surface forms are normalised to one entity by rules, then by merges the analyst records:

1. whitespace collapsed, a leading "the" dropped, possessives dropped ("Jane Doe's" -> "Jane Doe"),
   titles and honorifics dropped ("Ms Doe", "Dr. Doe", "Mayor Jane Doe" -> "Doe", "Jane Doe");
2. case ignored ("JANE DOE" and "Jane Doe" are the same entity);
3. a one-word PERSON mention that is the last word of exactly one multi-word PERSON name in the same
   document (else in the whole corpus) is resolved to that name ("Doe" -> "Jane Doe");
4. merges recorded with :func:`add_merge` (stored in ``<project>/entity_merges.json``) map an
   alias to a canonical name; they are applied before and after rule 3.

The central function is :func:`entity_mentions`; the others summarise its result.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from toolkit.compare._layers import Layer, select_layer
from toolkit.errors import CorruptFileError, ValidationError
from toolkit.store import atomic_write_text, file_lock

MERGES_FILE = "entity_merges.json"

#: Titles and honorifics removed from the front of a name (compared case-insensitively, "." optional).
TITLES = frozenset(
    ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev", "reverend", "fr", "father", "hon", "sen", "senator", "rep", "representative", "gov", "governor", "mayor", "deputy", "president", "vice", "prime", "minister", "chancellor", "secretary", "judge", "justice", "chief", "inspector", "detective", "det", "officer", "constable", "sergeant", "sgt", "captain", "capt", "cpt", "lieutenant", "lt", "colonel", "col", "general", "gen", "admiral", "adm", "major", "commissioner", "councillor", "councilor", "cllr", "alderman", "sheriff", "superintendent", "supt", "director", "dean", "chair", "chairman", "chairwoman", "chairperson", "spokesperson", "spokesman", "spokeswoman", "ceo"]
)

_WS = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?:['\u2019]s|s['\u2019])$", re.IGNORECASE)
_EDGE_PUNCT = "\"'\u2018\u2019\u201c\u201d.,;:!?()[]{}"


def clean_surface(text: str) -> str:
    """Strip titles, honorifics, possessives and edge punctuation from a surface form.

    Case is kept (use :func:`entity_key` to compare).  Examples::

        >>> clean_surface("Ms. Jane Doe's")
        'Jane Doe'
        >>> clean_surface("the Harbour Authority")
        'Harbour Authority'
    """
    s = _WS.sub(" ", text).strip().strip(_EDGE_PUNCT).strip()
    if s.endswith(("'s", "\u2019s", "'S", "\u2019S")):
        s = s[:-2]
    elif s.endswith(("s'", "s\u2019")):
        s = s[:-1]
    words = s.split(" ")
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    # Drop leading titles ("Deputy Mayor Jane Doe"), but never the whole name.
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words).strip(_EDGE_PUNCT).strip()


def entity_key(text: str) -> str:
    """Case-insensitive comparison key of a cleaned surface form."""
    return clean_surface(text).casefold()


def _resolve_chain(key: str, merges: Mapping[str, str]) -> str:
    """Follow alias -> canonical links (keys casefolded); stops on cycles."""
    seen = {key}
    while key in merges:
        nxt = entity_key(merges[key])
        if nxt in seen:
            break
        seen.add(nxt)
        key = nxt
    return key


# ---------------------------------------------------------------------------------------------
# Merges stored in the project folder
# ---------------------------------------------------------------------------------------------


def merges_path(project_path: str | os.PathLike[str]) -> Path:
    """Path of the merges file of a project folder."""
    return Path(project_path) / MERGES_FILE


def load_merges(project_path: str | os.PathLike[str]) -> dict[str, str]:
    """The analyst's recorded merges ``{alias: canonical}`` of a project ({} when none)."""
    path = merges_path(project_path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"{path}: cannot read entity merges: {exc}") from exc
    merges = data.get("merges") if isinstance(data, dict) else None
    if not isinstance(merges, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in merges.items()
    ):
        raise CorruptFileError(f'{path}: expected {{"version": 1, "merges": {{alias: canonical}}}}')
    return dict(merges)


def save_merges(project_path: str | os.PathLike[str], merges: Mapping[str, str]) -> Path:
    """Write ``merges`` to the project's merges file atomically (temp file + fsync + rename)."""
    path = merges_path(project_path)
    if not path.parent.is_dir():
        raise ValidationError(f"{path.parent}: project folder does not exist")
    body = {"version": 1, "merges": dict(sorted(merges.items()))}
    atomic_write_text(path, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    return path


def add_merge(project_path: str | os.PathLike[str], alias: str, canonical: str) -> dict[str, str]:
    """Record that entity ``alias`` is the same as ``canonical``; returns all merges.

    Both names are cleaned with :func:`clean_surface`.  Raises
    :class:`~toolkit.errors.ValidationError` for empty names, an alias equal to its canonical
    name, or a merge that would make a cycle.
    """
    a, c = clean_surface(alias), clean_surface(canonical)
    if not a or not c:
        raise ValidationError(f"entity merge: empty name (alias={alias!r}, canonical={canonical!r})")
    if a.casefold() == c.casefold():
        raise ValidationError(f"entity merge: alias and canonical are the same name ({a!r})")
    with _merges_lock(project_path):  # read-modify-write: two notebooks must not lose each other's merges
        merges = load_merges(project_path)
        keyed = {entity_key(k): v for k, v in merges.items() if entity_key(k) != a.casefold()}
        if _resolve_chain(c.casefold(), keyed) == a.casefold():
            raise ValidationError(f"entity merge: {a!r} -> {c!r} would make a cycle")
        merges = {k: v for k, v in merges.items() if entity_key(k) != a.casefold()}
        merges[a] = c
        save_merges(project_path, merges)
    return merges


def remove_merge(project_path: str | os.PathLike[str], alias: str) -> dict[str, str]:
    """Forget the merge recorded for ``alias``; returns the remaining merges."""
    key = entity_key(alias)
    with _merges_lock(project_path):
        merges = {k: v for k, v in load_merges(project_path).items() if entity_key(k) != key}
        save_merges(project_path, merges)
    return merges


def _merges_lock(project_path: str | os.PathLike[str]):
    path = merges_path(project_path)
    if not path.parent.is_dir():
        raise ValidationError(f"{path.parent}: project folder does not exist")
    return file_lock(path.with_name(".entity_merges.lock"))


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


class EntityNormalizer:
    """Maps surface forms of mentions to canonical entity names.

    Build it from the mentions of a corpus (``fit``), then call :meth:`canonical`.

    >>> n = EntityNormalizer().fit([("d1", "PERSON", "Jane Doe"), ("d1", "PERSON", "Ms Doe")])
    >>> n.canonical("Ms Doe", doc_id="d1", label="PERSON")
    'Jane Doe'
    """

    def __init__(self, merges: Mapping[str, str] | None = None,
                 person_labels: Iterable[str] = ("PERSON",)) -> None:
        self.merges = {entity_key(k): v for k, v in (merges or {}).items()}
        self.person_labels = frozenset(person_labels)
        self._doc_full: dict[str, dict[str, set[str]]] = {}
        self._corpus_full: dict[str, set[str]] = {}
        self._forms: dict[str, Counter[str]] = {}

    def __repr__(self) -> str:
        return (f"EntityNormalizer(merges={len(self.merges)}, "
                f"names={len(self._forms)}, documents={len(self._doc_full)})")

    def _merged_key(self, key: str) -> str:
        return _resolve_chain(key, self.merges)

    def fit(self, mentions: Iterable[tuple[str, str, str]]) -> EntityNormalizer:
        """Learn full names from ``(doc_id, label, surface)`` triples."""
        for doc_id, label, surface in mentions:
            clean = clean_surface(surface)
            if not clean:
                continue
            key = self._merged_key(clean.casefold())
            self._forms.setdefault(key, Counter())[clean] += 1
            words = key.split(" ")
            if label in self.person_labels and len(words) > 1:
                last = words[-1]
                self._doc_full.setdefault(doc_id, {}).setdefault(last, set()).add(key)
                self._corpus_full.setdefault(last, set()).add(key)
        return self

    def key(self, surface: str, doc_id: str | None = None, label: str | None = None) -> str:
        """Canonical (casefolded) key of a mention."""
        clean = clean_surface(surface)
        key = self._merged_key(clean.casefold())
        if " " not in key and (label is None or label in self.person_labels):
            local = self._doc_full.get(doc_id or "", {}).get(key, set())
            cands = local if local else self._corpus_full.get(key, set())
            if len(cands) == 1:
                key = self._merged_key(next(iter(cands)))
        return key

    def display(self, key: str) -> str:
        """Display name for a canonical key: a merge target as typed, else the most frequent
        cleaned form (ties: the longest, then alphabetical)."""
        for target in self.merges.values():
            if entity_key(target) == key:
                return clean_surface(target)
        forms = self._forms.get(key)
        if not forms:
            return key.title()
        return sorted(forms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]

    def canonical(self, surface: str, doc_id: str | None = None, label: str | None = None) -> str:
        """Canonical display name of a mention."""
        return self.display(self.key(surface, doc_id, label))


# ---------------------------------------------------------------------------------------------
# Analyses
# ---------------------------------------------------------------------------------------------

MENTION_COLUMNS = ["entity", "label", "doc_id", "source", "start", "end", "text", "rel_pos",
                   "annotator"]


def entity_mentions(
    spans: pd.DataFrame,
    documents: pd.DataFrame,
    layer: Layer = None,
    merges: Mapping[str, str] | None = None,
    labels: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per entity mention with its canonical entity name.

    Args:
        spans: the ``spans`` frame of ``Project.load()``.
        documents: the ``documents`` frame (for ``n_chars``).
        layer: whose annotations (see :mod:`toolkit.compare._layers`).
        merges: ``{alias: canonical}`` (e.g. :func:`load_merges`).
        labels: entity labels to keep (default: every entity label).

    Returns columns ``entity, label, doc_id, source, start, end, text, rel_pos, annotator``
    where ``rel_pos`` is ``start / n_chars``.  When several annotators are selected, a mention
    annotated by more than one of them (same document and offsets) is counted once.
    """
    ents = select_layer(spans, layer)
    ents = ents[ents["layer"] == "entity"] if "layer" in ents.columns else ents
    if labels is not None:
        ents = ents[ents["label"].isin(list(labels))]
    if ents.empty:
        return pd.DataFrame(columns=MENTION_COLUMNS)
    ents = ents.sort_values(["doc_id", "start", "end", "annotator"])
    ents = ents.drop_duplicates(["doc_id", "start", "end"], keep="first")
    norm = EntityNormalizer(merges).fit(zip(ents["doc_id"], ents["label"], ents["text"], strict=False))
    keys = [norm.key(t, d, lab) for t, d, lab in zip(ents["text"], ents["doc_id"], ents["label"], strict=False)]
    display = {k: norm.display(k) for k in set(keys)}
    n_chars = documents.set_index("doc_id")["n_chars"] if not documents.empty else pd.Series()
    out = pd.DataFrame({
        "entity": [display[k] for k in keys],
        "label": ents["label"].to_numpy(),
        "doc_id": ents["doc_id"].to_numpy(),
        "source": ents["source"].to_numpy(),
        "start": ents["start"].astype(int).to_numpy(),
        "end": ents["end"].astype(int).to_numpy(),
        "text": ents["text"].to_numpy(),
        "annotator": ents["annotator"].to_numpy(),
    })
    lengths = out["doc_id"].map(n_chars).astype(float)
    out["rel_pos"] = (out["start"] / lengths.where(lengths > 0)).round(4)
    # Several annotators may mark the same mention with different boundaries ("Ms Doe" and
    # "Doe"): overlapping mentions of the same entity in a document count once.
    out = out.sort_values(["doc_id", "start", "end"], kind="stable")
    keep = []
    last_end: dict[tuple[str, str], int] = {}
    for doc_id, ent, s, e in zip(out["doc_id"], out["entity"], out["start"], out["end"], strict=False):
        k = (doc_id, ent)
        keep.append(s >= last_end.get(k, -1))
        last_end[k] = max(e, last_end.get(k, -1))
    out = out[keep]
    # The label of an entity is its most frequent label (ties: alphabetical).
    main_label = (out.groupby(["entity", "label"]).size().reset_index(name="n")
                  .sort_values(["entity", "n", "label"], ascending=[True, False, True])
                  .drop_duplicates("entity").set_index("entity")["label"])
    out["label"] = out["entity"].map(main_label)
    return out[MENTION_COLUMNS].reset_index(drop=True)


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
