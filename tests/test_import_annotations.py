"""Annotation importers: each format from a small hand-written file, realignment, mapping, re-import."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import toolkit as tk
from toolkit.cli import main
from toolkit.formats import FORMATS, import_annotations

TEXT = "Mayor Ilse Varga met the Harbo Council on Tuesday.\nThe council rejected the plan."
EMOJI = "Fans 🎉 cheered as Ilse Varga 🙂 spoke in Harbo."


def at(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    """Code-point offsets of the ``nth`` occurrence of ``part`` in ``text``."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(part, i + 1)
    return i, i + len(part)


def u16(text: str, i: int) -> int:
    """UTF-16 offset of code-point offset ``i`` (what a JavaScript tool writes)."""
    return len(text[:i].encode("utf-16-le")) // 2


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def spans_of(proj: tk.Project, annotator: str) -> set[tuple[str, str, str]]:
    """(doc id, label, text) of an annotator's current spans."""
    return {(s.doc, s.label, s.text) for s in proj.current(annotator).spans.values()}


@pytest.fixture
def proj(tmp_path: Path) -> tk.Project:
    return tk.Project.init(tmp_path / "proj")


def test_registry_lists_every_format() -> None:
    assert set(FORMATS) == {"prodigy", "doccano", "brat", "labelstudio", "conll", "toolkit"}


# --------------------------------------------------------------------------- prodigy


def test_prodigy_accept_reject_ignore_annotator_and_meta(proj: tk.Project, tmp_path: Path) -> None:
    s, e = at(TEXT, "Ilse Varga")
    cs, ce = at(TEXT, "Harbo Council")
    f = jsonl(tmp_path / "ner.jsonl", [
        {"text": TEXT, "meta": {"doc_id": "varga-1", "source": "Harbo Post", "title": "Varga"},
         "spans": [{"start": s, "end": e, "label": "PERSON", "text": "Ilse Varga"}],
         "answer": "accept", "_annotator_id": "news-ann", "_input_hash": 12},
        {"text": TEXT, "spans": [{"start": cs, "end": ce, "label": "GPE"}], "answer": "reject",
         "_session_id": "news-ann"},
        {"text": "Unrelated task.", "spans": [], "answer": "ignore", "_annotator_id": "news-ann"},
    ])  # fmt: skip
    report = import_annotations(proj, [f], "prodigy")
    assert sorted(proj.documents()) == ["varga-1"]
    doc = proj.document("varga-1")
    assert (doc.source, doc.title) == ("Harbo Post", "Varga")
    assert spans_of(proj, "news-ann") == {("varga-1", "PERSON", "Ilse Varga")}
    assert spans_of(proj, "news-ann:rejected") == {("varga-1", "GPE", "Harbo Council")}
    (span,) = proj.current("news-ann").spans.values()
    assert span.meta["import"] == {"format": "prodigy", "file": "ner.jsonl", "line": 1, "_input_hash": 12}
    assert any("1 task(s) answered 'ignore'" in n for n in report.notes)
    assert report.added["span"] == 2


def test_prodigy_reimport_changes_nothing(proj: tk.Project, tmp_path: Path) -> None:
    s, e = at(TEXT, "Ilse Varga")
    f = jsonl(tmp_path / "a.jsonl", [{"text": TEXT, "spans": [{"start": s, "end": e, "label": "PERSON"}]}])
    import_annotations(proj, [f], "prodigy", annotator="kim")
    before = (proj.path / "records").glob("*.jsonl")
    sizes = {p.name: p.stat().st_size for p in before}
    report = import_annotations(proj, [f], "prodigy", annotator="kim")
    assert (report.unchanged["span"], report.added["span"], report.documents_reused) == (1, 0, 1)
    assert {p.name: p.stat().st_size for p in (proj.path / "records").glob("*.jsonl")} == sizes


def test_prodigy_utf16_offsets_are_realigned_even_without_span_text(proj: tk.Project, tmp_path: Path) -> None:
    s, e = at(EMOJI, "Ilse Varga")
    hs, he = at(EMOJI, "Harbo")
    f = jsonl(tmp_path / "js.jsonl", [{"text": EMOJI, "spans": [
        {"start": u16(EMOJI, s), "end": u16(EMOJI, e), "label": "PERSON", "text": "Ilse Varga"},
        {"start": u16(EMOJI, hs), "end": u16(EMOJI, he), "label": "GPE"},
    ]}])  # fmt: skip
    assert (u16(EMOJI, s), u16(EMOJI, hs)) != (s, hs)  # the file really counts differently
    report = import_annotations(proj, [f], "prodigy", annotator="kim")
    assert {(sp.label, sp.start, sp.end) for sp in proj.current("kim").spans.values()} == {
        ("PERSON", s, e),
        ("GPE", hs, he),
    }
    assert len(report.realigned) == 2 and all("(utf16)" in r and "js.jsonl:1" in r for r in report.realigned)


def test_mismatched_span_is_reported_with_file_and_line_never_shifted(proj: tk.Project, tmp_path: Path) -> None:
    s, e = at(TEXT, "Ilse Varga")
    f = jsonl(tmp_path / "bad.jsonl", [
        {"text": TEXT, "spans": [{"start": s, "end": e, "label": "PERSON", "text": "Ilse Varga"}]},
        {"text": TEXT, "spans": [{"start": s + 1, "end": e + 1, "label": "PERSON", "text": "Ilse Varga"},
                                 {"start": 5, "end": 999, "label": "ORG"}]},
    ])  # fmt: skip
    report = import_annotations(proj, [f], "prodigy", annotator="kim")
    assert spans_of(proj, "kim") == {(next(iter(proj.documents())), "PERSON", "Ilse Varga")}
    assert len(report.problems) == 2
    assert all(p.startswith(f"{f}:2: ") for p in report.problems)
    assert "'lse Varga '" in report.problems[0] and "outside the text" in report.problems[1]


def test_strict_turns_problems_into_one_error_and_writes_nothing(proj: tk.Project, tmp_path: Path) -> None:
    f = jsonl(tmp_path / "bad.jsonl", [{"text": TEXT, "spans": [{"start": 0, "end": 4, "label": "PERSON",
                                                                  "text": "Ilse"}]}])  # fmt: skip
    with pytest.raises(tk.ImportFormatError, match=r"bad\.jsonl:1: .*nothing imported \(--strict\)") as err:
        import_annotations(proj, [f], "prodigy", annotator="kim", strict=True)
    assert "\n" not in str(err.value)
    assert proj.documents() == {} and proj.annotators() == []


def test_label_mapping_and_unknown_labels_kept_and_reported(proj: tk.Project, tmp_path: Path) -> None:
    s, e = at(TEXT, "Ilse Varga")
    cs, ce = at(TEXT, "Harbo Council")
    f = jsonl(tmp_path / "m.jsonl", [{"text": TEXT, "spans": [
        {"start": s, "end": e, "label": "PER"}, {"start": cs, "end": ce, "label": "INSTITUTION"}]}])  # fmt: skip
    report = import_annotations(proj, [f], "prodigy", annotator="kim", label_map={"PER": "PERSON"})
    assert {(sp.label, sp.text) for sp in proj.current("kim").spans.values()} == {
        ("PERSON", "Ilse Varga"),
        ("INSTITUTION", "Harbo Council"),
    }
    assert report.unknown_labels == {"INSTITUTION": 1}
    person = next(sp for sp in proj.current("kim").spans.values() if sp.label == "PERSON")
    assert person.meta["import"]["label"] == "PER"  # the file's own label is kept as provenance
    assert [p.kind for p in proj.validate()] == ["unknown-label"]
    assert any("--map-label INSTITUTION=NAME" in line for line in report.lines())


# --------------------------------------------------------------------------- doccano


def test_doccano_both_shapes_and_its_numeric_ids(proj: tk.Project, tmp_path: Path) -> None:
    s, e = at(TEXT, "Ilse Varga")
    cs, ce = at(TEXT, "Harbo Council")
    other = "Officials in Velmora praised the deal."
    vs, ve = at(other, "Velmora")
    f = jsonl(tmp_path / "doccano.jsonl", [
        {"id": 7, "text": TEXT, "label": [[s, e, "PERSON"], [cs, ce, "ORG"]], "Comments": []},
        {"id": "velmora-3", "text": other, "entities": [{"id": 1, "label": "GPE", "start_offset": vs,
                                                          "end_offset": ve}], "relations": [{"id": 4}]},
    ])  # fmt: skip
    report = import_annotations(proj, [f], "doccano", annotator="lee", source="Wire")
    assert "velmora-3" in proj.documents()
    numbered = next(d for d in proj.documents().values() if d.text == TEXT)
    assert numbered.id != "7" and numbered.source == "Wire"
    assert spans_of(proj, "lee") == {
        (numbered.id, "PERSON", "Ilse Varga"),
        (numbered.id, "ORG", "Harbo Council"),
        ("velmora-3", "GPE", "Velmora"),
    }
    kept = {sp.meta["import"].get("example") for sp in proj.current("lee").spans.values()}
    assert kept == {7, None}
    assert any("1 relation(s) not imported" in n for n in report.notes)


def test_doccano_classification_export_is_explained(proj: tk.Project, tmp_path: Path) -> None:
    f = jsonl(tmp_path / "cats.jsonl", [{"id": 1, "text": TEXT, "label": ["positive"]}])
    with pytest.raises(tk.ImportFormatError, match=r"cats\.jsonl:1: label 1: 'positive' is a document category"):
        import_annotations(proj, [f], "doccano", annotator="lee")


# --------------------------------------------------------------------------- brat


def test_brat_crlf_text_discontinuous_and_skipped_lines(proj: tk.Project, tmp_path: Path) -> None:
    folder = tmp_path / "Harbo Post"
    folder.mkdir()
    disk = TEXT.replace("\n", "\r\n")
    (folder / "varga.txt").write_bytes(disk.encode("utf-8"))
    s, e = at(disk, "Ilse Varga")
    a1, a2 = at(disk, "council")
    b1, b2 = at(disk, "plan")
    (folder / "varga.ann").write_text(
        f"T1\tPERSON {s} {e}\tIlse Varga\n"
        f"T2\tCLAIM {a1} {a2};{b1} {b2}\tcouncil plan\n"
        "R1\tSpeaks Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T1\tthe mayor\n",
        encoding="utf-8",
    )
    report = import_annotations(proj, [folder], "brat", annotator="max")
    doc = proj.document("varga")
    assert doc.source == "Harbo Post" and doc.text == TEXT
    got = {sp.label: sp for sp in proj.current("max").spans.values()}
    assert got["PERSON"].text == "Ilse Varga"
    assert got["CLAIM"].text == "council rejected the plan"  # outer range of the two fragments
    assert got["CLAIM"].meta["import"]["fragments"] == [[a1, a2], [b1, b2]]
    assert any("(whitespace)" in r for r in report.realigned)  # \r\n counted by brat, \n stored
    assert any("discontinuous annotation T2" in n for n in report.notes)
    assert any("2 non-text-bound line(s)" in n for n in report.notes)


def test_brat_needs_its_text_file_and_an_annotator(proj: tk.Project, tmp_path: Path) -> None:
    (tmp_path / "lonely.ann").write_text("T1\tPERSON 0 4\tMayo\n", encoding="utf-8")
    with pytest.raises(tk.ImportFormatError, match=r"lonely\.ann: no text file lonely\.txt"):
        import_annotations(proj, [tmp_path / "lonely.ann"], "brat", annotator="max")
    (tmp_path / "lonely.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(tk.ImportFormatError, match=r"lonely\.ann:1: the file names no annotator"):
        import_annotations(proj, [tmp_path / "lonely.txt"], "brat")


def test_brat_folder_symlink_leading_outside_is_not_followed(proj: tk.Project, tmp_path: Path) -> None:
    inside, outside = tmp_path / "inside", tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    for folder in (inside, outside):
        (folder / f"{folder.name}.txt").write_text(TEXT, encoding="utf-8")
        (folder / f"{folder.name}.ann").write_text("T1\tPERSON 6 16\tIlse Varga\n", encoding="utf-8")
    os.symlink(outside / "outside.ann", inside / "escape.ann")
    report = import_annotations(proj, [inside], "brat", annotator="max")
    assert sorted(proj.documents()) == ["inside"]
    assert any("escape.ann: symbolic link to a file outside" in n for n in report.notes)


# --------------------------------------------------------------------------- Label Studio


def test_labelstudio_export_users_cancelled_and_utf16(proj: tk.Project, tmp_path: Path) -> None:
    s, e = at(EMOJI, "Ilse Varga")
    hs, he = at(EMOJI, "Harbo")
    region = {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
              "value": {"start": u16(EMOJI, s), "end": u16(EMOJI, e), "text": "Ilse Varga", "labels": ["PERSON"]}}
    tasks = [
        {"id": 31, "data": {"text": EMOJI, "doc_id": "fans-1", "source": "Harbo Post"},
         "annotations": [
             {"id": 101, "completed_by": {"id": 3, "email": "ana@example.org"}, "result": [region]},
             {"id": 102, "completed_by": 4, "result": [
                 {"id": "r2", "type": "labels", "from_name": "label", "to_name": "text",
                  "value": {"start": hs, "end": he, "text": "Harbo", "labels": ["GPE", "LOC"]}},
                 {"id": "c1", "type": "choices", "from_name": "stance", "to_name": "text",
                  "value": {"choices": ["favour"]}}]},
             {"id": 103, "completed_by": 5, "was_cancelled": True, "result": [region]},
         ],
         "predictions": [{"result": [region]}]},
    ]  # fmt: skip
    f = tmp_path / "export.json"
    f.write_text(json.dumps(tasks, indent=2, ensure_ascii=False), encoding="utf-8")
    report = import_annotations(proj, [f], "labelstudio")
    assert proj.document("fans-1").source == "Harbo Post"
    assert spans_of(proj, "ana@example.org") == {("fans-1", "PERSON", "Ilse Varga")}
    assert spans_of(proj, "ls-user-4") == {("fans-1", "GPE", "Harbo"), ("fans-1", "LOC", "Harbo")}
    assert "ls-user-5" not in proj.annotators()
    (ana,) = proj.current("ana@example.org").spans.values()
    assert (ana.start, ana.end) == (s, e)
    assert ana.meta["import"]["task"] == 31 and ana.meta["import"]["annotation"] == 101
    text = "\n".join(report.notes)
    assert "1 cancelled annotation(s)" in text and "1 prediction(s)" in text and "type 'choices'" in text


def test_labelstudio_errors_point_at_the_task_line(proj: tk.Project, tmp_path: Path) -> None:
    f = tmp_path / "export.json"
    f.write_text('[\n  {"data": {"text": "ok"}, "annotations": []},\n  {"data": {"text": 5}}\n]\n', encoding="utf-8")
    with pytest.raises(tk.ImportFormatError, match=r"export\.json:3: data\.text must be a string, got 5"):
        import_annotations(proj, [f], "labelstudio", annotator="x")
    g = jsonl(tmp_path / "lines.json", [{"data": {"text": "ok"}}])
    with pytest.raises(tk.ImportFormatError, match=r"lines\.json:1: expected a JSON array of tasks \(this looks like"):
        import_annotations(proj, [g], "labelstudio", annotator="x")


# --------------------------------------------------------------------------- CoNLL


def test_conll_iob2_and_iob1_new_document_from_tokens(proj: tk.Project, tmp_path: Path) -> None:
    f = tmp_path / "train.conll"
    f.write_text(
        "-DOCSTART- -X- -X- O\n\n"
        "Ilse NNP B-PER\nVarga NNP I-PER\nmet VBD O\nthe DT O\nHarbo NNP I-ORG\nCouncil NNP I-ORG\n. . O\n\n"
        "Velmora NNP I-LOC\nagreed VBD O\n\n",
        encoding="utf-8",
    )
    report = import_annotations(proj, [f], "conll", annotator="cho", source="Shared task")
    (doc,) = proj.documents().values()
    assert doc.text == "Ilse Varga met the Harbo Council .\nVelmora agreed"
    assert doc.source == "Shared task"
    assert spans_of(proj, "cho") == {
        (doc.id, "PER", "Ilse Varga"),
        (doc.id, "ORG", "Harbo Council"),
        (doc.id, "LOC", "Velmora"),
    }
    assert any("2 entity(ies) start with I-" in n for n in report.notes)


def test_conll_docstart_with_id_realigns_onto_the_stored_text(proj: tk.Project, tmp_path: Path) -> None:
    stored = TEXT.replace("Mayor ", "Mayor  ")  # a double space the CoNLL text cannot have
    proj.add_documents([tk.Document.create("varga-1", "Harbo Post", stored)])
    f = tmp_path / "export.conll"
    f.write_text(
        "-DOCSTART- varga-1 ann\n\nMayor\tO\nIlse\tB-PERSON\nVarga\tI-PERSON\nmet\tO\nthe\tO\nHarbo\tB-ORG\n"
        "Council\tI-ORG\non\tO\nTuesday\tB-DATE\n.\tO\n\nThe\tO\ncouncil\tO\nrejected\tO\nthe\tO\nplan\tO\n.\tO\n",
        encoding="utf-8",
    )
    report = import_annotations(proj, [f], "conll")
    assert sorted(proj.documents()) == ["varga-1"]
    assert spans_of(proj, "ann") == {
        ("varga-1", "PERSON", "Ilse Varga"),
        ("varga-1", "ORG", "Harbo Council"),
        ("varga-1", "DATE", "Tuesday"),
    }
    assert report.documents_reused == 1
    assert len(report.realigned) == 3 and all("(whitespace)" in r for r in report.realigned)


def test_conll_bad_tag_names_file_and_line(proj: tk.Project, tmp_path: Path) -> None:
    f = tmp_path / "bad.conll"
    f.write_text("Ilse B-PER\nVarga PERSON\n", encoding="utf-8")
    with pytest.raises(tk.ImportFormatError, match=r"bad\.conll:2: tag 'PERSON' is not an IOB tag"):
        import_annotations(proj, [f], "conll", annotator="cho")


# --------------------------------------------------------------------------- the toolkit's own export


def _annotated(proj: tk.Project) -> None:
    proj.add_documents([tk.Document.create("varga-1", "Harbo Post", TEXT, title="Varga")])
    proj.add_documents([tk.Document.create("plain-2", "Wire", "Nothing annotated here.")])
    s, e = at(TEXT, "Ilse Varga")
    proj.add_span("varga-1", s, e, "PERSON", annotator="alice")
    c1 = proj.add_span("varga-1", *at(TEXT, "Mayor Ilse Varga met the Harbo Council on Tuesday."), "CLAIM",
                       annotator="alice", attrs={"kind": "factual"})  # fmt: skip
    c2 = proj.add_span("varga-1", *at(TEXT, "The council rejected the plan."), "CLAIM", annotator="alice")
    proj.set_stance("varga-1", "Velmora", "against", annotator="alice")
    proj.set_stance("varga-1", "Velmora", "neutral", annotator="alice", claim=c2.id)
    proj.link_claims(c1.id, c2.id, annotator="alice")
    proj.add_span("varga-1", s, e, "ORG", annotator="bob")


def _state(proj: tk.Project) -> dict[str, tuple]:
    out = {}
    for ann in proj.annotators():
        cur = proj.current(ann)
        out[ann] = (
            {(sp.id, sp.doc, sp.start, sp.end, sp.label, tuple(sorted(sp.attrs.items()))) for sp in cur.spans.values()},
            {(st.id, st.value) for st in cur.stances.values()},
            {(ln.id, ln.doc_a, ln.doc_b) for ln in cur.links.values()},
        )
    return out


def _export(proj: tk.Project, path: Path) -> Path:
    """The project's own JSON Lines export, written by ``toolkit export --format jsonl``."""
    assert main(["--project", str(proj.path), "export", "--format", "jsonl", "-o", str(path)]) == 0
    return path


def test_toolkit_export_reimports_into_the_same_and_a_fresh_project(tmp_path: Path) -> None:
    src = tk.Project.init(tmp_path / "src")
    _annotated(src)
    f = _export(src, tmp_path / "export.jsonl")
    before = _state(src)
    report = import_annotations(src, [f], "toolkit")
    assert _state(src) == before
    assert report.added == {"span": 0, "stance": 0, "link": 0} and report.documents_reused == 2
    fresh = tk.Project.init(tmp_path / "fresh")
    import_annotations(fresh, [f], "toolkit")
    assert _state(fresh) == before
    assert {d.id: (d.source, d.title, d.sha256) for d in fresh.documents().values()} == {
        d.id: (d.source, d.title, d.sha256) for d in src.documents().values()
    }
    assert fresh.validate() == []


def test_toolkit_lines_written_by_hand_with_whitespace_changes_and_nan_claim(proj: tk.Project, tmp_path: Path) -> None:
    proj.add_documents([tk.Document.create("varga-1", "Harbo Post", TEXT)])
    wrapped = TEXT.replace("\n", "\n\n").replace(" the Harbo", "  the Harbo")
    s, e = at(wrapped, "Harbo Council")
    c, d = at(wrapped, "The council rejected the plan.")
    line = {"id": "varga-1", "source": "Harbo Post", "text": wrapped, "annotator": "ed",
            "spans": [{"id": "s-1", "start": s, "end": e, "label": "ORG", "text": "Harbo Council", "attrs": {}},
                      {"id": "s-2", "start": c, "end": d, "label": "CLAIM", "text": wrapped[c:d],
                       "attrs": {"kind": "opinion"}}],
            "stances": [{"target": "Velmora", "value": "favour", "claim": float("nan")},
                        {"target": "Velmora", "value": "against", "claim": "s-2"},
                        {"target": "Velmora", "value": "maybe", "claim": None}],
            "links": [{"a": "s-2", "b": "s-404", "doc_b": "varga-1"}]}  # fmt: skip
    f = tmp_path / "hand.jsonl"
    f.write_text(json.dumps(line) + "\n", encoding="utf-8")  # json writes float('nan') as NaN, like pandas did
    report = import_annotations(proj, [f], "toolkit")
    cur = proj.current("ed")
    assert {sp.id: sp.text for sp in cur.spans.values()} == {"s-1": "Harbo Council", "s-2": "The council rejected the plan."}
    assert cur.spans["s-2"].attrs == {"kind": "opinion"}
    assert {(st.claim, st.value) for st in cur.stances.values()} == {(None, "favour"), ("s-2", "against")}
    assert len(report.realigned) == 2
    assert len(report.problems) == 2
    assert "unknown stance value 'maybe'" in report.problems[0] and "s-404 not found" in report.problems[1]


def test_existing_id_with_other_text_is_an_error_and_nothing_changes(proj: tk.Project, tmp_path: Path) -> None:
    proj.add_documents([tk.Document.create("varga-1", "Harbo Post", TEXT)])
    f = jsonl(tmp_path / "t.jsonl", [
        {"id": "new-1", "source": "W", "text": "Another text.", "annotator": "ed",
         "spans": [{"start": 0, "end": 7, "label": "ORG"}]},
        {"id": "varga-1", "text": "A different story.", "annotator": "ed", "spans": []},
    ])  # fmt: skip
    with pytest.raises(tk.ImportFormatError, match=r"t\.jsonl:2: document 'varga-1' already exists with a different"):
        import_annotations(proj, [f], "toolkit")
    assert sorted(proj.documents()) == ["varga-1"] and proj.annotators() == []


# --------------------------------------------------------------------------- command line


def test_cli_import_annotations_prints_the_report(proj: tk.Project, tmp_path: Path, capsys) -> None:
    s, e = at(TEXT, "Ilse Varga")
    f = jsonl(tmp_path / "p.jsonl", [{"text": TEXT, "spans": [{"start": s, "end": e, "label": "PER"}]}])
    args = ["--project", str(proj.path), "import", str(f), "--annotations", "prodigy"]
    assert main([*args, "--annotator", "kim", "--map-label", "PER=PERSON"]) == 0
    out = capsys.readouterr().out
    assert "documents 1 added" in out and "spans 1 added" in out and "kim (1 records)" in out
    assert spans_of(proj, "kim") == {(next(iter(proj.documents())), "PERSON", "Ilse Varga")}
    assert main([*args, "--map-label", "PER"]) == 1
    assert capsys.readouterr().err.strip() == "error: --map-label 'PER': expected FROM=TO, e.g. PER=PERSON"
    assert main([*args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "p.jsonl:1: the file names no annotator" in err
    assert main(["--project", str(proj.path), "import", str(f), "--annotator", "kim"]) == 1
    assert "need --annotations FORMAT" in capsys.readouterr().err
