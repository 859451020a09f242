"""Empty results explain themselves: exit 0 and a hint naming the option or command to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.demo import build_demo

MODEL = "model:test_pipeline@1.0"


@pytest.fixture
def suggestions_only(tmp_path: Path) -> Path:
    """The demo documents with model suggestions only (what `import` + `preannotate` leave)."""
    proj = build_demo(tmp_path / "p", annotations=False)
    items = []
    for doc in proj.documents().values():
        for name in ("Velmora", "Ostrand"):
            at = doc.text.find(name)
            if at >= 0:
                items.append({"doc": doc.id, "start": at, "end": at + len(name), "label": "GPE"})
    proj.add_spans(items, annotator=MODEL)
    return proj.path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("task", ["spans", "stances"])
def test_agreement_with_only_suggestions(suggestions_only: Path, capsys: pytest.CaptureFixture[str], task: str) -> None:
    code, text = _run(capsys, "--project", str(suggestions_only), "agreement", "--task", task)
    assert code == 0
    assert "01_annotate.ipynb" in text or "toolkit preannotate" in text


def test_agreement_with_one_annotator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = build_demo(tmp_path / "p")
    keep = proj.annotators()[0]
    for ann in proj.annotators()[1:]:
        st = proj.current(ann)
        for kind in ("link", "stance", "span"):
            proj.delete_many(kind, list(st.table(kind)), ann)
    code, text = _run(capsys, "--project", str(proj.path), "agreement", "--task", "spans")
    assert code == 0
    assert f"only by {keep}" in text and "01_annotate.ipynb" in text


def test_agreement_on_the_demo_still_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = build_demo(tmp_path / "p")
    code, text = _run(capsys, "--project", str(proj.path), "agreement", "--task", "spans")
    assert code == 0 and "annotator" in text.lower() and "No " not in text.splitlines()[0]


def test_compare_with_only_suggestions_uses_and_names_the_model_layer(
    suggestions_only: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(capsys, "--project", str(suggestions_only), "compare", "entities")
    assert code == 0
    assert "model suggestions only" in text and "Velmora" in text  # the model layer's table, said so


@pytest.mark.parametrize(("view", "hint"), [("claims", "No claim annotations"), ("stances", "No stance annotations")])
def test_compare_empty_views_say_what_to_run(
    suggestions_only: Path, capsys: pytest.CaptureFixture[str], view: str, hint: str
) -> None:
    code, text = _run(capsys, "--project", str(suggestions_only), "compare", view)
    assert code == 0 and hint in text
    assert "toolkit preannotate" in text or "--layer model" in text or "01_annotate.ipynb" in text
    assert "(nothing to show)" not in text


def test_compare_human_layer_on_a_suggestions_only_project_points_to_the_model_layer(
    suggestions_only: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(capsys, "--project", str(suggestions_only), "compare", "entities", "--layer", "human")
    assert code == 0 and "--layer model" in text


def test_report_with_only_suggestions(suggestions_only: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    code, _ = _run(capsys, "--project", str(suggestions_only), "report", "-o", str(out))
    html = out.read_text("utf-8")
    assert code == 0 and "model suggestions only" in html
    assert "No stance annotations in this project yet" in html
