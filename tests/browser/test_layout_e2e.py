"""The annotation notebook on real-news-style articles, with suggestions on, at 1024 and 1440 px.

A project is built from the team's original evaluation articles (``tests/data/news_eval``:
fictional events in wire and newspaper styles), the notebook's pre-annotation cell adds the
model suggestions, and the page is screenshotted at two common widths.  The checks are about
calm layout: suggestions of one label group at a time, label buttons grouped in their rows,
stance buttons on one line per target (no ragged wrapping), and no JavaScript errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from tests.browser.labserver import Lab, notebook_copy, open_and_run_notebook, start_lab
from tests.support.browser import launch_browser, screenshot_path

pytestmark = pytest.mark.browser

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "news_eval" / "articles.jsonl"
WIDTHS = (1024, 1440)


def _articles(n: int = 6) -> list[tk.Document]:
    rows = [json.loads(line) for line in ARTICLES.read_text("utf-8").splitlines() if line.strip()]
    event = rows[0]["event"]
    return [
        tk.Document.create(r["id"], r["source"], r["text"], title=r.get("title", ""))
        for r in rows if r["event"] == event
    ][:n]


@pytest.fixture(scope="module")
def news_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab-news")
    proj = tk.Project.init(root / "project", schema=tk.LabelSchema.default(["the agreement", "the government"]),
                           name="real-news-style articles")
    proj.add_documents(_articles())
    notebook_copy(root / "01_annotate.ipynb", keep_preannotate=True)
    with start_lab(root, root / "project", annotator="analyst") as server:
        yield server


@pytest.fixture(scope="module")
def page(news_lab: Lab) -> Iterator[Any]:
    with launch_browser(viewport={"width": WIDTHS[0], "height": 1000}) as ctx:
        ctx.set_default_timeout(60_000)
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        open_and_run_notebook(pg, news_lab)
        if pg.locator(".nl-nav .nl-annotator-input").count():
            pg.fill(".nl-nav .nl-annotator-input", "analyst")
            pg.click(".nl-nav .nl-start")
        pg.wait_for_selector(".nl-tagger .nl-suggbar .nl-sugg-pick")
        pg.js_errors = errors  # type: ignore[attr-defined]
        yield pg


def _rows_are_single_lines(page: Any) -> list[str]:
    """Stance rows whose value buttons do not all sit on one line (returns their targets)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.nl-stances .nl-stance-row')).filter((row) => {
            const tops = Array.from(row.querySelectorAll('.nl-stance')).map((b) => Math.round(b.getBoundingClientRect().top));
            return new Set(tops).size > 1;
        }).map((row) => row.dataset.target)"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_notebook_on_news_articles_stays_calm(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.wait_for_timeout(400)
    tagger = page.locator(".nl-tagger")
    # suggestions: one group drawn at a time, and the toggle says how many each group has
    groups = page.eval_on_selector_all(".nl-sugg-pick", "els => els.map(e => [e.dataset.group, e.textContent])")
    assert [g for g, _ in groups] == ["entity", "claim", "off"]
    drawn = set(page.eval_on_selector_all(".nl-tagger .nl-chip-sugg", "els => els.map(e => e.textContent)"))
    assert drawn and "CLAIM" not in drawn, drawn  # entity suggestions only, by default
    counts = {g: int(t.split()[-1]) for g, t in groups if g != "off"}
    assert counts["entity"] > 0 and counts["claim"] > 0, groups
    # "accept all" says its scope
    assert "this article only" in page.locator(".nl-suggbar .nl-scope").inner_text()
    assert "this article" in page.locator(".nl-suggbar .nl-accept-all").first.get_attribute("title")
    # label buttons grouped: a Claims row and an Entities row
    rows = page.eval_on_selector_all(".nl-toolbar .nl-label-row[data-layer]", "els => els.map(e => e.dataset.layer)")
    assert rows == ["claim", "entity"]
    # stance buttons: one line per target at this width
    assert page.locator(".nl-stances .nl-stance-row").count() >= 2
    assert _rows_are_single_lines(page) == []
    # stance targets can be added, renamed and removed from the panel
    for control in (".nl-add-target-btn", ".nl-rename-target-btn", ".nl-remove-target-btn"):
        assert page.locator(f".nl-stances {control}").count() == 1
    out = screenshot_path(f"annotate-news-{width}.png")
    page.locator(".jp-OutputArea-output:has(.nl-tagger)").first.screenshot(path=str(out))
    assert out.stat().st_size > 20_000
    assert page.js_errors == []  # type: ignore[attr-defined]
    assert tagger.count() == 1


def test_switching_to_claim_suggestions(page: Any) -> None:
    page.click(".nl-sugg-pick[data-group='claim']")
    page.wait_for_selector(".nl-sugg-pick.nl-active[data-group='claim']")
    labels = page.eval_on_selector_all(".nl-suggbar .nl-sugg-group", "els => els.map(e => e.dataset.label)")
    assert labels == ["CLAIM"]
    page.click(".nl-sugg-pick[data-group='off']")
    page.wait_for_selector(".nl-sugg-pick.nl-active[data-group='off']")
    page.wait_for_function("() => !document.querySelector('.nl-suggbar .nl-sugg-group')")
    assert page.locator(".nl-tagger .nl-chip-sugg").count() == 0
    page.click(".nl-sugg-pick[data-group='entity']")
    page.wait_for_selector(".nl-sugg-pick.nl-active[data-group='entity']")
