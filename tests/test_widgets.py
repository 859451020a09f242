"""Python side of the annotation widgets.

The browser talks to Python in two ways: it sets synced traits (ipywidgets
calls ``Widget.set_state``) and it sends custom messages (``model.send`` ->
``Widget._handle_custom_msg``).  These tests drive the widgets through exactly
those two entry points and then read the records back from disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import toolkit as tk
from tests.support.texts import TEXT_A, TEXT_B
from toolkit.offsets import cp_to_utf16, utf16_to_cp
from toolkit.widgets import Annotator, SideBySide, UIState, claim_clusters, rank_claims, snap_selection


def offsets(text: str, sub: str) -> tuple[int, int]:
    """Offsets of the first occurrence of ``sub`` in ``text``."""
    i = text.index(sub)
    return i, i + len(sub)


def send(widget, **msg) -> None:
    """Deliver a custom message the way the browser's ``model.send`` does."""
    widget._handle_custom_msg(msg, [])


def front_end_sets(widget, **state) -> None:
    """Change synced traits the way the browser does (``model.set`` + ``save_changes``)."""
    widget.set_state(state)


def records(proj: tk.Project, annotator: str) -> list[dict]:
    path = Path(proj.path) / "records" / f"{annotator}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture
def ann(project: tk.Project) -> Annotator:
    return Annotator(project, annotator="alice", doc="wire-001")


# ---------------------------------------------------------------- pure helpers


def test_snap_selection_expands_to_words_and_strips_punctuation() -> None:
    text = "President Dario Venn said, “the river”."
    # selection from the middle of "Dario" to the middle of "Venn" -> "Dario Venn"
    assert snap_selection(text, 12, 17) == offsets(text, "Dario Venn")
    # quotes, comma and spaces around a word are dropped
    assert snap_selection(text, text.index(","), len(text)) == offsets(text, "the river")
    assert snap_selection(text, 24, 27) is None or snap_selection(text, 24, 27) == offsets(text, "said")
    assert snap_selection(text, text.index(","), text.index(",") + 3) is None  # ", “" only
    assert snap_selection("Ostrand's talks", 2, 4) == (0, 7)  # "Ostrand" can be tagged alone
    assert snap_selection("Ostrand's talks", 2, 11) == (0, 15)  # the apostrophe is kept inside
    assert snap_selection("'Ostrand' ", 0, 10) == (1, 8)  # but stripped at the edges
    assert snap_selection("abc", 2, 1) == (0, 3)  # reversed is normalised


def test_offsets_utf16_roundtrip_with_emoji() -> None:
    text = "a😀b𝔘c"  # two characters outside the BMP (each 2 UTF-16 units)
    assert [cp_to_utf16(text, i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    for i in range(len(text) + 1):
        assert utf16_to_cp(text, cp_to_utf16(text, i)) == i


def test_rank_claims_prefers_shared_words_and_linked() -> None:
    cands = [
        {"id": "x", "text": "Prices rose sharply"},
        {"id": "y", "text": "The river belongs to both peoples"},
        {"id": "z", "text": "Nothing related"},
    ]
    ranked = rank_claims("the river belongs to both our peoples", cands)
    assert [c["id"] for c in ranked][0] == "y"
    # hand computed: {river, belongs, both, our, peoples} vs {river, belongs, both, peoples} -> 4/5
    assert ranked[0]["score"] == pytest.approx(0.8)
    assert rank_claims("river", cands, linked=["z"])[0]["id"] == "z"


def test_claim_clusters_are_connected_components() -> None:
    cl = claim_clusters([("a", "b"), ("c", "d"), ("b", "e")])
    assert cl["a"] == cl["b"] == cl["e"] != cl["c"] == cl["d"]


# ---------------------------------------------------------------- tagging through the front-end path


def test_selection_trait_is_snapped_and_label_message_writes_span(ann: Annotator, project: tk.Project) -> None:
    s, e = offsets(TEXT_A, "Dario Venn")
    front_end_sets(ann.tagger, selection=[s + 2, e - 1])  # mid-word drag
    assert ann.tagger.selection == [s, e]
    send(ann.tagger, action="add", label="PERSON", start=s + 2, end=e - 1)
    recs = records(project, "alice")
    assert len(recs) == 1
    r = recs[0]
    assert (r["op"], r["type"], r["doc"], r["start"], r["end"], r["label"], r["text"]) == (
        "put", "span", "wire-001", s, e, "PERSON", "Dario Venn",
    )  # fmt: skip
    # the trait the browser draws from now holds the stored span, selected
    assert [(x["start"], x["end"], x["label"]) for x in ann.tagger.spans] == [(s, e, "PERSON")]
    assert ann.tagger.selected == r["id"] and ann.tagger.selection == []
    assert "Saved PERSON" in ann.tagger.status


def test_emoji_document_offsets_are_code_points(project: tk.Project) -> None:
    ann = Annotator(project, annotator="alice", doc="daily-001")
    s, e = offsets(TEXT_B, "End")  # after the emoji
    send(ann.tagger, action="add", label="PERSON", start=s, end=e)
    span = next(iter(project.current("alice").spans.values()))
    assert TEXT_B[span.start : span.end] == "End" and span.start == s


def test_relabel_attrs_delete_and_undo_redo(ann: Annotator, project: tk.Project) -> None:
    s, e = offsets(TEXT_A, "Ostrand's foreign ministry did not comment")
    send(ann.tagger, action="add", label="ORG", start=s, end=e)
    sid = ann.tagger.selected
    send(ann.tagger, action="relabel", id=sid, label="CLAIM")
    send(ann.tagger, action="attrs", id=sid, kind="factual", speaker="the ministry")
    span = project.current("alice").spans[sid]
    assert span.label == "CLAIM" and dict(span.attrs) == {"kind": "factual", "speaker": "the ministry"}
    send(ann.tagger, action="delete", id=sid)
    assert sid not in project.current("alice").spans
    send(ann.tagger, action="undo")  # brings the claim back with its attributes
    assert project.current("alice").spans[sid].attrs["speaker"] == "the ministry"
    send(ann.tagger, action="undo")  # attributes
    assert dict(project.current("alice").spans[sid].attrs) == {}
    send(ann.tagger, action="undo")  # relabel
    assert project.current("alice").spans[sid].label == "ORG"
    send(ann.tagger, action="undo")  # the add itself
    assert project.current("alice").spans == {}
    assert ann.tagger.spans == [] and ann.tagger.can_redo and not ann.tagger.can_undo
    send(ann.tagger, action="redo")
    assert project.current("alice").spans[sid].label == "ORG"
    # the log only grew: add, relabel, attrs, delete, 4 undos, 1 redo
    ops = [(r["op"], r["type"]) for r in records(project, "alice")]
    assert len(ops) == 9 and ops[3] == ("delete", "span") and ops[-2] == ("delete", "span")


def test_stances_for_document_and_claim(ann: Annotator, project: tk.Project) -> None:
    send(ann.stances, action="stance", claim=None, target="Velmora", value="favour")
    st = project.current("alice").stances
    assert {(x.doc, x.claim, x.target, x.value) for x in st.values()} == {("wire-001", None, "Velmora", "favour")}
    assert ann.stances.doc_values == {"Velmora": "favour"}
    s, e = offsets(TEXT_A, "Prices rose 4% in March")
    cid = ann.tag("CLAIM", s, e).id
    front_end_sets(ann.tagger, selected=cid)
    assert ann.stances.claim == cid
    send(ann.stances, action="stance", claim=cid, target="Ostrand", value="against")
    assert project.current("alice").stances[tk.Stance.make_id("wire-001", "Ostrand", cid)].value == "against"
    assert ann.stances.claim_values == {"Ostrand": "against"}
    # clicking the active value again clears it; undo restores it
    send(ann.stances, action="stance", claim=cid, target="Ostrand", value="against")
    assert ann.stances.claim_values == {}
    send(ann.tagger, action="undo")
    assert ann.stances.claim_values == {"Ostrand": "against"}


def test_links_ranked_and_saved(ann: Annotator, project: tk.Project) -> None:
    a = ann.tag("CLAIM", *offsets(TEXT_A, "Prices rose 4% in March")).id
    ann.goto("daily-001")
    b = ann.tag("CLAIM", *offsets(TEXT_B, "Venn's call was “a first step”")).id
    c = ann.tag("CLAIM", *offsets(TEXT_B, "according to Minister Ilse Marković")).id
    ann.goto("wire-001")
    s, e = offsets(TEXT_A, "President Dario Venn said on Tuesday")
    d = ann.tag("CLAIM", s, e).id
    front_end_sets(ann.tagger, selected=d)
    cands = ann.links.candidates
    assert {x["id"] for x in cands} == {b, c}  # only other sources' claims, not `a` (same source)
    assert cands[0]["id"] == b  # shares "venn"
    send(ann.links, action="link", a=d, b=b)
    links = project.current("alice").links
    assert [(lk.a, lk.b) for lk in links.values()] in ([(d, b)], [(b, d)])
    assert ann.links.candidates[0]["linked"] is True
    # deleting the claim removes its link too, and undo brings both back
    send(ann.tagger, action="delete", id=d)
    assert project.current("alice").links == {}
    send(ann.tagger, action="undo")
    assert len(project.current("alice").links) == 1 and d in project.current("alice").spans
    assert a in project.current("alice").spans


def test_suggestions_accept_reject_and_persisted_rejections(project: tk.Project) -> None:
    model = "model:test@1"
    venn = project.add_span("wire-001", *offsets(TEXT_A, "Dario Venn"), "PERSON", annotator=model)
    ost = project.add_span("wire-001", *offsets(TEXT_A, "Ostrand's"), "GPE", annotator=model)
    mar = project.add_span("wire-001", *offsets(TEXT_A, "March"), "DATE", annotator=model)
    tue = project.add_span("wire-001", *offsets(TEXT_A, "Tuesday"), "DATE", annotator=model)
    ann = Annotator(project, annotator="bob", doc="wire-001")
    sugg = {x["id"] for x in ann.tagger.spans if x["suggestion"]}
    assert sugg == {venn.id, ost.id, mar.id, tue.id}
    send(ann.tagger, action="accept", id=venn.id)
    bob = project.current("bob").spans
    assert [(x.start, x.end, x.label, x.meta["accepted_from"]) for x in bob.values()] == [
        (venn.start, venn.end, "PERSON", venn.id)
    ]
    send(ann.tagger, action="reject", id=ost.id)
    send(ann.tagger, action="accept_all", label="DATE")
    assert {x.text for x in project.current("bob").spans.values()} == {"Dario Venn", "March", "Tuesday"}
    assert not any(x["suggestion"] for x in ann.tagger.spans)
    # the model layer is untouched and the rejection is remembered for bob only
    assert len(project.current(model).spans) == 4
    assert UIState(project.path).rejected("bob") == {ost.id}
    again = Annotator(project, annotator="bob", doc="wire-001")
    assert not any(x["suggestion"] for x in again.tagger.spans)
    carol = Annotator(project, annotator="carol", doc="wire-001")
    assert {x["id"] for x in carol.tagger.spans if x["suggestion"]} == {venn.id, ost.id, mar.id, tue.id}
    # undo of "accept all" removes both DATE spans in one step
    send(ann.tagger, action="undo")
    assert {x.text for x in project.current("bob").spans.values()} == {"Dario Venn"}


def test_annotator_name_asked_once_and_navigation(project: tk.Project) -> None:
    first = Annotator(project)
    assert first.nav.annotator == "" and first.tagger.annotator == ""
    send(first.nav, action="set_annotator", name="model:sneaky")
    assert first.nav.status.startswith("Error:") and first.annotator == ""
    send(first.nav, action="set_annotator", name="dana")
    assert first.annotator == "dana"
    assert json.loads((Path(project.path) / "ui" / "annotator.json").read_text())["annotator"] == "dana"
    second = Annotator(project)
    assert second.annotator == "dana"
    assert (second.nav.count, second.nav.done, second.nav.total) == (2, 0, 2)
    first_doc = second.doc_id
    send(second.nav, action="next")
    assert second.doc_id != first_doc and second.nav.position == 2
    send(second.nav, action="prev")
    assert second.doc_id == first_doc
    second.tag("PERSON", 0, 7)
    assert second.nav.done == 1
    send(second.nav, action="next_unannotated")
    assert second.doc_id != first_doc
    send(second.nav, action="source", source="Ostrand Daily")
    assert second.nav.count == 1 and second.doc_id == "daily-001"


def test_errors_are_shown_not_raised(ann: Annotator, project: tk.Project) -> None:
    send(ann.tagger, action="add", label="NOPE", start=0, end=7)
    assert ann.tagger.status.startswith("Error:") and "NOPE" in ann.tagger.status
    send(ann.tagger, action="add", label="PERSON", start=5, end=5)
    assert ann.tagger.status.startswith("Error:")
    assert not (Path(project.path) / "records" / "alice.jsonl").exists()


def test_reopening_shows_saved_state(ann: Annotator, project: tk.Project) -> None:
    ann.tag("GPE", *offsets(TEXT_A, "Velmora"))
    ann.set_stance("Ostrand", "neutral")
    again = Annotator(tk.Project.open(project.path), annotator="alice", doc="wire-001")
    assert [x["text"] for x in again.tagger.spans] == ["Velmora"]
    assert again.stances.doc_values == {"Ostrand": "neutral"}


def test_side_by_side_marks_links_and_shared_entities(ann: Annotator, project: tk.Project) -> None:
    a = ann.tag("CLAIM", *offsets(TEXT_A, "President Dario Venn said on Tuesday")).id
    ann.tag("PERSON", *offsets(TEXT_A, "Venn"))
    ann.goto("daily-001")
    b = ann.tag("CLAIM", *offsets(TEXT_B, "Venn's call was “a first step”")).id
    ann.tag("PERSON", *offsets(TEXT_B, "Venn"))
    ann.tag("PERSON", *offsets(TEXT_B, "Ilse Marković"))
    ann.link(a, b)
    side = SideBySide(project, "wire-001", "daily-001", annotator="alice")
    assert side.clusters[a] == side.clusters[b]
    shared_texts = {
        x["id"]: (TEXT_A if d == "left" else TEXT_B)[x["start"] : x["end"]]
        for d in ("left", "right")
        for x in getattr(side, d)["spans"]
    }
    assert sorted(shared_texts[i] for i in side.shared) == ["Venn", "Venn"]
    side._handle_custom_msg({"action": "pick", "side": "right", "doc": "wire-001"}, [])
    assert side.right["id"] == "wire-001"


# ---------------------------------------------------------------- claim speaker linked to an entity span


def _claim_and_speaker(ann: Annotator) -> tuple[str, str]:
    """A claim and the PERSON span inside it, on wire-001 (added through the front-end message path)."""
    send(ann.tagger, action="add", label="PERSON", start=offsets(TEXT_A, "Dario Venn")[0],
         end=offsets(TEXT_A, "Dario Venn")[1])  # fmt: skip
    person = ann.tagger.selected
    s, e = offsets(TEXT_A, "President Dario Venn said on Tuesday")
    send(ann.tagger, action="add", label="CLAIM", start=s, end=e)
    return ann.tagger.selected, person


def test_pick_speaker_sets_speaker_span_and_text_on_disk_and_undo_restores(ann: Annotator, project: tk.Project) -> None:
    claim, person = _claim_and_speaker(ann)
    send(ann.tagger, action="attrs", id=claim, kind="quotation", speaker="the president")
    send(ann.tagger, action="speaker", id=claim, entity=person)
    last = records(project, "alice")[-1]  # the edit is a put of the claim, on disk before the UI shows it
    assert (last["op"], last["id"]) == ("put", claim)
    assert last["attrs"] == {"kind": "quotation", "speaker": "Dario Venn", "speaker_span": person}
    row = next(x for x in ann.tagger.spans if x["id"] == claim)
    assert (row["speaker"], row["speaker_span"]) == ("Dario Venn", person)
    # one undo step restores the earlier attrs (free-text speaker, no span); redo links again
    send(ann.tagger, action="undo")
    assert dict(project.current("alice").spans[claim].attrs) == {"kind": "quotation", "speaker": "the president"}
    assert next(x for x in ann.tagger.spans if x["id"] == claim)["speaker_span"] == ""
    send(ann.tagger, action="redo")
    assert project.current("alice").spans[claim].attrs["speaker_span"] == person
    # Project.load() exposes it in the speaker_span column
    spans = project.load().spans
    assert spans.set_index("id").loc[claim, "speaker_span"] == person


def test_unlink_speaker_keeps_the_text(ann: Annotator, project: tk.Project) -> None:
    claim, person = _claim_and_speaker(ann)
    send(ann.tagger, action="speaker", id=claim, entity=person)
    send(ann.tagger, action="unspeaker", id=claim)
    assert dict(project.current("alice").spans[claim].attrs) == {"speaker": "Dario Venn"}
    send(ann.tagger, action="undo")
    assert project.current("alice").spans[claim].attrs["speaker_span"] == person
    # unlinking a claim without a link is an error shown in the status line, nothing written
    n = len(records(project, "alice"))
    send(ann.tagger, action="unspeaker", id=person)
    assert ann.tagger.status.startswith("Error:") and len(records(project, "alice")) == n


def test_pick_speaker_rejects_wrong_layers_and_other_documents(ann: Annotator, project: tk.Project) -> None:
    claim, person = _claim_and_speaker(ann)
    other_claim = ann.tag("CLAIM", *offsets(TEXT_A, "Prices rose 4% in March")).id
    ann.goto("daily-001")
    far = ann.tag("PERSON", *offsets(TEXT_B, "Ilse Marković")).id
    ann.goto("wire-001")
    n = len(records(project, "alice"))
    for entity, claim_id, why in [
        (other_claim, claim, "not an entity"),
        (claim, person, "not a claim"),
        (far, claim, "document"),
        ("no-such-span", claim, "no span"),
    ]:
        send(ann.tagger, action="speaker", id=claim_id, entity=entity)
        assert ann.tagger.status.startswith("Error:") and why in ann.tagger.status
    # a model suggestion is not this annotator's span, so it cannot be the speaker either
    sugg = project.add_span("wire-001", *offsets(TEXT_A, "Velmora"), "GPE", annotator="model:test@1")
    send(ann.tagger, action="speaker", id=claim, entity=sugg.id)
    assert ann.tagger.status.startswith("Error:")
    assert len(records(project, "alice")) == n  # nothing written for any of them


def test_deleting_the_speaker_entity_clears_speaker_span_in_the_same_undo_step(
    ann: Annotator, project: tk.Project
) -> None:
    claim, person = _claim_and_speaker(ann)
    send(ann.tagger, action="speaker", id=claim, entity=person)
    send(ann.tagger, action="delete", id=person)
    cur = project.current("alice").spans
    assert person not in cur
    assert dict(cur[claim].attrs) == {"speaker": "Dario Venn"}  # no dangling id; the text stays
    on_disk = [r for r in records(project, "alice") if r["id"] == claim]
    assert "speaker_span" not in on_disk[-1]["attrs"]
    send(ann.tagger, action="undo")  # one step brings back the entity and the link
    cur = project.current("alice").spans
    assert person in cur and cur[claim].attrs["speaker_span"] == person
    send(ann.tagger, action="redo")
    cur = project.current("alice").spans
    assert person not in cur and "speaker_span" not in cur[claim].attrs


def test_suggestions_one_group_at_a_time(project: tk.Project) -> None:
    model = "model:test@1"
    venn = project.add_span("wire-001", *offsets(TEXT_A, "Dario Venn"), "PERSON", annotator=model)
    claim_text = TEXT_A[: TEXT_A.index(".") + 1]
    claim = project.add_span("wire-001", 0, len(claim_text), "CLAIM", annotator=model, attrs={"kind": "factual"})
    ann = Annotator(project, annotator="bob", doc="wire-001")
    shown = lambda: {x["id"] for x in ann.tagger.spans if x["suggestion"]}  # noqa: E731
    # entities first (the default); the toggle's counts cover both groups
    assert shown() == {venn.id}
    assert ann.tagger.sugg_counts == {"entity": 1, "claim": 1}
    send(ann.tagger, action="sugg_group", group="claim")
    assert shown() == {claim.id}
    # "accept all" acts on what is shown in this article only
    send(ann.tagger, action="accept_all", label="PERSON")
    assert not project.current("bob").spans
    send(ann.tagger, action="accept_all", label="CLAIM")
    assert [s.label for s in project.current("bob").spans.values()] == ["CLAIM"]
    send(ann.tagger, action="sugg_group", group="off")
    assert shown() == set()
    # the choice is remembered for the next time the widget opens
    assert Annotator(project, annotator="bob", doc="wire-001").tagger.sugg_group == "off"
    send(ann.tagger, action="sugg_group", group="bogus")
    assert ann.tagger.status.startswith("Error: unknown suggestion group")


def test_stance_targets_from_the_widget(project: tk.Project) -> None:
    ann = Annotator(project, annotator="alice", doc="wire-001")
    send(ann.stances, action="add_target", name="Harbour levy")
    assert "Harbour levy" in ann.stances.targets
    send(ann.stances, action="stance", target="Harbour levy", value=ann.stances.values[0])
    assert ann.rename_target("Harbour levy", "Port levy") == 1
    assert ann.stances.targets[-1] == "Port levy" and ann.stances.doc_values == {"Port levy": ann.stances.values[0]}
    send(ann.stances, action="add_target", name="Port levy")
    assert ann.tagger.status == "Error: stance target 'Port levy' already exists"
    # rename and remove from the panel's controls (messages the browser sends)
    send(ann.stances, action="rename_target", old="Port levy", new="Harbour fee")
    assert ann.stances.doc_values == {"Harbour fee": ann.stances.values[0]}
    send(ann.stances, action="remove_target", name="Harbour fee")
    assert ann.tagger.status.startswith("Error: stance target 'Harbour fee' is used by 1 stance")
    send(ann.stances, action="add_target", name="Unused")
    send(ann.stances, action="remove_target", name="Unused")
    assert "Unused" not in ann.stances.targets


# ---------------------------------------------------------------- per-document indexes (issue 11)
def _per_doc(state: tk.AnnotatorState | object, doc: str) -> tuple[dict, dict]:
    spans = {s.id: (s.start, s.end, s.label, dict(s.attrs)) for s in state.spans.values() if s.doc == doc}
    stances = {s.id: s.value for s in state.stances.values() if s.doc == doc}
    return spans, stances


def test_log_index_replays_one_document_like_the_full_log(project: tk.Project) -> None:
    from toolkit.widgets.docindex import LogIndex

    a = project.add_span("wire-001", *offsets(TEXT_A, "Velmora"), "GPE", annotator="alice")
    b = project.add_span("daily-001", 0, 7, "GPE", annotator="alice")
    project.set_stance("wire-001", "Velmora", "favour", annotator="alice")
    index = LogIndex(project, "alice")
    assert index.annotated() == {"wire-001", "daily-001"}
    assert (index.file.parent / index.file.name).exists()  # the first build is kept on disk
    # later writes: a relabel, a delete, a new stance; the index reads only the appended lines
    project.update_span(a.id, annotator="alice", label="ORG")
    project.delete("span", b.id, annotator="alice")
    project.set_stance("daily-001", "Ostrand", "against", annotator="alice")
    full = project.current("alice")
    for doc in ("wire-001", "daily-001"):
        assert _per_doc(index.state(doc), doc) == _per_doc(full, doc)
    assert index.state("wire-001").spans[a.id].label == "ORG" and index.state("daily-001").spans == {}
    assert index.annotated() == {"wire-001", "daily-001"}  # daily-001 keeps its stance
    # a new index from the saved file plus the log's tail gives the same answers
    again = LogIndex(project, "alice")
    assert again.annotated() == index.annotated()
    assert _per_doc(again.state("daily-001"), "daily-001") == _per_doc(full, "daily-001")
    for st in full.stances.values():  # without its stances daily-001 has nothing left; wire-001 keeps a span
        project.delete("stance", st.id, annotator="alice")
    assert again.annotated() == {"wire-001"} and again.state("wire-001").stances == {}


def test_annotator_never_reads_every_document(project: tk.Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Open and move on: only the open document's file and records are read (no corpus-wide scan).

    (Writing still goes through ``Project.add_span``, which reads the documents once per process.)
    """
    project.add_span("wire-001", *offsets(TEXT_A, "Velmora"), "GPE", annotator="alice")
    Annotator(project, annotator="alice")  # builds the indexes and the source list once

    def no_scan(*_args: object) -> None:
        raise AssertionError("read every document")

    monkeypatch.setattr(tk.Project, "documents", no_scan)
    ann = Annotator(project, annotator="alice")
    assert ann.doc_id == "daily-001"  # the first document without annotations
    assert ann.nav.done == 1 and ann.nav.sources == ["Harbour Wire", "Ostrand Daily"]
    ann.prev()
    assert ann.doc_id == "daily-001" and ann.next_unannotated() == "daily-001"  # wraps round to itself
    ann.next()
    assert ann.doc_id == "wire-001" and [s["label"] for s in ann.tagger.spans] == ["GPE"]
    monkeypatch.undo()
    ann.goto("daily-001")
    ann.tag("GPE", 0, 7)
    assert ann.annotated_docs() == {"wire-001", "daily-001"} and ann.nav.done == 2
    assert ann.next_unannotated() is None and "All documents" in ann.tagger.status
    ann.undo()
    assert ann.annotated_docs() == {"wire-001"} and ann.nav.done == 1
