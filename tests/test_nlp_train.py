"""Training from the team's annotations (toolkit.nlp.train) and the recommenders (toolkit.nlp.recommend)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import toolkit as tk
from toolkit.cli import main
from toolkit.demo import build_demo
from toolkit.errors import ToolkitError
from toolkit.nlp.recommend import (
    STRINGS_ANNOTATOR,
    StringMatcher,
    document_uncertainty,
    entity_scores,
    most_uncertain,
    parse_recommender,
    recommend_strings,
)
from toolkit.nlp.train import merge_stances, train, training_data


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tk.Project:
    return build_demo(tmp_path_factory.mktemp("train") / "demo")


@pytest.fixture(scope="module")
def trained(demo: tk.Project):
    return train(demo, name="tiny", epochs=2, seed=3)


# --------------------------------------------------------------------------- training


@pytest.mark.slow
def test_trained_pipeline_loads_with_the_schemas_labels(demo: tk.Project, trained) -> None:
    import spacy

    assert trained.path == demo.path / "models" / "tiny"
    nlp = spacy.load(trained.path)
    schema = demo.schema
    assert set(nlp.get_pipe("ner").labels) == {lab.name for lab in schema.entity_labels}
    assert set(nlp.get_pipe("spancat").labels) == {lab.name for lab in schema.claim_labels}
    meta = nlp.meta["newslens"]
    assert set(meta["stance_components"]) == set(schema.stance_targets)
    for target, component in meta["stance_components"].items():
        assert set(nlp.get_pipe(component).labels) == {f"{target}={v}" for v in schema.stance_values}
    # meta: data, labels, scores, date; per-label scores for every label with dev gold
    assert meta["data"]["documents"] == 4 and meta["date"] and meta["labels"]["entities"]
    per_label = meta["scores"]["entities"]["per_label"]
    dev_labels = {lab for lab, s in per_label.items() if s["n_gold"]}
    assert dev_labels and all({"p", "r", "f"} <= set(per_label[lab]) for lab in dev_labels)
    # usable without the toolkit: spacy.load(path)(text) runs (spancat is saved disabled)
    doc = nlp("Dario Venn spoke in Castavel on Monday.")
    assert all(ent.label_ in set(meta["labels"]["entities"]) for ent in doc.ents)


@pytest.mark.slow
def test_split_is_by_document_and_repeatable(demo: tk.Project, trained) -> None:
    assert not set(trained.train_docs) & set(trained.dev_docs)
    assert sorted(trained.train_docs + trained.dev_docs) == sorted(demo.documents())
    again = train(demo, name="tiny2", epochs=1, seed=3, save=False)
    assert (again.train_docs, again.dev_docs) == (trained.train_docs, trained.dev_docs)
    other = [train(demo, name="x", epochs=1, seed=s, save=False).dev_docs for s in range(4)]
    assert len({tuple(d) for d in other}) > 1  # the seed does choose the split


def test_training_data_is_gold_else_agreed(demo: tk.Project) -> None:
    data = training_data(demo)
    ana = demo.current("ana").spans.values()
    ben = {(s.doc, s.start, s.end, s.label) for s in demo.current("ben").spans.values()}
    agreed = {(s.doc, s.start, s.end, s.label) for s in ana} & ben
    got = {(d.doc_id, s, e, lab) for d in data.docs for s, e, lab in d.ents + d.claims}
    assert got == agreed  # two annotators: both must have a span
    # with a gold layer on one document, that document is the gold's
    doc_id = data.docs[0].doc_id
    text = demo.document(doc_id).text
    start = text.index("Velmora")
    demo.add_span(doc_id, start, start + len("Velmora"), "GPE", "gold")
    data2 = training_data(demo)
    first = next(d for d in data2.docs if d.doc_id == doc_id)
    assert first.source == "gold" and first.ents == [(start, start + 7, "GPE")]
    demo.delete("span", next(iter(demo.current("gold").spans)), "gold")


def test_merge_stances_majority_and_gold() -> None:
    import pandas as pd

    rows = [
        ("d1", None, "T", "favour", "a"), ("d1", None, "T", "favour", "b"), ("d1", None, "T", "against", "c"),
        ("d2", None, "T", "favour", "a"), ("d2", None, "T", "against", "b"),
        ("d3", None, "T", "favour", "a"), ("d3", None, "T", "none", "gold"),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["doc_id", "claim_id", "target", "value", "annotator"])
    assert merge_stances(frame) == {("d1", "T"): ("favour", "merged"), ("d3", "T"): ("none", "gold")}
    assert ("d1", "T") not in merge_stances(frame, "all")


@pytest.mark.slow
def test_train_curve_prints_four_points(demo: tk.Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(demo.path), "train-curve", "--epochs", "1", "--seed", "1"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "of training documents" in ln]
    assert [ln.split("%")[0].strip() for ln in lines] == ["25", "50", "75", "100"]
    assert all("entities P" in ln and " F " in ln for ln in lines)


def test_train_errors_are_one_line(demo: tk.Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(demo.path), "train", "--name", "../x"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    empty = tk.Project.init(demo.path.parent / "empty")
    with pytest.raises(ToolkitError, match="at least 2 annotated documents"):
        train(empty, epochs=1)


# --------------------------------------------------------------------------- recommenders


def test_string_matcher_suggests_tagged_name_elsewhere_with_majority_label() -> None:
    m = StringMatcher()
    m.add("Tarn Basin Council", "ORG")
    m.add("Tarn Basin Council", "ORG")
    m.add("Tarn Basin Council", "GPE")
    m.add("Tarn", "LOC")
    text = "The Tarn Basin Council met. Later the Tarn rose, and the council of Tarn Basin Council spoke."
    found = m.suggest(text)
    assert [(text[s:e], lab) for s, e, lab, _ in found] == [
        ("Tarn Basin Council", "ORG"), ("Tarn", "LOC"), ("Tarn Basin Council", "ORG"),
    ]  # fmt: skip
    assert found[0][3] == pytest.approx(2 / 3, abs=1e-4)  # agreement 2/3, never counted as seen: tag rate 1
    # tag rate: tagged in one of the two places it occurs in an annotated document
    m.count("Tarn Basin Council and Tarn Basin Council", [(0, 18)])
    assert m.suggest("Tarn Basin Council")[0][3] == pytest.approx(2 / 3 * 1 / 2, abs=1e-4)
    assert m.suggest("tarn basin council") == []  # case-sensitive


def test_recommend_strings_stores_recommender_and_score(tmp_path: Path) -> None:
    proj = build_demo(tmp_path / "demo")
    docs = proj.documents()
    # ana tags a name in one document only; the matcher suggests it in every document that has it
    only = "Tarn Basin Council"
    holders = [d for d, doc in docs.items() if only in doc.text]
    assert len(holders) > 1
    report = recommend_strings(proj)
    st = proj.current(STRINGS_ANNOTATOR)
    hits = [s for s in st.spans.values() if s.text == only]
    assert {s.doc for s in hits} == set(holders)
    assert all(s.label == "ORG" and s.attrs["recommender"] == "strings" for s in hits)
    assert all(0 < s.attrs["score"] <= 1 for s in st.spans.values())
    assert report.spans["ORG"] >= len(hits)
    # agreement and comparison keep ignoring the layer unless asked
    assert STRINGS_ANNOTATOR not in set(proj.load(include_models=False).spans["annotator"])
    from toolkit.compare._layers import select_layer

    assert STRINGS_ANNOTATOR not in set(select_layer(proj.load().spans, None)["annotator"])
    # re-running after a tag is removed deletes what is no longer suggested
    for ann in ("ana", "ben"):
        ids = [s.id for s in proj.current(ann).spans.values() if s.text == only]
        proj.delete_many("span", ids, ann)
    again = recommend_strings(proj)
    assert again.deleted >= len(hits)
    assert not [s for s in proj.current(STRINGS_ANNOTATOR).spans.values() if s.text == only]


def test_stock_suggestions_carry_recommender_and_score(project: tk.Project) -> None:
    from toolkit.nlp import preannotate

    # entity confidences are opt-in for the stock pipeline (scores=True, `--scores`): they cost ~40% of its parse
    report = preannotate(project, progress=False, scores=True)
    spans = list(project.current(report.annotator).spans.values())
    assert spans and all(s.attrs["recommender"] == "stock" for s in spans)
    assert all(0 <= s.attrs["score"] <= 1 for s in spans)
    assert any(s.attrs["score"] < 1 for s in spans if s.label != "CLAIM")
    unc = document_uncertainty(project, report.annotator)
    assert set(unc) == {s.doc for s in spans}
    order = most_uncertain(project, report.annotator)
    assert order == sorted(unc, key=lambda d: (-unc[d].expected_wrong, unc[d].lowest, d))


def test_stock_entity_scores_are_off_by_default(tmp_path: Path) -> None:
    from toolkit.nlp import preannotate

    proj = build_demo(tmp_path / "d", annotations=False)
    report = preannotate(proj, progress=False)
    spans = list(proj.current(report.annotator).spans.values())
    assert all(s.attrs["recommender"] == "stock" for s in spans)
    assert not any("score" in s.attrs for s in spans if s.label != "CLAIM")
    assert all(s.attrs["score"] == 1.0 for s in spans if s.label == "CLAIM")


def test_entity_scores_match_the_greedy_parse() -> None:
    from toolkit.nlp.pipeline import DEFAULT_MODEL, load_pipeline

    nlp = load_pipeline(DEFAULT_MODEL)
    doc = nlp("President Dario Venn of Velmora met Ilse Markovic in Castavel on Monday, Northgate Wire said.")
    scores = entity_scores(nlp, doc)
    assert set(scores) == {(e.start_char, e.end_char, e.label_) for e in doc.ents}
    assert all(0 < p <= 1 for p in scores.values())


@pytest.mark.slow
def test_trained_recommender_scores_claims(demo: tk.Project, trained, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["--project", str(demo.path), "preannotate", "--recommender", f"trained:{trained.path}",
               "--no-progress", "--json"])  # fmt: skip
    assert rc == 0
    ann = json.loads(capsys.readouterr().out)["annotator"]
    assert ann == "model:en_newslens_tiny@1.0.0"
    spans = list(demo.current(ann).spans.values())
    assert spans and all(s.attrs["recommender"] == "trained" for s in spans)
    claims = [s.attrs["score"] for s in spans if s.label == "CLAIM"]
    assert claims and all(0 <= c <= 1 for c in claims) and len(set(claims)) > 1  # spancat, not a constant


def test_parse_recommender() -> None:
    assert parse_recommender("strings") == ("strings", None)
    assert parse_recommender("trained:models/x") == ("trained", "models/x")
    for bad in ("trained", "nope", "stock:x"):
        with pytest.raises(ToolkitError):
            parse_recommender(bad)
