"""Integration tests against a real Label Studio server (installed and started by the fixture)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from tests.support.labelstudio_server import LabelStudioServer
from toolkit.demo import build_demo
from toolkit.labelstudio.client import LabelStudioError, LSClient
from toolkit.labelstudio.convert import to_ls_result
from toolkit.labelstudio.sync import SyncState, fingerprint, pull, push

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]


def _client(server: LabelStudioServer, token: str | None = None, **kw: Any) -> LSClient:
    return LSClient(server.url, token=token or server.token, **kw)


def _annotate_like(src: tk.Project, ann: str, proj: tk.Project, client: LSClient) -> int:
    """Create one Label Studio annotation per task holding ``ann``'s records from ``src``; return count."""
    state = SyncState(proj, client.url)
    n = 0
    cur = src.current(ann)
    for did, t in sorted(state.server["tasks"].items()):
        spans = [s for s in cur.spans.values() if s.doc == did]
        stances = [s for s in cur.stances.values() if s.doc == did and s.claim is None]
        links = [ln for ln in cur.links.values() if ln.doc_a == did and ln.doc_b == did]
        client.sdk.annotations.create(
            id=t["task"], result=to_ls_result(spans, stances, links, state.server["stance_controls"])
        )
        n += 1
    return n


def _expressible(proj: tk.Project, ann: str) -> tuple[set, set, set]:
    """What Label Studio can carry of an annotator's layer (no speaker_span ids, no claim-level stances)."""
    cur = proj.current(ann)
    spans = {
        (s.doc, s.start, s.end, s.label, s.text, s.attrs.get("kind"), s.attrs.get("speaker"))
        for s in cur.spans.values()
    }
    stances = {(s.doc, s.target, s.value) for s in cur.stances.values() if s.claim is None}
    by_id = cur.spans
    links = {
        frozenset({(by_id[ln.a].doc, by_id[ln.a].start), (by_id[ln.b].doc, by_id[ln.b].start)})
        for ln in cur.links.values()
        if ln.doc_a == ln.doc_b
    }
    return spans, stances, links


def _state_fingerprints(proj: tk.Project) -> dict[str, set[str]]:
    out = {}
    for ann in proj.annotators():
        cur = proj.current(ann)
        out[ann] = {fingerprint(r) for r in (*cur.spans.values(), *cur.stances.values(), *cur.links.values())}
    return out


def test_push_two_users_pull_compare_repush(
    tmp_path: Path, ls_server: LabelStudioServer, ls_second_user: tuple[int, str]
) -> None:
    src = build_demo(tmp_path / "src")  # the demo corpus with ana's and ben's hand-made annotations
    proj = build_demo(tmp_path / "proj", annotations=False)
    admin = _client(ls_server)
    res = push(proj, admin, progress=False)
    assert sorted(res.created) == sorted(proj.documents()) and res.changed == []
    again = push(proj, admin, progress=False)
    assert again.created == [] and sorted(again.unchanged) == sorted(proj.documents())
    assert len(list(admin.sdk.tasks.list(project=res.project_id))) == len(proj.documents())

    # two different Label Studio users, each with their own token
    ben_id, ben_token = ls_second_user
    assert _annotate_like(src, "ana", proj, admin) == 4
    assert _annotate_like(src, "ben", proj, _client(ls_server, ben_token)) == 4

    out = pull(proj, admin, progress=False)
    assert out.problems == [] and out.realigned == [] and out.annotations == 8
    names = SyncState(proj, admin.url).server["users"]
    assert names[str(ben_id)] == "ben" and names["1"] == "admin"  # e-mail local parts
    for ls_name, src_name in (("admin", "ana"), ("ben", "ben")):
        got, want = _expressible(proj, ls_name), _expressible(src, src_name)
        assert got[0] == want[0] and got[1] == want[1] and got[2] == want[2]
        assert len(got[0]) > 100
    span = next(iter(proj.current("ben").spans.values()))
    assert span.meta["ls"]["project"] == res.project_id and span.meta["ls"]["user"] == ben_id
    assert span.id == f"ls:{res.project_id}:{span.meta['ls']['annotation']}:{span.meta['region']}"
    assert proj.load().problems.empty

    # incremental: nothing changed -> nothing written
    n_lines = len(proj.history("ben"))
    assert pull(proj, admin, progress=False).put == 0 and len(proj.history("ben")) == n_lines

    # update one of ben's annotations (drop a region, relabel another) and delete another annotation
    ben = _client(ls_server, ben_token)
    anns = sorted(
        (a for t in admin.sdk.tasks.list(project=res.project_id, fields="all") for a in t.annotations
         if a["completed_by"] == ben_id),
        key=lambda a: a["id"],
    )  # fmt: skip
    first, second = anns[0], anns[1]
    in_relation = {r.get(k) for r in first["result"] if r["type"] == "relation" for k in ("from_id", "to_id")}
    regions = [r for r in first["result"] if r["type"] == "labels" and r["id"] not in in_relation]
    dropped, relabelled = regions[0], regions[1]
    new_result = [r for r in first["result"] if r.get("id") != dropped["id"]]
    for r in new_result:
        if r.get("id") == relabelled["id"] and r["type"] == "labels":
            r["value"]["labels"] = ["EVENT"]
    ben.sdk.annotations.update(id=first["id"], result=new_result)
    ben.sdk.annotations.delete(id=second["id"])
    n_second = sum(1 for r in second["result"] if r["type"] in ("labels", "relation"))
    n_second += sum(1 for r in second["result"] if r["type"] == "choices" and r["from_name"].startswith("stance_"))
    out = pull(proj, admin, progress=False)
    cur = proj.current("ben")
    pid = res.project_id
    assert f"ls:{pid}:{first['id']}:{dropped['id']}" not in cur.spans
    assert cur.spans[f"ls:{pid}:{first['id']}:{relabelled['id']}"].label == "EVENT"
    assert not any(s.meta["ls"]["annotation"] == second["id"] for s in cur.spans.values())
    # deleted: the dropped region + every region and stance of the deleted annotation (its doc stances
    # may be re-supplied by no one else, since ben has one annotation per document)
    assert out.put == 1 and out.deleted == 1 + n_second
    # the token never lands in the project folder
    for f in proj.path.rglob("*"):
        if f.is_file():
            assert ls_server.token not in f.read_text(errors="ignore") and ben_token not in f.read_text(errors="ignore")


def test_emoji_and_astral_offsets_round_trip(tmp_path: Path, ls_server: LabelStudioServer) -> None:
    text = 'Ms Ŏrla 😀 met 𝒳avier Bo 👩🏽‍🔬 in Tȁrn.\nBo said: "Tȁrn 🌊 will flood". Tȁrn 🌊 again.'
    proj = tk.Project.init(tmp_path / "emoji", schema=tk.LabelSchema.default(["the dam"]))
    proj.add_documents([tk.Document.create("emoji-1", "Test Wire", text)])
    # a model layer becomes predictions with its model version
    proj.add_span("emoji-1", text.index("𝒳avier"), text.index("𝒳avier") + 6, "PERSON", annotator="model:test@1")
    client = _client(ls_server)
    res = push(proj, client, progress=False)
    assert res.created == ["emoji-1"] and res.predictions == 1
    task = next(iter(client.sdk.tasks.list(project=res.project_id, fields="all")))
    pred = task.predictions[0]
    pred_value = pred.result[0]["value"]
    assert pred.model_version == "model:test@1"
    assert text[pred_value["start"] : pred_value["end"]] == pred_value["text"] == "𝒳avier"

    def u16(i: int) -> int:  # UTF-16 offset of code-point offset i, computed by encoding
        return len(text[:i].encode("utf-16-le")) // 2

    def region(rid: str, s: int, e: int, label: str, t: str) -> dict[str, Any]:
        return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": s, "end": e, "text": t, "labels": [label]}}  # fmt: skip

    bo = text.index("Bo ")
    sci = text.index("👩🏽‍🔬")
    tarn2 = text.index("Tȁrn 🌊 will")
    result = [
        region("cp", bo, bo + 2, "PERSON", "Bo"),  # code points, as Label Studio's editor stores them
        region("u16", u16(tarn2), u16(tarn2 + 6), "GPE", text[tarn2 : tarn2 + 6]),  # UTF-16, as a JS client would
        region("zwj", sci, sci + 4, "PERSON", "👩🏽‍🔬"),  # a 4-code-point ZWJ emoji sequence (7 UTF-16 units)
        region("bad", 0, 2, "PERSON", "Tȁrn 🌊"),  # wrong offsets, text occurs twice: ambiguous
        {"id": "st", "from_name": "stance_0", "to_name": "text", "type": "choices", "value": {"choices": ["against"]}},
    ]
    assert u16(tarn2) != tarn2  # the UTF-16 reading really differs here
    client.sdk.annotations.create(id=task.id, result=result)
    out = pull(proj, client, progress=False)
    spans = {s.meta["region"]: s for s in proj.current("admin").spans.values()}
    assert (spans["cp"].start, spans["cp"].end, spans["cp"].text) == (bo, bo + 2, "Bo")
    assert (spans["u16"].start, spans["u16"].end, spans["u16"].text) == (tarn2, tarn2 + 6, "Tȁrn 🌊")
    assert spans["u16"].meta["realigned"]["how"] == "utf16"
    assert spans["zwj"].text == "👩🏽‍🔬" and spans["zwj"].end - spans["zwj"].start == 4
    assert "bad" not in spans and len(out.problems) == 1 and "several times" in out.problems[0]
    assert len(out.realigned) == 1
    assert proj.current("admin").stances[tk.Stance.make_id("emoji-1", "the dam")].value == "against"
    assert proj.load().problems.empty  # every stored span matches the document exactly

    # a changed document is detected on push and its annotations are not pulled onto the new text
    proj.add_documents([tk.Document.create("emoji-1", "Test Wire", text.replace("Bo", "Bob"))], replace=True)
    again = push(proj, client, progress=False)
    assert again.changed == ["emoji-1"] and again.created == []
    out = pull(proj, client, progress=False)
    assert any("changed since it was pushed" in p for p in out.problems) and out.put == 0


def test_failures_give_clear_one_line_errors(tmp_path: Path, ls_server: LabelStudioServer) -> None:
    proj = tk.Project.init(tmp_path / "p", schema=tk.LabelSchema.default())
    proj.add_documents([tk.Document.create("d1", "W", "Anna Ek spoke.")])
    bad = "0" * 40
    with pytest.raises(LabelStudioError) as err:
        push(proj, _client(ls_server, bad), progress=False)
    msg = str(err.value)
    assert "rejected the API token (HTTP 401)" in msg and "\n" not in msg and bad not in msg
    assert not (proj.path / "labelstudio.json").exists()

    from tests.support.labelstudio_server import free_port

    dead = LSClient(f"http://127.0.0.1:{free_port()}", token=bad, retries=2, backoff=0.01)
    with pytest.raises(
        LabelStudioError, match=r"cannot reach Label Studio at http://127.0.0.1:\d+ .* after 3 attempts"
    ):
        push(proj, dead, progress=False)
    assert dead.attempts_retried == 2

    client = _client(ls_server)
    res = push(proj, client, progress=False)
    client.sdk.projects.delete(id=res.project_id)
    with pytest.raises(LabelStudioError, match=f"project {res.project_id} no longer exists"):
        pull(proj, client, progress=False)


def test_server_stopped_mid_pull_then_resume(tmp_path: Path, ls_server: LabelStudioServer) -> None:
    src = build_demo(tmp_path / "src")
    proj = build_demo(tmp_path / "proj", annotations=False)
    client = _client(ls_server)
    push(proj, client, progress=False)
    _annotate_like(src, "ana", proj, client)
    _annotate_like(src, "ben", proj, client)  # a second annotation per task, same user
    # reference: a copy of the project (same sync state) pulled without interruption
    shutil.copytree(proj.path, tmp_path / "ref")
    ref = tk.Project.open(tmp_path / "ref")
    pull(ref, client, page_size=1, progress=False)

    flaky = _client(ls_server, retries=1, backoff=0.05)
    real_list = flaky.sdk.tasks.list
    calls = {"n": 0}

    def list_then_stop(*a: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:  # two pages (tasks) pulled, then the server goes away mid-pull
            ls_server.stop()
        return real_list(*a, **kw)

    flaky.sdk.tasks.list = list_then_stop  # type: ignore[method-assign]
    with pytest.raises(LabelStudioError, match="cannot reach Label Studio") as err:
        pull(proj, flaky, page_size=1, progress=False)
    assert "\n" not in str(err.value)
    partial = _state_fingerprints(proj)
    assert 0 < sum(map(len, partial.values())) < sum(map(len, _state_fingerprints(ref).values()))

    ls_server.start()
    out = pull(proj, client, page_size=1, progress=False)
    assert out.problems == [] and out.deleted == 0
    assert _state_fingerprints(proj) == _state_fingerprints(ref)
    # nothing duplicated: every record was written exactly once, as in the uninterrupted pull
    for ann in ref.annotators():
        assert len(proj.history(ann)) == len(ref.history(ann))
    st = json.loads((proj.path / "labelstudio.json").read_text())
    assert (
        st["servers"][client.url]["pulled"]
        == json.loads((ref.path / "labelstudio.json").read_text())["servers"][client.url]["pulled"]
    )
