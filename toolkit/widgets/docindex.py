"""Per-document indexes of the record logs, so the annotation widget costs the same on 100k articles as on 100.

:class:`LogIndex` knows where each document's events are in one annotator's log (byte
offset and length of every line, the document it belongs to, whether it is still current)
and replays only the lines of the document asked for.  It is built by one pass over the
log, saved in ``<project>/ui/index/`` and brought up to date by reading only the bytes
appended since (logs are append-only; a rewritten log, e.g. by ``repair``, has a new inode
and is indexed again).  :class:`DocCatalog` is the sorted id list (from file names) and
the id -> source map (read once from the documents, then kept in the same folder).

For the annotator's confidence tools (score filter, "accept all above a score" across
documents, "next most uncertain") the index also keeps, per span line, its offsets, a
label code, ``attrs.score`` (NaN when absent) and a hash of ``meta.accepted_from``:
:meth:`LogIndex.spans` answers project-wide questions with array operations, without
replaying any document.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from array import array
from pathlib import Path
from typing import Any, NamedTuple, cast

import numpy as np

try:  # a faster parser where it is installed (the store uses it too)
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    _loads = cast(Any, json.loads)  # orjson.loads' type also takes memoryview; only bytes and str are passed

from ..errors import CorruptFileError, NotFoundError, ValidationError
from ..model import Document, Span, record_from_event
from ..store import AnnotatorState, Project, apply_events

__all__ = ["DocCatalog", "LogIndex", "SpanRows", "INDEX_DIR", "id_hash"]

#: Where the indexes are kept, inside the project folder.
INDEX_DIR = Path("ui") / "index"
KINDS = {"span": 0, "stance": 1, "link": 2}
FORMAT = 2  # 2: span columns (start, end, label, score, accepted_from hash)
#: Appended lines indexed without saving the index again (the next open reads them from the log).
SAVE_EVERY = 20_000


def id_hash(oid: str) -> int:
    """The 64-bit hash the index keeps for a record id (also for ``meta.accepted_from``)."""
    return int.from_bytes(hashlib.blake2b(oid.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


_id_hash = id_hash
_ARRAYS = ("offset", "length", "doc", "kind", "put", "live", "idh", "start", "end", "label", "score", "src")


class SpanRows(NamedTuple):
    """The current spans of one log as columns (see :meth:`LogIndex.spans`); codes index ``docs`` / ``labels``."""

    row: np.ndarray  # line number in the index (for :meth:`LogIndex.read_spans`)
    doc: np.ndarray  # document code
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray  # label code
    score: np.ndarray  # float64, NaN when the span has no numeric attrs.score
    idh: np.ndarray  # hash of the span id
    src: np.ndarray  # hash of meta.accepted_from, 0 when absent
    docs: list[str]
    labels: list[str]


_NO_SPAN = (-1, -1, -1, math.nan, 0)


def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` atomically (a cache: if the folder is read-only, it is simply not kept)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]  # numpy's stub: a ** dict could fill allow_pickle
        os.replace(tmp, path)
    except OSError:
        return


class LogIndex:
    """Where each document's lines are in one annotator's log; replays one document on demand."""

    def __init__(self, project: Project, annotator: str) -> None:
        self.annotator = annotator
        self.log = project.log(annotator)
        self.file = project.path / INDEX_DIR / (self.log.path.name[: -len(".jsonl")] + ".npz")
        self._reset(-1)
        self._load()

    def __repr__(self) -> str:
        return f"<LogIndex {self.annotator!r}: {len(self.offset)} lines, {len(self.docs)} documents>"

    # ---------------------------------------------------------------- state
    def _reset(self, inode: int) -> None:
        self.inode, self.size = inode, 0
        self.docs: list[str] = []
        self.codes: dict[str, int] = {}
        self.offset: np.ndarray = np.zeros(0, np.int64)
        self.length: np.ndarray = np.zeros(0, np.int32)
        self.doc: np.ndarray = np.zeros(0, np.int32)  # code of the document, -1 when the line names none
        self.kind: np.ndarray = np.zeros(0, np.int8)  # KINDS, -1 for a line that is not a valid event
        self.put: np.ndarray = np.zeros(0, np.bool_)  # a put (else a delete)
        self.live: np.ndarray = np.zeros(0, np.bool_)  # a put not deleted nor replaced since
        self.idh: np.ndarray = np.zeros(0, np.int64)  # hash of the record id
        # span puts only (-1 / NaN / 0 on other lines)
        self.labels: list[str] = []
        self.lcodes: dict[str, int] = {}
        self.start: np.ndarray = np.zeros(0, np.int32)
        self.end: np.ndarray = np.zeros(0, np.int32)
        self.label: np.ndarray = np.zeros(0, np.int32)
        self.score: np.ndarray = np.zeros(0, np.float64)
        self.src: np.ndarray = np.zeros(0, np.int64)  # hash of meta.accepted_from
        self._unsaved = 0

    def _load(self) -> None:
        try:
            with np.load(self.file, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format") != FORMAT:
                    return
                self.inode, self.size, self.docs = int(meta["inode"]), int(meta["size"]), list(meta["docs"])
                self.labels = list(meta["labels"])
                for name in _ARRAYS:
                    setattr(self, name, z[name])
        except (OSError, ValueError, KeyError):
            self._reset(-1)
            return
        self.codes = {d: i for i, d in enumerate(self.docs)}
        self.lcodes = {lab: i for i, lab in enumerate(self.labels)}

    def save(self) -> None:
        """Keep the index in ``<project>/ui/index/`` (silently skipped where the folder is read-only)."""
        meta = {"format": FORMAT, "inode": self.inode, "size": self.size, "docs": self.docs, "labels": self.labels}
        _save_npz(self.file, {"meta": np.array(json.dumps(meta)), **{name: getattr(self, name) for name in _ARRAYS}})
        self._unsaved = 0

    # ---------------------------------------------------------------- indexing
    def refresh(self) -> int:
        """Index the lines appended since the last call; returns how many (the whole log after a rewrite)."""
        try:
            st = os.stat(self.log.path)
        except FileNotFoundError:
            if self.size:
                self._reset(-1)
            return 0
        if st.st_ino != self.inode or st.st_size < self.size:
            self._reset(st.st_ino)
        if st.st_size == self.size:
            return 0
        with open(self.log.path, "rb") as fh:
            fh.seek(self.size)
            data = fh.read(st.st_size - self.size)
        end = data.rfind(b"\n") + 1  # a torn last line waits until it is complete
        if not end:
            return 0
        n = self._index(data[:end], self.size)
        self.size += end
        self._unsaved += n
        if self._unsaved >= SAVE_EVERY or len(self.offset) == n:  # first build or a big catch-up
            self.save()
        return n

    def _code(self, doc: Any) -> int:
        if not isinstance(doc, str):
            return -1
        code = self.codes.get(doc)
        if code is None:
            code = self.codes[doc] = len(self.docs)
            self.docs.append(doc)
        return code

    def _label_code(self, label: Any) -> int:
        if not isinstance(label, str):
            return -1
        code = self.lcodes.get(label)
        if code is None:
            code = self.lcodes[label] = len(self.labels)
            self.labels.append(label)
        return code

    def _index(self, data: bytes, base: int) -> int:
        """Index the complete lines of ``data`` (which starts at byte ``base`` of the log)."""
        offset, length, doc, kind = array("q"), array("i"), array("i"), array("b")
        put, live, idh = array("b"), array("b"), array("q")
        start, end, label, score, src = array("i"), array("i"), array("i"), array("d"), array("q")
        first = len(self.offset)
        last_put: dict[tuple[int, int], int] = {}  # (kind, id hash) -> row of the latest put in this batch
        dead: list[int] = []  # rows before this batch that are no longer current
        pos = base
        for line in data.split(b"\n")[:-1]:
            row = first + len(offset)
            offset.append(pos)
            length.append(len(line))
            pos += len(line) + 1
            k, code, is_put, h, sp = self._fields(line)
            start.append(sp[0])
            end.append(sp[1])
            label.append(sp[2])
            score.append(sp[3])
            src.append(sp[4])
            kind.append(k)
            put.append(is_put)
            live.append(is_put and k >= 0)
            idh.append(h)
            if k >= 0:
                prev = last_put.get((k, h))
                if prev is not None:
                    live[prev - first] = 0
                    code = code if is_put else doc[prev - first]
                elif first:
                    rows = self._current_rows(k, h)
                    dead.extend(rows)
                    if not is_put and len(rows):
                        code = int(self.doc[rows[-1]])
                if is_put:
                    last_put[(k, h)] = row
                else:
                    last_put.pop((k, h), None)
            doc.append(code)
        if dead:
            self.live[np.asarray(dead, np.int64)] = False
        self.offset = np.concatenate([self.offset, np.frombuffer(offset, np.int64)])
        self.length = np.concatenate([self.length, np.frombuffer(length, np.int32)])
        self.doc = np.concatenate([self.doc, np.frombuffer(doc, np.int32)])
        self.kind = np.concatenate([self.kind, np.frombuffer(kind, np.int8)])
        self.put = np.concatenate([self.put, np.frombuffer(put, np.int8).astype(np.bool_)])
        self.live = np.concatenate([self.live, np.frombuffer(live, np.int8).astype(np.bool_)])
        self.idh = np.concatenate([self.idh, np.frombuffer(idh, np.int64)])
        self.start = np.concatenate([self.start, np.frombuffer(start, np.int32)])
        self.end = np.concatenate([self.end, np.frombuffer(end, np.int32)])
        self.label = np.concatenate([self.label, np.frombuffer(label, np.int32)])
        self.score = np.concatenate([self.score, np.frombuffer(score, np.float64)])
        self.src = np.concatenate([self.src, np.frombuffer(src, np.int64)])
        return len(offset)

    def _current_rows(self, k: int, h: int) -> np.ndarray:
        """Rows indexed before this batch holding the current put of record (kind ``k``, id hash ``h``)."""
        return np.flatnonzero((self.idh == h) & self.live & (self.kind == k))

    def _fields(self, line: bytes) -> tuple[int, int, bool, int, tuple[int, int, int, float, int]]:
        """(kind, document code, is a put, id hash, span columns) of one log line; kind -1 if not a valid event.

        The span columns (start, end, label code, score, accepted_from hash) are filled for span puts only.
        """
        try:
            ev = _loads(line)
            k = KINDS[ev["type"]]
            oid = ev["id"]
            is_put = ev["op"] == "put"
        except (ValueError, KeyError, TypeError):
            return -1, -1, False, 0, _NO_SPAN
        if not isinstance(oid, str):
            return -1, -1, False, 0, _NO_SPAN
        sp = _NO_SPAN
        if is_put and k == KINDS["span"]:
            sp = self._span_fields(ev)
        return k, self._code(ev.get("doc") if is_put else None), is_put, _id_hash(oid), sp

    def _span_fields(self, ev: dict[str, Any]) -> tuple[int, int, int, float, int]:
        start, end = ev.get("start"), ev.get("end")
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
            return _NO_SPAN
        attrs, meta = ev.get("attrs"), ev.get("meta")
        score = attrs.get("score") if isinstance(attrs, dict) else None
        value = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else math.nan
        origin = meta.get("accepted_from") if isinstance(meta, dict) else None
        return start, end, self._label_code(ev.get("label")), value, _id_hash(origin) if isinstance(origin, str) else 0

    # ---------------------------------------------------------------- queries
    def annotated(self) -> set[str]:
        """Documents with at least one current span or stance in this log."""
        self.refresh()
        codes = np.unique(self.doc[self.live & (self.kind <= KINDS["stance"]) & (self.kind >= 0)])
        return {self.docs[c] for c in codes.tolist() if c >= 0}

    def spans(self) -> SpanRows:
        """Every current span of this log as columns (array operations only; no line is read)."""
        self.refresh()
        rows = np.flatnonzero(self.live & (self.kind == KINDS["span"]) & (self.start >= 0))
        return SpanRows(rows, self.doc[rows], self.start[rows], self.end[rows], self.label[rows], self.score[rows],
                        self.idh[rows], self.src[rows], self.docs, self.labels)  # fmt: skip

    def read_spans(self, rows: np.ndarray) -> list[Span]:
        """The spans stored on index lines ``rows`` (current puts, e.g. from :meth:`spans`), in that order.

        Reads only those lines (one seek each); a line that is no longer a valid span put raises
        :class:`~toolkit.errors.CorruptFileError` naming the log and line.
        """
        out: list[Span] = []
        with open(self.log.path, "rb") as fh:
            for row in np.asarray(rows, np.int64).tolist():
                fh.seek(int(self.offset[row]))
                raw = fh.read(int(self.length[row]))
                try:
                    ev = _loads(raw)
                    if ev.get("type") != "span" or ev.get("op") != "put":
                        raise ValueError("not a span put")
                    span = record_from_event({**ev, "annotator": self.annotator})
                    if not isinstance(span, Span):
                        raise ValueError("not a span")
                    out.append(span)
                except (ValueError, KeyError, TypeError, ValidationError) as exc:
                    raise CorruptFileError(f"{self.log.path}:{row + 1}: {exc}") from None
        return out

    def state(self, doc: str) -> AnnotatorState:
        """This annotator's current spans and stances on ``doc`` (only that document's lines are read)."""
        self.refresh()
        state = AnnotatorState(self.annotator)
        code = self.codes.get(doc)
        if code is None:
            return state
        rows = np.flatnonzero((self.doc == code) & (self.kind >= 0) & (self.kind <= KINDS["stance"]))
        if not len(rows):
            return state
        events = []
        with open(self.log.path, "rb") as fh:
            for row in rows.tolist():
                fh.seek(int(self.offset[row]))
                raw = fh.read(int(self.length[row]))
                events.append((row + 1, _loads(raw)))
        apply_events(state, str(self.log.path), events)
        return state


class DocCatalog:
    """Document ids in order (from the file names) and each one's source (read once, then cached on disk)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.file = project.path / INDEX_DIR / "sources.json"
        self._sig: tuple[int, int] | None = None
        self._ids: list[str] = []
        self._sources: dict[str, str] | None = None
        self._docs: dict[str, Document] = {}

    def _signature(self) -> tuple[int, int]:
        try:
            st = self.project.docs_dir.stat()
        except FileNotFoundError:
            raise NotFoundError(f"{self.project.docs_dir}: documents folder missing") from None
        return (st.st_mtime_ns, st.st_ino)

    def ids(self) -> list[str]:
        """Every document id, sorted (re-listed when the documents folder changes)."""
        sig = self._signature()
        if sig != self._sig:
            self._ids = sorted(self.project.document_ids())
            self._sig, self._sources, self._docs = sig, None, {}
        return self._ids

    def sources(self) -> dict[str, str]:
        """Document id -> source: from ``<project>/ui/index/sources.json`` when it matches the folder."""
        ids = self.ids()
        if self._sources is not None:
            return self._sources
        key = [*self._sig, len(ids)] if self._sig else None
        try:
            cached = json.loads(self.file.read_text(encoding="utf-8"))
            if cached.get("key") == key and isinstance(cached.get("sources"), dict):
                self._sources = cached["sources"]
                return self._sources
        except (OSError, ValueError):
            pass
        self._sources = {d: doc.source for d, doc in self.project.documents().items()}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(".sources.json.tmp")
            tmp.write_text(json.dumps({"key": key, "sources": self._sources}), encoding="utf-8")
            os.replace(tmp, self.file)
        except OSError:
            pass
        return self._sources

    def document(self, doc_id: str) -> Document:
        """One document, reading only its own file (NotFoundError naming the project if there is none)."""
        self.ids()
        doc = self._docs.get(doc_id)
        if doc is not None:
            return doc
        path = self.project.docs_dir / f"{doc_id}.json"
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFoundError(f"no document {doc_id!r} in project {self.project.path}") from None
        except (OSError, ValueError) as exc:
            raise CorruptFileError(f"{path}: {exc}") from None
        try:
            doc = Document.from_json(obj)
        except ValidationError as exc:
            raise CorruptFileError(f"{path}: {exc}") from None
        if doc.id != doc_id:
            raise CorruptFileError(f"{path}: holds document id {doc.id!r}, expected {doc_id!r}")
        if len(self._docs) > 256:  # a few recent documents, not the corpus
            self._docs.clear()
        self._docs[doc_id] = doc
        return doc
