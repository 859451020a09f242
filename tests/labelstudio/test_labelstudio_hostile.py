"""Against the real Label Studio server: hostile annotations are skipped with task/annotation ids, the pull goes
on, and a typed ``newslens:gold`` marker never writes into the gold layer."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from tests.support.labelstudio_server import LabelStudioServer
from toolkit.demo import build_demo
from toolkit.labelstudio.client import LSClient
from toolkit.labelstudio.sync import PROVENANCE_PREFIX, SyncState, pull, push

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]


def _region(proj: tk.Project, did: str, rid: str, label: str = "PERSON", marker: str | None = None) -> dict[str, Any]:
    word = proj.document(did).text.split()[0]
    item: dict[str, Any] = {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                            "value": {"start": 0, "end": len(word), "text": word, "labels": [label]}}  # fmt: skip
    if marker:
        item["meta"] = {"text": [PROVENANCE_PREFIX + marker]}
    return item


def test_malformed_annotations_are_skipped_and_the_pull_goes_on(
    tmp_path: Path, ls_server: LabelStudioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = build_demo(tmp_path / "hostile", annotations=False)
    client = LSClient(ls_server.url, token=ls_server.token)
    push(proj, client, progress=False)
    tasks = SyncState(proj, client.url).server["tasks"]
    d0, d1 = sorted(tasks)[:2]
    t0, t1 = tasks[d0]["task"], tasks[d1]["task"]
    good = client.sdk.annotations.create(id=t0, result=[_region(proj, d0, "ok1")])
    # results the server stores as given although they are not what the toolkit can read
    odd = client.sdk.annotations.create(
        id=t1,
        result=[_region(proj, d1, "ok2"), {**_region(proj, d1, "t"), "value": {**_region(proj, d1, "t")["value"],
                "text": 42}}, {**_region(proj, d1, "l"), "value": {**_region(proj, d1, "l")["value"],
                "labels": [["PERSON"]]}}],
    )  # fmt: skip
    stored = {r["id"]: r for r in client.sdk.annotations.get(id=odd.id).result}
    assert stored["t"]["value"]["text"] == 42  # the server really keeps them

    # and what the API could also hand us (non-numeric ids, completed_by, items that are not objects)
    real_pages = client.iter_task_pages

    def pages_with_garbage(*args: Any, **kwargs: Any) -> Any:
        junk = ["junk", {"id": "abc", "result": []}, {"id": 999001, "completed_by": "mallory", "result": []},
                {"id": 999002, "completed_by": 1, "result": ["x", 7]}]  # fmt: skip
        for page in real_pages(*args, **kwargs):
            yield [t.model_copy(update={"annotations": [*t.annotations, *junk]}) if int(t.id) == t0 else t
                   for t in page]  # fmt: skip

    monkeypatch.setattr(client, "iter_task_pages", pages_with_garbage)
    out = pull(proj, client, progress=False, full=True)
    spans = proj.current("admin").spans
    assert set(spans) == {f"ls:{out.project_id}:{good.id}:ok1", f"ls:{out.project_id}:{odd.id}:ok2"}
    problems = "\n".join(out.problems)
    assert f"document {d1!r}, annotation {odd.id}: region t PERSON text is int" in problems
    assert f"document {d1!r}, annotation {odd.id}: region l has labels" in problems
    assert f"task {t0}: annotation #" in problems and "'abc', not a number" in problems
    assert f"task {t0}: annotation 999001 has completed_by 'mallory'" in problems
    assert f"document {d0!r}, annotation 999002: result item 0 is str" in problems
    assert tk.Project.open(proj.path).validate() == []


def test_a_typed_gold_marker_never_writes_the_gold_layer(
    tmp_path: Path, ls_server: LabelStudioServer, ls_second_user: tuple[int, str]
) -> None:
    proj = build_demo(tmp_path / "markers")
    proj.add_span("standard-001", 0, 3, "ORG", annotator="gold")  # a gold layer the toolkit owns
    admin = LSClient(ls_server.url, token=ls_server.token)
    res = push(proj, admin, progress=False, annotations=True, annotators=["gold"])
    assert res.annotations_created == 1
    state = SyncState(proj, admin.url).server
    tasks = state["tasks"]
    did = sorted(d for d in tasks if d != "standard-001")[0]
    ben_id, ben_token = ls_second_user
    ben = LSClient(ls_server.url, token=ben_token)
    forged = ben.sdk.annotations.create(id=tasks[did]["task"], result=[_region(proj, did, "f1", marker="gold")])
    forged_admin = admin.sdk.annotations.create(id=tasks[did]["task"],
                                                result=[_region(proj, did, "f2", "ORG", marker="gold")])  # fmt: skip
    before_gold = proj.current("gold").spans
    copy = tk.Project.open(shutil.copytree(proj.path, tmp_path / "copy"))

    out = pull(proj, admin, progress=False, full=True)
    assert out.problems == []
    gold = proj.current("gold").spans
    assert set(gold) == set(before_gold)  # what the toolkit pushed for gold comes back as gold; nothing else
    ben_name = state["users"].get(str(ben_id)) or SyncState(proj, admin.url).server["users"][str(ben_id)]
    assert f"ls:{out.project_id}:{forged.id}:f1" in proj.current(ben_name).spans
    assert f"ls:{out.project_id}:{forged_admin.id}:f2" in proj.current("admin").spans

    # the explicit option is the only way to honour a typed marker
    trusted = pull(copy, admin, progress=False, full=True, trust_markers=True)
    assert trusted.problems == []
    # (one Label Studio annotation per annotator and document: the first marked one is taken as gold's)
    assert "f1" in copy.current("gold").spans and "f1" not in proj.current("gold").spans


def test_an_interrupted_push_is_adopted_only_when_it_was_announced(
    tmp_path: Path, ls_server: LabelStudioServer
) -> None:
    proj = build_demo(tmp_path / "announce")
    client = LSClient(ls_server.url, token=ls_server.token)
    push(proj, client, progress=False, annotations=True, annotators=["ana"])
    state = SyncState(proj, client.url)
    entries = state.server["pushed"]["ana"]
    did = sorted(entries)[0]
    # what a push killed right after Label Studio created the annotation leaves: announced, not recorded
    entry = entries.pop(did)
    state.server["pending"] = {"ana": {did: {"task": entry["task"], "user": state.server["token_user"]}}}
    state.save()
    before = len(proj.history("ana"))
    out = pull(proj, client, progress=False, full=True)
    assert out.problems == [] and out.put == 0 and "admin" not in proj.annotators()
    after = SyncState(proj, client.url).server
    assert after["pushed"]["ana"][did]["annotation"] == entry["annotation"] and after["pending"] == {}
    assert len(proj.history("ana")) == before
