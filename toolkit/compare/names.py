"""Grouping the names of people, places and organisations into one row each (pure logic, no I/O).

A *name* is a cleaned surface form (:func:`clean_surface`).  Names are compared through keys:

* :func:`name_key` -- the exact key: case, diacritics ("Marković" = "Markovic"), punctuation and
  initials ("J.R. Vance" = "JR Vance" = "J. R. Vance", "U.S." = "U.S" = "US"), hyphens and apostrophes
  folded.  Names with the same key are the same entity (**automatic**).
* :func:`skeleton` -- a transliteration key on top of it ("Aliyev" = "Aliev", "Oleksandr" =
  "Olexandr", "Zelenskyy" = "Zelensky"): ``ck``->``k``, ``ks``->``x``, ``kh``->``h``, ``ph``->``f``,
  ``w``->``v``, ``y``->``i``, doubled letters once.

:class:`NameGrouper` builds groups in linear time with blocking keys (exact key, skeleton, surname,
one-deletion neighbourhood of long words) -- it never compares all pairs of names.

Automatic merges (safe):

1. names with the same exact key, whatever their labels (the group's label is its majority label,
   ties: PERSON first, then alphabetical);
2. two-or-more-word names tagged PERSON with the same skeleton ("Ilham Aliyev" = "Ilham Aliev");
3. inside one document, a shorter form of exactly one PERSON full name of that document:
   surname only ("Pires", "Ms Pires"), initials ("J. Vance" -> "James Vance"), fewer given names
   ("Ana Pires" -> "Ana Maria Pires"); likewise an acronym of exactly one name of three or more
   words ("NUR" -> "National Union of Railworkers") and a place tagged LOC/FAC/GPE without its
   feature word ("Tavren" -> "Tavren River").  A surname with "Mr"/"Ms"/"Mrs"/"Miss" stays apart
   from the bare surname only when the project has that surname with both a man's and a woman's
   title ("Mr. Pires" is not "Ms Pires");  A surname shared by two full names of the document stays
   unresolved.  A one-word mention joins only if it is tagged PERSON in that document or its name
   is mostly tagged PERSON in the project;
4. the analyst's merges ``{alias: canonical}`` (accepted proposals are merges).

Proposals (uncertain, for the analyst to accept or reject; see :class:`Proposal`):

* ``surname`` -- a surname-only (or initials/shorter) name in documents without a matching full
  name, and exactly one full PERSON name in the project it could belong to;
* ``label`` -- a one-word name tagged ORG/GPE/... matching the surname of the only full PERSON name
  of its document ("Washington" in an article on George Washington);
* ``acronym`` / ``place`` -- an acronym ("N.U.R.") or a place without its feature word ("Tavren") in
  documents without the full name, and exactly one such full name in the project;
* ``spelling`` -- names equal after transliteration folding that rule 2 does not join (one-word
  names, names not tagged PERSON);
* ``one-letter`` -- names that differ by one letter in one word of at least 6 letters: never a
  different first letter, and in a given name never in its last two letters ("Maria"/"Mario",
  "Daniela"/"Daniele" are different people).

Different first names never join ("Ana Pires" / "Rui Pires"); a rejected proposal is never
proposed again.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..gender import first_name_gender

#: Labels of numbers and dates: never names, never grouped with names.
NUMERIC_LABELS = frozenset(["DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"])
PERSON = "PERSON"

#: Titles and honorifics removed from the front of a name (compared case-insensitively, "." optional).
TITLES = frozenset(
    ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev",
     "reverend", "fr", "father", "hon", "sen", "senator", "rep", "representative", "gov", "governor", "mayor",
     "deputy", "president", "vice", "prime", "minister", "chancellor", "secretary", "judge", "justice", "chief",
     "inspector", "detective", "det", "officer", "constable", "sergeant", "sgt", "captain", "capt", "cpt",
     "lieutenant", "lt", "colonel", "col", "general", "gen", "admiral", "adm", "major", "commissioner",
     "councillor", "councilor", "cllr", "alderman", "sheriff", "superintendent", "supt", "director", "dean",
     "chair", "chairman", "chairwoman", "chairperson", "spokesperson", "spokesman", "spokeswoman", "ceo"]
)
#: Generational suffixes: not a surname ("Martin King Jr." has the surname "king").
SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv"])
#: Labels of places (a place's short name joins its full name only when tagged as a place).
PLACE_LABELS = frozenset(["LOC", "FAC", "GPE"])
#: Feature words of place names ("Tavren River" is also called "Tavren").
GEO_WORDS = frozenset(["river", "lake", "sea", "bay", "mount", "mountain", "mountains", "island", "islands",
                       "valley", "gulf", "strait", "desert", "canal", "delta", "peninsula", "hills", "forest",
                       "falls", "plateau", "reservoir", "glacier"])
_SMALL_WORDS = frozenset(["of", "and", "the", "for", "on", "in", "de", "la", "du", "des", "del", "der", "von", "van"])
#: A one-letter difference is proposed only in words at least this long.
MIN_EDIT_LEN = 6
#: Blocking buckets with more names than this are skipped (keeps the work linear).
MAX_BUCKET = 64

_WS = re.compile(r"\s+")
_EDGE_PUNCT = "\"'\u2018\u2019\u201c\u201d.,;:!?()[]{}"
_INITIALS_END = re.compile(r"(?:^|[\s(])(?:[^\W\d_]\.){2,}$")
#: Titles that tell a person's gender, and so two people of one surname apart ("Mr. Pires", "Ms Pires").
GENDERED_TITLES = {"mr": "m", "ms": "f", "mrs": "f", "miss": "f"}
_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014/_]+")
_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc`\u00b4]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_FOLD = str.maketrans({"ß": "ss", "ẞ": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d",
                       "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "Þ": "th", "ð": "d"})
_SKELETON = (("ck", "k"), ("ks", "x"), ("kh", "h"), ("ph", "f"), ("w", "v"), ("y", "i"))
_DOUBLE = re.compile(r"(.)\1+")


def clean_surface(text: str) -> str:
    """Strip titles, honorifics, possessives, a leading "the" and edge punctuation from a surface form.

    Case is kept.  Examples::

        >>> clean_surface("Ms. Jane Doe's")
        'Jane Doe'
        >>> clean_surface("the Harbour Authority")
        'Harbour Authority'
    """
    s = _WS.sub(" ", text).strip()
    initials_dot = _INITIALS_END.search(s.rstrip(_EDGE_PUNCT.replace(".", "")))
    s = s.strip(_EDGE_PUNCT).strip()
    if initials_dot and not s.endswith("."):
        s += "."  # "U.S." keeps its last dot
    if s.endswith(("'s", "\u2019s", "'S", "\u2019S")):
        s = s[:-2]
    elif s.endswith(("s'", "s\u2019")):
        s = s[:-1]
    words = s.split(" ")
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    # Drop leading titles ("Deputy Mayor Jane Doe", "Director-General Jane Doe"), but never the
    # whole name, nor before a lowercase word ("Secretary of State").
    while len(words) > 1 and _is_title(words[0]) and not words[1][:1].islower():
        words = words[1:]
    # A capitalised description before a title before a full name: "Transport Minister Ana Pires".
    for i in range(len(words) - 3, 0, -1):
        if _is_title(words[i]) and all(w[:1].isupper() for w in words):
            words = words[i + 1:]
            break
    out = " ".join(words).strip(_EDGE_PUNCT).strip()
    return out + "." if initials_dot and out and _INITIALS_END.search(out + ".") else out


def _is_title(word: str) -> bool:
    w = word.lower().rstrip(".")
    return w in TITLES or ("-" in w and all(p in TITLES for p in w.split("-") if p))


def fold(text: str) -> str:
    """Casefold and remove diacritics ("Marković" -> "markovic", "Øresund" -> "oresund")."""
    s = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class NameParts:
    """A name split into folded words; ``initials[i]`` is True when word ``i`` is initials
    ("J.", "J.R.", "JR" before a surname), stored joined ("jr")."""

    tokens: tuple[str, ...]
    initials: tuple[bool, ...]

    @property
    def key(self) -> str:
        """The exact key: folded words joined by one space."""
        return " ".join(self.tokens)

    @property
    def surname(self) -> str:
        """The last word that is not a generational suffix ("" for an empty name)."""
        for tok in reversed(self.tokens):
            if tok not in SUFFIXES:
                return tok
        return self.tokens[-1] if self.tokens else ""

    @property
    def is_full(self) -> bool:
        """Two or more words, and not only initials."""
        return len(self.tokens) >= 2 and not all(self.initials)


def parse_name(clean: str) -> NameParts:
    """Split a cleaned name into folded words, recognising initials.

    >>> parse_name("J. R. Vance").key, parse_name("JR Vance").key, parse_name("U.S").key
    ('jr vance', 'jr vance', 'us')
    """
    raw = [w for w in _SPLIT.split(clean) if w]
    shouting = all(w.upper() == w for w in raw)
    pieces: list[tuple[str, bool]] = []
    for word in raw:
        folded = _APOSTROPHES.sub("", fold(word))
        if "." in folded:
            parts = [_NOT_ALNUM.sub("", p) for p in folded.split(".")]
            parts = [p for p in parts if p]
            if parts and all(len(p) == 1 for p in parts):
                pieces.extend((p, True) for p in parts)
            elif parts:
                pieces.append(("".join(parts), False))
            continue
        tok = _NOT_ALNUM.sub("", folded)
        if not tok:
            continue
        if (len(raw) > 1 and not shouting and 2 <= len(word) <= 3 and word.isalpha() and word.isupper()
                and word is not raw[-1]):
            pieces.extend((c, True) for c in tok)  # "JR Vance", "US Army"
        else:
            pieces.append((tok, len(tok) == 1 and tok.isalpha()))
    tokens: list[str] = []
    flags: list[bool] = []
    for tok, is_initial in pieces:  # consecutive single letters are one cluster: "j r" -> "jr"
        if is_initial and len(tok) == 1 and tokens and flags[-1] and tokens[-1].isalpha():
            tokens[-1] += tok
        else:
            tokens.append(tok)
            flags.append(is_initial)
    return NameParts(tuple(tokens), tuple(flags))


def name_key(text: str) -> str:
    """Exact comparison key of a surface form (cleaned, folded, initials joined).

    >>> name_key("Ms. Ilse Marković's") == name_key("ILSE MARKOVIC")
    True
    """
    return parse_name(clean_surface(text)).key


def skeleton_word(word: str) -> str:
    """Transliteration skeleton of one folded word ("aliyev" -> "aliev", "oleksandr" -> "olexandr")."""
    for a, b in _SKELETON:
        word = word.replace(a, b)
    return _DOUBLE.sub(r"\1", word)


def skeleton(key: str) -> str:
    """Transliteration skeleton of an exact key (word by word)."""
    return " ".join(skeleton_word(w) for w in key.split(" "))


def one_edit(a: str, b: str) -> tuple[str, int] | None:
    """``(kind, position)`` when ``a`` and ``b`` differ by exactly one substitution, insertion or
    deletion (kind ``"sub"`` or ``"indel"``, position in the longer word), else None."""
    if a == b or abs(len(a) - len(b)) > 1:
        return None
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return ("sub", diff[0]) if len(diff) == 1 else None
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return ("indel", i) if short[i:] == long_[i + 1:] else None


def acronym(parts: NameParts) -> str:
    """Initials of a name of three or more words, small words left out ("National Union of
    Railworkers" -> "nur"); "" otherwise."""
    words = [t for t in parts.tokens if t not in _SMALL_WORDS]
    return "".join(t[0] for t in words) if len(words) >= 3 and len(parts.tokens) <= 8 else ""


def place_word(parts: NameParts) -> str:
    """The name of a place written with a feature word ("Tavren River", "Lake Tavren" -> "tavren")."""
    t = parts.tokens
    if len(t) == 2 and t[1] in GEO_WORDS and t[0] not in GEO_WORDS:
        return t[0]
    if len(t) == 2 and t[0] in GEO_WORDS and t[1] not in GEO_WORDS:
        return t[1]
    return ""


def _token_matches(a_tok: str, a_init: bool, b: NameParts, j: int) -> int:
    """How many words of ``b`` from ``j`` the word ``a_tok`` stands for (0: no match)."""
    if j >= len(b.tokens):
        return 0
    b_tok = b.tokens[j]
    if a_tok == b_tok and a_init == b.initials[j]:
        return 1
    if a_init:
        if len(a_tok) == 1 and b_tok.startswith(a_tok):
            return 1
        n = len(a_tok)  # "jr" for "James Robert"
        if n > 1 and j + n <= len(b.tokens) and "".join(t[0] for t in b.tokens[j:j + n]) == a_tok:
            return n
        if b.initials[j] and b_tok.startswith(a_tok):
            return 1
    return 0


def is_short_form(a: NameParts, b: NameParts) -> bool:
    """True when ``a`` says less than ``b`` about the same person: same surname and ``a``'s other
    words (whole, or as initials) found in order among ``b``'s ("Pires", "A. Pires", "Ana Pires"
    are short forms of "Ana Maria Pires"; "Rui Pires" is not)."""
    if not a.tokens or not b.tokens or a.key == b.key or a.surname != b.surname or not b.is_full:
        return False
    ai = a.tokens.index(a.surname)
    bi = b.tokens.index(b.surname)
    if a.tokens[ai + 1:] and a.tokens[ai + 1:] != b.tokens[bi + 1:]:
        return False  # different suffixes ("Jr" vs "Sr")
    given_a = list(zip(a.tokens[:ai], a.initials[:ai], strict=True))
    if len(given_a) > bi:
        return False
    j = 0
    matched_all = True
    for tok, init in given_a:
        while j < bi:
            n = _token_matches(tok, init, b, j)
            if n:
                j += n
                break
            j += 1
        else:
            matched_all = False
            break
    if not matched_all:
        return False
    # Strictly less information: fewer words, or initials where b has words.
    return ai < bi or any(init and not b.initials[k] for k, (_, init) in enumerate(given_a))


@dataclass
class Proposal:
    """An uncertain merge for the analyst: ``alias`` would become ``canonical``."""

    alias: str
    canonical: str
    rule: str
    evidence: str
    alias_mentions: int = 0
    canonical_mentions: int = 0
    alias_docs: tuple[str, ...] = field(default_factory=tuple)

    @property
    def pair(self) -> tuple[str, str]:
        """``(name_key(alias), name_key(canonical))``: the identity of a proposal."""
        return name_key(self.alias), name_key(self.canonical)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
        return ra


def majority_label(labels: Mapping[str, int]) -> str:
    """Most frequent label; ties: PERSON first, then alphabetical ("" when there are none)."""
    if not labels:
        return ""
    return min(labels, key=lambda lab: (-labels[lab], lab != PERSON, lab))


_SPACED_INITIALS = re.compile(r"\b[A-Z]\. [A-Z]\.")


def _display_rank(form: str, count: int) -> tuple:
    words = form.split()
    shouting = len(words) > 1 and form.isupper() and any(len(w) > 3 for w in words)
    titled = len(words) == 2 and words[0].lower().rstrip(".") in GENDERED_TITLES
    # Words are counted as name parts ("J. R." is one part); among equally frequent spellings the
    # wire-style compact initials ("J.R. Vance") come before spaced ones ("J. R. Vance").
    spaced_initials = bool(_SPACED_INITIALS.search(form))
    return (shouting, titled, -count, -len(parse_name(form).tokens), spaced_initials, form.isascii(),
            -len(form), form)


class NameGrouper:
    """Groups the names of a corpus; feed ``(doc_id, label, surface)`` with :meth:`add`, then
    :meth:`build` (called on first use).

    Args:
        merges: the analyst's ``{alias: canonical}`` merges.
        rejected: ``(alias, canonical)`` pairs the analyst rejected (never proposed again).
        person_labels: labels that mean "a person".
    """

    def __init__(self, merges: Mapping[str, str] | None = None,
                 rejected: Iterable[tuple[str, str]] = (),
                 person_labels: Iterable[str] = (PERSON,)) -> None:
        self.merges = {clean_surface(k): clean_surface(v) for k, v in (merges or {}).items()}
        self.person_labels = frozenset(person_labels)
        self._rejected: dict[str, set[str]] = defaultdict(set)
        for a, c in rejected:
            ka, kc = name_key(a), name_key(c)
            self._rejected[ka].add(kc)
            self._rejected[kc].add(ka)
        self._parse_cache: dict[str, tuple[str, NameParts, str]] = {}
        self.parts: dict[str, NameParts] = {}
        self.forms: dict[str, dict[str, int]] = {}    # node -> {cleaned form: mentions}
        self.labels: dict[str, dict[str, int]] = {}   # node -> {label: mentions}
        self.docs: dict[str, dict[str, dict[str, int]]] = {}  # doc -> node -> {label: mentions}
        self.first_at: dict[tuple[str, str], int] = {}  # (doc, node) -> first character offset, when known
        self.n_mentions = 0
        self._built = False
        self.uf = _UnionFind()
        self.doc_target: dict[tuple[str, str], str] = {}
        self.ambiguous: dict[tuple[str, str], tuple[str, ...]] = {}
        self.group_labels: dict[str, Counter[str]] = {}
        self.group_mentions: Counter[str] = Counter()
        self.group_keys: dict[str, list[str]] = {}
        self._display: dict[str, str] = {}
        self._merge_display: dict[str, str] = {}
        self._proposals: list[Proposal] | None = None
        self._label_candidates: list[tuple[str, str, str, str]] = []
        self.skipped_buckets = 0

    # -- input ----------------------------------------------------------------------------------
    def _parse(self, surface: str) -> tuple[str, NameParts, str]:
        """``(form, parts, node key)``; a surname with a gendered title ("Mr. Pires") keeps its
        title in form and key, so that it can tell two people of that surname apart."""
        hit = self._parse_cache.get(surface)
        if hit is None:
            clean = clean_surface(surface)
            parts = parse_name(clean)
            key = parts.key
            if len(parts.tokens) == 1:
                words = _WS.sub(" ", surface).strip().split(" ")
                if len(words) > 2 and words[0].lower() == "the":
                    words = words[1:]
                gender = GENDERED_TITLES.get(words[0].lower().rstrip(".")) if len(words) == 2 else None
                if gender:
                    clean, key = f"{words[0]} {clean}", f"{key}\x1e{gender}"
            hit = (clean, parts, key)
            self._parse_cache[surface] = hit
        return hit

    def node_of(self, surface: str, label: str | None = None) -> str:
        """Node key of a surface form: its exact key (numeric labels get their own namespace)."""
        _, parts, key = self._parse(surface)
        return f"{label}\x1f{parts.key}" if label in NUMERIC_LABELS else key

    def add(self, doc_id: str, label: str, surface: str, count: int = 1, start: int | None = None) -> str | None:
        """Record ``count`` mentions of ``surface`` with ``label`` in ``doc_id``; returns the node
        key (None for an empty name).  ``start``: offset of the first of these mentions in the
        document, which lets a bare surname shared by two people go to the one the document had
        introduced when it first used it."""
        clean, parts, key = self._parse_cache.get(surface) or self._parse(surface)
        if not parts.tokens:
            return None
        node = f"{label}\x1f{parts.key}" if label in NUMERIC_LABELS else key
        if node not in self.parts:
            self.parts[node], self.forms[node], self.labels[node] = parts, {}, {}
        forms, labels = self.forms[node], self.labels[node]
        forms[clean] = forms.get(clean, 0) + count
        labels[label] = labels.get(label, 0) + count
        doc = self.docs.get(doc_id)
        if doc is None:
            doc = self.docs[doc_id] = {}
        here = doc.get(node)
        if here is None:
            here = doc[node] = {}
        here[label] = here.get(label, 0) + count
        if start is not None:
            at = self.first_at.get((doc_id, node))
            if at is None or start < at:
                self.first_at[(doc_id, node)] = start
        self.n_mentions += count
        self._built = False
        return node

    # -- grouping -------------------------------------------------------------------------------
    def _is_numeric(self, node: str) -> bool:
        return "\x1f" in node

    def _has_person(self, node: str) -> bool:
        return any(lab in self.person_labels for lab in self.labels.get(node, ()))

    def _root_is_person(self, root: str) -> bool:
        return root in self._person_roots

    def build(self) -> NameGrouper:
        """Compute groups (automatic merges), in-document resolutions and proposals."""
        self.uf = _UnionFind()
        self.doc_target, self.ambiguous, self._label_candidates = {}, {}, []
        self._merge_display = {}
        self.skipped_buckets = 0
        union = self.uf.union
        # Rule 4: the analyst's merges (alias node joins canonical node).
        for alias, canonical in self.merges.items():
            ka, kc = parse_name(alias).key, parse_name(canonical).key
            if not ka or not kc:
                continue
            self.parts.setdefault(kc, parse_name(canonical))
            self.parts.setdefault(ka, parse_name(alias))
            union(kc, ka)
            self._merge_display[kc] = canonical
        # A titled surname ("Ms Doe") is the bare surname unless the project has the surname with
        # both a man's and a woman's title ("Ms Pires" and "Mr. Pires": two people).
        genders: dict[str, list[str]] = defaultdict(list)
        for node in self.parts:
            if "\x1e" in node:
                genders[node.split("\x1e")[0]].append(node)
        for base, titled in genders.items():
            if len({t.split("\x1e")[1] for t in titled}) == 1:
                for t in titled:
                    if base in self.parts:
                        union(base, t)
        # Rule 2: PERSON full names with the same skeleton.
        by_skeleton: dict[str, list[str]] = defaultdict(list)
        for node, parts in self.parts.items():
            if not self._is_numeric(node) and parts.is_full and self._has_person(node):
                by_skeleton[skeleton(node)].append(node)
        for nodes in by_skeleton.values():
            if len(nodes) > MAX_BUCKET:
                self.skipped_buckets += 1
                continue
            for other in nodes[1:]:
                union(nodes[0], other)
        self._full_nodes = {n for n, p in self.parts.items() if p.is_full and not self._is_numeric(n)}
        self._acronym_of = {n: a for n in self._full_nodes if (a := acronym(self.parts[n]))}
        self._place_of = {n: w for n in self._full_nodes if (w := place_word(self.parts[n]))
                          and any(lab in PLACE_LABELS for lab in self.labels[n])}
        self._acronym_nodes = {n for n, p in self.parts.items()
                               if len(p.tokens) == 1 and not self._is_numeric(n) and 2 <= len(n) <= 6
                               and (p.initials[0] or any(f.isupper() for f in self.forms[n]))}
        self._collect_group_labels(direct_only=True)
        # Rule 3: shorter forms inside each document.
        for doc_id, doc_nodes in self.docs.items():
            self._resolve_document(doc_id, doc_nodes)
        self._join_resolved_acronyms()
        self._collect_group_labels(direct_only=False)
        self._display = {}
        self._proposals = None
        self._built = True
        return self

    def _collect_group_labels(self, direct_only: bool) -> None:
        """Label counts, mention counts and node keys per group root (mentions placed by the
        in-document resolutions unless ``direct_only``); linear in names + resolutions."""
        find = self.uf.find
        labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        mentions: Counter[str] = Counter()
        keys: dict[str, list[str]] = defaultdict(list)
        for node in self.parts:
            keys[find(node)].append(node)
        for node, counts in self.labels.items():
            root = labels[find(node)]
            for lab, n in counts.items():
                root[lab] += n
            mentions[find(node)] += sum(counts.values())
        if not direct_only:  # move resolved mentions from their own group to their target's
            for (doc_id, node), target in self.doc_target.items():
                src, dst = find(node), find(target)
                for lab, n in self.docs[doc_id][node].items():
                    labels[src][lab] -= n
                    labels[dst][lab] += n
                    mentions[src] -= n
                    mentions[dst] += n
        self.group_labels = {r: Counter({lab: n for lab, n in c.items() if n > 0}) for r, c in labels.items()}
        self.group_keys, self.group_mentions = dict(keys), mentions
        self._person_roots = {r for r, c in self.group_labels.items() if majority_label(c) in self.person_labels}

    def _person_here(self, doc_labels: Mapping[str, int], node: str) -> bool:
        if "\x1e" in node:  # "Mr. Salgado" is a person whatever the tagger said
            return True
        return any(lab in self.person_labels for lab in doc_labels) or self._root_is_person(self.uf.find(node))

    def _resolve_document(self, doc_id: str, nodes: Mapping[str, Mapping[str, int]]) -> None:
        find = self.uf.find
        full_nodes = self._full_nodes
        fulls = [n for n, labs in nodes.items() if n in full_nodes and self._person_here(labs, n)]
        if not fulls:
            target: dict[str, str] = {}
            self._resolve_short_names(nodes, target)
            for n, t in target.items():
                self.doc_target[(doc_id, n)] = t
            return
        by_surname: dict[str, list[str]] = defaultdict(list)
        for n in fulls:
            by_surname[self.parts[n].surname].append(n)
        target = {}
        for n in fulls:
            a = self.parts[n]
            cands = {find(b) for b in by_surname[a.surname]
                     if b != n and find(b) != find(n) and is_short_form(a, self.parts[b])}
            # a longer form that is itself a short form of something else resolves further below
            if len(cands) == 1:
                target[n] = next(iter(cands))
            elif len(cands) > 1:
                self.ambiguous[(doc_id, n)] = tuple(sorted(cands))
        for n in list(target):
            seen = {n}
            t = target[n]
            while t in target and t not in seen:  # chains: "A. Pires" -> "Ana Pires" -> "Ana Maria Pires"
                seen.add(t)
                t = target[t]
            target[n] = find(t)
        roots_by_surname: dict[str, set[str]] = defaultdict(set)
        for n in fulls:
            roots_by_surname[self.parts[n].surname].add(target.get(n, find(n)))
        for n, labs in nodes.items():
            tokens = self.parts[n].tokens
            if len(tokens) != 1 or tokens[0] not in roots_by_surname or self._is_numeric(n):
                continue  # only one-word names that are the surname of a full name here
            sur = tokens[0]
            roots = roots_by_surname[sur] - {find(n)}
            if not roots:
                continue
            if len(roots) > 1:
                namesakes = [f for f in fulls if self.parts[f].surname == sur]
                gender = n.split("\x1e")[1] if "\x1e" in n else None
                if gender:  # "Ms Pires" with Ana and Rui Pires here: Ana
                    roots = {target.get(f, find(f)) for f in namesakes
                             if first_name_gender(self.parts[f].tokens[0]) == gender} - {find(n)}
                if len(roots) != 1:
                    roots = self._introduced_before(doc_id, n, namesakes, target) - {find(n)}
            if len(roots) != 1 or find(n) in roots_by_surname[sur]:
                self.ambiguous[(doc_id, n)] = tuple(sorted(roots_by_surname[sur]))
                continue
            root = next(iter(roots))
            if self._person_here(labs, n):
                target[n] = root
            else:
                self._label_candidates.append((doc_id, n, root, "/".join(sorted(labs))))
        self._resolve_short_names(nodes, target)
        for n, t in target.items():
            self.doc_target[(doc_id, n)] = t

    def _join_resolved_acronyms(self) -> None:
        """An acronym that every document spelling it out resolves to the same name ("N.U.R." with
        "National Union of Railworkers") is that name also where a document never spells it out.
        Only acronyms: a bare surname seen with one full name elsewhere stays a proposal."""
        find = self.uf.find
        targets: dict[str, set[str]] = defaultdict(set)
        for (doc_id, node), t in self.doc_target.items():
            if node in self._acronym_nodes and (doc_id, node) not in self.ambiguous:
                targets[node].add(find(t))
        ambiguous = {node for _, node in self.ambiguous}
        for node, roots in targets.items():
            if len(roots) == 1 and node not in ambiguous:
                self.uf.union(next(iter(roots)), node)

    def _introduced_before(self, doc_id: str, node: str, fulls: list[str], target: Mapping[str, str]) -> set[str]:
        """People among ``fulls`` whose full name the document gives before it first uses the bare
        surname ``node``: "Ana Pires ... Pires said ... Rui Pires" makes that "Pires" Ana.  When
        both were introduced first (or positions are unknown) the surname stays ambiguous."""
        at = self.first_at.get((doc_id, node))
        if at is None:
            return set()
        find = self.uf.find
        return {target.get(f, find(f)) for f in fulls
                if (f_at := self.first_at.get((doc_id, f))) is not None and f_at < at}

    def _resolve_short_names(self, nodes: Mapping[str, Mapping[str, int]], target: dict[str, str]) -> None:
        """Acronyms ("NUR" -> "National Union of Railworkers") and places without their feature
        word ("Tavren" tagged LOC -> "Tavren River") inside one document, when unique."""
        find = self.uf.find
        by_acronym: dict[str, set[str]] = defaultdict(set)
        by_place: dict[str, set[str]] = defaultdict(set)
        for n in nodes:
            if n in self._acronym_of:
                by_acronym[self._acronym_of[n]].add(find(n))
            if n in self._place_of:
                by_place[self._place_of[n]].add(find(n))
        if not by_acronym and not by_place:
            return
        # surnames of the people this document names in full: "Jordan" next to "Ali Jordan" is him
        surnames = {self.parts[m].surname for m in nodes
                    if m in self._full_nodes and self._person_here(nodes[m], m)}
        for n, labs in nodes.items():
            if n in target or " " in n or self._is_numeric(n):
                continue
            if n in self._acronym_nodes and n in by_acronym:
                roots = by_acronym[n] - {find(n)}
            elif n in by_place and (any(lab in PLACE_LABELS for lab in labs) or n not in surnames):
                # the tagger may call the bare "Tavren" a person or an organisation: the document's
                # "Tavren River" decides, unless the document names a person of that surname
                roots = by_place[n] - {find(n)}
            else:
                continue
            if len(roots) == 1:
                target[n] = next(iter(roots))

    # -- queries --------------------------------------------------------------------------------
    def _ensure(self) -> None:
        if not self._built:
            self.build()

    def root_of(self, doc_id: str, node: str) -> str:
        """Group root of a node seen in document ``doc_id``."""
        self._ensure()
        return self.uf.find(self.doc_target.get((doc_id, node), node))

    def resolve(self, surface: str, doc_id: str | None = None, label: str | None = None) -> str:
        """Group root of any name string, seen or not (``doc_id`` optional): in-document
        resolution first, then the name's own group, then a PERSON full name with the same
        skeleton; an unknown name is its own group (its exact key)."""
        self._ensure()
        find = self.uf.find
        _, parts, key = self._parse(surface)
        if not parts.tokens:
            return ""
        node = f"{label}\x1f{parts.key}" if label in NUMERIC_LABELS else key
        if doc_id is not None and (doc_id, node) in self.doc_target:
            return find(self.doc_target[(doc_id, node)])
        if self._is_numeric(node):
            return find(node)
        doc_nodes = self.docs.get(doc_id) if doc_id is not None else None
        if doc_nodes is not None and node not in doc_nodes and (label is None or label in self.person_labels):
            hit = self._resolve_unseen_in_doc(doc_nodes, parts)
            if hit:
                return hit
        if node in self.parts:
            return find(node)
        if parts.is_full and (label is None or label in self.person_labels):
            roots = {find(n) for n in self._skeleton_index().get(skeleton(node), ())}
            if len(roots) == 1:
                return next(iter(roots))
        return node

    def _resolve_unseen_in_doc(self, doc_nodes: Mapping[str, Mapping[str, int]], parts: NameParts) -> str:
        find = self.uf.find
        roots: set[str] = set()
        for n, labs in doc_nodes.items():
            b = self.parts[n]
            if self._is_numeric(n) or not b.is_full or not self._person_here(labs, n):
                continue
            if (len(parts.tokens) == 1 and b.surname == parts.tokens[0]) or is_short_form(parts, b):
                roots.add(find(n))
        return next(iter(roots)) if len(roots) == 1 else ""

    def _skeleton_index(self) -> dict[str, list[str]]:
        index = getattr(self, "_skel_cache", None)
        if index is None or index[0] is not self.uf:
            built: dict[str, list[str]] = defaultdict(list)
            for node, parts in self.parts.items():
                if not self._is_numeric(node) and parts.is_full and self._has_person(node):
                    built[skeleton(node)].append(node)
            index = (self.uf, dict(built))
            self._skel_cache = index
        return index[1]

    def display(self, root: str) -> str:
        """Canonical name of a group: a merge target as the analyst typed it, else the most
        frequent form of its fullest names (forms that are shorter forms of another name of the
        group are left out; all-caps forms last; ties: more words, with diacritics, longer)."""
        self._ensure()
        if root in self._display:
            return self._display[root]
        keys = self.group_keys.get(root, [root])
        targets = [k for k in keys if k in self._merge_display]
        if targets:
            aliases = {parse_name(a).key for a in self.merges}
            best = sorted(targets, key=lambda k: (k in aliases, k))[0]
            name = self._merge_display[best]
        else:
            full = [k for k in keys if k in self.parts and self.parts[k].is_full] or keys
            if 1 < len(full) <= MAX_BUCKET:
                longest = [k for k in full
                           if not any(is_short_form(self.parts[k], self.parts[o]) for o in full if o != k)]
                full = longest or full
            forms: Counter[str] = Counter()
            for k in full:
                forms.update(self.forms.get(k, {}))
            name = min(forms.items(), key=lambda kv: _display_rank(*kv))[0] if forms else root.split("\x1f")[-1]
        self._display[root] = name
        return name

    def label_of(self, root: str) -> str:
        """Majority label of a group (ties: PERSON first, then alphabetical)."""
        self._ensure()
        return majority_label(self.group_labels.get(root, {}))

    # -- proposals ------------------------------------------------------------------------------
    def _rejected_pair(self, a_root: str, b_root: str) -> bool:
        b_keys = set(self.group_keys.get(b_root, [b_root]))
        return any(self._rejected.get(k, set()) & b_keys for k in self.group_keys.get(a_root, [a_root]))

    def proposals(self) -> list[Proposal]:
        """Uncertain merges between groups (see the module docstring), most mentioned first."""
        self._ensure()
        if self._proposals is not None:
            return self._proposals
        live = {r for r, n in self.group_mentions.items() if n > 0}
        docs_of: dict[str, list[str]] = defaultdict(list)
        for doc_id, nodes in self.docs.items():
            for node in nodes:
                root = self.root_of(doc_id, node)
                if not docs_of[root] or docs_of[root][-1] != doc_id:
                    docs_of[root].append(doc_id)
        found: dict[frozenset[str], Proposal] = {}

        def offer(alias_root: str, canon_root: str, rule: str, why: str) -> None:
            pair = frozenset((alias_root, canon_root))
            if (alias_root == canon_root or pair in found or alias_root not in live or canon_root not in live
                    or self._rejected_pair(alias_root, canon_root)):
                return
            alias, canon = self.display(alias_root), self.display(canon_root)
            docs = docs_of.get(alias_root, [])
            n_a, n_c = self.group_mentions[alias_root], self.group_mentions[canon_root]
            evidence = (f"{why}; {alias!r}: {n_a} mention(s) in {len(docs)} document(s) "
                        f"(e.g. {', '.join(docs[:3])}); {canon!r}: {n_c} mention(s) in "
                        f"{len(docs_of.get(canon_root, []))} document(s)")
            found[pair] = Proposal(alias, canon, rule, evidence, n_a, n_c, tuple(docs[:20]))

        self._offer_labels(offer)
        self._offer_surnames(live, offer)
        self._offer_acronyms_and_places(live, offer)
        # 3./4. spelling variants and one-letter differences, through blocking keys.
        self._offer_variants(live, offer)
        self._proposals = sorted(found.values(), key=lambda p: (-(p.alias_mentions + p.canonical_mentions),
                                                                  p.alias.casefold(), p.canonical.casefold()))
        return self._proposals

    def _offer_labels(self, offer) -> None:  # noqa: ANN001 - local callback
        """Rule 1, label: a one-word non-PERSON mention, the surname of its document's only person."""
        find = self.uf.find
        # 1. label: a one-word non-PERSON mention, the surname of its document's only person.
        by_pair: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for doc_id, node, root, labs in self._label_candidates:
            by_pair[(find(node), find(root))].append((doc_id, labs))
        for (alias_root, canon_root), where in sorted(by_pair.items()):
            labs = "/".join(sorted({lab for _, lab in where}))
            offer(alias_root, canon_root, "label",
                  f"tagged {labs} in {len(where)} document(s) whose only person with that surname is "
                  f"{self.display(canon_root)!r}")

    def _offer_surnames(self, live: set[str], offer) -> None:  # noqa: ANN001 - local callback
        """Rule 2, surname / shorter form across documents: exactly one full PERSON name in the project."""
        # 2. surname / shorter form across documents: exactly one full PERSON name in the project.
        by_surname: dict[str, set[str]] = defaultdict(set)
        by_surname_skel: dict[str, set[str]] = defaultdict(set)
        full_keys: dict[str, list[str]] = defaultdict(list)
        for root in sorted(live):
            if not self._root_is_person(root):
                continue
            for k in self.group_keys.get(root, []):
                if k in self.parts and not self._is_numeric(k) and self.parts[k].is_full:
                    full_keys[root].append(k)
                    by_surname[self.parts[k].surname].add(root)
                    by_surname_skel[skeleton_word(self.parts[k].surname)].add(root)
        for root in sorted(live):
            labels: Mapping[str, int] = self.group_labels.get(root, Counter())
            if not any(lab in self.person_labels for lab in labels):
                continue
            keys = [k for k in self.group_keys.get(root, []) if k in self.parts and not self._is_numeric(k)]
            if not keys:
                continue
            if all(len(self.parts[k].tokens) == 1 for k in keys):
                for k in keys:
                    sur = self.parts[k].tokens[0]
                    cands = by_surname.get(sur, set()) - {root}
                    why = f"the only person in the project with the surname {k!r}"
                    if not cands:
                        cands = by_surname_skel.get(skeleton_word(sur), set()) - {root}
                        why = f"the only person in the project with a surname spelled like {k!r}"
                    if len(cands) == 1:
                        offer(root, next(iter(cands)), "surname", why)
                        break
                continue
            for k in keys:
                a = self.parts[k]
                if not a.is_full:
                    continue
                bucket = by_surname.get(a.surname, set()) - {root}
                if not bucket or len(bucket) > MAX_BUCKET:
                    continue
                cands = {b for b in bucket if any(is_short_form(a, self.parts[o]) for o in full_keys[b])}
                if len(cands) == 1:
                    offer(root, next(iter(cands)), "surname",
                          f"{self.display(root)!r} is a shorter form of the only matching full name")
                    break

    def _offer_acronyms_and_places(self, live: set[str], offer) -> None:  # noqa: ANN001 - local callback
        """Rule 2b, acronyms and places without their feature word, across documents."""
        find = self.uf.find
        # 2b. acronyms and places without their feature word, across documents.
        by_acronym: dict[str, set[str]] = defaultdict(set)
        by_place: dict[str, set[str]] = defaultdict(set)
        for node, acr in self._acronym_of.items():
            if find(node) in live:
                by_acronym[acr].add(find(node))
        for node, w in self._place_of.items():
            if find(node) in live:
                by_place[w].add(find(node))
        for root in sorted(live):
            keys = [k for k in self.group_keys.get(root, []) if k in self.parts]
            if not keys or any(" " in k or "\x1f" in k for k in keys):
                continue
            for k in keys:
                if k in self._acronym_nodes and len(cands := by_acronym.get(k, set()) - {root}) == 1:
                    offer(root, next(iter(cands)), "acronym",
                          f"{self.display(root)!r} is the initials of the only name in the project spelled so")
                    break
                # a proposal, so the tagger's label does not gate it ("Tavren" tagged PERSON by the model)
                if len(cands := by_place.get(k, set()) - {root}) == 1:
                    offer(root, next(iter(cands)), "place",
                          f"{self.display(root)!r} is the only place in the project named so with a feature word")
                    break

    def _offer_variants(self, live: set[str], offer) -> None:  # noqa: ANN001 - local callback
        find = self.uf.find
        nodes = [n for n in self.parts if "\x1f" not in n and "\x1e" not in n and find(n) in live]
        skel = {n: skeleton(n).split(" ") for n in nodes}
        blocks: dict[tuple, list[str]] = defaultdict(list)
        for n in nodes:
            words = skel[n]
            blocks[("=", " ".join(words))].append(n)
            for i, w in enumerate(words):
                if len(w) < MIN_EDIT_LEN - 1:
                    continue
                rest = (i, len(words), *words[:i], *words[i + 1:])
                blocks[(*rest, w)].append(n)
                for p in range(len(w)):
                    blocks[(*rest, w[:p] + w[p + 1:])].append(n)
        seen: set[frozenset[str]] = set()
        for bkey, members in blocks.items():
            members = list(dict.fromkeys(members))
            if len(members) < 2:
                continue
            if len(members) > MAX_BUCKET:
                self.skipped_buckets += 1
                continue
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    a, b = members[x], members[y]
                    ra, rb = find(a), find(b)
                    pair = frozenset((ra, rb))
                    if ra == rb or pair in seen:
                        continue
                    if self.label_of(ra) != self.label_of(rb):
                        continue
                    rule, why = self._variant(a, b, skel[a], skel[b], bkey[0] == "=")
                    if not rule:
                        continue
                    seen.add(pair)
                    ka = (self.group_mentions[ra], -len(self.display(ra)), self.display(ra))
                    kb = (self.group_mentions[rb], -len(self.display(rb)), self.display(rb))
                    alias_root, canon_root = (ra, rb) if ka < kb else (rb, ra)
                    offer(alias_root, canon_root, rule, why)

    def _variant(self, a: str, b: str, sa: list[str], sb: list[str], same_skeleton: bool) -> tuple[str, str]:
        if same_skeleton:
            return "spelling", f"{a!r} and {b!r} are spelled the same after transliteration folding"
        if len(sa) != len(sb):
            return "", ""
        diff = [i for i, (x, y) in enumerate(zip(sa, sb, strict=True)) if x != y]
        if len(diff) != 1:
            return "", ""
        i = diff[0]
        edit = one_edit(sa[i], sb[i])
        longer = max(len(sa[i]), len(sb[i]))
        if edit is None or longer < MIN_EDIT_LEN:
            return "", ""
        kind, pos = edit
        if kind == "sub" and pos == 0:
            return "", ""  # Gambia / Zambia
        pa = self.parts[a]
        surname_at = len(sa) - 1 - [t in SUFFIXES for t in reversed(pa.tokens)].index(False) \
            if not all(t in SUFFIXES for t in pa.tokens) else len(sa) - 1
        if i != surname_at and pos >= longer - 2:
            return "", ""  # given names: Maria / Mario, Daniela / Daniele
        return "one-letter", f"{a!r} and {b!r} differ by one letter"
