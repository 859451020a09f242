"""Turn one parsed spaCy ``Doc`` into span suggestions (entities and claim candidates).

This module has no knowledge of projects or files: :func:`suggest_spans`
takes a ``Doc`` and returns plain dictionaries (``start``, ``end``,
``label``, ``attrs``, ``id``) that :mod:`toolkit.nlp.preannotate` writes
through the :class:`toolkit.Project` API.

Claim candidates are sentences that carry

* a **quotation** (found with :func:`toolkit.quotes.find_quotations`, so
  quotations spanning several sentences become one candidate per paragraph),
* a **reporting verb** (said, told, claimed, warned, ... by lemma), or
* a **number or statistic** (a numeric token outside dates and times, or a
  MONEY / PERCENT / QUANTITY / CARDINAL entity).

Each candidate gets ``attrs``: ``kind`` (quotation / prediction / opinion /
factual), ``speaker`` (text or ``None``), ``speaker_span`` (id of the entity
suggestion covering the speaker, or ``None``) and ``cues`` (why it was
suggested).  The claim span is the sentence(s) trimmed of surrounding
whitespace and punctuation; quote marks are kept only when inside the span.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..quotes import Quotation, find_quotations
from .snap import TokenIndex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "NUMERIC_ENTITY_LABELS",
    "REPORTING_VERBS",
    "SuggestionResult",
    "default_entity_map",
    "find_speaker",
    "suggest_spans",
]

#: Lemmas of verbs that attribute speech or a claim to someone.
REPORTING_VERBS = frozenset(
    [
        "say",
        "tell",
        "claim",
        "warn",
        "accuse",
        "add",
        "insist",
        "deny",
        "argue",
        "state",
        "announce",
        "explain",
        "report",
        "confirm",
        "note",
        "write",
        "allege",
        "admit",
        "acknowledge",
        "suggest",
        "predict",
        "promise",
        "declare",
        "reply",
        "respond",
        "urge",
        "describe",
        "maintain",
        "contend",
        "assert",
        "stress",
        "emphasise",
        "emphasize",
        "recall",
        "testify",
        "tweet",
        "post",
        "comment",
        "estimate",
        "forecast",
        "concede",
        "reveal",
        "complain",
        "vow",
        "pledge",
        "threaten",
        "criticise",
        "criticize",
        "dismiss",
        "reject",
        "caution",
        "observe",
        "remark",
        "mention",
        "disclose",
        "conclude",
        "dispute",
        "expect",
    ]
)
# Verbs that also have a non-reporting sense ("add 3 points", "post a loss"): they count
# as attribution only without a direct object.
_AMBIGUOUS_VERBS = frozenset({"add", "note", "report", "post", "write", "observe", "state", "expect", "estimate"})

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

# Nouns whose subject role stands for an organisation: "Venn Corp's spokesperson",
# "a spokesperson for Venn Corp" -> the speaker is Venn Corp.
_PROXY_NOUNS = frozenset(
    [
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "spokespeople",
        "representative",
        "lawyer",
        "attorney",
        "economist",
        "analyst",
        "researcher",
        "expert",
    ]
)
_SPEAKER_ENT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


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


# --------------------------------------------------------------------------- speakers


def _phrase_range(doc: Doc, head: Token) -> tuple[int, int]:
    """Token range (first, last) of the name or noun phrase headed by ``head`` (no determiner)."""
    first = head.i
    for child in reversed(list(head.lefts)):
        if child.right_edge.i != first - 1:
            break
        if child.dep_ in ("compound", "amod", "flat", "nmod", "nummod") or (
            child.dep_ == "poss" and child.pos_ != "PRON"
        ):
            first = child.left_edge.i
        else:
            break
    if head.ent_iob_ != "O" and head.ent_type_:
        # widen to the whole entity when the head sits inside one
        ent_start = head.i
        while ent_start > 0 and doc[ent_start].ent_iob_ == "I":
            ent_start -= 1
        first = min(first, ent_start)
    last = head.i
    if head.ent_type_:
        while last + 1 < len(doc) and doc[last + 1].ent_iob_ == "I":
            last += 1
    # hyphenated words split by the tokenizer: "secretary - general"
    while (
        first >= 2
        and doc[first - 1].text in ("-", "‐")
        and not doc[first - 1].whitespace_
        and not doc[first - 2].whitespace_
    ):
        first -= 2
    while first < last and doc[first].pos_ == "DET":
        first += 1
    while last > first and doc[last].tag_ == "POS":
        last -= 1
    return first, last


@dataclass(frozen=True)
class Speaker:
    """A speaker found in the parse: its text, token range and how it was found."""

    text: str
    first: int  # token index
    last: int  # token index (inclusive)
    cue: str
    head: int = -1  # token index of the phrase's head (-1: same as last)


def _noun_to_speaker(doc: Doc, tok: Token, how: str) -> Speaker | None:
    """Speaker for a subject/object token; None for pronouns."""
    if tok.pos_ == "PRON":
        return None
    # "Venn's spokesperson, Rasmus Tell, said" -> the named person
    if tok.pos_ != "PROPN":
        for child in tok.children:
            if child.dep_ == "appos" and child.pos_ == "PROPN":
                f, l_ = _phrase_range(doc, child)
                return Speaker(doc[f : l_ + 1].text, f, l_, f"{how}: {tok.text}, {doc[f : l_ + 1].text}", child.i)
    # "Venn Corp's spokesperson" / "a spokesperson for Venn Corp" -> Venn Corp
    if tok.lemma_.lower() in _PROXY_NOUNS or tok.lower_ in _PROXY_NOUNS:
        for child in tok.children:
            if child.dep_ == "poss" and child.pos_ in ("PROPN", "NOUN"):
                f, l_ = _phrase_range(doc, child)
                return Speaker(doc[f : l_ + 1].text, f, l_, f"{how}: {tok.text} of {doc[f : l_ + 1].text}", child.i)
            if child.dep_ == "prep" and child.lower_ in ("for", "of", "at", "from"):
                for pobj in child.children:
                    if pobj.dep_ == "pobj" and pobj.pos_ == "PROPN":
                        f, l_ = _phrase_range(doc, pobj)
                        text = doc[f : l_ + 1].text
                        return Speaker(text, f, l_, f"{how}: {tok.text} {child.text} {text}", pobj.i)
    f, l_ = _phrase_range(doc, tok)
    return Speaker(doc[f : l_ + 1].text, f, l_, how, tok.i)


def find_speaker(doc: Doc, first: int, last: int, outside: list[tuple[int, int]]) -> tuple[Speaker | None, list[str]]:
    """Find who makes the claim in tokens ``first..last`` (inclusive).

    ``outside``: character ranges of quotations; reporting verbs inside them
    are ignored (a quoted "he told me" does not name the speaker).  Tries, in
    order: "according to X", then the subject of a reporting verb ("X said",
    "said X", "X told reporters", "X's spokesperson said", a named apposition
    "the spokesperson, X, said").  Returns the
    speaker (``None`` if not found or a pronoun) and cues explaining the outcome.
    """
    cues: list[str] = []

    def in_quote(tok: Token) -> bool:
        return any(a <= tok.idx < b for a, b in outside)

    for tok in doc[first : last + 1]:
        if tok.lower_ == "according" and not in_quote(tok):
            for prep in tok.children:
                if prep.lower_ == "to":
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj":
                            if pobj.pos_ == "PRON":
                                cues.append(f"speaker is a pronoun: according to {pobj.text}")
                                return None, cues
                            sp = _noun_to_speaker(doc, pobj, "according to")
                            if sp is not None:
                                return sp, cues
    verbs = [t for t in doc[first : last + 1] if is_reporting_verb(t) and not in_quote(t)]
    # the verb closest to the root of its sentence is the attribution ("..., the report stated")
    verbs.sort(key=lambda t: (_depth(t), t.i))
    for verb in verbs:
        subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS and not in_quote(c)]
        # "The council's secretary-general, Agnès Fairlie, said": prefer the name
        subjects.sort(key=lambda c: (c.pos_ != "PROPN", c.i))
        for child in subjects:
            if child.pos_ == "PRON":
                cues.append(f"speaker is a pronoun: {child.text} {verb.text}")
                return None, cues
            sp = _noun_to_speaker(doc, child, f"subject of '{verb.text}'")
            if sp is not None:
                return sp, cues
    return None, cues


def is_reporting_verb(tok: Token) -> bool:
    """A verb that attributes a statement: "said", "told", "warned", ... (by lemma)."""
    if tok.pos_ != "VERB" or tok.lemma_ not in REPORTING_VERBS:
        return False
    if tok.lemma_ in _AMBIGUOUS_VERBS:
        return not any(c.dep_ == "dobj" for c in tok.children)
    return True


def _depth(tok: Token) -> int:
    d = 0
    while tok.head.i != tok.i and d < 50:
        tok = tok.head
        d += 1
    return d


# --------------------------------------------------------------------------- claim units


def _pieces(doc: Doc) -> list[tuple[int, int]]:
    """Sentence character ranges, split at line breaks (a claim never spans paragraphs)."""
    text = doc.text
    out: list[tuple[int, int]] = []
    for sent in doc.sents:
        s, e = sent.start_char, sent.end_char
        while s < e:
            nl = text.find("\n", s, e)
            stop = e if nl < 0 else nl
            if text[s:stop].strip():
                out.append((s, stop))
            if nl < 0:
                break
            s = nl + 1
    return out


def _units(doc: Doc, quotes: list[Quotation]) -> list[tuple[int, int, list[int]]]:
    """Claim units: pieces merged when one quotation runs through them.

    Returns ``(start_char, end_char, [indices of quotations overlapping])``.
    """
    pieces = _pieces(doc)
    if not pieces:
        return []
    join = [False] * len(pieces)  # join[i]: piece i continues piece i-1
    text = doc.text
    for q in quotes:
        # segments of the quotation per paragraph
        s = q.start
        while s < q.end:
            nl = text.find("\n", s, q.end)
            stop = q.end if nl < 0 else nl
            hit = [i for i, (a, b) in enumerate(pieces) if a < stop and b > s]
            for i in hit[1:]:
                join[i] = True
            if nl < 0:
                break
            s = nl + 1
    units: list[tuple[int, int, list[int]]] = []
    for i, (a, b) in enumerate(pieces):
        if join[i] and units:
            units[-1] = (units[-1][0], b, [])
        else:
            units.append((a, b, []))
    for qi, q in enumerate(quotes):
        for a, b, qs in units:
            if q.start < b and q.end > a:
                qs.append(qi)
    return units


def _guess_kind(tokens: Span, has_quote: bool, cues: list[str]) -> str:
    """quotation / prediction / opinion / factual, with the cues that decided it appended."""
    prediction: list[str] = []
    opinion: list[str] = []
    toks = list(tokens)
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
    # token index -> entity suggestion id, for speaker_span
    ent_of_token: dict[int, tuple[str, int, int]] = {}
    text = doc.text
    index = TokenIndex(doc)

    for ent in doc.ents:
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
        if ent.label_ in _SPEAKER_ENT_LABELS:
            for t in range(ent.start, ent.end):
                ent_of_token[t] = (sid, rng[0], rng[1])

    if not claim_label:
        return res
    if quotes is None:
        quotes = find_quotations(text)
    quote_ranges = [(q.start, q.end) for q in quotes]

    claims: list[dict[str, Any]] = []  # start, end, attrs, quotes, attributed
    for a, b, qidx in _units(doc, quotes):
        tok_range = index.token_range(a, b)
        if tok_range is None:
            continue
        span = doc[tok_range[0] : tok_range[1] + 1]
        cues: list[str] = []
        if qidx:
            cues.append("quotation")
        verbs = [t.text for t in span if is_reporting_verb(t)]
        if verbs:
            cues.append("reporting verb: " + ", ".join(dict.fromkeys(verbs)))
        nums = [
            t.text
            for t in span
            if t.ent_type_ in NUMERIC_ENTITY_LABELS
            or (t.like_num and t.pos_ == "NUM" and t.ent_type_ not in _NOT_NUMERIC_ENTS)
        ]
        if nums:
            cues.append("number: " + " ".join(dict.fromkeys(nums))[:60])
        if not cues:
            continue
        trimmed = index.trimmed(*tok_range)
        if trimmed is None:
            continue
        rng = (index.starts[trimmed[0]], index.ends[trimmed[1]])
        kind = _guess_kind(span, bool(qidx), cues)
        first, last = trimmed
        speaker, speaker_cues = find_speaker(doc, first, last, quote_ranges)
        cues.extend(speaker_cues)
        attrs: dict[str, Any] = {"kind": kind, "speaker": None, "speaker_span": None, "cues": cues}
        if speaker is not None:
            attrs["speaker"] = speaker.text
            cues.append(f"speaker: {speaker.cue}")
            # the entity suggestion covering the speaker's head word, if any
            hit = ent_of_token.get(speaker.head if speaker.head >= 0 else speaker.last)
            if hit is not None:
                attrs["speaker_span"] = hit[0]
                attrs["speaker"] = text[hit[1] : hit[2]]
        claims.append(
            {
                "start": rng[0],
                "end": rng[1],
                "attrs": attrs,
                "quotes": qidx,
                "attributed": speaker is not None or bool(speaker_cues),
            }
        )

    claims = _merge_continued_quotations(text, claims)

    # Parts of one quotation (several paragraphs) share its speaker.
    by_quote: dict[int, dict[str, Any]] = {}
    for c in claims:
        if c["attrs"]["speaker"] is not None:
            for qi in c["quotes"]:
                by_quote.setdefault(qi, c["attrs"])
    for c in claims:
        attrs = c["attrs"]
        if attrs["speaker"] is None and not c["attributed"]:
            for qi in c["quotes"]:
                src = by_quote.get(qi)
                if src is not None and src is not attrs:
                    attrs["speaker"], attrs["speaker_span"] = src["speaker"], src["speaker_span"]
                    attrs["cues"].append("speaker: from another paragraph of the same quotation")
                    break
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
                "attrs": attrs,
            }
        )
    return res


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
            and c["quotes"]
            and not c["attributed"]
            and prev["quotes"]
            and prev["attributed"]
            and not text[prev["end"] : c["start"]].strip(_BETWEEN_JUNK)
            and "\n" not in text[prev["end"] : c["start"]]
        ):
            prev["end"] = c["end"]
            prev["quotes"] = sorted(set(prev["quotes"]) | set(c["quotes"]))
            cues = prev["attrs"]["cues"]
            for cue in c["attrs"]["cues"]:
                if cue not in cues:
                    cues.append(cue)
            cues.append("continues the quotation of the previous sentence")
            continue
        out.append(c)
    return out
