"""Pure analysis functions of toolkit.compare on small hand-made frames (values by hand)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from toolkit.compare import claims, entities, profiles, stances
from toolkit.compare._layers import parse_layer_arg, select_layer
from toolkit.errors import CorruptFileError, ValidationError

T1 = "Ms Jane Doe met Mayor Tom Roe. Doe's plan was praised by Roe and by Jane Doe herself."
T2 = "JANE DOE spoke. Doe said the plan is sound. Harbour Board officials agreed with Dr. Doe."
T3 = "The Harbour Board met. Roe was absent."


def _docs() -> pd.DataFrame:
    rows = [("d1", "Alpha", T1), ("d2", "Beta", T2), ("d3", "Gamma", T3)]
    return pd.DataFrame([{"doc_id": d, "source": s, "title": "", "url": "", "published": "",
                          "sha256": "", "n_chars": len(t), "text": t} for d, s, t in rows])


def _span(doc: str, text: str, sub: str, label: str, annotator: str = "ann", nth: int = 0,
          layer: str = "entity", sid: str | None = None, speaker: str | None = None,
          kind: str | None = None, source: str = "") -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return {"id": sid or f"{annotator}:{doc}:{start}", "doc_id": doc, "source": source,
            "start": start, "end": start + len(sub), "label": label, "layer": layer, "text": sub,
            "kind": kind, "speaker": speaker, "speaker_span": None, "attrs": {},
            "annotator": annotator, "is_model": annotator.startswith("model:"), "ts": ""}


def _entity_spans(annotator: str = "ann") -> pd.DataFrame:
    rows = [
        _span("d1", T1, "Ms Jane Doe", "PERSON", annotator, source="Alpha"),
        _span("d1", T1, "Mayor Tom Roe", "PERSON", annotator, source="Alpha"),
        _span("d1", T1, "Doe's", "PERSON", annotator, source="Alpha"),
        _span("d1", T1, "Roe", "PERSON", annotator, nth=1, source="Alpha"),
        _span("d1", T1, "Jane Doe", "PERSON", annotator, nth=1, source="Alpha"),
        _span("d2", T2, "JANE DOE", "PERSON", annotator, source="Beta"),
        _span("d2", T2, "Doe", "PERSON", annotator, source="Beta"),  # "Doe said"
        _span("d2", T2, "Harbour Board", "ORG", annotator, source="Beta"),
        _span("d2", T2, "Dr. Doe", "PERSON", annotator, source="Beta"),
        _span("d3", T3, "The Harbour Board", "ORG", annotator, source="Gamma"),
        _span("d3", T3, "Roe", "PERSON", annotator, source="Gamma"),
    ]
    return pd.DataFrame(rows)


# -- layers --------------------------------------------------------------------------------------

def test_layer_selection():
    df = pd.DataFrame({"annotator": ["ana", "ben", "gold", "model:x@1", "model:y@2"],
                       "is_model": [False, False, False, True, True]})
    assert select_layer(df, "ana")["annotator"].tolist() == ["ana"]
    assert select_layer(df, "model")["annotator"].tolist() == ["model:x@1", "model:y@2"]
    assert select_layer(df, "human")["annotator"].tolist() == ["ana", "ben", "gold"]
    assert select_layer(df, ["gold", "model"])["annotator"].tolist() == ["gold", "model:x@1", "model:y@2"]
    assert select_layer(df, None)["annotator"].tolist() == ["gold"]
    assert select_layer(df[df.annotator != "gold"], None)["annotator"].tolist() == ["ana", "ben"]
    assert len(select_layer(df, "all")) == 5
    with pytest.raises(ValidationError):
        select_layer(df, [])
    assert parse_layer_arg("ana, ben") == ["ana", "ben"] and parse_layer_arg("gold") == "gold"
    assert parse_layer_arg(None) is None


# -- entities ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,clean", [
    ("Ms Jane Doe", "Jane Doe"), ("Jane Doe's", "Jane Doe"), ("Dr. Doe", "Doe"),
    ("Mayor Tom Roe", "Tom Roe"), ("the Harbour Board", "Harbour Board"), ("  Jane\n Doe ", "Jane Doe"),
    ("Prime Minister Ilse Marković", "Ilse Marković"), ("Ms", "Ms"), ("the Joneses'", "Joneses"),
])
def test_clean_surface(raw, clean):
    assert entities.clean_surface(raw) == clean


def test_entity_mentions_normalise_surface_forms():
    m = entities.entity_mentions(_entity_spans(), _docs())
    assert len(m) == 11
    mat = entities.entity_matrix(m)
    # Hand count: Jane Doe: d1 "Ms Jane Doe", "Doe's", "Jane Doe" = 3; d2 "JANE DOE", "Doe", "Dr. Doe" = 3.
    # Tom Roe: d1 "Mayor Tom Roe", "Roe" = 2.  d3 only says "Roe": a match across documents is
    # uncertain, so it is its own row and a merge proposal; accepted, it counts for Tom Roe.
    # Harbour Board: Beta 1, Gamma 1.
    assert mat.loc["Jane Doe"].to_dict() == {"Alpha": 3, "Beta": 3, "Gamma": 0}
    assert mat.loc["Tom Roe"].to_dict() == {"Alpha": 2, "Beta": 0, "Gamma": 0}
    assert mat.loc["Roe"].to_dict() == {"Alpha": 0, "Beta": 0, "Gamma": 1}
    assert mat.loc["Harbour Board"].to_dict() == {"Alpha": 0, "Beta": 1, "Gamma": 1}
    assert list(mat.index) == ["Jane Doe", "Harbour Board", "Tom Roe", "Roe"]  # by total: 6, 2, 2, 1
    shares = entities.entity_shares(m)
    assert shares["Alpha"].sum() == pytest.approx(1.0)
    assert shares.loc["Jane Doe", "Alpha"] == pytest.approx(3 / 5)
    only = entities.exclusive_entities(m)
    assert only[["entity", "source"]].values.tolist() == [["Tom Roe", "Alpha"], ["Roe", "Gamma"]]
    proposals = entities.propose_merges(_entity_spans())
    assert proposals[["alias", "canonical", "rule"]].values.tolist() == [["Roe", "Tom Roe", "surname"]]
    accepted = entities.entity_matrix(entities.entity_mentions(_entity_spans(), _docs(), merges={"Roe": "Tom Roe"}))
    assert accepted.loc["Tom Roe"].to_dict() == {"Alpha": 2, "Beta": 0, "Gamma": 1}


def test_first_mentions_offsets_and_relative_position():
    m = entities.entity_mentions(_entity_spans(), _docs())
    fm = entities.first_mentions(m).set_index(["entity", "doc_id"])
    assert fm.loc[("Jane Doe", "d1"), "first_start"] == 0
    assert fm.loc[("Tom Roe", "d1"), "first_start"] == T1.index("Mayor Tom Roe")
    assert fm.loc[("Roe", "d3"), "rel_pos"] == pytest.approx(round(T3.index("Roe") / len(T3), 4))
    mat = entities.first_mention_matrix(m)
    assert math.isnan(mat.loc["Tom Roe", "Beta"])


def test_surname_prefers_the_same_document_and_stays_unresolved_when_ambiguous():
    norm = entities.EntityNormalizer().fit([
        ("d1", "PERSON", "Jane Doe"), ("d2", "PERSON", "John Doe"), ("d3", "PERSON", "Doe")])
    assert norm.canonical("Doe", "d1", "PERSON") == "Jane Doe"
    assert norm.canonical("Ms Doe", "d2", "PERSON") == "John Doe"
    assert norm.canonical("Doe", "d3", "PERSON") == "Doe"  # two full names in the corpus
    assert norm.canonical("Doe", "d1", "ORG") == "Doe"     # only PERSON mentions are resolved


def test_merges_file_is_atomic_json_and_applied(tmp_path):
    assert entities.load_merges(tmp_path) == {}
    entities.add_merge(tmp_path, "Harbour Board", "Harbour Authority")
    merges = entities.add_merge(tmp_path, "Ms Jane Doe", "Jane A. Doe")
    data = json.loads((tmp_path / "entity_merges.json").read_text("utf-8"))
    assert data == {"version": 1, "merges": {"Harbour Board": "Harbour Authority", "Jane Doe": "Jane A. Doe"}}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    m = entities.entity_mentions(_entity_spans(), _docs(), merges=merges)
    mat = entities.entity_matrix(m)
    assert mat.loc["Jane A. Doe"].sum() == 6 and "Jane Doe" not in mat.index
    assert mat.loc["Harbour Authority"].sum() == 2
    with pytest.raises(ValidationError, match="cycle"):
        entities.add_merge(tmp_path, "Jane A. Doe", "Jane Doe")
    with pytest.raises(ValidationError, match="same name"):
        entities.add_merge(tmp_path, "Doe", "doe")
    assert entities.remove_merge(tmp_path, "harbour board") == {"Jane Doe": "Jane A. Doe"}
    (tmp_path / "entity_merges.json").write_text("{not json", "utf-8")
    with pytest.raises(CorruptFileError, match="entity_merges.json"):
        entities.load_merges(tmp_path)


def test_two_annotators_overlapping_mentions_count_once():
    ana = _entity_spans("ana")
    ben = pd.DataFrame([
        _span("d1", T1, "Jane Doe", "PERSON", "ben", source="Alpha"),       # inside ana's "Ms Jane Doe"
        _span("d3", T3, "Harbour Board", "ORG", "ben", source="Gamma"),     # inside "The Harbour Board"
        _span("d3", T3, "Roe", "PERSON", "ben", source="Gamma"),            # same offsets as ana
    ])
    m = entities.entity_mentions(pd.concat([ana, ben]), _docs(), layer=["ana", "ben"])
    assert len(m) == 11
    assert entities.entity_mentions(pd.concat([ana, ben]), _docs(), layer="ben")["entity"].tolist() == [
        "Jane Doe", "Harbour Board", "Roe"]


# -- claims --------------------------------------------------------------------------------------

def _claim_frames():
    texts = {
        "a1": ("Alpha", "The bridge will reopen on Monday after repairs to the deck."),
        "a2": ("Alpha", "Traffic fell by a third during the closure."),
        "b1": ("Beta", "After deck repairs, the bridge reopens on Monday."),
        "b2": ("Beta", "The council blamed the contractor for the delay."),
        "c1": ("Gamma", "Officials say the bridge will reopen Monday once the deck is repaired."),
        "c2": ("Gamma", "Shops near the bridge lost customers during the closure."),
    }
    rows = []
    for cid, (src, text) in texts.items():
        rows.append({"id": cid, "doc_id": "doc-" + cid[0], "source": src, "start": 0 if cid[1] == "1" else 100,
                     "end": 50 if cid[1] == "1" else 150, "label": "CLAIM", "layer": "claim", "text": text,
                     "kind": "factual", "speaker": {"a1": "the council", "b1": None, "c1": "officials"}.get(cid),
                     "speaker_span": None, "attrs": {}, "annotator": "ana", "is_model": False, "ts": ""})
    spans = pd.DataFrame(rows)
    links = pd.DataFrame([{"id": "l1", "a": "a1", "b": "b1", "doc_a": "doc-a", "doc_b": "doc-b",
                           "annotator": "ana", "is_model": False, "ts": ""},
                          {"id": "l2", "a": "b2", "b": "zz", "doc_a": "doc-b", "doc_b": "doc-z",
                           "annotator": "ana", "is_model": False, "ts": ""}])
    return spans, links


def test_claim_clusters_matrix_exclusive_and_attribution():
    spans, links = _claim_frames()
    cl = claims.claim_clusters(spans, links)
    # a1-b1 linked; l2 points at an unknown claim and is ignored; 5 clusters in document order:
    # C1 {a1, b1}, C2 {a2}, C3 {b2}, C4 {c1}, C5 {c2}
    assert cl.groupby("cluster")["claim_id"].apply(sorted).to_dict() == {
        "C1": ["a1", "b1"], "C2": ["a2"], "C3": ["b2"], "C4": ["c1"], "C5": ["c2"]}
    mat = claims.cluster_matrix(cl)
    assert mat.loc["C1"].to_dict() == {"Alpha": 1, "Beta": 1, "Gamma": 0}
    assert claims.exclusive_claims(cl)["cluster"].tolist() == ["C2", "C3", "C4", "C5"]
    attr = claims.claim_attributions(cl)
    assert attr.loc["C1"].to_dict() == {"Alpha": "the council", "Beta": "(unattributed)", "Gamma": ""}
    labelled = claims.cluster_matrix(cl, labelled=True)
    assert labelled.index[0].startswith("C1: The bridge will reopen")


def test_suggest_links_ranks_the_paraphrase_first():
    spans, links = _claim_frames()
    sug = claims.suggest_links(spans, links, min_score=0.05)
    # c1 paraphrases the already-linked a1/b1 cluster: its pairs with a1 and b1 rank on top;
    # a1-b1 itself is already linked and never suggested.
    assert set(sug.head(2)[["a", "b"]].apply(frozenset, axis=1)) == {frozenset({"a1", "c1"}), frozenset({"b1", "c1"})}
    assert not ((sug["a"] == "a1") & (sug["b"] == "b1")).any()
    assert sug["score"].is_monotonic_decreasing and sug["score"].between(0, 1).all()
    assert claims.suggest_links(spans, links, min_score=0.99).empty
    assert len(claims.suggest_links(spans, links, min_score=0.0, top=2)) == 2


def test_similarity_matrix_is_cosine():
    sim = claims.similarity_matrix(["river flood warning", "river flood warning", "budget vote"]).toarray()
    assert sim[0, 1] == pytest.approx(1.0, abs=1e-6) and sim[0, 2] == 0.0
    assert claims.similarity_matrix(["the", "a"]).nnz == 0  # stop words only


# -- stances -------------------------------------------------------------------------------------

def test_private_alpha_matches_published_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example:
    # 4 coders x 12 units, alpha = 0.743.
    nan = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    assert stances.krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)
    with pytest.warns(RuntimeWarning):
        assert math.isnan(stances.krippendorff_alpha([["a", "a"], ["a", "a"]]))  # no variation
    assert stances.krippendorff_alpha([["a", "b"], ["b", "a"]]) == pytest.approx(-0.5)  # by hand: 1 - 4/ (4*4-8)/3


def _stance_frame() -> pd.DataFrame:
    rows = []
    vals = {  # (doc, source, target): {annotator: value}
        ("d1", "Alpha", "dam"): {"ana": "favour", "ben": "favour", "gold": "favour"},
        ("d2", "Alpha", "dam"): {"ana": "against", "ben": "favour", "gold": "against"},
        ("d3", "Beta", "dam"): {"ana": "neutral", "ben": "neutral"},
        ("d4", "Beta", "dam"): {"ana": "against", "ben": "against"},
        ("d3", "Beta", "deal"): {"ana": "none"},
    }
    for (doc, src, target), by in vals.items():
        for ann, v in by.items():
            rows.append({"id": f"st:{doc}::{target}", "doc_id": doc, "source": src, "claim_id": None,
                         "target": target, "value": v, "annotator": ann, "is_model": False, "ts": ""})
    return pd.DataFrame(rows)


def test_stance_distribution_and_agreement():
    st = _stance_frame()
    dist = stances.stance_distribution(st)  # default layer: gold exists -> gold
    assert dist.loc[("Alpha", "dam")].to_dict() == {"favour": 1, "against": 1, "neutral": 0, "none": 0, "n": 2}
    assert ("Beta", "dam") not in dist.index
    human = stances.stance_distribution(st, layer=["ana", "ben"], shares=True)
    assert human.loc[("Alpha", "dam"), "favour"] == pytest.approx(0.75)
    agr = stances.stance_agreement(st)  # ana and ben, not gold
    # Alpha/dam: units d1 (favour, favour), d2 (against, favour): 1 of 2 pairs agree.
    # Coincidences: favour-favour 2, against-favour 1, favour-against 1; n=4, n_favour=3, n_against=1
    # D_o = 2, D_e = (16 - 9 - 1) / 3 = 2 -> alpha = 0.0 (by hand).
    assert agr.loc[("Alpha", "dam"), "percent_agreement"] == 0.5
    assert agr.loc[("Alpha", "dam"), "alpha"] == pytest.approx(0.0)
    # Beta/dam: perfect agreement over two values: D_o = 0 -> alpha 1.
    assert agr.loc[("Beta", "dam"), "alpha"] == pytest.approx(1.0)
    # Beta/deal: one annotator -> nothing pairable.
    assert agr.loc[("Beta", "deal"), "pairable"] == 0 and math.isnan(agr.loc[("Beta", "deal"), "alpha"])
    table = stances.stance_table(st, layer="ana")
    assert {"favour", "n", "alpha", "percent_agreement"} <= set(table.columns)
    assert table.loc[("Beta", "deal"), "none"] == 1


def test_stance_level_filter():
    st = _stance_frame()
    st.loc[0, "claim_id"] = "c1"
    assert stances.stance_distribution(st, "all", level="claim")["n"].sum() == 1
    assert stances.stance_distribution(st, "all", level="document")["n"].sum() == len(st) - 1
    with pytest.raises(ValidationError):
        stances.stance_distribution(st, level="paragraph")


# -- profiles ------------------------------------------------------------------------------------

def test_profiles_count_quoted_text_once():
    text = 'He said "one two three four" and "five six seven".'
    docs = pd.DataFrame([{"doc_id": "x", "source": "S", "text": text, "n_chars": len(text)},
                         {"doc_id": "y", "source": "S", "text": "No quotes here.", "n_chars": 15}])
    a, b = text.index("one"), text.index("four") + 4
    c, d = text.index("five"), text.index("seven") + 5
    quotes = pd.DataFrame([
        {"doc_id": "x", "inner_start": a, "inner_end": b, "speaker": "He"},
        {"doc_id": "x", "inner_start": a + 4, "inner_end": b, "speaker": ""},   # nested: counted once
        {"doc_id": "x", "inner_start": c, "inner_end": d, "speaker": "Roe"},
    ])
    prof = profiles.source_profiles(docs, quotes)
    row = prof.loc["S"]
    assert row["documents"] == 2 and row["chars"] == len(text) + 15
    assert row["words"] == 10 + 3 and row["quotations"] == 3
    assert row["quoted_chars"] == (b - a) + (d - c)
    assert row["quote_share"] == pytest.approx(round(((b - a) + (d - c)) / (len(text) + 15), 4))
    assert row["speakers_quoted"] == 2
    assert np.issubdtype(prof["chars"].dtype, np.integer)
