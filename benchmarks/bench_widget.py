"""Browser benchmark of the span tagger in a real JupyterLab + Chromium.

Measures, in one run:

* render time of a 10,000-word document with 1,000 spans (entities nested in
  claims), taken in the page with ``performance.now()`` around building the
  DOM plus the layout it forces (target: < 1 s); baseline: the same text
  with no spans, rendered in the same page;
* time from a label key press (the tagger root's ``data-sent-at``, set when the key's message is sent) to the
  record being on disk (polled by this script every millisecond), median of
  20 presses (target: < 200 ms); baseline: the same store write
  (``Project.add_span``) called directly from Python in this process.

Run: ``.venv/bin/python benchmarks/bench_widget.py`` (about a minute).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import toolkit as tk  # noqa: E402
from tests.browser.labserver import drag_select, notebook_copy, open_and_run_notebook, start_lab  # noqa: E402
from tests.support.browser import launch_browser  # noqa: E402
from toolkit.widgets.uistate import UIState  # noqa: E402

N_WORDS = 10_000
N_SPANS = 1_000
N_PRESSES = 20
ANNOTATOR = "bench"
VOCAB = (
    "river dam council valley water talks minister treaty border farmers harvest flow gauge summit "
    "report delegation drought reservoir accord envoy spokesperson season committee"
).split()
NAMES = ["Velmora", "Ostrand", "Castavel", "Corran", "Selva", "Tarn", "Marković", "Venn"]


def make_text(rng: random.Random) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """10,000 invented words in sentences; returns text, word offsets and sentence offsets."""
    words: list[str] = []
    for i in range(N_WORDS):
        if i % 500 == 7 and len(words) < 20 * 500:
            words.append(f"Marker{i // 500:02d}")  # unique words the benchmark selects with the mouse
        elif i % 10 == 3:
            words.append(rng.choice(NAMES))
        else:
            words.append(rng.choice(VOCAB))
    parts, word_offsets, sentences = [], [], []
    pos, sent_start = 0, 0
    for i, w in enumerate(words):
        if i % 12 == 0:
            w = w.capitalize()
            sent_start = pos
        word_offsets.append((pos, pos + len(w)))
        parts.append(w)
        pos += len(w)
        if i % 12 == 11:
            parts.append(". ")
            sentences.append((sent_start, pos))
            pos += 2
        else:
            parts.append(" ")
            pos += 1
    return "".join(parts), word_offsets, sentences


def last_render(page: object) -> float:
    """The tagger's last text render in ms, as the widget records it on its root (``data-render-ms``)."""
    return float(page.locator(".nl-tagger").get_attribute("data-render-ms"))  # type: ignore[attr-defined]


def main() -> int:
    rng = random.Random(7)
    text, words, sentences = make_text(rng)
    assert len(text.split()) == N_WORDS
    tmp = Path(tempfile.mkdtemp(prefix="bench-widget-"))
    project = tmp / "project"
    proj = tk.Project.init(project, schema=tk.LabelSchema.default(["Velmora", "Ostrand"]))
    proj.add_documents(
        [
            tk.Document.create("bench-1-spans", "Bench Wire", text, title="10,000 words, 1,000 spans"),
            tk.Document.create("bench-2-plain", "Bench Daily", text, title="10,000 words, no spans"),
        ]
    )
    entity_labels = [lab.name for lab in proj.schema.entity_labels]
    n_claims = 100
    items = [{"doc": "bench-1-spans", "start": s, "end": e, "label": "CLAIM"} for s, e in sentences[::8][:n_claims]]
    name_words = [w for w in words if text[w[0] : w[1]] in NAMES]
    for k, (s, e) in enumerate(name_words[: N_SPANS - len(items)]):
        items.append({"doc": "bench-1-spans", "start": s, "end": e, "label": entity_labels[k % len(entity_labels)]})
    assert len(items) == N_SPANS
    proj.add_spans(items, annotator=ANNOTATOR)
    UIState(project).remember_annotator(ANNOTATOR)

    # baseline for the write: the same add_span call made directly in Python
    direct = []
    for s, e in words[1:40:2]:
        t0 = time.perf_counter()
        proj.add_span("bench-2-plain", s, e, "ORG", annotator="direct")
        direct.append((time.perf_counter() - t0) * 1000)

    root = tmp / "lab"
    root.mkdir()
    notebook_copy(root / "01_annotate.ipynb", keep_preannotate=False)
    with (
        start_lab(root, project, annotator=ANNOTATOR) as lab,
        launch_browser(viewport={"width": 1400, "height": 1000}) as ctx,
    ):
        ctx.set_default_timeout(120_000)
        page = ctx.new_page()
        open_and_run_notebook(page, lab)
        # the annotator opens the first unannotated document: the plain one (baseline render)
        page.wait_for_function("() => document.querySelector('.nl-tagger .nl-docid').textContent === 'bench-2-plain'")
        plain = []
        spans = []
        for _ in range(5):
            page.click(".nl-nav .nl-prev")
            page.wait_for_function(
                f"() => document.querySelector('.nl-tagger').dataset.nSpans === '{N_SPANS}'"
                " && document.querySelector('.nl-tagger .nl-docid').textContent === 'bench-1-spans'"
            )
            spans.append(last_render(page))
            page.click(".nl-nav .nl-next")
            page.wait_for_function(
                "() => document.querySelector('.nl-tagger .nl-docid').textContent === 'bench-2-plain'"
                " && document.querySelector('.nl-tagger').dataset.nSpans === '0'"
            )
            plain.append(last_render(page))
        # key press -> record on disk
        page.click(".nl-nav .nl-prev")
        page.wait_for_function(f"() => document.querySelector('.nl-tagger').dataset.nSpans === '{N_SPANS}'")
        path = lab.records_path(ANNOTATOR)
        key = page.locator('.nl-tagger .nl-label[data-label="PERSON"] .nl-key').inner_text().strip()
        latencies = []
        after = []
        for i in range(N_PRESSES):
            drag_select(page, f"Marker{i:02d}")
            size = path.stat().st_size
            page.keyboard.press(key)
            while path.stat().st_size == size or not path.read_bytes().endswith(b"\n"):
                time.sleep(0.001)
            seen = time.time() * 1000
            pressed = float(page.locator(".nl-tagger").get_attribute("data-sent-at"))  # when the message left
            latencies.append(seen - pressed)
            page.wait_for_function(f"() => document.querySelector('.nl-tagger').dataset.nSpans === '{N_SPANS + i + 1}'")
            after.append(last_render(page))
        new = [r for r in lab.records() if r.get("text", "").startswith("Marker")]
        assert len(new) == N_PRESSES, f"expected {N_PRESSES} new spans on disk, found {len(new)}"

    med = statistics.median
    print(f"document: {len(text.split()):,} words, {len(text):,} characters, {N_SPANS:,} spans ({n_claims} claims)")
    print(
        f"render with {N_SPANS} spans: median {med(spans):.1f} ms (n={len(spans)}, max {max(spans):.1f} ms; "
        f"target < 1000 ms)"
    )
    print(f"render of the same text without spans (baseline): median {med(plain):.1f} ms (n={len(plain)})")
    print(f"ratio spans/plain: {med(spans) / med(plain):.1f}x")
    print(f"re-render after each tag ({N_SPANS + 1}-{N_SPANS + N_PRESSES} spans): median {med(after):.1f} ms")
    lat = sorted(latencies)
    print(
        f"label key press -> record on disk: median {med(lat):.1f} ms, p90 {lat[int(0.9 * len(lat)) - 1]:.1f} ms, "
        f"max {lat[-1]:.1f} ms over {N_PRESSES} presses (target median < 200 ms)"
    )
    print(f"direct Project.add_span (baseline, no browser): median {med(direct):.1f} ms")
    print(f"ratio browser/direct: {med(lat) / med(direct):.1f}x")
    ok = med(spans) < 1000 and med(lat) < 200
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
