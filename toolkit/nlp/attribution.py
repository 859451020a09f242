"""Who said it: document-level attribution of quotations and claims, over a spaCy parse.

A news reader attributes a quotation with what the whole article has told
them so far, not with one sentence: ``he`` is the man last named, ``the
airline`` is the company the article introduced as an airline, a paragraph
that opens with a quotation mark and names no one goes on with the previous
speaker.  :class:`DocumentAttribution` does the same with rules over the
parse of one ``Doc`` (no coreference model):

* a **mentions table**: every PERSON / ORG / GPE / NORP entity (and proper
  nouns the tagger missed that are subjects of reporting verbs), titles
  stripped (``President Dario Venn`` -> ``Dario Venn``), grouped into
  :class:`Entity` records by surname / short form, each with its fullest name,
  its kind and a gender when the article gives one (``Mr``/``Ms``, a common
  first name, an unambiguous ``he``/``his`` or ``she``/``her`` in a sentence
  that names only that person);
* a **role registry**: roles the article gives a name (``the chief negotiator,
  Ana Pires,``, ``Ana Pires, the chief negotiator``, ``Prime Minister Ana Pires``,
  ``budget airline Kestrel Air``, ``X, the airline's chief executive``), so that
  ``the negotiator said`` resolves to Ana Pires when exactly one entity holds
  that role;
* **speakers of reporting verbs** (``X said``, ``said X``, ``X told
  reporters``, ``according to X``, ``X's spokesperson said``), resolved in
  document order: a pronoun goes to the most recent compatible entity
  (subjects first, sentence by sentence backwards, across paragraphs),
  a role to its registered holder, a name to its fullest form; a common noun
  that is not a person (``the report``, ``comments``) gives no speaker;
* **speakers of quotations**: the attribution after the quotation in the same
  sentence (``“…,” she said``), before it (``X said: “…”``, ``X said the plan
  was “…”``), in a preceding sentence ending with a colon, a bare attribution
  sentence right after it (``“Is it fair?” she asked.``), a quotation that
  goes on after its attribution in the same paragraph (``“…,” he said. “…”``)
  and a paragraph that opens with a quotation mark without attribution
  (the newspaper convention: it continues the previous paragraph's speaker).

Every result carries ``cues`` that say how the speaker was found, or why it
was left empty.  All passes are linear in the document (the pronoun
search looks back a bounded number of sentences).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..gender import first_name_gender
from ..quotes import Quotation, find_quotations
from .snap import TokenIndex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "ATTRIBUTION_VERBS",
    "REPORTING_VERBS",
    "Attribution",
    "DocumentAttribution",
    "Entity",
    "Mention",
    "find_speaker",
    "first_name_gender",
    "is_reporting_verb",
    "sentence_bounds",
    "strip_title",
]

# --------------------------------------------------------------------------- word lists

#: Lemmas of verbs that attribute speech or a claim to someone (a claim candidate cue).
REPORTING_VERBS = frozenset(
    """say tell claim warn accuse add insist deny argue state announce explain report confirm note write allege admit
    acknowledge suggest predict promise declare reply respond urge describe maintain contend assert stress emphasise
    emphasize recall testify tweet post comment estimate forecast concede reveal complain vow pledge threaten criticise
    criticize dismiss reject caution observe remark mention disclose conclude dispute expect""".split()
)
#: Verbs that introduce a quotation (besides :data:`REPORTING_VERBS`): "she asked: “…”", "he called it “…”".
ATTRIBUTION_VERBS = REPORTING_VERBS | frozenset(
    """ask answer call dub label term brand shout yell cry whisper mutter exclaim joke quip laugh sigh scoff retort
    counter continue plead demand agree wonder muse put quote tell text email proclaim recount attack condemn denounce
    hail praise slam blast""".split()
)
# Verbs that also have a non-reporting sense ("add 3 points", "post a loss"): they count
# as attribution only without a direct object.
_AMBIGUOUS_VERBS = frozenset(
    {"add", "note", "report", "post", "write", "observe", "state", "expect", "estimate", "continue", "put", "answer"}
)
# Verbs that name what is said by a quotation that is their complement ("called the plan “a disgrace”").
_NAMING_VERBS = frozenset({"call", "dub", "label", "term", "brand", "describe", "attack", "slam", "blast"})

# Titles and honorifics stripped from the front of a person's name (lower case, no final dot).
_TITLES = frozenset(
    """mr mrs ms miss mx mister madam dr doctor prof professor sir dame lord lady president vice prime minister
    premier chancellor senator sen rep representative gov governor mayor judge justice gen general col colonel capt
    captain lt lieutenant sgt sergeant adm admiral cmdr commander king queen prince princess pope rev reverend father
    sheikh ambassador secretary commissioner chairman chairwoman chair chief deputy foreign finance defence defense
    interior economy health trade justice state first lady sec attorney inspector detective superintendent officer
    councillor councilor mp mep ceo coach director""".split()
)
_MALE_HONORIFICS = frozenset({"mr", "mister", "sir", "lord", "king", "prince", "father"})
_FEMALE_HONORIFICS = frozenset({"mrs", "ms", "miss", "madam", "dame", "lady", "queen", "princess"})
_HONORIFICS = _MALE_HONORIFICS | _FEMALE_HONORIFICS | {"dr", "mx", "prof", "rev"}


# Common nouns that name a person by what they do: the subject of "said" can be one, and the
# article may tell who holds it.
_PERSON_NOUNS = frozenset(
    """leader minister president premier chancellor negotiator spokesperson spokesman spokeswoman official aide
    adviser advisor secretary chairman chairwoman chair director executive chief head manager officer mayor governor
    senator ambassador envoy diplomat lawyer attorney analyst economist researcher expert scientist engineer professor
    teacher farmer resident witness victim survivor father mother son daughter wife husband owner founder candidate
    activist campaigner organiser organizer commissioner commander general judge prosecutor investigator inspector
    detective police policeman policewoman doctor nurse author writer journalist reporter editor president-elect
    representative delegate member mp lawmaker legislator politician minister-president king queen prince princess
    captain coach player driver pilot worker employee union""".split()
)
# Common nouns that stand for an organisation ("the airline said").
_ORG_NOUNS = frozenset(
    """airline carrier company firm group bank ministry department agency government council network broadcaster
    channel newspaper paper union party club team league association federation institute university school hospital
    court commission committee board authority office regulator operator maker manufacturer retailer insurer lender
    investor fund charity organisation organization army military navy police embassy consortium utility coalition
    alliance bloc cabinet administration parliament congress senate station studio publisher developer supplier
    corporation body watchdog institution outlet broadcaster mediator""".split()
)
# Organisation nouns that any company can be called; the others ("the bank", "the union") must match the name.
_GENERIC_ORG_NOUNS = frozenset(
    """airline carrier company firm group operator network broadcaster channel newspaper paper maker manufacturer
    retailer insurer lender developer publisher supplier utility station studio club team charity fund consortium
    business employer organisation organization corporation outlet broadcaster regulator watchdog""".split()
)
# Organisation nouns whose holders carry the word in their name: "the union" must be a "... Union".
_NAMED_ORG_NOUNS = frozenset(
    """ministry union bank party court council university parliament embassy police army navy committee commission
    congress senate""".split()
)
# Nouns for what speaks for its owner: "Calder Rail's figures", "a message on the airline's website".
_DOCUMENT_NOUNS = frozenset(
    """statement message website site figure figures data datum report letter notice release post account tweet email
    filing announcement memo document note""".split()
)
# Words that make a name an organisation's ("Kestrel Air", "Harbour Workers Union").
_ORG_NAME_WORDS = frozenset(
    """air airlines airways bank group corp corporation inc ltd llc plc co company union council ministry agency
    institute research network press wire news times post herald university college party association federation
    authority court commission committee board office fund foundation partners holdings energy motors systems
    technologies industries shipping railways telecom media broadcasting bureau department service services minerals
    mining rail railway oil gas steel foods pharma airline association agency board network corporation""".split()
)

# Spokesperson-like nouns: "Venn Corp's spokesperson said" speaks for Venn Corp.
_PROXY_NOUNS = frozenset(
    """spokesperson spokesman spokeswoman spokespeople representative representatives lawyer lawyers attorney economist
    analyst researcher expert office team campaign camp aide aides""".split()
)
_MALE_NOUNS = frozenset({"spokesman", "chairman", "businessman", "father", "son", "husband", "king", "prince"})
_FEMALE_NOUNS = frozenset({"spokeswoman", "chairwoman", "businesswoman", "mother", "daughter", "wife", "queen"})

_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_NOT_SPEAKER_LABELS = frozenset(
    {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "WORK_OF_ART", "LAW", "EVENT", "PRODUCT"}
)
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Verbs that put their speaker after them in news style ("…,” said Ana Pires).
_INVERTING_VERBS = frozenset(
    "say add ask write continue reply explain insist note recall warn answer tell declare argue admit".split()
)
_TITLE_DEPS = frozenset({"compound", "amod", "nmod", "npadvmod"})
_CLIMB_DEPS = frozenset({"conj", "xcomp", "advcl", "ccomp", "pcomp"})
_MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
_FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})
_SPEAKER_PRONOUNS = frozenset({"he", "she", "it", "they"})
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
# How far back (in sentences) a pronoun looks for its antecedent.
_PRONOUN_WINDOW = 12
# A bare attribution after a quotation ("“Is it fair?” she asked.") starts within this many tokens.
_AFTER_REACH = 8

_DOT_RE = re.compile(r"\.$")


# --------------------------------------------------------------------------- small pure helpers


def strip_title(words: Sequence[str]) -> list[str]:
    """A name without leading titles and honorifics: ``["President", "Dario", "Venn"]`` -> ``["Dario", "Venn"]``.

    Leading lower-case words ("chief negotiator Ana Pires") go too; the last word always stays.
    """
    out = list(words)
    while len(out) > 1 and (_DOT_RE.sub("", out[0]).lower() in _TITLES or not out[0][:1].isupper()):
        out.pop(0)
    return out


def _mods_match(query: frozenset[str], known: frozenset[str]) -> bool:
    """Every modifier of the query names one the role was introduced with ("Ostrandi" ~ "Ostrand")."""
    for q in query:
        if q in known:
            continue
        if not any(len(q) >= 4 and len(k) >= 4 and (q.startswith(k) or k.startswith(q)) for k in known):
            return False
    return True


def _pronoun_class(word: str) -> str:
    """``"m"``, ``"f"``, ``"it"`` or ``"they"`` for a personal or possessive pronoun."""
    if word in _MALE_PRONOUNS:
        return "m"
    if word in _FEMALE_PRONOUNS:
        return "f"
    return "it" if word in ("it", "its", "itself") else "they"


# --------------------------------------------------------------------------- records


@dataclass(eq=False)
class Entity:
    """One person or organisation the article names (all its mentions grouped)."""

    words: tuple[str, ...]  # the fullest name's words, lower case
    label_votes: Counter[str] = field(default_factory=Counter)
    gender_votes: Counter[str] = field(default_factory=Counter)
    mentions: list[Mention] = field(default_factory=list)
    best: Mention | None = None  # the mention with the fullest name
    starts: list[int] = field(default_factory=list)  # first token of each mention, sorted
    unquoted: list[int] = field(default_factory=list)  # the same, mentions outside quotations only

    @property
    def name(self) -> str:
        """The fullest name the article gives (as written, title stripped)."""
        return self.best.text if self.best is not None else " ".join(self.words)

    @property
    def kind(self) -> str:
        """PERSON, ORG, GPE, NORP or PROPN (unknown; PERSON when a title, first name or pronoun says so)."""
        if self.gender_votes:
            return "PERSON"
        if not self.label_votes:
            return "PERSON"
        top = self.label_votes.most_common()
        best = top[0][1]
        tied = {lab for lab, n in top if n == best}
        for lab in ("PERSON", "ORG", "GPE", "NORP"):
            if lab in tied:
                return lab
        return top[0][0]  # "PROPN": a name of unknown kind

    @property
    def gender(self) -> str | None:
        """``"m"``/``"f"`` when the article's evidence agrees, else None."""
        if len(self.gender_votes) != 1:
            return None
        return next(iter(self.gender_votes))

    def __repr__(self) -> str:
        return f"<Entity {self.name!r} {self.kind} gender={self.gender} mentions={len(self.mentions)}>"


@dataclass(eq=False)
class Mention:
    """One naming of an entity: tokens ``first..last`` (title stripped) of a Doc."""

    first: int
    last: int
    text: str
    label: str
    sent: int
    subject: bool
    quoted: bool
    entity: Entity | None = None

    def __repr__(self) -> str:
        return f"<Mention {self.text!r} {self.label} tokens {self.first}-{self.last}>"


@dataclass
class Attribution:
    """Who said something, and how that was decided.

    ``speaker`` is the fullest name (None when unknown); ``mention`` the named
    mention used (for pronouns and roles: the antecedent); ``how`` one of
    ``verb``, ``according``, ``after``, ``before``, ``colon``, ``continued``,
    ``paragraph``, ``none``; ``cues`` explain it in words.
    """

    speaker: str | None = None
    entity: Entity | None = None
    mention: Mention | None = None
    how: str = "none"
    cues: list[str] = field(default_factory=list)
    verb: int = -1  # token index of the attribution verb, -1 if none

    def but(self, how: str, cue: str) -> Attribution:
        """The same speaker, reached another way (``how``), with ``cue`` appended."""
        return Attribution(self.speaker, self.entity, self.mention, how, [cue, *self.cues], self.verb)


_NONE = Attribution()


# --------------------------------------------------------------------------- the document


class DocumentAttribution:
    """Attribution tables of one parsed document; see the module docstring.

    Build once per ``Doc`` (linear), then ask :meth:`quotation` for each
    quotation and :meth:`claim` for claim candidates without quotations.
    ``quotes`` defaults to :func:`toolkit.quotes.find_quotations` of the text.
    """

    def __init__(
        self,
        doc: Doc,
        quotes: list[Quotation] | None = None,
        index: TokenIndex | None = None,
        sents: Sequence[tuple[int, int]] | None = None,
        ents: Sequence[Span] | None = None,
        text: str | None = None,
    ) -> None:
        """``index``, ``sents`` (:func:`sentence_bounds`), ``ents`` (``list(doc.ents)``) and ``text``
        (``doc.text``) may be passed when the caller already has them (spaCy rebuilds the entities and the
        text on every access)."""
        self.doc = doc
        self.ents = list(doc.ents) if ents is None else ents
        self.text = doc.text if text is None else text
        self.index = index or TokenIndex(doc)
        self.quotes = find_quotations(self.text) if quotes is None else quotes
        n = len(doc)
        self._index_sentences(doc, sents, n)
        self._index_quotes(n)
        org_cands = self._index_tokens(doc, n)
        self.entities: list[Entity] = []
        self.mention_at: dict[int, Mention] = {}  # every token of a mention -> mention
        self.mentions_by_sent: dict[int, list[Mention]] = defaultdict(list)
        self._by_surname: dict[str, Entity] = {}  # surname of a person -> that person (first one named)
        self._by_last_word: dict[str, list[Entity]] = defaultdict(list)
        self._by_prefix: dict[str, list[Entity]] = defaultdict(list)  # first 3 letters of a name's word
        self._collect_mentions()
        self._roles: dict[str, list[tuple[frozenset[str], Entity]]] = defaultdict(list)
        self._titles: dict[int, set[str]] = {}  # id(entity) -> role nouns given as titles (not "a ...")
        self._collect_roles()
        self._collect_pronoun_genders()
        self._orgs = [e for e in self.entities if e.kind == "ORG"]
        self._attribute_anchors(doc, org_cands)
        self._by_quote: list[Attribution] | None = None

    def _index_sentences(self, doc: Doc, sents: Sequence[tuple[int, int]] | None, n: int) -> None:
        """Sentence of every token, sentence bounds and paragraph starts."""
        # sentences and paragraphs
        self.sent_of = [0] * n
        self.sent_first: list[int] = []
        self.sent_last: list[int] = []
        for k, (first, last) in enumerate(sentence_bounds(doc) if sents is None else sents):
            self.sent_first.append(first)
            self.sent_last.append(last)
            self.sent_of[first : last + 1] = [k] * (last + 1 - first)
        self.para_starts: list[int] = []
        offset = 0
        for line in self.text.split("\n"):
            if line.strip():
                self.para_starts.append(offset + len(line) - len(line.lstrip()))
            offset += len(line) + 1
        self._para_start_set = set(self.para_starts)

    def _index_quotes(self, n: int) -> None:
        """Outer quotations (nested ones share their outer's speaker) and which tokens are quoted."""
        self.quoted = [False] * n
        self.outer: list[int] = []  # indices into self.quotes
        self.outer_of: dict[int, int] = {}
        end = -1
        for qi, q in enumerate(self.quotes):
            if q.start < end:
                self.outer_of[qi] = self.outer[-1]
                continue
            self.outer.append(qi)
            self.outer_of[qi] = qi
            end = q.end
            rng = self.index.token_range(q.start, q.end)
            if rng is not None:
                for i in range(rng[0], rng[1] + 1):
                    self.quoted[i] = True

    def _index_tokens(self, doc: Doc, n: int) -> list[int]:
        """Token attributes as arrays: gendered words, proper nouns, attribution verbs, "according to";
        returns the tokens that may name an organisation by a noun ("the airline")."""
        # token attributes as arrays of string hashes (a spaCy Token object per token would cost more than
        # everything else here); Token objects only for the few candidates found
        from spacy.attrs import LEMMA, LOWER, POS, TAG

        arr = doc.to_array([POS, LOWER, LEMMA, TAG]).reshape(n, 4)
        pos, lower, lemma, tag = arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]
        h = _hashes(doc)
        outside = ~np.array(self.quoted, dtype=bool)
        self._male = np.isin(lower, h["male"]) & outside
        self._female = np.isin(lower, h["female"]) & outside
        self._propn: list[bool] = [False] * n  # a capitalised proper noun (not a weekday or month)
        for i in np.flatnonzero(pos == h["PROPN"]).tolist():
            self._propn[i] = _name_like(doc[i])
        verb_cands = np.flatnonzero((pos == h["VERB"]) & np.isin(lemma, h["verbs"]) & outside).tolist()
        self.verbs: list[int] = [i for i in verb_cands if _is_attribution_verb(doc[i])]
        nxt_to = np.append(lower[1:] == h["to"], False)
        self.according: set[int] = set(np.flatnonzero((lower == h["according"]) & nxt_to & outside).tolist())
        org_cands = np.flatnonzero((pos == h["NOUN"]) & (tag == h["NN"]) & np.isin(lemma, h["orgs"]) & outside).tolist()
        return org_cands

    def _attribute_anchors(self, doc: Doc, org_cands: list[int]) -> None:
        """Speakers of attribution verbs and "according to", in document order."""
        self._events_by_sent: dict[int, list[tuple[int, Entity, bool]]] = defaultdict(list)
        self.by_verb: dict[int, Attribution] = {}
        self._resolved: Counter[int] = Counter()  # id(entity) -> speaker resolutions through pronouns and roles
        self.anchors = sorted([*self.verbs, *self.according])  # every attribution, in document order
        # "the company's letter", "the airline": organisations named by a noun count for "it"/"they" later on
        org_nouns = [i for i in org_cands if any(c.dep_ == "det" and c.lower_ == "the" for c in doc[i].lefts)]
        verb_set = set(self.anchors)
        for i in sorted([*self.anchors, *org_nouns]):
            if i not in verb_set:
                tok = doc[i]
                got = self._org_role(tok, tok.lemma_, _phrase_text(doc, tok))
                if got.entity is not None:
                    subject = tok.dep_ in _SUBJECT_DEPS or (tok.dep_ == "poss" and tok.head.dep_ in _SUBJECT_DEPS)
                    self._events_by_sent[self.sent_of[i]].append((i, got.entity, subject))
                continue
            att = self._according(i) if i in self.according else self._verb_speaker(doc[i])
            self.by_verb[i] = att
            if att.entity is not None:
                self._events_by_sent[self.sent_of[i]].append((i, att.entity, True))
                if att.mention is None or att.mention.first < self.sent_first[self.sent_of[i]]:
                    self._resolved[id(att.entity)] += 1  # named here through a pronoun or a role

    # ------------------------------------------------------------------ mentions

    def _collect_mentions(self) -> None:
        """Mentions from the entities (and proper-noun runs the tagger missed), grouped into entities."""
        mentions = [m for a, b, label in self._name_spans() if (m := self._mention(a, b, label)) is not None]
        self._group_mentions(mentions)
        self._index_entities()

    def _name_spans(self) -> list[tuple[int, int, str]]:
        """Token ranges that may name someone: entities of name labels, and proper-noun runs the tagger missed."""
        doc = self.doc
        raw: list[tuple[int, int, str]] = []
        for ner in self.ents:
            if ner.label_ in _NAME_LABELS:
                # "Olexandr" (GPE) + "Tarnov" (NORP): one name cut in two by the tagger
                if raw and raw[-1][1] == ner.start - 1 and doc[ner.start - 1].dep_ in ("compound", "flat"):
                    a, _, lab = raw.pop()
                    raw.append((a, ner.end - 1, "PERSON" if "PERSON" in (lab, ner.label_) else "PROPN"))
                else:
                    raw.append((ner.start, ner.end - 1, ner.label_))
        in_ent = {i for a, b, _ in raw for i in range(a, b + 1)}
        # runs of capitalised proper nouns the entity tagger missed (or took for a date): "Ana Pires"
        run: list[int] = []
        for i in range(len(doc) + 1):
            if i < len(doc) and self._propn[i] and i not in in_ent:
                run.append(i)
                continue
            if run and run[-1] + 1 not in in_ent:  # a run just before a name is its title ("Transport Minister")
                raw.append((run[0], run[-1], "PROPN"))
            run = []
        # a name used as a modifier ("Veldan leader", "Kestrel Air pilots") names no speaker
        raw = [r for r in raw if not (doc[r[1]].dep_ in ("compound", "amod") and doc[r[1]].head.pos_ == "NOUN")]
        raw.sort()
        return raw

    def _mention(self, a: int, b: int, label: str) -> tuple[Mention, tuple[str, ...], str | None] | None:
        """The mention in tokens ``a..b`` (article, possessive and titles trimmed), its key words and the
        gender its honorific gives; None for a dateline or a bare title."""
        doc = self.doc
        while a < b and (doc[a].lower_ == "the" or doc[a].is_punct):
            a += 1
        while b > a and (doc[b].tag_ == "POS" or doc[b].is_punct):
            b -= 1
        words = [t.text for t in doc[a : b + 1]]
        if b == a and words[0].isupper() and len(words[0]) > 1 and doc[a].idx in self._para_start_set:
            return None  # a dateline ("LISVANE (Wire) -"), not a speaker
        gender = None
        before = doc[a - 1].text if a > 0 else ""
        for w in (words[0], before):  # honorific inside the entity or just before it
            low = _DOT_RE.sub("", w).lower()
            if low in _MALE_HONORIFICS:
                gender = "m"
            elif low in _FEMALE_HONORIFICS:
                gender = "f"
        if (
            label in ("PERSON", "PROPN")
            and gender is None
            and (any(w.lower() in _ORG_NAME_WORDS for w in words) or (len(words) == 1 and _acronym(words[0])))
        ):
            label = "ORG"
        kept = strip_title(words) if label in ("PERSON", "PROPN") or gender is not None else words
        if _DOT_RE.sub("", kept[-1]).lower() in _TITLES:
            return None  # only a title ("Mr", "Minister")
        a += len(words) - len(kept)
        if not kept[-1][:1].isalpha():
            return None
        head = doc[b]
        m = Mention(
            a,
            b,
            doc[a : b + 1].text,
            label,
            self.sent_of[a],
            head.dep_ in _SUBJECT_DEPS or (head.dep_ == "appos" and head.head.dep_ in _SUBJECT_DEPS),
            self.quoted[a],
        )
        return m, tuple(w.lower() for w in kept), gender

    def _group_mentions(self, mentions: list[tuple[Mention, tuple[str, ...], str | None]]) -> None:
        """Entities from mentions: the same words, or a shorter form (surname / first words) of a longer name."""
        by_full: dict[tuple[str, ...], Entity] = {}
        by_last: dict[str, list[Entity]] = defaultdict(list)
        by_first: dict[str, list[Entity]] = defaultdict(list)
        for m, key, gender in sorted(mentions, key=lambda x: (-len(x[1]), x[0].first)):
            ent = by_full.get(key) if gender is None else None
            if ent is None:
                ent = self._shorter_form_of(key, m, gender, by_last, by_first) or by_full.get(key)
            if ent is None:
                ent = Entity(key)
                self.entities.append(ent)
                by_last[key[-1]].append(ent)
                by_first[key[0]].append(ent)
            by_full.setdefault(key, ent)
            m.entity = ent
            ent.mentions.append(m)
            ent.label_votes[m.label] += 1
            if gender:
                ent.gender_votes[gender] += 1
            if ent.best is None:
                ent.best = m
                if len(key) > 1 and m.label in ("PERSON", "PROPN"):
                    g = first_name_gender(key[0])
                    if g:
                        ent.gender_votes[g] += 1

    def _index_entities(self) -> None:
        """Lookups by token, sentence, surname, last word and prefix."""
        for ent in self.entities:
            ent.mentions.sort(key=lambda m: m.first)
            ent.starts = [m.first for m in ent.mentions]
            ent.unquoted = [m.first for m in ent.mentions if not m.quoted]
            self._by_last_word[ent.words[-1]].append(ent)
            for prefix in {w[:3] for w in ent.words}:
                self._by_prefix[prefix].append(ent)
            if ent.kind == "PERSON" and len(ent.words) > 1:
                self._by_surname.setdefault(ent.words[-1], ent)
            for m in ent.mentions:
                for i in range(m.first, m.last + 1):
                    self.mention_at[i] = m
                if not m.quoted:
                    self.mentions_by_sent[m.sent].append(m)

    def _shorter_form_of(
        self,
        key: tuple[str, ...],
        m: Mention,
        gender: str | None,
        by_last: dict[str, list[Entity]],
        by_first: dict[str, list[Entity]],
    ) -> Entity | None:
        """The entity whose fuller name ends (a surname) or starts (an organisation's short form) with ``key``.

        Two people sharing a surname: "Ms Pires" goes to the woman, else the one named last before.
        """
        n = len(key)
        cands = [e for e in by_last.get(key[-1], []) if e.words[-n:] == key and len(e.words) > n]
        if not cands and m.label in ("ORG", "PROPN"):  # "Kestrel" for Kestrel Air; not the town "Brennock"
            cands = [
                e
                for e in by_first.get(key[0], [])
                if e.words[:n] == key and len(e.words) > n and e.best is not None and e.best.label == "ORG"
            ]
        if gender is not None and len(cands) > 1:
            cands = [e for e in cands if e.gender in (gender, None)] or cands
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0]
        before = [(max((x.first for x in e.mentions if x.first < m.first), default=-1), k) for k, e in enumerate(cands)]
        return cands[max(before)[1]]

    def _collect_roles(self) -> None:
        """Role registry: "Ostrandi leader Dario Venn", "Ana Pires, the chief negotiator", "the airline Kestrel Air"."""
        doc = self.doc
        for ent in self.entities:
            for m in ent.mentions:
                head = doc[m.last]
                # words just before the name that modify it (titles stripped from the entity included):
                # "chief negotiator", "budget airline", "Prime Minister"
                titles: list[Token] = []
                k = m.first - 1
                while (
                    k >= 0
                    and k < doc[k].head.i <= m.last
                    and doc[k].dep_ in _TITLE_DEPS
                    and not doc[k].is_punct
                    and (k not in self.mention_at or titles)
                ):
                    titles.insert(0, doc[k])
                    k -= 1
                if titles:
                    role_head = titles[-1]
                    mods = frozenset(t.lemma_.lower() for t in titles[:-1])
                    self._add_role(role_head, mods, ent, m)
                # apposition: "Ana Pires, the chief negotiator" / "the chief negotiator, Ana Pires"
                for c in head.children:
                    if c.dep_ == "appos" and c.pos_ == "NOUN":
                        self._add_role(c, _noun_mods(c), ent, m)
                if head.dep_ == "appos" and head.head.pos_ == "NOUN":
                    self._add_role(head.head, _noun_mods(head.head), ent, m)

    def _add_role(self, noun: Token, mods: frozenset[str], ent: Entity, m: Mention) -> None:
        lemma = noun.lemma_.lower()
        if not noun.text[:1].isalpha() or _DOT_RE.sub("", lemma) in _HONORIFICS:
            return
        if lemma in _PERSON_NOUNS and (m.label in ("GPE", "NORP") or _acronym(m.text)):
            return  # "the general secretary of the union, the N.U.R.": the parser's apposition is wrong
        self._roles[lemma].append((mods, ent))
        if not any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.lefts):
            self._titles.setdefault(id(ent), set()).add(lemma)  # not "a former signalman"
        # "Tarnwater, the regional water authority" is an organisation; "Ana Pires, the negotiator" a person
        if lemma in _ORG_NOUNS:
            ent.label_votes["ORG"] += 2
        elif lemma in _PERSON_NOUNS:
            ent.label_votes["PERSON"] += 2
        if lemma in _MALE_NOUNS:
            ent.gender_votes["m"] += 1
        elif lemma in _FEMALE_NOUNS:
            ent.gender_votes["f"] += 1

    def _collect_pronoun_genders(self) -> None:
        """A sentence naming one person (outside quotations) and then only he/his or only she/her: that gender."""
        for k, first in enumerate(self.sent_first):
            people = {m.entity for m in self.mentions_by_sent.get(k, []) if m.entity and m.entity.kind == "PERSON"}
            if len(people) != 1:
                continue
            (person,) = people
            start = min(m.first for m in self.mentions_by_sent[k] if m.entity is person)
            a, b = max(first, start), self.sent_last[k] + 1
            seen = {g for g, mask in (("m", self._male), ("f", self._female)) if mask[a:b].any()}
            if len(seen) == 1 and not person.gender_votes:
                person.gender_votes[seen.pop()] += 1

    # ------------------------------------------------------------------ resolving one phrase

    def _named(self, tok: Token, how: str, known: Entity | None = None) -> Attribution:
        """Speaker for a name (a token inside a mention, or the surname ``known`` of an entity), as its fullest form."""
        m = self.mention_at.get(tok.i)
        if m is None and known is not None:
            cue = f"speaker: {how} -> {known.name} (fullest name of '{tok.text}')"
            return Attribution(known.name, known, self._mention_near(known, tok.i), how, [cue])
        if m is None or m.entity is None:
            a, b = _name_range(self.doc, tok)
            words = strip_title([t.text for t in self.doc[a : b + 1]])
            return Attribution(" ".join(words), None, None, how, [f"speaker: {how} -> {' '.join(words)}"])
        ent = m.entity
        cue = f"speaker: {how} -> {ent.name}"
        if m.text != ent.name:
            cue += f" (fullest name of '{m.text}')"
        return Attribution(ent.name, ent, m, how, [cue])

    def resolve_pronoun(self, tok: Token) -> Attribution:
        """The most recent compatible entity before ``tok`` (subjects first), looking back sentence by sentence."""
        found = self._recent(tok.i, _pronoun_class(tok.lower_))
        if found is None:
            return Attribution(cues=[f"speaker: left empty, pronoun '{tok.text}' has no antecedent in the article"])
        ent, where = found
        return Attribution(
            ent.name,
            ent,
            self._mention_near(ent, tok.i),
            "pronoun",
            [f"speaker: pronoun '{tok.text}' -> {ent.name} ({where})"],
        )

    def _recent(
        self, before: int, cls: str, window: int = _PRONOUN_WINDOW, exclude: str = ""
    ) -> tuple[Entity, str] | None:
        """The entity of class ``cls`` (m, f, it, they, person; org: an organisation noun ``exclude``) last named
        before token ``before``: the nearest sentence with a candidate; in it, subjects first, then the
        best-fitting kind, then the latest.  For an organisation noun only subjects count, and not an
        organisation whose name says it is something else ("the company" is not the "... Workers Union")."""
        here = self.sent_of[before]
        for k in range(here, max(-1, here - window), -1):
            cands: list[tuple[int, int, int, Entity]] = []
            found = [(m.first, m.entity, m.subject) for m in self.mentions_by_sent.get(k, []) if m.entity is not None]
            for i, ent, subject in [*found, *self._events_by_sent.get(k, [])]:
                if i >= before or (cls == "org" and (not subject or _other_org(ent, exclude))):
                    continue
                rank = _kind_rank(ent, cls)
                if rank >= 0:
                    cands.append((int(subject), rank, i, ent))
            if cands:
                best = max(cands, key=lambda c: (c[0], c[1], c[2]))
                where = (
                    "same sentence"
                    if k == here
                    else "previous sentence"
                    if k == here - 1
                    else f"{here - k} sentences before"
                )
                return best[3], where
        return None

    def _mention_near(self, ent: Entity, before: int) -> Mention | None:
        """The entity's last named mention before token ``before`` (else its fullest mention)."""
        k = bisect_right(ent.starts, before - 1)
        return ent.mentions[k - 1] if k else ent.best

    def resolve_role(self, noun: Token) -> Attribution:
        """A role noun ("the Ostrandi leader", "the airline") -> the one entity the article gave that role."""
        lemma = noun.lemma_.lower()
        mods = _noun_mods(noun)
        phrase = _phrase_text(self.doc, noun)
        known_roles = self._roles.get(lemma, [])
        holders = {ent for known, ent in known_roles if _mods_match(mods, known)}
        if not holders:
            # "the culture minister" after "Priya Sandoval, the minister": a role introduced without qualifiers
            holders = {ent for known, ent in known_roles if not known}
        if len(holders) == 1:
            ent = next(iter(holders))
            return Attribution(
                ent.name, ent, self._mention_near(ent, noun.i), "role", [f"speaker: role '{phrase}' -> {ent.name}"]
            )
        if len(holders) > 1:
            names = ", ".join(sorted(e.name for e in holders))
            return Attribution(cues=[f"speaker: left empty, role '{phrase}' is ambiguous ({names})"])
        if lemma in _ORG_NOUNS:
            return self._org_role(noun, lemma, phrase)
        if lemma in _PERSON_NOUNS:
            if self._definite(noun) and noun.tag_ not in ("NNS", "NNPS"):
                # "Irena Marković packed her papers. The Velmarian prime minister, who ..., said": a definite
                # description right after a person is named refers to that person
                recent = self._recent(noun.i, "person", window=3)
                if recent is not None and not self._holds_other_role(recent[0], lemma):
                    return self._role_hit(recent[0], noun, phrase, f" (the person last named, {recent[1]})")
            return Attribution(cues=[f"speaker: left empty, role '{phrase}' names no one in the article"])
        return Attribution(cues=[f"speaker: left empty, subject '{phrase}' is not a person"])

    def _definite(self, noun: Token) -> bool:
        """ "the minister", "Velmaria's prime minister" (not "a minister", "its minister")."""
        return any(
            (c.dep_ == "det" and c.lower_ in ("the", "this", "that")) or (c.dep_ == "poss" and c.pos_ != "PRON")
            for c in noun.lefts
        )

    def _holds_other_role(self, ent: Entity, lemma: str) -> bool:
        """Did the article give ``ent`` a title ("the minister", "Minister X"), but never this one?"""
        held = self._titles.get(id(ent), set())
        return bool(held) and lemma not in held

    def _org_role(self, noun: Token, lemma: str, phrase: str) -> Attribution:
        """An organisation noun as speaker.

        "the Ostrandi foreign ministry" (a capitalised modifier) names the organisation itself; "the airline",
        "the bank" is the one organisation whose name says so (Kestrel Air, Harcourt Bank); else, except for nouns
        whose holders always carry the word in their name (ministry, union, bank, ...), the organisation last
        named as subject (like "it"), and for a generic noun ("the company") the one the article names most.
        """
        mods = [
            c
            for c in noun.lefts
            if c.dep_ in ("compound", "amod", "nmod") and c.text[:1].isupper() and c.text[:1].isalpha()
        ]
        if mods:
            words = tuple(t.lower_ for t in noun.lefts if t.dep_ in ("compound", "amod", "nmod")) + (noun.lower_,)
            for e in self._by_last_word.get(words[-1], []):
                if e.words[-len(words) :] == words:
                    return self._role_hit(e, noun, phrase, "")
            name = " ".join(
                t.text[:1].upper() + t.text[1:] for t in noun.lefts if t.dep_ in ("compound", "amod", "nmod")
            )
            name = f"{name} {noun.text[:1].upper()}{noun.text[1:]}"
            return Attribution(name, None, None, "role", [f"speaker: organisation named '{phrase}' -> {name}"])
        named = [
            e
            for e in self._by_prefix.get(lemma[:3], [])
            if e.kind in ("ORG", "PROPN")
            and e.mentions[0].first < noun.i
            and any(_word_names(w, lemma) for w in e.words)
        ]
        if len(named) == 1:
            return self._role_hit(named[0], noun, phrase, "")
        if lemma not in _NAMED_ORG_NOUNS:
            recent = self._recent(noun.i, "org", exclude=lemma)
            if recent is not None:
                return self._role_hit(recent[0], noun, phrase, f" (the organisation last named, {recent[1]})")
        if lemma in _GENERIC_ORG_NOUNS:
            top = self._most_salient_org(noun.i)
            if len(top) == 1:
                return self._role_hit(top[0], noun, phrase, " (the organisation the article is about)")
        return Attribution(cues=[f"speaker: left empty, role '{phrase}' names no single organisation"])

    def _role_hit(self, ent: Entity, noun: Token, phrase: str, how: str) -> Attribution:
        mention = self._mention_near(ent, noun.i)
        return Attribution(ent.name, ent, mention, "role", [f"speaker: role '{phrase}' -> {ent.name}{how}"])

    def _most_salient_org(self, before: int) -> list[Entity]:
        """The organisation named most often (outside quotations, speaker resolutions included) before ``before``."""
        counts: list[tuple[int, Entity]] = []
        for e in self._orgs:
            n = bisect_right(e.unquoted, before - 1) + self._resolved.get(id(e), 0)
            if n:
                counts.append((n, e))
        counts.sort(key=lambda c: -c[0])
        if not counts or (len(counts) > 1 and counts[0][0] == counts[1][0]):
            return []
        return [counts[0][1]]

    def resolve_phrase(self, tok: Token, how: str) -> Attribution:
        """Speaker for the subject (or "according to" object) ``tok`` of an attribution."""
        doc = self.doc
        if tok.pos_ == "PRON":
            low = tok.lower_
            if low in _SPEAKER_PRONOUNS:
                return self.resolve_pronoun(tok)
            if low in _RELATIVE_PRONOUNS and tok.head.dep_ == "relcl":
                return self.resolve_phrase(tok.head.head, how)
            return Attribution(cues=[f"speaker: left empty, pronoun '{tok.text}' is not resolved"])
        if tok.i in self.mention_at:
            return self._named(tok, how)
        if tok.ent_type_ in _NOT_SPEAKER_LABELS:
            return Attribution(cues=[f"speaker: left empty, '{_phrase_text(doc, tok)}' is not a person"])
        known = self._by_surname.get(tok.lower_) if _name_like(tok) else None
        if known is not None or (tok.pos_ == "PROPN" and _name_like(tok)):
            return self._named(tok, how, known)
        lemma = tok.lemma_.lower()
        person_noun = lemma in _PERSON_NOUNS or lemma in _PROXY_NOUNS
        # "the chief negotiator, Ana Pires," / "the minister's aide Ana Pires" (a person role takes a person's name)
        for c in tok.children:
            if (
                c.dep_ in ("appos", "compound")
                and c.i > tok.i
                and self._is_name(c)
                and not (person_noun and self._kind_at(c) in ("ORG", "GPE", "NORP"))
            ):
                return self._named(c, f"{how}, apposition '{_phrase_text(doc, tok)}'")
        # the same when the parser lost the apposition: "its secretary, Jan Kovar, ..."
        nxt = self.mention_at.get(tok.i + 2)
        if (
            person_noun
            and nxt is not None
            and nxt.first == tok.i + 2
            and doc[tok.i + 1].text == ","
            and self._kind_at(doc[tok.i + 2]) in ("PERSON", "PROPN")
        ):
            return self._named(doc[tok.i + 2], f"{how}, apposition '{_phrase_text(doc, tok)}'")
        # speaking for someone: "Kestrel Air's spokeswoman", "a spokeswoman for the company", "its statement",
        # "a message on the airline's website"
        if lemma in _PROXY_NOUNS or lemma in _DOCUMENT_NOUNS or tok.lower_ in _DOCUMENT_NOUNS:
            owner = self._owner(tok, how, 2)
            if owner is not None:
                return owner
        if tok.pos_ in ("NOUN", "PROPN", "ADJ"):
            return self.resolve_role(tok)
        return Attribution(cues=[f"speaker: left empty, '{_phrase_text(doc, tok)}' is not a person"])

    def _is_name(self, tok: Token) -> bool:
        return tok.i in self.mention_at or (tok.pos_ == "PROPN" and _name_like(tok))

    def _kind_at(self, tok: Token) -> str:
        m = self.mention_at.get(tok.i)
        return m.entity.kind if m is not None and m.entity is not None else "PROPN"

    def _owner(self, noun: Token, how: str, depth: int) -> Attribution | None:
        """Whom ``noun`` speaks for: its possessor or the object of for/of/at/from/on/by (names, pronouns,
        organisation nouns, and one more such noun: "a message on the airline's website")."""
        objs = [c for c in noun.children if c.dep_ == "poss"]
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ in ("for", "of", "at", "from", "on", "by"):
                objs.extend(p for p in prep.children if p.dep_ == "pobj")
        for o in objs:
            cue = f"{how}, {noun.text} of"
            if self._is_name(o):
                return self._named(o, cue)
            if o.pos_ == "PRON" and o.lower_ in ("its", "their", "his", "her", "it", "them", "him"):
                att = self.resolve_pronoun(o)
                if att.speaker is not None:
                    return att
            lemma = o.lemma_.lower()
            if lemma in _ORG_NOUNS:
                att = self._org_role(o, lemma, _phrase_text(self.doc, o))
                if att.speaker is not None:
                    return att
            if depth > 1 and (lemma in _DOCUMENT_NOUNS or lemma in _PROXY_NOUNS):
                owned = self._owner(o, how, depth - 1)
                if owned is not None:
                    return owned
        return None

    # ------------------------------------------------------------------ verbs

    def _according(self, i: int) -> Attribution:
        to = self.doc[i + 1]
        for pobj in to.children:
            if pobj.dep_ == "pobj":
                att = self.resolve_phrase(pobj, "according to")
                att.how, att.verb = "according", i
                return att
        return Attribution(cues=["speaker: left empty, 'according to' without an object"], verb=i)

    def _verb_speaker(self, verb: Token) -> Attribution:
        """Speaker of one attribution verb: its subject, the inverted name, or the subject of the verb it joins."""
        subj = _subject_of(verb, self.quoted)
        if subj is not None and self._para(subj.idx) != self._para(verb.idx):
            subj = None  # the parser joined a headline or a paragraph to the next one
        if subj is None:
            return Attribution(cues=[f"speaker: left empty, '{verb.text}' has no subject"], verb=verb.i)
        att = self.resolve_phrase(subj, f"subject of '{verb.text}'")
        att.how, att.verb = "verb", verb.i
        return att

    def claim(self, first: int, last: int) -> Attribution:
        """Speaker of a claim candidate in tokens ``first..last`` that has no quotation of its own.

        "according to X" first, then the attribution verb nearest the root of its sentence.
        """
        for i in self._anchors_in(first, last):
            if self.doc[i].lower_ == "according":
                return self.by_verb[i]
        verbs = [v for v in self._anchors_in(first, last) if v not in self.according and _is_claim_verb(self.doc[v])]
        verbs.sort(key=lambda v: (_depth(self.doc[v]), v))
        for v in verbs:
            att = self.by_verb[v]
            if att.speaker is not None or att.cues:
                return att
        return _NONE

    # ------------------------------------------------------------------ quotations

    def quotation(self, qi: int) -> Attribution:
        """Speaker of quotation ``qi`` (an index into ``quotes``); nested quotations share their outer's."""
        if self._by_quote is None:
            self._by_quote = self._attribute_quotes()
        return self._by_quote[self.outer_of.get(qi, qi)]

    def _para(self, char: int) -> int:
        return bisect_right(self.para_starts, char) - 1

    def _attribute_quotes(self) -> list[Attribution]:
        out: list[Attribution] = [_NONE] * len(self.quotes)
        # last speaker per paragraph (position, attribution), from verbs and quotations
        last_in_para: dict[int, tuple[int, Attribution]] = {}
        for v, verb_att in self.by_verb.items():
            if verb_att.speaker is not None:
                p = self._para(self.doc[v].idx)
                if p not in last_in_para or last_in_para[p][0] < self.doc[v].idx:
                    last_in_para[p] = (self.doc[v].idx, verb_att)
        prev: tuple[int, Attribution] | None = None  # previous outer quotation (end char, attribution)
        for n, qi in enumerate(self.outer):
            q = self.quotes[qi]
            nxt = self.quotes[self.outer[n + 1]].start if n + 1 < len(self.outer) else len(self.text)
            att = self._own_attribution(q, prev[0] if prev else 0, nxt)
            if (
                att is None
                and prev is not None
                and prev[1].speaker is not None
                and self._para(prev[0] - 1) == self._para(q.start)
            ):
                att = prev[1].but("continued", "speaker: continues the quotation before it in the paragraph")
            p = self._para(q.start)
            if att is None and q.start > self.para_starts[p]:
                att = self._previous_sentence(q, max(prev[0] if prev else 0, self.para_starts[p]))
            if att is None and p > 0 and q.start == self.para_starts[p]:
                before = last_in_para.get(p - 1)
                if before is not None and before[1].speaker is not None:
                    att = before[1].but("paragraph", "speaker: continues previous paragraph's quotation")
            if att is None:
                att = Attribution(cues=["speaker: left empty, no attribution found for the quotation"])
            out[qi] = att
            if att.speaker is not None:
                pe = self._para(q.end - 1)
                if pe not in last_in_para or last_in_para[pe][0] <= q.start:
                    last_in_para[pe] = (q.start, att)
            prev = (q.end, att)
        self._same_words(out)
        return out

    def _same_words(self, out: list[Attribution]) -> None:
        """A quotation without attribution whose words someone is quoted saying elsewhere in the article
        (a headline, a scare quote repeated) gets that speaker."""
        words = [_words(self.quotes[qi].inner_text) for qi in self.outer]
        index: dict[str, list[tuple[int, int]]] = defaultdict(list)  # first word -> (quotation, position)
        for n, qi in enumerate(self.outer):
            if out[qi].speaker is not None:
                for k, w in enumerate(words[n]):
                    index[w].append((n, k))
        if not index:
            return
        for n, qi in enumerate(self.outer):
            ws = words[n]
            if out[qi].speaker is not None or not ws:
                continue
            for m, k in index.get(ws[0], []):
                if words[m][k : k + len(ws)] == ws:
                    src = out[self.outer[m]]
                    out[qi] = src.but("same words", "speaker: the same words are quoted elsewhere in the article")
                    break

    def _own_attribution(self, q: Quotation, prev_end: int, next_start: int) -> Attribution | None:
        """The attribution next to quotation ``q``: after it, before it, or a colon sentence before it."""
        doc, idx = self.doc, self.index
        rng = idx.token_range(q.start, q.end)
        if rng is None:
            return None
        qa, qb = rng
        pe = self._para(q.end - 1) + 1
        para_end = self.para_starts[pe] if pe < len(self.para_starts) else len(self.text)
        para_start = self.para_starts[self._para(q.start)]
        stop = min(next_start, para_end)
        verbs_after = self._verbs_between(q.end, stop)
        start_sent, last_sent = self.sent_of[qa], self.sent_of[qb]
        # 1-2. an attribution in the quotation's sentence(s): one that governs the quotation first, then
        # after it ("“…,” she said", "“…,” said Ana Pires"), then before it ("X said: “…”", "X called it “…”")
        after = [v for v in verbs_after if self.sent_of[v] == last_sent]
        before = [v for v in self._verbs_between(max(prev_end, para_start), q.start) if self.sent_of[v] == start_sent][
            ::-1
        ]
        governing = self._governing(qa, qb)
        order = sorted(after + before, key=lambda v: governing.get(v, len(doc)))
        chosen: Attribution | None = None
        for v in order:
            att = self.by_verb[v]
            if att.speaker is not None or (chosen is None and att.cues):
                where = "after" if v > qb else "before"
                got = att.but(where, f"speaker: attribution {where} the quotation")
                if att.speaker is not None:
                    return got
                chosen = got  # an attribution to a non-person, unless another verb names someone
        if chosen is not None:
            return chosen
        # 3. the previous sentence ends with a colon: "X told reporters:" / "X was blunt:"
        colon = self._colon_before(qa, max(prev_end, para_start))
        if colon is not None:
            return colon
        # 4. a bare attribution right after it ("“Is it fair?” she asked.")
        for v in verbs_after:
            if v - qb <= _AFTER_REACH and self._bare(doc[v]):
                att = self.by_verb[v]
                if att.speaker is not None:
                    return att.but("after", "speaker: attribution in the sentence after the quotation")
            break
        return None

    def _governing(self, qa: int, qb: int) -> dict[int, int]:
        """Verbs governing the quotation in tokens ``qa..qb``: token index -> distance up the tree."""
        doc = self.doc
        out: dict[int, int] = {}
        for i in range(qa, qb + 1):
            tok = doc[i]
            if qa <= tok.head.i <= qb and tok.head.i != tok.i:
                continue  # not a root of the quotation's own tree
            d = 0
            while tok.head.i != tok.i and d < 20:
                tok, d = tok.head, d + 1
                if not qa <= tok.i <= qb and (tok.i not in out or out[tok.i] > d):
                    out[tok.i] = d
        return out

    def _anchors_in(self, first: int, last: int) -> list[int]:
        """Attribution verbs and "according" among tokens ``first..last``."""
        return self.anchors[bisect_right(self.anchors, first - 1) : bisect_right(self.anchors, last)]

    def _previous_sentence(self, q: Quotation, floor_char: int) -> Attribution | None:
        """A quotation opening a sentence after one, in its paragraph, whose subject is named:
        "Holt was defiant. “We are not going away.”" (or whose attribution verb has a speaker)."""
        rng = self.index.token_range(q.start, q.end)
        if rng is None:
            return None
        s = self.sent_of[rng[0]]
        if s == 0 or self.sent_first[s] < rng[0] - 1 or self.doc[self.sent_first[s - 1]].idx < floor_char:
            return None
        first, last = self.sent_first[s - 1], self.sent_last[s - 1]
        for v in reversed(self._anchors_in(first, last)):
            if self.by_verb[v].speaker is not None:
                return self.by_verb[v].but("previous", "speaker: attribution in the sentence before the quotation")
        root = self.doc[first]
        while root.head.i != root.i and first <= root.head.i <= last:
            root = root.head
        for c in root.children:
            if c.dep_ in _SUBJECT_DEPS and not self.quoted[c.i]:
                att = self.resolve_phrase(c, f"subject of '{root.text}'")
                if att.speaker is not None:
                    return att.but("previous", "speaker: subject of the sentence before the quotation")
        return None

    def _verbs_between(self, a: int, b: int) -> list[int]:
        """Attribution verbs and "according" (outside quotations) with a token in characters ``[a, b)``."""
        rng = self.index.token_range(a, b)
        if rng is None:
            return []
        lo = bisect_right(self.anchors, rng[0] - 1)
        hi = bisect_right(self.anchors, rng[1])
        return self.anchors[lo:hi]

    def _colon_before(self, qa: int, floor_char: int) -> Attribution | None:
        """Speaker of the clause ending with ':' just before token ``qa`` (not before ``floor_char``)."""
        doc = self.doc
        k = qa - 1
        while k >= 0 and doc[k].is_space:
            k -= 1
        if k < 0 or doc[k].text != ":" or doc[k].idx < floor_char:
            return None
        s = self.sent_of[k]
        first = self.sent_first[s]
        verbs = self._anchors_in(first, k - 1)
        if verbs:
            return self.by_verb[verbs[-1]].but("colon", "speaker: attribution introducing the quotation with a colon")
        root = doc[k].head if doc[k].head.i != k else None
        while root is not None and root.head.i != root.i:
            root = root.head
        if root is None:
            return None
        for c in root.children:
            if c.dep_ in _SUBJECT_DEPS and not self.quoted[c.i]:
                att = self.resolve_phrase(c, f"subject of '{root.text}' before a colon")
                if att.speaker is not None:
                    return att.but("colon", "speaker: clause introducing the quotation with a colon")
        return None

    def _bare(self, verb: Token) -> bool:
        """A verb with no reported content of its own outside quotations ("she asked", "Venn said on Monday")."""
        return not any(
            c.dep_ in ("ccomp", "xcomp", "dobj")
            and not self.quoted[c.i]
            and c.lower_ not in ("reporters", "journalists")
            for c in verb.children
        )


# --------------------------------------------------------------------------- parse helpers


def _is_attribution_verb(tok: Token) -> bool:
    if tok.pos_ != "VERB" or tok.lemma_ not in ATTRIBUTION_VERBS:
        return False
    if tok.lemma_ in _AMBIGUOUS_VERBS:
        return not any(c.dep_ == "dobj" for c in tok.children)
    if tok.lemma_ in _NAMING_VERBS:
        return not any(c.dep_ == "prt" for c in tok.children)  # "call off", "call on" name nothing
    return True


def _is_claim_verb(tok: Token) -> bool:
    return tok.lemma_ in REPORTING_VERBS


def is_reporting_verb(tok: Token) -> bool:
    """A verb that attributes a statement: "said", "told", "warned", ... (by lemma, :data:`REPORTING_VERBS`)."""
    if tok.pos_ != "VERB" or tok.lemma_ not in REPORTING_VERBS:
        return False
    if tok.lemma_ in _AMBIGUOUS_VERBS:
        return not any(c.dep_ == "dobj" for c in tok.children)
    return True


def _subject_of(verb: Token, quoted: Sequence[bool]) -> Token | None:
    """The subject of ``verb``; an inverted name ("said Ana Pires"); else the subject of the verb it joins."""
    tok = verb
    for _ in range(4):
        subjects = [c for c in tok.children if c.dep_ in _SUBJECT_DEPS and not quoted[c.i]]
        if subjects:
            subjects.sort(key=lambda c: (c.pos_ != "PROPN", c.i))
            return subjects[0]
        if tok is verb and verb.lemma_ in _INVERTING_VERBS:
            # "“…,” said Ana Pires": the parser sometimes makes the name an object
            for c in tok.rights:
                if (
                    c.dep_ in ("dobj", "attr", "npadvmod", "oprd", "dative")
                    and not quoted[c.i]
                    and (c.pos_ == "PROPN" or c.ent_type_ in _NAME_LABELS)
                ):
                    return c
                break
        if tok.dep_ in _CLIMB_DEPS and tok.head.i != tok.i and not quoted[tok.head.i]:
            tok = tok.head
            continue
        if tok is verb and tok.dep_ == "acl" and tok.tag_ == "VBD" and tok.head.pos_ in ("NOUN", "PROPN"):
            return tok.head  # a finite verb the parser hung on its subject: "Ana Pires, the minister, accused ..."
        break
    return None


def _depth(tok: Token) -> int:
    d = 0
    while tok.head.i != tok.i and d < 50:
        tok = tok.head
        d += 1
    return d


_DATE_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december""".split()
)


def _name_like(tok: Token) -> bool:
    """A capitalised word that is not a weekday or month name."""
    return tok.text[:1].isupper() and tok.text[:1].isalpha() and tok.lower_ not in _DATE_WORDS


def _name_range(doc: Doc, tok: Token) -> tuple[int, int]:
    """Token range of the proper name around ``tok`` (its compound/flat proper nouns)."""
    first = last = tok.i
    for c in reversed(list(tok.lefts)):
        if c.dep_ in ("compound", "flat") and c.pos_ == "PROPN" and c.right_edge.i == first - 1:
            first = c.left_edge.i
        else:
            break
    return first, last


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges ``(first, last)`` of the sentences, read from the sentence-start array (``doc.sents``
    walks every token several times)."""
    from spacy.attrs import SENT_START

    n = len(doc)
    if not n:
        return []
    starts = np.flatnonzero(doc.to_array([SENT_START]).reshape(n) == 1).tolist()
    if not starts:  # no sentence boundaries set: let spaCy decide (or say what is missing)
        return [(s.start, s.end - 1) for s in doc.sents]
    if starts[0] != 0:
        starts.insert(0, 0)
    return [(a, b - 1) for a, b in zip(starts, [*starts[1:], n], strict=True)]


_HASHES: dict[str, Any] = {}  # word lists as arrays; single words as np.uint64


def _hashes(doc: Doc) -> dict[str, np.ndarray]:
    """String hashes of the word lists, as arrays for ``np.isin`` (the same for every pipeline)."""
    if not _HASHES:
        strings = doc.vocab.strings

        def arr(words: Iterable[str]) -> np.ndarray:
            return np.array(sorted(strings[w] for w in words), dtype=np.uint64)

        _HASHES.update(
            male=arr(_MALE_PRONOUNS),
            female=arr(_FEMALE_PRONOUNS),
            verbs=arr(ATTRIBUTION_VERBS),
            orgs=arr(_ORG_NOUNS),
        )
        for word in ("PROPN", "VERB", "NOUN", "NN", "to", "according"):
            _HASHES[word] = np.uint64(strings[word])
    return _HASHES


def _acronym(word: str) -> bool:
    """ "NUR", "N.U.R.", "VBN": capitals (and dots) only."""
    letters = word.replace(".", "")
    return len(letters) >= 2 and letters.isalpha() and letters.isupper()


def _words(text: str) -> list[str]:
    """Lower-case words of a text, punctuation and quote marks dropped."""
    return re.findall(r"[^\W_]+", text.lower().replace("’", "'"))


def _other_org(ent: Entity, noun: str) -> bool:
    """Does the organisation's name say it is not a ``noun`` ("Harbour Workers Union" for "the company")?"""
    return any(w in _NAMED_ORG_NOUNS and w != noun for w in ent.words)


def _word_names(word: str, noun: str) -> bool:
    """Does a word of an organisation's name say it is a ``noun`` ("Air"/"Airways" ~ airline, "Bank" ~ bank)?"""
    if len(word) < 3 or len(noun) < 3:
        return False
    return word.startswith(noun[:5]) or noun.startswith(word)


def _noun_mods(noun: Token) -> frozenset[str]:
    """Lemmas of the words that narrow a role noun: "the chief Ostrandi negotiator" -> {chief, ostrandi}."""
    out = set()
    for c in noun.lefts:
        if c.dep_ in ("compound", "amod", "nmod", "npadvmod") or (c.dep_ == "poss" and c.pos_ != "PRON"):
            out.add(c.lemma_.lower())
    return frozenset(out)


def _phrase_text(doc: Doc, tok: Token) -> str:
    """The noun phrase headed by ``tok`` up to the head (with its determiner): "the Ostrandi leader"."""
    first = tok.left_edge.i
    return doc[first : tok.i + 1].text


def _kind_rank(ent: Entity, cls: str) -> int:
    """How well ``ent`` fits a pronoun class (m, f, it, they; org: an organisation noun): -1 not at all;
    higher is better (a known matching gender, an organisation over a place, any kind over an unknown name)."""
    kind = ent.kind
    if cls == "person":
        return 1 if kind == "PERSON" else -1
    if cls in ("m", "f"):
        if kind == "PERSON":
            return {cls: 2, None: 1}.get(ent.gender, -1)
        return 0 if kind == "PROPN" and ent.gender in (cls, None) else -1
    if cls == "org":
        return 1 if kind == "ORG" else -1
    if cls == "it":
        return {"ORG": 2, "GPE": 1, "PROPN": 0}.get(kind, -1)
    return {"ORG": 2, "NORP": 1, "GPE": 1, "PROPN": 0}.get(kind, -1)


def find_speaker(doc: Doc, first: int, last: int, quotes: Iterable[Quotation] | None = None) -> Attribution:
    """Speaker of the claim in tokens ``first..last`` of ``doc``, with document context.

    Convenience wrapper building a :class:`DocumentAttribution` (prefer one
    instance per document when asking for several ranges): when the range
    holds a quotation, its speaker; else the claim's attribution verb.
    """
    att = DocumentAttribution(doc, None if quotes is None else list(quotes))
    a, b = doc[first].idx, doc[last].idx + len(doc[last].text)
    for qi, q in enumerate(att.quotes):
        if q.start < b and q.end > a:
            got = att.quotation(qi)
            if got.speaker is not None:
                return got
    return att.claim(first, last)
