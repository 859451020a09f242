"""The store at corpus scale: portable locking, batched imports, lean loading."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import toolkit as tk
from toolkit.importers import add_to_project
from toolkit.model import check_annotator, check_doc_id
from toolkit.store import RecordLog, files
from toolkit.validation import event_problem

NO_FCNTL = textwrap.dedent(
    """
    import json, sys
    sys.modules["fcntl"] = None  # what Windows looks like to `import fcntl`: ImportError
    import toolkit as tk
    from toolkit.store import RecordLog, files
    assert files.fcntl is None
    proj = tk.Project.init(sys.argv[1], schema=tk.LabelSchema.default(["Velmora"]))
    proj.add_documents([tk.Document.create("d1", "Wire", "Velmora and Ostrand met.")])
    span = proj.add_span("d1", 0, 7, "GPE", annotator="ana")
    proj.set_stance("d1", "Velmora", "favour", "ana")
    frames = tk.Project.open(sys.argv[1]).load()
    print(json.dumps({"span": span.id, "ids": list(frames.spans["id"]), "texts": list(frames.spans["text"]),
                      "values": list(frames.stances["value"]), "problems": len(frames.problems)}))
    """
)


def test_import_toolkit_and_store_round_trip_without_fcntl(tmp_path: Path, env_with_repo: dict[str, str]) -> None:
    res = subprocess.run(
        [sys.executable, "-c", NO_FCNTL, str(tmp_path / "proj")], capture_output=True, text=True, env=env_with_repo,
        timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["ids"] == [out["span"]] and out["texts"] == ["Velmora"]
    assert out["values"] == ["favour"] and out["problems"] == 0
    assert not list((tmp_path / "proj").rglob("*.tmp"))  # temporary files renamed, none left behind


def _docs(n: int, prefix: str = "n") -> list[tk.Document]:
    return [
        tk.Document.create(f"{prefix}{i:03d}", f"Outlet {i % 3}", f"Article {i} says Velmora met Ostrand.")
        for i in range(n)
    ]


def test_a_refused_document_late_in_a_batch_writes_nothing_of_it(project: tk.Project) -> None:
    before = sorted(p.name for p in project.docs_dir.iterdir())
    changed = tk.Document.create("wire-001", "Harbour Wire", "Another text entirely.")
    with pytest.raises(tk.DocumentChangedError, match="wire-001"):
        project.add_documents([*_docs(5), changed])
    assert sorted(p.name for p in project.docs_dir.iterdir()) == before


def test_import_streams_in_batches_with_one_folder_fsync_each(
    project: tk.Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[Path] = []
    real = files.fsync_dir
    monkeypatch.setattr(files, "fsync_dir", lambda path: (synced.append(Path(path)), real(path))[1])
    batch, total = 10, 25
    docs = _docs(total)

    def stream() -> Iterator[tuple[tk.Document, str]]:
        for i, doc in enumerate(docs):
            stored = len(project.document_ids()) - 2  # the fixture's two documents
            assert stored >= i - batch, f"document {i} read while only {stored} were stored: input held, not streamed"
            yield doc, f"input.jsonl:{i + 1}"

    out = add_to_project(project, stream(), batch_size=batch)
    assert out["added"] == [d.id for d in docs] and not out["unchanged"] and not out["replaced"]
    assert synced == [project.docs_dir] * 3  # 25 documents in batches of 10: one folder fsync per batch
    fresh = tk.Project.open(project.path)
    assert all(fresh.document(d.id).text == d.text for d in docs)
    again = add_to_project(fresh, iter([(d, "again") for d in docs]), batch_size=batch)
    assert again["unchanged"] == [d.id for d in docs] and not again["added"]


def test_import_reports_a_repeated_id_with_both_places(project: tk.Project) -> None:
    doc = _docs(1)[0]
    with pytest.raises(tk.ImportFormatError, match=r"a\.jsonl:1 and b\.jsonl:7"):
        add_to_project(project, iter([(doc, "a.jsonl:1"), (doc, "b.jsonl:7")]), batch_size=1)


def test_document_ids_come_from_file_names_without_reading_files(project: tk.Project) -> None:
    (project.docs_dir / "daily-001.json").write_text("not json")  # would fail documents()
    assert tk.Project.open(project.path).document_ids() == ["daily-001", "wire-001"]


@pytest.mark.parametrize("bad", ["a1\n", "d-1\n"])
def test_ids_with_a_trailing_newline_are_refused(bad: str) -> None:
    with pytest.raises(tk.ValidationError, match="invalid document id"):
        check_doc_id(bad)
    with pytest.raises(tk.ValidationError, match="invalid annotator"):
        check_annotator(bad)
    good = bad.strip()
    ev = {"rid": "x", "op": "put", "type": "stance", "id": f"st:{good}::Velmora", "doc": bad, "target": "Velmora",
          "value": "favour"}  # fmt: skip
    assert event_problem({**ev, "doc": good}) is None  # the same event with the id alone is valid
    assert "doc" in (event_problem(ev) or "")


def test_load_streams_the_replay_exactly_as_the_record_objects_replay(project: tk.Project) -> None:
    """Re-puts, deletes and puts after a delete, in several layers: frames == current() for every annotator."""
    rng = random.Random(1107)
    text = project.document("wire-001").text
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    for ann in ("ana", "ben", "model:x"):
        made: list[str] = []
        for step in range(300):
            roll = rng.random()
            if made and roll < 0.2:
                project.delete("span", made.pop(rng.randrange(len(made))), ann)
            elif made and roll < 0.45:
                project.update_span(rng.choice(made), ann, label=rng.choice(["PERSON", "ORG", "GPE"]))
            else:
                s, e = rng.choice(words)
                span_id = f"s{step % 40}"  # ids come back after their deletion
                if span_id not in made:
                    project.add_span("wire-001", s, e, "GPE", ann, id=span_id)
                    made.append(span_id)
    fresh = tk.Project.open(project.path)
    frames = fresh.load()
    for ann in ("ana", "ben", "model:x"):
        state = fresh.current(ann)
        mine = frames.spans[frames.spans["annotator"] == ann]
        assert list(mine["id"]) == list(state.spans)  # same records, in the replay's (dict) order
        assert list(mine["label"]) == [s.label for s in state.spans.values()]
        assert list(mine["start"]) == [s.start for s in state.spans.values()]
        assert list(mine["ts"]) == [s.ts for s in state.spans.values()]
        assert fresh.status()["annotators"][ann]["spans"] == len(state.spans)
    assert frames.spans["is_model"].tolist() == [a.startswith("model:") for a in frames.spans["annotator"]]


def test_load_of_some_layers_reads_only_those(project: tk.Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.add_span("wire-001", 0, 7, "GPE", "ana")
    project.add_span("wire-001", 0, 7, "GPE", "model:x")
    read: list[str] = []
    real = RecordLog.stream

    def spy(self: RecordLog, *args: object, **kwargs: object) -> Iterator[list]:
        read.append(self.annotator)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(RecordLog, "stream", spy)
    frames = tk.Project.open(project.path).load(include_models=False)
    assert read == ["ana"] and set(frames.spans["annotator"]) == {"ana"}
