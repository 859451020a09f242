"""Entity descriptors: appositions, premodifiers and adjectives per outlet (fictional text, our own)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import toolkit.compare as cmp
from toolkit.compare import descriptors as D
from toolkit.compare.report import NAMED_LABELS, Comparison
from toolkit.demo import build_demo

REPO = Path(__file__).resolve().parent.parent


def _frames(docs: list[tuple[str, str, str]], names: dict[str, tuple[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Documents ``(doc_id, source, text)`` and a mention for every occurrence of each surface in
    ``names`` (surface -> (entity, label))."""
    documents = pd.DataFrame(docs, columns=["doc_id", "source", "text"])
    rows = []
    for doc_id, source, text in docs:
        taken: list[tuple[int, int]] = []
        for surface in sorted(names, key=len, reverse=True):
            pos = text.find(surface)
            while pos >= 0:
                if not any(s <= pos < e for s, e in taken):
                    taken.append((pos, pos + len(surface)))
                    entity, label = names[surface]
                    rows.append((entity, label, doc_id, source, pos, pos + len(surface), surface))
                pos = text.find(surface, pos + 1)
    mentions = pd.DataFrame(rows, columns=["entity", "label", "doc_id", "source", "start", "end", "text"])
    return documents, mentions


def _found(text: str, names: dict[str, tuple[str, str]]) -> set[tuple[str, str, str]]:
    docs, mentions = _frames([("d1", "Outlet", text)], names)
    d = D.entity_descriptors(docs, mentions)
    return set(zip(d["entity"], d["descriptor"], d["kind"], strict=True))


ILVES = {"Mara Ilves": ("Mara Ilves", "PERSON"), "Ilves": ("Mara Ilves", "PERSON")}


def test_apposition_after_the_name() -> None:
    got = _found("Ilves, the Ostrandi leader, said the canal would reopen.", ILVES)
    assert ("Mara Ilves", "Ostrandi leader", "apposition") in got
    assert ("Mara Ilves", "Ostrandi", "adjective") in got
    got = _found("The ferry plan was drawn up by Mara Ilves, a veteran harbour engineer.", ILVES)
    assert ("Mara Ilves", "veteran harbour engineer", "apposition") in got
    assert ("Mara Ilves", "veteran", "adjective") in got
    # a relative clause ends the phrase
    got = _found("They met Mara Ilves, the mayor who closed the port, on Friday.", ILVES)
    assert ("Mara Ilves", "mayor", "apposition") in got


def test_apposition_before_the_name() -> None:
    got = _found("The Ostrandi leader, Mara Ilves, said the canal would reopen.", ILVES)
    assert ("Mara Ilves", "Ostrandi leader", "apposition") in got
    council = {"Tolva Council": ("Tolva Council", "ORG"), "Pell Orrin": ("Pell Orrin", "PERSON")}
    got = _found("The Tolva Council met, and its outspoken chairman, Pell Orrin, walked out.", council)
    assert ("Pell Orrin", "outspoken chairman", "apposition") in got
    got = _found("Ilves's spokesman, Pell Orrin, declined to comment.", {**ILVES, **council})
    assert ("Pell Orrin", "Ilves's spokesman", "apposition") in got


def test_premodifiers_titles_and_adjectives() -> None:
    got = _found("Yesterday the embattled Prime Minister Mara Ilves resigned.", ILVES)
    assert ("Mara Ilves", "embattled Prime Minister", "premodifier") in got
    assert ("Mara Ilves", "embattled", "adjective") in got
    got = _found("Reporters waited for the veteran minister Mara Ilves.", ILVES)
    assert ("Mara Ilves", "veteran minister", "premodifier") in got
    got = _found("Minister of Ports and Canals Mara Ilves opened the lock.", ILVES)
    assert ("Mara Ilves", "Minister of Ports and Canals", "premodifier") in got
    kerran = {"Kerran": ("Kerran", "GPE")}
    got = _found("Troops stayed in the illegally annexed Kerran all winter.", kerran)
    assert ("Kerran", "illegally annexed", "premodifier") in got
    assert ("Kerran", "illegally annexed", "adjective") in got
    # a title inside the mention counts as a premodifier; an honorific does not
    got = _found("On Tuesday President Mara Ilves spoke; Ms Ilves left early.",
                 {"President Mara Ilves": ("Mara Ilves", "PERSON"), "Ms Ilves": ("Mara Ilves", "PERSON")})
    assert got == {("Mara Ilves", "President", "premodifier")}


@pytest.mark.parametrize("text", [
    "Critics blamed Mara Ilves for the delay.",  # a verb before the name
    "It was a plan Mara Ilves had drafted herself.",  # a noun that is not a role
    "In Kerran, the harbour stayed closed.",  # a sentence-opening phrase, not an apposition
    "According to Ilves, the harbour was closed on Monday.",
    "Ilves, who chairs the board, said nothing.",  # a relative clause is not an apposition
    "Ilves, Orrin, and the harbour board signed.",  # a list
    "The ferry left the dock\n\nIlves said the harbour was closed.",  # a line break is a boundary
])
def test_no_descriptor_where_there_is_none(text: str) -> None:
    names = {**ILVES, "Kerran": ("Kerran", "GPE"), "Orrin": ("Pell Orrin", "PERSON")}
    assert _found(text, names) == set()


def test_titles_stop_at_the_previous_name() -> None:
    text = "President Tam Odu of Velmar and Prime Minister Mara Ilves spoke."
    got = _found(text, {**ILVES, "Tam Odu": ("Tam Odu", "PERSON"), "Velmar": ("Velmar", "GPE")})
    assert got == {("Mara Ilves", "Prime Minister", "premodifier"), ("Tam Odu", "President", "premodifier")}


def test_adjective_shapes() -> None:
    for word in ("regional", "embattled", "Velmoran", "Ostrandi", "six-member", "142-metre", "veteran", "former"):
        assert D.is_adjective(word), word
    for word in ("harbour", "hospital", "President", "Japan", "council", "meeting", "water-policy"):
        assert not D.is_adjective(word), word


def test_counts_grouping_and_the_contrast_view() -> None:
    docs = [("a1", "Alpha", "Ilves, the Ostrandi leader, spoke. Later the Ostrandi leader, Mara Ilves, left."),
            ("a2", "Alpha", "The harbour reopened. Mara Ilves, the Ostrandi leader, was there."),
            ("b1", "Beta", "The reformist mayor Mara Ilves spoke."),
            ("c1", "Gamma", "Ilves, the Ostrandi leader, spoke; Orrin watched."),
            ("c2", "Gamma", "Pell Orrin, the harbour master, agreed.")]
    documents, mentions = _frames(docs, {**ILVES, "Pell Orrin": ("Pell Orrin", "PERSON"),
                                         "Orrin": ("Pell Orrin", "PERSON")})
    d = D.entity_descriptors(documents, mentions)
    assert list(d.columns) == D.DESCRIPTOR_COLUMNS
    row = d[(d["source"] == "Alpha") & (d["descriptor"] == "Ostrandi leader") & (d["kind"] == "apposition")]
    assert row["count"].tolist() == [3] and row["example_doc"].tolist() == ["a1"]  # "Ilves" and "Mara Ilves": one entity
    distinct = D.distinctive_descriptors(d, mentions)
    ilves = distinct[distinct["entity"] == "Mara Ilves"]
    # Alpha and Gamma share "Ostrandi leader"; only Beta says "reformist mayor"
    assert set(zip(ilves["source"], ilves["descriptor"], strict=True)) == {("Beta", "reformist mayor"),
                                                                            ("Beta", "reformist")}
    assert ilves["covered_by"].eq(3).all()
    # Orrin: mentioned by Gamma only -> not in the contrast view
    assert "Pell Orrin" not in set(distinct["entity"])
    table = D.descriptor_table(distinct, sources=["Alpha", "Beta", "Gamma"])
    assert table.loc["Mara Ilves"].to_dict() == {"Alpha": "", "Beta": "reformist mayor", "Gamma": ""}


def test_linear_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each document is tokenised once, however many mentions it has."""
    calls = []
    real = D.tokenize
    monkeypatch.setattr(D, "tokenize", lambda text: calls.append(1) or real(text))
    docs = [(f"d{i}", f"S{i % 3}", "Ilves, the Ostrandi leader, spoke. " * 20) for i in range(30)]
    documents, mentions = _frames(docs, ILVES)
    d = D.entity_descriptors(documents, mentions)
    assert len(calls) == 30 and d["count"].sum() == 30 * 20 * 2  # apposition + adjective per mention


# ------------------------------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(tmp_path_factory.mktemp("descriptors")) / "demo"
    build_demo(path)
    return path


def test_the_demo_outlets_describe_people_differently(demo: Path) -> None:
    c = Comparison.from_project(demo)
    d = c.descriptors
    got = {(r.source, r.entity, r.descriptor, r.kind) for r in d.itertuples()}
    M, N, H, S = "Meridian Press Agency", "Northgate Wire", "The Calder Herald", "The Castavel Standard"
    # Venn's spokesman Rasmus Tell: Northgate ties him to Venn by name ("Venn's spokesperson, Rasmus Tell,"),
    # the Standard to the office ("The President's spokesperson, Rasmus Tell,")
    assert (N, "Rasmus Tell", "Venn's spokesperson", "apposition") in got
    assert (S, "Rasmus Tell", "President's spokesperson", "apposition") in got
    # every outlet gives the two leaders their titles
    for src in (M, N, H, S):
        assert (src, "Ilse Marković", "Prime Minister", "premodifier") in got
        assert (src, "Dario Venn", "President", "premodifier") in got
    # "Ms Marković" (the Herald) is an honorific, not a descriptor
    assert not d["descriptor"].str.fullmatch("Ms").any()
    # only the Standard names Sárossy's office; only Meridian calls the council a regional bloc
    assert (S, "Katalin Sárossy", "Minister of Water and Energy", "premodifier") in got
    assert (M, "Tarn Basin Council", "six-member regional bloc", "apposition") in got
    assert (M, "Tarn Basin Council", "regional", "adjective") in got
    assert (N, "Mireille Dussart", "water-policy analyst at Brightwater Risk Advisory in Lisvane", "apposition") in got
    assert (H, "Oskar Lindqvist", "chairman", "apposition") in got
    # Fairlie is "its secretary-general" in Northgate and the Herald, "the council's" in Meridian
    assert {(s, x) for s, e, x, k in got if e == "Agnès Fairlie"} == {
        (M, "council's secretary-general"), (N, "secretary-general"), (H, "secretary-general")}
    distinct = c.distinctive_descriptors
    tell = distinct[distinct["entity"] == "Rasmus Tell"]
    assert set(tell["source"]) == {N, S} and tell["covered_by"].eq(2).all()
    fairlie = distinct[distinct["entity"] == "Agnès Fairlie"]
    assert fairlie[["source", "descriptor"]].values.tolist() == [[M, "council's secretary-general"]]
    # shared titles are not distinctive
    assert not distinct["entity"].isin(["Ilse Marković", "Dario Venn"]).any()


def test_layers_gold_and_model(demo: Path, tmp_path: Path) -> None:
    import shutil

    from toolkit.store import Project

    demo = Path(shutil.copytree(demo, tmp_path / "demo"))  # gold and model layers added to a copy
    f = Project.open(demo).load()
    human = cmp.entity_mentions(f.spans, f.documents, "human", labels=NAMED_LABELS)
    ana = cmp.entity_mentions(f.spans, f.documents, "ana", labels=NAMED_LABELS)
    d_human, d_ana = D.entity_descriptors(f.documents, human), D.entity_descriptors(f.documents, ana)
    assert not d_ana.empty and set(d_ana["entity"]) <= set(d_human["entity"])
    # the same spans as gold and as a model layer give the same descriptors, and the CLI says which layer
    proj = Project.open(demo)
    spans = f.spans[(f.spans["annotator"] == "ana") & (f.spans["layer"] == "entity")]
    for name in ("gold", "model:fixture@1"):
        proj.put([proj.make_span(r.doc_id, int(r.start), int(r.end), r.label, name) for r in spans.itertuples()])
        layer = "gold" if name == "gold" else "model"
        m = cmp.entity_mentions(proj.load().spans, f.documents, layer, labels=NAMED_LABELS)
        pd.testing.assert_frame_equal(D.entity_descriptors(f.documents, m), d_ana)
    for layer, said in (("gold", "annotator 'gold'"), ("model", "all model suggestions")):
        out = subprocess.run([sys.executable, "-m", "toolkit.cli", "--project", str(demo), "compare", "descriptors",
                              "--layer", layer], capture_output=True, text=True, cwd=REPO, check=True)
        assert said in out.stderr and "Rasmus Tell" in out.stdout


def test_cli_csv_columns(demo: Path) -> None:
    def run(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "toolkit.cli", "--project", str(demo), "compare", "descriptors",
                               *args], capture_output=True, text=True, cwd=REPO, check=True).stdout

    table = pd.read_csv(io.StringIO(run("--format", "csv")))
    assert list(table.columns) == D.DESCRIPTOR_COLUMNS
    assert set(table["kind"]) <= set(D.KINDS) and (table["count"] >= 1).all()
    distinct = pd.read_csv(io.StringIO(run("--format", "csv", "--distinct")))
    assert list(distinct.columns) == ["entity", "source", "descriptor", "kind", "count", "example_doc", "covered_by"]
    assert "Venn's spokesperson" in set(distinct["descriptor"])
    helptext = subprocess.run([sys.executable, "-m", "toolkit.cli", "compare", "descriptors", "--help"],
                              capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert "example: toolkit compare descriptors" in helptext


def test_report_has_the_descriptor_subsection(demo: Path) -> None:
    from toolkit.compare.report import render_report

    html = render_report(Comparison.from_project(demo))
    assert "What each outlet calls them" in html and "President&#x27;s spokesperson" in html
