"""Tests of toolkit.nlp.attribution through suggest_spans (short texts written for these tests, fictional names).

Each expected speaker is what a careful news reader would answer, not a copy of the program's output.
"""

from __future__ import annotations

import pytest

from toolkit.nlp import DEFAULT_MODEL, load_pipeline, suggest_spans
from toolkit.nlp.attribution import DocumentAttribution, find_speaker, first_name_gender, strip_title
from toolkit.nlp.suggest import default_entity_map

PROJECT_LABELS = ["PERSON", "ORG", "GPE", "NORP", "LOC", "EVENT", "DATE", "FAC", "PRODUCT", "LAW", "MONEY", "PERCENT"]


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def emap(nlp):
    return default_entity_map(PROJECT_LABELS, nlp.get_pipe("ner").labels)


def all_claims(nlp, emap, text: str) -> list[dict]:
    res = suggest_spans(nlp(text), "d1", "model:test@1", emap)
    by_id = {s["id"]: s for s in res.spans}
    out = []
    for s in res.spans:
        if s["label"] == "CLAIM":
            ref = by_id.get(s["attrs"]["speaker_span"])
            out.append(
                dict(s, text=text[s["start"] : s["end"]], span_text=text[ref["start"] : ref["end"]] if ref else None)
            )
    return out


def claim_with(nlp, emap, text: str, words: str) -> dict:
    hits = [c for c in all_claims(nlp, emap, text) if words in c["text"]]
    assert len(hits) == 1, (words, hits)
    return hits[0]


def speaker_of(nlp, emap, text: str, words: str) -> str | None:
    return claim_with(nlp, emap, text, words)["attrs"]["speaker"]


def speaker_cues(claim: dict) -> str:
    return " | ".join(c for c in claim["attrs"]["cues"] if c.startswith("speaker"))


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("words", "name"),
    [
        (["President", "Dario", "Venn"], ["Dario", "Venn"]),
        (["Prime", "Minister", "Lia", "Okoro"], ["Lia", "Okoro"]),
        (["Dr.", "Hana", "Brel"], ["Hana", "Brel"]),
        (["chief", "negotiator", "Ana", "Pires"], ["Ana", "Pires"]),
        (["Mr", "Holt"], ["Holt"]),
        (["President"], ["President"]),  # the last word always stays
    ],
)
def test_strip_title(words: list[str], name: list[str]) -> None:
    assert strip_title(words) == name


@pytest.mark.parametrize(
    ("first", "gender"), [("Ana", "f"), ("Tomas", "m"), ("Luca", "m"), ("Ilse", "f"), ("Zq", None)]
)
def test_first_name_gender(first: str, gender: str | None) -> None:
    assert first_name_gender(first) == gender


# ---------------------------------------------------------------- pronouns


@pytest.mark.parametrize(
    ("text", "words", "speaker"),
    [
        # he/she across a sentence boundary, to the person of the right gender (first names)
        ("Tomas Brel met Ana Pires in Lisvane. “We made progress,” she said.", "We made progress", "Ana Pires"),
        ("Ana Pires met Tomas Brel in Lisvane. “We made progress,” he said.", "We made progress", "Tomas Brel"),
        # honorifics give the gender; the speaker is the fullest name, title stripped
        ("Mr Orlen Vask and Ms Kiri Odum spoke on Monday. “It went well,” she said.", "It went well", "Kiri Odum"),
        # gender from an earlier "his" in a sentence naming only that person
        (
            "Corvin Dale left his office early. Bryn Tallis stayed. “Nothing is decided,” he said.",
            "Nothing is decided",
            "Corvin Dale",
        ),
        # across a paragraph boundary
        ("Ana Pires opened the meeting.\n\n“We start today,” she said.", "We start today", "Ana Pires"),
        # it -> organisation, they -> organisation or group
        ("Kestrel Air cancelled 40 flights on Friday. It said the strike was to blame.", "strike", "Kestrel Air"),
        (
            "The Harbour Workers Union met on Monday. They said the talks had failed.",
            "talks had failed",
            "Harbour Workers Union",
        ),
    ],
)
def test_pronoun_speakers(nlp, emap, text: str, words: str, speaker: str) -> None:
    c = claim_with(nlp, emap, text, words)
    assert c["attrs"]["speaker"] == speaker, speaker_cues(c)
    assert "pronoun" in speaker_cues(c)


def test_pronoun_with_no_antecedent_stays_empty(nlp, emap) -> None:
    c = claim_with(nlp, emap, "“It was a disaster,” he said.", "disaster")
    assert c["attrs"]["speaker"] is None
    assert "pronoun 'he'" in speaker_cues(c)


def test_pronoun_skips_names_inside_quotations(nlp, emap) -> None:
    text = "Ana Pires spoke first. “Tomas Brel never called me,” she said. “He knows why,” she added."
    assert speaker_of(nlp, emap, text, "He knows why") == "Ana Pires"


# ---------------------------------------------------------------- where the attribution stands


@pytest.mark.parametrize(
    ("text", "words", "speaker"),
    [
        # after the quotation, and inverted
        ("“The port stays shut,” Ana Pires said.", "port stays shut", "Ana Pires"),
        ("“The port stays shut,” said Ana Pires.", "port stays shut", "Ana Pires"),
        # before it, with a colon
        ("Ana Pires asked: “Who pays for the repairs?”", "Who pays", "Ana Pires"),
        ("Ana Pires told reporters: “The port stays shut.”", "port stays shut", "Ana Pires"),
        # a partial quotation inside reported speech
        ("Ana Pires said the offer was “far too little”.", "far too little", "Ana Pires"),
        # a question the parser cuts off from its attribution
        ("“Who pays for the repairs?” Ana Pires asked.", "Who pays", "Ana Pires"),
    ],
)
def test_attribution_positions(nlp, emap, text: str, words: str, speaker: str) -> None:
    c = claim_with(nlp, emap, text, words)
    assert c["attrs"]["speaker"] == speaker, speaker_cues(c)
    assert c["attrs"]["kind"] == "quotation"


def test_attribution_inside_the_quotation(nlp, emap) -> None:
    text = "“The port stays shut,” Ana Pires said. “Nobody goes in until the wall is fixed.”"
    c = claim_with(nlp, emap, text, "Nobody goes in")
    assert c["attrs"]["speaker"] == "Ana Pires"
    assert c["text"].startswith("The port stays shut")  # one claim: the quotation continues after its attribution


def test_colon_in_previous_paragraph(nlp, emap) -> None:
    text = "Ana Pires told the council:\n\n“The port stays shut until the wall is fixed.”"
    assert speaker_of(nlp, emap, text, "port stays shut") == "Ana Pires"


def test_multi_paragraph_quotation_left_unclosed(nlp, emap) -> None:
    text = (
        "“The wall cracked in March,” said Ana Pires, the harbour engineer. “We warned the council twice.\n\n"
        "“Nobody answered our letters.\n\n“Now the port is shut.”\n\nThe council has not commented."
    )
    for words in ("wall cracked", "Nobody answered", "Now the port"):
        assert speaker_of(nlp, emap, text, words) == "Ana Pires", words


def test_new_paragraph_opening_with_quote_continues_previous_speaker(nlp, emap) -> None:
    text = "“We will not sign,” Tomas Brel said on Monday.\n\n“The offer ignores the farmers.”"
    c = claim_with(nlp, emap, text, "ignores the farmers")
    assert c["attrs"]["speaker"] == "Tomas Brel"
    assert "continues previous paragraph's quotation" in speaker_cues(c)


def test_quote_mid_paragraph_after_another_speaker_is_not_continued_from_previous_paragraph(nlp, emap) -> None:
    text = "“We will not sign,” Tomas Brel said.\n\nThe port was quiet. Ana Pires disagreed: “We must sign.”"
    assert speaker_of(nlp, emap, text, "We must sign") == "Ana Pires"


# ---------------------------------------------------------------- names, titles, appositions, roles


@pytest.mark.parametrize(
    ("text", "words", "speaker"),
    [
        ("The minister's aide Lior Basco told reporters the vote was close.", "vote was close", "Lior Basco"),
        ("The chief negotiator, Ana Pires, said the gap was narrowing.", "gap was narrowing", "Ana Pires"),
        ("Ana Pires, the chief negotiator, said the gap was narrowing.", "gap was narrowing", "Ana Pires"),
        ("President Dario Venn arrived. President Venn said the dam would stay.", "dam would stay", "Dario Venn"),
        # the short form resolves to the fullest name
        ("Ana Pires arrived on Monday. Pires said the gap was narrowing.", "gap was narrowing", "Ana Pires"),
    ],
)
def test_names_titles_appositions(nlp, emap, text: str, words: str, speaker: str) -> None:
    c = claim_with(nlp, emap, text, words)
    assert c["attrs"]["speaker"] == speaker, speaker_cues(c)
    # speaker_span points at an entity suggestion naming that person (when the tagger made one)
    if c["span_text"] is not None:
        assert c["span_text"].split()[-1] == speaker.split()[-1]


@pytest.mark.parametrize(
    ("text", "words", "speaker"),
    [
        # title before the name, then the role alone
        (
            "Ostrandi leader Dario Venn and Veldan leader Lia Okoro met. “The deal is dead,” the Ostrandi leader said.",
            "deal is dead",
            "Dario Venn",
        ),
        # apposition, then the role alone
        (
            "The talks were led by Ana Pires, the chief negotiator. The chief negotiator said the gap was narrowing.",
            "gap was narrowing",
            "Ana Pires",
        ),
        # an organisation introduced with its role
        (
            "Kestrel Air, the national airline, cut 40 flights. Bram Holt works at Harbour Bank. "
            "The airline said the strike was to blame.",
            "strike was to blame",
            "Kestrel Air",
        ),
        # "X, the airline's chief executive" -> the chief executive
        (
            "Mara Velt, the airline's chief executive, flew in. The chief executive said costs were rising.",
            "costs were rising",
            "Mara Velt",
        ),
    ],
)
def test_roles_resolved(nlp, emap, text: str, words: str, speaker: str) -> None:
    c = claim_with(nlp, emap, text, words)
    assert c["attrs"]["speaker"] == speaker, speaker_cues(c)
    assert "role" in speaker_cues(c)


def test_ambiguous_role_stays_empty(nlp, emap) -> None:
    text = "Ostrandi leader Dario Venn and Veldan leader Lia Okoro met. “The deal is dead,” the leader said."
    c = claim_with(nlp, emap, text, "deal is dead")
    assert c["attrs"]["speaker"] is None
    assert "ambiguous" in speaker_cues(c)


@pytest.mark.parametrize(
    ("text", "words", "noun"),
    [
        ("The description said the dam was “a disgrace”.", "disgrace", "description"),
        ("Comments on the forum said the plan would fail.", "plan would fail", "Comments"),
        ("The series suggested the port was “doomed”.", "doomed", "series"),
        ("Police accused the operator of negligence, the report stated.", "negligence", "report"),
    ],
)
def test_common_noun_subject_is_never_a_speaker(nlp, emap, text: str, words: str, noun: str) -> None:
    c = claim_with(nlp, emap, text, words)
    assert c["attrs"]["speaker"] is None
    assert c["attrs"]["speaker_span"] is None
    assert f"{noun}' is not a person" in speaker_cues(c)


def test_unintroduced_role_stays_empty(nlp, emap) -> None:
    c = claim_with(nlp, emap, "“We need more time,” a senior official said.", "more time")
    assert c["attrs"]["speaker"] is None
    assert "names no one" in speaker_cues(c)


# ---------------------------------------------------------------- one claim per speaker


def test_two_speakers_in_one_sentence_are_split(nlp, emap) -> None:
    text = "Venn met Okoro in Lisvane. “It was useful,” Venn said, while Okoro said the talks “went nowhere”."
    a = claim_with(nlp, emap, text, "It was useful")
    b = claim_with(nlp, emap, text, "went nowhere")
    assert a is not b
    assert a["attrs"]["speaker"] == "Venn" and "went nowhere" not in a["text"]
    assert b["attrs"]["speaker"] == "Okoro" and "useful" not in b["text"]


def test_two_leaders_in_one_paragraph_keep_their_own_words(nlp, emap) -> None:
    text = (
        "President Dario Venn and Prime Minister Lia Okoro spoke for an hour. "
        "“We offered data,” said Venn. “We asked for water,” Okoro replied. “Data is not water.”"
    )
    assert speaker_of(nlp, emap, text, "We offered data") == "Dario Venn"
    assert speaker_of(nlp, emap, text, "We asked for water") == "Lia Okoro"
    assert speaker_of(nlp, emap, text, "Data is not water") == "Lia Okoro"


def test_continuation_does_not_cross_to_another_speaker(nlp, emap) -> None:
    text = "“We offered data,” Dario Venn said.\n\nLia Okoro was unmoved. “Data is not water,” she said."
    assert speaker_of(nlp, emap, text, "Data is not water") == "Lia Okoro"


# ---------------------------------------------------------------- the document object


def test_document_tables(nlp) -> None:
    doc = nlp("Prime Minister Lia Okoro arrived. Okoro met Mr Bram Holt of Harbour Bank. Holt left.")
    att = DocumentAttribution(doc)
    names = {e.name: e for e in att.entities}
    assert "Lia Okoro" in names and "Bram Holt" in names
    assert names["Lia Okoro"].gender == "f" and names["Bram Holt"].gender == "m"
    assert len(names["Lia Okoro"].mentions) == 2  # "Okoro" joins the fuller name
    assert names["Lia Okoro"].kind == "PERSON"


def test_find_speaker_wrapper(nlp) -> None:
    doc = nlp("Ana Pires arrived. “We are ready,” she said.")
    got = find_speaker(doc, 4, len(doc) - 1)
    assert got.speaker == "Ana Pires"


def test_quotation_after_a_sentence_about_its_speaker(nlp, emap) -> None:
    text = "The hearing ended late. Bram Holt, speaking outside, was defiant. “We are not going away.”"
    c = claim_with(nlp, emap, text, "not going away")
    assert c["attrs"]["speaker"] == "Bram Holt"
    assert "sentence before the quotation" in speaker_cues(c)


def test_office_speaks_for_its_holder(nlp, emap) -> None:
    text = "Lia Okoro flew home. Okoro's office said the plan was “under review”."
    assert speaker_of(nlp, emap, text, "under review") == "Lia Okoro"


# ---------------------------------------------------------------- organisations, owners, repeated words


@pytest.mark.parametrize(
    ("text", "words", "speaker"),
    [
        # an organisation noun with a capitalised modifier names the organisation itself
        (
            "The Norlandi foreign ministry said: “We remain ready to talk.”",
            "ready to talk",
            "Norlandi Foreign Ministry",
        ),
        # the owner of a statement, a figure, a website speaks
        ("According to Calder Rail's own figures, “fewer than 600 trains” ran.", "fewer than 600", "Calder Rail"),
        (
            "Kestrel Air, the national airline, grounded its fleet. "
            "A message on the airline's website said: “We apologise for the delay.”",
            "apologise",
            "Kestrel Air",
        ),
        (
            "Calder Rail said a quarter of services ran. “We run what we safely can,” a spokeswoman for the company said.",
            "safely can",
            "Calder Rail",
        ),
        # an organisation noun refers to the organisation last named as subject
        (
            "The Lusaran Aviation Safety Board opened an inquiry. “We will examine every failure,” the regulator said.",
            "every failure",
            "Lusaran Aviation Safety Board",
        ),
    ],
)
def test_organisation_speakers(nlp, emap, text: str, words: str, speaker: str) -> None:
    c = claim_with(nlp, emap, text, words)
    assert c["attrs"]["speaker"] == speaker, speaker_cues(c)


def test_headline_quotation_takes_the_speaker_of_the_same_words(nlp, emap) -> None:
    text = (
        "‘A strike we will win’: rail union digs in\n\n"
        "Hugh Halloran addressed the crowd. ‘It is not a strike we wanted, but it is a strike we will win,’ he said."
    )
    c = claim_with(nlp, emap, text, "A strike we will win’: rail")
    assert c["attrs"]["speaker"] == "Hugh Halloran"
    assert "same words" in speaker_cues(c)


def test_definite_description_after_a_name_is_that_person(nlp, emap) -> None:
    text = (
        "Across the hall, Irena Vask had already packed her papers. "
        "The Velmarian prime minister, who led the delegation, described the offer as ‘theft’."
    )
    assert speaker_of(nlp, emap, text, "theft") == "Irena Vask"


def test_governing_verb_wins_over_a_nearer_one(nlp, emap) -> None:
    text = (
        "The decision followed a speech by the culture minister, Lia Okoro, who called the series “propaganda” "
        "and accused its makers of “an attack on the town”."
    )
    assert speaker_of(nlp, emap, text, "propaganda") == "Lia Okoro"


def test_organisation_acronym_is_not_a_persons_name(nlp, emap) -> None:
    text = (
        "Outside, Hugh Halloran was warming up.\n\n"
        "‘This is a strike we will win,’ said the general secretary of the National Union of Railworkers, the N.U.R., "
        "to cheers."
    )
    assert speaker_of(nlp, emap, text, "strike we will win") == "Hugh Halloran"


def test_two_people_with_one_surname_are_told_apart_by_honorific(nlp, emap) -> None:
    text = (
        "Transport Minister Ana Pires met the opposition MP Rui Pires on Monday. "
        "“She has been hiding,” Mr. Pires said. “My door is open,” Ms. Pires replied."
    )
    assert speaker_of(nlp, emap, text, "hiding") == "Rui Pires"
    assert speaker_of(nlp, emap, text, "door is open") == "Ana Pires"


def test_phrasal_call_is_not_a_naming_verb(nlp, emap) -> None:
    text = (
        "Hugh Halloran and Ana Pires have not met since April. "
        "He said the union would meet the minister “any time, anywhere” but would not call off the walkout."
    )
    assert speaker_of(nlp, emap, text, "any time") == "Hugh Halloran"


def test_a_place_is_not_the_short_form_of_a_company(nlp) -> None:
    doc = nlp("Brennock Minerals employs a third of the town. Brennock itself is quiet. Brennock Minerals said little.")
    att = DocumentAttribution(doc)
    company = [e for e in att.entities if e.name == "Brennock Minerals"]
    assert len(company) == 1
    assert all(m.text == "Brennock Minerals" for m in company[0].mentions)


def test_company_is_not_the_union_named_last(nlp, emap) -> None:
    text = (
        "Kestrel Air will cut 120 jobs, the airline said on Tuesday.\n\n"
        "The Harbour Workers Union called the cuts “a betrayal”.\n\n"
        "“We had no choice,” the company said."
    )
    assert speaker_of(nlp, emap, text, "no choice") == "Kestrel Air"
