"""The span review front end in headless Chromium, with a stand-in for the anywidget model.

No JupyterLab here: the ES module is loaded into a blank page and given a small
model object (``get``/``on``/``send``); messages it sends are handed to the real
Python widget, whose new state is pushed back, as the Jupyter comm would do.
"""

from __future__ import annotations

from typing import Any

import pytest

import toolkit as tk
from tests.support.browser import launch_browser
from toolkit.widgets.review import SpanReviewWidget

HOSTILE = 'Breaking: <img src=x onerror="window.__pwned=1"> Mayor <b>Ana Lind</b> resigned today.'

FAKE_MODEL = """
async ({ src, state }) => {
  window.__sent = [];
  const handlers = {};
  window.__model = {
    get: (k) => window.__state[k],
    on: (ev, fn) => { (handlers[ev] = handlers[ev] || []).push(fn); },
    send: (msg) => window.__sent.push(msg),
  };
  window.__push = (s) => { window.__state = s; for (const fns of Object.values(handlers)) fns.forEach((f) => f()); };
  window.__state = state;
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const mod = await import(url);
  const host = document.createElement("div");
  document.body.appendChild(host);
  mod.default.render({ model: window.__model, el: host });
}
"""


def _state(widget: Any) -> dict[str, Any]:
    return {k: getattr(widget, k) for k in ("view", "unit", "position", "count", "n_decided", "status", "message")}


@pytest.mark.browser
def test_front_end_shows_text_and_sends_keys(tmp_path: Any) -> None:
    p = tk.Project.init(tmp_path / "proj")
    p.add_documents([tk.Document.create("hostile-1", "Test Wire", HOSTILE)])
    i = HOSTILE.index("Ana Lind")
    p.add_span("hostile-1", i, i + 8, "PERSON", annotator="ana")
    p.add_span("hostile-1", i + 4, i + 8, "PERSON", annotator="ben")
    widget = SpanReviewWidget(p)
    assert widget.count == 1
    with launch_browser() as ctx:
        page = ctx.new_page()
        page.set_content("<html><body></body></html>")
        page.evaluate(FAKE_MODEL, {"src": widget._esm, "state": _state(widget)})
        text = page.inner_text(".rv-root")
        # the article's markup is shown as characters, never parsed
        assert "<b>Ana Lind</b>" in text and page.evaluate("window.__pwned === undefined")
        assert page.locator(".rv-ctx img, .rv-ctx b").count() == 0
        marks = page.locator(".rv-card .rv-mark").all_inner_texts()  # mark text + its label superscript
        assert [m.replace("\n", "") for m in marks] == ["Ana LindPERSON", "LindPERSON"]
        assert "0 of 1 decided" in text and "Take ana's version (1)" in text
        assert page.locator(".rv-card").count() == 3  # ana, ben, gold
        page.locator(".rv-root").focus()
        page.keyboard.press("2")
        sent = page.evaluate("window.__sent")
        assert sent == [{"action": "key", "key": "2"}]
        widget.handle(sent[0])
        page.evaluate("(s) => window.__push(s)", _state(widget))
        assert "1 of 1 decided" in page.inner_text(".rv-root")
        page.get_by_text("◀ Previous (p)").click()
        assert page.evaluate("window.__sent")[-1] == {"action": "prev"}
    gold = p.current("gold").spans
    assert [(s.start, s.end, s.label) for s in gold.values()] == [(i + 4, i + 8, "PERSON")]


@pytest.mark.browser
def test_stance_front_end_keys_stay_in_the_widget(tmp_path: Any) -> None:
    """Stance review: number keys on the buttons, keys sent to Python, none reach the page (JupyterLab)."""
    from toolkit.widgets.review import ReviewWidget

    p = tk.Project.init(tmp_path / "proj", schema=tk.LabelSchema.default(["Ana Lind"]))
    p.add_documents([tk.Document.create("hostile-1", "Test Wire", HOSTILE)])
    p.set_stance("hostile-1", "Ana Lind", "favour", annotator="ana")
    p.set_stance("hostile-1", "Ana Lind", "against", annotator="ben")
    widget = ReviewWidget(p)
    assert widget.count == 1
    with launch_browser() as ctx:
        page = ctx.new_page()
        page.set_content("<html><body></body></html>")
        # stand-in for JupyterLab's command-mode shortcuts, listening on the document
        page.evaluate("window.__leaked = []; document.addEventListener('keydown', (e) => window.__leaked.push(e.key))")
        page.evaluate(FAKE_MODEL, {"src": widget._esm, "state": _state(widget)})
        text = page.inner_text(".rv-root")
        assert "<b>Ana Lind</b>" in text and page.evaluate("window.__pwned === undefined")
        assert page.locator(".rv-excerpt img, .rv-excerpt b").count() == 0
        assert page.locator(".rv-root").get_attribute("tabindex") == "0"
        labels = page.locator(".rv-bar .rv-btn").all_inner_texts()
        assert labels[:4] == ["favour (1)", "against (2)", "neutral (3)", "none (4)"]
        assert "0 of 1 decided" in text and "favour" in page.inner_text(".rv-answers")
        page.locator(".rv-root").focus()
        for key in ("n", "a", "2"):  # "a" is a JupyterLab shortcut (insert cell above): swallowed, not sent
            page.keyboard.press(key)
        sent = page.evaluate("window.__sent")
        assert sent == [{"action": "key", "key": "n"}, {"action": "key", "key": "2"}]
        assert page.evaluate("window.__leaked") == []
        widget.handle(sent[1])
        page.evaluate("(s) => window.__push(s)", _state(widget))
        assert "1 of 1 decided" in page.inner_text(".rv-root")
        page.get_by_text("◀ Previous (p)").click()
        widget.handle(page.evaluate("window.__sent")[-1])
        page.evaluate("(s) => window.__push(s)", _state(widget))
        page.get_by_text("neutral (3)").click()
        assert page.evaluate("window.__sent")[-1] == {"action": "choose", "value": "neutral"}
    assert {s.value for s in p.current("gold").stances.values()} == {"against"}
