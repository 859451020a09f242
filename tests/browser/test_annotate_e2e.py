"""End to end: JupyterLab + Chromium run notebooks/01_annotate.ipynb and we annotate with mouse and keys.

The tests share one notebook page (session fixture) and run in file order;
each one checks the files on disk, never only the page.
"""

from __future__ import annotations

from typing import Any

import pytest

import toolkit as tk
from tests.browser.labserver import drag_select

pytestmark = pytest.mark.browser


def label_key(page: Any, label: str) -> str:
    return page.locator(f'.nl-tagger .nl-label[data-label="{label}"] .nl-key').inner_text().strip()


def current_doc(page: Any) -> str:
    return page.locator(".nl-tagger .nl-docid").inner_text().strip()


def go_to(page: Any, doc_id: str) -> None:
    for _ in range(5):
        if current_doc(page) == doc_id:
            return
        order = ["doc-1-wire", "doc-2-emoji", "doc-3-xss"]
        page.click(".nl-nav .nl-next" if order.index(doc_id) > order.index(current_doc(page)) else ".nl-nav .nl-prev")
        page.wait_for_timeout(200)
    assert current_doc(page) == doc_id


def notebook_shape(page: Any) -> tuple[int, int]:
    return page.evaluate(
        "() => [document.querySelectorAll('.jp-Notebook .jp-Cell').length,"
        " document.querySelectorAll('.jp-Notebook .jp-MarkdownCell').length]"
    )


def test_name_is_asked_once_then_mouse_selection_and_label_key_write_the_span(lab, notebook_page) -> None:
    page = notebook_page
    page.fill(".nl-nav .nl-annotator-input", lab.annotator)
    page.click(".nl-nav .nl-start")
    page.wait_for_selector(".nl-nav .nl-annotator")
    assert (lab.project / "ui" / "annotator.json").read_text().count(lab.annotator) == 1
    go_to(page, "doc-1-wire")
    text = lab.doc("doc-1-wire").text
    shape = notebook_shape(page)
    drag_select(page, "Dario Venn")
    key = label_key(page, "PERSON")
    page.keyboard.press(key)
    start = text.index("Dario Venn")
    rec = lab.wait_record(lambda r: r["type"] == "span" and r.get("label") == "PERSON")
    assert (rec["op"], rec["doc"], rec["start"], rec["end"], rec["text"]) == (
        "put", "doc-1-wire", start, start + len("Dario Venn"), "Dario Venn",
    )  # fmt: skip
    # the span is drawn after Python stored it, and JupyterLab ignored the key
    # (in command mode a digit key would have turned a cell into a markdown heading)
    page.wait_for_selector(f'.nl-tagger .nl-chip[data-id="{rec["id"]}"]')
    assert notebook_shape(page) == shape
    assert page.js_errors == []


def test_emoji_document_offsets_are_code_points(lab, notebook_page) -> None:
    page = notebook_page
    go_to(page, "doc-2-emoji")
    text = lab.doc("doc-2-emoji").text
    for sub in ("Ilse Marković", "headline writers"):
        drag_select(page, sub)
        page.keyboard.press(label_key(page, "PERSON" if sub.startswith("Ilse") else "ORG"))
        start = text.index(sub)  # Python (code point) offset, after 😀🎉 / 𝔗𝔥𝔢
        rec = lab.wait_record(lambda r, s=sub: r["type"] == "span" and r.get("text") == s)
        assert (rec["start"], rec["end"]) == (start, start + len(sub))
        assert text[rec["start"] : rec["end"]] == sub


def test_stance_click_is_saved(lab, notebook_page) -> None:
    page = notebook_page
    go_to(page, "doc-1-wire")
    page.click('.nl-stances .nl-stance-row[data-target="Velmora"][data-claim=""] button[data-value="favour"]')
    rec = lab.wait_record(lambda r: r["type"] == "stance")
    assert (rec["doc"], rec["claim"], rec["target"], rec["value"]) == ("doc-1-wire", None, "Velmora", "favour")
    page.wait_for_selector('.nl-stance-row[data-target="Velmora"][data-claim=""] .nl-active[data-value="favour"]')


def test_undo_removes_the_span_from_the_current_state(lab, notebook_page) -> None:
    page = notebook_page
    go_to(page, "doc-1-wire")
    drag_select(page, "Lower Selva valley")
    page.keyboard.press(label_key(page, "LOC"))
    rec = lab.wait_record(lambda r: r["type"] == "span" and r.get("text") == "Lower Selva valley")
    assert rec["id"] in tk.Project.open(lab.project).current(lab.annotator).spans
    page.wait_for_selector(f'.nl-chip[data-id="{rec["id"]}"]')
    page.keyboard.press("Control+z")
    lab.wait_record(lambda r: r["op"] == "delete" and r["id"] == rec["id"])
    assert rec["id"] not in tk.Project.open(lab.project).current(lab.annotator).spans
    page.wait_for_selector(f'.nl-chip[data-id="{rec["id"]}"]', state="detached")
    # redo puts it back (a new put with the same id), undo again removes it
    page.keyboard.press("Control+Shift+z")
    lab.wait_record(lambda r: r["op"] == "put" and r["id"] == rec["id"] and r["rid"] != rec["rid"])
    assert rec["id"] in tk.Project.open(lab.project).current(lab.annotator).spans
    page.keyboard.press("Control+z")
    page.wait_for_selector(f'.nl-chip[data-id="{rec["id"]}"]', state="detached")
    assert rec["id"] not in tk.Project.open(lab.project).current(lab.annotator).spans


def test_html_and_script_in_articles_are_shown_as_text_and_never_run(lab, notebook_page) -> None:
    page = notebook_page
    title_before = page.title()
    go_to(page, "doc-3-xss")
    page.wait_for_timeout(500)  # give an injected onerror handler time to fire, if there were one
    shown = page.locator(".nl-tagger .nl-text").inner_text()
    assert '<img src=x onerror="window.__pwned=1;' in shown
    assert "<script>window.__pwned=2;document.title='PWNED'</script>" in shown
    assert page.locator(".nl-tagger .nl-title").inner_text() == "<b>Markup</b> in a title"
    assert page.evaluate("() => window.__pwned") is None
    assert page.title() == title_before and "PWNED" not in page.title()
    assert page.locator(".nl-tagger .nl-text img, .nl-tagger .nl-text script, .nl-tagger .nl-title b").count() == 0
    # the side-by-side view renders text the same way
    page.select_option(".nl-side .nl-col-right .nl-doc-pick", "doc-3-xss")
    page.wait_for_function(
        "() => document.querySelector('.nl-side .nl-col-right .nl-text').textContent.includes('<script>')"
    )
    assert page.locator(".nl-side img, .nl-side script").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_claim_link_and_screenshots(lab, notebook_page) -> None:
    page = notebook_page
    go_to(page, "doc-2-emoji")
    drag_select(page, "Minister Ilse Marković welcomed the call from Castavel")
    page.keyboard.press(label_key(page, "CLAIM"))
    other = lab.wait_record(lambda r: r["type"] == "span" and r.get("label") == "CLAIM")
    go_to(page, "doc-1-wire")
    drag_select(page, "Minister Ilse Marković called the call a useful first step")
    page.keyboard.press(label_key(page, "CLAIM"))
    claim = lab.wait_record(
        lambda r: r["type"] == "span" and r.get("label") == "CLAIM" and r.get("doc") == "doc-1-wire"
    )
    # the new claim is selected: its stance rows and ranked link candidates appear
    page.wait_for_selector(f'.nl-links .nl-cand[data-id="{other["id"]}"]')
    page.click(f'.nl-links .nl-cand[data-id="{other["id"]}"] .nl-link')
    link = lab.wait_record(lambda r: r["type"] == "link")
    assert {link["a"], link["b"]} == {claim["id"], other["id"]}
    page.click(
        f'.nl-stances .nl-stance-row[data-claim="{claim["id"]}"][data-target="Ostrand"] button[data-value="neutral"]'
    )
    st = lab.wait_record(lambda r: r["type"] == "stance" and r.get("claim") == claim["id"])
    assert (st["target"], st["value"]) == ("Ostrand", "neutral")
    # screenshot of the annotator (light theme), then the side-by-side view and the dark theme
    annot = page.locator(".jp-OutputArea-output:has(.nl-tagger)")
    page.evaluate("() => document.querySelector('.nl-tagger .nl-text').scrollTop = 0")
    assert lab.screenshot(annot, "annotate.png").stat().st_size > 10_000
    page.select_option(".nl-side .nl-col-right .nl-doc-pick", "doc-2-emoji")
    page.wait_for_selector(".nl-side .nl-col-right .nl-linked")
    assert lab.screenshot(page.locator(".jp-OutputArea-output:has(.nl-side)"), "side_by_side.png").exists()
    light_bg = page.evaluate("() => getComputedStyle(document.querySelector('.nl-tagger .nl-text')).backgroundColor")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function(
        "(bg) => getComputedStyle(document.querySelector('.nl-tagger .nl-text')).backgroundColor !== bg",
        arg=light_bg,
        timeout=30_000,
    )
    page.wait_for_timeout(500)
    assert lab.screenshot(annot, "annotate-dark.png").exists()
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    assert page.js_errors == []


def test_pick_speaker_key_then_entity_click_sets_speaker_span_on_disk(lab, notebook_page) -> None:
    page = notebook_page
    go_to(page, "doc-1-wire")
    # the PERSON span "Dario Venn" was tagged by the first test
    person = lab.wait_record(lambda r: r["type"] == "span" and r.get("label") == "PERSON" and r["doc"] == "doc-1-wire")
    drag_select(page, "President Dario Venn said on Tuesday")
    page.keyboard.press(label_key(page, "CLAIM"))
    claim = lab.wait_record(
        lambda r: r["type"] == "span" and r.get("label") == "CLAIM" and r.get("text", "").startswith("President")
    )
    page.wait_for_selector(".nl-tagger .nl-detail .nl-pick-speaker")
    # s enters picking mode (banner + class on the root); Escape leaves it without writing anything
    page.keyboard.press("s")
    page.wait_for_selector(".nl-tagger.nl-picking .nl-pickbar .nl-pick-cancel")
    page.keyboard.press("Escape")
    page.wait_for_selector(".nl-tagger.nl-picking", state="detached")
    n = len(lab.records())
    page.keyboard.press("s")
    page.wait_for_selector(".nl-tagger.nl-picking")
    page.click(f'.nl-tagger .nl-text .nl-chip[data-id="{person["id"]}"]')
    rec = lab.wait_record(
        lambda r: r["op"] == "put" and r["id"] == claim["id"] and (r.get("attrs") or {}).get("speaker_span")
    )
    assert rec["attrs"]["speaker_span"] == person["id"] and rec["attrs"]["speaker"] == "Dario Venn"
    assert len(lab.records()) == n + 1  # Escape wrote nothing; the pick wrote one put
    page.wait_for_selector(".nl-tagger.nl-picking", state="detached")
    shown = page.locator(".nl-tagger .nl-detail .nl-speaker-link").inner_text()
    assert "Dario Venn ↔ PERSON span" in shown
    # undo (Ctrl+Z) puts the claim back without the link
    page.keyboard.press("Control+z")
    lab.wait_record(
        lambda r: r["op"] == "put" and r["id"] == claim["id"] and r["rid"] not in (rec["rid"], claim["rid"])
    )
    assert "speaker_span" not in tk.Project.open(lab.project).current(lab.annotator).spans[claim["id"]].attrs
    page.wait_for_selector(".nl-tagger .nl-detail .nl-speaker-link", state="detached")
    assert page.js_errors == []
