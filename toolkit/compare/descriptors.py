"""Entity descriptors: what each outlet calls the same person, organisation or place.

One outlet writes "Ilves, the Ostrandi leader, said", another "the embattled Prime Minister
Mara Ilves", a third "the illegally annexed Kerran peninsula".  :func:`entity_descriptors`
finds these words with simple patterns over the project's one tokeniser
(:mod:`toolkit.tokenize`), no NLP library:

* ``apposition`` -- a noun phrase set off by commas next to the name, after it ("Ilves, the
  Ostrandi leader, said"; "Dussart, an analyst at Brightwater.") or before it ("the council's
  secretary-general, Agnès Fairlie, said").  It starts with "the"/"a"/"an", a possessive
  ("its", "Venn's") or a title word, and ends at a comma, the end of the sentence or a relative
  pronoun ("the regional bloc that ...").  The leading article or possessive pronoun is dropped.
* ``premodifier`` -- the title-like words right before the name: titles ("Prime Minister",
  "Minister of Water and Energy"), with adjectives before them ("embattled Prime Minister"), or
  lower-case words after an article ("the veteran minister Mara Ilves", "the illegally annexed
  Kerran").  Honorifics (Mr, Ms, Mrs, Miss, Mx) are not descriptors.
* ``adjective`` -- the adjectives inside those two ("Ostrandi", "embattled", "illegally
  annexed", "six-member"), by word shape (``-al``, ``-ic``, ``-ive``, ``-ous``, ``-ed``, nationality
  words like "Velmoran", hyphenated compounds, ...) and a short list (:data:`ADJECTIVES`).

Mentions come from :func:`toolkit.compare.entities.entity_mentions`, so "Mara Ilves", "Ms
Ilves" and "Ilves" are one entity, and whoever's annotations (the ``layer``) are chosen there
are the ones used here.  The patterns are conservative: a word sequence that may be a verb
phrase ("critics blamed President Venn") keeps only its title part.  One pass over the
documents and their mentions: linear in the data.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from toolkit.compare.lemmas import IRREGULAR, KEEP
from toolkit.compare.names import _is_title
from toolkit.tokenize import tokenize

__all__ = ["ADJECTIVES", "DESCRIPTOR_COLUMNS", "HONORIFICS", "descriptor_occurrences", "descriptor_table",
           "distinctive_descriptors", "entity_descriptors", "is_adjective"]

DESCRIPTOR_COLUMNS = ["source", "entity", "descriptor", "kind", "count", "example_doc"]
OCCURRENCE_COLUMNS = ["doc_id", "source", "entity", "descriptor", "kind", "start", "end"]
KINDS = ("apposition", "premodifier", "adjective")

#: Honorifics: part of how a name is written, not a description of the person.
HONORIFICS = frozenset(["mr", "mrs", "ms", "miss", "mx", "messrs", "mme", "mlle"])
_DETERMINERS = frozenset(["the", "a", "an"])
_PERSON_LABELS = frozenset(["PERSON", "PER"])
_POSSESSIVE_PRONOUNS = frozenset(["its", "his", "her", "their", "our", "my", "your"])
_CONNECTORS = frozenset(["of", "for", "and", "on", "the"])
_RELATIVES = frozenset(["who", "whom", "whose", "which", "that", "where", "when"])
_PREPOSITIONS = frozenset("""
about above across after against along amid among around as at before behind below beneath beside
between beyond by despite down during except for from in inside into like near of off on onto
outside over past per since through throughout to toward towards under until unlike up upon via with
within without according
""".split())
_CONJUNCTIONS = frozenset(["and", "but", "or", "nor", "while", "whereas", "although", "though", "because",
                           "if", "unless", "so", "yet", "than", "whether"])
_AUXILIARIES = frozenset("""
is are was were be been being am has have had having do does did will would shall should can could may
might must not no never also just then there here it he she they we i you this these those
""".split())
_NOUN_LEMMAS = frozenset(["man", "woman", "child", "foot", "tooth", "crisis", "analysis", "thesis", "criterion",
                          "life", "wife", "knife", "half", "shelf", "thief", "wolf"])
#: Irregular verb forms ("gave", "told", "met"): never part of a descriptor.
_VERB_FORMS = frozenset(k for k, v in IRREGULAR.items() if v not in _NOUN_LEMMAS)
#: Words that end a descriptor when scanning (function words and verb forms).
_FUNCTION = _DETERMINERS | _POSSESSIVE_PRONOUNS | _RELATIVES | _PREPOSITIONS | _CONJUNCTIONS | _AUXILIARIES \
    | _VERB_FORMS
#: Words allowed before a preposed apposition ("and its chairman, X"; "according to the bank's head, X").
_BEFORE_APPOSITION = frozenset(["and", "but", "while", "whereas", "according", "to", "by", "from", "with",
                                "said", "says", "told", "added", "wrote", "quoting", "quoted", "cited", "later",
                                "earlier", "meanwhile", "then", "now", "yesterday", "today", "also"])
_SENTENCE_END = frozenset(".!?")
_CLITICS = frozenset(["'s", "\u2019s", "'", "\u2019"])
_CLOSERS = frozenset(",.;:!?)\u2014\u2013")

#: Adjectives without a telling ending that news writing attaches to people and places.
ADJECTIVES = frozenset("""
former veteran embattled hardline longtime outgoing incoming new old top senior junior acting interim
controversial popular powerful young elderly late key main leading fellow staunch firm fierce vocal close
moderate radical liberal conservative populist nationalist outspoken beleaguered disgraced ousted exiled
jailed detained defiant influential prominent wealthy poor rich tiny small large big vast huge great
troubled struggling ailing ruling opposition rebel separatist militant extremist authoritarian autocratic
reformist centrist leftist rightist socialist communist democratic republican royal ageing aging
so-called self-styled self-proclaimed would-be de-facto powerful mighty weak strong famous infamous
notorious respected beloved reclusive secretive erratic unpredictable pragmatic shrewd cautious
""".split())
#: Nouns naming a person's role: without a title, "the farmer Tomás Reyle" is a descriptor only
#: when its last word is one of these, a title word, or ends like one (-ist, -ian, -man, -person).
ROLE_NOUNS = frozenset("""
leader farmer lawyer worker teacher writer reporter journalist author activist campaigner protester
officer soldier commander fighter rebel candidate challenger rival opponent critic ally supporter
adviser advisor aide envoy ambassador diplomat negotiator mediator official lawmaker legislator
politician statesman banker trader investor founder owner manager executive boss head chief
economist scientist engineer expert analyst researcher professor scholar historian doctor nurse
surgeon judge prosecutor attorney witness victim survivor resident citizen voter player coach
striker captain singer actor actress artist director producer veteran billionaire millionaire
tycoon magnate mogul heir heiress widow mother father son daughter wife husband brother sister
spokesperson spokesman spokeswoman chairman chairwoman member partner colleague successor
predecessor incumbent hardliner moderate reformer dissident defector
""".split())
_ROLE_ENDINGS = ("ist", "ian", "man", "woman", "person")

#: Endings of adjectives (lower case, at least five letters).
_ADJ_SUFFIXES = ("al", "ic", "ive", "ous", "ful", "less", "able", "ible", "ary", "ory", "ish", "ent", "ant")
#: Nouns with those endings that also stand before nouns ("the hospital director").
_NOT_ADJECTIVES = frozenset("""
hospital capital festival tribunal terminal canal journal signal animal metal trial rival official general
admiral corporal principal cardinal marshal council republic music topic clinic traffic logic panic
executive detective representative secretary territory history factory military ministry dignitary
president resident student agent parent event assistant consultant merchant tenant accountant government
parliament department settlement agreement statement movement management environment investment
development payment treatment element moment segment continent client patient opponent component
lieutenant sergeant servant giant plant grant migrant immigrant emigrant applicant participant defendant
claimant tenant restaurant infant elephant peasant descendant
""".split())
#: Capitalised words with a nationality-like ending that are not nationality words.
_NOT_DEMONYMS = frozenset(["iran", "sudan", "japan", "taiwan", "oman", "bhutan", "vatican", "morgan", "duncan",
                           "brian", "ryan", "dean", "mali", "delhi", "nairobi",
                           "helsinki", "brunei", "hawaii", "miami", "tbilisi", "rami", "ali"])
_DEMONYM_ENDINGS = ("an", "ian", "ese", "ish", "i", "ic")
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
                          "hundred thousand million billion half multi single double".split())
_ADJ_PREFIXES = frozenset(["pro", "anti", "ex", "far", "self", "so", "long", "well", "hard", "non", "post", "pre",
                           "once", "then", "would", "left", "right", "centre", "center", "ultra", "hyper"])


def is_adjective(word: str) -> bool:
    """Whether ``word`` is an adjective by its shape or :data:`ADJECTIVES` (no part-of-speech tagger).

    Capitalised words count when they look like a nationality ("Velmoran", "Ostrandi",
    "Russian"); hyphenated compounds when a part does, or when they start with a number
    ("six-member", "142-metre") or a prefix like "pro-", "anti-", "long-".
    """
    if not word or not word[0].isalnum():
        return False
    w = word.lower()
    if w in ADJECTIVES:
        return True
    if word[0].isdigit():
        return "-" in w and w.split("-")[-1].isalpha()  # "142-metre"
    if word[0].isupper():
        return (len(w) >= 4 and w.endswith(_DEMONYM_ENDINGS) and w not in _NOT_DEMONYMS and not _is_title(w)
                and not w.endswith("stan"))
    if "-" in w:
        parts = [p for p in w.split("-") if p]
        if not parts:
            return False
        if parts[0][0].isdigit() or parts[0] in _NUMBER_WORDS or parts[0] in _ADJ_PREFIXES:
            return True
        return any(is_adjective(p) for p in parts if p.isalpha() and p not in _NOT_ADJECTIVES)
    if not w.isalpha() or len(w) < 5 or w in _NOT_ADJECTIVES:
        return False
    if w.endswith(_ADJ_SUFFIXES):
        return True
    if w.endswith("ed") and not w.endswith("eed"):
        return True
    return w.endswith("ing") and len(w) > 5 and w not in KEEP


class _Word(NamedTuple):
    start: int
    end: int
    text: str
    newline_before: bool


def _words(text: str) -> list[_Word]:
    """Tokens of ``text`` with hyphenated compounds joined ("secretary-general", "142-metre")."""
    out: list[_Word] = []
    toks = tokenize(text)
    i, n = 0, len(toks)
    while i < n:
        s, e = toks[i]
        nl = "\n" in text[out[-1].end if out else 0 : s]
        while (i + 2 < n and toks[i + 1][0] == e and toks[i + 2][0] == toks[i + 1][1]
               and text[toks[i + 1][0]] in "-\u2010\u2011" and text[e - 1].isalnum()
               and text[toks[i + 2][0]].isalnum()):
            e = toks[i + 2][1]
            i += 2
        out.append(_Word(s, e, text[s:e], nl))
        i += 1
    return out


def _is_word(w: _Word) -> bool:
    return w.text[:1].isalnum()


def _cap(w: _Word) -> bool:
    return w.text[:1].isupper()


def _boundary_before(words: list[_Word], k: int) -> bool:
    """True when a sentence starts at ``words[k]`` (start of text, after . ! ? or a line break)."""
    return k == 0 or words[k].newline_before or words[k - 1].text in _SENTENCE_END


class _Found(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


def _adjectives(words: list[_Word], lo: int, hi: int, text: str) -> list[_Found]:
    """Adjectives among ``words[lo:hi]``; an ``-ly`` adverb joins the word after it ("illegally annexed")."""
    out: list[_Found] = []
    k = lo
    while k < hi:
        w = words[k]
        lw = w.text.lower()
        if lw.endswith("ly") and len(lw) > 4 and w.text.isalpha() and k + 1 < hi and is_adjective(words[k + 1].text):
            nxt = words[k + 1]
            out.append(_Found("adjective", text[w.start : nxt.end].lower(), w.start, nxt.end))
            k += 2
            continue
        if is_adjective(w.text) and not _is_title(lw) and lw not in _FUNCTION:
            out.append(_Found("adjective", w.text if w.text[:1].isupper() else lw, w.start, w.end))
        k += 1
    return out


_CALENDAR = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december yesterday today tomorrow""".split())


def _adj_at(words: list[_Word], k: int) -> bool:
    """:func:`is_adjective` for ``words[k]``; a capital at a sentence start is read in lower case."""
    w = words[k].text
    return is_adjective(w) or (_boundary_before(words, k) and is_adjective(w.lower()))


def _is_role(word: str) -> bool:
    w = word.lower().split("-")[-1]
    return w in ROLE_NOUNS or _is_title(w) or (len(w) > 4 and w.endswith(_ROLE_ENDINGS))


def _premodifier(words: list[_Word], first: int, owner: list[int], me: int, text: str,
                 person: bool) -> list[_Found]:
    """The title-like words before the name that starts at ``words[first]`` (titles inside the
    mention, "President Dario Venn", count as before the name).  Without a title, lower-case
    words count after an article: for a person when the last is a role noun ("the veteran
    minister"), for anything when they are all adjectives ("the illegally annexed")."""
    seq: list[int] = []  # word indices, right to left
    if _boundary_before(words, first):
        return []
    k = first - 1
    while k >= 0:
        w = words[k]
        lw = w.text.lower()
        if (owner[k] not in (-1, me) or not _is_word(w) or lw in HONORIFICS or lw in _DETERMINERS
                or w.text[:1].isdigit()):
            break
        # "of"/"for"/"and" only inside a capitalised title: "Minister of Water and Energy"
        if lw in _FUNCTION and not (lw in ("of", "for", "and") and seq and _cap(words[seq[-1]])
                                    and k > 0 and _cap(words[k - 1])):
            break
        seq.append(k)
        if _boundary_before(words, k):
            break
        k -= 1
        if k >= 0 and _boundary_before(words, k + 1):
            break
    if not seq:
        return []
    # title part (right to left): capitalised words and connectors up to a block of title words
    lead = None
    for idx, k in enumerate(seq):
        w = words[k]
        lw = w.text.lower()
        if _cap(w) and _is_title(lw):
            lead = idx
        elif lead is not None or not (_cap(w) or lw in ("of", "for", "and")):
            break
    seq.reverse()
    if lead is None:
        title: list[int] = []
        lower = seq
    else:
        t = len(seq) - 1 - lead
        # nationality words and one capitalised word ("Transport Minister") before the title
        while t > 0 and _cap(words[seq[t - 1]]) and _adj_at(words, seq[t - 1]):
            t -= 1
        if (t > 0 and t == len(seq) - 1 - lead and _cap(words[seq[t - 1]])
                and not _boundary_before(words, seq[t - 1]) and words[seq[t - 1]].text.lower() not in _CALENDAR):
            t -= 1
        title, lower = seq[t:], seq[:t]
    # lower-case part: only after an article, a possessive, a preposition or at a sentence start,
    # and nothing that may be a verb ("critics blamed President Venn") or a plural
    if lower:
        before = lower[0] - 1
        article = before >= 0 and words[before].text.lower() in _DETERMINERS | _POSSESSIVE_PRONOUNS | {"'s", "\u2019s"}
        ok_left = (article or before < 0 or _boundary_before(words, lower[0]) or not _is_word(words[before])
                   or words[before].text.lower() in _PREPOSITIONS)
        texts = [words[i].text for i in lower]
        plural = any(x.lower().endswith("s") and not x.lower().endswith(("ss", "us", "is")) for x in texts)
        verb_after_noun = any(x.lower().endswith(("ed", "ing")) and j > 0 and not texts[j - 1].lower().endswith("ly")
                              and not is_adjective(texts[j - 1]) for j, x in enumerate(texts))
        capitalised = any(_cap(words[i]) and not _adj_at(words, i) and not _boundary_before(words, i)
                          for i in lower)
        adjectives_only = all(_adj_at(words, i) or words[i].text.lower().endswith("ly") for i in lower)
        described = adjectives_only or (person and _is_role(texts[-1]))
        if (not ok_left or plural or verb_after_noun or capitalised or (not title and not (article and described))
                or len(lower) > 4 or any(x.lower() in _FUNCTION for x in texts)):
            lower = []
    keep = lower + title
    if not keep:
        return []
    s, e = words[keep[0]].start, words[keep[-1]].end
    out = [_Found("premodifier", text[s:e], s, e)]
    # without a title the last lower-case word is the head, unless they are all adjectives
    mods = keep if title or all(_adj_at(words, i) or words[i].text.lower().endswith("ly") for i in keep) \
        else keep[:-1]
    if mods:
        out += _adjectives(words, mods[0], mods[-1] + 1, text)
    return out


def _np_core_end(words: list[_Word], lo: int, hi: int) -> int:
    """End (exclusive) of the noun phrase's core: before its first preposition or relative pronoun."""
    for k in range(lo, hi):
        if words[k].text.lower() in _PREPOSITIONS or words[k].text.lower() in _RELATIVES:
            return k
    return hi


def _np_ok(words: list[_Word], lo: int, hi: int) -> bool:
    """A descriptor-like noun phrase: no verb forms, auxiliaries or clause-joining conjunctions."""
    for k in range(lo, hi):
        lw = words[k].text.lower()
        if lw in _AUXILIARIES or lw in _VERB_FORMS or lw in _RELATIVES:
            return False
        if lw in ("and", "or", "but") and not (k > lo and k + 1 < hi and _cap(words[k - 1]) and _cap(words[k + 1])):
            return False
        if not _is_word(words[k]) and words[k].text.lower() not in _CLITICS:
            return False
    return hi > lo


def _np_start_ok(words: list[_Word], k: int, hi: int) -> bool:
    lw = words[k].text.lower()
    if lw in _DETERMINERS or lw in _POSSESSIVE_PRONOUNS or _is_title(lw):
        return True
    return _cap(words[k]) and k + 1 < hi and words[k + 1].text.lower() in ("'s", "\u2019s")


def _strip_article(words: list[_Word], lo: int) -> int:
    lw = words[lo].text.lower()
    return lo + 1 if lw in _DETERMINERS or lw in _POSSESSIVE_PRONOUNS else lo


def _in_opening_phrase(words: list[_Word], first: int) -> bool:
    """True for a name in a sentence-opening phrase ("According to the council, ...", "In Brenholm, ...")."""
    k = first - 1
    while k >= 0 and first - k <= 4:
        lw = words[k].text.lower()
        if lw not in _PREPOSITIONS and lw not in _DETERMINERS:
            return False
        if _boundary_before(words, k):
            return lw in _PREPOSITIONS
        k -= 1
    return False


def _verb_like(texts: list[str]) -> bool:
    """A word ending in -ed after a word that is not an adverb or adjective ("leaders agreed")."""
    return any(x.lower().endswith("ed") and j > 0 and not texts[j - 1].lower().endswith("ly")
               and not is_adjective(texts[j - 1]) for j, x in enumerate(texts))


def _apposition_after(words: list[_Word], first: int, last: int, text: str, max_words: int = 12) -> list[_Found]:
    """``NAME, the Ostrandi leader, ...``: the noun phrase after the comma that follows the name."""
    n = len(words)
    c = last + 1
    if c + 1 >= n or words[c].text != "," or not _np_start_ok(words, c + 1, n) or _in_opening_phrase(words, first):
        return []
    k = c + 1
    end = None
    while k < n and k - c <= max_words:
        w = words[k]
        lw = w.text.lower()
        if w.text in _CLOSERS or (k > c + 1 and (lw in _RELATIVES or w.newline_before)):
            end = k
            break
        if not _is_word(w) and w.text.lower() not in _CLITICS:
            return []
        k += 1
    if end is None and k >= n:
        end = n
    if end is None or end <= c + 1:
        return []
    if words[end - 1].text.lower() in _RELATIVES:
        return []
    if end < n and words[end].text == "," and end + 1 < n and words[end + 1].text.lower() in ("and", "or"):
        return []  # a list: "Velmora, the bank, and Ostrand"
    lo = _strip_article(words, c + 1)
    core = _np_core_end(words, lo, end)
    if not _np_ok(words, lo, end) or _verb_like([w.text for w in words[lo:core]]):
        return []
    s, e = words[lo].start, words[end - 1].end
    out = [_Found("apposition", text[s:e], s, e)]
    return out + _adjectives(words, lo, max(lo, core - 1), text)


def _apposition_before(words: list[_Word], first: int, last: int, owner: list[int], me: int, text: str,
                       max_words: int = 12) -> list[_Found]:
    """``the council's secretary-general, Agnès Fairlie, said``: the noun phrase before the name."""
    n = len(words)
    c = first - 1
    if c < 1 or words[c].text != "," or last + 1 >= n or words[last + 1].text not in (",", ".", ";", "\u2014", ")"):
        return []
    # the window: back to the previous punctuation or sentence start
    k = c - 1
    while k >= 0 and c - k <= max_words:
        if not _is_word(words[k]) and words[k].text.lower() not in _CLITICS:
            break
        if _boundary_before(words, k):
            k -= 1
            break
        k -= 1
    lo_window = k + 1
    if lo_window >= c:
        return []
    for start in range(lo_window, c):
        prefix = [words[i].text.lower() for i in range(lo_window, start)]
        if all(p in _BEFORE_APPOSITION for p in prefix) and _np_start_ok(words, start, c):
            break
    else:
        return []
    if prefix and prefix[-1] in ("according",):
        return []
    lo = _strip_article(words, start)
    core = _np_core_end(words, lo, c)
    if not _np_ok(words, lo, c) or any(owner[i] == me for i in range(lo, c)) \
            or _verb_like([w.text for w in words[lo:core]]):
        return []
    s, e = words[lo].start, words[c - 1].end
    return [_Found("apposition", text[s:e], s, e), *_adjectives(words, lo, max(lo, core - 1), text)]


def _name_start(words: list[_Word], i: int, j: int) -> int:
    """First word of the name proper inside the mention ``words[i:j]`` (after titles and honorifics)."""
    k = i
    while k < j - 1 and (_is_title(words[k].text) or words[k].text.lower().rstrip(".") in HONORIFICS
                         or words[k].text in (".",) or words[k].text.lower() == "the"):
        k += 1
    return k


def descriptor_occurrences(documents: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Every descriptor found next to an entity mention, one row per occurrence.

    ``mentions`` is :func:`toolkit.compare.entities.entity_mentions`' frame (its ``entity`` column
    is the grouped name; ``label`` PERSON allows role nouns without a title, "the farmer X").  Returns ``doc_id, source, entity, descriptor, kind, start, end``
    (character offsets of the descriptor in the document).
    """
    if documents.empty or mentions.empty:
        return pd.DataFrame(columns=OCCURRENCE_COLUMNS)
    by_doc: dict[str, list[tuple[int, int, str, bool]]] = {}
    labels = mentions["label"].astype(str) if "label" in mentions.columns else pd.Series("", index=mentions.index)
    for d, s, e, ent, lab in zip(mentions["doc_id"].astype(str), mentions["start"].astype(int),
                                 mentions["end"].astype(int), mentions["entity"].astype(str), labels, strict=True):
        by_doc.setdefault(d, []).append((s, e, ent, lab in _PERSON_LABELS))
    rows: list[tuple[str, str, str, str, str, int, int]] = []
    for doc_id, source, text in zip(documents["doc_id"].astype(str), documents["source"].astype(str),
                                    documents["text"].astype(str), strict=True):
        ms = by_doc.get(doc_id)
        if not ms:
            continue
        words = _words(text)
        starts = [w.start for w in words]
        ends = [w.end for w in words]
        owner = [-1] * len(words)
        spans = []
        for idx, (s, e, ent, person) in enumerate(sorted(ms)):
            i, j = bisect_right(ends, s), bisect_left(starts, e)
            if i >= j:
                continue
            for k in range(i, j):
                owner[k] = idx
            spans.append((idx, i, j, ent, person))
        seen: set[tuple[str, str, int]] = set()
        for idx, i, j, ent, person in spans:
            first = _name_start(words, i, j)
            found = (_premodifier(words, first, owner, idx, text, person) + _apposition_after(words, i, j - 1, text)
                     + _apposition_before(words, i, j - 1, owner, idx, text))
            for f in found:
                key = (ent, f.kind, f.start)
                if key in seen:
                    continue
                seen.add(key)
                rows.append((doc_id, source, ent, " ".join(f.text.split()), f.kind, f.start, f.end))
    return pd.DataFrame(rows, columns=OCCURRENCE_COLUMNS)


def entity_descriptors(documents: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """What each outlet calls each entity: ``source, entity, descriptor, kind, count, example_doc``.

    ``kind`` is ``apposition``, ``premodifier`` or ``adjective`` (see the module docstring);
    ``count`` the number of times the outlet uses it for that entity; ``example_doc`` the first
    document where it does.  Forms that differ only in case are one descriptor (shown as first
    written).  Sorted by source, entity, kind and count.
    """
    occ = descriptor_occurrences(documents, mentions)
    if occ.empty:
        return pd.DataFrame(columns=DESCRIPTOR_COLUMNS)
    occ = occ.assign(_key=occ["descriptor"].str.lower(), _order=range(len(occ)))
    out = occ.groupby(["source", "entity", "kind", "_key"], sort=False).agg(
        descriptor=("descriptor", "first"), count=("descriptor", "size"), example_doc=("doc_id", "first"),
        _order=("_order", "min")).reset_index()
    out["_kind"] = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out = out.sort_values(["source", "entity", "_kind", "count", "_order"], ascending=[True, True, True, False, True],
                          ignore_index=True)
    return out[DESCRIPTOR_COLUMNS]


def distinctive_descriptors(descriptors: pd.DataFrame, mentions: pd.DataFrame,
                            kinds: Iterable[str] = KINDS) -> pd.DataFrame:
    """For each entity two or more outlets mention: the descriptors one outlet uses and the others don't.

    ``descriptors`` is :func:`entity_descriptors`' frame, ``mentions`` the mentions it was made
    from (which outlets cover each entity).  Returns ``entity, source, descriptor, kind, count,
    example_doc, covered_by`` (number of outlets that mention the entity), by entity and outlet.
    """
    cols = ["entity", "source", "descriptor", "kind", "count", "example_doc", "covered_by"]
    if descriptors.empty or mentions.empty:
        return pd.DataFrame(columns=cols)
    covered = mentions.groupby("entity")["source"].nunique()
    d = descriptors[descriptors["kind"].isin(list(kinds))]
    d = d[d["entity"].map(covered).fillna(0) >= 2]
    if d.empty:
        return pd.DataFrame(columns=cols)
    key = d["descriptor"].str.lower()
    users = d.assign(_key=key).groupby(["entity", "_key"])["source"].transform("nunique")
    out = d[users.to_numpy() == 1].assign(covered_by=lambda x: x["entity"].map(covered).astype(int))
    return out.sort_values(["entity", "source", "count"], ascending=[True, True, False], ignore_index=True)[cols]


def descriptor_table(distinct: pd.DataFrame, sources: Iterable[str] | None = None) -> pd.DataFrame:
    """Entity x outlet table of :func:`distinctive_descriptors` (appositions and premodifiers),
    each cell "descriptor (count); ..." ("" when the outlet uses none of its own)."""
    d = distinct[distinct["kind"] != "adjective"] if not distinct.empty else distinct
    cols = sorted(set(sources) if sources is not None else set(d["source"]) if not d.empty else set())
    if d.empty:
        return pd.DataFrame(columns=cols).rename_axis(index="entity")
    cell = d["descriptor"] + [f" ({c})" if c > 1 else "" for c in d["count"]]
    table = d.assign(cell=cell).groupby(["entity", "source"])["cell"].agg("; ".join).unstack(fill_value="")
    return table.reindex(columns=cols, fill_value="").rename_axis(index="entity", columns=None)
