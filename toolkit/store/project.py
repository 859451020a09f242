"""The Project: a folder of documents, a label schema and one record log per annotator."""

from __future__ import annotations

import json
import os
import shlex
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import CorruptFileError, DocumentChangedError, NotFoundError, ToolkitError, ValidationError
from ..model import (
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
from ..validation import build_span, event_problem
from .files import (
    annotator_from_filename,
    atomic_write_many,
    atomic_write_text,
    clean_stale_temp_files,
    file_lock,
    read_json_file,
)
from .frames import SKIPPED_KINDS, Frames, SkippedRecordsWarning, build_frames
from .log import Problem, RecordLog
from .replay import AnnotatorState, apply_events
from .scan import Checked, Vocab, check_scans, counts, scan_log

PROJECT_FILE = "project.json"
SCHEMA_FILE = "schema.json"
DOCS_DIR = "documents"
RECORDS_DIR = "records"
FORMAT_NAME = "newslens-project"
#: Documents checked together by :meth:`Project.add_documents` before any of them is written.
DOCUMENT_BATCH = 2000
#: Documents written with one folder fsync (each holds an open, locked temporary file until renamed).
WRITE_CHUNK = 256


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
    def _docs_signature(self) -> tuple[int, int]:
        try:
            st = self.docs_dir.stat()
        except FileNotFoundError:
            raise NotFoundError(f"{self.docs_dir}: documents folder missing") from None
        return (st.st_mtime_ns, st.st_ino)

    def documents(self) -> dict[str, Document]:
        """All documents by id (cached; re-read when the folder changes)."""
        sig = self._docs_signature()
        if sig != self._docs_sig:
            docs = {}
            for doc_id in self.document_ids():
                doc = self._read_document(self.docs_dir / f"{doc_id}.json")
                docs[doc.id] = doc
            self._docs, self._docs_sig = docs, sig
        return self._docs

    def document(self, doc_id: str) -> Document:
        """One document; NotFoundError names the project if it does not exist."""
        try:
            return self.documents()[doc_id]
        except KeyError:
            raise NotFoundError(f"no document {doc_id!r} in project {self.path}") from None

    def document_ids(self) -> list[str]:
        """Ids of all stored documents in file-name order, from the file names alone (no file is read)."""
        try:
            names = [e.name for e in os.scandir(self.docs_dir)]
        except FileNotFoundError:
            raise NotFoundError(f"{self.docs_dir}: documents folder missing") from None
        return [n[:-5] for n in sorted(names) if n.endswith(".json") and not n.startswith(".")]

    def add_documents(
        self, docs: Iterable[Document], replace: bool = False, batch_size: int = DOCUMENT_BATCH
    ) -> dict[str, list[str]]:
        """Store documents; returns ids by outcome: ``added``, ``unchanged``, ``replaced``.

        A document whose id exists with a *different* text is refused
        (DocumentChangedError) unless ``replace=True``; after replacing, spans
        made on the old text are reported as stale by :meth:`load`/:meth:`validate`.

        ``docs`` is consumed as a stream, ``batch_size`` documents at a time; each batch is
        checked in full (duplicate ids, changed texts) before any of it is written, then
        written with one fsync per file and one of the folder.  Everything is durable when
        this returns.  A list is checked in full before anything is written; with a lazy
        iterable, an error in a later batch leaves the earlier batches stored.
        """
        if isinstance(docs, Sequence):
            batch_size = max(batch_size, len(docs))  # all of it is in memory anyway: check it all first
        out: dict[str, list[str]] = {"added": [], "unchanged": [], "replaced": []}
        seen: set[str] = set()
        with file_lock(self.path / ".documents.lock"):
            stored = set(self.document_ids())
            batch: list[Document] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= batch_size:
                    self._add_batch(batch, stored, seen, replace, out)
                    batch = []
            if batch:
                self._add_batch(batch, stored, seen, replace, out)
        return out

    def _add_batch(
        self, batch: list[Document], stored: set[str], seen: set[str], replace: bool, out: dict[str, list[str]]
    ) -> None:
        """Check one batch of :meth:`add_documents` completely, then write it (up to ``WRITE_CHUNK`` files a go)."""
        outcome: list[tuple[Document, str]] = []
        for d in batch:
            if d.id in seen:
                raise ValidationError(f"duplicate document id {d.id!r} in the documents being added")
            seen.add(d.id)
            old_sha = self.stored_sha256(d.id) if d.id in stored else None
            if old_sha == d.sha256:
                outcome.append((d, "unchanged"))
            elif old_sha is not None and not replace:
                raise DocumentChangedError(
                    f"document {d.id!r} already exists with different text (sha256 {old_sha[:12]} -> "
                    f"{d.sha256[:12]}); pass replace=True (CLI: --replace) to overwrite it"
                )
            else:
                outcome.append((d, "added" if old_sha is None else "replaced"))
        writes = [d for d, what in outcome if what != "unchanged"]
        for i in range(0, len(writes), WRITE_CHUNK):  # bounded number of open temporary files
            atomic_write_many(
                [(self.docs_dir / f"{d.id}.json", json.dumps(d.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
                  + b"\n") for d in writes[i : i + WRITE_CHUNK]]
            )  # fmt: skip
        for d, what in outcome:
            out[what].append(d.id)
            stored.add(d.id)

    def stored_sha256(self, doc_id: str) -> str:
        """The sha256 of a stored document's text (from the cache if it is fresh, else its file)."""
        cached = self._docs.get(doc_id)
        if cached is not None and self._docs_sig == self._docs_signature():
            return cached.sha256
        return self._read_document(self.docs_dir / f"{doc_id}.json").sha256

    def _read_document(self, path: Path) -> Document:
        """One document file, checked (valid, id matching the file name)."""
        try:
            doc = Document.from_json(read_json_file(path))
        except ValidationError as exc:
            raise CorruptFileError(f"{path}: {exc}") from None
        if path.stem != doc.id:
            raise CorruptFileError(f"{path}: holds document id {doc.id!r}, expected {path.stem!r}")
        return doc

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
        return self._check(self.annotators()).problems

    def repair(self) -> dict[str, int]:
        """Set aside torn or corrupt lines in every log; returns lines removed per annotator."""
        out = {}
        for ann in self.annotators():
            n = self.log(ann).repair()
            if n:
                out[ann] = n
        return out

    def _check(self, names: list[str]) -> Checked:
        """Scan the logs of ``names`` (one streaming pass each) and check every current record once.

        Lines that are not valid events are reported by the log (``invalid-record``,
        ``corrupt-line``, ``torn-line``); then spans against their document, labels, claim
        kinds and stance values against the schema (reported, kept), a claim stance's claim
        and a link's ends (``bad-reference``, left out): see :func:`.scan.check_scans`.
        """
        docs = self.documents()
        vocab = Vocab.of(docs, self.schema)
        scans = [scan_log(self.log(ann), vocab, docs) for ann in names]
        others = [a for a in self.annotators() if a not in set(names)]
        found: dict[str, dict[str, tuple[str, str]]] = {}

        def other_layer(span_id: str) -> tuple[str, str] | None:
            for ann in others:
                if ann not in found:
                    found[ann] = {k: (v.doc, v.label) for k, v in self.current(ann).spans.items()}
                if span_id in found[ann]:
                    return found[ann][span_id]
            return None

        return check_scans(scans, docs, self.schema, other_layer)

    def load(self, annotators: Iterable[str] | None = None, include_models: bool = True) -> Frames:
        """The project's current state as DataFrames (documents, spans, stances, links, problems).

        Spans that do not fit their document (changed text, bad offsets) are
        left out of ``spans`` and listed in ``problems``, exactly as :meth:`validate`
        reports them.  Only the layers asked for are read (``annotators``, and model
        layers only with ``include_models``); the logs are streamed into columns, so
        memory stays a small multiple of their size on disk.
        """
        names = self.annotators() if annotators is None else self.check_annotators(annotators)
        if not include_models:
            names = [a for a in names if not is_model_annotator(a)]
        checked = self._check(names)
        skipped = sum(p.kind in SKIPPED_KINDS for p in checked.problems)
        if skipped:
            warnings.warn(
                f"{self.path}: {skipped} record line(s) or record(s) left out of the frames "
                "(listed in frames.problems; run `toolkit validate`)",
                SkippedRecordsWarning,
                stacklevel=2,
            )
        return build_frames(checked, self.documents())

    def status(self) -> dict[str, Any]:
        """Counts of documents per source and of current records per annotator (no pandas frames).

        Reads each document's source and each log once, one log at a time; no document text is kept.
        """
        per_source: dict[str, int] = {}
        n_docs = 0
        for doc_id in self.document_ids():
            source = read_json_file(self.docs_dir / f"{doc_id}.json").get("source")
            per_source[source] = per_source.get(source, 0) + 1
            n_docs += 1
        vocab = Vocab.of(self.document_ids(), self.schema)
        per_ann = {ann: counts(scan_log(self.log(ann), vocab, None)) for ann in self.annotators()}
        return {"documents": n_docs, "sources": per_source, "annotators": per_ann}
