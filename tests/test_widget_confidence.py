"""Acting on suggestion confidence in the annotator (issue 13): score filter, accept above a score, next most uncertain.

The widget is driven the way the browser drives it (custom messages) or through its Python
methods; every check reads the records back from disk through :class:`toolkit.Project`.
Expected sets are derived from the model layers written here, never typed in by hand.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import toolkit as tk
from toolkit.nlp.recommend import most_uncertain
from toolkit.widgets import Annotator, UIState
from toolkit.widgets.annotator import LABEL_KEYS, passes, score_of
from toolkit.widgets.docindex import LogIndex

MODEL = "model:test@1"
OTHER = "model:strings@1"

# Invented articles about invented places.
TEXTS = {
    "a-001": "Mayor Tova Lind of Brekka opened the Selvik bridge on Monday. Lind thanked the Brekka Council.",
    "b-002": "The Selvik Ferry Company said fares would rise in June. Tova Lind called the rise unfair.",
    "c-003": "Farmers near Osterhal met the Harbour Board on Friday to discuss the Selvik tolls.",
    "d-004": "Nothing here was suggested by the model at all, said a clerk in Brekka.",
}

# (doc, text, label, score): None = a suggestion without a score
SUGGESTIONS = [
    ("a-001", "Tova Lind", "PERSON", 0.95),
    ("a-001", "Brekka", "GPE", 0.40),
    ("a-001", "Selvik", "GPE", 0.72),
    ("a-001", "Monday", "DATE", None),
    ("a-001", "Brekka Council", "ORG", 0.61),
    ("b-002", "Selvik Ferry Company", "ORG", 0.88),
    ("b-002", "June", "DATE", 0.30),
    ("b-002", "Tova Lind", "PERSON", 0.66),
    ("c-003", "Osterhal", "GPE", 0.55),
    ("c-003", "Harbour Board", "ORG", 0.20),
    ("c-003", "Friday", "DATE", 0.10),
]


def send(widget, **msg) -> None:
    """Deliver a custom message the way the browser's ``model.send`` does."""
    widget._handle_custom_msg(msg, [])


@pytest.fixture
def proj(tmp_path: Path) -> tk.Project:
    p = tk.Project.init(tmp_path / "proj", schema=tk.LabelSchema.default(["the bridge"]))
    p.add_documents([tk.Document.create(d, "Brekka Post" if d < "c" else "Harbour Wire", t) for d, t in TEXTS.items()])
    items = []
    for doc, sub, label, score in SUGGESTIONS:
        i = TEXTS[doc].index(sub)
        attrs = {"recommender": "trained"} if score is None else {"recommender": "trained", "score": score}
        items.append({"doc": doc, "start": i, "end": i + len(sub), "label": label, "attrs": attrs})
    first = TEXTS["a-001"][: TEXTS["a-001"].index(".") + 1]
    items.append({"doc": "a-001", "start": 0, "end": len(first), "label": "CLAIM", "attrs": {"score": 0.8}})
    p.add_spans(items, annotator=MODEL)
    return p


def model_spans(p: tk.Project, annotator: str = MODEL) -> list[tk.Span]:
    return list(p.current(annotator).spans.values())


def key(s: tk.Span | dict) -> tuple:
    if isinstance(s, dict):
        return (s["start"], s["end"], s["label"])
    return (s.doc, s.start, s.end, s.label)


def expected(p: tk.Project, threshold: float, layer: str = "entity", exclude: set[tuple] = frozenset()) -> set[tuple]:
    """(doc, start, end, label) of the model's suggestions a threshold keeps (the documented rule, written out)."""
    out = set()
    for s in model_spans(p):
        sc = s.attrs.get("score")
        ok = (sc is None and threshold == 0) or (sc is not None and sc >= threshold)
        if ok and p.schema.layer_of(s.label) == layer and key(s) not in exclude:
            out.add(key(s))
    return out


def shown(ann: Annotator) -> set[tuple]:
    """(doc, start, end, label) of the suggestions drawn on the open document (the trait the browser draws)."""
    return {(ann.doc_id, *key(x)) for x in ann.tagger.spans if x["suggestion"]}


def shown_everywhere(ann: Annotator) -> set[tuple]:
    out: set[tuple] = set()
    here = ann.doc_id
    for d in ann.doc_ids():
        ann.goto(d)
        out |= shown(ann)
    ann.goto(here)
    return out


def mine(p: tk.Project, who: str = "ann") -> set[tuple]:
    return {key(s) for s in tk.Project.open(p.path).current(who).spans.values()}


# ---------------------------------------------------------------- the score filter


def test_score_filter_draws_suggestions_at_or_above_the_threshold_and_unscored_only_at_zero(proj: tk.Project) -> None:
    ann = Annotator(proj, annotator="ann", doc="a-001")
    assert ann.min_score == 0.0
    assert shown(ann) == {k for k in expected(proj, 0.0) if k[0] == "a-001"}
    assert any(score_of(s) is None for s in ann.visible_suggestions())  # the unscored DATE is drawn at 0
    send(ann.tagger, action="min_score", value=0.6)
    assert ann.min_score == 0.6 and ann.tagger.min_score == 0.6
    assert shown(ann) == {k for k in expected(proj, 0.6) if k[0] == "a-001"}
    in_group = [s for s in model_spans(proj) if s.doc == "a-001" and proj.schema.layer_of(s.label) == "entity"]
    assert ann.tagger.sugg_hidden == len(in_group) - len(shown(ann)) > 0
    # scores travel with the drawn spans (the detail bar shows them)
    scores = {(x["start"], x["end"]): x["score"] for x in ann.tagger.spans if x["suggestion"]}
    assert all(v is not None and v >= 0.6 for v in scores.values())
    # remembered for the next session, like the suggestion group
    assert UIState(proj.path).setting("min_score") == 0.6
    assert Annotator(proj, annotator="ann", doc="a-001").min_score == 0.6
    # a bad value is an error on the status line; nothing changes
    send(ann.tagger, action="min_score", value="lots")
    assert ann.tagger.status.startswith("Error: min score must be a number from 0 to 1")
    send(ann.tagger, action="min_score", value=1.5)
    assert ann.tagger.status.startswith("Error:") and ann.min_score == 0.6
    ann.min_score = 0
    assert shown(ann) == {k for k in expected(proj, 0.0) if k[0] == "a-001"}


def test_filter_rule_helpers() -> None:
    assert passes(None, 0.0) and not passes(None, 0.01)
    assert passes(0.5, 0.5) and not passes(0.49, 0.5) and passes(0.0, 0.0)


# ---------------------------------------------------------------- counting and accepting above a score


def test_count_above_is_what_the_filters_show_in_this_document_and_in_all(proj: tk.Project) -> None:
    ann = Annotator(proj, annotator="ann", doc="a-001")
    for t in (0.0, 0.5, 0.6, 0.9):
        ann.min_score = t
        everywhere = shown_everywhere(ann)
        assert everywhere == expected(proj, t)
        assert ann.count_above(t, "all") == len(everywhere)
        for d in ann.doc_ids():
            ann.goto(d)
            assert ann.count_above(t, "document") == len(shown(ann)), (t, d)
    # a score above the filter narrows it; below it, the filter wins (only what is shown is counted)
    ann.min_score = 0.5
    assert ann.count_above(0.7, "all") == len(expected(proj, 0.7))
    assert ann.count_above(0.0, "all") == len(expected(proj, 0.5))
    assert ann.count_above(0.0, "all", group="claim") == len(expected(proj, 0.5, "claim")) == 1
    ann.show_suggestions("off")
    assert ann.count_above(0.0, "all") == 0
    with pytest.raises(tk.errors.ValidationError, match="unknown scope"):
        ann.count_above(0.5, "everything")


def test_accept_above_across_documents_writes_exactly_the_shown_spans_and_undoes_in_one_step(
    proj: tk.Project,
) -> None:
    ann = Annotator(proj, annotator="ann", doc="a-001")
    # earlier work: one suggestion accepted, one rejected, one span of the annotator's own
    by_key = {key(s): s for s in model_spans(proj)}
    person = next(s for s in model_spans(proj) if s.label == "PERSON" and s.doc == "a-001")
    selvik = next(s for s in model_spans(proj) if s.doc == "a-001" and s.text == "Selvik")
    ann.accept(person.id)
    ann.reject(selvik.id)
    ann.goto("c-003")
    board = TEXTS["c-003"].index("Harbour Board")
    ann.tag("ORG", board, board + len("Harbour Board"))  # the model's suggestion there is now taken
    before = mine(proj)
    ann.min_score = 0.5
    ann.goto("a-001")
    want = shown_everywhere(ann)
    assert key(person) not in want and key(selvik) not in want and want  # dealt with: not shown
    assert want == expected(proj, 0.5, exclude={key(person), key(selvik)})
    n_undo, lines = len(ann._undo), len(proj.history("ann"))
    accepted = ann.accept_above(0.5, scope="all")
    assert {key(s) for s in accepted} == want
    assert mine(proj) == before | want  # exactly the shown spans, on every document
    cur = tk.Project.open(proj.path).current("ann").spans
    for s in accepted:
        assert cur[s.id].meta["accepted_from"] == by_key[key(s)].id and cur[s.id].meta["model"] == MODEL
        assert dict(cur[s.id].attrs) == dict(by_key[key(s)].attrs)
    assert len(ann._undo) == n_undo + 1 and len(proj.history("ann")) == lines + len(want)  # one step, one write
    assert not any(x["suggestion"] for x in ann.tagger.spans)  # nothing left to show here at 0.5
    assert ann.nav.done == len({k[0] for k in before | want})
    # one undo removes all of them, across documents; the earlier work stays
    assert ann.undo() == f"accept {len(want)} ≥ 0.5"
    assert mine(proj) == before
    assert ann.nav.done == len({k[0] for k in before})
    assert shown_everywhere(ann) == want
    ann.redo()
    assert mine(proj) == before | want
    ann.undo()
    assert mine(proj) == before


def test_accept_above_in_this_document_only(proj: tk.Project) -> None:
    ann = Annotator(proj, annotator="ann", doc="b-002")
    ann.min_score = 0.6
    want = shown(ann)
    assert want == {k for k in expected(proj, 0.6) if k[0] == "b-002"} and want
    ann.accept_above(0.6)
    assert mine(proj) == want
    ann.undo()
    assert mine(proj) == set()


def test_duplicate_suggestions_from_two_layers_are_accepted_once(proj: tk.Project) -> None:
    s = next(x for x in model_spans(proj) if x.label == "ORG" and x.doc == "b-002")
    proj.add_span(s.doc, s.start, s.end, s.label, annotator=OTHER, attrs={"recommender": "strings", "score": 0.99})
    ann = Annotator(proj, annotator="ann", doc="b-002")
    ann.min_score = 0.6
    n = ann.count_above(0.6, "all")
    assert n == len(expected(proj, 0.6))
    spans = ann.accept_above(0.6, "all")
    assert len(spans) == n and len(mine(proj)) == n
    # the copy kept is the surer one
    assert next(x for x in spans if key(x) == key(s)).meta["model"] == OTHER


# ---------------------------------------------------------------- the browser's path: count, confirm, accept


def test_confirmation_round_trip_through_messages(proj: tk.Project) -> None:
    ann = Annotator(proj, annotator="ann", doc="a-001")
    send(ann.tagger, action="min_score", value=0.6)
    send(ann.tagger, action="count_above", score=0.6, scope="all")
    want = expected(proj, 0.6)
    assert ann.tagger.bulk == {"score": 0.6, "scope": "all", "group": "entity", "count": len(want),
                               "docs": len({k[0] for k in want})}  # fmt: skip
    assert not (Path(proj.path) / "records" / "ann.jsonl").exists()  # asking writes nothing
    send(ann.tagger, action="cancel_bulk")
    assert ann.tagger.bulk == {} and not (Path(proj.path) / "records" / "ann.jsonl").exists()
    send(ann.tagger, action="count_above", score=0.6, scope="all")
    # something changes before the confirmation: it is refused, nothing is written
    ann.goto("b-002")
    other = next(s for s in ann.visible_suggestions())
    ann.reject(other.id)
    send(ann.tagger, action="accept_above", score=0.6, scope="all", group="entity", expect=len(want))
    assert ann.tagger.status.startswith("Error:") and "not the" in ann.tagger.status
    assert not (Path(proj.path) / "records" / "ann.jsonl").exists()
    send(ann.tagger, action="count_above", score=0.6, scope="all")
    assert ann.tagger.bulk["count"] == len(want) - 1
    send(ann.tagger, action="accept_above", score=0.6, scope="all", group="entity", expect=len(want) - 1)
    assert mine(proj) == want - {key(other)} and ann.tagger.bulk == {}
    send(ann.tagger, action="undo")
    assert mine(proj) == set()
    # nothing to accept: no confirmation, a status line
    send(ann.tagger, action="count_above", score=1.0, scope="document")
    assert ann.tagger.bulk == {} and ann.tagger.status.startswith("No entity suggestions")
    ann.show_suggestions("off")
    send(ann.tagger, action="count_above", score=0.6, scope="all")
    assert ann.tagger.bulk == {} and ann.tagger.status.startswith("Error: suggestions are hidden")


# ---------------------------------------------------------------- rejected suggestions never come back


def test_rejected_suggestions_never_come_back(proj: tk.Project) -> None:
    ann = Annotator(proj, annotator="ann", doc="a-001")
    target = next(s for s in ann.visible_suggestions() if score_of(s) is not None and score_of(s) >= 0.9)
    send(ann.tagger, action="reject", id=target.id)
    assert key(target) not in shown(ann)
    # not counted, not accepted by "accept all above" in any scope
    assert key(target) not in {key(s) for s in ann.accept_above(0.0, "all")}
    ann.undo()
    n_undo = len(ann._undo)
    assert key(target) not in {key(s) for s in ann.accept_all(target.label)}
    if len(ann._undo) > n_undo:  # other suggestions with that label were accepted
        ann.undo()
    assert key(target) not in mine(proj)
    # a new session on the same project, and a fresh Project object
    again = Annotator(tk.Project.open(proj.path), annotator="ann", doc="a-001")
    assert key(target) not in shown(again) and again.count_above(0.0, "all") == len(expected(proj, 0.0)) - 1
    # the same suggestion from a new model version (another id): still hidden
    proj.add_span(target.doc, target.start, target.end, target.label, annotator="model:test@2",
                  attrs={"score": 0.97})  # fmt: skip
    third = Annotator(proj, annotator="ann", doc="a-001")
    assert key(target) not in shown(third)
    assert key(target) not in {key(s) for s in third.accept_above(0.0, "all")}
    # another annotator still sees it
    assert key(target) in shown(Annotator(proj, annotator="lee", doc="a-001"))
    stored = json.loads((Path(proj.path) / "ui" / "rejected-ann.json").read_text())
    assert stored["rejected"] == [target.id] and stored["keys"] == [list(key(target))]


# ---------------------------------------------------------------- next most uncertain


def test_next_uncertain_follows_most_uncertain_and_drops_finished_documents(proj: tk.Project) -> None:
    ann = Annotator(proj, annotator="ann", doc="d-004")
    entity = [lab.name for lab in proj.schema.entity_labels]
    order = ann.uncertain_docs()
    assert order == most_uncertain(proj, MODEL, labels=entity)  # same order as the recommender's function
    assert "d-004" not in order  # no suggestions
    assert ann.next_uncertain() == order[0] and ann.doc_id == order[0]
    assert ann.next_uncertain() == order[1]  # never the open document
    # the score filter counts: only suggestions at or above it (all scored here at > 0)
    ann.min_score = 0.5
    scored = [s for s in model_spans(proj) if isinstance(s.attrs.get("score"), float)]
    assert ann.uncertain_docs() == [
        d
        for d in most_uncertain(proj, MODEL, labels=entity, min_score=0.5)
        if any(s.doc == d and s.attrs["score"] >= 0.5 and s.label in entity for s in scored)
    ]
    # a document whose shown suggestions are all dealt with drops out
    ann.goto(order[0])
    for s in ann.visible_suggestions():
        ann.reject(s.id)
    assert order[0] not in ann.uncertain_docs()
    # with suggestions hidden, both groups count
    ann.show_suggestions("off")
    assert "a-001" in ann.uncertain_docs() or order[0] == "a-001"
    send(ann.nav, action="next_uncertain")
    assert ann.doc_id in ann.uncertain_docs()


def test_next_uncertain_when_nothing_is_left(proj: tk.Project) -> None:
    ann = Annotator(proj, annotator="ann", doc="a-001")
    ann.accept_above(0.0, "all")
    ann.show_suggestions("claim")
    ann.accept_above(0.0, "all")
    assert ann.uncertain_docs() == [] and ann.next_uncertain() is None
    assert "No other document" in ann.tagger.status and ann.doc_id == "a-001"


# ---------------------------------------------------------------- big projects: no replay


def test_counting_and_ordering_replay_no_document(proj: tk.Project, monkeypatch: pytest.MonkeyPatch) -> None:
    ann = Annotator(proj, annotator="ann", doc="a-001")
    ann.accept(next(iter(ann.visible_suggestions())).id)
    ann.min_score = 0.5
    want_all, want_order = ann.count_above(0.5, "all"), ann.uncertain_docs()

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("replayed or read every record/document")

    monkeypatch.setattr(tk.Project, "current", boom)
    monkeypatch.setattr(tk.Project, "documents", boom)
    monkeypatch.setattr(LogIndex, "state", boom)
    assert ann.count_above(0.5, "all") == want_all and ann.uncertain_docs() == want_order
    assert ann.count_above(0.5, "document") <= want_all


def test_index_span_columns_follow_updates_and_deletes(proj: tk.Project) -> None:
    index = LogIndex(proj, MODEL)
    r = index.spans()
    assert len(r.row) == len(model_spans(proj))
    by_id = {s.id: s for s in model_spans(proj)}
    for s in index.read_spans(r.row):
        assert s == by_id[s.id]
    s = next(iter(by_id.values()))
    proj.update_span(s.id, annotator=MODEL, attrs={"score": 0.01})
    gone = next(x for x in by_id.values() if x.id != s.id)
    proj.delete("span", gone.id, annotator=MODEL)
    again = LogIndex(proj, MODEL)  # from the saved file plus the appended lines
    for idx in (index, again):
        r = idx.spans()
        assert len(r.row) == len(by_id) - 1
        got = {x.id: x for x in idx.read_spans(r.row)}
        assert gone.id not in got and got[s.id].attrs["score"] == 0.01
        assert sorted(r.score[~(r.score != r.score)].tolist()) == sorted(
            x.attrs["score"] for x in proj.current(MODEL).spans.values() if "score" in x.attrs
        )


# ---------------------------------------------------------------- keys


def test_confidence_shortcuts_do_not_collide_with_label_keys() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    helpers = Path(__file__).resolve().parent.parent / "toolkit" / "widgets" / "static" / "helpers.js"
    script = "import(process.argv[1]).then((m) => console.log(JSON.stringify(m.CONFIDENCE_KEYS)))"
    proc = subprocess.run([node, "-e", script, helpers.as_uri()], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    keys = json.loads(proc.stdout)
    assert keys and len(set(keys.values())) == len(keys)
    assert not set(keys.values()) & set(LABEL_KEYS)
    assert not set(keys.values()) & {"s", "x"}  # the tagger's own single keys


def test_recommenders_uncertainty_and_the_widget_agree_on_unscored_suggestions(proj: tk.Project) -> None:
    # Unscored suggestions (a.DATE "Monday" here) count at threshold 0 and not above it, as the widget shows them.
    from toolkit.nlp.recommend import document_uncertainty

    unscored = {s.doc for s in model_spans(proj) if not isinstance(s.attrs.get("score"), float)}
    assert unscored
    at0 = document_uncertainty(proj, MODEL)
    above = document_uncertainty(proj, MODEL, min_score=0.05)
    for doc in unscored:
        n_unscored = sum(1 for s in model_spans(proj) if s.doc == doc and not isinstance(s.attrs.get("score"), float))
        assert at0[doc].suggestions - (above[doc].suggestions if doc in above else 0) >= n_unscored
    ann = Annotator(proj, annotator="ann")
    ann.min_score = 0.05
    assert ann.uncertain_docs() == most_uncertain(proj, MODEL, labels=[lab.name for lab in proj.schema.entity_labels],
                                                  min_score=0.05)
