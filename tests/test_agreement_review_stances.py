"""Stance review widget driven through its Python callbacks, as the browser triggers them.

The browser sends ``{"action": "key", "key": ...}`` for key presses, ``{"action": "choose", "value": ...}``
for button clicks and ``{"action": "next" | "prev"}`` to ``ReviewWidget.handle``.
"""

from __future__ import annotations

import json

import pytest

import toolkit as tk
from toolkit.agreement.adjudicate import apply_decisions
from toolkit.agreement.reports import disagreements
from toolkit.widgets.review import ReviewWidget, SpanReviewWidget
from toolkit.widgets.views import ESM, SpanTagger

# schema order of the default stance values: the number keys 1-4 pick them in this order
VALUES = ["favour", "against", "neutral", "none"]


@pytest.fixture
def stances_project(project: tk.Project) -> tk.Project:
    """ana and ben disagree on three document-level stance units and agree on one (not a unit)."""
    p = project
    answers = {
        ("wire-001", "Velmora"): ("favour", "against"),
        ("wire-001", "Ostrand"): ("against", "against"),  # agreed
        ("daily-001", "Velmora"): ("neutral", "none"),
        ("daily-001", "Ostrand"): ("favour", "against"),
    }
    for (doc, target), (a, b) in answers.items():
        p.set_stance(doc, target, a, annotator="ana")
        p.set_stance(doc, target, b, annotator="ben")
    return p


def _units(p: tk.Project) -> list[tuple[str, str]]:
    table = disagreements(p.load(), "stances")
    return list(zip(table["doc_id"], table["target"], strict=True))


def _gold(p: tk.Project) -> dict[tuple[str, str | None, str], str]:
    return {(s.doc, s.claim, s.target): s.value for s in p.current("gold").stances.values()}


def test_number_keys_pick_schema_values_and_write_gold(stances_project: tk.Project) -> None:
    p = stances_project
    units = _units(p)
    assert sorted(units) == [("daily-001", "Ostrand"), ("daily-001", "Velmora"), ("wire-001", "Velmora")]
    widget = ReviewWidget(p)
    assert widget.values == VALUES == list(p.schema.stance_values)
    assert [(u["doc_id"], u["target"]) for u in widget.units] == units
    assert widget.progress == "0 of 3 decided" and widget.status == "0 of 3 decided" and widget.index == 0
    widget.handle({"action": "key", "key": "2"})  # against
    assert widget.index == 1 and widget.status == "1 of 3 decided" and widget.n_decided == 1
    widget.handle({"action": "key", "key": "3"})  # neutral
    widget.handle({"action": "choose", "value": "favour"})  # a button click
    assert widget.current is None and widget.progress == "3 of 3 decided"
    assert "All 3 disputed stance units reviewed" in widget.message
    expected = {
        (units[0][0], None, units[0][1]): "against",
        (units[1][0], None, units[1][1]): "neutral",
        (units[2][0], None, units[2][1]): "favour",
    }
    assert _gold(p) == expected
    # on disk: one stance put per decision in records/gold.jsonl; the human layers are untouched
    lines = (p.path / "records" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    puts = [json.loads(line) for line in lines if json.loads(line)["op"] == "put"]
    assert sorted((ev["doc"], ev["target"], ev["value"]) for ev in puts) == sorted(
        (d, t, v) for (d, _c, t), v in expected.items()
    )
    assert len(p.current("ana").stances) == 4 and len(p.current("ben").stances) == 4


def test_keys_outside_the_values_do_nothing(stances_project: tk.Project) -> None:
    widget = ReviewWidget(stances_project)
    for key in ("5", "9", "x", "q", "", "12"):  # four values only; no reject key for stances
        widget.handle({"action": "key", "key": key})
    assert widget.index == 0 and widget.decided == {} and "gold" not in stances_project.annotators()
    widget.handle({"action": "choose", "value": "sideways"})
    assert "not recorded" in widget.message and "sideways" in widget.message
    widget.handle({"action": "dance"})
    assert widget.message == "unknown action 'dance'"
    assert widget.decided == {}


def test_n_and_p_move_and_clamp(stances_project: tk.Project) -> None:
    widget = ReviewWidget(stances_project)
    widget.handle({"action": "key", "key": "n"})
    widget.handle({"action": "key", "key": "N"})  # upper case too (caps lock)
    assert widget.index == 2 and widget.position == 2
    widget.handle({"action": "next"})
    assert widget.current is None and widget.unit == {}
    widget.handle({"action": "next"})  # clamped at the "all reviewed" screen
    assert widget.index == 3
    for _ in range(5):
        widget.handle({"action": "key", "key": "p"})
    assert widget.index == 0 and widget.unit["target"] == widget.units[0]["target"]
    widget.handle({"action": "prev"})
    assert widget.index == 0 and widget.progress == "0 of 3 decided"  # moving decides nothing
    assert "0 of 3 decided" in repr(widget)


def test_view_shows_answers_and_keys_on_choices(stances_project: tk.Project) -> None:
    widget = ReviewWidget(stances_project)
    view = widget.unit
    unit = widget.units[0]
    assert [c["key"] for c in view["choices"]] == ["1", "2", "3", "4"]
    assert [c["value"] for c in view["choices"]] == VALUES
    assert view["answers"] == [{"annotator": "ana", "value": unit["ana"]}, {"annotator": "ben", "value": unit["ben"]}]
    assert view["claim"] is None and view["decision"] is None
    assert not any(c["chosen"] for c in view["choices"])
    assert widget.message == "not decided yet"
    widget.press("4")
    widget.prev()
    assert widget.unit["decision"] == "none" and [c["chosen"] for c in widget.unit["choices"]] == [0, 0, 0, 1]
    assert widget.message == "decided: none"
    # one front end for every widget: the review views are drawn by the annotator's module
    assert ReviewWidget._esm is ESM and SpanReviewWidget._esm is ESM and SpanTagger._esm is ESM
    assert widget.view == "review_stances" and SpanReviewWidget.view.default_value == "review_spans"
    assert "innerHTML" not in ReviewWidget._esm


def test_redeciding_replaces_the_gold_stance(stances_project: tk.Project) -> None:
    p = stances_project
    widget = ReviewWidget(p)
    doc, target = widget.units[0]["doc_id"], widget.units[0]["target"]
    widget.press("1")
    widget.go(0)
    widget.press("2")
    assert _gold(p) == {(doc, None, target): "against"} and widget.decided == {0: "against"}


def test_resume_at_first_undecided(stances_project: tk.Project) -> None:
    p = stances_project
    first = ReviewWidget(p)
    first.press("1")  # unit 0
    first.next()  # unit 1 left undecided
    first.press("3")  # unit 2
    again = ReviewWidget(p)
    assert again.decided == {0: "favour", 2: "neutral"}
    assert again.index == 1 and again.progress == "2 of 3 decided"
    again.go(0)
    assert again.unit["decision"] == "favour" and again.message == "decided: favour"
    again.go(1)
    again.press("4")
    done = ReviewWidget(p)
    assert done.index == 3 and done.current is None and done.progress == "3 of 3 decided"
    # gold stances deleted or written by other means (apply_decisions, e.g. a majority vote) are seen too
    other = tk.Project.open(p.path)
    unit = done.units[1]
    apply_decisions(other, [{"task": "stance", "doc_id": unit["doc_id"], "target": unit["target"], "value": None}])
    resumed = ReviewWidget(other)
    assert resumed.index == 1 and resumed.decided == {0: "favour", 2: "neutral"}
    apply_decisions(other, [{"task": "stance", "doc_id": unit["doc_id"], "target": unit["target"], "value": "against"}])
    assert ReviewWidget(other).decided[1] == "against"


@pytest.fixture
def claim_project(project: tk.Project) -> tk.Project:
    """ana [10,30) favour and ben [12,30) against (Jaccard 18/20: one aligned claim ``10-30``)."""
    p = project
    for ann, (s, e, value) in {"ana": (10, 30, "favour"), "ben": (12, 30, "against")}.items():
        span = p.add_span("wire-001", s, e, "CLAIM", annotator=ann)
        p.set_stance("wire-001", "Velmora", value, annotator=ann, claim=span.id)
    return p


def test_claim_units_need_a_gold_claim_and_resume(claim_project: tk.Project) -> None:
    p = claim_project
    widget = ReviewWidget(p)
    assert widget.unit["claim"] == "10-30"
    assert widget.unit["claim_text"] == p.document("wire-001").text[10:30]
    widget.press("2")
    assert widget.decided == {} and widget.index == 0 and "not recorded" in widget.message
    assert widget.progress == "0 of 1 decided"
    gold_claim = p.add_span("wire-001", 11, 30, "CLAIM", annotator="gold")  # Jaccard 19/20 with [10,30)
    assert ReviewWidget(p).index == 0  # a gold claim without a stance: still undecided
    widget.press("2")
    assert widget.decided == {0: "against"} and widget.current is None
    assert _gold(p) == {("wire-001", gold_claim.id, "Velmora"): "against"}
    again = ReviewWidget(p)
    assert again.decided == {0: "against"} and again.index == 1
