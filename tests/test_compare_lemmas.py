"""The rule-based lemmatiser behind distinctive wording (toolkit.compare.lemmas)."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.compare import framing as fr
from toolkit.compare.lemmas import Lemmatizer, lemma


@pytest.mark.parametrize(("word", "expected"), [
    # irregular news verbs and nouns
    ("said", "say"), ("told", "tell"), ("was", "be"), ("were", "be"), ("has", "have"), ("went", "go"),
    ("women", "woman"), ("children", "child"), ("crises", "crisis"),
    # -s / -es / -ies
    ("talks", "talk"), ("leaders", "leader"), ("games", "game"), ("taxes", "tax"), ("speeches", "speech"),
    ("losses", "loss"), ("policies", "policy"), ("Ostrand's", "ostrand"),
    # -ed / -ied with doubling and e-restoration
    ("insisted", "insist"), ("admitted", "admit"), ("stopped", "stop"), ("called", "call"), ("passed", "pass"),
    ("voted", "vote"), ("stated", "state"), ("announced", "announce"), ("solved", "solve"), ("urged", "urge"),
    ("closed", "close"), ("treated", "treat"), ("claimed", "claim"), ("offered", "offer"), ("denied", "deny"),
    ("played", "play"),
    # -ing
    ("hoping", "hope"), ("closing", "close"), ("stopping", "stop"), ("talking", "talk"), ("playing", "play"),
])
def test_regular_and_irregular_forms(word: str, expected: str) -> None:
    assert lemma(word) == expected


@pytest.mark.parametrize("word", [
    # not inflections, or not sure without a corpus: left as they are
    "news", "series", "analysis", "famous", "business", "always", "building", "meeting", "morning", "during",
    "hundred", "speed", "need", "changed", "visited", "opened", "heroes", "areas", "agreed", "bias",
])
def test_unsure_or_uninflected_words_stay(word: str) -> None:
    assert lemma(word) == word


def test_the_corpus_confirms_a_lemma() -> None:
    # without the base form in the corpus the word stays; with it, ambiguous forms resolve
    assert lemma("rationing", {"rationing"}) == "rationing"
    assert lemma("rationing", {"rationing", "ration"}) == "ration"
    assert lemma("visited", {"visit"}) == "visit" and lemma("completed", {"complete"}) == "complete"
    assert lemma("athens", {"athens"}) == "athens"  # a name is not a plural when the corpus has no "athen"
    assert lemma("said", set()) == "say"  # the irregular table needs no confirmation
    lem = Lemmatizer.from_texts(["The talks stalled.", "Talk is cheap; they talked and agreed to agree."])
    assert [lem(w) for w in ("talks", "talked", "stalled", "agreed")] == ["talk", "talk", "stalled", "agree"]


def test_distinctive_words_count_lemmas_by_default() -> None:
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "source": ["Alpha", "Beta", "Beta"],
                         "text": ["The mayor talks. The mayor talked. She talk again.", "A ferry sailed. A ferry.",
                                  "The ferry sailed."]})
    with_lemmas = fr.distinctive_words(docs, top=5, min_count=3)
    assert ("Alpha", "talk", 3) in set(zip(with_lemmas["source"], with_lemmas["term"], with_lemmas["count"],
                                           strict=True))
    as_written = fr.distinctive_words(docs, top=20, min_count=1, lemmatize=None)
    alpha = as_written[as_written["source"] == "Alpha"].set_index("term")["count"]
    assert (alpha["talks"], alpha["talked"], alpha["talk"]) == (1, 1, 1)
    with pytest.raises(ValueError, match="lemmatize"):
        fr.distinctive_words(docs, lemmatize="spacy")
