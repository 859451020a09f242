"""Framing: voices, attribution verbs, distinctive wording (Fightin' Words) and emphasis."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit.compare as cmp
from toolkit.compare import framing as fr
from toolkit.demo import build_demo


def test_log_odds_equals_the_published_formula_on_a_hand_example() -> None:
    # Monroe, Colaresi & Quinn (2008), eqs. 16-20, worked by hand for two words:
    # y_i = (3, 1), y_j = (1, 3), alpha = (1, 1) -> a0 = 2, n_i = n_j = 4.
    # word 0: delta = log((3+1)/(4+2-3-1)) - log((1+1)/(4+2-1-1)) = log(4/2) - log(2/4)
    #         var = 1/(3+1) + 1/(1+1) = 0.75
    # word 1: delta = log((1+1)/(4+2-1-1)) - log((3+1)/(4+2-3-1)) = log(2/4) - log(4/2)
    delta, z = fr.log_odds_dirichlet(np.array([3, 1]), np.array([1, 3]), np.array([1, 1]))
    d0 = math.log(4 / 2) - math.log(2 / 4)
    assert delta[0] == pytest.approx(d0, abs=1e-9)
    assert z[0] == pytest.approx(d0 / math.sqrt(1 / 4 + 1 / 2), abs=1e-9)
    assert delta[1] == pytest.approx(math.log(2 / 4) - math.log(4 / 2), abs=1e-9)
    # a second example with an uneven prior: y_i = (5, 0, 2), y_j = (1, 4, 2), alpha = (2, 1, 3)
    # a0 = 6, n_i = 7, n_j = 7; word 2: log((2+3)/(7+6-2-3)) - log((2+3)/(7+6-2-3)) = 0
    delta, z = fr.log_odds_dirichlet(np.array([5, 0, 2]), np.array([1, 4, 2]), np.array([2, 1, 3]))
    assert delta[0] == pytest.approx(math.log(7 / 6) - math.log(3 / 10), abs=1e-9)
    assert delta[1] == pytest.approx(math.log(1 / 12) - math.log(5 / 8), abs=1e-9)
    assert delta[2] == pytest.approx(0.0, abs=1e-12) and z[2] == pytest.approx(0.0, abs=1e-12)


def _planted_corpus(seed: int = 3) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Three outlets share a vocabulary; each has a few words made 4x more frequent."""
    rng = random.Random(seed)
    vocab = [f"w{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(300)]
    planted = {"Alpha": ["harbour", "levy"], "Beta": ["drought", "rationing"], "Gamma": ["turbine", "outage"]}
    rows = []
    for outlet, words in planted.items():
        for k in range(30):
            tokens = [rng.choice(vocab) for _ in range(200)]
            # every planted word: 4 uses per article here, 1 per article elsewhere
            for w in words:
                tokens += [w] * 4
            for other, ws in planted.items():
                if other != outlet:
                    tokens += ws
            rng.shuffle(tokens)
            rows.append({"doc_id": f"{outlet}-{k}", "source": outlet, "text": " ".join(tokens) + "."})
    return pd.DataFrame(rows), planted


def test_planted_words_rank_first() -> None:
    docs, planted = _planted_corpus()
    table = fr.distinctive_words(docs, top=4, min_count=5)
    for outlet, words in planted.items():
        top = table[table["source"] == outlet]["term"].tolist()[:2]
        assert sorted(top) == sorted(words), (outlet, top)
        assert (table[table["source"] == outlet]["z"].iloc[:2] > 3).all()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    proj = build_demo(Path(tmp_path_factory.mktemp("framing")) / "demo")
    f = proj.load()
    quotes = cmp.document_quotations(f.documents, f.spans)
    return {"frames": f, "quotes": quotes, "matches": cmp.match_quotations(quotes)}


def test_voices_on_the_demo(demo: dict) -> None:
    v = fr.voices(demo["quotes"])
    top = v.sort_values("quoted_words", ascending=False).groupby("source")["speaker"].first()
    # ground truth (toolkit/demo/README.md): the Standard is state-leaning and carries Venn's words;
    # only the Herald quotes the farmer Tomás Reyle, only Northgate the analyst Mireille Dussart
    assert top["The Castavel Standard"] == "Dario Venn"
    assert set(v[v["speaker"] == "Tomás Reyle"]["source"]) == {"The Calder Herald"}
    assert set(v[v["speaker"] == "Mireille Dussart"]["source"]) == {"Northgate Wire"}
    assert v.groupby("source")["share"].sum().round(6).eq(1.0).all()
    presence = fr.voice_presence(demo["quotes"], cmp.entity_mentions(demo["frames"].spans, demo["frames"].documents))
    assert presence.loc["Tomás Reyle", "The Calder Herald"] == "quoted"
    assert presence.loc["Tomás Reyle", "Meridian Press Agency"] == "absent"
    assert presence.loc["Dario Venn", "The Calder Herald"] == "mentioned"


def test_verbs_for_the_shared_quotations(demo: dict) -> None:
    verbs = fr.attribution_verbs(demo["frames"].documents, demo["quotes"])
    side = fr.shared_quote_verbs(demo["matches"], verbs)
    venn = side[side["speaker_a"].eq("Dario Venn")].iloc[0]
    # Q1: "Venn said" in Meridian, "President Venn told reporters" in the Standard
    assert {(venn["source_a"], venn["verb_a"]), (venn["source_b"], venn["verb_b"])} == {
        ("Meridian Press Agency", "say"), ("The Castavel Standard", "tell")}
    table = fr.verb_table(verbs)
    assert list(table.columns) == ["source", "speaker", "verb", "verb_class", "count"]
    assert set(table["verb_class"]) <= set(fr.VERB_CLASSES)


def test_verb_lemmas_and_classes() -> None:
    text = 'The plan is theft, she insisted. He admitted: "We were late." "It works," claimed the firm.'
    assert fr._find_verb(text, 0, 18) == ("insisted", "insist")
    start = text.index('"We')
    assert fr._find_verb(text, start, start + 15) == ("admitted", "admit")
    start = text.index('"It')
    assert fr._find_verb(text, start, start + 11)[1] == "claim"
    assert fr._CLASS_OF["claim"] == "doubting" and fr._CLASS_OF["admit"] == "conceding"


def test_emphasis_headlines_and_omissions(demo: dict) -> None:
    f = demo["frames"]
    mentions = cmp.entity_mentions(f.spans, f.documents, labels=["PERSON", "ORG", "GPE"])
    table = fr.emphasis(f.documents, mentions, cmp.claim_clusters(f.spans, f.links, layer="ana"), demo["quotes"])
    heads = table[table["in_headline"]]
    # the Standard's headline leads with Venn, the Herald's with Marković
    assert heads[heads["source"] == "The Castavel Standard"].sort_values("first_rank")["item"].iloc[0] == "Dario Venn"
    assert "Ilse Marković" in set(heads[heads["source"] == "The Calder Herald"]["item"])
    bank = table[table["item"] == "Harcourt Development Bank"]
    assert set(bank["source"]) == {"Meridian Press Agency", "Northgate Wire"}
    assert set(bank["omitted_by"].iloc[0].split(", ")) == {"The Calder Herald", "The Castavel Standard"}
    assert list(table.columns) == ["source", "item", "kind", "in_headline", "in_lead", "first_rank", "omitted_by"]
    # ground truth: Marković's "A river does not belong to whoever builds ..." is in Meridian, Northgate and
    # the Herald; the Velmoran state-leaning Standard leaves that claim out
    clusters = cmp.claim_clusters(f.spans, f.links, layer="ana")
    river = clusters[clusters["text"].str.contains("A river does not belong")]["cluster"].iloc[0]
    row = table[(table["item"] == river) & (table["kind"] == "claim")]
    assert set(row["source"]) == {"Meridian Press Agency", "Northgate Wire", "The Calder Herald"}
    assert row["omitted_by"].iloc[0] == "The Castavel Standard"


def test_document_parts() -> None:
    text = "Dam talks resume\n\nKESTRA, May 4 - Leaders met.\n\nMore text."
    head, lead = fr.document_parts(text)
    assert text[head[0]:head[1]] == "Dam talks resume"
    assert text[lead[0]:lead[1]] == "KESTRA, May 4 - Leaders met."
    body = "This first paragraph is a full sentence and not a headline at all.\n\nSecond."
    assert fr.document_parts(body)[0] == (0, 0)


def test_scare_quotes_and_headline_versions_are_not_voices(demo: dict) -> None:
    f = demo["frames"]
    with_scare = cmp.document_quotations(f.documents, f.spans, scare_quotes=True)
    assert with_scare["scare"].any()  # "constructive" and friends
    assert len(fr.body_quotations(with_scare)) < len(with_scare)
    pd.testing.assert_frame_equal(fr.voices(with_scare), fr.voices(demo["quotes"]))
