"""Property-based fuzzing of every importer (documents and annotations).

For every importer, hypothesis generates inputs: valid files with random
mutations (bytes deleted, inserted, lines duplicated, JSON values replaced by
values of the wrong type, hostile tokens such as lone surrogate escapes, deep
nesting, NaN, newlines in ids) and plain random bytes.  The property:

* the import succeeds and leaves a project without problems other than
  unknown labels, or
* it raises a :class:`toolkit.ToolkitError` whose message is one line naming
  the file, and the project's files are byte for byte what they were.

Any other exception fails the test.  Runs are derandomised (fixed seed), so a
failure reproduces.  The last test prints how many inputs were tried.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit as tk
from toolkit.formats import import_annotations
from toolkit.importers import add_to_project, read_located

TEXT = "Mayor Ilse Varga met the Harbo Council on Tuesday.\nThe council rejected the plan 🎉."
TRIED: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()
CASES = itertools.count()
EXAMPLES = 100

HOSTILE = [
    "\\ud800", "\\udfff", "[" * 3000, "{" * 50, "true", "false", "null", "NaN", "-Infinity", "1e999", "-1",
    "3.5", '"\\n"', "\n", "\r", "\t", "\x00", "\ufeff", "\u2028", ";", " ", "-DOCSTART-", "B-", "I-ORG", "O",
    '"id"', '"start"', '"label"', "{}", "[]", '"a\\n"', "../x", "0 4;6 9", "T9\tX 0 1\tM", "😀", "\xad",
]  # fmt: skip
WRONG_VALUES = [True, None, 17, -3, 2.5, float("nan"), [], {}, [1, "x"], {"k": "v"}, "", "a\n", "../up", "x" * 300]


def _prodigy() -> str:
    s = TEXT.index("Ilse Varga")
    rows = [
        {"text": TEXT, "meta": {"doc_id": "pv-1", "source": "Post"}, "answer": "accept", "_annotator_id": "ds-ann",
         "spans": [{"start": s, "end": s + 10, "label": "PERSON", "text": "Ilse Varga"}]},
        {"text": TEXT, "answer": "reject", "_session_id": "ds-ann", "spans": [{"start": 25, "end": 38, "label": "ORG"}]},
    ]  # fmt: skip
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _doccano() -> str:
    rows = [
        {"id": 1, "text": TEXT, "label": [[6, 16, "PERSON"], [25, 38, "ORG"]]},
        {"id": "dc-2", "text": "Velmora agreed.", "entities": [{"start_offset": 0, "end_offset": 7, "label": "GPE"}]},
    ]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _labelstudio() -> str:
    region = {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
              "value": {"start": 6, "end": 16, "text": "Ilse Varga", "labels": ["PERSON"]}}  # fmt: skip
    tasks = [{"id": 1, "data": {"text": TEXT, "doc_id": "ls-1"},
              "annotations": [{"id": 2, "completed_by": {"email": "a@b.c"}, "result": [region]}]}]  # fmt: skip
    return json.dumps(tasks, indent=1, ensure_ascii=False)


def _toolkit() -> str:
    line = {"id": "tk-1", "source": "Post", "title": "T", "url": "", "published": "", "text": TEXT,
            "annotator": "ann", "spans": [
                {"id": "s-1", "start": 6, "end": 16, "label": "PERSON", "text": "Ilse Varga", "attrs": {}},
                {"id": "s-2", "start": 51, "end": 83, "label": "CLAIM", "text": TEXT[51:83], "attrs": {"kind": "factual"}},
            ], "stances": [{"target": "Velmora", "value": "against", "claim": None},
                           {"target": "Velmora", "value": "neutral", "claim": "s-2"}],
            "links": []}  # fmt: skip
    return json.dumps(line, ensure_ascii=False) + "\n"


CONLL = "-DOCSTART- cn-1 ann\n\nMayor\tO\nIlse\tB-PERSON\nVarga\tI-PERSON\nmet\tO\n\nThe\tO\ncouncil\tB-ORG\n.\tO\n"
BRAT_ANN = "T1\tPERSON 6 16\tIlse Varga\nT2\tORG 25 31;32 38\tHarbo Council\nR1\tX Arg1:T1 Arg2:T2\n"
DOCS_JSONL = '{"id": "j-1", "source": "W", "text": "One.", "title": "t"}\n{"id": "j-2", "source": "W", "text": "Two."}\n'
DOCS_JSON = json.dumps([{"id": "js-1", "source": "W", "text": TEXT}, {"id": "js-2", "source": "W", "text": "B"}])
DOCS_CSV = 'id,source,title,text\nc-1,W,T,"Line one\nline two"\nc-2,W,,Other\n'

#: target -> (file name written, seed content, function running the import on the written path)
Runner = Callable[[tk.Project, Path, bool], None]


def _docs(proj: tk.Project, path: Path, _: bool) -> None:
    add_to_project(proj, read_located([path], source=None))


def _annotations(fmt: str) -> Runner:
    def run(proj: tk.Project, path: Path, with_annotator: bool) -> None:
        import_annotations(proj, [path], fmt, annotator="fuzz" if with_annotator else None)

    return run


TARGETS: dict[str, tuple[str, str, Runner]] = {
    "txt": ("Harbo Post/story.txt", TEXT, _docs),
    "jsonl": ("docs.jsonl", DOCS_JSONL, _docs),
    "json": ("docs.json", DOCS_JSON, _docs),
    "csv": ("docs.csv", DOCS_CSV, _docs),
    "tsv": ("docs.tsv", DOCS_CSV.replace(",", "\t"), _docs),
    "prodigy": ("tasks.jsonl", _prodigy(), _annotations("prodigy")),
    "doccano": ("doccano.jsonl", _doccano(), _annotations("doccano")),
    "brat": ("coll/story.ann", BRAT_ANN, _annotations("brat")),
    "brat-text": ("coll/story.txt", TEXT.replace("\n", "\r\n"), _annotations("brat")),
    "labelstudio": ("export.json", _labelstudio(), _annotations("labelstudio")),
    "conll": ("ner.conll", CONLL, _annotations("conll")),
    "toolkit": ("export.jsonl", _toolkit(), _annotations("toolkit")),
}


# --------------------------------------------------------------------------- mutations


def _replace_json_value(text: str, rnd: random.Random) -> str:
    """Parse a JSON (Lines) text, replace one value somewhere by a wrong-typed one, serialise again."""
    lines = text.splitlines()
    try:
        values = [json.loads(line) for line in lines] if len(lines) > 1 or text.endswith("\n") else [json.loads(text)]
    except (json.JSONDecodeError, RecursionError):  # already broken (or hostile nesting): leave it
        return text
    target = rnd.choice(values)
    node = target
    for _ in range(rnd.randint(1, 5)):
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        key = rnd.choice(keys)
        child = node[key]
        if not isinstance(child, dict | list) or rnd.random() < 0.3:
            node[key] = rnd.choice(WRONG_VALUES)
            break
        node = child
    if len(values) == 1 and not text.endswith("\n"):
        return json.dumps(values[0], ensure_ascii=False, indent=1)
    return "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values)


def mutate(text: str, ops: list[tuple[int, float, int]]) -> bytes:
    """Apply mutation ``ops`` (kind, position in [0, 1), payload index) to ``text``; return bytes."""
    data = text
    raw_tail = b""
    for kind, pos, k in ops:
        i = int(pos * (len(data) + 1))
        rnd = random.Random(k * 7919 + i)
        if kind == 0:  # delete a range
            data = data[:i] + data[i + 1 + k % 12 :]
        elif kind == 1:  # insert a hostile token
            data = data[:i] + HOSTILE[k % len(HOSTILE)] + data[i:]
        elif kind == 2:  # duplicate or drop a line
            lines = data.split("\n")
            j = k % len(lines)
            lines = lines[:j] + [lines[j]] * (2 if rnd.random() < 0.5 else 0) + lines[j + 1 :]
            data = "\n".join(lines)
        elif kind == 3 or kind >= 6:  # replace a JSON value by a wrong-typed one (weighted: 4 kinds of 10)
            data = _replace_json_value(data, rnd)
        elif kind == 4:  # change a digit (offsets, ids)
            digits = [m for m, ch in enumerate(data) if ch.isdigit()]
            if digits:
                d = digits[k % len(digits)]
                data = data[:d] + str(rnd.randint(0, 99)) + data[d + 1 :]
        elif kind == 5:  # invalid UTF-8 bytes at the end
            raw_tail = bytes([0xFF, 0xC0, 0x80][: 1 + k % 3])
    return data.encode("utf-8", "surrogatepass") + raw_tail


# --------------------------------------------------------------------------- the property


def snapshot(proj: tk.Project) -> dict[str, bytes]:
    """Every stored file of the project (lock files aside) with its bytes."""
    out = {}
    for root, _, files in os.walk(proj.path):
        for name in files:
            if name.endswith(".lock"):
                continue
            p = Path(root) / name
            out[str(p.relative_to(proj.path))] = p.read_bytes()
    return out


def check_one(area: tuple[Path, Path], target: str, data: bytes, with_annotator: bool) -> None:
    rel, _, run = TARGETS[target]
    case, proj = fresh(area)
    path = case / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if target == "brat":
        (path.with_suffix(".txt")).write_text(TEXT, encoding="utf-8")
    elif target == "brat-text":
        (path.with_suffix(".ann")).write_text(BRAT_ANN, encoding="utf-8")
    TRIED[target] += 1
    before = snapshot(proj)
    try:
        run(proj, path, with_annotator)
    except tk.ToolkitError as exc:
        msg = str(exc)
        assert "\n" not in msg and "\r" not in msg, f"error message spans lines: {msg!r}"
        assert path.name in msg or path.with_suffix(".ann").name in msg, f"error does not name the file: {msg!r}"
        assert snapshot(proj) == before, f"a failed import changed the project: {msg!r}"
        OUTCOMES["clean error"] += 1
        return
    OUTCOMES["imported"] += 1
    # records the import wrote must fit (unknown labels are kept on purpose); an older stance or link may
    # lose its claim when the file changes that span, which the store reports as a reference problem
    old_lines = {name: data.count(b"\n") for name, data in before.items()}
    problems = [
        p for p in proj.validate()
        if p.kind != "unknown-label"
        and not (p.kind == "bad-reference" and p.line <= old_lines.get(str(Path(p.file).relative_to(proj.path)), 0))
    ]  # fmt: skip
    assert not problems, f"import stored records with problems: {problems[:3]}"


@pytest.fixture(scope="module")
def area(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A work folder and a template project (copied for every input, so inputs do not depend on each other)."""
    root = tmp_path_factory.mktemp("fuzz")
    proj = tk.Project.init(root / "template", schema=tk.LabelSchema.default(["Velmora"]))
    proj.add_documents([tk.Document.create("pv-1", "Post", TEXT), tk.Document.create("tk-1", "Post", TEXT)])
    proj.add_documents([tk.Document.create("j-1", "W", "Other text.")])
    span = proj.add_span("tk-1", 51, 83, "CLAIM", annotator="ann")
    proj.set_stance("tk-1", "Velmora", "favour", annotator="ann", claim=span.id)
    proj.add_span("pv-1", 6, 16, "PERSON", annotator="ann")
    return root, proj.path


def fresh(area: tuple[Path, Path]) -> tuple[Path, tk.Project]:
    root, template = area
    case = root / f"case{next(CASES)}"
    shutil.copytree(template, case / "proj")
    return case, tk.Project.open(case / "proj")


FUZZ = settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
OPS = st.lists(st.tuples(st.integers(0, 9), st.floats(0, 1, exclude_max=True), st.integers(0, 10_000)), max_size=3)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_mutated_valid_files(area: tuple[Path, Path], target: str) -> None:
    @FUZZ
    @given(ops=OPS, with_annotator=st.integers(0, 3).map(bool))
    def prop(ops: list[tuple[int, float, int]], with_annotator: bool) -> None:
        check_one(area, target, mutate(TARGETS[target][1], ops), with_annotator)

    prop()


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_random_bytes(area: tuple[Path, Path], target: str) -> None:
    @settings(FUZZ, max_examples=EXAMPLES // 3)
    @given(data=st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
    def prop(data: bytes) -> None:
        check_one(area, target, data, True)

    prop()


def test_zz_fuzz_count(capsys: pytest.CaptureFixture[str]) -> None:
    """Report how many inputs the fuzz tests tried (runs last in this file)."""
    total = sum(TRIED.values())
    with capsys.disabled():
        print(
            f"\nfuzz: {total} inputs over {len(TRIED)} importers "
            f"({', '.join(f'{k} {v}' for k, v in sorted(TRIED.items()))}); "
            f"{OUTCOMES['imported']} imported, {OUTCOMES['clean error']} clean errors"
        )
    assert set(TRIED) <= set(TARGETS)
    assert all(n >= EXAMPLES // 3 for n in TRIED.values())
