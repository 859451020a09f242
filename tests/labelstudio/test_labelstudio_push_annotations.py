"""Labels both ways and incremental pull, against a real Label Studio server.

* toolkit annotations pushed -> visible in Label Studio with exact code-point
  offsets (emoji document included) -> pushing again creates nothing -> a pull
  writes nothing (the round trip is a no-op);
* an annotation pushed, then edited in Label Studio -> the pull brings the
  edit back to the same toolkit annotator, with the toolkit's own span ids;
* incremental pull reads only changed tasks and still catches an update, an
  annotation deletion and a task deletion (compared with a full pull).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from tests.support.labelstudio_server import LabelStudioServer
from toolkit.demo import build_demo
from toolkit.labelstudio.client import LSClient
from toolkit.labelstudio.sync import PROVENANCE_PREFIX, SyncState, fingerprint, pull, push

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]

EMOJI_TEXT = "Mayor Ŏrla 😀 said the 𝒳-dam 🌊 will hold. Critics 👩🏽‍🔬 disagree; Ŏrla insists."


def _client(server: LabelStudioServer) -> LSClient:
    return LSClient(server.url, token=server.token)


def _add_emoji_doc(proj: tk.Project) -> tuple[tk.Span, tk.Span]:
    """An emoji document annotated by ana in the toolkit: a person, a claim with attributes, a stance."""
    t = EMOJI_TEXT
    proj.add_documents([tk.Document.create("emoji-doc", "Test Wire", t)])
    target = proj.schema.stance_targets[0]
    person = proj.add_span("emoji-doc", t.index("Ŏrla"), t.index("Ŏrla") + 4, "PERSON", annotator="ana")
    c0 = t.index("the 𝒳-dam")
    claim_label = proj.schema.claim_labels[0].name
    claim = proj.add_span("emoji-doc", c0, t.index(" will hold") + len(" will hold"), claim_label, annotator="ana",
                          attrs={"kind": "prediction", "speaker": "Mayor Ŏrla"})  # fmt: skip
    proj.set_stance("emoji-doc", target, "favour", annotator="ana")
    return person, claim


def _ls_annotations(client: LSClient, pid: int) -> dict[int, dict[str, Any]]:
    return {int(a["id"]): a for t in client.sdk.tasks.list(project=pid, fields="all") for a in t.annotations}


def _history_sizes(proj: tk.Project) -> dict[str, int]:
    return {a: len(proj.history(a)) for a in proj.annotators()}


def test_push_annotations_round_trip_is_a_no_op_and_edits_come_back(
    tmp_path: Path, ls_server: LabelStudioServer
) -> None:
    proj = build_demo(tmp_path / "demo")  # ana's and ben's hand-made annotations of the demo corpus
    person, claim = _add_emoji_doc(proj)
    client = _client(ls_server)
    res = push(proj, client, progress=False, annotations=True)
    n_docs = {a: len({r.doc for r in proj.current(a).spans.values()}) for a in ("ana", "ben")}
    assert res.annotations_created == n_docs["ana"] + n_docs["ben"] == 9  # 4 demo docs each + ana's emoji doc
    state = SyncState(proj, client.url)
    pushed = state.server["pushed"]
    on_server = _ls_annotations(client, res.project_id)
    assert len(on_server) == 9

    # every region is on the server with exact code-point offsets and its own text, tagged with its annotator
    for ann in ("ana", "ben"):
        cur = proj.current(ann)
        for did, entry in pushed[ann].items():
            a = on_server[entry["annotation"]]
            doc = proj.document(did)
            regions = {r["id"]: r for r in a["result"] if r["type"] == "labels"}
            want = {s.id: s for s in cur.spans.values() if s.doc == did}
            assert set(regions) == set(want)
            for rid, r in regions.items():
                v = r["value"]
                assert (v["start"], v["end"], v["labels"]) == (want[rid].start, want[rid].end, [want[rid].label])
                assert doc.text[v["start"] : v["end"]] == v["text"] == want[rid].text
                assert r["meta"]["text"] == [PROVENANCE_PREFIX + ann]
    emoji = on_server[pushed["ana"]["emoji-doc"]["annotation"]]["result"]
    by_type = {(r["type"], r["from_name"]): r for r in emoji}
    claim_region = next(r for r in emoji if r["type"] == "labels" and r["id"] == claim.id)
    # hand-counted: "Mayor " 6 + "Ŏrla" 4 + " 😀 " 3 + "said " 5 = 18 code points (UTF-16 would say 19)
    assert claim_region["value"]["start"] == claim.start == 18
    assert claim_region["value"]["text"] == "the 𝒳-dam 🌊 will hold"
    assert by_type[("choices", "kind")]["value"]["choices"] == ["prediction"]
    assert by_type[("textarea", "speaker")]["value"]["text"] == ["Mayor Ŏrla"]
    assert by_type[("choices", "stance_0")]["value"]["choices"] == ["favour"]

    # pushing again creates nothing and updates nothing
    again = push(proj, client, progress=False, annotations=True)
    assert (again.annotations_created, again.annotations_updated, again.annotations_unchanged) == (0, 0, 9)
    assert len(_ls_annotations(client, res.project_id)) == 9

    # the pull recognises its own annotations: nothing written, nothing attributed to the token's user
    before = _history_sizes(proj)
    out = pull(proj, client, progress=False, full=True)
    assert out.problems == [] and out.conflicts == [] and out.put == 0 and out.deleted == 0
    assert out.annotations == 9 and out.annotators == {"ana", "ben"}
    assert _history_sizes(proj) == before and "admin" not in proj.annotators()

    # edit ana's emoji annotation in Label Studio: relabel the person, add a region the way the editor does
    aid = pushed["ana"]["emoji-doc"]["annotation"]
    result = [dict(r) for r in emoji]
    for r in result:
        if r["id"] == person.id and r["type"] == "labels":
            r["value"] = {**r["value"], "labels": ["ORG"]}
    crit = EMOJI_TEXT.index("Critics")
    result.append({"id": "Xy12AbCd90", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
                   "value": {"start": crit, "end": crit + 7, "text": "Critics", "labels": ["NORP"]}})  # fmt: skip
    client.sdk.annotations.update(id=aid, result=result)
    # meanwhile ana edits the claim in the toolkit (no conflict: a different record)
    proj.update_span(claim.id, annotator="ana", attrs={"kind": "opinion", "speaker": "Mayor Ŏrla"})
    held = push(proj, client, progress=False, annotations=True)  # never overwrites the Label Studio edit
    assert held.annotations_updated == 0 and len(held.held_back) == 1 and "pull first" in held.held_back[0]

    out = pull(proj, client, progress=False)
    cur = proj.current("ana")
    assert out.incremental and out.tasks == 1 and out.put == 2 and out.conflicts == []
    assert cur.spans[person.id].label == "ORG"  # the same toolkit span, the same annotator
    new = cur.spans[f"ls:{res.project_id}:{aid}:Xy12AbCd90"]
    assert (new.start, new.end, new.text, new.meta["ls"]["pushed_for"]) == (crit, crit + 7, "Critics", "ana")
    assert cur.spans[claim.id].attrs["kind"] == "opinion" and out.kept_local == 1  # the local edit is kept
    assert "admin" not in proj.annotators()

    # now the toolkit's edit goes out, in place, keeping the region made in Label Studio
    upd = push(proj, client, progress=False, annotations=True)
    assert (upd.annotations_created, upd.annotations_updated, upd.held_back) == (0, 1, [])
    now = _ls_annotations(client, res.project_id)
    assert len(now) == 9
    kinds = [r["value"]["choices"] for r in now[aid]["result"] if r["from_name"] == "kind"]
    assert kinds == [["opinion"]] and any(r["id"] == "Xy12AbCd90" for r in now[aid]["result"])
    final = pull(proj, client, progress=False)
    assert final.put == 0 and final.deleted == 0 and final.conflicts == []
    assert proj.load().problems.empty


def test_incremental_pull_catches_updates_and_deletions(tmp_path: Path, ls_server: LabelStudioServer) -> None:
    proj = build_demo(tmp_path / "inc", annotations=False)
    client = _client(ls_server)
    res = push(proj, client, progress=False)
    tasks = SyncState(proj, client.url).server["tasks"]
    doc_ids = sorted(tasks)
    assert len(doc_ids) >= 4

    def region(rid: str, did: str, label: str = "PERSON") -> dict[str, Any]:
        text = proj.document(did).text
        word = text.split()[0]
        return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": 0, "end": len(word), "text": word, "labels": [label]}}  # fmt: skip

    made = {did: client.sdk.annotations.create(id=tasks[did]["task"], result=[region(f"r{i}", did)])
            for i, did in enumerate(doc_ids)}  # fmt: skip
    first = pull(proj, client, progress=False)
    assert not first.incremental and first.put == len(doc_ids)
    quiet = pull(proj, client, progress=False)
    assert quiet.incremental and quiet.tasks == 0 and quiet.tasks_listed == len(doc_ids) and quiet.put == 0

    upd, gone, task_gone = doc_ids[0], doc_ids[1], doc_ids[2]
    client.sdk.annotations.update(id=made[upd].id, result=[region("r0", upd, "ORG")])
    client.sdk.annotations.delete(id=made[gone].id)
    client.sdk.tasks.delete(id=tasks[task_gone]["task"])
    ref_path = tmp_path / "ref"
    shutil.copytree(proj.path, ref_path)

    out = pull(proj, client, progress=False)
    assert out.incremental and out.tasks == 2  # the updated task and the task that lost its annotation
    assert out.put == 1 and out.deleted == 2  # the relabelled span; the deleted annotation's and task's spans
    spans = proj.current("admin").spans
    assert spans[f"ls:{res.project_id}:{made[upd].id}:r0"].label == "ORG"
    assert not any(s.doc in (gone, task_gone) for s in spans.values())
    assert {s.doc for s in spans.values()} == set(doc_ids) - {gone, task_gone}

    # a full pull on a copy taken before reaches the same state
    ref = tk.Project.open(ref_path)
    full = pull(ref, client, progress=False, full=True)
    assert not full.incremental and (full.put, full.deleted) == (1, 2)
    fp = {fingerprint(s) for s in proj.current("admin").spans.values()}
    assert fp == {fingerprint(s) for s in ref.current("admin").spans.values()}
