"""Exporters (JSON Lines, spaCy DocBin, CoNLL, stance CSV) and the command line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

import toolkit as tk
from tests.support.texts import TEXT_A, offsets
from toolkit.cli import main


@pytest.fixture
def annotated(project: tk.Project) -> tk.Project:
    project.add_span("wire-001", *offsets(TEXT_A, "President Dario Venn"), "PERSON", "ana")
    project.add_span("wire-001", *offsets(TEXT_A, "Dario Venn"), "PERSON", "ben")
    project.add_span("wire-001", *offsets(TEXT_A, "Venn"), "PERSON", "ana")  # nested in the first: dropped from ents
    project.add_span("wire-001", *offsets(TEXT_A, "Ostrand"), "GPE", "ana")
    c = project.add_span(
        "wire-001", *offsets(TEXT_A, "the river belongs to both our peoples"), "CLAIM", "ana",
        attrs={"kind": "quotation", "speaker": "Dario Venn"},
    )  # fmt: skip
    project.set_stance("wire-001", "Velmora", "favour", "ana")
    project.set_stance("wire-001", "Ostrand", "neutral", "ana", claim=c.id)
    return project


def test_jsonl_export(annotated: tk.Project, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    from toolkit.exporters import export_jsonl

    stats = export_jsonl(annotated.load(), out)
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert stats == {"documents": 2, "lines": 3}  # wire-001 x (ana, ben) + daily-001 unannotated
    ana = next(r for r in rows if r["id"] == "wire-001" and r["annotator"] == "ana")
    assert [(s["label"], ana["text"][s["start"] : s["end"]]) for s in ana["spans"]] == [
        ("GPE", "Ostrand"),  # in the headline, first in text order
        ("PERSON", "President Dario Venn"),
        ("PERSON", "Venn"),
        ("CLAIM", "the river belongs to both our peoples"),
    ]
    assert {(s["target"], s["value"]) for s in ana["stances"]} == {("Velmora", "favour"), ("Ostrand", "neutral")}
    assert next(r for r in rows if r["id"] == "daily-001")["annotator"] is None


def test_spacy_docbin_export(annotated: tk.Project, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    from toolkit.exporters import export_spacy

    out = tmp_path / "x.spacy"
    stats = export_spacy(annotated.load(), out)
    assert stats["docs"] == 2 and stats["dropped_overlapping"] == 1
    docs = {d.user_data["annotator"]: d for d in DocBin().from_disk(out).get_docs(spacy.blank("en").vocab)}
    assert [(e.text, e.label_) for e in docs["ana"].ents] == [("Ostrand", "GPE"), ("President Dario Venn", "PERSON")]
    assert [(e.text, e.label_) for e in docs["ben"].ents] == [("Dario Venn", "PERSON")]
    assert [s.text for s in docs["ana"].spans["claims"]] == ["the river belongs to both our peoples"]
    assert docs["ana"].user_data["doc_id"] == "wire-001"


def test_conll_export(annotated: tk.Project, tmp_path: Path) -> None:
    from toolkit.exporters import export_conll

    out = tmp_path / "x.conll"
    export_conll(annotated.load(annotators=["ana"]), out)
    lines = out.read_text("utf-8").splitlines()
    # CoNLL-2003 as spaCy's converter expects it (the old "-DOCSTART- <doc_id> <annotator>" line broke it)
    assert lines[:2] == ["-DOCSTART- -X- O O", ""]
    rows = [line.split(" ") for line in lines[2:] if line]
    assert {len(r) for r in rows} == {4}
    tagged = [(r[0], r[3]) for r in rows]
    i = tagged.index(("President", "B-PERSON"))
    assert tagged[i : i + 4] == [("President", "B-PERSON"), ("Dario", "I-PERSON"), ("Venn", "I-PERSON"), ("said", "O")]
    assert ("Ostrand", "B-GPE") in tagged
    assert sum(1 for t in tagged if t[1] != "O") == 4


def test_stance_csv_export(annotated: tk.Project, tmp_path: Path) -> None:
    from toolkit.exporters import export_stances_csv

    out = tmp_path / "s.csv"
    export_stances_csv(annotated.load(), out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["target"], r["value"], r["claim_text"]) for r in rows] == [
        ("Ostrand", "neutral", "the river belongs to both our peoples"),
        ("Velmora", "favour", ""),
    ]
    assert rows[0]["source"] == "Harbour Wire"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolkit.cli", *args], capture_output=True, text=True, env=env)


def test_cli_end_to_end(tmp_path: Path, env_with_repo, capsys) -> None:
    proj = str(tmp_path / "p")
    assert main(["--project", proj, "init", "--target", "Velmora"]) == 0
    folder = tmp_path / "Harbour Wire"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline\n\nVenn spoke.", encoding="utf-8")
    assert main(["--project", proj, "import", str(folder)]) == 0
    assert main(["--project", proj, "import", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "added 1, unchanged 0" in out and "added 0, unchanged 1" in out
    tk.Project.open(proj).add_span("a", 10, 14, "PERSON", "ana")
    assert main(["--project", proj, "status"]) == 0
    assert "Harbour Wire" in capsys.readouterr().out
    for fmt in ("jsonl", "spacy", "conll", "csv"):
        assert main(["--project", proj, "export", "--format", fmt, "-o", str(tmp_path / f"out.{fmt}")]) == 0
        assert (tmp_path / f"out.{fmt}").stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "/nonexistent/p", "status"], "error: no project at /nonexistent/p"),
        (["import", "/nonexistent.csv"], "error: /nonexistent.csv: no such file"),
    ],
)
def test_cli_bad_input_gives_one_line_and_no_traceback(tmp_path: Path, env_with_repo, args, message) -> None:
    if args[0] == "import":
        tk.Project.init(tmp_path / "p")
        args = ["--project", str(tmp_path / "p"), *args]
    r = run_cli(*args, env=env_with_repo)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and r.stderr.startswith(message)
    assert "Traceback" not in r.stderr


def test_cli_validate_exits_1_on_problems(project: tk.Project, env_with_repo) -> None:
    project.add_span("wire-001", 0, 7, "GPE", "ana")
    with open(project.records_dir / "ana.jsonl", "ab") as fh:
        fh.write(b'{"op":"put","type":"sp')
    r = run_cli("--project", str(project.path), "validate", env=env_with_repo)
    assert r.returncode == 1
    assert "torn-line" in r.stdout and "ana.jsonl:2" in r.stdout


def test_every_command_has_help(env_with_repo) -> None:
    from toolkit.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # noqa: SLF001
    assert {"init", "import", "status", "validate", "repair", "export"} <= set(commands)
    for name in commands:
        r = run_cli(name, "--help", env=env_with_repo)
        assert r.returncode == 0 and "usage: toolkit" in r.stdout, name


def test_import_toolkit_loads_no_heavy_modules(env_with_repo) -> None:
    """`import toolkit` stays light: pandas, spaCy, Jupyter and the Label Studio SDK load only when used."""
    code = (
        "import sys, toolkit; heavy = {'pandas', 'spacy', 'ipywidgets', 'anywidget', 'label_studio_sdk', "
        "'matplotlib', 'numpy', 'sklearn'}; print(sorted(heavy & set(sys.modules)))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env_with_repo)
    assert r.stdout.strip() == "[]", r.stderr
