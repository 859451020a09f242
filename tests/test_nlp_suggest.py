"""Tests of toolkit.nlp.suggest_spans with the default pipeline (texts written for these tests).

Expected speakers and kinds below are what a careful reader would write for
each sentence, not values copied from the program's output.
"""

from __future__ import annotations

import pytest

from toolkit.nlp import DEFAULT_MODEL, load_pipeline, suggest_spans
from toolkit.nlp.snap import is_edge_junk
from toolkit.nlp.suggest import default_entity_map

PROJECT_LABELS = ["PERSON", "ORG", "GPE", "NORP", "LOC", "EVENT", "DATE", "FAC", "PRODUCT", "LAW", "MONEY", "PERCENT"]


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def emap(nlp):
    return default_entity_map(PROJECT_LABELS, nlp.get_pipe("ner").labels)


def claims(nlp, emap, text: str) -> list[dict]:
    res = suggest_spans(nlp(text), "d1", "model:test@1", emap)
    return [dict(s, text=text[s["start"] : s["end"]]) for s in res.spans if s["label"] == "CLAIM"]


def only_claim(nlp, emap, text: str) -> dict:
    cs = claims(nlp, emap, text)
    assert len(cs) == 1, cs
    return cs[0]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Maria Lindqvist said the harbour would reopen next week.", "Maria Lindqvist"),
        ("“The harbour will reopen next week,” said Maria Lindqvist.", "Maria Lindqvist"),
        ("Maria Lindqvist told reporters that the harbour was safe.", "Maria Lindqvist"),
        ("According to the Harbour Authority, 40 percent of the boats were damaged.", "Harbour Authority"),
        ("A spokesperson for Brightline Shipping denied the claims.", "Brightline Shipping"),
        ("Brightline Shipping's spokesperson denied the claims.", "Brightline Shipping"),
        ("The company's spokesperson, Peter Okafor, denied the claims.", "Peter Okafor"),
    ],
)
def test_speaker_patterns(nlp, emap, text: str, speaker: str) -> None:
    c = only_claim(nlp, emap, text)
    assert c["attrs"]["speaker"] == speaker, c["attrs"]


def test_non_person_subject_is_not_a_speaker(nlp, emap) -> None:
    # "the report stated": a document, not a person or organisation -> no speaker, and a cue says why
    c = only_claim(nlp, emap, "Police accused the operator of negligence, the report stated.")
    assert c["attrs"]["speaker"] is None
    assert any("report' is not a person" in cue for cue in c["attrs"]["cues"])


def test_pronoun_without_antecedent_is_left_empty(nlp, emap) -> None:
    c = only_claim(nlp, emap, '"It was a disaster," he said.')
    assert c["attrs"]["speaker"] is None
    assert c["attrs"]["kind"] == "quotation"
    assert any("pronoun" in cue for cue in c["attrs"]["cues"])


def test_pronoun_resolved_to_previous_person(nlp, emap) -> None:
    text = 'Maria Lindqvist reached the harbour at noon. "It was a disaster," she said.'
    (c,) = [c for c in claims(nlp, emap, text) if "disaster" in c["text"]]
    assert c["attrs"]["speaker"] == "Maria Lindqvist"


def test_reporting_verb_inside_quotation_does_not_name_speaker(nlp, emap) -> None:
    c = only_claim(nlp, emap, "“My neighbour told me the water was gone.”")
    assert c["attrs"]["speaker"] is None


def test_speaker_span_points_at_entity_suggestion(nlp, emap) -> None:
    text = "“We ran,” said Tomas Berg, a fisherman."
    res = suggest_spans(nlp(text), "d1", "model:test@1", emap)
    by_id = {s["id"]: s for s in res.spans}
    (claim,) = [s for s in res.spans if s["label"] == "CLAIM"]
    ent = by_id[claim["attrs"]["speaker_span"]]
    assert ent["label"] == "PERSON"
    assert text[ent["start"] : ent["end"]] == "Tomas Berg"


def test_quotation_over_several_sentences_is_one_claim(nlp, emap) -> None:
    text = "“The water rose fast. Nobody expected it. We ran,” said Tomas Berg."
    c = only_claim(nlp, emap, text)
    assert c["text"] == "The water rose fast. Nobody expected it. We ran,” said Tomas Berg"
    assert c["attrs"]["kind"] == "quotation"


def test_quotation_continuing_after_attribution_joins_the_claim(nlp, emap) -> None:
    text = '"The talks were long," Maria Lindqvist told reporters. "Everyone has homework now."'
    c = only_claim(nlp, emap, text)
    assert c["text"].endswith("Everyone has homework now")
    assert c["attrs"]["speaker"] == "Maria Lindqvist"


def test_multi_paragraph_quotation_shares_speaker(nlp, emap) -> None:
    text = "“The first paragraph has no closing mark.\n\n“The second one closes,” said Tomas Berg."
    cs = claims(nlp, emap, text)
    assert [c["text"] for c in cs] == [
        "The first paragraph has no closing mark",
        "The second one closes,” said Tomas Berg",
    ]
    assert all(c["attrs"]["speaker"] == "Tomas Berg" for c in cs)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The council expects the dam to be finished by 2030, officials said.", "prediction"),
        ("The minister warned that costs could rise to $3 million.", "prediction"),
        ("The report said that 12 boats sank in the storm.", "factual"),
        ("The mayor said the council should resign at once.", "opinion"),
        ("“The bridge will open in May,” the mayor said.", "quotation"),
    ],
)
def test_kind_guess(nlp, emap, text: str, kind: str) -> None:
    assert only_claim(nlp, emap, text)["attrs"]["kind"] == kind


def test_sentences_without_cues_are_not_claims(nlp, emap) -> None:
    assert claims(nlp, emap, "The weather was pleasant. Boats lay in the harbour.") == []


def test_number_makes_a_claim(nlp, emap) -> None:
    c = only_claim(nlp, emap, "Prices in the port rose by 12 percent in March.")
    assert any(cue.startswith("number") for cue in c["attrs"]["cues"])


def test_entity_mapping_and_unmapped_counts() -> None:
    # entities set by hand, so the test does not depend on the model's accuracy
    import spacy
    from spacy.tokens import Span

    text = "Maria Lindqvist visited Oslo on Monday and bought three boats ."
    doc = spacy.blank("en")(text)
    doc.ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 3, 4, "GPE"), Span(doc, 5, 6, "DATE"), Span(doc, 8, 9, "CARDINAL")]
    res = suggest_spans(doc, "d1", "model:test@1", {"PERSON": "PERSON", "GPE": "LOC"}, claim_label=None)
    got = {(text[s["start"] : s["end"]], s["label"]) for s in res.spans}
    assert got == {("Maria Lindqvist", "PERSON"), ("Oslo", "LOC")}
    assert res.unmapped == {"DATE": 1, "CARDINAL": 1}


def test_entity_drops_leading_the_and_possessive(nlp, emap) -> None:
    text = "The Harbour Authority's report was late."
    res = suggest_spans(nlp(text), "d1", "model:test@1", emap)
    orgs = [text[s["start"] : s["end"]] for s in res.spans if s["label"] == "ORG"]
    assert orgs == ["Harbour Authority"]


def test_ids_are_deterministic(nlp, emap) -> None:
    text = "Maria Lindqvist said 40 boats sank."
    a = suggest_spans(nlp(text), "d1", "model:test@1", emap)
    b = suggest_spans(nlp(text), "d1", "model:test@1", emap)
    assert [s["id"] for s in a.spans] == [s["id"] for s in b.spans]
    c = suggest_spans(nlp(text), "d2", "model:test@1", emap)
    assert not {s["id"] for s in a.spans} & {s["id"] for s in c.spans}


def test_every_suggestion_is_snapped(nlp, emap) -> None:
    text = (
        "(Harbour Wire) - “Nobody saw it coming,” Maria Lindqvist said on Monday. 'It was fast.'\n\n"
        '"Costs could reach $4 million," the Harbour Authority warned.  Another 12% fell.\n'
    )
    doc = nlp(text)
    res = suggest_spans(doc, "d1", "model:test@1", emap)
    assert res.spans
    starts = {t.idx: t for t in doc}
    ends = {t.idx + len(t.text): t for t in doc}
    for s in res.spans:
        assert s["start"] in starts and s["end"] in ends, s
        assert not is_edge_junk(starts[s["start"]]) and not is_edge_junk(ends[s["end"]]), s
