"""One row per person, place and organisation: name grouping rules, proposals, merges file, CLI.

Every merge rule has a case that must join and a case that must stay apart.  Corpora are built by
hand: each document's text is its mentions joined by " ; ", so offsets are known exactly.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys

import pandas as pd
import pytest

from toolkit.compare import entities, names
from toolkit.errors import CorruptFileError, NotFoundError, ValidationError

SOURCES = {"a": "Alpha", "b": "Beta", "c": "Gamma", "d": "Delta", "e": "Epsilon"}


def _corpus(docs: dict[str, list[tuple[str, str]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``{doc_id: [(surface, label), ...]}`` -> (spans, documents) frames like ``Project.load()``.
    The source of a document is named after its first letter."""
    span_rows, doc_rows = [], []
    for doc_id, mentions in docs.items():
        pos, parts = 0, []
        for surface, label in mentions:
            span_rows.append({"id": f"{doc_id}:{pos}", "doc_id": doc_id, "source": SOURCES[doc_id[0]],
                              "start": pos, "end": pos + len(surface), "label": label, "layer": "entity",
                              "text": surface, "kind": None, "speaker": None, "speaker_span": None, "attrs": {},
                              "annotator": "ann", "is_model": False, "ts": ""})
            parts.append(surface)
            pos += len(surface) + 3
        text = " ; ".join(parts)
        doc_rows.append({"doc_id": doc_id, "source": SOURCES[doc_id[0]], "title": "", "url": "", "published": "",
                         "sha256": "", "n_chars": len(text), "text": text})
    return pd.DataFrame(span_rows), pd.DataFrame(doc_rows)


def _rows(docs: dict[str, list[tuple[str, str]]], **kwargs) -> dict[str, set[str]]:
    """Entity row -> the surface forms grouped in it."""
    spans, documents = _corpus(docs)
    m = entities.entity_mentions(spans, documents, **kwargs)
    return {e: set(g["text"]) for e, g in m.groupby("entity")}


def _pairs(proposals: pd.DataFrame) -> set[tuple[str, str, str]]:
    return {(a, c, r) for a, c, r in zip(proposals["alias"], proposals["canonical"], proposals["rule"], strict=True)}


P, ORG, G = "PERSON", "ORG", "GPE"


# -- keys ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("variants", [
    ["Ilse Marković", "Ilse Markovic", "ILSE MARKOVIC", "Ms. Ilse Marković's"],
    ["J.R. Vance", "JR Vance", "J. R. Vance", "J R Vance"],
    ["U.S.", "U.S", "US", "the U.S."],
    ["U.S. Army", "US Army"],
    ["Jean-Pierre Roux", "Jean Pierre Roux"],
    ["Agnès Fairlie's", "Agnes Fairlie"],
])
def test_exact_key_joins(variants):
    assert len({names.name_key(v) for v in variants}) == 1


@pytest.mark.parametrize("a,b", [("Ana Pires", "Rui Pires"), ("Iran", "Iraq"), ("Jan Novak", "Jana Novak"),
                                 ("John Smith Jr", "John Smith Sr")])
def test_exact_key_keeps_different_names_apart(a, b):
    assert names.name_key(a) != names.name_key(b)


def test_skeleton_folds_transliteration_only():
    assert names.skeleton("ilham aliyev") == names.skeleton("ilham aliev")
    assert names.skeleton("oleksandr") == names.skeleton("olexandr")
    assert names.skeleton("zelenskyy") == names.skeleton("zelensky") == names.skeleton("zelenskiy")
    assert names.skeleton("maria") != names.skeleton("mario")
    assert names.one_edit("markovic", "markovich") == ("indel", 8)
    assert names.one_edit("gambia", "zambia") == ("sub", 0)
    assert names.one_edit("austria", "australia") is None


def test_short_forms():
    p = lambda s: names.parse_name(names.clean_surface(s))  # noqa: E731
    assert names.is_short_form(p("Pires"), p("Ana Pires"))
    assert names.is_short_form(p("Ms Pires"), p("Minister Ana Pires"))
    assert names.is_short_form(p("A. Pires"), p("Ana Maria Pires"))
    assert names.is_short_form(p("Ana Pires"), p("Ana Maria Pires"))
    assert names.is_short_form(p("JR Vance"), p("James Robert Vance"))
    assert not names.is_short_form(p("Rui Pires"), p("Ana Pires"))
    assert not names.is_short_form(p("Ana Maria Pires"), p("Ana Pires"))
    assert not names.is_short_form(p("B. Pires"), p("Ana Pires"))


def test_majority_label_ties_person_first():
    assert names.majority_label({"ORG": 1, "PERSON": 1}) == "PERSON"
    assert names.majority_label({"ORG": 2, "PERSON": 1}) == "ORG"
    assert names.majority_label({"ORG": 1, "GPE": 1}) == "GPE"


# -- automatic merges: must join / must stay apart -----------------------------------------------

def test_surname_and_title_forms_join_the_full_name_in_their_document():
    rows = _rows({"a1": [("Minister Ana Pires", P), ("Pires", P), ("Ms Pires", P), ("Pires's", P)]})
    assert rows == {"Ana Pires": {"Minister Ana Pires", "Pires", "Ms Pires", "Pires's"}}


def test_same_surname_different_first_names_stay_apart_and_ambiguous_surname_is_unresolved():
    rows = _rows({
        "a1": [("Ana Pires", P), ("Rui Pires", P), ("Pires", P)],   # two Pires: "Pires" is not guessed
        "b1": [("Ana Pires", P), ("Ms Pires", P)],                  # one Pires: joins
    })
    assert rows == {"Ana Pires": {"Ana Pires", "Ms Pires"}, "Rui Pires": {"Rui Pires"}, "Pires": {"Pires"}}
    spans, _ = _corpus({"a1": [("Ana Pires", P), ("Rui Pires", P), ("Pires", P)]})
    assert entities.propose_merges(spans).empty  # ambiguous: not even proposed


def test_spelling_diacritics_initials_punctuation_join_across_outlets():
    rows = _rows({
        "a1": [("Ilse Marković", P), ("J.R. Vance", P), ("U.S.", G), ("J.R. Vance", P)],
        "b1": [("Ilse Markovic", P), ("JR Vance", P), ("US", G)],
        "c1": [("Ilse Marković", P), ("J. R. Vance", P), ("U.S", G)],
    })
    assert rows == {"Ilse Marković": {"Ilse Marković", "Ilse Markovic"},
                    "J.R. Vance": {"J.R. Vance", "JR Vance", "J. R. Vance"}, "U.S.": {"U.S.", "US", "U.S"}}


def test_transliteration_variants_of_person_full_names_join():
    rows = _rows({
        "a1": [("Ilham Aliyev", P), ("Oleksandr Kovalenko", P)],
        "b1": [("Ilham Aliyev", P), ("Olexandr Kovalenko", P)],
        "c1": [("Ilham Aliev", P)],
    })
    assert rows == {"Ilham Aliyev": {"Ilham Aliyev", "Ilham Aliev"},
                    "Oleksandr Kovalenko": {"Oleksandr Kovalenko", "Olexandr Kovalenko"}}


def test_initials_join_the_one_matching_full_name_of_the_document():
    rows = _rows({
        "a1": [("James Vance", P), ("J. Vance", P)],
        "b1": [("James Vance", P), ("Jill Vance", P), ("J. Vance", P)],  # two J. Vances: unresolved
    })
    assert rows == {"James Vance": {"James Vance", "J. Vance"}, "Jill Vance": {"Jill Vance"},
                    "J. Vance": {"J. Vance"}}


def test_one_name_with_different_labels_is_one_entity_with_its_majority_label():
    spans, documents = _corpus({
        "a1": [("Ilse Marković", P)], "b1": [("Ilse Marković", ORG)], "c1": [("Ilse Markovic", P)],
        "d1": [("Castavel", ORG), ("Castavel", G)],  # tie: alphabetical (no PERSON involved)
        "e1": [("Dario Venn", ORG), ("Dario Venn", P)],  # tie with PERSON: PERSON
    })
    m = entities.entity_mentions(spans, documents)
    labels = m.drop_duplicates("entity").set_index("entity")["label"].to_dict()
    assert labels == {"Ilse Marković": P, "Castavel": G, "Dario Venn": P}
    assert (m.groupby("entity").size() == pd.Series({"Castavel": 2, "Dario Venn": 2, "Ilse Marković": 3})).all()


def test_org_and_person_with_different_names_stay_apart():
    rows = _rows({"a1": [("Ana Pires", P), ("Pires Holdings", ORG)], "b1": [("Pires Holdings", ORG)]})
    assert rows == {"Ana Pires": {"Ana Pires"}, "Pires Holdings": {"Pires Holdings"}}


def test_mistagged_surname_joins_when_the_name_is_a_person_elsewhere():
    rows = _rows({
        "a1": [("Ilse Marković", P), ("Marković", G)],   # model tagged her surname as a place here
        "b1": [("Ilse Marković", P), ("Marković", P)],
        "c1": [("Marković", P)],
        "d1": [("George Washington", P), ("Washington", G)],  # "Washington" is never a person: proposal
    })
    assert rows["Ilse Marković"] == {"Ilse Marković", "Marković"}
    assert rows["Washington"] == {"Washington"}


def test_dates_and_numbers_are_left_out_unless_asked():
    docs = {"a1": [("Theresa May", P), ("May", "DATE"), ("three", "CARDINAL"), ("May", P), ("5%", "PERCENT")]}
    assert _rows(docs) == {"Theresa May": {"Theresa May", "May"}}
    everything = _rows(docs, all_labels=True)
    assert everything["Theresa May"] == {"Theresa May", "May"}
    assert {"three", "5%"} <= set(everything)
    spans, documents = _corpus(docs)
    m = entities.entity_mentions(spans, documents, all_labels=True)
    assert m[m["label"] == "DATE"]["entity"].tolist() == ["May"]  # the month never joins the person
    assert set(entities.entity_mentions(spans, documents, labels=["DATE"])["label"]) == {"DATE"}


# -- proposals -----------------------------------------------------------------------------------

def test_uncertain_merges_are_proposed_not_applied():
    spans, documents = _corpus({
        "a1": [("Ilham Aliyev", P), ("Ilse Markovic", P), ("Jan Novak", P), ("Maria Lopez", P), ("Iran", G),
               ("Gambia", G)],
        "b1": [("Aliev", P), ("Ilse Markovich", P), ("Jana Novak", P), ("Mario Lopez", P), ("Iraq", G),
               ("Zambia", G)],
        "c1": [("Washington", G), ("George Washington", P)],
    })
    props = entities.propose_merges(spans)
    assert _pairs(props) == {
        ("Aliev", "Ilham Aliyev", "surname"),          # surname only, spelled differently, another document
        ("Ilse Markovich", "Ilse Markovic", "one-letter"),  # ties: the shorter name is the canonical one
        ("Washington", "George Washington", "label"),
    }
    assert all(props["evidence"].str.contains("mention"))
    rows = set(entities.entity_mentions(spans, documents)["entity"])
    assert {"Aliev", "Ilse Markovich", "Jana Novak", "Mario Lopez", "Iraq", "Zambia"} <= rows  # nothing applied


def test_rejected_proposals_are_not_proposed_again():
    spans, _ = _corpus({"a1": [("Ilse Markovic", P)], "b1": [("Ilse Markovich", P)]})
    assert len(entities.propose_merges(spans)) == 1
    assert entities.propose_merges(spans, rejected=[("Ilse Markovic", "Ilse Markovich")]).empty


# -- the merges file -----------------------------------------------------------------------------

def _project(tmp_path, docs):
    import toolkit as tk

    proj = tk.Project.init(tmp_path / "proj")
    spans, documents = _corpus(docs)
    proj.add_documents([tk.Document.create(id=d, source=s, text=t)
                        for d, s, t in zip(documents["doc_id"], documents["source"], documents["text"], strict=True)])
    proj.add_spans([{"doc": r.doc_id, "start": r.start, "end": r.end, "label": r.label}
                    for r in spans.itertuples()], annotator="ann")
    return tmp_path / "proj"


DOCS = {
    "a1": [("Ilham Aliyev", P), ("Aliyev", P), ("Ilse Markovic", P), ("Rasmus Tell", P)],
    "b1": [("Aliev", P), ("Ilse Markovich", P)],
    "c1": [("Tell", P), ("Velmora", G)],
}


def test_proposals_round_trip_through_the_merges_file(tmp_path):
    path = _project(tmp_path, DOCS)
    frame = entities.merge_proposals(path)
    assert set(frame["status"]) == {"proposed"}
    assert {(a, c) for a, c in zip(frame["alias"], frame["canonical"], strict=True)} == {
        ("Aliev", "Ilham Aliyev"), ("Ilse Markovich", "Ilse Markovic"), ("Tell", "Rasmus Tell")}
    stored = json.loads((path / "entity_merges.json").read_text("utf-8"))
    assert stored["merges"] == {} and len(stored["proposals"]) == 3
    entities.accept_proposal(path, "aliev")                    # case-insensitive alias
    entities.reject_proposal(path, "Ilse Markovich")
    assert entities.load_merges(path) == {"Aliev": "Ilham Aliyev"}
    again = entities.merge_proposals(path)
    assert dict(zip(again["alias"], again["status"], strict=True)) == {
        "Tell": "proposed", "Aliev": "accepted", "Ilse Markovich": "rejected"}   # rejected stays rejected
    from toolkit.compare.report import Comparison

    mat = Comparison.from_project(path).entity_matrix                          # accepted merges apply
    assert mat.loc["Ilham Aliyev"].sum() == 3 and "Aliev" not in mat.index
    assert "Ilse Markovich" in mat.index
    with pytest.raises(NotFoundError, match="no merge proposal for 'Nobody'"):
        entities.accept_proposal(path, "Nobody")
    # A rejected proposal that was accepted before loses its merge.
    entities.reject_proposal(path, "Aliev")
    assert entities.load_merges(path) == {}
    accepted = entities.accept_all_proposals(path)
    assert [p["alias"] for p in accepted] == ["Tell"]
    assert entities.load_merges(path) == {"Tell": "Rasmus Tell"}


def test_old_merges_file_is_still_readable_and_keeps_its_layout(tmp_path):
    (tmp_path / "entity_merges.json").write_text(json.dumps({"version": 1, "merges": {"Venn": "Dario Venn"}}))
    assert entities.load_merges(tmp_path) == {"Venn": "Dario Venn"}
    assert entities.load_proposals(tmp_path) == []
    entities.add_merge(tmp_path, "Board", "Harbour Board")
    assert json.loads((tmp_path / "entity_merges.json").read_text("utf-8")) == {
        "version": 1, "merges": {"Board": "Harbour Board", "Venn": "Dario Venn"}}
    # add_merge keeps stored proposals
    entities.record_proposals(tmp_path, [names.Proposal("Tell", "Rasmus Tell", "surname", "why", 1, 2)])
    entities.add_merge(tmp_path, "Harbour", "Harbour Board")
    assert [p["alias"] for p in entities.load_proposals(tmp_path)] == ["Tell"]
    (tmp_path / "entity_merges.json").write_text(json.dumps({"version": 1, "merges": {}, "proposals": [{}]}))
    with pytest.raises(CorruptFileError, match="proposals"):
        entities.load_merges(tmp_path)


def _add_many(args: tuple[str, int]) -> None:
    path, worker = args
    for i in range(10):
        entities.add_merge(path, f"alias{worker}x{i}", f"Canonical {worker}")
        entities.record_proposals(path, [names.Proposal(f"Short{worker}x{i}", f"Long {worker}", "surname", "", 1, 1)],
                                  drop_stale=False)


def test_concurrent_add_merge_and_proposals_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        pool.map(_add_many, [(str(tmp_path), w) for w in range(3)])
    assert len(entities.load_merges(tmp_path)) == 30
    assert len(entities.load_proposals(tmp_path)) == 30


def test_merge_refuses_same_name_after_folding(tmp_path):
    with pytest.raises(ValidationError, match="same name"):
        entities.add_merge(tmp_path, "Markovic", "Marković")


# -- speakers and any name string ----------------------------------------------------------------

def test_canonical_maps_speakers_to_the_rows_of_the_tables():
    spans, documents = _corpus({
        "a1": [("Minister Ana Pires", P), ("Ilse Marković", P)],
        "b1": [("Ana Pires", P), ("Rui Pires", P)],
        "c1": [("Ilse Markovic", P)],
    })
    norm = entities.EntityNormalizer.from_spans(spans)
    rows = set(entities.entity_mentions(spans, documents)["entity"])
    assert norm.canonical("Ms Pires", doc_id="a1", label=P) == "Ana Pires"   # unseen form, its document
    assert norm.canonical("Pires", doc_id="b1", label=P) == "Pires"          # ambiguous there: not guessed
    assert norm.canonical("ILSE MARKOVIC") == "Ilse Marković"                 # no document needed
    assert norm.canonical("Ilse Markovič", doc_id="c1") == "Ilse Marković"
    assert norm.canonical("Ilham Aliev") == "Ilham Aliev"                     # unknown: cleaned as written
    assert {"Ana Pires", "Ilse Marković"} <= rows
    assert norm.label("Ilse Markovic") == P


# -- CLI -----------------------------------------------------------------------------------------

def test_cli_review_lists_accepts_and_rejects(tmp_path, env_with_repo):
    path = _project(tmp_path, DOCS)
    run = [sys.executable, "-m", "toolkit.cli", "--project", str(path), "compare"]

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*run, *args], capture_output=True, text=True, env=env_with_repo)

    listing = cli("merges")
    assert listing.returncode == 0, listing.stderr
    assert "Aliev" in listing.stdout and "Ilham Aliyev" in listing.stdout and "surname" in listing.stdout
    done = cli("merges", "--accept", "Aliev", "--reject", "Ilse Markovich")
    assert done.returncode == 0, done.stderr
    assert "accepted: 'Aliev' -> 'Ilham Aliyev'" in done.stdout
    assert "rejected: 'Ilse Markovich' -> 'Ilse Markovic'" in done.stdout
    csv = cli("merges", "--status", "all", "--format", "csv").stdout.splitlines()
    assert csv[0] == "alias,canonical,rule,status,alias_mentions,canonical_mentions,evidence"
    assert {line.split(",")[0]: line.split(",")[3] for line in csv[1:]} == {
        "Tell": "proposed", "Aliev": "accepted", "Ilse Markovich": "rejected"}
    table = cli("entities", "--format", "csv").stdout
    assert "Aliev" not in table and "Ilham Aliyev" in table
    bad = cli("merges", "--accept", "Nobody")
    assert bad.returncode == 1 and "no merge proposal for 'Nobody'" in bad.stderr and "Traceback" not in bad.stderr
    assert cli("merges", "--accept-all").returncode == 0
    assert "no merge proposals with status 'proposed'" in cli("merges").stdout
    assert entities.load_merges(path) == {"Aliev": "Ilham Aliyev", "Tell": "Rasmus Tell"}
    # each view is its own subcommand (issue 16): a merges option on another view is a usage error (exit 2)
    wrong = cli("entities", "--accept", "Tell")
    assert wrong.returncode == 2 and "unrecognized arguments: --accept Tell" in wrong.stderr
    assert "Traceback" not in wrong.stderr


# -- titles, acronyms, places --------------------------------------------------------------------

@pytest.mark.parametrize("raw,clean", [
    ("Transport Minister Ana Pires", "Ana Pires"), ("Consumer Affairs Minister Bruno Salgado", "Bruno Salgado"),
    ("Director-General Oleksandr Tarnov", "Oleksandr Tarnov"), ("Secretary of State", "Secretary of State"),
    ("Association of Chief Police Officers", "Association of Chief Police Officers"), ("the U.S.", "U.S."),
])
def test_titles_inside_a_name_are_dropped_but_not_from_organisations(raw, clean):
    assert names.clean_surface(raw) == clean


def test_gendered_titles_tell_two_people_of_one_surname_apart():
    rows = _rows({
        "a1": [("Ana Pires", P), ("Rui Pires", P), ("Ms Pires", P), ("Mr. Pires", P)],
        "b1": [("Ana Pires", P), ("Rui Pires", P), ("Mr Pires", P)],
    })
    # The title's gender picks the namesake whose first name has that gender.
    assert rows["Rui Pires"] == {"Rui Pires", "Mr. Pires", "Mr Pires"}
    assert rows["Ana Pires"] == {"Ana Pires", "Ms Pires"}
    # First names that tell nothing: the titled forms stay apart from both, and from each other.
    rows = _rows({"a1": [("Orin Pires", P), ("Ysel Pires", P), ("Ms Pires", P), ("Mr. Pires", P)],
                  "b1": [("Orin Pires", P), ("Ysel Pires", P), ("Mr Pires", P)]})
    assert rows["Mr. Pires"] == {"Mr. Pires", "Mr Pires"} and rows["Ms Pires"] == {"Ms Pires"}
    # Without a man and a woman of that surname the title changes nothing.
    assert _rows({"a1": [("Jane Doe", P), ("Ms Doe", P)], "b1": [("Doe", P), ("Ms Doe", P)]}) == {
        "Jane Doe": {"Jane Doe", "Ms Doe"}, "Doe": {"Doe", "Ms Doe"}}


def test_acronyms_and_places_join_in_their_document_and_are_proposed_across():
    spans, documents = _corpus({
        "a1": [("National Union of Railworkers", ORG), ("NUR", ORG), ("Tavren River", "LOC"), ("Tavren", "LOC")],
        "b1": [("N.U.R.", ORG), ("Tavren", "LOC")],
        "c1": [("Calder Rail", ORG), ("Calder", G), ("Nordic Union Radio", ORG), ("NUR", ORG)],  # must stay apart
    })
    m = entities.entity_mentions(spans, documents)
    rows = {e: set(zip(g["doc_id"], g["text"], strict=True)) for e, g in m.groupby("entity")}
    assert rows["National Union of Railworkers"] == {("a1", "National Union of Railworkers"), ("a1", "NUR")}
    assert rows["Tavren River"] == {("a1", "Tavren River"), ("a1", "Tavren")}
    assert rows["Calder"] == {("c1", "Calder")} and rows["Nordic Union Radio"] == {("c1", "Nordic Union Radio"),
                                                                                     ("c1", "NUR")}
    # b1 has no full name and the project has two NURs: no acronym proposal; one Tavren: proposed.
    assert _pairs(entities.propose_merges(spans)) == {("Tavren", "Tavren River", "place")}


def test_a_place_the_tagger_called_a_person_is_joined_in_its_document_and_proposed_elsewhere():
    docs = {
        "a1": [("Tavren River", "LOC"), ("Tavren", P), ("Samuel Okafor", P)],  # same article: joined
        "b1": [("Tavren", P), ("Irena Markovic", P)],                          # another article: proposed
        "c1": [("Jordan River", "LOC"), ("Ali Jordan", P), ("Jordan", P)],     # a person of that surname: his
    }
    rows = _rows(docs)
    assert rows["Tavren River"] >= {"Tavren River", "Tavren"}
    assert "Jordan" in rows["Ali Jordan"] and rows["Jordan River"] == {"Jordan River"}
    spans, _ = _corpus(docs)
    assert ("Tavren", "Tavren River", "place") in _pairs(entities.propose_merges(spans))


def test_bare_surname_goes_to_the_namesake_introduced_before_its_first_use():
    # "Ana Pires ... Pires said ... Rui Pires ... Pires": the writer used the bare surname when only
    # Ana had been introduced, so every bare "Pires" of that article is hers.
    rows = _rows({"a1": [("Ana Pires", P), ("Pires", P), ("Rui Pires", P), ("Pires", P)]})
    assert rows == {"Ana Pires": {"Ana Pires", "Pires"}, "Rui Pires": {"Rui Pires"}}
    # Both introduced before the first bare use: nobody can tell, it stays its own row.
    rows = _rows({"a1": [("Ana Pires", P), ("Rui Pires", P), ("Pires", P)]})
    assert rows["Pires"] == {"Pires"} and rows["Rui Pires"] == {"Rui Pires"}


def test_title_written_before_a_tagged_surname_counts():
    # Taggers leave "Mr." outside the PERSON span; the title in the text still tells the reader
    # which Pires is meant, and makes a surname tagged GPE a person.
    text = "Ana Pires spoke first. Rui Pires replied. Mr. Pires said no. Ms Pires said yes."
    spans = []
    for i, (surface, label) in enumerate([("Ana Pires", P), ("Rui Pires", P), ("Pires", G), ("Pires", P)]):
        start = text.index(surface, spans[-1]["end"] if spans else 0)
        spans.append({"id": f"s{i}", "doc_id": "a1", "source": SOURCES["a"], "start": start,
                      "end": start + len(surface), "label": label, "layer": "entity", "text": surface,
                      "kind": None, "speaker": None, "speaker_span": None, "attrs": {}, "annotator": "ann",
                      "is_model": False, "ts": ""})
    documents = pd.DataFrame([{"doc_id": "a1", "source": SOURCES["a"], "title": "", "url": "", "published": "",
                               "sha256": "", "n_chars": len(text), "text": text}])
    m = entities.entity_mentions(pd.DataFrame(spans), documents)
    assert dict(zip(m["start"], m["entity"], strict=True)) == {
        0: "Ana Pires", text.index("Rui Pires"): "Rui Pires",
        text.index("Mr. Pires") + 4: "Rui Pires", text.index("Ms Pires") + 3: "Ana Pires"}
    assert set(m["label"]) == {P}


def test_an_acronym_spelled_out_elsewhere_joins_in_articles_that_only_abbreviate_it():
    rows = _rows({"a1": [("National Union of Railworkers", ORG), ("NUR", ORG)], "b1": [("N.U.R.", ORG)]})
    assert rows == {"National Union of Railworkers": {"National Union of Railworkers", "NUR", "N.U.R."}}
    # Spelled out as two different names: the bare acronym is not guessed.
    rows = _rows({"a1": [("National Union of Railworkers", ORG), ("NUR", ORG)],
                  "b1": [("Northern Uplands Railway", ORG), ("NUR", ORG)], "c1": [("NUR", ORG)]})
    assert rows["NUR"] == {"NUR"}


def test_compact_initials_are_the_display_form_on_a_tie():
    rows = _rows({"a1": [("J. R. Vance", P)], "b1": [("J.R. Vance", P)]})
    assert rows == {"J.R. Vance": {"J. R. Vance", "J.R. Vance"}}
