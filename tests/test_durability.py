"""Nothing acknowledged is ever lost: concurrent writers, SIGKILL mid-write, torn lines, repair."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import toolkit as tk
from tests.support.texts import TEXT_A
from toolkit.cli import main as cli_main

WRITER = textwrap.dedent(
    """
    import sys, toolkit as tk
    proj = tk.Project.open(sys.argv[1])
    name, n = sys.argv[2], int(sys.argv[3])
    for i in range(n):
        span = proj.add_span("wire-001", 0, 7, "GPE", annotator=name, attrs={"i": i, "w": sys.argv[4]})
        print(span.id, flush=True)  # acknowledged: the call returned
    """
)


def _spawn(project: tk.Project, annotator: str, n: int, tag: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(project.path), annotator, str(n), tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_processes_appending_1000_records_each_give_2000_valid_records(
    project: tk.Project, env_with_repo: dict[str, str]
) -> None:
    procs = [_spawn(project, "ana", 1000, tag, env_with_repo) for tag in ("p1", "p2")]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-500:] for o in outs]
    acked = {line for out, _ in outs for line in out.split()}
    assert len(acked) == 2000

    lines = (project.records_dir / "ana.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b""  # file ends with a newline
    events = [json.loads(x) for x in lines[:-1]]  # every line is valid JSON: no interleaving
    assert len(events) == 2000
    assert {ev["id"] for ev in events} == acked
    for tag in ("p1", "p2"):  # each writer's records appear in its own order
        mine = [ev["attrs"]["i"] for ev in events if ev["attrs"]["w"] == tag]
        assert mine == list(range(1000))
    state = tk.Project.open(project.path).current("ana")
    assert len(state.spans) == 2000 and not state.problems


def test_writer_killed_at_random_moments_loses_no_acknowledged_record(
    project: tk.Project, env_with_repo: dict[str, str]
) -> None:
    rng = random.Random(20311122)  # seeded: the same kill schedule every run
    acked: set[str] = set()
    torn_seen = 0
    for _round in range(25):
        proc = _spawn(project, "ana", 100_000, f"k{_round}", env_with_repo)
        # wait until the writer is really writing, then kill it after a random delay
        first = proc.stdout.readline().strip()
        assert first, proc.stderr.read()
        acked.add(first)
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        acked.update(out.split())
        assert proc.returncode == -signal.SIGKILL

        proj = tk.Project.open(project.path)
        state = proj.current("ana")
        missing = acked - set(state.spans)
        assert not missing, f"round {_round}: {len(missing)} acknowledged records lost"
        kinds = {p.kind for p in state.problems}
        assert kinds <= {"torn-line", "corrupt-line"}
        torn_seen += bool(kinds)
    # repair sets torn fragments aside and the file reads back cleanly, still with everything acknowledged
    proj = tk.Project.open(project.path)
    proj.repair()
    state = tk.Project.open(project.path).current("ana")
    assert not state.problems
    assert acked <= set(state.spans)
    for line in (project.records_dir / "ana.jsonl").read_text("utf-8").splitlines():
        json.loads(line)
    print(f"{len(acked)} acknowledged records survived 25 SIGKILLs ({torn_seen} rounds left a torn line)")


def _torn(project: tk.Project) -> tuple[tk.Span, Path]:
    span = project.add_span("wire-001", 0, 7, "GPE", "ana")
    path = project.records_dir / "ana.jsonl"
    with open(path, "ab") as fh:  # what a crash in the middle of a write leaves
        fh.write(b'{"rid":"dead","op":"put","type":"span","id":"s-torn","doc":"wire-0')
    return span, path


def test_torn_last_line_is_detected_with_file_and_line(project: tk.Project) -> None:
    span, path = _torn(project)
    state = tk.Project.open(project.path).current("ana")
    assert list(state.spans) == [span.id]
    (problem,) = state.problems
    assert problem.kind == "torn-line" and problem.line == 2 and problem.file == str(path)
    assert "toolkit repair" in problem.message


def test_next_write_after_a_torn_line_is_not_glued_to_it(project: tk.Project) -> None:
    span, path = _torn(project)
    later = tk.Project.open(project.path).add_span("wire-001", 8, 11, "GPE", "ana")
    state = tk.Project.open(project.path).current("ana")
    assert set(state.spans) == {span.id, later.id}
    assert [(p.kind, p.line) for p in state.problems] == [("corrupt-line", 2)]


def test_repair_sets_fragments_aside_and_keeps_every_valid_line(project: tk.Project, capsys) -> None:
    span, path = _torn(project)
    later = tk.Project.open(project.path).add_span("wire-001", 8, 11, "GPE", "ana")
    before = [line for line in path.read_bytes().split(b"\n") if line.startswith(b'{"rid":"') and b"dead" not in line]
    assert cli_main(["--project", str(project.path), "repair"]) == 0
    assert "set aside 1" in capsys.readouterr().out
    assert path.read_bytes().split(b"\n")[:-1] == before  # valid lines kept byte for byte
    (side,) = project.records_dir.glob("ana.jsonl.torn-*")
    assert b"s-torn" in side.read_bytes()  # the fragment is kept, not destroyed
    state = tk.Project.open(project.path).current("ana")
    assert set(state.spans) == {span.id, later.id} and not state.problems
    assert cli_main(["--project", str(project.path), "validate"]) == 0


def test_incremental_reads_see_appends_by_another_project_object(project: tk.Project) -> None:
    other = tk.Project.open(project.path)
    assert not project.current("ana").spans
    s = other.add_span("wire-001", 0, 7, "GPE", "ana")
    assert set(project.current("ana").spans) == {s.id}
    other.delete("span", s.id, "ana")
    assert not project.current("ana").spans


def test_reader_picks_up_a_repaired_file(project: tk.Project) -> None:
    span, _ = _torn(project)
    reader = tk.Project.open(project.path)
    assert reader.current("ana").problems
    tk.Project.open(project.path).repair()
    state = reader.current("ana")  # inode changed: the cache is dropped, not reused
    assert not state.problems and set(state.spans) == {span.id}


@pytest.mark.parametrize("garbage", [b"\xff\xfe not utf8\n", b"[1, 2, 3]\n", b'{"op": "put"}\n'])
def test_corrupt_middle_lines_are_reported_and_do_not_hide_the_rest(project: tk.Project, garbage: bytes) -> None:
    a = project.add_span("wire-001", 0, 7, "GPE", "ana")
    path = project.records_dir / "ana.jsonl"
    with open(path, "ab") as fh:
        fh.write(garbage)
    b = project.add_span("wire-001", 8, 11, "GPE", "ana")
    state = tk.Project.open(project.path).current("ana")
    assert set(state.spans) == {a.id, b.id}
    (problem,) = state.problems
    assert problem.line == 2 and problem.kind in ("corrupt-line", "invalid-record")


def test_documents_are_written_atomically_and_verified_on_read(project: tk.Project) -> None:
    leftovers = list(project.docs_dir.glob(".*tmp"))
    assert leftovers == []
    doc_file = project.docs_dir / "wire-001.json"
    obj = json.loads(doc_file.read_text())
    assert obj["text"] == TEXT_A
    obj["text"] = TEXT_A + " tampered"
    doc_file.write_text(json.dumps(obj))
    with pytest.raises(tk.CorruptFileError, match="wire-001.json: .*sha256 does not match"):
        tk.Project.open(project.path).documents()


def test_atomic_writes_get_normal_file_modes(tmp_path: Path) -> None:
    import stat

    from toolkit import store

    store.atomic_write_text(tmp_path / "new.txt", "x")
    expected = 0o666 & ~store._UMASK  # like open() under the process umask, not mkstemp's 0o600
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == expected
    (tmp_path / "kept.txt").write_text("old")
    (tmp_path / "kept.txt").chmod(0o640)
    store.atomic_write_text(tmp_path / "kept.txt", "new")
    assert stat.S_IMODE((tmp_path / "kept.txt").stat().st_mode) == 0o640  # replacing keeps the mode


BATCH_WRITER = textwrap.dedent(
    """
    import sys, toolkit as tk
    proj = tk.Project.open(sys.argv[1])
    tag, size = sys.argv[2], int(sys.argv[3])
    for b in range(10**6):
        items = [{"doc": "wire-001", "start": 0, "end": 7, "label": "GPE", "id": f"{tag}-{b}-{i}",
                  "attrs": {"w": tag, "b": b, "i": i}} for i in range(size)]
        proj.add_spans(items, annotator="ana")
        print(b, flush=True)  # acknowledged: the whole batch was written and fsync'd
    """
)


def test_writer_of_50_record_batches_killed_60_times_loses_no_acknowledged_batch(
    project: tk.Project, env_with_repo: dict[str, str]
) -> None:
    rng = random.Random(20311129)  # seeded: the same kill schedule every run
    size, rounds = 50, 60
    acked: dict[str, int] = {}  # writer tag -> batches acknowledged
    reader = tk.Project.open(project.path)  # one long-lived reader: incremental reads across the kills
    partial = torn = 0
    for r in range(rounds):
        tag = f"k{r}"
        proc = subprocess.Popen(
            [sys.executable, "-c", BATCH_WRITER, str(project.path), tag, str(size)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_with_repo,
        )  # fmt: skip
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first == "0", proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)  # from this (another) process, at a random moment
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        acked[tag] = 1 + len(out.split())

        state = reader.current("ana")
        kinds = {p.kind for p in state.problems}
        assert kinds <= {"torn-line", "corrupt-line"}, state.problems  # only a torn tail, and it is reported
        torn += "torn-line" in kinds
        batches: dict[tuple[str, int], list[int]] = {}
        for s in state.spans.values():
            batches.setdefault((s.attrs["w"], s.attrs["b"]), []).append(s.attrs["i"])
        for w, n in acked.items():
            for b in range(n):
                assert sorted(batches.get((w, b), [])) == list(range(size)), f"round {r}: batch {w}/{b} incomplete"
        for (w, b), got in batches.items():
            if b >= acked[w]:  # written but not acknowledged: whole records only, a prefix of the batch
                assert sorted(got) == list(range(len(got))), (w, b, sorted(got))
                partial += len(got) < size
    # a fresh reader sees the same; every line is either a valid record or reported; repair leaves a clean log
    fresh = tk.Project.open(project.path).current("ana")
    assert set(fresh.spans) == set(reader.current("ana").spans)
    lines = [x for x in (project.records_dir / "ana.jsonl").read_bytes().split(b"\n") if x.strip()]
    assert len(lines) == len(fresh.spans) + len(fresh.problems)
    tk.Project.open(project.path).repair()
    after = tk.Project.open(project.path).current("ana")
    assert not after.problems and set(after.spans) == set(fresh.spans)
    total = sum(acked.values())
    print(f"{rounds} SIGKILLs during {size}-record batches: {total} acknowledged batches all complete; "
          f"{torn} rounds left a torn line, {partial} unacknowledged batches were cut short (whole records only)")
