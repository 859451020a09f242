"""Per-document indexes of the record logs, so the annotation widget costs the same on 100k articles as on 100.

:class:`LogIndex` knows where each document's events are in one annotator's log (byte
offset and length of every line, the document it belongs to, whether it is still current)
and replays only the lines of the document asked for.  It is built by one pass over the
log, saved in ``<project>/ui/index/`` and brought up to date by reading only the bytes
appended since (logs are append-only; a rewritten log, e.g. by ``repair``, has a new inode
and is indexed again).  :class:`DocCatalog` is the sorted id list (from file names) and
the id -> source map (read once from the documents, then kept in the same folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from array import array
from pathlib import Path
from typing import Any

import numpy as np

try:  # a faster parser where it is installed (the store uses it too)
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    _loads = json.loads

from ..errors import CorruptFileError, NotFoundError, ValidationError
from ..model import Document
from ..store import AnnotatorState, Project, apply_events

__all__ = ["DocCatalog", "LogIndex", "INDEX_DIR"]

#: Where the indexes are kept, inside the project folder.
INDEX_DIR = Path("ui") / "index"
KINDS = {"span": 0, "stance": 1, "link": 2}
FORMAT = 1
#: Appended lines indexed without saving the index again (the next open reads them from the log).
SAVE_EVERY = 20_000


def _id_hash(oid: str) -> int:
    return int.from_bytes(hashlib.blake2b(oid.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` atomically (a cache: if the folder is read-only, it is simply not kept)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
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
        self.offset = np.zeros(0, np.int64)
        self.length = np.zeros(0, np.int32)
        self.doc = np.zeros(0, np.int32)  # code of the document, -1 when the line names none
        self.kind = np.zeros(0, np.int8)  # KINDS, -1 for a line that is not a valid event
        self.put = np.zeros(0, np.bool_)  # a put (else a delete)
        self.live = np.zeros(0, np.bool_)  # a put not deleted nor replaced since
        self.idh = np.zeros(0, np.int64)  # hash of the record id
        self._unsaved = 0

    def _load(self) -> None:
        try:
            with np.load(self.file, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format") != FORMAT:
                    return
                self.inode, self.size, self.docs = int(meta["inode"]), int(meta["size"]), list(meta["docs"])
                for name in ("offset", "length", "doc", "kind", "put", "live", "idh"):
                    setattr(self, name, z[name])
        except (OSError, ValueError, KeyError):
            self._reset(-1)
            return
        self.codes = {d: i for i, d in enumerate(self.docs)}

    def save(self) -> None:
        """Keep the index in ``<project>/ui/index/`` (silently skipped where the folder is read-only)."""
        meta = {"format": FORMAT, "inode": self.inode, "size": self.size, "docs": self.docs}
        _save_npz(self.file, {"meta": np.array(json.dumps(meta)), "offset": self.offset, "length": self.length,
                              "doc": self.doc, "kind": self.kind, "put": self.put, "live": self.live,
                              "idh": self.idh})  # fmt: skip
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

    def _index(self, data: bytes, base: int) -> int:
        """Index the complete lines of ``data`` (which starts at byte ``base`` of the log)."""
        offset, length, doc, kind = array("q"), array("i"), array("i"), array("b")
        put, live, idh = array("b"), array("b"), array("q")
        first = len(self.offset)
        last_put: dict[tuple[int, int], int] = {}  # (kind, id hash) -> row of the latest put in this batch
        dead: list[int] = []  # rows before this batch that are no longer current
        pos = base
        for line in data.split(b"\n")[:-1]:
            row = first + len(offset)
            offset.append(pos)
            length.append(len(line))
            pos += len(line) + 1
            k, code, is_put, h = self._fields(line)
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
        return len(offset)

    def _current_rows(self, k: int, h: int) -> np.ndarray:
        """Rows indexed before this batch holding the current put of record (kind ``k``, id hash ``h``)."""
        return np.flatnonzero((self.idh == h) & self.live & (self.kind == k))

    def _fields(self, line: bytes) -> tuple[int, int, bool, int]:
        """(kind, document code, is a put, id hash) of one log line; kind -1 if it is not a valid event."""
        try:
            ev = _loads(line)
            k = KINDS[ev["type"]]
            oid = ev["id"]
            is_put = ev["op"] == "put"
        except (ValueError, KeyError, TypeError):
            return -1, -1, False, 0
        if not isinstance(oid, str):
            return -1, -1, False, 0
        return k, self._code(ev.get("doc") if is_put else None), is_put, _id_hash(oid)

    # ---------------------------------------------------------------- queries
    def annotated(self) -> set[str]:
        """Documents with at least one current span or stance in this log."""
        self.refresh()
        codes = np.unique(self.doc[self.live & (self.kind <= KINDS["stance"]) & (self.kind >= 0)])
        return {self.docs[c] for c in codes.tolist() if c >= 0}

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
