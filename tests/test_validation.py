"""One validation of record content: hand-edited logs, the write API, outside values, CLI edge cases."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from toolkit.cli import main as cli_main
from toolkit.demo import build_demo
from toolkit.store import SkippedRecordsWarning, atomic_write_text, clean_stale_temp_files
from toolkit.validation import (
    event_problem,
    external_int,
    external_str,
    link_from_external,
    span_from_external,
    stance_from_external,
)


@pytest.fixture
def demo(tmp_path: Path) -> tk.Project:
    return build_demo(tmp_path / "demo")


def _claims(proj: tk.Project, ann: str = "ana") -> list[tk.Span]:
    return sorted((s for s in proj.current(ann).spans.values() if s.label == "CLAIM"), key=lambda s: s.id)


def _append(proj: tk.Project, ann: str, lines: list[Any]) -> tuple[Path, int]:
    """Append raw JSON lines to a log (as a hand edit would); returns the path and the first new line number."""
    path = proj.records_dir / f"{ann}.jsonl"
    first = len(path.read_bytes().split(b"\n"))  # lines so far + 1 (the file ends with a newline)
    with open(path, "a", encoding="utf-8") as fh:
        for line in lines:
            fh.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return path, first


def _span_event(span: tk.Span, **changes: Any) -> dict[str, Any]:
    ev = {"rid": "hand", "op": "put", **span.to_record(), "annotator": span.annotator, "ts": span.ts}
    ev.update(changes)
    return ev


def _hostile_lines(proj: tk.Project) -> dict[str, tuple[dict[str, Any], str, bool]]:
    """``name -> (event, expected problem kind, kept in the frames)`` for each case users reported."""
    claim, other = _claims(proj)[:2]
    doc = claim.doc
    target = proj.schema.stance_targets[0]
    ts = claim.ts
    stance = {"rid": "h", "op": "put", "type": "stance", "doc": doc, "claim": None, "target": target,
              "value": "favour", "annotator": "ana", "ts": ts}  # fmt: skip

    def st(**kw: Any) -> dict[str, Any]:
        ev = {**stance, **kw}
        tgt = ev["target"] if isinstance(ev["target"], str) else "x"
        return {**ev, "id": kw.get("id", tk.Stance.make_id(doc, tgt, ev["claim"]))}

    def link(a: str, b: str, doc_a: str, doc_b: str) -> dict[str, Any]:
        return {"rid": "h", "op": "put", "type": "link", "id": tk.ClaimLink.make_id(a, b), "a": a, "b": b,
                "doc_a": doc_a, "doc_b": doc_b, "annotator": "ana", "ts": ts}  # fmt: skip

    return {
        "span doc is a list": (_span_event(claim, id="h-doc", doc=[doc]), "invalid-record", False),
        "stance target is a list": (st(target=[target]), "invalid-record", False),
        "unknown claim kind": (_span_event(claim, id="h-kind", attrs={"kind": "rumour"}), "unknown-value", True),
        "claim kind is a number": (_span_event(claim, id="h-kind2", attrs={"kind": 3}), "invalid-record", False),
        "speaker is a list": (_span_event(claim, id="h-spk", attrs={"speaker": ["A", "B"]}), "invalid-record", False),
        "link to a missing span": (link(claim.id, "s-nowhere", claim.doc, other.doc), "bad-reference", False),
        "link to a missing document": (link(claim.id, other.id, claim.doc, "no-such-doc"), "bad-reference", False),
        "stance value not in schema": (st(value="enthusiastic"), "unknown-value", True),
        "stance on a missing claim": (st(claim="s-gone", target=target), "bad-reference", False),
        "ts is not a timestamp": (_span_event(claim, id="h-ts", ts="yesterday"), "invalid-record", False),
        "meta is not an object": (_span_event(claim, id="h-meta", meta=["x"]), "invalid-record", False),
        "start is a string": (_span_event(claim, id="h-str", start=str(claim.start)), "invalid-record", False),
        "annotator of another log": (_span_event(claim, id="h-ann", annotator="ben"), "invalid-record", False),
    }


def test_hand_edited_lines_are_each_reported_with_file_and_line_and_never_crash(
    demo: tk.Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["--project", str(demo.path), "validate"]) == 0
    capsys.readouterr()
    before = tk.Project.open(demo.path).load()
    cases = _hostile_lines(demo)
    path, first = _append(demo, "ana", [ev for ev, _, _ in cases.values()])

    assert cli_main(["--project", str(demo.path), "validate"]) == 1
    out = capsys.readouterr().out.splitlines()
    for i, (name, (_ev, kind, _)) in enumerate(cases.items()):
        want = f"{path}:{first + i}: {kind}: "
        hits = [line for line in out if line.startswith(want)]
        assert len(hits) == 1, f"{name}: expected one line starting {want!r} in {out}"
    assert len(out) == len(cases)  # nothing else was flagged

    with pytest.warns(SkippedRecordsWarning, match="left out of the frames"):
        frames = tk.Project.open(demo.path).load()
    skipped = [n for n, (_, _, kept) in cases.items() if not kept]
    assert len(frames.problems) == len(cases) and sum(not k for _, _, k in cases.values()) == len(skipped)
    assert len(frames.spans) == len(before.spans) + 1  # only the well-typed unknown claim kind joins
    # only the stance with a value the schema lacks joins (it may replace ana's earlier value for that target)
    odd = cases["stance value not in schema"][0]["id"]
    assert set(frames.stances["id"]) == set(before.stances["id"]) | {odd}
    ana = frames.stances[frames.stances["annotator"] == "ana"].set_index("id")
    assert ana.loc[odd, "value"] == "enthusiastic"
    assert frames.links.equals(before.links)
    assert all(isinstance(t, str) for t in frames.stances["target"])
    assert all(isinstance(d, str) for d in frames.spans["doc_id"])
    # the rest of the tool chain works on it: export and the report
    from toolkit.compare.report import Comparison, render_report

    assert "<html" in render_report(Comparison.from_project(demo.path, layer="human")).lower()
    out_file = demo.path.parent / "export.jsonl"
    assert cli_main(["--project", str(demo.path), "export", "--format", "jsonl", "-o", str(out_file)]) == 0
    assert out_file.read_text("utf-8").strip()


def test_an_invalid_line_is_ignored_so_the_previous_version_stays(demo: tk.Project) -> None:
    claim = _claims(demo)[0]
    _append(demo, "ana", [_span_event(claim, label=["CLAIM"])])  # a broken re-put of an existing span
    state = tk.Project.open(demo.path).current("ana")
    assert state.spans[claim.id].label == "CLAIM"
    assert [p.kind for p in state.problems] == ["invalid-record"]


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('{"op": "put", "type": "span", "id": 7}', "record id must be a non-empty string"),
        ('{"op": "move", "type": "span", "id": "x"}', "op put/delete"),
        ('{"op": "delete", "type": "span", "id": "x", "ts": 5}', "ts must be an ISO 8601"),
        ('{"op": "put", "type": "link", "id": "ln:a:b", "a": "a", "b": "a", "doc_a": "d", "doc_b": "d"}', "itself"),
        ('{"op": "put", "type": "stance", "id": "st:d::T", "doc": "d", "claim": null, "target": "U", "value": "x"}',
         "stance id must be"),
        ('{"op": "put", "type": "span", "id": "s", "doc": "d", "start": 5, "end": 2, "label": "X", "text": "",'
         ' "doc_sha256": ""}', "0 <= start < end"),
        ('{"op": "put", "type": "span", "id": "s", "doc": "d", "start": 0, "end": 2, "label": "X", "text": "ab",'
         ' "doc_sha256": "", "attrs": [1]}', "attrs must be an object"),
        ('{"op": "put", "type": "span", "id": "s", "doc": "../x", "start": 0, "end": 2, "label": "X", "text": "ab",'
         ' "doc_sha256": ""}', "document id"),
    ],
)  # fmt: skip
def test_event_problem_names_the_field(line: str, fragment: str) -> None:
    what = event_problem(json.loads(line))
    assert what is not None and fragment in what


def test_the_write_api_refuses_what_validate_reports(project: tk.Project) -> None:
    s = project.add_span("wire-001", 0, 7, "GPE", "ana")
    claim = project.add_span("wire-001", 8, 20, "CLAIM", "ana", attrs={"kind": "factual"})
    bad_records = [
        tk.Stance(tk.Stance.make_id("wire-001", "x"), "wire-001", ["Velmora"], "favour", "ana"),  # type: ignore[arg-type]
        tk.ClaimLink(tk.ClaimLink.make_id(claim.id, "y"), claim.id, "y", "wire-001", ["d"], "ana"),  # type: ignore[arg-type]
        tk.Stance("st:wrong", "wire-001", "Velmora", "favour", "ana"),
    ]
    for rec in bad_records:
        with pytest.raises(tk.ValidationError, match="refused"):
            project.put([rec])
    with pytest.raises(tk.ValidationError, match="attrs.speaker must be a string"):
        project.update_span(claim.id, "ana", attrs={"kind": "factual", "speaker": ["A"]})
    with pytest.raises(tk.UnknownLabelError, match="unknown claim kind"):
        project.update_span(claim.id, "ana", attrs={"kind": "rumour"})
    with pytest.raises(tk.ValidationError, match="must be strings"):
        project.set_stance("wire-001", ["Velmora"], "favour", "ana")  # type: ignore[arg-type]
    with pytest.raises(tk.ValidationError, match="meta must be an object"):
        project.add_span("wire-001", 0, 7, "GPE", "ana", meta=["x"])  # type: ignore[arg-type]
    state = tk.Project.open(project.path).current("ana")
    assert set(state.spans) == {s.id, claim.id} and not state.stances and not state.problems


def test_external_values_become_checked_model_objects(project: tk.Project) -> None:
    doc = project.document("wire-001")
    schema = project.schema
    sp = span_from_external(doc, "0", 7.0, "GPE", "ana", schema, text=doc.text[0:7], id=12, where="row 3")
    assert (sp.start, sp.end, sp.id, sp.text) == (0, 7, "12", doc.text[:7])
    claim = span_from_external(doc, 8, 20, "CLAIM", "ana", schema, attrs={"kind": "opinion", "speaker": "Venn"})
    cases = [
        (lambda: span_from_external(doc, [0], 7, "GPE", "ana", schema, where="row 4"), "row 4: start: expected an integer"),
        (lambda: span_from_external(doc, 0, 7, ["GPE"], "ana", schema), "label: expected a string"),
        (lambda: span_from_external(doc, True, 7, "GPE", "ana", schema), "expected an integer"),
        (lambda: span_from_external(doc, 0, 7, "GPE", "ana", schema, text="other"), "not the given text"),
        (lambda: span_from_external(doc, 0, 10**6, "GPE", "ana", schema), "outside document"),
        (lambda: span_from_external(doc, 0, 7, "NOPE", "ana", schema), "unknown label"),
        (lambda: span_from_external(doc, 8, 20, "CLAIM", "ana", schema, attrs={"kind": 1}), "attrs.kind"),
        (lambda: stance_from_external(doc, "Velmora", ["favour"], "ana", schema), "value: expected a string"),
        (lambda: stance_from_external(doc, "Nowhere", "favour", "ana", schema), "unknown stance target"),
        (lambda: stance_from_external(doc, "Velmora", "favour", "ana", schema, claim=sp), "is not a claim"),
        (lambda: link_from_external(claim, claim, "ana", schema), "to itself"),
        (lambda: link_from_external(claim, sp, "ana", schema), "is not a claim"),
        (lambda: external_str({"a": 1}, "speaker"), "speaker: expected a string"),
        (lambda: external_int("1e3", "start"), "start: expected an integer"),
    ]  # fmt: skip
    for fn, fragment in cases:
        with pytest.raises(tk.ValidationError) as info:
            fn()
        assert fragment in str(info.value) and "\n" not in str(info.value)
    unknown = span_from_external(doc, 0, 7, "NOPE", "ana", schema, allow_unknown_label=True)
    st = stance_from_external(doc, "Velmora", "favour", "ana", schema, claim=claim)
    project.put([sp, claim, unknown, st])  # what the helpers build, the store accepts
    problems = tk.Project.open(project.path).validate()
    assert [p.kind for p in problems] == ["unknown-label"]


def test_misspelt_annotator_is_an_error_listing_the_known_ones(
    demo: tk.Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_main(["--project", str(demo.path), "export", "--annotator", "anna", "-o", str(demo.path / "x.jsonl")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert "'anna'" in err and "ana, ben" in err
    assert not (demo.path / "x.jsonl").exists()
    for cmd in (["compare", "entities"], ["report", "-o", str(demo.path / "r.html")]):
        assert cli_main(["--project", str(demo.path), *cmd, "--layer", "ben,anna"]) == 1
        err = capsys.readouterr().err
        assert err == f"error: no annotator 'anna' in {demo.path}; known annotators: ana, ben\n"


def test_piping_into_head_ends_quietly(demo: tk.Project, env_with_repo: dict[str, str]) -> None:
    # 3,000 problems: far more output than a pipe buffer holds, so the writer meets a closed pipe
    claim = _claims(demo)[0]
    _append(demo, "ana", [_span_event(claim, id=f"h{i}", ts="not a time") for i in range(3000)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit.cli", "--project", str(demo.path), "validate"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_with_repo,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert b"invalid-record" in first
    assert "Broken pipe" not in err and "Traceback" not in err and "Exception ignored" not in err


def test_stale_temporary_files_are_removed_on_open_but_not_fresh_or_locked_ones(project: tk.Project) -> None:
    old = time.time() - 3600
    stale = [project.path / ".schema.json.abcd1234.tmp", project.docs_dir / ".wire-002.json.k9_x0pqz.tmp",
             project.records_dir / ".ana.jsonl.zzzzzzzz.tmp"]  # fmt: skip
    fresh = project.docs_dir / ".wire-003.json.q1w2e3r4.tmp"
    locked = project.records_dir / ".ben.jsonl.l0ck3d00.tmp"
    unrelated = project.path / "notes.tmp"
    for p in [*stale, fresh, locked, unrelated]:
        p.write_text("partial")
    for p in [*stale, locked, unrelated]:
        os.utime(p, (old, old))
    fd = os.open(locked, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a writer still working on it (atomic_write_text holds this lock)
        tk.Project.open(project.path)
        assert not any(p.exists() for p in stale)
        assert fresh.exists() and locked.exists() and unrelated.exists()
    finally:
        os.close(fd)
    assert clean_stale_temp_files(project.records_dir) == [locked]  # once its writer is gone


def test_atomic_write_locks_its_temporary_file_until_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real_replace = os.replace

    def replace_and_probe(src: str, dst: str) -> None:
        fd = os.open(src, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            seen.append(False)
        except BlockingIOError:
            seen.append(True)
        finally:
            os.close(fd)
        old = time.time() - 3600
        os.utime(src, (old, old))  # even an old-looking temp file is safe while locked
        assert clean_stale_temp_files(tmp_path) == []
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_and_probe)
    atomic_write_text(tmp_path / "f.json", "{}")
    assert seen == [True] and (tmp_path / "f.json").read_text() == "{}"


def test_load_of_a_clean_project_does_not_warn(demo: tk.Project) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frames = tk.Project.open(demo.path).load()
    assert frames.problems.empty and len(frames.spans)


def test_op_or_type_of_the_wrong_json_type_is_a_problem_not_a_crash() -> None:
    from toolkit.validation import event_problem

    base = {"op": "put", "type": "span", "id": "s-1"}
    for bad in ({**base, "type": []}, {**base, "type": {}}, {**base, "op": ["put"]}, {**base, "op": None}):
        assert event_problem(bad, "ana").startswith("record needs op put/delete and type span/stance/link")
