"""End to end (issue 13): act on suggestion confidence in JupyterLab + Chromium, checking the files on disk.

A project of invented articles gets a model layer with scores (written through ``Project``; no
spaCy).  In the browser we set a minimum score, reject one suggestion for good, read what every
document shows, ask "accept all ≥ score" in all documents, confirm the inline question, and check
through ``Project`` that exactly the shown spans were written; one undo (Ctrl+Z) removes them all.
The tests share one page and run in file order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from tests.browser.labserver import Lab, notebook_copy, open_and_run_notebook, start_lab
from toolkit.widgets import UIState

pytestmark = pytest.mark.browser

ANNOTATOR = "tester"
MODEL = "model:demo@1"
THRESHOLD = 0.6

# Invented articles about invented places (no real news).
TEXTS = {
    "c-1": "Mayor Tova Lind of Brekka opened the Selvik bridge on Monday. Lind thanked the Brekka Council.",
    "c-2": "The Selvik Ferry Company said fares would rise in June. Tova Lind called the rise unfair.",
    "c-3": "Farmers near Osterhal met the Harbour Board on Friday to discuss the Selvik tolls.",
}
# (doc, text, label, score or None)
SUGGESTIONS = [
    ("c-1", "Tova Lind", "PERSON", 0.93),
    ("c-1", "Brekka", "GPE", 0.41),
    ("c-1", "Selvik", "GPE", 0.74),
    ("c-1", "Monday", "DATE", None),
    ("c-1", "Brekka Council", "ORG", 0.62),
    ("c-2", "Selvik Ferry Company", "ORG", 0.87),
    ("c-2", "June", "DATE", 0.31),
    ("c-2", "Tova Lind", "PERSON", 0.66),
    ("c-3", "Osterhal", "GPE", 0.58),
    ("c-3", "Harbour Board", "ORG", 0.77),
    ("c-3", "Friday", "DATE", 0.12),
]


def _make_project(path: Path) -> tk.Project:
    proj = tk.Project.init(path, schema=tk.LabelSchema.default(["the bridge"]), name="confidence test")
    proj.add_documents([tk.Document.create(d, "Brekka Post", t, title=f"Story {d}") for d, t in TEXTS.items()])
    items = []
    for doc, sub, label, score in SUGGESTIONS:
        i = TEXTS[doc].index(sub)
        attrs = {"recommender": "trained"} if score is None else {"recommender": "trained", "score": score}
        items.append({"doc": doc, "start": i, "end": i + len(sub), "label": label, "attrs": attrs})
    proj.add_spans(items, annotator=MODEL)
    UIState(proj.path).remember_annotator(ANNOTATOR)  # no name prompt
    return proj


@pytest.fixture(scope="module")
def conf_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab-confidence")
    _make_project(root / "project")
    notebook_copy(root / "01_annotate.ipynb", keep_preannotate=False)
    with start_lab(root, root / "project", annotator=ANNOTATOR) as server:
        yield server


@pytest.fixture(scope="module")
def page(conf_lab: Lab, browser_context: Any) -> Iterator[Any]:
    pg = browser_context.new_page()
    pg.js_errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))
    open_and_run_notebook(pg, conf_lab)
    pg.wait_for_selector(".nl-tagger .nl-suggbar .nl-score-input")
    yield pg
    pg.close()


def project(lab: Lab) -> tk.Project:
    return tk.Project.open(lab.project)


def model_spans(lab: Lab) -> dict[str, tk.Span]:
    return project(lab).current(MODEL).spans


def current_doc(page: Any) -> str:
    return page.locator(".nl-tagger .nl-docid").inner_text().strip()


def go_to(page: Any, doc_id: str) -> None:
    """Step with Prev / Next (documents are listed by id) until ``doc_id`` is open."""
    order = sorted(TEXTS)
    for _ in range(len(order)):
        here = current_doc(page)
        if here == doc_id:
            return
        page.click(".nl-nav .nl-next" if order.index(doc_id) > order.index(here) else ".nl-nav .nl-prev")
        page.wait_for_function(
            "(d) => document.querySelector('.nl-tagger .nl-docid').textContent.trim() !== d", arg=here
        )
    assert current_doc(page) == doc_id


def drawn_suggestions(page: Any) -> set[str]:
    return set(page.eval_on_selector_all(".nl-tagger .nl-text .nl-chip-sugg", "els => els.map(e => e.dataset.id)"))


def wait_for(cond: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_drawn(page: Any, want: set[str]) -> None:
    page.wait_for_function(
        "(ids) => { const got = Array.from(document.querySelectorAll('.nl-tagger .nl-text .nl-chip-sugg'))"
        ".map((e) => e.dataset.id).sort(); return JSON.stringify(got) === JSON.stringify(ids); }",
        arg=sorted(want),
    )


def kept(lab: Lab, doc: str, threshold: float, rejected: set[str] = frozenset()) -> set[str]:
    """Ids of the model's entity suggestions on ``doc`` the filter keeps (unscored only at 0), from disk."""
    schema = project(lab).schema
    out = set()
    for s in model_spans(lab).values():
        sc = s.attrs.get("score")
        ok = (sc is None and threshold == 0) or (sc is not None and sc >= threshold)
        if s.doc == doc and ok and schema.layer_of(s.label) == "entity" and s.id not in rejected:
            out.add(s.id)
    return out


def test_min_score_filters_what_is_drawn_and_a_rejection_is_for_good(conf_lab: Lab, page: Any) -> None:
    go_to(page, "c-1")
    wait_drawn(page, kept(conf_lab, "c-1", 0.0))  # everything at 0, the unscored DATE too
    page.fill(".nl-tagger .nl-score-input", str(THRESHOLD))
    page.press(".nl-tagger .nl-score-input", "Enter")
    wait_drawn(page, kept(conf_lab, "c-1", THRESHOLD))
    assert UIState(conf_lab.project).setting("min_score") == THRESHOLD
    hidden = len(kept(conf_lab, "c-1", 0.0)) - len(kept(conf_lab, "c-1", THRESHOLD))
    assert page.locator(".nl-tagger .nl-sugg-hidden").inner_text() == f"{hidden} below hidden"
    # reject the surest one with the keyboard: it goes, and stays gone on disk
    spans = model_spans(conf_lab)
    best = max(kept(conf_lab, "c-1", THRESHOLD), key=lambda i: spans[i].attrs["score"])
    page.click(f'.nl-tagger .nl-text .nl-chip[data-id="{best}"]')
    page.wait_for_selector(".nl-tagger .nl-detail .nl-reject")
    assert page.locator(".nl-tagger .nl-detail .nl-sugg-score").inner_text() == f"{spans[best].attrs['score']:.2f}"
    page.keyboard.press("x")
    wait_drawn(page, kept(conf_lab, "c-1", THRESHOLD) - {best})
    assert UIState(conf_lab.project).rejected(ANNOTATOR) == {best}
    assert page.js_errors == []


def test_accept_above_in_all_documents_writes_exactly_the_shown_spans_and_one_undo_removes_them(
    conf_lab: Lab, page: Any
) -> None:
    rejected = UIState(conf_lab.project).rejected(ANNOTATOR)
    assert rejected  # from the test before
    # what the widget shows on every document at this threshold (read from the page)
    shown: set[str] = set()
    for doc in sorted(TEXTS):
        go_to(page, doc)
        wait_drawn(page, kept(conf_lab, doc, THRESHOLD, rejected))
        shown |= drawn_suggestions(page)
    assert shown == set().union(*(kept(conf_lab, d, THRESHOLD, rejected) for d in TEXTS))
    docs_shown = {model_spans(conf_lab)[i].doc for i in shown}
    go_to(page, "c-1")
    # a keyboard question for this document can be cancelled: nothing is written
    page.focus(".nl-root.nl-tagger")
    page.keyboard.press("a")
    page.wait_for_selector(".nl-tagger .nl-confirm .nl-confirm-yes")
    assert "in this document" in page.locator(".nl-tagger .nl-confirm-q").inner_text()
    page.keyboard.press("Escape")
    page.wait_for_selector(".nl-tagger .nl-confirm .nl-confirm-yes", state="detached")
    assert conf_lab.records() == []
    # the button, scope "all documents": the count comes first, in an inline question
    page.select_option(".nl-tagger .nl-bulk-scope", "all")
    page.click(".nl-tagger .nl-accept-above")
    page.wait_for_selector(".nl-tagger .nl-confirm .nl-confirm-yes")
    question = page.locator(".nl-tagger .nl-confirm-q").inner_text()
    assert question.startswith(f"Accept {len(shown)} entity suggestions with score ≥ {THRESHOLD:.2f} "
                               f"in {len(docs_shown)} documents")  # fmt: skip
    assert conf_lab.records() == []  # asking wrote nothing
    shot = conf_lab.screenshot(page.locator(".jp-OutputArea-output:has(.nl-tagger)"), "annotate-confidence.png")
    assert shot.stat().st_size > 10_000
    page.click(".nl-tagger .nl-confirm .nl-confirm-yes")
    wait_for(lambda: len(project(conf_lab).current(ANNOTATOR).spans) == len(shown), "the accepted spans on disk")
    mine = project(conf_lab).current(ANNOTATOR).spans.values()
    models = model_spans(conf_lab)
    assert {s.meta["accepted_from"] for s in mine} == shown  # exactly the shown suggestions
    assert {(s.doc, s.start, s.end, s.label) for s in mine} == {
        (models[i].doc, models[i].start, models[i].end, models[i].label) for i in shown
    }
    assert not rejected & {s.meta["accepted_from"] for s in mine}
    assert len(conf_lab.records()) == len(shown)  # one put per span, in one write
    page.wait_for_selector(".nl-tagger .nl-confirm .nl-confirm-yes", state="detached")
    wait_drawn(page, set())  # nothing left to show here at this threshold
    # one undo removes them all, across documents
    page.focus(".nl-root.nl-tagger")
    page.keyboard.press("Control+z")
    wait_for(lambda: not project(conf_lab).current(ANNOTATOR).spans, "the undo on disk")
    deletes = [r for r in conf_lab.records() if r["op"] == "delete"]
    assert len(deletes) == len(shown) and len(conf_lab.records()) == 2 * len(shown)
    wait_drawn(page, kept(conf_lab, current_doc(page), THRESHOLD, rejected))
    assert page.js_errors == []


def test_next_most_uncertain_key_opens_the_least_sure_document(conf_lab: Lab, page: Any) -> None:
    rejected = UIState(conf_lab.project).rejected(ANNOTATOR)
    spans = model_spans(conf_lab)
    # expected order, from disk: sum of (1 - score) over the shown suggestions, then the lowest score, then the id
    wrong = {d: sum(1 - spans[i].attrs["score"] for i in kept(conf_lab, d, THRESHOLD, rejected)) for d in TEXTS}
    lowest = {
        d: min((spans[i].attrs["score"] for i in kept(conf_lab, d, THRESHOLD, rejected)), default=1) for d in TEXTS
    }
    order = sorted((d for d in TEXTS if kept(conf_lab, d, THRESHOLD, rejected)),
                   key=lambda d: (-round(wrong[d], 4), lowest[d], d))  # fmt: skip
    start = current_doc(page)
    want = next(d for d in order if d != start)
    page.focus(".nl-root.nl-tagger")
    page.keyboard.press("n")
    page.wait_for_function("(d) => document.querySelector('.nl-tagger .nl-docid').textContent.trim() === d", arg=want)
    # the help lists the keys
    page.keyboard.press("?")
    help_text = page.locator(".nl-tagger .nl-help").inner_text()
    assert "next most uncertain document" in help_text and "Shift+A" in help_text
    page.keyboard.press("?")
    page.wait_for_selector(".nl-tagger .nl-help-table", state="detached")
    assert page.js_errors == []
