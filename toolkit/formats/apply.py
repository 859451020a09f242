"""Import annotation files into a project: match documents, realign offsets, write records.

Everything is read and checked before anything is written, so a file with an
error (:class:`~toolkit.errors.ImportFormatError`, one line naming file and
line) leaves the project exactly as it was.  Spans that cannot be placed on
their document are *reported* (file:line and why) and skipped; the rest are
written as ordinary ``put`` events through :meth:`toolkit.Project.put`, so
the history of every layer stays in its log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ImportFormatError, ToolkitError, ValidationError
from ..model import (
    ClaimLink,
    Document,
    Record,
    Span,
    Stance,
    check_annotator,
    normalise_text,
    text_sha256,
)
from .align import Aligner, same_but_whitespace
from .base import RawDoc, check_id, slugify

if TYPE_CHECKING:  # pragma: no cover
    from ..store import AnnotatorState, Project

#: How many realigned spans / problems the report lists one by one (the rest are counted).
SHOW = 50


@dataclass
class ImportReport:
    """What an annotation import did (``problems`` and ``realigned`` are ``file:line: ...`` strings)."""

    format: str
    files: int = 0
    documents_added: list[str] = field(default_factory=list)
    documents_reused: int = 0
    added: dict[str, int] = field(default_factory=lambda: {"span": 0, "stance": 0, "link": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"span": 0, "stance": 0, "link": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"span": 0, "stance": 0, "link": 0})
    layers: dict[str, int] = field(default_factory=dict)
    unknown_labels: dict[str, int] = field(default_factory=dict)
    realigned: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"<ImportReport {self.format}: {len(self.documents_added)} documents added, "
            f"{self.documents_reused} reused, spans {self.added['span']} added / {self.unchanged['span']} unchanged, "
            f"{len(self.realigned)} realigned, {len(self.problems)} problems>"
        )

    def lines(self) -> list[str]:
        """The report as lines for the command line (summary first, then details)."""

        def counts(kind: str) -> str:
            return f"{self.added[kind]} added, {self.updated[kind]} updated, {self.unchanged[kind]} unchanged"

        out = [
            f"imported {self.format} from {self.files} file(s): documents {len(self.documents_added)} added, "
            f"{self.documents_reused} reused; spans {counts('span')}"
            + (f"; stances {counts('stance')}" if any(d["stance"] for d in self._all()) else "")
            + (f"; links {counts('link')}" if any(d["link"] for d in self._all()) else "")
        ]
        if self.layers:
            out.append("layers: " + ", ".join(f"{a} ({n} records)" for a, n in sorted(self.layers.items())))
        for label, n in sorted(self.unknown_labels.items()):
            out.append(
                f"label {label!r} is not in the schema: {n} span(s) kept and reported by `toolkit validate` "
                f"(map it with --map-label {label}=NAME or add it to schema.json)"
            )
        out += _listed("realigned", self.realigned)
        out += _listed("not imported", self.problems)
        out += [f"note: {note}" for note in self.notes]
        return out

    def _all(self) -> tuple[dict[str, int], ...]:
        return self.added, self.updated, self.unchanged


def _listed(what: str, items: Sequence[str]) -> list[str]:
    out = [f"{what}: {item}" for item in items[:SHOW]]
    if len(items) > SHOW:
        out.append(f"{what}: ... and {len(items) - SHOW} more")
    return out


def parse_label_map(items: Iterable[str]) -> dict[str, str]:
    """``["PER=PERSON", ...]`` -> ``{"PER": "PERSON"}``; one-line error for a malformed item."""
    out: dict[str, str] = {}
    for item in items:
        src, sep, dst = item.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise ToolkitError(f"--map-label {item!r}: expected FROM=TO, e.g. PER=PERSON")
        out[src.strip()] = dst.strip()
    return out


def _span_id(annotator: str, doc: str, start: int, end: int, label: str) -> str:
    """Deterministic span id: importing the same file again rewrites nothing."""
    h = hashlib.sha1(f"{annotator}\0{doc}\0{start}\0{end}\0{label}".encode()).hexdigest()
    return f"imp-{h[:20]}"


class _Docs:
    """Documents of the project plus those the import creates, looked up by id, hash, and text up to whitespace."""

    def __init__(self, proj: Project, source: str | None) -> None:
        self.existing = proj.documents()
        self.source = source
        self.new: dict[str, Document] = {}
        self.by_sha: dict[str, Document] = {}
        for d in sorted(self.existing.values(), key=lambda d: d.id):
            self.by_sha.setdefault(d.sha256, d)
        self._by_ws: dict[str, Document] | None = None
        self.new_ws: dict[str, Document] = {}
        self.reused: set[str] = set()

    @staticmethod
    def _ws_key(text: str) -> str:
        return text_sha256("".join(text.split()))

    def by_ws(self, text: str) -> Document | None:
        if self._by_ws is None:  # built once, on the first document that needs it (linear in the corpus)
            self._by_ws = {}
            for d in sorted(self.existing.values(), key=lambda d: d.id):
                self._by_ws.setdefault(self._ws_key(d.text), d)
        return self._by_ws.get(self._ws_key(text))

    def get(self, doc_id: str) -> Document | None:
        return self.existing.get(doc_id) or self.new.get(doc_id)

    def resolve(self, raw: RawDoc) -> Document:
        """The stored (or to-be-created) document ``raw`` belongs to."""
        ntext = normalise_text(raw.text)
        sha = text_sha256(ntext)
        if raw.doc_id:
            d = self.get(raw.doc_id)
            if d is not None:
                if d.sha256 != sha and not same_but_whitespace(d.text, ntext):
                    raise ImportFormatError(
                        f"{raw.where}: document {raw.doc_id!r} already exists with a different text (not only "
                        "whitespace); its annotations cannot be placed on it"
                    )
                return self._use(d)
        d = self.by_sha.get(sha)
        if d is None and raw.doc_id is None:
            d = self.by_ws(ntext)
            if d is None:
                d = self.new_ws.get(self._ws_key(ntext))
        if d is not None:
            return self._use(d)
        doc_id = raw.doc_id or self._new_id(raw, sha)
        src = self.source or raw.source or raw.default_source or slugify(Path(raw.file).stem) or "imported"
        try:
            doc = Document.create(
                id=doc_id, source=src, text=ntext, title=raw.title, url=raw.url, published=raw.published
            )
        except ValidationError as exc:
            raise ImportFormatError(f"{raw.where}: {exc}") from None
        self.new[doc.id] = doc
        self.by_sha.setdefault(doc.sha256, doc)
        self.new_ws.setdefault(self._ws_key(doc.text), doc)
        return doc

    def _use(self, d: Document) -> Document:
        if d.id in self.existing:
            self.reused.add(d.id)
        return d

    def _new_id(self, raw: RawDoc, sha: str) -> str:
        stem = slugify(raw.id_stem or Path(raw.file).stem)[:100] or "doc"
        doc_id = f"{stem}-{sha[:10]}"
        check_id(doc_id, raw.where)
        if self.get(doc_id) is not None:
            raise ImportFormatError(f"{raw.where}: generated document id {doc_id!r} is taken by another text")
        return doc_id


def _same_span(a: Span, b: Span) -> bool:
    return (a.doc, a.start, a.end, a.label, dict(a.attrs)) == (b.doc, b.start, b.end, b.label, dict(b.attrs))


def build(
    proj: Project,
    raws: Sequence[RawDoc],
    fmt: str,
    annotator: str | None = None,
    source: str | None = None,
    label_map: Mapping[str, str] | None = None,
) -> tuple[list[Document], list[Record], ImportReport]:
    """Check everything and build the documents and records to write (writes nothing)."""
    b = _Builder(proj, fmt, dict(label_map or {}))
    docs = _Docs(proj, source)
    resolved = [(raw, docs.resolve(raw)) for raw in raws]
    for (raw, doc), aligner in zip(resolved, _aligners(resolved), strict=True):
        if not (raw.spans or raw.stances or raw.links) and raw.annotator is None and annotator is None:
            continue
        base = annotator or raw.annotator
        if base is None:
            raise ImportFormatError(f"{raw.where}: the file names no annotator; give one with --annotator NAME")
        name = base + raw.layer
        try:
            check_annotator(name)
        except ValidationError as exc:
            raise ImportFormatError(f"{raw.where}: {exc}") from None
        local: dict[str, str] = {}  # span ids of this line renamed on import
        b.add_spans(raw, doc, aligner, name, local)
        b.add_stances(raw, doc, name, local)
        b.pending_links.extend((name, raw, ln, local.get(ln.a, ln.a)) for ln in raw.links)
    b.add_links()
    records = b.changed_records()
    report = b.report
    for rec in records:
        report.layers[rec.annotator] = report.layers.get(rec.annotator, 0) + 1
    report.documents_added = sorted(docs.new)
    report.documents_reused = len(docs.reused)
    return list(docs.new.values()), records, report


def _aligners(resolved: Sequence[tuple[RawDoc, Document]]) -> list[Aligner]:
    """An aligner per (input document, stored document), its counting unit voted per (file, document).

    If the spans that can be checked all need UTF-16 offsets, so do the others of that file and document.
    """
    aligners: list[Aligner] = []
    votes: dict[tuple[str, str], list[int]] = {}
    for raw, doc in resolved:
        try:
            aligner = Aligner(raw.text, doc.text)
        except ValueError:  # resolve() only returns documents equal up to whitespace
            raise ImportFormatError(f"{raw.where}: text does not match document {doc.id!r}") from None
        aligners.append(aligner)
        cp, u16 = aligner.count_units([(s.start, s.end, s.text) for s in raw.spans])
        vote = votes.setdefault((raw.file, doc.id), [0, 0])
        vote[0] += cp
        vote[1] += u16
    for (raw, doc), aligner in zip(resolved, aligners, strict=True):
        cp, u16 = votes[(raw.file, doc.id)]
        aligner.unit = "utf16" if u16 and not cp else "cp"
    return aligners


class _Builder:
    """The records an import builds, per annotator layer, checked against the stored ones."""

    def __init__(self, proj: Project, fmt: str, label_map: Mapping[str, str]) -> None:
        self.proj = proj
        self.schema = proj.schema
        self.fmt = fmt
        self.label_map = label_map
        self.report = ImportReport(fmt)
        self.states: dict[str, AnnotatorState] = {}
        self.spans: dict[tuple[str, str], Span] = {}  # (annotator, span id) -> span, in file order (last wins)
        self.others: dict[tuple[str, str, str], Record] = {}
        self.pending_links: list[tuple[str, RawDoc, Any, str]] = []
        self.renamed: dict[tuple[str, str], str] = {}  # (annotator, id in the file) -> id stored

    def state(self, name: str) -> AnnotatorState:
        if name not in self.states:
            self.states[name] = self.proj.current(name)
        return self.states[name]

    def owner(self, name: str, sid: str) -> str | None:
        """Document of the span ``sid`` in layer ``name`` (made by this import or stored), if any."""
        made = self.spans.get((name, sid))
        old = made or self.state(name).spans.get(sid)
        return old.doc if old is not None else None

    def add_spans(self, raw: RawDoc, doc: Document, aligner: Aligner, name: str, local: dict[str, str]) -> None:
        """The spans of ``raw`` placed on ``doc``; an id naming another document's span is renamed (in ``local``)."""
        report, schema = self.report, self.schema
        for sp in raw.spans:
            where = f"{raw.file}:{sp.line}"
            label = self.label_map.get(sp.label, sp.label)
            placed = aligner.place(sp.start, sp.end, sp.text)
            if not placed.ok:
                report.problems.append(f"{where}: {label} span in document {doc.id!r}: {placed.how}")
                continue
            assert placed.start is not None and placed.end is not None
            if sp.note:
                report.notes.append(f"{where}: {sp.note}")
            attrs = dict(sp.attrs)
            if label not in schema.label_names:
                report.unknown_labels[label] = report.unknown_labels.get(label, 0) + 1
            elif schema.layer_of(label) == "claim" and attrs:
                try:
                    schema.check_claim_attrs(attrs)
                except ToolkitError as exc:
                    report.problems.append(f"{where}: claim attributes of span {sp.id or ''} dropped: {exc}")
                    attrs = {}
            imp: dict[str, Any] = {"format": self.fmt, "file": Path(raw.file).name, "line": sp.line, **raw.meta,
                                   **sp.meta}  # fmt: skip
            if label != sp.label:
                imp["label"] = sp.label
            if placed.how:
                imp["realigned"] = {"from": [sp.start, sp.end], "how": placed.how}
                report.realigned.append(
                    f"{where}: {label} [{sp.start}, {sp.end}) -> [{placed.start}, {placed.end}) in {doc.id!r} "
                    f"({placed.how})"
                )
            sid = sp.id or _span_id(name, doc.id, placed.start, placed.end, label)
            other = self.owner(name, sid) if sp.id else None
            if sp.id and other is not None and other != doc.id:  # never move a stored span to another document
                sid = f"{sp.id}@{doc.id}"[:200]
                local[sp.id] = self.renamed[(name, sp.id)] = sid
                report.notes.append(f"{where}: span id {sp.id!r} names a span of {other!r} in layer {name!r}; "
                                    f"stored as {sid!r}")  # fmt: skip
            try:
                self.spans[(name, sid)] = Span(
                    id=sid, doc=doc.id, start=placed.start, end=placed.end, label=label,
                    text=doc.text[placed.start : placed.end], doc_sha256=doc.sha256, annotator=name,
                    attrs=attrs, meta={"import": imp},
                )  # fmt: skip
            except ValidationError as exc:
                raise ImportFormatError(f"{where}: {exc}") from None

    def add_stances(self, raw: RawDoc, doc: Document, name: str, local: Mapping[str, str]) -> None:
        """The stances of ``raw`` on ``doc``; a claim stance needs a claim of that document."""
        report, schema = self.report, self.schema
        for st in raw.stances:
            where = f"{raw.file}:{st.line}"
            try:
                schema.check_stance(st.target, st.value)
            except ToolkitError as exc:
                report.problems.append(f"{where}: stance on {doc.id!r}: {exc}")
                continue
            claim_id = local.get(st.claim, st.claim) if st.claim is not None else None
            if claim_id is not None:
                claim = self.spans.get((name, claim_id)) or self.state(name).spans.get(claim_id)
                if claim is None or claim.doc != doc.id or schema.layer_of(claim.label) != "claim":
                    report.problems.append(f"{where}: stance toward {st.target!r}: no claim {st.claim!r} in {doc.id!r}")
                    continue
            sid = Stance.make_id(doc.id, st.target, claim_id)
            meta = {"import": {"format": self.fmt, "file": Path(raw.file).name, "line": st.line}}
            self.others[(name, "stance", sid)] = Stance(sid, doc.id, st.target, st.value, name, claim_id, meta=meta)

    def add_links(self) -> None:
        """The links collected from every input, once all spans are known (ends between two claims)."""
        for name, raw, ln, a_id in self.pending_links:
            where = f"{raw.file}:{ln.line}"
            b_id = self.renamed.get((name, ln.b), ln.b)
            ends = [self.spans.get((name, x)) or self.state(name).spans.get(x) for x in (a_id, b_id)]
            if any(e is None for e in ends):
                self.report.problems.append(
                    f"{where}: link {ln.a} <-> {ln.b}: span {ln.a if ends[0] is None else ln.b} not found"
                )
                continue
            a, b = ends
            assert a is not None and b is not None
            if a.id == b.id or self.schema.layer_of(a.label) != "claim" or self.schema.layer_of(b.label) != "claim":
                self.report.problems.append(f"{where}: link {ln.a} <-> {ln.b}: both ends must be different claims")
                continue
            lid = ClaimLink.make_id(a.id, b.id)
            meta = {"import": {"format": self.fmt, "file": Path(raw.file).name, "line": ln.line}}
            self.others[(name, "link", lid)] = ClaimLink(lid, a.id, b.id, a.doc, b.doc, name, meta=meta)

    def changed_records(self) -> list[Record]:
        """The built records that differ from the stored ones (all of them counted in the report)."""
        records: list[Record] = []
        for (name, sid), span in self.spans.items():
            old = self.state(name).spans.get(sid)
            _count(self.report, "span", old is not None, old is not None and _same_span(old, span))
            if old is None or not _same_span(old, span):
                records.append(span)
        for (name, kind, oid), rec in self.others.items():
            old_rec = self.state(name).table(kind).get(oid)
            same = old_rec is not None and old_rec.to_record() == rec.to_record()
            _count(self.report, kind, old_rec is not None, same)
            if not same:
                records.append(rec)
        return records


def _count(report: ImportReport, kind: str, existed: bool, same: bool) -> None:
    table = report.unchanged if same else report.updated if existed else report.added
    table[kind] += 1


def import_annotations(
    proj: Project,
    paths: Iterable[str | Path],
    fmt: str,
    annotator: str | None = None,
    source: str | None = None,
    label_map: Mapping[str, str] | None = None,
    strict: bool = False,
) -> ImportReport:
    """Import annotation files of format ``fmt`` (see :data:`toolkit.formats.FORMATS`) into ``proj``.

    ``annotator`` overrides the names the files give; ``source`` names the outlet of
    documents the import creates; ``label_map`` renames labels before they are checked
    against the schema.  With ``strict`` any problem (a span that cannot be placed,
    a stance or link that does not fit) is an error and nothing is written.
    """
    from . import read_files

    if annotator is not None:
        try:
            check_annotator(annotator)
        except ValidationError as exc:
            raise ImportFormatError(f"--annotator: {exc}") from None
    notes: list[str] = []
    files, raws = read_files(paths, fmt, notes)
    new_docs, records, report = build(proj, raws, fmt, annotator, source, label_map)
    report.files = len(files)
    report.notes = notes + report.notes
    if strict and report.problems:
        more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
        raise ImportFormatError(f"{report.problems[0]}{more}; nothing imported (--strict)")
    if new_docs:
        proj.add_documents(new_docs)
    if records:
        proj.put(records)
    return report
