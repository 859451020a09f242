"""Shared quotations: the same (or nearly the same) quotation in different sources.

Quotations are found with :func:`toolkit.quotes.find_quotations`.  Two quotations *match*
when, after normalisation (curly and straight quote marks, apostrophes, case, punctuation;
"...", "…" and "[...]" elisions are dropped), most of the words of the shorter one appear in
the longer one **in order and in runs of at least two consecutive words**.  This tolerates a
quotation trimmed at either end, words elided in the middle and a changed word here and there,
but not two different quotations that merely share some words.

The similarity (0..1) is ``matched words / words of the shorter quotation``, where a word only
counts as matched inside a run of two or more matching words (single words count when the
shorter quotation has three words or fewer).  Pairs score at least ``threshold`` (default 0.75)
to match.

Each quotation is attributed to a speaker: the ``speaker`` attribute of a claim span that covers
it when the selected annotators recorded one, otherwise a heuristic over the surrounding sentence
("..., said Jane Doe", "Doe told reporters: ...", "according to Doe, ..."; a quotation that
continues an attributed one in the same paragraph gets the same speaker), with a pronoun
("she said") resolved to the closest PERSON entity mention before the quotation (within 400
characters), else to the previous attributed speaker of the same document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html import escape

import pandas as pd

from toolkit.compare._layers import Layer, select_layer
from toolkit.compare.entities import EntityNormalizer, clean_surface
from toolkit.model import connected_components

ELLIPSIS = "\u2026"
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
    """Result of :func:`compare_quotes`."""

    similarity: float
    overlap: float
    matched_words: int
    words_a: int
    words_b: int
    diff: tuple[DiffOp, ...] = field(repr=False)

    def __repr__(self) -> str:
        return (f"QuoteComparison(similarity={self.similarity:.3f}, overlap={self.overlap:.3f}, "
                f"matched={self.matched_words}/{min(self.words_a, self.words_b)})")

    def matches(self, threshold: float = 0.75) -> bool:
        """Whether the two quotations count as the same quotation."""
        return self.similarity >= threshold and min(self.words_a, self.words_b) > 0

    @property
    def diff_text(self) -> str:
        """The diff as text: ``[-removed-]`` words of a, ``{+added+}`` words of b."""
        return diff_to_text(self.diff)

    @property
    def diff_html(self) -> str:
        """The diff as HTML with ``<del>`` and ``<ins>``."""
        return diff_to_html(self.diff)


def word_diff(a: str, b: str) -> tuple[DiffOp, ...]:
    """Word-level diff of two quotations (normalised words; elisions shown as "…")."""
    ta, tb = quote_tokens(a, keep_elisions=True), quote_tokens(b, keep_elisions=True)
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


def _matched_words(ta: Sequence[str], tb: Sequence[str]) -> int:
    shorter = min(len(ta), len(tb))
    min_run = 1 if shorter <= 3 else 2
    sm = SequenceMatcher(None, ta, tb, autojunk=False)
    return sum(blk.size for blk in sm.get_matching_blocks() if blk.size >= min_run)


def compare_quotes(a: str, b: str) -> QuoteComparison:
    """Compare two quotations: similarity, overlap (Dice over matched words) and diff.

    >>> compare_quotes("“We will rebuild the harbour by spring”",
    ...                '"We will rebuild the port by spring"').diff_text
    'we will rebuild the [-harbour-] {+port+} by spring'
    """
    ta, tb = quote_tokens(a), quote_tokens(b)
    if not ta or not tb:
        return QuoteComparison(0.0, 0.0, 0, len(ta), len(tb), word_diff(a, b))
    matched = _matched_words(ta, tb)
    sim = matched / min(len(ta), len(tb))
    overlap = 2 * matched / (len(ta) + len(tb))
    return QuoteComparison(round(sim, 4), round(overlap, 4), matched, len(ta), len(tb),
                           word_diff(a, b))


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
]
_SAY_WORDS = set(re.findall(r"[a-z]+", _SAY))


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
                 "speaker_method"]


def _find_quotations(text: str) -> list:
    from toolkit.quotes import find_quotations

    return find_quotations(text)


def document_quotations(
    documents: pd.DataFrame,
    spans: pd.DataFrame | None = None,
    layer: Layer = None,
    min_words: int = 3,
    merges: Mapping[str, str] | None = None,
    nested: bool = False,
) -> pd.DataFrame:
    """Every quotation of every document, with its speaker.

    Args:
        documents: the ``documents`` frame of ``Project.load()``.
        spans: the ``spans`` frame; claim spans of ``layer`` covering a quotation give its
            speaker, entity spans help resolve names ("Doe" -> "Jane Doe").
        layer: whose annotations (see :mod:`toolkit.compare._layers`).
        min_words: shorter quotations (scare quotes, titles) are left out.
        merges: entity merges (:func:`toolkit.compare.entities.load_merges`).
        nested: keep quotations inside another quotation (default: left out).

    Returns columns ``quote_id`` (``<doc_id>:q<n>``), ``doc_id, source, start, end, inner_start,
    inner_end, text`` (inner text), ``style, closed, n_words, speaker`` (normalised name),
    ``speaker_as_written`` and ``speaker_method``: "claim" (a covering claim span's
    ``speaker``), "heuristic" (the words around the quotation), "previous" (continues the
    previous attributed quotation of the same paragraph) or "" (unattributed).
    """
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
    rows: list[dict] = []
    for doc in documents.sort_values("doc_id").itertuples(index=False):
        text: str = doc.text
        found = _find_quotations(text)
        if not nested:
            found = [q for q in found if not any(
                o is not q and o.start <= q.start and q.end <= o.end and (o.start, o.end) != (q.start, q.end)
                for o in found)]
        last_speaker = ""
        prev: tuple[int, str, str] | None = None
        n = 0
        for q in sorted(found, key=lambda q: q.start):
            inner = text[q.inner_start: q.inner_end]
            words = len(quote_tokens(inner))
            if words < min_words:
                continue
            n += 1
            method, as_written = "", ""
            length = max(1, q.inner_end - q.inner_start)
            for s, e, sp in claims_by_doc.get(doc.doc_id, []):
                if min(e, q.inner_end) - max(s, q.inner_start) >= 0.5 * length:
                    method, as_written = "claim", sp
                    break
            if not method:
                as_written = heuristic_speaker(text, q.start, q.end)
                method = "heuristic" if as_written else ""
            if not method and prev is not None and "\n" not in text[prev[0]: q.start]:
                # A quotation continuing an attributed one in the same paragraph
                # ('"...," Doe said. "..."') has the same speaker.
                method, as_written = "previous", prev[1]
            if as_written.lower() in {"he", "she", "they"}:
                speaker = _nearest_person(persons_by_doc.get(doc.doc_id, []), q.start, norm,
                                          doc.doc_id) or last_speaker
            elif as_written and as_written[0].isupper():
                speaker = norm.canonical(as_written, doc_id=doc.doc_id, label="PERSON")
            else:
                speaker = clean_surface(as_written)
            if method == "previous" and prev is not None:
                speaker = prev[2]
            if speaker:
                last_speaker = speaker
            prev = (q.end, as_written, speaker) if as_written else None
            rows.append({
                "quote_id": f"{doc.doc_id}:q{n}", "doc_id": doc.doc_id, "source": doc.source,
                "start": q.start, "end": q.end, "inner_start": q.inner_start,
                "inner_end": q.inner_end, "text": inner, "style": q.style, "closed": q.closed,
                "n_words": words, "speaker": speaker, "speaker_as_written": as_written,
                "speaker_method": method,
            })
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)


MATCH_COLUMNS = ["similarity", "overlap", "source_a", "source_b", "doc_a", "doc_b", "text_a",
                 "text_b", "speaker_a", "speaker_b", "diff", "diff_html", "quote_a", "quote_b"]


def match_quotations(quotes: pd.DataFrame, threshold: float = 0.75,
                     cross_source: bool = True) -> pd.DataFrame:
    """Pairs of matching quotations (from :func:`document_quotations`).

    Only pairs from different documents (and, by default, different sources) are compared, and
    only those sharing two consecutive words.  Returns columns ``similarity, overlap, source_a,
    source_b, doc_a, doc_b, text_a, text_b, speaker_a, speaker_b, diff`` (text diff),
    ``diff_html, quote_a, quote_b`` sorted by similarity (highest first).
    """
    if quotes.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    recs = quotes.to_dict("records")
    toks = [quote_tokens(r["text"]) for r in recs]
    index: dict[tuple[str, str], set[int]] = {}
    for i, t in enumerate(toks):
        for bg in zip(t, t[1:], strict=False):
            index.setdefault(bg, set()).add(i)
    cands: set[tuple[int, int]] = set()
    for members in index.values():
        ms = sorted(members)
        for x, i in enumerate(ms):
            for j in ms[x + 1:]:
                cands.add((i, j))
    rows = []
    for i, j in sorted(cands):
        a, b = recs[i], recs[j]
        if a["doc_id"] == b["doc_id"] or (cross_source and a["source"] == b["source"]):
            continue
        if b["source"] < a["source"]:
            a, b = b, a
        cmp = compare_quotes(a["text"], b["text"])
        if not cmp.matches(threshold):
            continue
        rows.append({
            "similarity": cmp.similarity, "overlap": cmp.overlap,
            "source_a": a["source"], "source_b": b["source"], "doc_a": a["doc_id"],
            "doc_b": b["doc_id"], "text_a": a["text"], "text_b": b["text"],
            "speaker_a": a["speaker"], "speaker_b": b["speaker"], "diff": cmp.diff_text,
            "diff_html": cmp.diff_html, "quote_a": a["quote_id"], "quote_b": b["quote_id"],
        })
    out = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    return out.sort_values(["similarity", "quote_a", "quote_b"],
                           ascending=[False, True, True]).reset_index(drop=True)


def shared_quotations(quotes: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    """Groups of matching quotations (connected components of the matched pairs).

    One row per group found in two or more sources: ``group, n_sources, sources, text`` (the
    longest version), ``speakers`` (each source's attribution, "source: speaker; ...").
    """
    cols = ["group", "n_sources", "sources", "text", "speakers"]
    if matches.empty:
        return pd.DataFrame(columns=cols)
    root = connected_components(zip(matches["quote_a"], matches["quote_b"], strict=True))
    q = quotes.set_index("quote_id")
    groups: dict[str, list[str]] = {}
    for qid in sorted(root):
        groups.setdefault(root[qid], []).append(qid)
    rows = []
    for members in sorted(groups.values(), key=lambda m: (-len(m), m[0])):
        sub = q.loc[members]
        longest = max(sub["text"], key=lambda t: (len(t), t))
        speakers = "; ".join(
            f"{src}: {', '.join(sorted({s for s in grp['speaker'] if s})) or '(unattributed)'}"
            for src, grp in sub.groupby("source"))
        rows.append({"n_sources": sub["source"].nunique(),
                     "sources": ", ".join(sorted(sub["source"].unique())),
                     "text": longest, "speakers": speakers})
    out = pd.DataFrame(rows, columns=cols[1:])
    out.insert(0, "group", [f"Q{i + 1}" for i in range(len(out))])
    return out
