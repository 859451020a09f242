"""The annotation store: a project folder of documents and append-only record logs.

Layout and guarantees are described in ``docs/format.md``.  In short:

* documents are written once, atomically, to ``documents/<id>.json``;
* every annotation action appends one JSON line to ``records/<annotator>.jsonl``
  under an exclusive ``flock`` and returns only after ``fsync``;
* the current state is the replay of the log; nothing is ever rewritten,
  except by :meth:`Project.repair`, which only removes torn fragments (and keeps
  them in a side file).

This module imports no Jupyter, network or NLP code; pandas is imported only
when frames are requested.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import re
import shlex
import stat
import tempfile
import time
import urllib.parse
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import (
    CorruptFileError,
    DocumentChangedError,
    NotFoundError,
    ToolkitError,
    ValidationError,
)
from .model import (
    FORMAT_VERSION,
    RECORD_TYPES,
    ClaimLink,
    Document,
    LabelSchema,
    Record,
    Span,
    Stance,
    check_annotator,
    is_model_annotator,
    new_id,
    record_from_event,
    utc_now,
)
from .validation import build_span, event_problem, span_fit_problem, vocabulary_problems

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

try:  # orjson parses record lines several times faster; the stdlib is the fallback
    from orjson import JSONDecodeError as _FastDecodeError
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover
    _fast_loads, _FastDecodeError = json.loads, json.JSONDecodeError

PROJECT_FILE = "project.json"
SCHEMA_FILE = "schema.json"
DOCS_DIR = "documents"
RECORDS_DIR = "records"
FORMAT_NAME = "newslens-project"


# --------------------------------------------------------------------------- file helpers


def fsync_dir(path: Path) -> None:
    """fsync a directory so that a new or renamed entry in it is durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: temp file, fsync, rename, fsync dir.

    Readers see either the old or the new content, never a mix, even after a crash.
    The file keeps the mode of the file it replaces (new files: ``0o666`` less the umask,
    like ``open()``), not the private mode of the temporary file.
    """
    path = Path(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        # Locked until renamed: clean_stale_temp_files() never removes a file being written.
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.fchmod(fd, mode)
        _write_all(fd, text.encode("utf-8"))
        os.fsync(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    fsync_dir(path.parent)


TEMP_SUFFIX = ".tmp"
#: Names ``atomic_write_text`` gives its temporary files: ``.<target name>.<8 random chars>.tmp``.
TEMP_NAME_RE = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
STALE_TEMP_AGE = 300.0  # seconds


def clean_stale_temp_files(folder: Path, max_age: float = STALE_TEMP_AGE) -> list[Path]:
    """Remove temporary files a killed :func:`atomic_write_text` left in ``folder``; return them.

    Only files named like its temporary files, last modified more than ``max_age``
    seconds ago, and not locked: a writer holds an exclusive ``flock`` on its
    temporary file until it is renamed, so a file being written is never touched.
    Files that cannot be removed (read-only project) are left alone.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.endswith(TEMP_SUFFIX) and TEMP_NAME_RE.match(entry.name)):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or now - entry.stat(follow_symlinks=False).st_mtime < max_age:
                continue
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino == os.stat(entry.path, follow_symlinks=False).st_ino:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # locked by a live writer, already gone, or not ours to remove
            pass
        finally:
            os.close(fd)
    return removed


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk build of many small containers.

    Loading 100,000 records creates hundreds of thousands of dicts and tuples, none of
    them in reference cycles; without the pause, collections triggered by the
    allocations scan the growing heap again and again (about half of the load time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the block."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def annotator_filename(annotator: str) -> str:
    """File name of an annotator's record log (percent-encoded name + ``.jsonl``)."""
    return urllib.parse.quote(annotator, safe="@._-") + ".jsonl"


def annotator_from_filename(name: str) -> str:
    return urllib.parse.unquote(name[: -len(".jsonl")])


def read_json_file(path: Path) -> Any:
    """Parse a JSON file, turning any failure into a CorruptFileError naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: file not found") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CorruptFileError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise CorruptFileError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


# --------------------------------------------------------------------------- record log


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a project's files, with where it is."""

    file: str
    line: int | None
    annotator: str | None
    record_id: str | None
    kind: str
    message: str

    def __str__(self) -> str:
        at = f"{self.file}:{self.line}" if self.line else self.file
        return f"{at}: {self.kind}: {self.message}"


@dataclass
class _LogCache:
    inode: int = -1
    offset: int = 0  # bytes consumed (always just after a newline)
    lineno: int = 0  # lines consumed
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    bad: list[Problem] = field(default_factory=list)  # unparseable complete lines
    tail: Problem | None = None  # torn last line, if any


class RecordLog:
    """The append-only JSON Lines log of one annotator.

    Reads are incremental: a second :meth:`read` only parses bytes appended
    since the first.
    """

    def __init__(self, records_dir: Path, annotator: str) -> None:
        self.annotator = check_annotator(annotator)
        self.path = records_dir / annotator_filename(annotator)
        self.lock_path = records_dir / f".{annotator_filename(annotator)[:-6]}.lock"
        self._cache = _LogCache()

    def __repr__(self) -> str:
        return f"<RecordLog {self.annotator!r} at {self.path}>"

    # -- writing
    def append(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Append events as lines; durable (fsync) when this returns."""
        if not events:
            return
        payload = b"".join(
            json.dumps(ev, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for ev in events
        )
        with file_lock(self.lock_path):
            created = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    # A crash left a torn last line: keep it on its own line so
                    # it cannot corrupt this record; readers report it.
                    payload = b"\n" + payload
                _write_all(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                fsync_dir(self.path.parent)

    # -- reading
    def read(self) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
        """Return ``([(line_number, event), ...], problems)`` for the whole log (valid events only)."""
        with gc_paused():
            return self._read()

    def _read(self) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
        c = self._cache
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed by the with-block just below
        except FileNotFoundError:
            self._cache = _LogCache()
            return [], []
        with fh:
            st = os.fstat(fh.fileno())
            if st.st_ino != c.inode or st.st_size < c.offset:
                c = self._cache = _LogCache(inode=st.st_ino)
            fh.seek(c.offset)
            data = fh.read()
        c.tail = None
        if data:
            complete_end = data.rfind(b"\n") + 1
            body, rest = data[:complete_end], data[complete_end:]
            lineno = c.lineno
            numbered = [(lineno + i, raw) for i, raw in enumerate(body.split(b"\n")[:-1], 1) if raw.strip()]
            lineno += body.count(b"\n")
            try:  # fast path: the whole batch of lines as one JSON array
                parsed = _fast_loads(b"[" + b",".join(raw for _, raw in numbered) + b"]")
            except (_FastDecodeError, ValueError):
                parsed = None
            if parsed is not None and len(parsed) == len(numbered):
                problem, ann, append = event_problem, self.annotator, c.events.append
                for (n, _), ev in zip(numbered, parsed, strict=True):
                    if problem(ev, ann) is None:
                        append((n, ev))
                    else:
                        self._check_event(ev, n, c.bad)
            else:  # some line is broken: parse one by one to find and report it
                for n, raw in numbered:
                    ev = self._parse(raw, n, c.bad)
                    if ev is not None:
                        c.events.append((n, ev))
            c.offset += complete_end
            c.lineno = lineno
            if rest:
                c.tail = Problem(
                    str(self.path),
                    lineno + 1,
                    self.annotator,
                    None,
                    "torn-line",
                    f"last line is incomplete ({len(rest)} bytes, no newline): a write was interrupted; "
                    "run `toolkit repair` to set it aside",
                )
        problems = list(c.bad) + ([c.tail] if c.tail else [])
        return c.events, problems

    def _parse(self, raw: bytes, lineno: int, bad: list[Problem]) -> dict[str, Any] | None:
        if not raw.strip():
            return None
        try:
            ev = _fast_loads(raw)
        except (_FastDecodeError, ValueError, UnicodeDecodeError) as exc:
            bad.append(
                Problem(str(self.path), lineno, self.annotator, None, "corrupt-line", f"not a JSON record ({exc})")
            )
            return None
        return ev if self._check_event(ev, lineno, bad) else None

    def _check_event(self, ev: Any, lineno: int, bad: list[Problem]) -> bool:
        """True if ``ev`` is a valid event (:func:`toolkit.validation.event_problem`); else report it."""
        what = event_problem(ev, self.annotator)
        if what is None:
            return True
        oid = ev.get("id") if isinstance(ev, dict) else None
        bad.append(
            Problem(str(self.path), lineno, self.annotator, oid if isinstance(oid, str) else None, "invalid-record", what)
        )
        return False

    def repair(self) -> int:
        """Set aside unusable lines (torn, corrupt or invalid records) in a side file; return how many.

        The log is rewritten atomically under the writers' lock with every
        valid line kept byte for byte, in order.  The removed lines are saved to
        ``<log>.torn-<timestamp>`` so nothing is lost.
        """
        with file_lock(self.lock_path):
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                return 0
            keep: list[bytes] = []
            removed: list[bytes] = []
            for raw in data.split(b"\n"):
                if not raw.strip():
                    continue
                if self._parse(raw, 0, []) is None:
                    removed.append(raw)
                else:
                    keep.append(raw)
            if not removed:
                return 0
            stamp = utc_now().replace(":", "").replace("-", "").replace("+0000", "Z")
            side = self.path.with_name(f"{self.path.name}.torn-{stamp}")
            side.write_bytes(b"\n".join(removed) + b"\n")
            with open(side, "rb") as fh:
                os.fsync(fh.fileno())
            atomic_write_text(self.path, "".join(line.decode("utf-8") + "\n" for line in keep))
            self._cache = _LogCache()
            return len(removed)


# --------------------------------------------------------------------------- state


@dataclass
class AnnotatorState:
    """Current annotations of one annotator (the replay of its log)."""

    annotator: str
    spans: dict[str, Span] = field(default_factory=dict)
    stances: dict[str, Stance] = field(default_factory=dict)
    links: dict[str, ClaimLink] = field(default_factory=dict)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (type, id) -> line of last put
    problems: list[Problem] = field(default_factory=list)

    def table(self, kind: str) -> dict[str, Any]:
        return {"span": self.spans, "stance": self.stances, "link": self.links}[kind]

    def __repr__(self) -> str:
        return (
            f"<AnnotatorState {self.annotator!r}: {len(self.spans)} spans, {len(self.stances)} stances, "
            f"{len(self.links)} links, {len(self.problems)} problems>"
        )


def apply_events(state: AnnotatorState, path: str, events: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Apply more events to ``state`` in place."""
    annotator = state.annotator
    for lineno, ev in events:
        kind, oid = ev["type"], ev["id"]
        table = state.table(kind)
        if ev["op"] == "delete":
            table.pop(oid, None)
            state.lines.pop((kind, oid), None)
            continue
        try:
            obj = record_from_event({**ev, "annotator": annotator})
        except (KeyError, TypeError, ValidationError) as exc:
            what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            state.problems.append(Problem(path, lineno, annotator, oid, "invalid-record", what))
            continue
        table[oid] = obj
        state.lines[(kind, oid)] = lineno


def span_event_problem(ev: Mapping[str, Any], docs: Mapping[str, Document]) -> tuple[str, str] | None:
    """``(kind, message)`` if a span event (or ``{**Span.to_record(), "op": "put"}``) is malformed or does not fit.

    :func:`toolkit.validation.event_problem` (``invalid-record``) then
    :func:`toolkit.validation.span_fit_problem` (document known, unchanged, offsets and text).
    """
    what = event_problem({"op": "put", **ev})
    if what is not None:
        return "invalid-record", f"span {ev.get('id')}: {what}"
    return span_fit_problem(ev, docs)


@dataclass
class Frames:
    """The current state of a project as pandas DataFrames (see docs/format.md)."""

    documents: pd.DataFrame
    spans: pd.DataFrame
    stances: pd.DataFrame
    links: pd.DataFrame
    problems: pd.DataFrame

    def __repr__(self) -> str:
        ann = sorted(set(self.spans["annotator"]) | set(self.stances["annotator"])) if len(self.spans) else []
        return (
            f"<Frames documents={len(self.documents)} spans={len(self.spans)} stances={len(self.stances)} "
            f"links={len(self.links)} problems={len(self.problems)} annotators={ann}>"
        )


SPAN_COLUMNS = [
    "id", "doc_id", "source", "start", "end", "label", "layer", "text", "kind", "speaker",
    "speaker_span", "attrs", "annotator", "is_model", "ts",
]  # fmt: skip
STANCE_COLUMNS = ["id", "doc_id", "source", "claim_id", "target", "value", "annotator", "is_model", "ts"]
LINK_COLUMNS = ["id", "a", "b", "doc_a", "doc_b", "annotator", "is_model", "ts"]
DOC_COLUMNS = ["doc_id", "source", "title", "url", "published", "sha256", "n_chars", "text"]
PROBLEM_COLUMNS = ["file", "line", "annotator", "record_id", "kind", "message"]
#: Problem kinds whose line or record is not in the frames (the others are reported but kept).
SKIPPED_KINDS = frozenset(
    {"corrupt-line", "torn-line", "invalid-record", "unknown-document", "document-changed", "offset-mismatch",
     "bad-reference"}
)  # fmt: skip


class SkippedRecordsWarning(UserWarning):
    """``Project.load()`` left unusable lines or records out of the frames (see ``frames.problems``)."""


# --------------------------------------------------------------------------- project


class Project:
    """A project folder: documents, label schema and annotation logs.

    >>> proj = Project.init(tmp_path / "annotations")          # doctest: +SKIP
    >>> proj.add_documents([Document.create("d1", "Wire", "Venn spoke.")])
    >>> proj.add_span("d1", 0, 4, "PERSON", annotator="alice")
    <Span PERSON 'Venn' d1[0:4] by alice>
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        meta_path = self.path / PROJECT_FILE
        if not meta_path.is_file():
            raise NotFoundError(
                f"no project at {self.path} (no {PROJECT_FILE}); create one with `toolkit --project {shlex.quote(str(path))} init`"
            )
        self.meta: dict[str, Any] = read_json_file(meta_path)
        if not isinstance(self.meta, dict) or self.meta.get("format") != FORMAT_NAME:
            raise CorruptFileError(f"{meta_path}: not a {FORMAT_NAME} file")
        if self.meta.get("version", 0) > FORMAT_VERSION:
            raise CorruptFileError(
                f"{meta_path}: format version {self.meta['version']} is newer than this toolkit "
                f"({FORMAT_VERSION}); upgrade the toolkit"
            )
        self.docs_dir = self.path / DOCS_DIR
        self.records_dir = self.path / RECORDS_DIR
        self.schema = LabelSchema.from_json(read_json_file(self.path / SCHEMA_FILE), str(self.path / SCHEMA_FILE))
        self._logs: dict[str, RecordLog] = {}
        self._states: dict[str, tuple[list, int, AnnotatorState]] = {}
        self._docs: dict[str, Document] = {}
        self._docs_sig: tuple[int, int] | None = None
        for folder in (self.path, self.docs_dir, self.records_dir):  # left by writers killed mid-write
            clean_stale_temp_files(folder)

    # -- creation
    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Project:
        """Open an existing project folder.

        Without ``path``: the folder named by the ``TOOLKIT_PROJECT`` environment
        variable, else the nearest ``annotations/`` project in the current folder or
        one of its parents (so notebooks in ``notebooks/`` find the repo's project).
        """
        return cls(path if path is not None else cls.discover())

    @staticmethod
    def discover(start: str | os.PathLike[str] | None = None) -> Path:
        """The default project folder (see :meth:`open`)."""
        env = os.environ.get("TOOLKIT_PROJECT")
        if env:
            return Path(env)
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "annotations" / PROJECT_FILE).is_file():
                return folder / "annotations"
        return Path("annotations")

    @classmethod
    def init(
        cls,
        path: str | os.PathLike[str],
        schema: LabelSchema | None = None,
        name: str | None = None,
        exist_ok: bool = False,
    ) -> Project:
        """Create a project folder (``project.json``, ``schema.json``, ``documents/``, ``records/``)."""
        path = Path(path)
        if (path / PROJECT_FILE).exists():
            if exist_ok:
                return cls(path)
            raise ToolkitError(f"{path} already holds a project")
        path.mkdir(parents=True, exist_ok=True)
        (path / DOCS_DIR).mkdir(exist_ok=True)
        (path / RECORDS_DIR).mkdir(exist_ok=True)
        schema = schema or LabelSchema.default()
        atomic_write_text(path / SCHEMA_FILE, schema.dumps())
        meta = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "name": name or path.resolve().name}
        atomic_write_text(path / PROJECT_FILE, json.dumps(meta, indent=2) + "\n")
        return cls(path)

    def __repr__(self) -> str:
        return f"<Project {str(self.path)!r}: {len(self.documents())} documents, annotators={self.annotators()}>"

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or self.path.name)

    def save_schema(self, schema: LabelSchema) -> None:
        """Replace the label schema.  Existing records are kept; unknown labels get reported."""
        atomic_write_text(self.path / SCHEMA_FILE, schema.dumps())
        self.schema = schema

    def set_setting(self, key: str, value: Any) -> None:
        """Store a project setting (e.g. ``spacy_model``) in ``project.json``."""
        with file_lock(self.path / ".project.lock"):
            meta = read_json_file(self.path / PROJECT_FILE)
            meta[key] = value
            atomic_write_text(self.path / PROJECT_FILE, json.dumps(meta, indent=2) + "\n")
            self.meta = meta

    # -- documents
    def documents(self) -> dict[str, Document]:
        """All documents by id (cached; re-read when the folder changes)."""
        try:
            st = self.docs_dir.stat()
        except FileNotFoundError:
            raise NotFoundError(f"{self.docs_dir}: documents folder missing") from None
        sig = (st.st_mtime_ns, st.st_ino)
        if sig != self._docs_sig:
            docs: dict[str, Document] = {}
            for p in sorted(self.docs_dir.glob("*.json")):
                try:
                    doc = Document.from_json(read_json_file(p))
                except ValidationError as exc:
                    raise CorruptFileError(f"{p}: {exc}") from None
                if p.stem != doc.id:
                    raise CorruptFileError(f"{p}: holds document id {doc.id!r}, expected {p.stem!r}")
                docs[doc.id] = doc
            self._docs, self._docs_sig = docs, sig
        return self._docs

    def document(self, doc_id: str) -> Document:
        """One document; NotFoundError names the project if it does not exist."""
        try:
            return self.documents()[doc_id]
        except KeyError:
            raise NotFoundError(f"no document {doc_id!r} in project {self.path}") from None

    def add_documents(self, docs: Iterable[Document], replace: bool = False) -> dict[str, list[str]]:
        """Store documents; returns ids by outcome: ``added``, ``unchanged``, ``replaced``.

        A document whose id exists with a *different* text is refused
        (DocumentChangedError) unless ``replace=True``; after replacing, spans
        made on the old text are reported as stale by :meth:`load`/:meth:`validate`.
        """
        docs = list(docs)
        seen: set[str] = set()
        for d in docs:
            if d.id in seen:
                raise ValidationError(f"duplicate document id {d.id!r} in the documents being added")
            seen.add(d.id)
        out: dict[str, list[str]] = {"added": [], "unchanged": [], "replaced": []}
        with file_lock(self.path / ".documents.lock"):
            existing = self.documents()
            for d in docs:
                old = existing.get(d.id)
                if old is not None and old.sha256 == d.sha256:
                    out["unchanged"].append(d.id)
                    continue
                if old is not None and not replace:
                    raise DocumentChangedError(
                        f"document {d.id!r} already exists with different text (sha256 {old.sha256[:12]} -> "
                        f"{d.sha256[:12]}); pass replace=True (CLI: --replace) to overwrite it"
                    )
                atomic_write_text(
                    self.docs_dir / f"{d.id}.json", json.dumps(d.to_json(), ensure_ascii=False, indent=1) + "\n"
                )
                out["replaced" if old is not None else "added"].append(d.id)
        return out

    # -- logs and state
    def log(self, annotator: str) -> RecordLog:
        """The record log of ``annotator`` (created on first write)."""
        log = self._logs.get(annotator)
        if log is None:
            log = self._logs[annotator] = RecordLog(self.records_dir, annotator)
        return log

    def annotators(self) -> list[str]:
        """Names of all annotators with a log, sorted (model layers included)."""
        names = {annotator_from_filename(p.name) for p in self.records_dir.glob("*.jsonl")}
        return sorted(names)

    def check_annotators(self, names: Iterable[str]) -> list[str]:
        """``names`` as a list if every one has a log; else NotFoundError listing the known annotators.

        For command-line options such as ``--annotator``: a misspelt name is an
        error, not an empty result.
        """
        names = list(names)
        known = self.annotators()
        unknown = [n for n in names if n not in set(known)]
        if unknown:
            raise NotFoundError(
                f"no annotator {', '.join(map(repr, unknown))} in {self.path}; "
                f"known annotators: {', '.join(known) or 'none (no annotations yet)'}"
            )
        return names

    def current(self, annotator: str) -> AnnotatorState:
        """The current annotations of one annotator (a copy; replayed incrementally)."""
        log = self.log(annotator)
        events, problems = log.read()
        cached = self._states.get(annotator)
        if cached is None or cached[0] is not events or cached[1] > len(events):
            cached = (events, 0, AnnotatorState(annotator))
        state = cached[2]
        apply_events(state, str(log.path), events[cached[1] :])
        self._states[annotator] = (events, len(events), state)
        return AnnotatorState(
            annotator,
            dict(state.spans),
            dict(state.stances),
            dict(state.links),
            dict(state.lines),
            problems + state.problems,
        )

    def history(self, annotator: str) -> list[dict[str, Any]]:
        """Every event of ``annotator``'s log in order (with its ``line``)."""
        events, _ = self.log(annotator).read()
        return [{"line": n, **ev} for n, ev in events]

    # -- writing
    def _event(self, op: str, annotator: str, body: Mapping[str, Any], meta: Mapping[str, Any] | None) -> dict:
        ev: dict[str, Any] = {"rid": new_id("r")[2:], "op": op, **body, "annotator": annotator, "ts": utc_now()}
        if meta:
            if not isinstance(meta, Mapping):
                raise ValidationError(f"meta must be an object, got {type(meta).__name__}")
            ev["meta"] = dict(meta)
        return ev

    def make_span(
        self,
        doc_id: str,
        start: int,
        end: int,
        label: str,
        annotator: str,
        attrs: Mapping[str, Any] | None = None,
        id: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Span:
        """Validate and build a span without storing it (checks offsets, label, claim attributes).

        The rules are :func:`toolkit.validation.build_span`'s; :meth:`put` checks the event again.
        """
        check_annotator(annotator)
        return build_span(self.document(doc_id), start, end, label, annotator, self.schema, attrs, id, meta)

    def put(self, records: Sequence[Record]) -> list[Record]:
        """Store already-validated records (any annotators), one lock + fsync per annotator.

        Returns the records with their timestamps.  Use :meth:`make_span` etc. to validate.
        """
        by_ann: dict[str, list[dict[str, Any]]] = {}
        out: list[Record] = []
        for rec in records:
            check_annotator(rec.annotator)
            ev = self._event("put", rec.annotator, rec.to_record(), rec.meta)
            what = event_problem(ev, rec.annotator)
            if what is not None:
                raise ValidationError(f"{rec.to_record()['type']} {rec.id!r} of {rec.annotator!r} refused: {what}")
            by_ann.setdefault(rec.annotator, []).append(ev)
            out.append(record_from_event(ev))
        for ann, events in by_ann.items():
            self.log(ann).append(events)
        return out

    def add_span(
        self,
        doc_id: str,
        start: int,
        end: int,
        label: str,
        annotator: str,
        attrs: Mapping[str, Any] | None = None,
        id: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Span:
        """Tag ``document.text[start:end]`` with ``label``; durable when it returns."""
        span = self.make_span(doc_id, start, end, label, annotator, attrs, id, meta)
        return self.put([span])[0]  # type: ignore[return-value]

    def add_spans(self, items: Iterable[Mapping[str, Any]], annotator: str) -> list[Span]:
        """Add many spans with one write (one lock, one fsync).

        Each item has ``doc``, ``start``, ``end``, ``label`` and optional ``attrs``, ``id``, ``meta``.
        Nothing is written if any item is invalid.
        """
        spans = [
            self.make_span(
                it["doc"], it["start"], it["end"], it["label"], annotator, it.get("attrs"), it.get("id"), it.get("meta")
            )
            for it in items
        ]
        return self.put(spans)  # type: ignore[return-value]

    def update_span(
        self,
        span_id: str,
        annotator: str,
        label: str | None = None,
        attrs: Mapping[str, Any] | None = None,
        start: int | None = None,
        end: int | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Span:
        """Change a span's label, attributes or offsets (a new ``put`` with the same id)."""
        old = self._get(annotator, "span", span_id)
        assert isinstance(old, Span)
        span = self.make_span(
            old.doc,
            old.start if start is None else start,
            old.end if end is None else end,
            old.label if label is None else label,
            annotator,
            old.attrs if attrs is None else attrs,
            id=span_id,
            meta=meta if meta is not None else old.meta,
        )
        return self.put([span])[0]  # type: ignore[return-value]

    def set_stance(
        self,
        doc_id: str,
        target: str,
        value: str,
        annotator: str,
        claim: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Stance:
        """Record the stance of a document (or of one of its claims) toward ``target``."""
        check_annotator(annotator)
        self.document(doc_id)
        if type(target) is not str or type(value) is not str:
            raise ValidationError(f"stance target and value must be strings, got {target!r}, {value!r}")
        self.schema.check_stance(target, value)
        if claim is not None:
            span = self._get(annotator, "span", claim)
            if span.doc != doc_id or self.schema.layer_of(span.label) != "claim":  # type: ignore[union-attr]
                raise ValidationError(f"span {claim} is not a claim of document {doc_id!r}")
        st = Stance(Stance.make_id(doc_id, target, claim), doc_id, target, value, annotator, claim, meta=meta)
        return self.put([st])[0]  # type: ignore[return-value]

    def link_claims(
        self, span_a: str, span_b: str, annotator: str, meta: Mapping[str, Any] | None = None
    ) -> ClaimLink:
        """Record that claims ``span_a`` and ``span_b`` (span ids) say the same thing."""
        check_annotator(annotator)
        if span_a == span_b:
            raise ValidationError("cannot link a claim to itself")
        a, b = (self._find_span(s, annotator) for s in (span_a, span_b))
        for s in (a, b):
            if self.schema.layer_of(s.label) != "claim":
                raise ValidationError(f"span {s.id} ({s.label} {s.text!r}) is not a claim")
        link = ClaimLink(ClaimLink.make_id(a.id, b.id), a.id, b.id, a.doc, b.doc, annotator, meta=meta)
        return self.put([link])[0]  # type: ignore[return-value]

    def delete(
        self,
        kind: str,
        object_id: str,
        annotator: str,
        meta: Mapping[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> None:
        """Delete a span, stance or link of ``annotator`` (appends a ``delete`` event).

        With ``missing_ok=True`` the event is written even if the object does not exist
        (replay treats it as a no-op); its ``meta`` then records a decision that something
        is absent, e.g. adjudication's "reviewed: no span here".
        """
        if kind not in RECORD_TYPES:
            raise ValidationError(f"unknown record type {kind!r} (expected one of {', '.join(RECORD_TYPES)})")
        check_annotator(annotator)
        if not missing_ok:
            self._get(annotator, kind, object_id)
        self.log(annotator).append([self._event("delete", annotator, {"type": kind, "id": object_id}, meta)])

    def delete_many(self, kind: str, object_ids: Iterable[str], annotator: str) -> int:
        """Delete several objects of ``annotator`` with one write (one lock, one fsync).

        Ids that do not exist in the annotator's current state are skipped; returns how many were deleted.
        """
        if kind not in RECORD_TYPES:
            raise ValidationError(f"unknown record type {kind!r} (expected one of {', '.join(RECORD_TYPES)})")
        table = self.current(annotator).table(kind)
        events = [self._event("delete", annotator, {"type": kind, "id": oid}, None) for oid in object_ids if oid in table]
        self.log(annotator).append(events)
        return len(events)

    def restore(self, record: Record) -> Record:
        """Put back an earlier version of a record (used by undo); validates spans again."""
        if isinstance(record, Span):
            span = self.make_span(
                record.doc, record.start, record.end, record.label, record.annotator,
                record.attrs, id=record.id, meta=record.meta,
            )  # fmt: skip
            return self.put([span])[0]
        return self.put([record])[0]

    def _get(self, annotator: str, kind: str, object_id: str) -> Record:
        obj = self.current(annotator).table(kind).get(object_id)
        if obj is None:
            raise NotFoundError(f"annotator {annotator!r} has no {kind} {object_id!r}")
        return obj

    def _find_span(self, span_id: str, prefer: str) -> Span:
        """A span by id, looked up first in ``prefer``'s layer, then in every layer."""
        for ann in [prefer, *(a for a in self.annotators() if a != prefer)]:
            span = self.current(ann).spans.get(span_id)
            if span is not None:
                return span
        raise NotFoundError(f"no span {span_id!r} in project {self.path}")

    # -- checking and loading
    def validate(self) -> list[Problem]:
        """Every problem in the project: torn/corrupt lines, stale or misaligned spans, unknown labels.

        The same checks as :meth:`load` (one scan serves both), without building DataFrames.
        """
        return self._scan(self.annotators())[3]

    def repair(self) -> dict[str, int]:
        """Set aside torn or corrupt lines in every log; returns lines removed per annotator."""
        out = {}
        for ann in self.annotators():
            n = self.log(ann).repair()
            if n:
                out[ann] = n
        return out

    def _scan(self, names: Iterable[str]) -> tuple[list[list[Any]], list[tuple], list[tuple], list[Problem]]:
        """Replay the logs of ``names`` as event dicts and check every current record once.

        Lines that are not valid events were already set aside by :meth:`RecordLog.read`
        (``invalid-record``, ``corrupt-line``, ``torn-line``).  Here: spans against their
        document; labels, claim kinds and stance values against the schema (reported, kept);
        a claim stance's claim and a link's ends must exist (``bad-reference``, left out).
        Returns span columns (in ``SPAN_COLUMNS`` order), stance rows, link rows and problems.
        """
        with gc_paused():
            return self._scan_logs(names)

    def _scan_logs(self, names: Iterable[str]) -> tuple[list[list[Any]], list[tuple], list[tuple], list[Problem]]:
        docs = self.documents()
        schema = self.schema
        source = {d.id: d.source for d in docs.values()}
        known = set(schema.label_names)
        layer_of = {lab: schema.layer_of(lab) for lab in known}
        claim_kinds = set(schema.claim_kinds)
        targets, values = set(schema.stance_targets), set(schema.stance_values)

        problems: list[Problem] = []
        replayed: list[tuple[str, str, dict[tuple[str, str], tuple[int, dict[str, Any]]]]] = []
        for ann in names:
            log = self.log(ann)
            events, read_problems = log.read()
            problems.extend(read_problems)
            latest: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
            for n, ev in events:
                if ev["op"] == "delete":
                    latest.pop((ev["type"], ev["id"]), None)
                else:
                    latest[(ev["type"], ev["id"])] = (n, ev)
            replayed.append((ann, str(log.path), latest))

        spans_of: dict[str, dict[str, tuple[str, str]]] = {}  # annotator -> span id -> (doc, label), when needed

        def spans_by(ann: str) -> dict[str, tuple[str, str]]:
            if ann not in spans_of:
                for name, _, latest in replayed:
                    if name == ann:
                        spans_of[ann] = {k[1]: (e["doc"], e["label"]) for k, (_, e) in latest.items() if k[0] == "span"}
                        break
                else:  # link ends may be in layers that were not asked for
                    spans_of[ann] = {k: (v.doc, v.label) for k, v in self.current(ann).spans.items()}
            return spans_of[ann]

        def find_span(span_id: str, prefer: str) -> tuple[str, str] | None:
            for name in (prefer, *(a for a, _, _ in replayed), *self.annotators()):
                ref = spans_by(name).get(span_id)
                if ref is not None:
                    return ref
            return None

        span_rows: list[tuple] = []
        stance_rows: list[tuple] = []
        link_rows: list[tuple] = []
        for ann, path, latest in replayed:
            model = is_model_annotator(ann)
            for n, ev in latest.values():
                kind, oid = ev["type"], ev["id"]
                if kind == "span":
                    bad = span_fit_problem(ev, docs)
                    if bad:
                        problems.append(Problem(path, n, ann, oid, *bad))
                        continue
                    label = ev["label"]
                    attrs = ev.get("attrs") or {}
                    layer, ckind = layer_of.get(label, "unknown"), attrs.get("kind")
                    if layer == "unknown" or (layer == "claim" and ckind is not None and ckind not in claim_kinds):
                        problems.extend(Problem(path, n, ann, oid, *p) for p in vocabulary_problems(ev, schema))
                    span_rows.append(
                        (oid, ev["doc"], source[ev["doc"]], ev["start"], ev["end"], label, layer, ev["text"],
                         ckind, attrs.get("speaker"), attrs.get("speaker_span"), attrs, ann, model,
                         ev.get("ts", ""))
                    )  # fmt: skip
                elif kind == "stance":
                    doc_id, claim = ev["doc"], ev.get("claim")
                    if doc_id not in docs:
                        problems.append(Problem(path, n, ann, oid, "unknown-document",
                                                f"stance refers to missing document {doc_id!r}"))  # fmt: skip
                        continue
                    if claim is not None:
                        ref = spans_by(ann).get(claim)
                        if ref is None or ref[0] != doc_id or layer_of.get(ref[1]) != "claim":
                            why = "does not exist" if ref is None else f"is not a claim of {doc_id!r}"
                            problems.append(Problem(path, n, ann, oid, "bad-reference",
                                                    f"stance on claim {claim!r}, which {why} in this layer"))  # fmt: skip
                            continue
                    if (targets and ev["target"] not in targets) or ev["value"] not in values:
                        problems.extend(Problem(path, n, ann, oid, *p) for p in vocabulary_problems(ev, schema))
                    stance_rows.append((oid, doc_id, source[doc_id], claim, ev["target"], ev["value"], ann, model,
                                        ev.get("ts", "")))  # fmt: skip
                else:
                    a, b, doc_a, doc_b = ev["a"], ev["b"], ev["doc_a"], ev["doc_b"]
                    why = ""
                    for end, doc_id in ((a, doc_a), (b, doc_b)):
                        ref = find_span(end, ann)
                        if ref is None:
                            why = f"link end {end!r} is not a span of any annotator"
                        elif ref[0] != doc_id:
                            why = f"link end {end!r} is in {ref[0]!r}, not {doc_id!r}"
                        if why:
                            break
                    if why:
                        problems.append(Problem(path, n, ann, oid, "bad-reference", why))
                        continue
                    link_rows.append((oid, a, b, doc_a, doc_b, ann, model, ev.get("ts", "")))
        span_cols: list[list[Any]] = [list(col) for col in zip(*span_rows, strict=True)] if span_rows else [
            [] for _ in SPAN_COLUMNS
        ]
        return span_cols, stance_rows, link_rows, problems

    def load(self, annotators: Iterable[str] | None = None, include_models: bool = True) -> Frames:
        """The project's current state as DataFrames (documents, spans, stances, links, problems).

        Spans that do not fit their document (changed text, bad offsets) are
        left out of ``spans`` and listed in ``problems``, exactly as :meth:`validate`
        reports them.  This works on the log's event dicts directly (no objects), so
        100,000 records load in about the time pandas takes to parse the same file.
        """
        import pandas as pd

        docs = self.documents()
        names = self.annotators() if annotators is None else self.check_annotators(annotators)
        if not include_models:
            names = [a for a in names if not is_model_annotator(a)]
        span_cols, stance_rows, link_rows, problems = self._scan(names)
        skipped = sum(p.kind in SKIPPED_KINDS for p in problems)
        if skipped:
            warnings.warn(
                f"{self.path}: {skipped} record line(s) or record(s) left out of the frames "
                "(listed in frames.problems; run `toolkit validate`)",
                SkippedRecordsWarning,
                stacklevel=2,
            )

        doc_rows = [
            (d.id, d.source, d.title, d.url, d.published, d.sha256, len(d.text), d.text) for d in docs.values()
        ]
        spans = pd.DataFrame(dict(zip(SPAN_COLUMNS, span_cols, strict=True)), columns=SPAN_COLUMNS)
        spans = spans.astype({"start": "int64", "end": "int64", "is_model": "bool"})
        return Frames(
            documents=pd.DataFrame.from_records(doc_rows, columns=DOC_COLUMNS),
            spans=spans,
            stances=pd.DataFrame.from_records(stance_rows, columns=STANCE_COLUMNS).astype({"is_model": "bool"}),
            links=pd.DataFrame.from_records(link_rows, columns=LINK_COLUMNS).astype({"is_model": "bool"}),
            problems=pd.DataFrame.from_records(
                [(p.file, p.line, p.annotator, p.record_id, p.kind, p.message) for p in problems],
                columns=PROBLEM_COLUMNS,
            ),
        )

    def status(self) -> dict[str, Any]:
        """Counts of documents per source and of current records per annotator (no pandas)."""
        docs = self.documents()
        per_source: dict[str, int] = {}
        for d in docs.values():
            per_source[d.source] = per_source.get(d.source, 0) + 1
        per_ann = {}
        for ann in self.annotators():
            st = self.current(ann)
            per_ann[ann] = {
                "spans": len(st.spans),
                "stances": len(st.stances),
                "links": len(st.links),
                "documents": len({s.doc for s in st.spans.values()} | {t.doc for t in st.stances.values()}),
                "problems": len(st.problems),
            }
        return {"documents": len(docs), "sources": per_source, "annotators": per_ann}
