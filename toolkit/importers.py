"""Read articles from folders of ``.txt`` files, JSON Lines and CSV into documents.

Every reader returns a list of :class:`~toolkit.model.Document` and raises
:class:`~toolkit.errors.ImportFormatError` naming the file (and line or row)
for unusable input: undecodable bytes, empty files, missing columns,
duplicate ids, ids that could escape the project folder.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import ImportFormatError, ValidationError
from .model import Document, check_doc_id

#: Document fields and the column names they are read from by default.
FIELDS = ("id", "source", "title", "url", "published", "text")


def slugify(name: str) -> str:
    """A safe document id from a file name: ASCII letters, digits, ``.``, ``_``, ``-``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-._")
    return slug[:128]


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            f"{where}: not valid UTF-8 (byte {exc.start}, line {line}); save the file as UTF-8"
        ) from None


def _check_unique(docs: list[tuple[Document, str]]) -> list[Document]:
    seen: dict[str, str] = {}
    for doc, where in docs:
        if doc.id in seen:
            raise ImportFormatError(f"duplicate document id {doc.id!r}: {seen[doc.id]} and {where}")
        seen[doc.id] = where
    return [d for d, _ in docs]


def _make(fields: Mapping[str, Any], where: str, source: str | None) -> Document:
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ImportFormatError(f"{where}: empty or missing text")
    doc_id = fields.get("id")
    src = source or fields.get("source")
    if not src or not str(src).strip():
        raise ImportFormatError(f"{where}: missing source (outlet); give one with --source")
    try:
        check_doc_id(doc_id if doc_id is None or isinstance(doc_id, str) else str(doc_id))
        return Document.create(
            id=str(doc_id),
            source=str(src),
            text=text,
            title=fields.get("title") or "",
            url=fields.get("url") or "",
            published=fields.get("published") or "",
        )
    except ValidationError as exc:
        raise ImportFormatError(f"{where}: {exc}") from None


def read_txt(paths: Iterable[str | Path], source: str | None = None) -> list[Document]:
    """One document per ``.txt`` file (UTF-8).  A folder means every ``*.txt`` in it.

    The id is the file name without ``.txt`` made safe (:func:`slugify`), the
    title the first non-empty line, the source ``source`` or else the name of
    the folder holding the file.
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.glob("*.txt"))
            if not found:
                raise ImportFormatError(f"{p}: folder holds no .txt files")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise ImportFormatError(f"{p}: no such file or folder")
    docs = []
    for f in files:
        text = _decode(f.read_bytes(), str(f))
        if not text.strip():
            raise ImportFormatError(f"{f}: file is empty")
        doc_id = slugify(f.stem)
        if not doc_id:
            raise ImportFormatError(f"{f}: cannot make a document id from the file name")
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")
        src = source or f.resolve().parent.name
        docs.append((_make({"id": doc_id, "text": text, "title": title}, str(f), src), str(f)))
    return _check_unique(docs)


def _mapped(row: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    return {field: row.get(mapping.get(field, field)) for field in FIELDS}


def read_jsonl(
    path: str | Path, mapping: Mapping[str, str] | None = None, source: str | None = None
) -> list[Document]:
    """One document per line of a JSON Lines file.

    ``mapping`` maps document fields (``id``, ``source``, ``title``, ``url``,
    ``published``, ``text``) to the keys used in the file, e.g.
    ``{"text": "body", "id": "article_id"}``.
    """
    path = Path(path)
    mapping = dict(mapping or {})
    text = _decode(_read(path), str(path))
    docs = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise ImportFormatError(f"{where}: expected a JSON object per line")
        for field in ("id", "text"):
            key = mapping.get(field, field)
            if key not in obj:
                raise ImportFormatError(f"{where}: missing key {key!r} (for {field}); keys present: {sorted(obj)}")
        docs.append((_make(_mapped(obj, mapping), where, source), where))
    if not docs:
        raise ImportFormatError(f"{path}: file holds no records")
    return _check_unique(docs)


def read_csv(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    source: str | None = None,
    delimiter: str = ",",
) -> list[Document]:
    """One document per row of a CSV file with a header row (see :func:`read_jsonl` for ``mapping``)."""
    path = Path(path)
    mapping = dict(mapping or {})
    text = _decode(_read(path), str(path))
    reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter)
    header = reader.fieldnames or []
    missing = [mapping.get(f, f) for f in ("id", "text") if mapping.get(f, f) not in header]
    if not source and mapping.get("source", "source") not in header:
        missing.append(mapping.get("source", "source"))
    if missing:
        raise ImportFormatError(
            f"{path}: missing column(s) {', '.join(map(repr, missing))}; columns present: {', '.join(header) or 'none'}"
        )
    docs = []
    for row in reader:
        where = f"{path}:{reader.line_num}"
        if None in row:
            raise ImportFormatError(f"{where}: more fields than header columns")
        docs.append((_make(_mapped(row, mapping), where, source), where))
    if not docs:
        raise ImportFormatError(f"{path}: file holds no rows")
    return _check_unique(docs)


def _read(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportFormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFormatError(f"{path}: is a folder, expected a file") from None
    if not raw.strip():
        raise ImportFormatError(f"{path}: file is empty")
    return raw


def read_any(
    paths: Iterable[str | Path], source: str | None = None, mapping: Mapping[str, str] | None = None
) -> list[Document]:
    """Read documents from folders/``.txt`` files, ``.jsonl``/``.json`` and ``.csv`` files by extension."""
    txt: list[Path] = []
    docs: list[tuple[Document, str]] = []
    for p in map(Path, paths):
        suffix = p.suffix.lower()
        if p.is_dir() or suffix == ".txt":
            txt.append(p)
        elif suffix in (".jsonl", ".ndjson", ".json"):
            docs.extend((d, str(p)) for d in read_jsonl(p, mapping, source))
        elif suffix in (".csv", ".tsv"):
            docs.extend((d, str(p)) for d in read_csv(p, mapping, source, "\t" if suffix == ".tsv" else ","))
        elif not p.exists():
            raise ImportFormatError(f"{p}: no such file or folder")
        else:
            raise ImportFormatError(f"{p}: unknown file type {suffix or '(none)'}; use .txt, .jsonl or .csv")
    if txt:
        docs.extend((d, d.id) for d in read_txt(txt, source))
    return _check_unique(docs)
