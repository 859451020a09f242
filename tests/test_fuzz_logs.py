"""Fuzz: mutated record-log lines appended to the demo project's logs, mutated Label Studio results.

Valid demo records are mutated (fields set to wrong types, lists, objects, huge numbers,
unicode; fields dropped; lines truncated or replaced by other JSON or bytes) and appended to
a copy of the demo logs.  Then:

* ``validate`` reports every unusable appended line exactly once, as ``file:line: kind: message``
  on one line;
* ``load``, export and the comparison tables never raise, and their frames hold well-typed values;
* nothing stored before changes: every record the appended lines do not validly replace is as it was.

Label Studio result items made by the toolkit are mutated the same way and fed to the conversion:
it never raises and what it returns is accepted by the store.  Prints how many inputs were tried.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit as tk
from toolkit.cli import main as cli_main
from toolkit.demo import build_demo
from toolkit.labelstudio.convert import from_ls_annotation, to_ls_result
from toolkit.store import SkippedRecordsWarning, _fast_loads, _FastDecodeError
from toolkit.validation import event_problem

TRIED = {"lines": 0, "projects": 0, "ls_results": 0}
ALL_LINES: list[tuple[str, bytes]] = []  # every mutated line, for one final report over all of them


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("fuzz") / "demo").path


_CACHE: dict[str, Any] = {}


def demo_events(demo_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every event of the demo logs as ``(annotator, event)`` (cached; not a fixture, to keep reports short)."""
    if "events" not in _CACHE:
        proj = tk.Project.open(demo_dir)
        _CACHE["events"] = [(ann, {k: v for k, v in ev.items() if k != "line"})
                            for ann in proj.annotators() for ev in proj.history(ann)]  # fmt: skip
    return _CACHE["events"]


HOSTILE_VALUES = st.one_of(
    st.sampled_from([None, True, 0, -1, 10**20, 2**63, 1.5, float("inf"), "", "😀\u0000\u202e", "x" * 300,
                     [], ["CLAIM"], {}, {"a": [1]}, "2031-13-45T99:00:00", "../etc", "st:x"]),  # fmt: skip
    st.text(max_size=12),
    st.integers(),
    st.lists(st.integers(), max_size=3),
)
FIELDS = ["op", "type", "id", "rid", "annotator", "ts", "meta", "doc", "start", "end", "label", "text",
          "doc_sha256", "attrs", "claim", "target", "value", "a", "b", "doc_a", "doc_b"]  # fmt: skip


@st.composite
def mutated_line(draw: st.DrawFn, events: list[tuple[str, dict[str, Any]]]) -> tuple[str, bytes]:
    """``(annotator log, raw line without newline)``: a demo record changed in one of several ways."""
    ann, ev = draw(st.sampled_from(events))
    ev = json.loads(json.dumps(ev))
    how = draw(st.sampled_from(["set", "set", "drop", "attr", "truncate", "other-json", "bytes", "same-id"]))
    if how == "set":
        ev[draw(st.sampled_from(FIELDS))] = draw(HOSTILE_VALUES)
    elif how == "drop":
        ev.pop(draw(st.sampled_from(sorted(ev))), None)
    elif how == "attr":
        ev["attrs"] = {**(ev.get("attrs") if isinstance(ev.get("attrs"), dict) else {}),
                       draw(st.sampled_from(["kind", "speaker", "speaker_span", "cues"])): draw(HOSTILE_VALUES)}  # fmt: skip
    elif how == "other-json":
        return ann, json.dumps(draw(HOSTILE_VALUES), allow_nan=True).encode()
    elif how == "bytes":
        return ann, draw(st.binary(min_size=1, max_size=40)).replace(b"\n", b" ")
    elif how == "same-id" and ev.get("type") == "span" and ev.get("op") == "put":
        ev["text"] = "Ŏ😀" + str(ev.get("text"))  # a well-typed re-put that does not fit: reported, never stored
    raw = json.dumps(ev, ensure_ascii=False, allow_nan=True).encode("utf-8")
    if how == "truncate":
        raw = raw[: draw(st.integers(1, max(1, len(raw) - 1)))]
    return ann, raw


def _state(proj: tk.Project) -> dict[tuple[str, str, str], Any]:
    out: dict[tuple[str, str, str], Any] = {}
    for ann in proj.annotators():
        cur = proj.current(ann)
        for kind, table in (("span", cur.spans), ("stance", cur.stances), ("link", cur.links)):
            for oid, rec in table.items():
                out[(ann, kind, oid)] = rec.to_record()
    return out


def _parsed(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _expected_problem(raw: bytes) -> str | None:
    """The problem kind ``validate`` must report for an appended line on its own (None: a usable event or blank)."""
    if not raw.strip():
        return None
    try:
        ev = _fast_loads(raw)
    except (_FastDecodeError, ValueError, UnicodeDecodeError):
        return "corrupt-line"
    return "invalid-record" if event_problem(ev, None) is not None else None


def _check_frames(frames: tk.Frames) -> None:
    spans, stances, links = frames.spans, frames.stances, frames.links
    assert all(type(v) is str for v in spans["doc_id"]) and all(type(v) is str for v in spans["label"])
    assert spans["start"].dtype.kind == "i" and (spans["start"] < spans["end"]).all()
    assert all(type(v) is str for col in ("doc_id", "target", "value") for v in stances[col])
    assert all(v is None or v != v or type(v) is str for v in stances["claim_id"])  # None/NaN: document level
    assert all(type(v) is str for col in ("a", "b", "doc_a", "doc_b") for v in links[col])
    assert all(k is None or k != k or type(k) is str for k in spans["kind"])  # None/NaN: no kind
    assert all(type(a) is dict for a in spans["attrs"])


def _append(path: Path, lines: list[tuple[str, bytes]]) -> list[tuple[str, int, bytes]]:
    """Append the lines to their logs; returns ``(log path, line number, raw)`` for each."""
    out = []
    for ann, raw in lines:
        log = path / "records" / f"{ann}.jsonl"
        n = log.read_bytes().count(b"\n") + 1
        with open(log, "ab") as fh:
            fh.write(raw + b"\n")
        out.append((str(log), n, raw))
    return out


def _run_everything(path: Path, appended: list[tuple[str, int, bytes]], before: dict[Any, Any]) -> None:
    proj = tk.Project.open(path)
    problems = proj.validate()
    for p in problems:
        assert "\n" not in str(p) and str(p).startswith(f"{p.file}:{p.line}: {p.kind}: ")
    new_lines = {(f, n) for f, n, _ in appended}
    at: dict[tuple[str, int | None], list[str]] = {}
    for p in problems:
        at.setdefault((p.file, p.line), []).append(p.kind)
        if (p.file, p.line) not in new_lines:  # an old line can only lose what it refers to (a valid delete)
            assert p.kind == "bad-reference", p
    for f, n, raw in appended:
        want = _expected_problem(raw)
        if want is not None:
            assert at.get((f, n)) == [want], (raw, at.get((f, n)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedRecordsWarning)
        frames = proj.load()
        _check_frames(frames)
        from toolkit.compare.report import Comparison

        cmp = Comparison.from_project(path, layer="all")
        for table in ("entity_matrix", "cluster_matrix", "stance_table", "profiles"):
            getattr(cmp, table)
        assert cli_main(["--project", str(path), "export", "--format", "jsonl", "-o", str(path / "export.jsonl")]) == 0

    # nothing stored before changed, except records an appended line validly replaced or deleted
    touched = set()
    for f, _, raw in appended:
        ev = _parsed(raw)
        if _expected_problem(raw) is None and isinstance(ev, dict):
            touched.add((Path(f).stem, ev["type"], ev["id"]))  # the demo's log names are the annotator names
    after = _state(tk.Project.open(path))
    for key, rec in before.items():
        if key not in touched:
            assert after.get(key) == rec, key


@settings(max_examples=45, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_log_lines_are_reported_and_never_break_anything(demo_dir: Path, data: st.DataObject) -> None:
    lines = data.draw(st.lists(mutated_line(demo_events(demo_dir)), min_size=1, max_size=6))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(shutil.copytree(demo_dir, Path(tmp) / "p"))
        before = _state(tk.Project.open(path))
        appended = _append(path, lines)
        _run_everything(path, appended, before)
    TRIED["lines"] += len(lines)
    TRIED["projects"] += 1
    ALL_LINES.extend(lines)


def _ls_results(demo_dir: Path) -> list[tuple[str, list[dict[str, Any]]]]:
    proj = tk.Project.open(demo_dir)
    controls = {f"stance_{i}": t for i, t in enumerate(proj.schema.stance_targets)}
    out = []
    for ann in proj.annotators():
        cur = proj.current(ann)
        for did in sorted({s.doc for s in cur.spans.values()}):
            spans = [s for s in cur.spans.values() if s.doc == did]
            stances = [s for s in cur.stances.values() if s.doc == did]
            out.append((did, to_ls_result(spans, stances, cur.links.values(), controls)))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_label_studio_results_convert_or_are_reported(demo_dir: Path, data: st.DataObject) -> None:
    proj = tk.Project.open(demo_dir)
    did, result = data.draw(st.sampled_from(_CACHE.setdefault("ls", _ls_results(demo_dir))))
    result = json.loads(json.dumps(result))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(result) - 1))
        how = data.draw(st.sampled_from(["item", "value", "field", "drop"]))
        if how == "item":
            result[i] = data.draw(HOSTILE_VALUES)
        elif isinstance(result[i], dict):
            if how == "value" and isinstance(result[i].get("value"), dict):
                key = data.draw(st.sampled_from(["start", "end", "text", "labels", "choices"]))
                result[i]["value"][key] = data.draw(HOSTILE_VALUES)
            elif how == "field":
                result[i][data.draw(st.sampled_from(["id", "from_name", "type", "value", "from_id", "to_id"]))] = (
                    data.draw(HOSTILE_VALUES)
                )
            else:
                result[i].pop(data.draw(st.sampled_from(sorted(result[i]) or ["id"])), None)
    controls = {f"stance_{i}": t for i, t in enumerate(proj.schema.stance_targets)}
    conv = from_ls_annotation(result, proj.document(did), proj.schema, "ls-user", 7, 40, controls, {"ls": {}})
    assert all(isinstance(p, str) and "\n" not in p for p in conv.problems)
    for rec in conv.records:
        assert event_problem({"op": "put", **rec.to_record(), "annotator": "ls-user"}, "ls-user") is None
    TRIED["ls_results"] += 1


def test_all_mutations_at_once_then_the_html_report(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every line tried above in one project: validate, load and the full HTML report."""
    assert ALL_LINES, "run with the tests above"
    path = Path(shutil.copytree(demo_dir, tmp_path / "all"))
    before = _state(tk.Project.open(path))
    appended = _append(path, ALL_LINES)
    _run_everything(path, appended, before)
    from toolkit.compare.report import Comparison, render_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedRecordsWarning)
        html = render_report(Comparison.from_project(path, layer="all"))
    assert "<html" in html.lower()
    with capsys.disabled():
        print(
            f"\nfuzz: {TRIED['lines']} mutated log lines in {TRIED['projects']} projects "
            f"(+ all at once with the HTML report), {TRIED['ls_results']} mutated Label Studio results"
        )
