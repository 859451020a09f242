"""Shared quotations: the same (or nearly the same) quotation in different sources.

Quotations are found with :func:`toolkit.quotes.find_quotations` and compared as sequences of
words after normalisation (curly and straight quote marks, apostrophes, case, punctuation;
"...", "…" and "[...]" elisions are dropped; contractions are written out, "didn't" -> "did
not", "it's" -> "it is"; dotted abbreviations are closed up, "V.B.N." -> "vbn").

**Matched words** ``m``: the two word sequences are aligned (longest common subsequence of
words, computed by ``rapidfuzz``); a word counts as matched only inside a run of two or more
consecutive matching words (single words count when the shorter quotation has three words or
fewer).  A quotation contained word for word in the other gives ``m`` = its length.

**Coverage** of each side: ``cover_a = m / words of a`` and ``cover_b = m / words of b``.

**Similarity** (0..1)::

    similarity = max(cover_a, cover_b) * min(1, m / 5)

The first factor is how much of the better-covered quotation the other one contains (a
quotation trimmed at either end, with words elided or one changed word scores high); the
second is a length floor: a match of five words or more counts fully, a shorter one is
weighted down (3 matched words: 0.6, 4: 0.8), so a 3-word fragment never scores like a full
sentence.

**A pair matches** when ``similarity >= threshold`` (default 0.75), or when it is a fragment of
at least three matched words with ``max(cover_a, cover_b) >= threshold`` and both quotations
have the same (non-empty, normalised) speaker.  Between quotations attributed to two different
named people (both speakers capitalised names whose last words differ; one letter apart is a
spelling variant when both have five letters or more: "Jane Doe" and "Doe" agree, so do "Ekholm"
and "Eckholm", but not "Doe" and "Roe") a match of fewer than ``2 * 5``
matched words is rejected: a stock phrase ("at the end of the day") in two people's quotations
is not a shared quotation.  The kind of match (column ``match``):

* ``"full"``: both sides covered (``min(cover_a, cover_b) >= threshold``): the same quotation,
  possibly with small changes;
* ``"partial"``: one side inside the other (a short quotation within a long one, or a cut);
* ``"scare"``: the same quoted word or two-word phrase (a "scare quote", *called the plan
  "theft"*) in two sources **from the same speaker** (normalised speaker equal and non-empty),
  containing a word that is not a function word.  Its similarity follows the same formula
  (0.2 for one word, 0.4 for two), so scare quotes sort after real quotations.

**Headline quotations**: a quotation in the headline (the first line of the text when it is the
document's ``title``, or a short first line not ending in a full stop when there is no title)
that repeats the words of a quotation of the body of the same document is that quotation's
headline version: ``in_headline`` is true and ``headline_of`` names the body quotation.  Headline
versions are matched like any quotation (an outlet may repeat only the headline's words), but a
shared group counts them as their body quotation, and profiles do not count them.

**Scale**: candidate pairs come from blocking, never from all pairs.  Identical normalised texts
are grouped first; every distinct text of three words or more is indexed by its word 3-grams;
3-grams found in more than ``max_df`` distinct texts are skipped (common phrases), and each text
keeps at most ``max_candidates`` candidates (those sharing the most 3-grams).  Candidates are
scored in C (``rapidfuzz``: longest common subsequence as an upper bound, then an alignment for
the survivors); ``difflib`` only produces the word diff of the pairs returned.  Scare quotes are
grouped by (speaker, words).  A text printed identically in more than ``max_candidates``
documents is linked as a star (each copy to one copy in another source) instead of all pairs.

Each quotation is attributed to a speaker: the ``speaker`` attribute of the claim span that
covers most of it (at least half) when the selected annotators recorded one, otherwise a
heuristic over the surrounding sentence ("..., said Jane Doe", "Doe told reporters: ...",
"according to Doe, ...", "Doe called the plan ..."; a quotation that continues an attributed one
in the same paragraph gets the same speaker), with a pronoun ("she said") resolved to the
closest PERSON entity mention before the quotation (within 400 characters), else to the previous
attributed speaker of the same document.  Names go through
:meth:`toolkit.compare.entities.EntityNormalizer.canonical`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Indel, LCSseq, Levenshtein

from toolkit.compare._layers import Layer, select_layer
from toolkit.compare.entities import EntityNormalizer, clean_surface
from toolkit.errors import ValidationError
from toolkit.model import connected_components

if TYPE_CHECKING:
    from toolkit.quotes import Quotation

ELLIPSIS = "\u2026"
#: Matches shorter than this many words are weighted down (see the module docstring).
LENGTH_FLOOR = 5
#: A fragment (fewer than LENGTH_FLOOR matched words) needs at least this many and the same speaker.
FRAGMENT_MIN_WORDS = 3
#: Quotations of at most this many words are scare quotes (when shorter than ``min_words``).
SCARE_MAX_WORDS = 2
#: A sentence this long, said by the same speaker in two outlets, makes their quotations a match.
SENTENCE_MIN_WORDS = 5
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[\"'\u201d\u2019]?\s+")
#: Words a scare quote may not consist of only (our own list of English function words).
FUNCTION_WORDS = frozenset("""
a an the and or but nor so yet if then than of in on at to for from by with about as into onto
over under up down out off is are was were be been being am do does did have has had will would
shall should can could may might must not no yes it its it's this that these those there here
he she they we you i me him her them us my your his our their who whom what which when where why
how all any some very just only also too more most less such own same other
""".split())

_QUOTE_CHARS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2039": '"', "\u203a": '"',
})
_ELISION_RE = re.compile(r"\[\s*(?:\.\s*){2,}\]|\(\s*(?:\.\s*){2,}\)|\.(?:\s?\.){2,}|\u2026")
_TOKEN_RE = re.compile(r"\u2026|\w+(?:'\w+)*")


def normalize_quote(text: str) -> str:
    """Quote marks and apostrophes made straight, elisions made "…", case folded."""
    s = text.translate(_QUOTE_CHARS)
    s = _ELISION_RE.sub(f" {ELLIPSIS} ", s)
    return s.casefold()


def quote_tokens(text: str, keep_elisions: bool = False) -> list[str]:
    """Words of a quotation after :func:`normalize_quote` (elisions as "…" if kept)."""
    toks = _TOKEN_RE.findall(normalize_quote(text))
    return toks if keep_elisions else [t for t in toks if t != ELLIPSIS]


_CONTRACTIONS = {"can't": ("can", "not"), "won't": ("will", "not"), "shan't": ("shall", "not")}
_SUFFIXES = (("n't", ("not",)), ("'ll", ("will",)), ("'re", ("are",)), ("'ve", ("have",)), ("'m", ("am",)),
             ("'d", ("would",)))
_IS = frozenset("it that there here he she what who where how".split())
_DOTTED_RE = re.compile(r"\b(?:[^\W\d_]\.){2,}")


def match_tokens(text: str) -> list[str]:
    """Words of a quotation as they are compared: :func:`quote_tokens` without elisions, with
    contractions written out ("didn't" -> "did not", "it's" -> "it is", "we'll" -> "we will")
    and dotted abbreviations closed up ("V.B.N." -> "vbn")."""
    text = _DOTTED_RE.sub(lambda m: m.group().replace(".", ""), text)
    out: list[str] = []
    for t in quote_tokens(text):
        if "'" not in t:
            out.append(t)
            continue
        if t in _CONTRACTIONS:
            out.extend(_CONTRACTIONS[t])
            continue
        for suffix, words in _SUFFIXES:
            if t.endswith(suffix) and len(t) > len(suffix):
                out.extend((t[: -len(suffix)], *words))
                break
        else:
            head = t[:-2]
            out.extend((head, "is") if t.endswith("'s") and head in _IS else (t,))
    return out


class _Vocab:
    """Maps each word to one character, so that a quotation becomes a string with one
    character per word and rapidfuzz's C string routines work on words."""

    # Code points available once the surrogate block is skipped.
    _SPAN = 0x110000 - 0x800 - 1

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def encode(self, tokens: Sequence[str]) -> str:
        out = []
        ids = self._ids
        for t in tokens:
            ch = ids.get(t)
            if ch is None:
                # A vocabulary beyond ~1.1 million words wraps around (two words then share a
                # character: a negligible loss of precision, never a crash).
                cp = len(ids) % self._SPAN + 1
                ch = ids[t] = chr(cp + 0x800 if cp >= 0xD800 else cp)
            out.append(ch)
        return "".join(out)


def _run_matched(sa: str, sb: str) -> int:
    """Matched words of two encoded quotations (runs of >= 2 words; see the module docstring)."""
    la, lb = len(sa), len(sb)
    if not la or not lb:
        return 0
    if (la <= lb and sa in sb) or (lb < la and sb in sa):
        return min(la, lb)
    min_run = 1 if min(la, lb) <= 3 else 2
    # An LCS alignment may split a run ("the" matched alone, "people of this town" after
    # it): grow each aligned block backwards and forwards over equal words not used by a
    # counted block, so runs are counted whole.
    blocks = [(b.a, b.b, b.size) for b in Indel.opcodes(sa, sb).as_matching_blocks() if b.size]
    total, end_a, end_b = 0, 0, 0
    for k, (i, j, size) in enumerate(blocks):
        while i > end_a and j > end_b and sa[i - 1] == sb[j - 1]:
            i, j, size = i - 1, j - 1, size + 1
        nxt_a, nxt_b = (blocks[k + 1][0], blocks[k + 1][1]) if k + 1 < len(blocks) else (la, lb)
        while i + size < nxt_a and j + size < nxt_b and sa[i + size] == sb[j + size]:
            size += 1
        if size >= min_run:
            total += size
            end_a, end_b = i + size, j + size
    return total


def _score(matched: int, la: int, lb: int) -> tuple[float, float, float, float]:
    """``(similarity, overlap, cover_a, cover_b)`` from matched words and the two lengths."""
    if not la or not lb or not matched:
        return 0.0, 0.0, 0.0, 0.0
    ca, cb = matched / la, matched / lb
    sim = max(ca, cb) * min(1.0, matched / LENGTH_FLOOR)
    return round(sim, 4), round(2 * matched / (la + lb), 4), round(ca, 4), round(cb, 4)


@dataclass(frozen=True)
class DiffOp:
    """One step of a word-level diff: ``op`` is equal, replace, delete (only in a) or insert."""

    op: str
    a: tuple[str, ...]
    b: tuple[str, ...]

    def __repr__(self) -> str:
        return f"DiffOp({self.op}, {' '.join(self.a)!r}, {' '.join(self.b)!r})"


@dataclass(frozen=True)
class QuoteComparison:
    """Result of :func:`compare_quotes`: similarity, Dice overlap, matched words, lengths, diff."""

    similarity: float
    overlap: float
    matched_words: int
    words_a: int
    words_b: int
    diff: tuple[DiffOp, ...] = field(repr=False)

    def __repr__(self) -> str:
        return (f"QuoteComparison(similarity={self.similarity:.3f}, cover_a={self.cover_a:.3f}, "
                f"cover_b={self.cover_b:.3f}, matched={self.matched_words})")

    @property
    def cover_a(self) -> float:
        """Share of the words of ``a`` that are matched."""
        return round(self.matched_words / self.words_a, 4) if self.words_a else 0.0

    @property
    def cover_b(self) -> float:
        """Share of the words of ``b`` that are matched."""
        return round(self.matched_words / self.words_b, 4) if self.words_b else 0.0

    @property
    def kind(self) -> str:
        """``"full"`` (both sides covered), ``"partial"`` (one inside the other) or ``""``."""
        return _kind(self.cover_a, self.cover_b, 0.75) if self.matches() else ""

    def matches(self, threshold: float = 0.75) -> bool:
        """Whether the two quotations count as the same quotation (speakers unknown)."""
        return self.similarity >= threshold and min(self.words_a, self.words_b) > 0

    @property
    def diff_text(self) -> str:
        """The diff as text: ``[-removed-]`` words of a, ``{+added+}`` words of b."""
        return diff_to_text(self.diff)

    @property
    def diff_html(self) -> str:
        """The diff as HTML with ``<del>`` and ``<ins>``."""
        return diff_to_html(self.diff)


def _kind(cover_a: float, cover_b: float, threshold: float) -> str:
    return "full" if min(cover_a, cover_b) >= threshold else "partial"


def word_diff(a: str, b: str) -> tuple[DiffOp, ...]:
    """Word-level diff of two quotations (normalised words; elisions shown as "…")."""
    return _diff_tokens(quote_tokens(a, keep_elisions=True), quote_tokens(b, keep_elisions=True))


def _diff_tokens(ta: list[str], tb: list[str], ea: str | None = None, eb: str | None = None) -> tuple[DiffOp, ...]:
    """Diff of two token lists (``ea``/``eb``: the same encoded by one :class:`_Vocab`): equal
    lists and a list contained in the other directly, others with difflib."""
    if ta == tb:
        return (DiffOp("equal", tuple(ta), tuple(tb)),) if ta else ()
    if ea is None or eb is None:
        vocab = _Vocab()
        ea, eb = vocab.encode(ta), vocab.encode(tb)
    for short, long, flip, es, el in ((ta, tb, False, ea, eb), (tb, ta, True, eb, ea)):
        at = el.find(es) if short and len(es) <= len(el) else -1
        if at >= 0:
            ops = []
            for op_slice in (slice(0, at), slice(at + len(short), len(long))):
                part = tuple(long[op_slice])
                if part:
                    ops.append((op_slice.start, DiffOp("delete", part, ()) if flip else DiffOp("insert", (), part)))
            ops.append((at, DiffOp("equal", tuple(short), tuple(short))))
            return tuple(d for _, d in sorted(ops, key=lambda x: (x[0], x[1].op != "equal")))
    sm = SequenceMatcher(None, ta, tb, autojunk=False)
    return tuple(DiffOp(op, tuple(ta[i1:i2]), tuple(tb[j1:j2]))
                 for op, i1, i2, j1, j2 in sm.get_opcodes())


def diff_to_text(diff: Iterable[DiffOp]) -> str:
    """``we will rebuild the [-harbour-] {+port+} by spring``."""
    parts: list[str] = []
    for d in diff:
        if d.op == "equal":
            parts.append(" ".join(d.a))
        else:
            if d.a:
                parts.append("[-" + " ".join(d.a) + "-]")
            if d.b:
                parts.append("{+" + " ".join(d.b) + "+}")
    return " ".join(parts)


def diff_to_html(diff: Iterable[DiffOp]) -> str:
    """The diff as HTML: removed words in ``<del>``, added words in ``<ins>``."""
    parts: list[str] = []
    for d in diff:
        if d.op == "equal":
            parts.append(escape(" ".join(d.a)))
        else:
            if d.a:
                parts.append("<del>" + escape(" ".join(d.a)) + "</del>")
            if d.b:
                parts.append("<ins>" + escape(" ".join(d.b)) + "</ins>")
    return " ".join(parts)


def compare_quotes(a: str, b: str) -> QuoteComparison:
    """Compare two quotations: similarity, overlap (Dice over matched words), coverages, diff.

    >>> compare_quotes("“We will rebuild the harbour by spring”",
    ...                '"We will rebuild the port by spring"').diff_text
    'we will rebuild the [-harbour-] {+port+} by spring'
    """
    ta, tb = match_tokens(a), match_tokens(b)
    vocab = _Vocab()
    matched = _run_matched(vocab.encode(ta), vocab.encode(tb))
    sim, overlap, _, _ = _score(matched, len(ta), len(tb))
    return QuoteComparison(sim, overlap, matched, len(ta), len(tb), word_diff(a, b))


def quote_similarity(a: str, b: str) -> float:
    """Similarity of two quotations in 0..1 (see the module docstring)."""
    return compare_quotes(a, b).similarity


def quotes_match(a: str, b: str, threshold: float = 0.75) -> bool:
    """Whether ``a`` and ``b`` are the same quotation up to trimming, elision and small changes."""
    return compare_quotes(a, b).matches(threshold)


# ---------------------------------------------------------------------------------------------
# Attribution
# ---------------------------------------------------------------------------------------------

_SAY = (r"(?:said|says|say|added|adds|told|tells|explained|explains|insisted|insists|warned|"
        r"warns|argued|argues|stated|states|claimed|claims|asked|asks|replied|replies|noted|"
        r"notes|wrote|writes|recalled|continued|declared|admitted|conceded|confirmed|"
        r"announced|acknowledged|promised|vowed|cautioned|countered|remarked)")
# Verbs that introduce a scare quote or a quoted label: 'Doe called the plan "theft"'.
_NAMING = r"(?:called|calls|described|describes|dubbed|dubs|termed|terms|labelled|labeled|branded|brands)"
_TITLE = r"(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sir|Dame|Rev|Sen|Gov|Rep|Capt|Col|Gen|Lt|Sgt)\.?"
_CAP = r"[A-Z][\w\u2019'\-]*"
_NAME = (rf"(?:{_TITLE}\s+)?{_CAP}(?:\s+(?:{_CAP}|de|van|von|da|al|bin|del|la|le))*"
         rf"|(?:the|a|an)\s+[a-z][\w\-]*(?:\s+[a-z][\w\-]*){{0,2}}")
_PRONOUN = r"(?:he|she|they|He|She|They)"
_WHO = rf"(?P<who>{_PRONOUN}|{_NAME})"
_AFTER_RES = [
    re.compile(rf"^[\s,\u2014\u2013-]*{_SAY}\s+{_WHO}"),
    re.compile(rf"^[\s,\u2014\u2013-]*{_WHO}\s+(?:has\s+|had\s+)?{_SAY}\b"),
    re.compile(rf"^[\s,\u2014\u2013-]*according to\s+{_WHO}"),
    # '"...," the bank's vice-president, Jonas Whitlow, told ...' (description, NAME, verb)
    re.compile(rf"^[\s,\u2014\u2013-]*[^.!?\"\u201c\u201d\n]{{0,80}}?,\s+(?P<who>{_NAME}),\s+"
               rf"(?:has\s+|had\s+)?{_SAY}\b"),
]
_BEFORE_RES = [
    re.compile(rf"{_WHO}\s+(?:has\s+|had\s+)?{_SAY}\b[^.!?\"\u201c\u201d]{{0,60}}?[\s:,]*$"),
    re.compile(rf"[Aa]ccording to\s+{_WHO}\s*,?\s*$"),
    re.compile(rf"{_WHO}\s+(?:has\s+|had\s+)?{_NAMING}\b[^.!?\"\u201c\u201d]{{0,60}}?[\s:,]*$"),
]
_SAY_WORDS = set(re.findall(r"[a-z]+", _SAY)) | set(re.findall(r"[a-z]+", _NAMING))


def _trim_who(who: str) -> str:
    # A capitalised run may swallow a sentence-initial word or a verb ("Doe Said"); drop
    # reporting verbs that slipped in.
    words = [w for w in who.split() if w.lower() not in _SAY_WORDS]
    return " ".join(words)


def heuristic_speaker(text: str, start: int, end: int) -> str:
    """Guess who is quoted in ``text[start:end]`` from the words around it.

    Returns the name or description as written (``"Ms Doe"``, ``"the harbour master"``,
    ``"she"``), or "" when no pattern applies.
    """
    line_end = text.find("\n", end)
    after = text[end: line_end if line_end >= 0 else len(text)][:160]
    for rx in _AFTER_RES:
        m = rx.match(after)
        if m:
            return _trim_who(m.group("who"))
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 200): start]
    # Only look back to the end of the previous sentence.
    cut = max(before.rfind(". "), before.rfind("! "), before.rfind("? "))
    if cut >= 0 and not re.search(rf"{_TITLE}$", before[: cut + 1]):
        before = before[cut + 2:]
    for rx in _BEFORE_RES:
        m = rx.search(before)
        if m:
            return _trim_who(m.group("who"))
    return ""


def _nearest_person(persons: list[tuple[int, str]], before: int, norm: EntityNormalizer,
                    doc_id: str, window: int = 400) -> str:
    """Canonical name of the PERSON mention closest before offset ``before`` (within
    ``window`` characters), for resolving "she said"; "" when there is none."""
    best = [(st, txt) for st, txt in persons if before - window <= st < before]
    if not best:
        return ""
    return norm.canonical(max(best)[1], doc_id=doc_id, label="PERSON")


QUOTE_COLUMNS = ["quote_id", "doc_id", "source", "start", "end", "inner_start", "inner_end",
                 "text", "style", "closed", "n_words", "speaker", "speaker_as_written",
                 "speaker_method", "scare", "in_headline", "headline_of"]

#: Share of a headline quotation's words a body quotation must contain to be its source.
HEADLINE_COVER = 0.6


def _find_quotations(text: str) -> list:
    from toolkit.quotes import find_quotations

    return find_quotations(text)


def headline_end(text: str, title: object = None) -> int:
    """End offset of the headline at the start of ``text`` (0 when there is none).

    The headline is the first line when its words are those of ``title``; without a title, a
    first line of at most 160 characters that is followed by more text and does not end with a
    full stop.
    """
    nl = text.find("\n")
    first = text[: nl if nl >= 0 else len(text)]
    if not first.strip():
        return 0
    if isinstance(title, str) and title.strip():
        return len(first) if quote_tokens(first) == quote_tokens(title) else 0
    if nl < 0:
        return 0
    return len(first) if len(first) <= 160 and not first.rstrip().endswith(".") else 0


def _outermost(found: list) -> list:
    """Quotations not inside another one (one sweep over quotations sorted by start)."""
    kept, max_end = [], -1
    for q in sorted(found, key=lambda q: (q.start, -q.end)):
        if q.end > max_end:
            kept.append(q)
            max_end = q.end
    return kept


def _link_headlines(rows: list[dict], head_end: int, vocab: _Vocab) -> None:
    """Set ``in_headline``/``headline_of`` on the quotation rows of one document."""
    body = [(r["quote_id"], vocab.encode(quote_tokens(r["text"]))) for r in rows if r["start"] >= head_end]
    for r in rows:
        if r["start"] >= head_end:
            continue
        r["in_headline"] = True
        h = vocab.encode(quote_tokens(r["text"]))
        best, best_cover = "", 0.0
        for qid, enc in body:
            # a one- or two-word headline quotation must appear as it is
            short = len(h) <= SCARE_MAX_WORDS
            cover = float(bool(h) and h in enc) if short else _run_matched(h, enc) / len(h)
            if cover > best_cover:
                best, best_cover = qid, cover
        if best_cover >= HEADLINE_COVER:
            r["headline_of"] = best
            body_row = next(b for b in rows if b["quote_id"] == best)
            if not r["speaker"] and body_row["speaker"]:
                # 'Doe: "..."' headlines rarely name the speaker in a way the heuristic reads
                r["speaker"], r["speaker_method"] = body_row["speaker"], "headline"


def document_quotations(
    documents: pd.DataFrame,
    spans: pd.DataFrame | None = None,
    layer: Layer = None,
    min_words: int = 3,
    merges: Mapping[str, str] | None = None,
    nested: bool = False,
    scare_quotes: bool = False,
) -> pd.DataFrame:
    """Every quotation of every document, with its speaker.

    Args:
        documents: the ``documents`` frame of ``Project.load()`` (``title`` is optional).
        spans: the ``spans`` frame; the claim span of ``layer`` covering most of a quotation
            gives its speaker, entity spans help resolve names ("Doe" -> "Jane Doe").
        layer: whose annotations (see :mod:`toolkit.compare._layers`).
        min_words: quotations shorter than this are not full quotations: they are left out,
            or with ``scare_quotes`` those of one or two words are kept as scare quotes.
        merges: entity merges (:func:`toolkit.compare.entities.load_merges`).
        nested: keep quotations inside another quotation (default: left out).
        scare_quotes: keep one- and two-word quotations with ``scare`` true, so that
            :func:`match_quotations` can match them (same words, same speaker).  Off by
            default: analyses that count quotations (voices, profiles) then see only full ones.

    Returns columns ``quote_id`` (``<doc_id>:q<n>``), ``doc_id, source, start, end, inner_start,
    inner_end, text`` (inner text), ``style, closed, n_words, speaker`` (normalised name),
    ``speaker_as_written``, ``speaker_method``: "claim" (a covering claim span's ``speaker``),
    "heuristic" (the words around the quotation), "previous" (continues the previous
    attributed quotation of the same paragraph), "headline" (a headline version without its own
    attribution takes its body quotation's speaker) or "" (unattributed); ``scare`` (fewer than
    ``min_words`` words), ``in_headline`` (the quotation is in the headline) and
    ``headline_of`` (the body quotation a headline quotation repeats, else "").
    """
    if min_words < 1:
        raise ValidationError(f"min_words must be at least 1, got {min_words}")
    norm, claims_by_doc, persons_by_doc = _speaker_evidence(spans, layer, merges)
    titles = documents["title"] if "title" in documents.columns else pd.Series(None, index=documents.index)
    docs = documents.assign(_title=titles).sort_values("doc_id")
    vocab = _Vocab()
    rows: list[dict] = []
    for doc_id, source, text, title in zip(docs["doc_id"], docs["source"], docs["text"], docs["_title"],
                                           strict=True):
        found = _find_quotations(text)
        if not nested:
            found = _outermost(found)
        head = headline_end(text, title)
        doc_rows = _quotation_rows(
            doc_id, source, text, found, claims_by_doc.get(doc_id, []), persons_by_doc.get(doc_id, []), norm,
            min_words, scare_quotes,
        )  # fmt: skip
        if head and doc_rows and doc_rows[0]["start"] < head:
            _link_headlines(doc_rows, head, vocab)
        rows.extend(doc_rows)
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)


def _speaker_evidence(
    spans: pd.DataFrame | None, layer: Layer, merges: Mapping[str, str] | None
) -> tuple[EntityNormalizer, dict[str, list[tuple[int, int, str]]], dict[str, list[tuple[int, str]]]]:
    """What the annotations of ``layer`` tell about speakers: ``(name normaliser fitted on the entity
    spans, {doc: [(start, end, speaker)] of claims with a speaker}, {doc: [(start, text)] of PERSONs})``."""
    sel = select_layer(spans, layer) if spans is not None and not spans.empty else None
    claims_by_doc: dict[str, list[tuple[int, int, str]]] = {}
    norm = EntityNormalizer(merges)
    persons_by_doc: dict[str, list[tuple[int, str]]] = {}
    if sel is not None:
        ents = sel[sel["layer"] == "entity"] if "layer" in sel.columns else sel.iloc[0:0]
        norm.fit(zip(ents["doc_id"], ents["label"], ents["text"], strict=False))
        pers = ents[ents["label"] == "PERSON"]
        for d, st, txt in zip(pers["doc_id"], pers["start"], pers["text"], strict=False):
            persons_by_doc.setdefault(d, []).append((int(st), str(txt)))
        cl = sel[sel["layer"] == "claim"] if "layer" in sel.columns else sel.iloc[0:0]
        for d, s, e, sp in zip(cl["doc_id"], cl["start"], cl["end"], cl.get("speaker", []), strict=False):
            if isinstance(sp, str) and sp.strip():
                claims_by_doc.setdefault(d, []).append((int(s), int(e), sp.strip()))
    return norm, claims_by_doc, persons_by_doc


def _quotation_rows(
    doc_id: str,
    source: str,
    text: str,
    found: Sequence[Quotation],
    claims: Sequence[tuple[int, int, str]],
    persons: list[tuple[int, str]],
    norm: EntityNormalizer,
    min_words: int,
    scare_quotes: bool,
) -> list[dict]:
    """The rows of one document's quotations (see :func:`document_quotations`), in text order."""
    doc_rows: list[dict] = []
    last_speaker = ""
    prev: tuple[int, str, str] | None = None  # (end, speaker as written, speaker) of the last attributed one
    n = 0
    for q in sorted(found, key=lambda q: q.start):
        inner = text[q.inner_start: q.inner_end]
        words = len(quote_tokens(inner))
        scare = words < min_words
        if words == 0 or (scare and (not scare_quotes or words > SCARE_MAX_WORDS)):
            continue
        n += 1
        method, as_written = _attribution(text, q, claims, prev)
        if as_written.lower() in {"he", "she", "they"}:
            speaker = _nearest_person(persons, q.start, norm, doc_id) or last_speaker
        elif as_written and as_written[0].isupper():
            speaker = norm.canonical(as_written, doc_id=doc_id, label="PERSON")
        else:
            speaker = clean_surface(as_written)
        if method == "previous" and prev is not None:
            speaker = prev[2]
        if speaker:
            last_speaker = speaker
        # A scare quote does not carry its speaker over to the next quotation.
        prev = (q.end, as_written, speaker) if as_written and not scare else None
        doc_rows.append({
            "quote_id": f"{doc_id}:q{n}", "doc_id": doc_id, "source": source,
            "start": q.start, "end": q.end, "inner_start": q.inner_start,
            "inner_end": q.inner_end, "text": inner, "style": q.style, "closed": q.closed,
            "n_words": words, "speaker": speaker, "speaker_as_written": as_written,
            "speaker_method": method, "scare": scare, "in_headline": False, "headline_of": "",
        })  # fmt: skip
    return doc_rows


def _attribution(
    text: str, q: Quotation, claims: Sequence[tuple[int, int, str]], prev: tuple[int, str, str] | None
) -> tuple[str, str]:
    """``(method, speaker as written)`` of quotation ``q``: a claim covering half of it or more, else the
    words around it, else the previous attributed quotation of its paragraph; ``("", "")`` if none."""
    method, as_written = "", ""
    length = max(1, q.inner_end - q.inner_start)
    best = 0
    for s, e, sp in claims:
        cover = min(e, q.inner_end) - max(s, q.inner_start)
        if cover >= 0.5 * length and cover > best:
            method, as_written, best = "claim", sp, cover
    if not method:
        as_written = heuristic_speaker(text, q.start, q.end)
        method = "heuristic" if as_written else ""
    if not method and prev is not None and "\n" not in text[prev[0]: q.start]:
        # A quotation continuing an attributed one in the same paragraph
        # ('"...," Doe said. "..."') has the same speaker.
        method, as_written = "previous", prev[1]
    return method, as_written


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------

MATCH_COLUMNS = ["similarity", "overlap", "cover_a", "cover_b", "match", "source_a", "source_b",
                 "doc_a", "doc_b", "text_a", "text_b", "speaker_a", "speaker_b", "diff", "diff_html",
                 "quote_a", "quote_b"]


def _block_candidates(texts: list[str], max_df: int, max_candidates: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs ``(a, b)`` (a < b) of distinct encoded texts sharing a rare word 3-gram.

    Each text is indexed by its 3-grams (a text of one or two words by itself); 3-grams in more
    than ``max_df`` texts are skipped; each text keeps the ``max_candidates`` candidates it
    shares most 3-grams with (a pair stays if it is among the best of either side).  Everything
    is vectorised: the work grows with the number of (3-gram, text) entries and the pairs they
    produce, which ``max_df`` bounds per entry.
    """
    empty = np.zeros(0, dtype=np.int64)
    n = len(texts)
    if n < 2:
        return empty, empty
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    ends = np.cumsum(lengths)
    pos = np.arange(len(codes), dtype=np.int64)
    tri = pos + 2 < ends[owner]
    p = pos[tri]
    keys = [(codes[p] << 42) | (codes[p + 1] << 21) | codes[p + 2]]
    owners = [owner[tri]]
    short = np.flatnonzero(lengths < 3)
    if len(short):
        # one- and two-word texts: the whole text is the key (negative, apart from 3-grams)
        st = ends[short] - lengths[short]
        second = np.where(lengths[short] == 2, codes[np.minimum(st + 1, len(codes) - 1)], 0)
        keys.append(-((codes[st] << 21) | second) - 1)
        owners.append(short)
    key = np.concatenate(keys)
    own = np.concatenate(owners)
    order = np.lexsort((own, key))
    key, own = key[order], own[order]
    first = np.r_[True, (key[1:] != key[:-1]) | (own[1:] != own[:-1])]
    key, own = key[first], own[first]
    # group the (3-gram, text) entries by 3-gram; keep groups of 2..max_df texts
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    sizes = np.diff(np.r_[starts, len(key)])
    good = (sizes >= 2) & (sizes <= max_df)
    starts, sizes = starts[good], sizes[good]
    if not len(starts):
        return empty, empty
    idx = _ranges(starts, sizes)
    rel = idx - np.repeat(starts, sizes)
    after = np.repeat(sizes, sizes) - rel - 1
    left = np.repeat(idx, after)
    run_start = np.repeat(np.cumsum(after) - after, after)
    right = left + 1 + (np.arange(len(left), dtype=np.int64) - run_start)
    pair = own[left] * n + own[right]  # own is sorted within a group, so a < b
    pair, shared = np.unique(pair, return_counts=True)
    a, b = pair // n, pair % n
    keep = (_rank_within(a, shared) < max_candidates) | (_rank_within(b, shared) < max_candidates)
    return a[keep], b[keep]


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenation of ``range(s, s + z)`` for every (s, z), vectorised."""
    total = int(sizes.sum())
    offsets = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(starts, sizes) + (np.arange(total, dtype=np.int64) - offsets)


def _rank_within(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """0-based rank of each element within its group, highest ``score`` first."""
    order = np.lexsort((-score, group))
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, len(g)])
    rank = np.empty(len(g), dtype=np.int64)
    rank[order] = np.arange(len(g), dtype=np.int64) - np.repeat(starts, sizes)
    return rank


class _Pairs:
    """Collects matched quotation pairs (row indices), linking large groups as stars."""

    def __init__(self, doc: np.ndarray, src: np.ndarray, cross_source: bool, limit: int) -> None:
        self.doc, self.src, self.cross, self.limit = doc, src, cross_source, limit
        self.a: list[int] = []
        self.b: list[int] = []
        self.m: list[int] = []

    def valid(self, i: int, j: int) -> bool:
        return self.doc[i] != self.doc[j] and not (self.cross and self.src[i] == self.src[j])

    def _add(self, i: int, j: int, m: int) -> None:
        self.a.append(min(i, j))
        self.b.append(max(i, j))
        self.m.append(m)

    def within(self, members: list[int], m: int) -> None:
        """Link quotations with the same text (all pairs, or a star when there are many)."""
        if len(members) <= self.limit:
            for x, i in enumerate(members):
                for j in members[x + 1:]:
                    if self.valid(i, j):
                        self._add(i, j, m)
            return
        anchor = members[0]
        alt = next((j for j in members[1:] if self.valid(anchor, j)), None)
        for j in members[1:]:
            if self.valid(anchor, j):
                self._add(anchor, j, m)
            elif alt is not None and alt != j and self.valid(alt, j):
                self._add(alt, j, m)

    def between(self, left: list[int], right: list[int], m: int) -> None:
        """Link the quotations of two matching texts (all pairs, or each to one partner)."""
        if len(left) * len(right) <= self.limit:
            for i in left:
                for j in right:
                    if self.valid(i, j):
                        self._add(i, j, m)
            return
        for side, other in ((left, right), (right, left)):
            for i in side:
                partner = next((j for j in other if self.valid(i, j)), None)
                if partner is not None:
                    self._add(i, partner, m)


def match_quotations(quotes: pd.DataFrame, threshold: float = 0.75, cross_source: bool = True,
                     max_candidates: int = 50, max_df: int = 200, diff: bool = True) -> pd.DataFrame:
    """Pairs of matching quotations (from :func:`document_quotations`).

    Only pairs from different documents (and, by default, different sources) are compared.  Candidates come from blocking on
    rare word 3-grams (``max_df``, ``max_candidates``; see the module docstring); scare quotes
    (``scare``, and any quotation of one or two words) are paired only with the same words from
    the same speaker.

    Returns columns ``similarity, overlap`` (Dice over matched words), ``cover_a, cover_b``
    (share of each side matched), ``match`` ("full", "partial" or "scare"), ``source_a,
    source_b, doc_a, doc_b, text_a, text_b, speaker_a, speaker_b, diff`` (text diff),
    ``diff_html, quote_a, quote_b`` sorted by similarity (highest first).  ``diff=False`` leaves
    the two diff columns empty (faster on very large corpora).
    """
    if not 0 < threshold <= 1:
        raise ValidationError(f"threshold must be in (0, 1], got {threshold}")
    if max_candidates < 1 or max_df < 2:
        raise ValidationError(f"max_candidates must be >= 1 and max_df >= 2, got {max_candidates}, {max_df}")
    if quotes.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    t = _MatchInput.of(quotes)
    pairs = _Pairs(t.doc, t.src, cross_source, max_candidates)
    _pair_same_words(t, pairs, threshold, max_df, max_candidates)
    n_blocked = len(pairs.a)
    _pair_shared_sentences(t, pairs, max_df)
    n_full = len(pairs.a)
    _pair_scare_quotes(t, pairs, max_candidates)
    rows = _match_rows(t, pairs, n_blocked, n_full, threshold, diff)
    out = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    return out.sort_values(["similarity", "quote_a", "quote_b"],
                           ascending=[False, True, True]).reset_index(drop=True)


@dataclass
class _MatchInput:
    """The quotations frame as the matching steps read it (row-aligned lists and arrays)."""

    quote_id: list[str]
    doc: np.ndarray
    src: np.ndarray
    texts: list[str]
    speakers: list[str]  # as in the frame
    spk: list[str]  # casefolded, stripped: the key speakers are compared by
    surname: list[str]  # surname of a named speaker ("" for descriptions such as "the harbour master")
    toks_e: list[list[str]]  # words with elisions (for the diff)
    toks: list[list[str]]  # words compared
    scare: np.ndarray  # matched as scare quotes
    enc: list[str]  # toks, one character per word
    vocab: _Vocab

    @classmethod
    def of(cls, quotes: pd.DataFrame) -> _MatchInput:
        n = len(quotes)
        texts = quotes["text"].astype(str).tolist()
        speakers = (quotes["speaker"].fillna("").astype(str) if "speaker" in quotes.columns
                    else pd.Series("", index=quotes.index))  # fmt: skip
        flagged = quotes["scare"].fillna(False).astype(bool).to_numpy() if "scare" in quotes.columns \
            else np.zeros(n, dtype=bool)  # fmt: skip
        vocab = _Vocab()
        toks_e = [quote_tokens(t, keep_elisions=True) for t in texts]
        toks = [match_tokens(t) for t in texts]
        # one- and two-word quotations are matched as scare quotes, whatever min_words kept them
        scare = flagged | np.fromiter((0 < len(t) <= SCARE_MAX_WORDS for t in toks), dtype=bool, count=n)
        return cls(
            quote_id=quotes["quote_id"].astype(str).tolist() if "quote_id" in quotes.columns
            else [str(i) for i in range(n)],
            doc=quotes["doc_id"].astype(str).to_numpy(),
            src=quotes["source"].astype(str).to_numpy(),
            texts=texts,
            speakers=speakers.tolist(),
            spk=speakers.str.casefold().str.strip().tolist(),
            surname=[sp.split()[-1].casefold() if sp[:1].isupper() else "" for sp in speakers.str.strip()],
            toks_e=toks_e,
            toks=toks,
            scare=scare,
            enc=[vocab.encode(t) for t in toks],
            vocab=vocab,
        )  # fmt: skip


def _pair_same_words(t: _MatchInput, pairs: _Pairs, threshold: float, max_df: int, max_candidates: int) -> None:
    """Full quotations: identical texts, then blocked candidates between distinct texts."""
    uniq: dict[str, int] = {}
    members: list[list[int]] = []
    for i, code in enumerate(t.enc):
        if t.scare[i] or not code:
            continue
        u = uniq.setdefault(code, len(uniq))
        if u == len(members):
            members.append([])
        members[u].append(i)
    ustr = list(uniq)
    for u, mem in enumerate(members):
        if len(mem) > 1:
            pairs.within(mem, len(ustr[u]))
    ca, cb = _block_candidates(ustr, max_df, max_candidates)
    if len(ca):
        sa, sb = [ustr[x] for x in ca], [ustr[x] for x in cb]
        lcs = process.cpdist(sa, sb, scorer=LCSseq.similarity, workers=1)
        la = np.fromiter(map(len, sa), dtype=np.int64, count=len(sa))
        lb = np.fromiter(map(len, sb), dtype=np.int64, count=len(sb))
        # the LCS bounds the matched words from above: drop pairs that cannot reach a match
        hopeful = np.flatnonzero((lcs >= FRAGMENT_MIN_WORDS) & (lcs >= threshold * np.minimum(la, lb)))
        for k in hopeful:
            m = _run_matched(sa[k], sb[k])
            if m >= FRAGMENT_MIN_WORDS and m >= threshold * min(la[k], lb[k]):
                pairs.between(members[ca[k]], members[cb[k]], m)


def _pair_shared_sentences(t: _MatchInput, pairs: _Pairs, max_df: int) -> None:
    """A whole sentence one speaker said, in two outlets: the same statement even when the rest of
    the two quotations differs or comes in another order ("B. A." against "A. B.")."""
    by_sentence: dict[tuple[str, str], list[int]] = {}
    for i, text in enumerate(t.texts):
        if t.scare[i] or not t.spk[i]:
            continue
        for sentence in _SENTENCE_SPLIT.split(text):
            words = match_tokens(sentence)
            if len(words) >= SENTENCE_MIN_WORDS:
                by_sentence.setdefault((t.spk[i], t.vocab.encode(words)), []).append(i)
    shared_words: Counter[tuple[int, int]] = Counter()  # words of the sentences two quotations share
    for (_, code), mem in by_sentence.items():
        mem = sorted(set(mem))
        if 1 < len(mem) <= max_df:
            for x, i in enumerate(mem):
                for j in mem[x + 1:]:
                    if pairs.valid(i, j):
                        shared_words[(i, j)] += len(code)
    for (i, j), m in shared_words.items():
        pairs._add(i, j, m)


def _pair_scare_quotes(t: _MatchInput, pairs: _Pairs, max_candidates: int) -> None:
    """Scare quotes: the same words from the same speaker, alone or inside a longer quotation of theirs."""
    spk, enc = t.spk, t.enc
    scare_groups: dict[tuple[str, str], list[int]] = {}
    for i in np.flatnonzero(t.scare):
        if not spk[i] or not any(w not in FUNCTION_WORDS and not w.isdigit() for w in t.toks[i]):
            continue
        scare_groups.setdefault((spk[i], enc[i]), []).append(int(i))
    # (speaker, first word of a scare quote) -> that speaker's longer quotations holding the word
    by_word: dict[tuple[str, str], list[int]] = {(speaker, code[0]): [] for speaker, code in scare_groups}
    for i in range(len(enc)):
        if not t.scare[i] and spk[i]:
            for ch in set(enc[i]):
                if (spk[i], ch) in by_word:
                    by_word[(spk[i], ch)].append(i)
    for (speaker, code), mem in scare_groups.items():
        holders = [j for j in by_word.get((speaker, code[0]), [])[:max_candidates] if code in enc[j]]
        if len(mem) + len(holders) > 1:
            pairs.within(sorted({*mem, *holders}), len(code))


def _match_rows(
    t: _MatchInput, pairs: _Pairs, n_blocked: int, n_full: int, threshold: float, diff: bool
) -> list[tuple]:
    """The rows of :func:`match_quotations`: each pair once (its strongest reading), kept if it matches.

    Pairs before ``n_blocked`` came from shared words and must pass ``threshold`` (and not name two
    different people); those before ``n_full`` from a shared sentence; the rest are scare quotes.
    """
    src, spk, enc, texts = t.src, t.spk, t.enc, t.texts
    rows = []
    diffs: dict[tuple[str, str], tuple[str, str]] = {}
    shown: dict[int, str] = {}
    # a pair found several ways (blocked words, shared sentences, a scare quote) keeps its strongest reading
    best: dict[tuple[int, int], int] = {}
    for k, (i, j, m) in enumerate(zip(pairs.a, pairs.b, pairs.m, strict=True)):
        if (i, j) not in best or m > pairs.m[best[(i, j)]]:
            best[(i, j)] = k
    for k, (i, j, m) in enumerate(zip(pairs.a, pairs.b, pairs.m, strict=True)):
        if best[(i, j)] != k:
            continue
        if src[j] < src[i]:
            i, j = j, i
        sim, overlap, cov_a, cov_b = _score(m, len(enc[i]), len(enc[j]))
        if k >= n_full:
            kind = "scare"
        elif k >= n_blocked:
            kind = _kind(cov_a, cov_b, threshold)  # a shared sentence, same speaker: at least partial
        else:
            same = bool(spk[i]) and spk[i] == spk[j]
            if not (sim >= threshold or (same and max(cov_a, cov_b) >= threshold)):
                continue
            kind = _kind(cov_a, cov_b, threshold)
            a_n, b_n = t.surname[i], t.surname[j]
            # one letter apart is a spelling variant for names of five letters or more
            conflict = a_n and b_n and a_n != b_n and (
                min(len(a_n), len(b_n)) < 5 or Levenshtein.distance(a_n, b_n) > 1)
            if conflict and m < 2 * LENGTH_FLOOR:
                continue  # a part of a quotation, or a short one, attributed to two different people
        d_text = d_html = ""
        if diff:
            key = (texts[i], texts[j])
            if key not in diffs:
                for x in (i, j):
                    if x not in shown:
                        shown[x] = t.vocab.encode(t.toks_e[x])
                ops = _diff_tokens(t.toks_e[i], t.toks_e[j], shown[i], shown[j])
                diffs[key] = (diff_to_text(ops), diff_to_html(ops))
            d_text, d_html = diffs[key]
        rows.append((sim, overlap, cov_a, cov_b, kind, src[i], src[j], t.doc[i], t.doc[j], texts[i], texts[j],
                     t.speakers[i], t.speakers[j], d_text, d_html, t.quote_id[i], t.quote_id[j]))
    return rows


def quote_groups(quotes: pd.DataFrame, matches: pd.DataFrame) -> dict[str, str]:
    """``quote_id -> group root`` for every matched quotation: the connected components of the
    matched pairs, a headline version joining the group of its body quotation.  The one grouping
    that :func:`shared_quotations` and the report's emphasis share."""
    if matches.empty:
        return {}
    links = list(zip(matches["quote_a"], matches["quote_b"], strict=True))
    if "headline_of" in quotes.columns:
        # a headline version matched elsewhere joins the group of its body quotation
        matched = set(matches["quote_a"]) | set(matches["quote_b"])
        links += [(h, b) for h, b in zip(quotes["quote_id"], quotes["headline_of"].fillna(""), strict=True)
                  if b and h in matched]
    return connected_components(links)


def shared_quotations(quotes: pd.DataFrame, matches: pd.DataFrame,
                      roots: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Groups of matching quotations (connected components of the matched pairs).

    One row per group found in two or more sources: ``group, n_sources, n_quotations, sources,
    text`` (the longest version), ``speakers`` (each source's attribution, "source: speaker;
    ..."), ``match`` (the kinds of match that join the group, e.g. "full, partial").  Headline
    versions (``headline_of`` set) are matched like other quotations but are not members: their
    body quotation stands for them (and joins the group when only the headline matched).
    ``roots``: :func:`quote_groups` of the same quotations and matches, when the caller has it.
    """
    cols = ["group", "n_sources", "n_quotations", "sources", "text", "speakers", "match"]
    if matches.empty:
        return pd.DataFrame(columns=cols)
    root = quote_groups(quotes, matches) if roots is None else roots
    kinds: dict[str, set[str]] = {}
    match_kind = matches["match"] if "match" in matches.columns else pd.Series("", index=matches.index)
    for a, kind in zip(matches["quote_a"], match_kind, strict=True):
        kinds.setdefault(root[a], set()).add(kind)
    q = quotes[quotes["quote_id"].isin(root.keys())]
    if "headline_of" in q.columns:
        q = q[q["headline_of"].fillna("") == ""]
    speaker_col = q["speaker"].fillna("") if "speaker" in q.columns else pd.Series("", index=q.index)
    groups: dict[str, list[tuple[str, str, str, str]]] = {}
    for qid, src, text, sp in zip(q["quote_id"], q["source"], q["text"], speaker_col, strict=True):
        groups.setdefault(root[qid], []).append((qid, str(src), str(text), str(sp)))
    rows = []
    for r, members in groups.items():
        members.sort()
        by_source: dict[str, set[str]] = {}
        for _, src, _, sp in members:
            by_source.setdefault(src, set())
            if sp:
                by_source[src].add(sp)
        if len(by_source) < 2:
            continue
        longest = max((t for _, _, t, _ in members), key=lambda t: (len(t), t))
        speakers = "; ".join(f"{s}: {', '.join(sorted(v)) or '(unattributed)'}" for s, v in sorted(by_source.items()))
        rows.append(((-len(members), members[0][0]), {
            "n_sources": len(by_source), "n_quotations": len(members), "sources": ", ".join(sorted(by_source)),
            "text": longest, "speakers": speakers, "match": ", ".join(sorted(k for k in kinds.get(r, ()) if k))}))
    rows.sort(key=lambda x: x[0])
    out = pd.DataFrame([r for _, r in rows], columns=cols[1:])
    out.insert(0, "group", [f"Q{i + 1}" for i in range(len(out))])
    return out
