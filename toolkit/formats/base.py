"""Shared pieces of the file readers: safe decoding and JSON parsing, type checks, raw records.

Every reader turns a file into :class:`RawDoc` objects (the document text as the
file has it, plus :class:`RawSpan`/:class:`RawStance`/:class:`RawLink` with
offsets into *that* text).  Nothing here touches a project; matching the texts
to stored documents, realigning offsets and writing happen in
:mod:`toolkit.formats.apply`.

Every problem with a file is an :class:`~toolkit.errors.ImportFormatError`
whose message is one line starting with ``<file>:<line>:`` (or ``<file>:``
for problems with the whole file).
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ImportFormatError
from ..model import DOC_ID_RE

#: Deepest nesting of JSON arrays/objects accepted in an input record.
MAX_DEPTH = 40
#: Longest label accepted from a file.
MAX_LABEL = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def slugify(name: str) -> str:
    """A safe document id from a file name: ASCII letters, digits, ``.``, ``_``, ``-``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-._")
    return slug[:128]


def show_path(path: str | os.PathLike[str]) -> str:
    """A path as it goes into a one-line message (control characters such as newlines escaped)."""
    s = os.fspath(path)
    if _CONTROL.search(s) or any(0xD800 <= ord(ch) <= 0xDFFF for ch in s):
        return s.encode("unicode_escape", "backslashreplace").decode("ascii")
    return s


def describe(value: object) -> str:
    """Short description of a wrong value for a message: ``true (boolean)``, ``{...} (object)``."""
    kind = {bool: "boolean", int: "number", float: "number", dict: "object", list: "array", str: "string"}
    name = kind.get(type(value), type(value).__name__)
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return f"{'{...}' if isinstance(value, dict) else '[...]'} ({name})"
    text = repr(value)
    return f"{text[:60] + '...' if len(text) > 60 else text} ({name})"


def decode(raw: bytes, where: str) -> str:
    """UTF-8 (BOM allowed) bytes to text; the error names the byte and line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            f"{where}: not valid UTF-8 (byte {exc.start}, line {line}); save the file as UTF-8"
        ) from None


@contextmanager
def readable(path: Path) -> Iterator[None]:
    """Turn the errors of opening or reading ``path`` into one-line ImportFormatErrors."""
    where = show_path(path)
    try:
        yield
    except FileNotFoundError:
        raise ImportFormatError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise ImportFormatError(f"{where}: is a folder, expected a file") from None
    except OSError as exc:
        raise ImportFormatError(f"{where}: cannot read ({exc.strerror or exc})") from None


def read_bytes(path: Path) -> bytes:
    """The bytes of a non-empty file; one-line errors for missing files, folders and empty files."""
    where = show_path(path)
    with readable(path):
        raw = path.read_bytes()
    if not raw.strip():
        raise ImportFormatError(f"{where}: file is empty")
    return raw


def read_text(path: Path) -> str:
    """The decoded text of a non-empty UTF-8 file."""
    return decode(read_bytes(path), show_path(path))


def check_json_value(value: Any, where: str) -> None:
    """Reject JSON values a project could not store: nesting deeper than :data:`MAX_DEPTH` and
    strings with lone surrogates (``"\\ud800"``).  Types of the fields used are checked by the callers."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_str(item, where)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise ImportFormatError(f"{where}: JSON nested more than {MAX_DEPTH} levels deep")
            if isinstance(item, dict):
                for k, v in item.items():
                    _check_str(k, where)
                    stack.append((v, depth + 1))
            else:
                stack.extend((v, depth + 1) for v in item)


def _check_str(s: str, where: str) -> None:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ImportFormatError(
            f"{where}: string holds a lone surrogate escape ({s[exc.start]!r} at character {exc.start}), "
            "which is not a character"
        ) from None


def loads(line: str, where: str) -> Any:
    """Parse one JSON value; errors (syntax, too deep, lone surrogates) name ``where``."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ImportFormatError(f"{where}: JSON nested too deeply") from None
    check_json_value(value, where)
    return value


def _stream_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a UTF-8 file read a line at a time (a JSON Lines corpus can be
    bigger than memory).  Same lines, numbers and one-line errors as
    ``enumerate(read_text(path).splitlines(), 1)``."""
    where = show_path(path)
    with readable(path):
        f = path.open("rb")
    n, offset, blank = 0, 0, True
    with f, readable(path):
        for raw in f:
            try:
                text = raw.decode("utf-8-sig" if offset == 0 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ImportFormatError(
                    f"{where}: not valid UTF-8 (byte {offset + exc.start}, line {n + 1}); save the file as UTF-8"
                ) from None
            offset += len(raw)
            blank = blank and not raw.strip()
            for line in text.splitlines():
                n += 1
                yield n, line
    if blank:
        raise ImportFormatError(f"{where}: file is empty")


def iter_jsonl(path: Path, text: str | None = None) -> Iterator[tuple[int, str, Any]]:
    """``(line number, where, value)`` for every non-blank line of a JSON Lines file.

    A file that is one JSON value spread over several lines (a ``.json`` file
    given as JSON Lines) gets an error saying so rather than a parse error on line 1.
    """
    name = show_path(path)
    lines = enumerate(text.splitlines(), 1) if text is not None else _stream_lines(path)
    for n, line in lines:
        if not line.strip():
            continue
        where = f"{name}:{n}"
        try:
            yield n, where, loads(line, where)
        except ImportFormatError as exc:
            syntax = ": invalid JSON (" in str(exc)
            if syntax and n == 1 and line.lstrip().startswith(("[", "{")):  # the start of a multi-line value
                raise ImportFormatError(
                    f"{where}: the file is one JSON value spread over several lines (or an array), not JSON Lines "
                    "(one object per line); save it with one object per line"
                ) from None
            raise


def iter_objects(path: Path, what: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """:func:`iter_jsonl` for files of one JSON object per line; any other value is an error that
    says what each line should be (``what``: "a doccano example", "a Prodigy task", ...)."""
    for n, where, value in iter_jsonl(path):
        if not isinstance(value, dict):
            raise ImportFormatError(f"{where}: expected a JSON object{f' ({what})' if what else ''} per line")
        yield n, where, value


def iter_json_array(path: Path, text: str | None = None) -> Iterator[tuple[int, str, Any]]:
    """``(line number, where, element)`` for the elements of a file holding one JSON array.

    The line number is where the element starts, so errors point into the file.
    """
    text = read_text(path) if text is None else text
    name = show_path(path)
    dec = json.JSONDecoder()
    i = _skip_ws(text, 0)
    line = text.count("\n", 0, i) + 1
    if i >= len(text) or text[i] != "[":
        hint = " (this looks like JSON Lines: one object per line)" if text[i : i + 1] == "{" else ""
        raise ImportFormatError(f"{name}:{line}: expected a JSON array of tasks{hint}")
    pos = i + 1
    first = True
    while True:
        j = _skip_ws(text, pos)
        line += text.count("\n", pos, j)
        if j < len(text) and text[j] == "]":
            if _skip_ws(text, j + 1) != len(text):
                raise ImportFormatError(f"{name}:{line}: extra data after the JSON array")
            return
        if not first:
            if j >= len(text) or text[j] != ",":
                raise ImportFormatError(f"{name}:{line}: invalid JSON (expected ',' or ']')")
            k = _skip_ws(text, j + 1)
            line += text.count("\n", j, k)
            j = k
        where = f"{name}:{line}"
        try:
            value, end = dec.raw_decode(text, j)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"{name}:{exc.lineno}: invalid JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise ImportFormatError(f"{where}: JSON nested too deeply") from None
        check_json_value(value, where)
        yield line, where, value
        line += text.count("\n", j, end)
        pos, first = end, False


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    return i


# --------------------------------------------------------------------------- type checks


def want_str(value: Any, what: str, where: str, optional: bool = False, empty: bool = True) -> str | None:
    """``value`` if it is a string (``None`` allowed when ``optional``), else an error naming ``what``."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ImportFormatError(f"{where}: {what} must be a string, got {describe(value)}")
    if not empty and not value.strip():
        raise ImportFormatError(f"{where}: {what} is empty")
    return value


def want_int(value: Any, what: str, where: str) -> int:
    """``value`` if it is an integer (not a boolean); whole floats such as ``5.0`` are accepted."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ImportFormatError(f"{where}: {what} must be an integer, got {describe(value)}")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ImportFormatError(f"{where}: {what} must be an integer, got {describe(value)}")
        value = int(value)
    if value < 0:
        raise ImportFormatError(f"{where}: {what} must not be negative, got {value}")
    return value


def want_dict(value: Any, what: str, where: str, optional: bool = True) -> dict[str, Any]:
    """``value`` if it is a JSON object (``{}`` for a missing one when ``optional``)."""
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise ImportFormatError(f"{where}: {what} must be an object, got {describe(value)}")
    return value


def want_list(value: Any, what: str, where: str, optional: bool = True) -> list[Any]:
    """``value`` if it is a JSON array (``[]`` for a missing one when ``optional``)."""
    if value is None and optional:
        return []
    if not isinstance(value, list):
        raise ImportFormatError(f"{where}: {what} must be an array, got {describe(value)}")
    return value


def want_label(value: Any, where: str) -> str:
    """A span label: a non-empty string without control characters, at most :data:`MAX_LABEL` long."""
    label = want_str(value, "label", where, empty=False)
    assert label is not None
    if _CONTROL.search(label) or len(label) > MAX_LABEL or label.strip() != label:
        raise ImportFormatError(
            f"{where}: label {label[:60]!r} is not usable (no control characters or surrounding spaces, "
            f"at most {MAX_LABEL} characters)"
        )
    return label


def check_id(value: Any, where: str, what: str = "document id") -> str:
    """A document id from a file: a string matching the project's id rule exactly.

    Unlike a plain ``re.match(... $)`` this refuses a trailing newline (``"a1\\n"``).
    """
    if not isinstance(value, str):
        raise ImportFormatError(f"{where}: {what} must be a string, got {describe(value)}")
    if not DOC_ID_RE.fullmatch(value) or value.endswith("\n"):
        raise ImportFormatError(
            f"{where}: invalid {what} {value[:140]!r}: use 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def check_record_id(value: Any, where: str) -> str:
    """An annotation object id from a file (toolkit export): 1-200 characters, no control characters."""
    if not isinstance(value, str) or not value or len(value) > 200 or _CONTROL.search(value):
        raise ImportFormatError(f"{where}: record id must be a string of 1-200 characters, got {describe(value)}")
    return value


# --------------------------------------------------------------------------- folders


def folder_files(folder: Path, suffixes: tuple[str, ...], notes: list[str] | None = None) -> list[Path]:
    """Files directly in ``folder`` whose name ends with one of ``suffixes`` (sorted).

    Symbolic links that lead outside ``folder`` are not followed: they are left
    out and, if ``notes`` is given, a note says so.
    """
    root = folder.resolve()
    out: list[Path] = []
    for p in sorted(folder.iterdir()):
        if not p.name.lower().endswith(suffixes):
            continue
        if p.is_symlink():
            target = p.resolve()
            if not target.is_relative_to(root):
                if notes is not None:
                    notes.append(f"{show_path(p)}: symbolic link to a file outside {show_path(folder)}, not followed")
                continue
        if p.is_file():
            out.append(p)
    return out


def folder_name(path: Path) -> str:
    """Name of the folder holding ``path`` as the user named it (symbolic links not resolved)."""
    return Path(os.path.normpath(path.absolute())).parent.name


# --------------------------------------------------------------------------- raw records


@dataclass
class RawSpan:
    """A labelled range as the file gives it: offsets into the file's own text of the document."""

    start: int
    end: int
    label: str
    line: int
    text: str | None = None
    id: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class RawStance:
    """A stance from the toolkit's own export (``claim`` is a span id or None)."""

    target: str
    value: str
    claim: str | None
    line: int


@dataclass
class RawLink:
    """A claim link from the toolkit's own export (span ids)."""

    a: str
    b: str
    line: int


@dataclass
class RawDoc:
    """One document of an input file with the annotations made on it.

    ``text`` is the text the offsets count in (the file's text, not normalised);
    ``annotator`` the name the file gives (None: none given); ``layer`` a suffix
    for the annotator name (``":rejected"`` for rejected Prodigy answers).
    """

    file: str
    line: int
    text: str
    doc_id: str | None = None
    source: str | None = None
    title: str = ""
    url: str = ""
    published: str = ""
    sha256: str | None = None
    annotator: str | None = None
    layer: str = ""
    spans: list[RawSpan] = field(default_factory=list)
    stances: list[RawStance] = field(default_factory=list)
    links: list[RawLink] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    default_source: str = ""
    id_stem: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"
