"""Read articles from folders of ``.txt`` files, JSON Lines and CSV into documents.

Every reader returns a list of :class:`~toolkit.model.Document` and raises
:class:`~toolkit.errors.ImportFormatError` naming the file (and line or row)
for unusable input: undecodable bytes, empty files, missing columns,
duplicate ids, ids that could escape the project folder (or end in a newline),
ids and fields that are not strings (``true``, numbers, objects), JSON nested
too deeply or holding lone surrogate escapes.  Symbolic links in an imported
folder that lead outside it are not followed.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ImportFormatError, ValidationError
from .formats.base import (
    check_id,
    decode,
    describe,
    folder_files,
    folder_name,
    iter_json_array,
    iter_jsonl,
    loads,
    read_bytes,
    show_path,
    slugify,
)
from .model import Document

if TYPE_CHECKING:  # pragma: no cover
    from .store import Project

#: Document fields and the column names they are read from by default.
FIELDS = ("id", "source", "title", "url", "published", "text")


__all__ = ["FIELDS", "add_to_project", "iter_located", "parse_field_map", "read_any", "read_located", "read_csv", "read_json", "read_jsonl", "read_txt", "slugify"]


Located = list[tuple[Document, str]]  # documents with the ``file:line`` they come from
#: Documents :func:`add_to_project` checks together before writing them.
IMPORT_BATCH = 2000


def _unique(docs: Located) -> Located:
    seen: dict[str, str] = {}
    for doc, where in docs:
        if doc.id in seen:
            raise ImportFormatError(f"duplicate document id {doc.id!r}: {seen[doc.id]} and {where}")
        seen[doc.id] = where
    return docs


def _check_unique(docs: Located) -> list[Document]:
    return [d for d, _ in _unique(docs)]


def add_to_project(
    proj: Project, docs: Iterable[tuple[Document, str]], replace: bool = False, batch_size: int = IMPORT_BATCH
) -> dict[str, list[str]]:
    """Store documents read by :func:`read_located` or :func:`iter_located` in ``proj``, batch by batch.

    The input is consumed as a stream (pass :func:`iter_located` to never hold the whole
    corpus).  Each batch is checked in full before any of it is written: a repeated id,
    or an id already stored with another text (unless ``replace``), is an error naming the
    file and line it came from.  A list is one batch: nothing is written if any of it is
    refused.  Documents are durable when this returns.
    """
    if isinstance(docs, Sequence):
        batch_size = max(batch_size, len(docs))
    out: dict[str, list[str]] = {"added": [], "unchanged": [], "replaced": []}
    stored = set(proj.document_ids())
    seen: dict[str, str] = {}
    batch: list[tuple[Document, str]] = []
    for item in docs:
        batch.append(item)
        if len(batch) >= batch_size:
            _add_batch(proj, batch, stored, seen, replace, out)
            batch = []
    if batch:
        _add_batch(proj, batch, stored, seen, replace, out)
    return out


def import_stream(
    proj: Project, read: Callable[[list[str] | None], Iterable[tuple[Document, str]]], replace: bool = False,
    notes: list[str] | None = None, batch_size: int | None = None,
) -> dict[str, list[str]]:
    """All-or-nothing import of a corpus too big to hold: ``read(notes)`` is called twice.

    The first pass reads everything and checks it (formats, repeated ids, ids stored with
    another text) while keeping only ids; nothing is written if it finds a problem.  The
    second pass stores the documents batch by batch (:func:`add_to_project`), so memory stays
    bounded by one batch whatever the corpus size.  ``read`` is e.g.
    ``lambda notes: iter_located(paths, source, mapping, notes)``.
    """
    stored = set(proj.document_ids())
    seen: dict[str, str] = {}
    for doc, where in read(None):
        _check_document(proj, doc, where, stored, seen, replace)
    del seen
    return add_to_project(proj, read(notes), replace=replace, batch_size=batch_size or IMPORT_BATCH)


def _check_document(proj: Project, doc: Document, where: str, stored: set[str], seen: dict[str, str],
                    replace: bool) -> None:
    """A repeated id, or an id stored with another text (unless ``replace``), is an error naming ``where``."""
    if doc.id in seen:
        raise ImportFormatError(f"duplicate document id {doc.id!r}: {seen[doc.id]} and {where}")
    seen[doc.id] = where
    if not replace and doc.id in stored and proj.stored_sha256(doc.id) != doc.sha256:
        raise ImportFormatError(
            f"{where}: document {doc.id!r} already exists with a different text; "
            "import with --replace to overwrite it"
        )


def _add_batch(
    proj: Project,
    batch: list[tuple[Document, str]],
    stored: set[str],
    seen: dict[str, str],
    replace: bool,
    out: dict[str, list[str]],
) -> None:
    """Check one batch of :func:`add_to_project` (ids, changed texts), then store it."""
    for doc, where in batch:
        _check_document(proj, doc, where, stored, seen, replace)
    for what, ids in proj.add_documents([d for d, _ in batch], replace=replace).items():
        out[what].extend(ids)
    stored.update(d.id for d, _ in batch)


def _make(fields: Mapping[str, Any], where: str, source: str | None) -> Document:
    for key in ("title", "url", "published", "source"):
        value = fields.get(key)
        if value is not None and not isinstance(value, str):
            raise ImportFormatError(f"{where}: {key!r} must be a string, got {describe(value)}")
    text = fields.get("text")
    if text is not None and not isinstance(text, str):
        raise ImportFormatError(f"{where}: 'text' must be a string, got {describe(text)}")
    if not isinstance(text, str) or not text.strip():
        raise ImportFormatError(f"{where}: empty or missing text")
    doc_id = check_id(fields.get("id"), where)
    src = source or fields.get("source")
    if not src or not str(src).strip():
        raise ImportFormatError(f"{where}: missing source (outlet); give one with --source")
    try:
        return Document.create(
            id=doc_id,
            source=str(src),
            text=text,
            title=fields.get("title") or "",
            url=fields.get("url") or "",
            published=fields.get("published") or "",
        )
    except ValidationError as exc:
        raise ImportFormatError(f"{where}: {exc}") from None


def read_txt(
    paths: Iterable[str | Path], source: str | None = None, notes: list[str] | None = None
) -> list[Document]:
    """One document per ``.txt`` file (see :func:`_txt`)."""
    return _check_unique(_txt(paths, source, notes))


#: A headline is at most this many characters and words.
HEADLINE_MAX_CHARS, HEADLINE_MAX_WORDS = 140, 22


def looks_like_headline(line: str) -> bool:
    """True for a short line without a final full stop ("Dam talks resume"), not a paragraph.

    A plain-text article's first line is its headline only when it looks like one; an article
    that starts with its first paragraph gets no title rather than 250 characters of body text.
    """
    line = line.strip()
    return (
        0 < len(line) <= HEADLINE_MAX_CHARS
        and len(line.split()) <= HEADLINE_MAX_WORDS
        and not line.endswith((".", ",", ";", ":"))
    )


def _txt(paths: Iterable[str | Path], source: str | None, notes: list[str] | None) -> Located:
    """One document per ``.txt`` file (UTF-8).  A folder means every ``*.txt`` in it.

    The id is the file name without ``.txt`` made safe (:func:`slugify`), the
    title the first non-empty line when it looks like a headline
    (:func:`looks_like_headline`; otherwise no title, and the id is shown), the source ``source`` or else the name of
    the folder holding the file as given (a symbolic link's target folder is
    never used).  In a folder, links to files outside it are skipped (and
    listed in ``notes`` when given).
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = folder_files(p, (".txt",), notes)
            if not found:
                raise ImportFormatError(f"{show_path(p)}: folder holds no .txt files")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise ImportFormatError(f"{show_path(p)}: no such file or folder")
    docs = []
    for f in files:
        where = show_path(f)
        text = decode(read_bytes(f), where)
        doc_id = slugify(f.stem)
        if not doc_id:
            raise ImportFormatError(f"{where}: cannot make a document id from the file name")
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        title = first if looks_like_headline(first) else ""
        src = source or folder_name(f)
        docs.append((_make({"id": doc_id, "text": text, "title": title}, where, src), where))
    return docs


def _mapped(row: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    return {field: row.get(mapping.get(field, field)) for field in FIELDS}


def _documents(
    records: Iterator[tuple[int, str, Any]], mapping: Mapping[str, str], source: str | None
) -> list[tuple[Document, str]]:
    return list(_iter_documents(records, mapping, source))


def _iter_documents(
    records: Iterator[tuple[int, str, Any]], mapping: Mapping[str, str], source: str | None
) -> Iterator[tuple[Document, str]]:
    """One ``(document, where)`` per record, built as the records are read."""
    for _, where, obj in records:
        if not isinstance(obj, dict):
            raise ImportFormatError(f"{where}: expected a JSON object (one document), got {describe(obj)}")
        for field in ("id", "text"):
            key = mapping.get(field, field)
            if key not in obj:
                keys = ", ".join(sorted(map(repr, obj))[:20])
                hint = _hint(obj)
                raise ImportFormatError(f"{where}: missing key {key!r} (for {field}); keys present: [{keys}]{hint}")
        yield _make(_mapped(obj, mapping), where, source), where


def _hint(obj: Mapping[str, Any]) -> str:
    """A pointer to ``--annotations`` when a record looks like another tool's annotation file."""
    if "data" in obj and "annotations" in obj:
        return "; this looks like a Label Studio export: use --annotations labelstudio"
    if "spans" in obj and "text" in obj:
        return "; this looks like Prodigy tasks: use --annotations prodigy"
    if "text" in obj and ("label" in obj or "entities" in obj):
        return "; this looks like a doccano export: use --annotations doccano"
    return ""


def read_jsonl(
    path: str | Path, mapping: Mapping[str, str] | None = None, source: str | None = None
) -> list[Document]:
    """One document per line of a JSON Lines file.

    ``mapping`` maps document fields (``id``, ``source``, ``title``, ``url``,
    ``published``, ``text``) to the keys used in the file, e.g.
    ``{"text": "body", "id": "article_id"}``.
    """
    return _check_unique(_jsonl(Path(path), dict(mapping or {}), source))


def _jsonl(path: Path, mapping: Mapping[str, str], source: str | None) -> Located:
    docs = _documents(iter_jsonl(path), mapping, source)
    if not docs:
        raise ImportFormatError(f"{show_path(path)}: file holds no records")
    return docs


def read_json(
    path: str | Path, mapping: Mapping[str, str] | None = None, source: str | None = None
) -> list[Document]:
    """Documents from a ``.json`` file: an array of document objects, one object, or JSON Lines.

    A ``.json`` file is usually one JSON value spread over many lines; it is
    read as such (errors name the line where the bad element starts).  If it
    is not one JSON value but every line is, it is read as JSON Lines.
    """
    return _check_unique(_json(Path(path), dict(mapping or {}), source))


def _json(path: Path, mapping: Mapping[str, str], source: str | None) -> Located:
    name = show_path(path)
    text = decode(read_bytes(path), name)
    first = text.lstrip()[:1]
    if first == "[":
        docs = _documents(iter_json_array(path, text), mapping, source)
    else:
        try:
            value = loads(text, f"{name}:1")
        except ImportFormatError as whole:
            try:
                docs = _documents(iter_jsonl(path, text), mapping, source)
            except ImportFormatError:
                raise whole from None
        else:
            if not isinstance(value, dict):
                raise ImportFormatError(f"{name}:1: expected an array of document objects or one object")
            docs = _documents(iter([(1, f"{name}:1", value)]), mapping, source)
    if not docs:
        raise ImportFormatError(f"{name}: file holds no records")
    return docs


def read_csv(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    source: str | None = None,
    delimiter: str = ",",
) -> list[Document]:
    """One document per row of a CSV file with a header row (see :func:`read_jsonl` for ``mapping``).

    Fields may be as long as the file (Python's csv module stops at 128 KiB by default).
    """
    return _check_unique(_csv(Path(path), dict(mapping or {}), source, delimiter))


def _csv(path: Path, mapping: Mapping[str, str], source: str | None, delimiter: str) -> Located:
    name = show_path(path)
    text = decode(read_bytes(path), name)
    if "\x00" in text:
        raise ImportFormatError(f"{name}:{text.count(chr(10), 0, text.index(chr(0))) + 1}: NUL character in a CSV file")
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text) + 1)  # a field cannot be longer than the file
    reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter)
    try:
        header = reader.fieldnames or []
        missing = [mapping.get(f, f) for f in ("id", "text") if mapping.get(f, f) not in header]
        if not source and mapping.get("source", "source") not in header:
            missing.append(mapping.get("source", "source"))
        if missing:
            present = ", ".join(h[:40] if h.isprintable() else repr(h[:40]) for h in header[:20]) or "none"
            raise ImportFormatError(
                f"{name}: missing column(s) {', '.join(map(repr, missing))}; columns present: {present}"
            )
        docs = []
        for row in reader:
            where = f"{name}:{reader.line_num}"
            if None in row:
                raise ImportFormatError(f"{where}: more fields than header columns")
            docs.append((_make(_mapped(row, mapping), where, source), where))
    except csv.Error as exc:
        raise ImportFormatError(f"{name}:{reader.line_num}: not valid CSV ({exc})") from None
    if not docs:
        raise ImportFormatError(f"{name}: file holds no rows")
    return docs


def read_any(
    paths: Iterable[str | Path],
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> list[Document]:
    """Read documents from folders/``.txt`` files, ``.jsonl``, ``.json`` and ``.csv``/``.tsv`` files by extension."""
    return _check_unique(read_located(paths, source, mapping, notes))


def read_located(
    paths: Iterable[str | Path],
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> Located:
    """Like :func:`read_any`, each document with the ``file:line`` it comes from (for :func:`add_to_project`)."""
    return list(iter_located(paths, source, mapping, notes))


def iter_located(
    paths: Iterable[str | Path],
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> Iterator[tuple[Document, str]]:
    """:func:`read_located` as a stream: JSON Lines documents are built one line at a time.

    A repeated id raises ImportFormatError naming both places when the second one is reached.
    """
    seen: dict[str, str] = {}
    for doc, where in _iter_any(paths, source, dict(mapping or {}), notes):
        if doc.id in seen:
            raise ImportFormatError(f"duplicate document id {doc.id!r}: {seen[doc.id]} and {where}")
        seen[doc.id] = where
        yield doc, where


def _iter_jsonl(path: Path, mapping: Mapping[str, str], source: str | None) -> Iterator[tuple[Document, str]]:
    empty = True
    for item in _iter_documents(iter_jsonl(path), mapping, source):
        empty = False
        yield item
    if empty:
        raise ImportFormatError(f"{show_path(path)}: file holds no records")


def _iter_any(
    paths: Iterable[str | Path], source: str | None, mapping: dict[str, str], notes: list[str] | None
) -> Iterator[tuple[Document, str]]:
    txt: list[Path] = []
    for p in map(Path, paths):
        suffix = p.suffix.lower()
        if p.is_dir() or suffix == ".txt":
            txt.append(p)
        elif suffix in (".jsonl", ".ndjson"):
            yield from _iter_jsonl(p, mapping, source)
        elif suffix == ".json":
            yield from _json(p, mapping, source)
        elif suffix in (".csv", ".tsv"):
            yield from _csv(p, mapping, source, "\t" if suffix == ".tsv" else ",")
        elif not p.exists():
            raise ImportFormatError(f"{show_path(p)}: no such file or folder")
        else:
            hint = "; annotation files need --annotations FORMAT" if suffix in (".ann", ".conll", ".iob") else ""
            raise ImportFormatError(
                f"{show_path(p)}: unknown file type {suffix or '(none)'}; use .txt, .jsonl, .json or .csv{hint}"
            )
    if txt:
        yield from _txt(txt, source, notes)


def parse_field_map(items: Iterable[str]) -> dict[str, str]:
    """``["text=body", ...]`` (the CLI's ``--map``) -> ``{"text": "body"}``; one-line errors."""
    mapping: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not column:
            raise ImportFormatError(f"--map {item!r}: expected FIELD=COLUMN, e.g. text=body")
        if field not in FIELDS:
            raise ImportFormatError(f"--map: unknown field {field!r}; use {', '.join(FIELDS)}")
        mapping[field] = column
    return mapping
