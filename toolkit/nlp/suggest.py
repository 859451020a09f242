"""Turn one parsed spaCy ``Doc`` into span suggestions (entities and claim candidates).

This module has no knowledge of projects or files: :func:`suggest_spans`
takes a ``Doc`` and returns plain dictionaries (``start``, ``end``,
``label``, ``attrs``, ``id``) that :mod:`toolkit.nlp.preannotate` writes
through the :class:`toolkit.Project` API.

Claim candidates are sentences that carry

* a **quotation** (found with :func:`toolkit.quotes.find_quotations`, so
  quotations spanning several sentences become one candidate per paragraph;
  a sentence ending with a colon joins the quotation it introduces),
* a **reporting verb** (said, told, claimed, warned, ... by lemma), or
* a **number or statistic** (a numeric token outside dates and times, or a
  MONEY / PERCENT / QUANTITY / CARDINAL entity).

Each candidate gets ``attrs``: ``kind`` (quotation / prediction / opinion /
factual), ``speaker`` (the fullest name of the person or organisation, or
``None``), ``speaker_span`` (id of the entity suggestion of the mention
used, or ``None``) and ``cues`` (why it was suggested and how the speaker was
found).  Speakers come from :mod:`toolkit.nlp.attribution` (pronouns, roles,
continued quotations); a candidate that joins two speakers' quotations is
split so that each claim has one speaker.  The claim span is the sentence(s)
trimmed of surrounding whitespace and punctuation; quote marks are kept only
when inside the span.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..quotes import Quotation, find_quotations
from .attribution import (
    REPORTING_VERBS,
    Attribution,
    DocumentAttribution,
    find_speaker,
    is_reporting_verb,
    sentence_bounds,
)
from .snap import TokenIndex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "NUMERIC_ENTITY_LABELS",
    "REPORTING_VERBS",
    "SuggestionResult",
    "default_entity_map",
    "find_speaker",
    "is_reporting_verb",
    "suggest_spans",
]

#: spaCy entity labels that make a sentence a statistic.
NUMERIC_ENTITY_LABELS = frozenset({"MONEY", "PERCENT", "QUANTITY", "CARDINAL"})
_NOT_NUMERIC_ENTS = frozenset({"DATE", "TIME", "ORDINAL"})

_PREDICTION_MODALS = frozenset({"will", "shall", "'ll", "could", "may", "might", "would"})
_PREDICTION_LEMMAS = frozenset({"expect", "forecast", "predict", "anticipate", "project", "likely", "unlikely"})
_OPINION_LEMMAS = frozenset(
    [
        "believe",
        "think",
        "feel",
        "should",
        "must",
        "ought",
        "disgrace",
        "outrageous",
        "unacceptable",
        "shameful",
        "ridiculous",
        "irresponsible",
        "reckless",
        "absurd",
        "wrong",
        "excellent",
        "terrible",
        "appalling",
        "scandalous",
    ]
)


def default_entity_map(project_labels: Iterable[str], spacy_labels: Iterable[str]) -> dict[str, str]:
    """Identity mapping for every spaCy label the project also has (PERSON -> PERSON, ...)."""
    wanted = set(project_labels)
    return {lab: lab for lab in spacy_labels if lab in wanted}


def span_id(annotator: str, doc_id: str, start: int, end: int, label: str) -> str:
    """Deterministic id of a suggestion, so a re-run replaces instead of duplicating."""
    key = f"{annotator}\x00{doc_id}\x00{start}\x00{end}\x00{label}".encode()
    return "m-" + hashlib.blake2b(key, digest_size=10).hexdigest()


@dataclass
class SuggestionResult:
    """Suggestions for one document."""

    spans: list[dict[str, Any]] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)

    def __repr__(self) -> str:
        labels = Counter(s["label"] for s in self.spans)
        return f"<SuggestionResult {dict(labels)} unmapped={dict(self.unmapped)}>"


# --------------------------------------------------------------------------- entities


def _entity_range(doc: Doc, ent: Span, index: TokenIndex) -> tuple[int, int] | None:
    """Character range of an entity, without a leading "the" or a trailing possessive "'s"."""
    first, last = ent.start, ent.end - 1
    if first < last and doc[first].lower_ == "the":
        first += 1
    if last > first and doc[last].tag_ == "POS":
        last -= 1
    rng = index.trimmed(first, last)
    return None if rng is None else (index.starts[rng[0]], index.ends[rng[1]])


# --------------------------------------------------------------------------- claim units

_OPENING_MARKS = "\"“„”«»‹›‘'‚"


def _pieces(text: str, index: TokenIndex, sents: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence character ranges, split at line breaks (a claim never spans paragraphs)."""
    out: list[tuple[int, int]] = []
    for first, last in sents:
        s, e = index.starts[first], index.ends[last]
        while s < e:
            nl = text.find("\n", s, e)
            stop = e if nl < 0 else nl
            if text[s:stop].strip():
                out.append((s, stop))
            if nl < 0:
                break
            s = nl + 1
    return out


def _units(
    text: str, index: TokenIndex, quotes: list[Quotation], sents: Iterable[tuple[int, int]]
) -> list[tuple[int, int, list[int]]]:
    """Claim units: pieces merged when one quotation runs through them, or a colon introduces one.

    Returns ``(start_char, end_char, [indices of quotations overlapping])``.
    """
    pieces = _pieces(text, index, sents)
    if not pieces:
        return []
    starts = [a for a, _ in pieces]
    ends = [b for _, b in pieces]
    join = [False] * len(pieces)  # join[i]: piece i continues piece i-1
    quote_starts = {q.start for q in quotes}
    for q in quotes:
        # segments of the quotation per paragraph
        s = q.start
        while s < q.end:
            nl = text.find("\n", s, q.end)
            stop = q.end if nl < 0 else nl
            lo, hi = bisect_right(ends, s), bisect_left(starts, stop)  # pieces overlapping [s, stop)
            for i in range(lo + 1, hi):
                join[i] = True
            if nl < 0:
                break
            s = nl + 1
    for i in range(1, len(pieces)):
        # "X told reporters:" + "“...”" in the same paragraph
        prev = text[pieces[i - 1][0] : pieces[i - 1][1]].rstrip()
        gap = text[pieces[i - 1][1] : pieces[i][0]]
        if prev.endswith(":") and "\n" not in gap and pieces[i][0] in quote_starts:
            join[i] = True
    units: list[tuple[int, int, list[int]]] = []
    for i, (a, b) in enumerate(pieces):
        if join[i] and units:
            units[-1] = (units[-1][0], b, [])
        else:
            units.append((a, b, []))
    unit_starts = [a for a, _, _ in units]
    for qi, q in enumerate(quotes):
        k = max(0, bisect_right(unit_starts, q.start) - 1)
        while k < len(units) and units[k][0] < q.end:
            if q.start < units[k][1]:
                units[k][2].append(qi)
            k += 1
    return units


def _guess_kind(toks: Sequence[Token], has_quote: bool, cues: list[str]) -> str:
    """quotation / prediction / opinion / factual, with the cues that decided it appended."""
    prediction: list[str] = []
    opinion: list[str] = []
    for k, t in enumerate(toks):
        low = t.lower_
        if t.tag_ == "MD" and low in _PREDICTION_MODALS:
            prediction.append(f"modal: {t.text}")
        elif (
            low == "going" and k + 2 < len(toks) and toks[k + 1].lower_ == "to" and toks[k + 2].pos_ in ("VERB", "AUX")
        ):
            prediction.append("future: going to")
        elif t.lemma_ in _PREDICTION_LEMMAS and t.tag_ not in ("VBD", "VBN"):
            prediction.append(f"prediction cue: {t.text}")
        elif t.lemma_ in _OPINION_LEMMAS or low in _OPINION_LEMMAS:
            opinion.append(f"opinion cue: {t.text}")
    cues.extend(prediction[:3])
    cues.extend(opinion[:3])
    if has_quote:
        return "quotation"
    if prediction:
        return "prediction"
    if opinion:
        return "opinion"
    return "factual"


def _split_by_speaker(
    doc: Doc, att: DocumentAttribution, a: int, b: int, qidx: list[int]
) -> list[tuple[int, int, list[int], Attribution | None]]:
    """Split unit ``[a, b)`` where its quotations change speaker (one claim per speaker).

    Returns ``(start, end, quotation indices, attribution)`` per part; the
    attribution is ``None`` for a unit without quotations.  A quotation without
    a speaker stays with its neighbours.  A part starts at its first quotation,
    or at the subject of its attribution when that stands between the two
    speakers' quotations ("..., and Pires replied: “...”").
    """
    if not qidx:
        return [(a, b, [], None)]
    quotes = att.quotes
    outer = sorted({att.outer_of.get(qi, qi) for qi in qidx}, key=lambda qi: quotes[qi].start)
    groups: list[tuple[list[int], Attribution]] = []
    for qi in outer:
        got = att.quotation(qi)
        if groups and (got.speaker is None or got.speaker == groups[-1][1].speaker):
            groups[-1][0].append(qi)
        elif groups and groups[-1][1].speaker is None:
            groups[-1] = ([*groups[-1][0], qi], got)
        else:
            groups.append(([qi], got))
    if len(groups) == 1:
        return [(a, b, qidx, groups[0][1])]
    cuts = [a]
    for (prev_q, _), (qs, got) in zip(groups, groups[1:], strict=False):
        floor = quotes[prev_q[-1]].end
        cut = quotes[qs[0]].start
        if got.verb >= 0 and floor <= doc[got.verb].idx < cut:
            verb = doc[got.verb]
            first = min([verb.i] + [c.left_edge.i for c in verb.lefts if c.dep_ in ("nsubj", "nsubjpass")])
            if doc[first].idx >= floor:
                cut = doc[first].idx
        cuts.append(cut)
    cuts.append(b)
    parts: list[tuple[int, int, list[int], Attribution | None]] = []
    for k, (qs, got) in enumerate(groups):
        lo, hi = cuts[k], cuts[k + 1]
        inside = [qi for qi in qidx if quotes[qi].start < hi and quotes[qi].end > lo]
        parts.append((lo, hi, inside or qs, got))
    return parts


# --------------------------------------------------------------------------- main entry


def suggest_spans(
    doc: Doc,
    doc_id: str,
    annotator: str,
    entity_map: Mapping[str, str | None],
    claim_label: str | None = "CLAIM",
    quotes: list[Quotation] | None = None,
    make_id: Callable[[str, str, int, int, str], str] = span_id,
) -> SuggestionResult:
    """Entity and claim suggestions for one parsed document.

    ``entity_map`` maps spaCy labels to project labels; a spaCy label missing
    from it (or mapped to ``None``) is skipped and counted in ``unmapped``.
    ``claim_label`` is the project label for claim candidates (``None``: no claims).
    """
    res = SuggestionResult()
    seen: set[tuple[int, int, str]] = set()
    sid_of_token: dict[int, str] = {}  # token index -> entity suggestion id, for speaker_span
    text = doc.text
    index = TokenIndex(doc)

    ents = list(doc.ents)  # spaCy rebuilds the list on every access
    for ent in ents:
        label = entity_map.get(ent.label_)
        if not label:
            res.unmapped[ent.label_] += 1
            continue
        rng = _entity_range(doc, ent, index)
        if rng is None or (rng[0], rng[1], label) in seen:
            continue
        seen.add((rng[0], rng[1], label))
        sid = make_id(annotator, doc_id, rng[0], rng[1], label)
        res.spans.append({"id": sid, "start": rng[0], "end": rng[1], "label": label, "attrs": {}})
        for t in range(ent.start, ent.end):
            sid_of_token[t] = sid

    if not claim_label:
        return res
    if quotes is None:
        quotes = find_quotations(text)
    sents = sentence_bounds(doc)
    attribution = DocumentAttribution(doc, quotes, index, sents, ents, text)

    claims: list[dict[str, Any]] = []  # start, end, attrs, quotes, continued (no attribution of its own)
    for ua, ub, uq in _units(text, index, quotes, sents):
        for a, b, qidx, got in _split_by_speaker(doc, attribution, ua, ub, uq):
            claim = _claim(doc, index, attribution, a, b, qidx, got, sid_of_token)
            if claim is not None:
                claims.append(claim)

    for c in _merge_continued_quotations(text, claims):
        key = (c["start"], c["end"], claim_label)
        if key in seen:
            continue
        seen.add(key)
        res.spans.append(
            {
                "id": make_id(annotator, doc_id, c["start"], c["end"], claim_label),
                "start": c["start"],
                "end": c["end"],
                "label": claim_label,
                "attrs": c["attrs"],
            }
        )
    return res


def _claim(
    doc: Doc,
    index: TokenIndex,
    attribution: DocumentAttribution,
    a: int,
    b: int,
    qidx: list[int],
    got: Attribution | None,
    sid_of_token: Mapping[int, str],
) -> dict[str, Any] | None:
    """One claim candidate for characters ``[a, b)``, or None when nothing makes it a claim."""
    tok_range = index.token_range(a, b)
    if tok_range is None:
        return None
    toks = list(doc[tok_range[0] : tok_range[1] + 1])  # one Token object per token, reused below
    cues: list[str] = []
    if qidx:
        cues.append("quotation")
    verbs: list[str] = []
    nums: list[str] = []
    for t in toks:
        if t.pos_ == "VERB" and is_reporting_verb(t):
            verbs.append(t.text)
        ent = t.ent_type_
        if ent in NUMERIC_ENTITY_LABELS or (ent not in _NOT_NUMERIC_ENTS and t.pos_ == "NUM" and t.like_num):
            nums.append(t.text)
    if verbs:
        cues.append("reporting verb: " + ", ".join(dict.fromkeys(verbs)))
    if nums:
        cues.append("number: " + " ".join(dict.fromkeys(nums))[:60])
    if not cues:
        return None
    trimmed = index.trimmed(*tok_range)
    while trimmed is not None and doc[trimmed[1]].pos_ in ("CCONJ", "SCONJ"):
        # a part cut before the next speaker's words: "“…,” he said, while" ends at "said"
        trimmed = index.trimmed(trimmed[0], trimmed[1] - 1)
    if trimmed is None:
        return None
    kind = _guess_kind(toks, bool(qidx), cues)
    if got is None or got.speaker is None:
        own = attribution.claim(*trimmed)
        if own.speaker is not None or got is None:
            got = own
    cues.extend(got.cues)
    attrs: dict[str, Any] = {"kind": kind, "speaker": got.speaker, "speaker_span": None, "cues": cues}
    if got.speaker is not None:
        for m in (got.mention, got.entity.best if got.entity else None):
            sid = sid_of_token.get(m.last) if m is not None else None
            if sid is not None:
                attrs["speaker_span"] = sid
                break
    return {
        "start": index.starts[trimmed[0]],
        "end": index.ends[trimmed[1]],
        "attrs": attrs,
        "quotes": qidx,
        "continued": bool(qidx) and got.how == "continued",
    }


_BETWEEN_JUNK = " \t\"“”‘’'«».,;:!?"


def _merge_continued_quotations(text: str, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join a quotation that goes on after its attribution to the attributed claim.

    ``“The call was frank,” Fairlie said. “Both leaders have homework.”`` is one
    claim: the second sentence has no attribution of its own, follows the first
    directly in the same paragraph and continues the speaker's words.
    """
    out: list[dict[str, Any]] = []
    for c in claims:
        prev = out[-1] if out else None
        if (
            prev is not None
            and c["continued"]
            and prev["quotes"]
            and prev["attrs"]["speaker"] == c["attrs"]["speaker"]
            and not text[prev["end"] : c["start"]].strip(_BETWEEN_JUNK)
            and "\n" not in text[prev["end"] : c["start"]]
        ):
            prev["end"] = c["end"]
            prev["quotes"] = sorted(set(prev["quotes"]) | set(c["quotes"]))
            cues = prev["attrs"]["cues"]
            for cue in c["attrs"]["cues"]:
                if cue not in cues:
                    cues.append(cue)
            continue
        out.append(c)
    return out
