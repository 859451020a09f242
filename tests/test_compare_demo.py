"""toolkit.compare on the bundled demo corpus.

Expected values are taken from the hand-checked ground truth in ``toolkit/demo/README.md``
(quoted sections named in the comments), not from this package's output.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

from toolkit.compare import claims, entities, profiles, quotes, stances
from toolkit.compare.report import Comparison
from toolkit.demo import build_demo

M, N, H, S = "Meridian Press Agency", "Northgate Wire", "The Calder Herald", "The Castavel Standard"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "proj"
    proj = build_demo(path)
    return path, proj.load()


def test_words_per_document_match_the_readme(demo):
    _, f = demo
    # README "Documents, outlets and leanings": words 465 / 505 / 481 / 419
    q = quotes.document_quotations(f.documents, f.spans, "ana")
    prof = profiles.source_profiles(f.documents, q, f.spans, "ana")
    assert prof["words"].to_dict() == {M: 465, N: 505, H: 481, S: 419}
    assert (prof["documents"] == 1).all() and (prof["claims"] == 8).all()  # "8 per doc"


def test_shared_quotations_q1_q2_q3(demo):
    _, f = demo
    q = quotes.document_quotations(f.documents, f.spans, layer=["ana", "ben"])
    m = quotes.match_quotations(q)
    # README "Shared quotations": Q1 in meridian+standard, Q2 in meridian+northgate+herald (3 pairs),
    # Q3 in meridian+northgate as two quotations (the attribution sits between the sentences).
    pairs = sorted(tuple(sorted((a, b))) for a, b in zip(m["doc_a"], m["doc_b"], strict=True))
    assert pairs == sorted([
        ("meridian-001", "standard-001"),                                       # Q1
        ("calder-herald-001", "meridian-001"), ("meridian-001", "northgate-001"),
        ("calder-herald-001", "northgate-001"),                                 # Q2
        ("meridian-001", "northgate-001"), ("meridian-001", "northgate-001"),   # Q3, two sentences
    ])
    by_speaker = m.groupby("speaker_a").size().to_dict()
    assert by_speaker == {"Dario Venn": 1, "Ilse Marković": 3, "Agnès Fairlie": 2}
    assert (m["speaker_a"] == m["speaker_b"]).all()
    q1 = m[m["speaker_a"] == "Dario Venn"].iloc[0]
    # README: ", but" becomes " ...", "run" becomes "managed"
    assert "[-but-] {+\u2026+}" in q1["diff"] and "[-run-] {+managed+}" in q1["diff"]
    q2 = m[(m["doc_a"] == "meridian-001") & (m["doc_b"] == "northgate-001") & (m["speaker_a"] == "Ilse Marković")]
    assert q2.iloc[0]["diff"].count("[-the first-] {+a+}") == 1  # "the first wall" -> "a wall"
    herald = m[{"calder-herald-001", "meridian-001"} == m[["doc_a", "doc_b"]].apply(set, axis=1)]
    assert herald.iloc[0]["similarity"] == 1.0  # same words, different quote marks
    groups = quotes.shared_quotations(q, m)
    assert sorted(groups["n_sources"].tolist()) == [2, 2, 2, 3]


def test_attribution_heuristic_without_claims(demo):
    _, f = demo
    ents = f.spans[(f.spans["layer"] == "entity")]
    q = quotes.document_quotations(f.documents, ents, layer="ana").set_index("quote_id")
    first = {d: g.iloc[0] for d, g in q.groupby("doc_id")}
    # README: meridian Q1 "Venn said" -> Dario Venn; the Herald's first quotation is Q2 ("Ms X said")
    assert first["meridian-001"]["speaker"] == "Dario Venn"
    assert first["calder-herald-001"]["speaker"] == "Ilse Marković"
    # meridian's Q2 is attributed with "she said"; her name is in the sentence before.
    q2 = q[(q["doc_id"] == "meridian-001") & q["text"].str.startswith("A river")].iloc[0]
    assert (q2["speaker_as_written"], q2["speaker"]) == ("she", "Ilse Marković")
    # northgate's Q2: "according to Prime Minister Ilse Marković"
    q2n = q[(q["doc_id"] == "northgate-001") & q["text"].str.startswith("A river")].iloc[0]
    assert q2n["speaker"] == "Ilse Marković"
    # Multi-sentence quotation with "said X": Mireille Dussart; two-sentence Reyle quotation
    # with the attribution in the middle: both halves Tomás Reyle.
    assert "Mireille Dussart" in set(q[q["doc_id"] == "northgate-001"]["speaker"])
    herald = q[q["doc_id"] == "calder-herald-001"]
    assert (herald["speaker"] == "Tomás Reyle").sum() == 2


def test_person_entity_matrix_for_ana(demo):
    _, f = demo
    m = entities.entity_mentions(f.spans, f.documents, layer="ana", labels=["PERSON"])
    mat = entities.entity_matrix(m)
    # README "Entity names each document mentions" (agreed spans) plus ana's side of
    # "Deliberate disagreements" (President Dario Venn [meridian], Marković x2 and
    # President Venn [herald/standard]).
    assert mat.loc["Ilse Marković"].to_dict() == {M: 2, N: 2, H: 4, S: 1}
    assert mat.loc["Dario Venn"].to_dict() == {M: 2, N: 3, H: 2, S: 4}
    assert mat.loc["Agnès Fairlie"].to_dict() == {M: 2, N: 2, H: 1, S: 0}
    assert mat.loc["Rasmus Tell"].to_dict() == {M: 0, N: 1, H: 0, S: 1}
    only = entities.exclusive_entities(m)
    assert dict(zip(only["entity"], only["source"], strict=True)) == {
        "Jonas Whitlow": N, "Mireille Dussart": N, "Oskar Lindqvist": H, "Tomás Reyle": H, "Katalin Sárossy": S}
    # ben marks "Ms Marković" where ana marks "Marković": with both annotators the overlapping
    # mentions count once, so the Herald still has 4.
    both = entities.entity_matrix(entities.entity_mentions(f.spans, f.documents, ["ana", "ben"], labels=["PERSON"]))
    assert both.loc["Ilse Marković", H] == 4


def test_gpe_counts_and_first_mention(demo):
    _, f = demo
    m = entities.entity_mentions(f.spans, f.documents, layer="ana", labels=["GPE"])
    mat = entities.entity_matrix(m)
    # README agreed GPE spans; ana adds CASTAVEL (meridian dateline).  "Velmora" x6/6/4/4.
    assert mat.loc["Velmora"].to_dict() == {M: 6, N: 6, H: 4, S: 4}
    assert mat.loc["Castavel"].to_dict() == {M: 2, N: 1, H: 2 + 1, S: 2 + 1}  # + ana's metonymy GPEs
    fm = entities.first_mentions(m)
    row = fm[(fm["entity"] == "Velmora") & (fm["doc_id"] == "meridian-001")].iloc[0]
    assert row["first_start"] == 0  # the headline starts with "Velmora"


def test_claim_clusters_per_annotator(demo):
    _, f = demo
    # README "Claim links": ana has 6 multi-claim clusters (13 claims), ben 5 (11 claims);
    # with 32 claims each that is 6 + 19 = 25 and 5 + 21 = 26 clusters.
    for ann, n_clusters, n_multi in (("ana", 25, 6), ("ben", 26, 5)):
        cl = claims.claim_clusters(f.spans, f.links, layer=ann)
        assert cl["cluster"].nunique() == n_clusters
        assert (cl.groupby("cluster")["cluster_sources"].first() > 1).sum() == n_multi
        assert len(claims.exclusive_claims(cl)) == n_clusters - n_multi
    cl = claims.claim_clusters(f.spans, f.links, layer="ana")
    mat = claims.cluster_matrix(cl)
    sizes = cl.drop_duplicates("cluster").set_index("cluster")["cluster_size"]
    q2 = sizes[sizes == 3].index.tolist()
    assert len(q2) == 1  # only the Marković quotation has three claims
    assert mat.loc[q2[0]].to_dict() == {M: 1, N: 1, H: 1, S: 0}
    attr = claims.claim_attributions(cl)
    assert attr.loc[q2[0]].to_dict() == {M: "Ilse Marković", N: "Ilse Marković", H: "Ilse Marković", S: ""}
    # "Velmora offers to share flow data": Northgate's claim c3 has ana's speaker
    # "Velmora's presidential office" (README, Claims table)
    flow = cl[cl["text"].str.startswith("Velmora's presidential office said Venn had offered")].iloc[0]
    assert attr.loc[flow["cluster"], N] == "Velmora's presidential office"
    assert flow["cluster_sources"] == 2


def test_suggested_links_find_the_link_only_ana_made(demo):
    _, f = demo
    # README: the Accord-flow link (northgate c8 - standard c4, 57 vs 63 m3/s) was made only by
    # ana.  For ben's annotations it should be the top suggestion.
    sug = claims.suggest_links(f.spans, f.links, layer="ben", cross_source=True)
    top = sug.iloc[0]
    assert {top["doc_a"], top["doc_b"]} == {"northgate-001", "standard-001"}
    texts = top["text_a"] + " " + top["text_b"]
    assert "57 cubic metres per second" in texts and "63 cubic metres per second" in texts
    # For ana it is already linked and must not be suggested again.
    sug_ana = claims.suggest_links(f.spans, f.links, layer="ana", cross_source=True, min_score=0.0)
    pair = sug_ana["text_a"].str.contains("57 cubic") & sug_ana["text_b"].str.contains("63 cubic")
    pair |= sug_ana["text_b"].str.contains("57 cubic") & sug_ana["text_a"].str.contains("63 cubic")
    assert not pair.any()


def test_document_level_stances_and_agreement(demo):
    _, f = demo
    dist = stances.stance_distribution(f.stances, layer="ana", level="document")
    # README "The document-level values both annotators give" + ana's column of the 3 disagreements
    assert dist.loc[(S, "Velmora"), "favour"] == 1 and dist.loc[(H, "Velmora"), "against"] == 1
    assert dist.loc[(M, "the water-sharing deal"), "neutral"] == 1
    assert dist.loc[(N, "the water-sharing deal"), "favour"] == 1
    assert dist["n"].sum() == 16
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        agr = stances.stance_agreement(f.stances, level="document")
    # 16 (doc, target) pairs, each one unit coded by ana and ben; they differ on exactly 3.
    assert (agr["n_annotators"] == 2).all() and (agr["n_items"] == 1).all()
    disagree = agr[agr["percent_agreement"] == 0.0].index.tolist()
    assert sorted(disagree) == sorted([(M, "the water-sharing deal"), (H, "the water-sharing deal"),
                                       (H, "Tarn Basin Council")])
    # one unit, two different values: D_o = D_e = 2 -> alpha 0 (by hand)
    assert (agr.loc[disagree, "alpha"] == 0.0).all()


def test_claim_level_stances(demo):
    _, f = demo
    dist = stances.stance_distribution(f.stances, layer=["ana", "ben"], level="claim")
    # README "Claim-level stances": 4 per annotator; Velmora against on meridian c4 and herald c6
    # by both; ana: standard c9 Velmora favour, northgate c7 deal favour; ben: standard c6
    # Ostrand against, standard c2 Velmora favour.
    assert dist["n"].sum() == 8
    assert dist.loc[(M, "Velmora"), "against"] == 2 and dist.loc[(H, "Velmora"), "against"] == 2
    assert dist.loc[(S, "Velmora"), "favour"] == 2 and dist.loc[(S, "Ostrand"), "against"] == 1


def test_comparison_object_and_cli(demo, env_with_repo):
    path, _ = demo
    cmp = Comparison.from_project(path, layer="ana")
    assert "sources=4" in repr(cmp) and cmp.sources == sorted([M, N, H, S])
    assert len(cmp.quote_matches) == 6
    run = [sys.executable, "-m", "toolkit.cli", "--project", str(path), "compare"]
    out = subprocess.run([*run, "quotes", "--format", "csv"], capture_output=True, text=True, env=env_with_repo,
                         check=True).stdout
    lines = out.strip().splitlines()
    # issue 10: each row says which kind of match it is and how much of each side it covers
    assert lines[0] == "match,similarity,cover_a,cover_b,source_a,speaker_a,text_a,source_b,speaker_b,text_b,diff"
    assert len(lines) == 7 and "Dario Venn" in out and "{+managed+}" in out
    for view in ("entities", "claims", "stances", "profiles", "links"):
        res = subprocess.run([*run, view, "--layer", "ana"], capture_output=True, text=True, env=env_with_repo)
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip()
    table = subprocess.run([*run, "profiles", "--layer", "ana"], capture_output=True, text=True,
                           env=env_with_repo).stdout
    assert "465" in table and "Northgate Wire" in table
    bad = subprocess.run([sys.executable, "-m", "toolkit.cli", "--project", str(path / "missing"), "compare",
                          "entities"], capture_output=True, text=True, env=env_with_repo)
    assert bad.returncode == 1 and "project folder not found" in bad.stderr and "Traceback" not in bad.stderr
    merge = subprocess.run([*run, "merge", "Venn", "Dario Venn"], capture_output=True, text=True,
                           env=env_with_repo)
    assert merge.returncode == 0 and (path / "entity_merges.json").exists()
    (path / "entity_merges.json").unlink()
