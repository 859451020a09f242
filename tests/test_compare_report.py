"""The HTML report: self-contained, and it renders in headless Chromium (screenshot for the README)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.browser import launch_browser, screenshot_path
from toolkit.compare.report import Comparison, render_report, write_report
from toolkit.demo import build_demo

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "proj"
    build_demo(path)
    return write_report(Comparison.from_project(path), path.parent / "report.html")


def test_report_is_self_contained(report_file):
    html = report_file.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # nothing is fetched from anywhere: no external URLs in src/href, no <link>/<script src>
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "<script" not in html
    assert "http://" not in html and "https://" not in html
    imgs = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(imgs) == 4  # profiles, entity heatmap, claim heatmap, stance bars
    for section in ("Source profiles", "Who and what is mentioned", "Claims", "Shared quotations", "Stances"):
        assert section in html
    # the demo's shared quotation diff ("run" -> "managed") is shown with del/ins
    assert "<del>run</del> <ins>managed</ins>" in html
    assert "Ilse Marković" in html and "&lt;" not in html.split("<main>")[0]


def test_report_escapes_document_text(tmp_path):
    import pandas as pd

    docs = pd.DataFrame([{"doc_id": "x", "source": "<script>alert(1)</script>", "title": "<b>t</b>", "url": "",
                          "published": "", "sha256": "", "n_chars": 5, "text": "Hello"}])
    empty = pd.DataFrame(columns=["id", "doc_id", "source", "start", "end", "label", "layer", "text", "kind",
                                  "speaker", "speaker_span", "attrs", "annotator", "is_model", "ts"])
    st = pd.DataFrame(columns=["id", "doc_id", "source", "claim_id", "target", "value", "annotator", "is_model", "ts"])
    links = pd.DataFrame(columns=["id", "a", "b", "doc_a", "doc_b", "annotator", "is_model", "ts"])
    html = render_report(Comparison(docs, empty, st, links, name="t"))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # an empty section says why and what to run, once, and never contradicts itself (issue 15)
    assert "No entity annotations in this project yet" in html and "No stance annotations in this project yet" in html
    assert "toolkit preannotate" in html
    assert "Every entity is mentioned by at least two sources." not in html


def test_report_renders_in_chromium_and_screenshot(report_file):
    with launch_browser(viewport={"width": 1200, "height": 900}) as ctx:
        page = ctx.new_page()
        page.goto(report_file.as_uri())
        assert page.title().startswith("How the sources covered it")
        assert page.locator("h2").count() >= 6
        assert page.locator("table").count() >= 8
        # every plot image decoded and has a real size
        sizes = page.eval_on_selector_all(
            "figure img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
        assert len(sizes) == 4 and all(ok and w > 200 and h > 100 for ok, w, h in sizes)
        quotes_table = page.locator("#quotes ~ table").first
        assert "Dario Venn" in quotes_table.inner_text()
        out = screenshot_path("report.png")
        # README screenshot: from the "Source profiles" heading down (a table and two plots)
        top = page.locator("#profiles").bounding_box()["y"] - 10
        page.screenshot(path=str(out), full_page=True, clip={"x": 0, "y": top, "width": 1200, "height": 1700})
        assert out.stat().st_size > 20_000
        # the framing part: voices, verbs side by side, distinctive words, emphasis, each explained
        framing = page.locator("#framing")
        assert framing.count() == 1
        text = page.inner_text("main")[page.inner_text("main").index("How the outlets frame it"):]
        for heading in ("Voices: who gets to speak", "Attribution verbs", "Distinctive wording", "Left out"):
            assert heading in text
        assert "Fightin' Words" in text and "Dario Venn" in text
        top = framing.bounding_box()["y"] - 10
        shot = screenshot_path("report-framing.png")
        page.screenshot(path=str(shot), full_page=True, clip={"x": 0, "y": top, "width": 1200, "height": 1500})
        assert shot.stat().st_size > 20_000
        # what each outlet calls the same people (entity descriptors), for the README
        heading = page.get_by_text("What each outlet calls them", exact=True)
        assert heading.count() == 1
        top = heading.bounding_box()["y"] - 10
        shot = screenshot_path("report-descriptors.png")
        page.screenshot(path=str(shot), full_page=True, clip={"x": 0, "y": top, "width": 1200, "height": 700})
        assert shot.stat().st_size > 10_000


def test_report_cli(tmp_path, env_with_repo):
    path = tmp_path / "proj"
    build_demo(path)
    out = tmp_path / "out" / "r.html"
    res = subprocess.run([sys.executable, "-m", "toolkit.cli", "--project", str(path), "report", "--layer", "ben",
                          "--output", str(out)], capture_output=True, text=True, env=env_with_repo)
    assert res.returncode == 0, res.stderr
    assert out.exists() and "wrote" in res.stdout
    assert "annotator &#x27;ben&#x27;" in out.read_text("utf-8")
