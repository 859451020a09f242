"""Importers: .txt folders, JSON Lines, CSV; every bad input gets an error naming file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import toolkit as tk
from toolkit.importers import looks_like_headline, read_any, read_csv, read_jsonl, read_txt, slugify


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_txt_folder_source_from_folder_name_and_title_from_first_line(tmp_path: Path) -> None:
    write(tmp_path / "Harbour Wire" / "Call report.txt", "\ufeffLeaders talk\r\n\r\nVenn called Marković.\r\n")
    write(tmp_path / "Harbour Wire" / "second.txt", "Another story")
    docs = read_txt([tmp_path / "Harbour Wire"])
    assert [(d.id, d.source, d.title) for d in docs] == [
        ("Call-report", "Harbour Wire", "Leaders talk"),
        ("second", "Harbour Wire", "Another story"),
    ]
    assert docs[0].text == "Leaders talk\n\nVenn called Marković.\n"  # BOM and CRLF normalised
    assert read_txt([tmp_path / "Harbour Wire"], source="HW")[0].source == "HW"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.txt", b"caf\xe9 au lait", r"bad\.txt: not valid UTF-8 \(byte 3, line 1\)"),
        ("empty.txt", b"  \n\n", r"empty\.txt: file is empty"),
        ("!!!.txt", b"text", r"cannot make a document id"),
    ],
)
def test_txt_bad_inputs(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    f = write(tmp_path / "src" / name, data)
    with pytest.raises(tk.ImportFormatError, match=message):
        read_txt([f])


def test_txt_duplicate_ids_after_slugging_are_named(tmp_path: Path) -> None:
    a = write(tmp_path / "a" / "story one.txt", "x")
    b = write(tmp_path / "b" / "story-one.txt", "y")
    with pytest.raises(tk.ImportFormatError, match="duplicate document id 'story-one'.*story one.txt.*story-one.txt"):
        read_txt([a, b])


def test_slugify_cannot_escape_the_folder() -> None:
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Ünïcödé name") == "Unicode-name"


def test_jsonl_with_mapping(tmp_path: Path) -> None:
    f = write(tmp_path / "a.jsonl", json.dumps({"aid": "n-1", "outlet": "Wire", "body": "Text one", "headline": "H"}) + "\n\n")
    (doc,) = read_jsonl(f, mapping={"id": "aid", "source": "outlet", "text": "body", "title": "headline"})
    assert (doc.id, doc.source, doc.title, doc.text) == ("n-1", "Wire", "H", "Text one")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"id": "a", "source": "W", "text": "x"}', "{not json"], r"a\.jsonl:2: invalid JSON"),
        (['{"id": "a", "source": "W"}'], r"a\.jsonl:1: missing key 'text'"),
        (['{"id": "../evil", "source": "W", "text": "x"}'], r"a\.jsonl:1: invalid document id '\.\./evil'"),
        (['{"id": "a/b", "source": "W", "text": "x"}'], r"invalid document id 'a/b'"),
        (['{"id": "a", "source": "W", "text": ""}'], r"a\.jsonl:1: empty or missing text"),
        (['{"id": "a", "text": "x"}'], r"a\.jsonl:1: missing source"),
        (['{"id": "a", "source": "W", "text": "x"}', '{"id": "a", "source": "W", "text": "y"}'],
         r"duplicate document id 'a': .*a\.jsonl:1 and .*a\.jsonl:2"),
        (["[1, 2]"], r"expected a JSON object"),
    ],
)  # fmt: skip
def test_jsonl_bad_inputs(tmp_path: Path, lines: list[str], message: str) -> None:
    f = write(tmp_path / "a.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(tk.ImportFormatError, match=message):
        read_jsonl(f)


def test_csv_with_mapping_and_quoted_newlines(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", 'doc,outlet,body\nx1,Wire,"Line one\nLine two"\nx2,Daily,Other\n')
    docs = read_csv(f, mapping={"id": "doc", "source": "outlet", "text": "body"})
    assert [(d.id, d.source, d.text) for d in docs] == [("x1", "Wire", "Line one\nLine two"), ("x2", "Daily", "Other")]


def test_csv_missing_columns_lists_what_is_there(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", "doc,body\nx,y\n")
    with pytest.raises(tk.ImportFormatError, match=r"missing column\(s\) 'id', 'source'; columns present: doc, body"):
        read_csv(f, mapping={"text": "body"})


def test_csv_row_errors_name_the_line(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", "id,source,text\nok,W,fine\n../x,W,bad\n")
    with pytest.raises(tk.ImportFormatError, match=r"a\.csv:3: invalid document id '\.\./x'"):
        read_csv(f)


def test_csv_undecodable_and_empty(tmp_path: Path) -> None:
    with pytest.raises(tk.ImportFormatError, match="not valid UTF-8"):
        read_csv(write(tmp_path / "a.csv", b"id,source,text\nx,W,\xff\n"))
    with pytest.raises(tk.ImportFormatError, match="file is empty"):
        read_csv(write(tmp_path / "b.csv", b""))
    with pytest.raises(tk.ImportFormatError, match="holds no rows"):
        read_csv(write(tmp_path / "c.csv", "id,source,text\n"))


def test_read_any_dispatches_and_rejects_unknown_types(tmp_path: Path) -> None:
    write(tmp_path / "w" / "one.txt", "Text")
    j = write(tmp_path / "b.jsonl", '{"id": "two", "source": "S", "text": "T"}\n')
    assert sorted(d.id for d in read_any([tmp_path / "w", j])) == ["one", "two"]
    with pytest.raises(tk.ImportFormatError, match=r"unknown file type \.pdf"):
        read_any([write(tmp_path / "x.pdf", "x")])
    with pytest.raises(tk.ImportFormatError, match="no such file or folder"):
        read_any([tmp_path / "missing"])


def test_failed_import_leaves_the_project_untouched(tmp_path: Path) -> None:
    proj = tk.Project.init(tmp_path / "p")
    f = write(tmp_path / "a.jsonl", '{"id": "a", "source": "W", "text": "x"}\n{"id": "a", "source": "W", "text": "y"}\n')
    with pytest.raises(tk.ImportFormatError):
        proj.add_documents(read_jsonl(f))
    assert proj.documents() == {}


# --------------------------------------------------------------------------- inputs that used to crash or mislead


def test_csv_field_longer_than_pythons_default_limit_imports(tmp_path: Path) -> None:
    import csv

    body = "word " * (csv.field_size_limit() // 5 + 1000)
    f = write(tmp_path / "long.csv", f'id,source,text\nlong-1,Wire,"{body}"\n')
    (doc,) = read_csv(f)
    assert doc.text == body


def test_deeply_nested_json_is_a_clean_error(tmp_path: Path) -> None:
    deep = '{"id": "a", "source": "W", "text": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    with pytest.raises(tk.ImportFormatError, match=r"a\.jsonl:1: JSON nested too deeply"):
        read_jsonl(write(tmp_path / "a.jsonl", deep))
    moderately = '{"id": "a", "source": "W", "text": "x", "extra": ' + "[" * 500 + "]" * 500 + "}\n"
    with pytest.raises(tk.ImportFormatError, match=r"b\.jsonl:1: JSON nested more than \d+ levels deep"):
        read_jsonl(write(tmp_path / "b.jsonl", moderately))


def test_lone_surrogate_escape_is_a_clean_error(tmp_path: Path) -> None:
    f = write(tmp_path / "a.jsonl", '{"id": "a", "source": "W", "text": "ok"}\n{"id": "b", "source": "W", "text": "x\\ud800y"}\n')
    with pytest.raises(tk.ImportFormatError, match=r"a\.jsonl:2: string holds a lone surrogate escape"):
        read_jsonl(f)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"a1\\n"', r"invalid document id 'a1\\n'"),
        ("17", r"document id must be a string, got 17 \(number\)"),
        ("true", r"document id must be a string, got True \(boolean\)"),
        ("NaN", r"document id must be a string, got nan \(number\)"),
        ('{"x": 1}', r"document id must be a string, got \{\.\.\.\} \(object\)"),
    ],
)
def test_ids_must_be_strings_without_a_trailing_newline(tmp_path: Path, value: str, message: str) -> None:
    f = write(tmp_path / "a.jsonl", f'{{"id": {value}, "source": "W", "text": "x"}}\n')
    with pytest.raises(tk.ImportFormatError, match=rf"a\.jsonl:1: {message}"):
        read_jsonl(f)


@pytest.mark.parametrize("field", ["text", "source", "title", "url", "published"])
@pytest.mark.parametrize("value", ["true", "3.5", "NaN", "[1]", '{"a": "b"}'])
def test_non_string_fields_are_rejected_not_turned_into_text(tmp_path: Path, field: str, value: str) -> None:
    obj = {"id": "a", "source": "W", "text": "x"}
    line = json.dumps(obj)[:-1] + f', "{field}": {value}}}'  # the later key wins
    with pytest.raises(tk.ImportFormatError, match=rf"a\.jsonl:1: '{field}' must be a string, got "):
        read_jsonl(write(tmp_path / "a.jsonl", line + "\n"))


def test_file_name_with_a_newline_gives_a_safe_id_and_one_line_errors(tmp_path: Path) -> None:
    f = write(tmp_path / "src" / "bad\nname.txt", "Text")
    (doc,) = read_txt([f])
    assert doc.id == "bad-name"
    g = write(tmp_path / "src" / "evil\n.jsonl", '{"id": "a", "source": "W"}\n')
    with pytest.raises(tk.ImportFormatError) as err:
        read_any([g])
    assert "\n" not in str(err.value) and "evil\\n.jsonl:1" in str(err.value)


def test_symlinks_leading_out_of_an_imported_folder_are_not_followed(tmp_path: Path) -> None:
    import os

    write(tmp_path / "Harbour Wire" / "own.txt", "Own story")
    secret = write(tmp_path / "elsewhere" / "secret.txt", "Not part of the outlet")
    os.symlink(secret, tmp_path / "Harbour Wire" / "leak.txt")
    os.symlink(tmp_path / "Harbour Wire" / "own.txt", tmp_path / "Harbour Wire" / "alias.txt")
    notes: list[str] = []
    docs = read_txt([tmp_path / "Harbour Wire"], notes=notes)
    assert sorted(d.id for d in docs) == ["alias", "own"]
    assert {d.source for d in docs} == {"Harbour Wire"}  # never the link target's folder
    assert len(notes) == 1 and "leak.txt: symbolic link to a file outside" in notes[0]
    # a link named on the command line is followed, but the source is still the folder it was named in
    (tmp_path / "Daily").mkdir()
    os.symlink(secret, tmp_path / "Daily" / "linked.txt")
    (linked,) = read_txt([tmp_path / "Daily" / "linked.txt"])
    assert linked.source == "Daily"


def test_json_file_array_or_object_is_read_and_explained(tmp_path: Path) -> None:
    arr = write(tmp_path / "arts.json", json.dumps([{"id": "a", "source": "W", "text": "x"},
                                                   {"id": "b", "source": "W", "text": "y"}], indent=2))  # fmt: skip
    assert [d.id for d in read_any([arr])] == ["a", "b"]
    one = write(tmp_path / "one.json", json.dumps({"id": "c", "source": "W", "text": "z"}, indent=2))
    assert [d.id for d in read_any([one])] == ["c"]
    lines = write(tmp_path / "lines.json", '{"id": "d", "source": "W", "text": "1"}\n{"id": "e", "source": "W", "text": "2"}\n')
    assert [d.id for d in read_any([lines])] == ["d", "e"]
    bad = write(tmp_path / "bad.json", '[\n  {"id": "a", "source": "W", "text": "x"},\n  {"id": 5, "source": "W", "text": "y"}\n]')
    with pytest.raises(tk.ImportFormatError, match=r"bad\.json:3: document id must be a string"):
        read_any([bad])
    ls = write(tmp_path / "ls.json", json.dumps([{"id": 1, "data": {"text": "x"}, "annotations": []}]))
    with pytest.raises(tk.ImportFormatError, match=r"ls\.json:1: .*looks like a Label Studio export: use --annotations"):
        read_any([ls])
    pretty = write(tmp_path / "pretty.jsonl", json.dumps({"id": "a", "source": "W", "text": "x"}, indent=2))
    with pytest.raises(tk.ImportFormatError, match=r"pretty\.jsonl:1: the file is one JSON value spread over"):
        read_any([pretty])


def test_cli_import_map_errors_are_one_line(tmp_path: Path, capsys) -> None:
    from toolkit.cli import main

    tk.Project.init(tmp_path / "p")
    f = write(tmp_path / "a.jsonl", '{"id": "a", "source": "W", "body": "x"}\n')
    assert main(["--project", str(tmp_path / "p"), "import", str(f), "--map", "body"]) == 1
    assert capsys.readouterr().err == "error: --map 'body': expected FIELD=COLUMN, e.g. text=body\n"
    assert main(["--project", str(tmp_path / "p"), "import", str(f), "--map", "text=body"]) == 0


def test_txt_title_only_when_the_first_line_looks_like_a_headline(tmp_path: Path) -> None:
    folder = tmp_path / "Daily Wire"
    folder.mkdir()
    (folder / "a.txt").write_text("Dam talks resume after two years\n\nLeaders met on Tuesday.\n", encoding="utf-8")
    body = ("Leaders of the two countries met on Tuesday for the first time in two years, officials said, "
            "and agreed to let technical teams meet again in April to discuss the flow of the river.")
    (folder / "b.txt").write_text(body + "\n\nSecond paragraph.\n", encoding="utf-8")
    (folder / "c.txt").write_text("A short first sentence ends with a stop.\n\nMore.\n", encoding="utf-8")
    titles = {d.id: d.title for d in read_txt([folder])}
    assert titles == {"a": "Dam talks resume after two years", "b": "", "c": ""}
    assert looks_like_headline("Venn and Markovic talk for two hours")
    assert not looks_like_headline(body) and not looks_like_headline("")


def test_cli_import_streams_in_batches_and_stores_nothing_when_a_late_line_is_refused(tmp_path, capsys, monkeypatch):
    from toolkit import importers
    from toolkit.cli import main

    lines = [{"id": f"d{i}", "source": "Wire", "text": f"Story number {i} about the bridge."} for i in range(25)]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(x) for x in [*lines, {"id": "d3", "source": "Wire", "text": "Other."}]) + "\n")
    proj = tmp_path / "p"
    assert main(["--project", str(proj), "init"]) == 0
    monkeypatch.setattr(importers, "IMPORT_BATCH", 10)  # several batches: the check pass must come first
    assert main(["--project", str(proj), "import", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "duplicate document id 'd3'" in err[0] and "bad.jsonl:4" in err[0]
    assert tk.Project.open(proj).document_ids() == []

    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    batches: list[int] = []
    real = tk.Project.add_documents
    monkeypatch.setattr(tk.Project, "add_documents",
                        lambda self, docs, **kw: (batches.append(len(docs)), real(self, docs, **kw))[1])
    assert main(["--project", str(proj), "import", str(good)]) == 0
    assert batches == [10, 10, 5]
    assert sorted(tk.Project.open(proj).document_ids()) == sorted(x["id"] for x in lines)
