"""A small rule-based English lemmatiser for distinctive wording (pure Python, no NLP library).

``lemma("talks") == "talk"``, ``lemma("said") == "say"``, ``lemma("policies") == "policy"``.

It knows the regular inflections (plural and third-person ``-s``/``-es``/``-ies``, past ``-ed``/``-ied``,
``-ing``, the possessive ``'s``) with the doubling rule (``stopped`` -> ``stop``) and the
e-restoration rule (``voted`` -> ``vote``, ``announced`` -> ``announce``), and a compact table of
irregular forms of common news verbs and nouns (:data:`IRREGULAR`: ``told`` -> ``tell``,
``was``/``were`` -> ``be``, ``women`` -> ``woman``).

It is conservative: a word it is not sure about is left unchanged ("better unchanged than
mangled").  Each rule proposes candidate lemmas; a candidate is used

* with a ``vocabulary`` (the words of the corpus, :meth:`Lemmatizer.from_texts`): only when the
  corpus itself contains the candidate as a word, so ``rationing`` becomes ``ration`` only in a
  corpus that also has ``ration``, and a name such as ``Athens`` never becomes ``athen``.  This
  is what :func:`toolkit.compare.framing.distinctive_words` uses: lemmatising only matters for
  merging forms that occur together;
* without one: only when the rule is unambiguous (``-ies`` -> ``-y``, a doubled consonant, a stem
  ending in ``v``/``z``/``c``/``s`` that needs its ``e`` back, ...).

Words are compared in lower case; the result is lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["IRREGULAR", "KEEP", "Lemmatizer", "lemma"]

#: Irregular forms of common news verbs and nouns -> lemma (always applied).
IRREGULAR: dict[str, str] = {
    **dict.fromkeys(("am", "is", "are", "was", "were", "been", "being"), "be"),
    **dict.fromkeys(("has", "had", "having"), "have"),
    **dict.fromkeys(("does", "did", "done", "doing"), "do"),
    **dict.fromkeys(("says", "said", "saying"), "say"),
    **dict.fromkeys(("told",), "tell"),
    **dict.fromkeys(("goes", "went", "gone"), "go"),
    **dict.fromkeys(("made", "making"), "make"),
    **dict.fromkeys(("took", "taken", "taking"), "take"),
    **dict.fromkeys(("gave", "given", "giving"), "give"),
    **dict.fromkeys(("came", "coming"), "come"),
    **dict.fromkeys(("got", "gotten", "getting"), "get"),
    **dict.fromkeys(("knew", "known"), "know"),
    **dict.fromkeys(("saw", "seen"), "see"),
    **dict.fromkeys(("thought",), "think"),
    **dict.fromkeys(("found",), "find"),
    **dict.fromkeys(("met",), "meet"),
    **dict.fromkeys(("held",), "hold"),
    **dict.fromkeys(("kept",), "keep"),
    **dict.fromkeys(("brought",), "bring"),
    **dict.fromkeys(("bought",), "buy"),
    **dict.fromkeys(("built",), "build"),
    **dict.fromkeys(("sent",), "send"),
    **dict.fromkeys(("spent",), "spend"),
    **dict.fromkeys(("lost",), "lose"),
    **dict.fromkeys(("won", "winning"), "win"),
    **dict.fromkeys(("paid",), "pay"),
    **dict.fromkeys(("led",), "lead"),
    **dict.fromkeys(("lent",), "lend"),
    **dict.fromkeys(("fell", "fallen"), "fall"),
    **dict.fromkeys(("rose", "risen", "rising"), "rise"),
    **dict.fromkeys(("began", "begun", "beginning"), "begin"),
    **dict.fromkeys(("broke", "broken"), "break"),
    **dict.fromkeys(("chose", "chosen"), "choose"),
    **dict.fromkeys(("wrote", "written", "writing"), "write"),
    **dict.fromkeys(("spoke", "spoken"), "speak"),
    **dict.fromkeys(("drove", "driven"), "drive"),
    **dict.fromkeys(("ran", "running"), "run"),
    **dict.fromkeys(("sold",), "sell"),
    **dict.fromkeys(("stood",), "stand"),
    **dict.fromkeys(("understood",), "understand"),
    **dict.fromkeys(("sought",), "seek"),
    **dict.fromkeys(("fought",), "fight"),
    **dict.fromkeys(("caught",), "catch"),
    **dict.fromkeys(("taught",), "teach"),
    **dict.fromkeys(("felt",), "feel"),
    **dict.fromkeys(("heard",), "hear"),
    **dict.fromkeys(("meant",), "mean"),
    **dict.fromkeys(("grew", "grown"), "grow"),
    **dict.fromkeys(("shown",), "show"),
    **dict.fromkeys(("threw", "thrown"), "throw"),
    **dict.fromkeys(("flew", "flown", "flies"), "fly"),
    **dict.fromkeys(("drew", "drawn"), "draw"),
    **dict.fromkeys(("struck",), "strike"),
    **dict.fromkeys(("froze", "frozen"), "freeze"),
    **dict.fromkeys(("stole", "stolen"), "steal"),
    **dict.fromkeys(("fled",), "flee"),
    **dict.fromkeys(("died", "dying", "dies"), "die"),
    **dict.fromkeys(("lied", "lying"), "lie"),
    **dict.fromkeys(("tied", "tying"), "tie"),
    **dict.fromkeys(("created", "creating", "creates"), "create"),
    **dict.fromkeys(("focused", "focusing", "focussed", "focussing"), "focus"),
    **dict.fromkeys(("added", "adding", "adds"), "add"),
    **dict.fromkeys(("used", "using"), "use"),
    "men": "man", "women": "woman", "children": "child", "feet": "foot", "teeth": "tooth",
    "crises": "crisis", "analyses": "analysis", "theses": "thesis", "criteria": "criterion",
    "lives": "life", "wives": "wife", "knives": "knife", "halves": "half", "shelves": "shelf",
    "thieves": "thief", "wolves": "wolf",
}

#: Words that look inflected and are not (or whose "lemma" would change their meaning): kept as they are.
KEEP = frozenset("""
news series species means politics economics physics ethics always perhaps sometimes afterwards towards
besides whereas thus plus bus gas yes its this his hers ours yours theirs us less unless across chaos
kudos ethos lens diabetes bias alias atlas canvas christmas
during nothing something anything everything morning evening ceiling king ring sing thing wing spring
string bring sting swing sibling darling pudding wedding building meeting funding housing spending
training hearing briefing opening ending feeling finding ruling setting warning clothing offering
ceasefire hundred sacred naked wicked kindred beloved bed red wed shed need feed seed deed speed weed
breed greed creed steed bleed proceed succeed exceed indeed
""".split())

_VOWELS = "aeiou"
#: Stems ending in a doubled letter that is part of the word ("add" + "ed").
_DOUBLE_STEMS = frozenset(["add", "err", "egg", "odd", "inn", "ebb", "putt", "butt"])
_SYLLABLE = re.compile(r"[aeiouy]+")


def _syllables(stem: str) -> int:
    return len(_SYLLABLE.findall(stem[1:] if stem[:1] == "y" else stem))


def _restore(stem: str) -> list[tuple[str, bool]]:
    """Lemma candidates for the stem left after ``-ed``/``-ing``, as ``(candidate, sure)``, best first."""
    if len(stem) < 2 or not any(c in _VOWELS + "y" for c in stem):
        return []
    last, prev = stem[-1], stem[-2]
    if last == prev:
        if stem in _DOUBLE_STEMS or last not in "bdgmnprtl":
            return [(stem, True)]  # called, passed, staffed, buzzed
        if last == "l":  # UK doubling only after one vowel in a longer word: travelled, controlled
            if _syllables(stem) > 1 and stem[-3:-2] in ("e", "o"):
                return [(stem[:-1], False), (stem, False)]
            return [(stem, True)]  # killed, filled, called
        return [(stem[:-1], True)]  # stopped, planned, admitted
    if last in "vz" or (last == "c" and prev != "i") or stem.endswith(("dg", "rg", "lg")):
        return [(stem + "e", True)]  # solved, seized, announced, forced, judged, urged
    if last == "s":
        return [(stem + "e", True)]  # closed, raised, caused, released, proposed
    if last in "wxy":
        return [(stem, True)]  # showed, fixed, played
    if last not in _VOWELS and prev not in _VOWELS:
        if stem.endswith(("ng", "th")):
            return [(stem, False), (stem + "e", False)]  # banged/changed, bathed/breathed
        return [(stem, True)]  # warned, started, elected, helped
    if last in _VOWELS:
        return [(stem + "e", False), (stem, False)]  # agreed (stem "agre"), freed, skiing
    # one vowel + one consonant
    if len(stem) > 2 and stem[-3] in _VOWELS:
        return [(stem, True)]  # rained, waited, claimed, appeared, treated
    if stem.endswith("at"):
        return [(stem + "e", True)]  # stated, debated, related
    if stem.endswith("ut"):
        return [(stem + "e", True)]  # disputed, executed
    if _syllables(stem) == 1:
        return [(stem + "e", True), (stem, False)]  # voted, named, hoped, cited, used
    if stem.endswith("er"):
        return [(stem, True)]  # offered, entered, considered
    return [(stem, False), (stem + "e", False)]  # visited vs completed, opened vs compared


def _candidates(w: str) -> list[tuple[str, bool]]:
    """Lemma candidates for a lower-case word, best first (empty: the word is its own lemma)."""
    if w.endswith(("'s", "\u2019s")) and len(w) > 3:
        return [(w[:-2], True)]
    if w.endswith("ies") and len(w) > 4:
        return [(w[:-3] + "y", True)]
    if w.endswith("ied") and len(w) > 4:
        return [(w[:-3] + "y", True)]
    if w.endswith("es") and len(w) > 4:
        if w.endswith(("sses", "shes", "xes", "zzes")):
            return [(w[:-2], True)]
        if w.endswith("ches"):
            sure = not w.endswith(("aches", "iches")) or w.endswith(("eaches", "oaches"))
            return [(w[:-2], sure), (w[:-1], False)]
        if w.endswith("oes"):
            return [(w[:-2], False), (w[:-1], False)]
        return [(w[:-1], True)]  # games, states, cases, prizes
    if w.endswith("s") and not w.endswith(("ss", "us", "is", "'s", "\u2019s")) and len(w) > 3:
        return [(w[:-1], not w.endswith("as"))]
    if w.endswith("eed"):
        return [(w[:-1], False)]  # agreed, freed (need, speed are in KEEP)
    if w.endswith("ed") and len(w) > 4:
        return _restore(w[:-2])
    if w.endswith("ing") and len(w) > 5:
        stem = w[:-3]
        if stem.endswith("y"):
            return [(stem, True)]  # playing, saying
        return _restore(stem)
    return []


def lemma(word: str, vocabulary: set[str] | frozenset[str] | None = None) -> str:
    """The lemma of ``word`` (lower case), or the word itself (lower-cased) when unsure.

    With a ``vocabulary`` a candidate is used only when the vocabulary has it; without one only
    when the rule that made it is unambiguous.
    """
    w = word.lower().replace("\u2019", "'")
    if w in IRREGULAR:
        return IRREGULAR[w]
    if w in KEEP or len(w) < 4 or not w.isalpha() and "'" not in w and "-" not in w:
        return w
    for cand, sure in _candidates(w):
        if len(cand) < 2:
            continue
        if (vocabulary is not None and cand in vocabulary) or (vocabulary is None and sure):
            return cand
        if vocabulary is None:
            break  # the best candidate is not sure: leave the word as it is
    return w


_WORDS = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


class Lemmatizer:
    """:func:`lemma` as a callable with a fixed vocabulary and a cache (``distinctive_words(lemmatize=...)``).

    >>> lem = Lemmatizer.from_texts(["The talks stalled.", "Talk is cheap; they talked."])
    >>> lem("talks"), lem("talked"), lem("stalled")
    ('talk', 'talk', 'stalled')
    """

    def __init__(self, vocabulary: Iterable[str] | None = None) -> None:
        self.vocabulary = None if vocabulary is None else frozenset(w.lower() for w in vocabulary)
        self._cache: dict[str, str] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Lemmatizer:
        """A lemmatiser whose vocabulary is every word of ``texts`` (one pass, lower case)."""
        vocab: set[str] = set()
        for text in texts:
            vocab.update(_WORDS.findall(text.lower().replace("\u2019", "'")))
        return cls(vocab)

    def __call__(self, word: str) -> str:
        out = self._cache.get(word)
        if out is None:
            out = self._cache[word] = lemma(word, self.vocabulary)
        return out

    def __repr__(self) -> str:
        n = "no vocabulary" if self.vocabulary is None else f"{len(self.vocabulary):,} words"
        return f"Lemmatizer({n})"
