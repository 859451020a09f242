"""One pass over the record logs into columns: replay, document checks, references, vocabulary.

:meth:`Project.load`, :meth:`Project.validate` and :meth:`Project.status` share it.  Each log
is read block by block (:meth:`RecordLog.stream`) and every event is taken apart into columns
as it is read; no parsed object outlives its block.  Values known in advance (document ids,
labels, claim kinds, stance targets and values) become integer codes; unique strings (ids,
texts, timestamps, claim ids, link ends, attributes as JSON) go to Arrow arrays after each
block when pyarrow is installed.  Replay (last ``put`` wins, deletes, dict order) works on
these columns.  Memory is then a small multiple of the logs' size on disk.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ..model import Document, LabelSchema
from ..validation import span_fit_problem, vocabulary_problems
from .files import gc_paused
from .log import Problem, RecordLog

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


@functools.cache
def _arrow() -> Any:
    """pyarrow, imported on first use (``import toolkit`` stays light); None if it is not installed.

    Arrow-backed strings take about 20 bytes a short string instead of about 70 as Python objects.
    """
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - the columns stay Python lists
        return None
    return pyarrow

#: Looks a span id up in the layers that were not scanned: ``(document, label)`` or None.
OtherLayer = Callable[[str], "tuple[str, str] | None"]
StanceRow = tuple  # (id, doc, claim, target, value, ts)
LinkRow = tuple  # (id, a, b, doc_a, doc_b, ts)

try:
    from orjson import dumps as _dumps
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    import json

    _loads = cast(Any, json.loads)  # orjson.loads' type also takes memoryview; only bytes and str are passed

    def _json_dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    _dumps = cast(Any, _json_dumps)  # called with one argument, as orjson.dumps is here


class Strings:
    """A growing column of strings (or None), moved to an Arrow array after each block of events.

    Nothing the JSON parser made is kept past its block, so the parser's short-lived
    objects never share memory pages with long-lived ones (which would keep those
    pages from being reused).  Without pyarrow the values stay in a list.
    """

    def __init__(self) -> None:
        self.pending: list[str | None] = []
        self.chunks: list[Any] = []

    def append(self, value: str | None) -> None:
        self.pending.append(value)

    def flush(self) -> None:
        pa = _arrow()
        if self.pending and pa is not None:
            self.chunks.append(pa.array(self.pending, pa.string()))
            self.pending = []

    def _taken(self, rows: np.ndarray) -> Any:
        self.flush()
        pa = _arrow()
        if pa is None:  # pragma: no cover
            return [self.pending[i] for i in rows.tolist()]
        return pa.chunked_array(self.chunks, pa.string()).take(pa.array(rows, pa.int64()))

    def count_distinct(self) -> int:
        """How many different values the column holds (hashed in Arrow, no Python objects)."""
        pa = _arrow()
        if pa is None:  # pragma: no cover
            return len(set(self.pending))
        import pyarrow.compute as pc

        self.flush()
        return int(pc.count_distinct(pa.chunked_array(self.chunks, pa.string()), mode="all").as_py())

    def arrow(self, rows: np.ndarray) -> Any:
        """The values at ``rows`` for :func:`str_array` (an Arrow array; a list without pyarrow)."""
        return self._taken(rows)

    def take(self, rows: np.ndarray) -> Any:
        """The values at ``rows`` as the array pandas infers for strings (pandas 3: ``str``, Arrow-backed)."""
        import pandas as pd

        values = self._taken(rows)
        if int(pd.__version__.split(".")[0]) < 3:  # pragma: no cover - pandas 2 infers object for strings
            return pd.array(values if isinstance(values, list) else values.to_pylist(), dtype=object)
        return pd.array(values, dtype="str")

    def pylist(self, rows: np.ndarray) -> list[str | None]:
        """The values at ``rows`` as Python strings (for a few rows, or ones that become objects anyway)."""
        values = self._taken(rows)
        return values if isinstance(values, list) else values.to_pylist()

    def rows_in(self, rows: np.ndarray, wanted: set[str]) -> tuple[np.ndarray, list[str]]:
        """The rows (of ``rows``) whose value is in ``wanted``, and their values."""
        import numpy as np

        pa = _arrow()
        if pa is None or not len(rows):  # pragma: no cover
            values = self.pylist(rows)
            hit = [i for i, v in enumerate(values) if v in wanted]
            return rows[hit], [cast(str, values[i]) for i in hit]  # in wanted: a string
        import pyarrow.compute as pc

        values = self._taken(rows)
        mask = pc.is_in(values, value_set=pa.array(sorted(wanted), pa.string())).to_numpy(zero_copy_only=False)
        hits = np.flatnonzero(mask)
        return rows[hits], values.take(pa.array(hits, pa.int64())).to_pylist()


def release_arrow_memory() -> None:
    """Give memory Arrow's allocator, and the C heap after many short-lived Python objects, keep
    back to the system (glibc's ``malloc_trim``; a no-op elsewhere)."""
    pa = _arrow()
    if pa is not None:
        pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl or no glibc
        return None


def coded(codes: np.ndarray, values: Sequence[str | None]) -> Any:
    """The strings ``values[code]`` for ``codes`` (-1: missing) as an Arrow array (a list without pyarrow)."""
    pa = _arrow()
    if pa is None:  # pragma: no cover
        return [None if c < 0 else values[c] for c in codes.tolist()]
    indices = pa.array(codes, pa.int32(), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, pa.string())).cast(pa.string())


def strings(values: list[Any]) -> Any:
    """Python strings (or None) as an Arrow string array; the list itself if some value is not a string."""
    pa = _arrow()
    if pa is None or not all(v is None or type(v) is str for v in values):
        return values
    return pa.array(values, pa.string())


def str_array(pieces: list[Any]) -> Any:
    """Pieces made by :func:`coded`, :func:`strings` or :meth:`Strings.arrow` as one pandas string array.

    The dtype is the one pandas infers for strings (pandas 3: ``str``, Arrow-backed; pandas 2: object).
    """
    import pandas as pd

    pa = _arrow()
    if pa is None or any(isinstance(p, list) for p in pieces):
        values = [v for p in pieces for v in (p if isinstance(p, list) else p.to_pylist())]
        return pd.Series(values).array
    chunked = pa.chunked_array([c for p in pieces for c in (p.chunks if hasattr(p, "chunks") else [p])], pa.string())
    if int(pd.__version__.split(".")[0]) < 3:  # pragma: no cover - pandas 2 infers object for strings
        return pd.Series(chunked.to_pylist()).array
    return pd.array(chunked, dtype="str")


class Codes:
    """Small integer codes for values known before the scan (document ids, labels, stance values).

    Lookups return ints, so no parsed string is kept; a value not known in advance (an
    unknown document or label, reported later) gets the next code.
    """

    def __init__(self, known: Iterable[str]) -> None:
        self.values: list[str] = list(dict.fromkeys(known))
        self.index: dict[str, int] = {v: i for i, v in enumerate(self.values)}

    def __call__(self, value: str) -> int:
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.values)
            self.values.append(value)
        return code

    def decode(self, codes: Any) -> np.ndarray:
        """An object array of the (shared) strings of ``codes``; -1 is None."""
        import numpy as np

        lookup = np.array([*self.values, None], dtype=object)
        return lookup[np.asarray(codes, dtype=np.int64)]


def _codes() -> array:
    return array("i")


def _ints() -> array:
    return array("q")


@dataclass
class Records:
    """Every ``put`` of one record type in one log, in line order, and the lines of its deletes."""

    line: array = field(default_factory=_ints)
    id: Strings = field(default_factory=Strings)
    ts: Strings = field(default_factory=Strings)
    deleted: dict[str, int] = field(default_factory=dict)  # id -> line of its last delete

    def __len__(self) -> int:
        return len(self.line)

    def flush(self) -> None:
        for value in vars(self).values():
            if isinstance(value, Strings):
                value.flush()


@dataclass
class SpanColumns(Records):
    doc: array = field(default_factory=_codes)
    start: array = field(default_factory=_ints)
    end: array = field(default_factory=_ints)
    label: array = field(default_factory=_codes)
    kind: array = field(default_factory=_codes)  # claim kind code, -1 if none
    text: Strings = field(default_factory=Strings)
    attrs: Strings = field(default_factory=Strings)  # JSON of non-empty attrs, else None
    misfit: dict[int, tuple[str, str]] = field(default_factory=dict)  # row -> problem with its document


@dataclass
class StanceColumns(Records):
    doc: array = field(default_factory=_codes)
    claim: Strings = field(default_factory=Strings)
    target: array = field(default_factory=_codes)
    value: array = field(default_factory=_codes)


@dataclass
class LinkColumns(Records):
    a: Strings = field(default_factory=Strings)
    b: Strings = field(default_factory=Strings)
    doc_a: array = field(default_factory=_codes)
    doc_b: array = field(default_factory=_codes)


@dataclass
class Vocab:
    """The codes shared by every log of one scan."""

    docs: Codes
    labels: Codes
    kinds: Codes
    targets: Codes
    values: Codes

    @classmethod
    def of(cls, doc_ids: Iterable[str], schema: LabelSchema) -> Vocab:
        return cls(Codes(doc_ids), Codes(schema.label_names), Codes(schema.claim_kinds),
                   Codes(schema.stance_targets), Codes(schema.stance_values))  # fmt: skip


@dataclass
class LogScan:
    """One annotator's records: columns, and the rows of the current ones (replay order) per type."""

    annotator: str
    path: str
    vocab: Vocab
    spans: SpanColumns
    stances: StanceColumns
    links: LinkColumns
    span_rows: np.ndarray
    stance_rows: np.ndarray
    link_rows: np.ndarray
    problems: list[Problem]  # unusable lines (from the log)

    def span_refs(self, wanted: set[str]) -> dict[str, tuple[str, str]]:
        """``span id -> (document, label)`` of the current spans whose id is in ``wanted``."""
        if not wanted:
            return {}
        rows, ids = self.spans.id.rows_in(self.span_rows, wanted)
        docs, labels = self.vocab.docs.values, self.vocab.labels.values
        sp = self.spans
        return {sid: (docs[sp.doc[r]], labels[sp.label[r]]) for sid, r in zip(ids, rows.tolist(), strict=True)}


def scan_log(log: RecordLog, vocab: Vocab, docs: Mapping[str, Document] | None) -> LogScan:
    """Read and replay one log; with ``docs``, check each span event against its document as it is read."""
    problems: list[Problem] = []
    spans, stances, links = SpanColumns(), StanceColumns(), LinkColumns()
    with gc_paused():
        for block in log.stream(problems):
            _take_block(block, spans, stances, links, vocab, docs)
            del block
            for cols in (spans, stances, links):
                cols.flush()
    span_rows, stance_rows, link_rows = (_current_rows(cols) for cols in (spans, stances, links))
    release_arrow_memory()
    return LogScan(log.annotator, str(log.path), vocab, spans, stances, links, span_rows, stance_rows, link_rows,
                   problems)  # fmt: skip


def _take_block(
    block: list[tuple[int, dict[str, Any]]],
    spans: SpanColumns,
    stances: StanceColumns,
    links: LinkColumns,
    vocab: Vocab,
    docs: Mapping[str, Document] | None,
) -> None:
    """Take a block of valid events apart into columns (no parsed object is kept)."""
    tables = {"span": spans, "stance": stances, "link": links}
    doc_code = vocab.docs
    for n, ev in block:
        table = tables[ev["type"]]
        if ev["op"] == "delete":
            table.deleted[ev["id"]] = n
            continue
        table.line.append(n)
        table.id.append(ev["id"])
        table.ts.append(ev.get("ts", ""))
        if table is spans:
            _take_span(n, ev, spans, vocab, docs)
        elif table is stances:
            stances.doc.append(doc_code(ev["doc"]))
            stances.claim.append(ev.get("claim"))
            stances.target.append(vocab.targets(ev["target"]))
            stances.value.append(vocab.values(ev["value"]))
        else:
            links.a.append(ev["a"])
            links.b.append(ev["b"])
            links.doc_a.append(doc_code(ev["doc_a"]))
            links.doc_b.append(doc_code(ev["doc_b"]))


def _take_span(
    n: int, ev: dict[str, Any], spans: SpanColumns, vocab: Vocab, docs: Mapping[str, Document] | None
) -> None:
    if docs is not None:
        doc = docs.get(ev["doc"])
        if doc is None or doc.sha256 != ev["doc_sha256"] or doc.text[ev["start"] : ev["end"]] != ev["text"]:
            spans.misfit[len(spans) - 1] = span_fit_problem(ev, docs) or ("offset-mismatch", "")
    attrs = ev.get("attrs")
    kind = attrs.get("kind") if attrs else None
    spans.doc.append(vocab.docs(ev["doc"]))
    spans.start.append(ev["start"])
    spans.end.append(ev["end"])
    spans.label.append(vocab.labels(ev["label"]))
    spans.kind.append(-1 if kind is None or type(kind) is not str else vocab.kinds(kind))
    spans.text.append(ev["text"])
    spans.attrs.append(_dumps(attrs).decode("utf-8") if attrs else None)


def _current_rows(cols: Records) -> np.ndarray:
    """Rows of the current records: the last ``put`` of each id not deleted after it, in replay order.

    Replay order is a dict's: an id keeps the place of its first ``put`` since its last delete.
    """
    import numpy as np
    import pandas as pd

    n = len(cols)
    if not n or (not cols.deleted and cols.id.count_distinct() == n):  # the common case: every id put once
        return np.arange(n, dtype=np.int64)
    ids = pd.Series(cols.id.take(np.arange(n, dtype=np.int64)))
    lines = np.frombuffer(cols.line, dtype=np.int64)
    if not cols.deleted and not ids.duplicated().any():
        return np.arange(n, dtype=np.int64)
    last_delete = ids.map(cols.deleted).fillna(-1).to_numpy(dtype=np.int64)
    live = np.flatnonzero(lines > last_delete)
    table = pd.DataFrame({"id": ids.iloc[live].to_numpy(), "row": live})
    first = table.drop_duplicates("id", keep="first")["id"]  # its place in replay order
    last = table.drop_duplicates("id", keep="last").set_index("id")["row"]  # the version that counts
    return last.reindex(first).to_numpy(dtype=np.int64)


@dataclass
class Checked:
    """The records that go into the frames (rows per log) and every problem found."""

    scans: list[LogScan]
    layer_of: dict[str, str]  # label -> layer in the schema
    spans: list[np.ndarray] = field(default_factory=list)  # per scan: current spans that fit their document
    stances: list[np.ndarray] = field(default_factory=list)  # per scan: current stances whose claim is right
    links: list[np.ndarray] = field(default_factory=list)  # per scan: current links whose ends exist
    problems: list[Problem] = field(default_factory=list)


def check_scans(
    scans: list[LogScan], docs: Mapping[str, Document], schema: LabelSchema, other_layer: OtherLayer
) -> Checked:
    """Check every current record once (as docs/format.md describes) and keep those that go into frames.

    Read problems first (per log), then per log in line order: spans that do not fit their
    document (left out), unknown labels and values (kept), stances on a claim that is not a
    claim of their document in the same layer, and links whose ends are not spans of any
    layer (both left out, ``bad-reference``).  ``other_layer(span_id)`` looks a link end up
    in the layers that were not scanned.
    """
    import numpy as np

    layer_of = {lab: schema.layer_of(lab) for lab in schema.label_names}
    out = Checked(scans, layer_of, problems=[p for s in scans for p in s.problems])
    link_ends: set[str] = set()
    for scan in scans:
        rows = scan.link_rows
        link_ends.update(v for v in (*scan.links.a.pylist(rows), *scan.links.b.pylist(rows)) if v is not None)
    refs = {s.annotator: s.span_refs(link_ends) for s in scans}
    for scan in scans:
        found: list[tuple[int, Problem]] = []
        rows, misfit = scan.span_rows, scan.spans.misfit
        fits = np.fromiter((r not in misfit for r in rows.tolist()), bool, len(rows)) if misfit else None
        out.spans.append(rows if fits is None else rows[fits])
        found += _span_problems(scan, layer_of, schema)
        out.stances.append(_check_stances(scan, layer_of, schema, docs, found))
        out.links.append(_check_links(scan, refs, other_layer, found))
        found.sort(key=lambda item: item[0])
        out.problems.extend(p for _, p in found)
    return out


def _span_problems(scan: LogScan, layer_of: dict[str, str], schema: LabelSchema) -> list[tuple[int, Problem]]:
    """Problems of the current spans: not fitting the document, unknown label or claim kind."""
    import numpy as np

    sp, vocab = scan.spans, scan.vocab
    layer = np.array([layer_of.get(lab, "unknown") for lab in vocab.labels.values], dtype=object)
    good_kinds = np.array([k in schema.claim_kinds for k in vocab.kinds.values] + [True])  # code -1: no kind
    rows = scan.span_rows
    labels = np.frombuffer(sp.label, dtype=np.int32)[rows]
    kinds = np.frombuffer(sp.kind, dtype=np.int32)[rows]
    bad = (layer[labels] == "unknown") | ((layer[labels] == "claim") & ~good_kinds[kinds])
    if sp.misfit:
        bad |= np.fromiter((r in sp.misfit for r in rows.tolist()), bool, len(rows))
    flagged = rows[bad]
    found: list[tuple[int, Problem]] = []
    for r, sid, attrs in zip(flagged.tolist(), sp.id.pylist(flagged), sp.attrs.pylist(flagged), strict=True):
        n = sp.line[r]
        where = (scan.path, n, scan.annotator, sid)
        if r in sp.misfit:
            found.append((n, Problem(*where, *sp.misfit[r])))
            continue
        ev = {"type": "span", "label": vocab.labels.values[sp.label[r]], "attrs": _loads(attrs) if attrs else {}}
        found += [(n, Problem(*where, *p)) for p in vocabulary_problems(ev, schema)]
    return found


def _check_stances(
    scan: LogScan, layer_of: dict[str, str], schema: LabelSchema, docs: Mapping[str, Document],
    found: list[tuple[int, Problem]],
) -> np.ndarray:  # fmt: skip
    """The current stances that go into the frames (rows); problems of the others to ``found``."""
    import numpy as np

    st, vocab, rows = scan.stances, scan.vocab, scan.stance_rows
    claims = st.claim.pylist(rows)
    own = scan.span_refs({c for c in claims if c is not None})
    targets, values = set(schema.stance_targets), set(schema.stance_values)
    kept: list[int] = []
    for r, sid, claim in zip(rows.tolist(), st.id.pylist(rows), claims, strict=True):
        n, doc_id = st.line[r], vocab.docs.values[st.doc[r]]
        target, value = vocab.targets.values[st.target[r]], vocab.values.values[st.value[r]]
        where = (scan.path, n, scan.annotator, sid)
        if doc_id not in docs:
            found.append((n, Problem(*where, "unknown-document", f"stance refers to missing document {doc_id!r}")))
            continue
        if claim is not None:
            ref = own.get(claim)
            if ref is None or ref[0] != doc_id or layer_of.get(ref[1]) != "claim":
                why = "does not exist" if ref is None else f"is not a claim of {doc_id!r}"
                why = f"stance on claim {claim!r}, which {why} in this layer"
                found.append((n, Problem(*where, "bad-reference", why)))
                continue
        if (targets and target not in targets) or value not in values:
            ev = {"type": "stance", "target": target, "value": value}
            found += [(n, Problem(*where, *p)) for p in vocabulary_problems(ev, schema)]
        kept.append(r)
    return np.array(kept, dtype=np.int64)


def _check_links(
    scan: LogScan, refs: dict[str, dict[str, tuple[str, str]]], other_layer: OtherLayer,
    found: list[tuple[int, Problem]],
) -> np.ndarray:  # fmt: skip
    """Links whose two ends are spans (own layer first, then the loaded layers, then any) of the right documents."""
    import numpy as np

    lk, rows, doc_of = scan.links, scan.link_rows, scan.vocab.docs.values
    kept: list[int] = []
    for r, oid, a, b in zip(rows.tolist(), lk.id.pylist(rows), lk.a.pylist(rows), lk.b.pylist(rows), strict=True):
        why = ""
        for end, doc_id in ((a, doc_of[lk.doc_a[r]]), (b, doc_of[lk.doc_b[r]])):
            ref = _find_span(cast(str, end), scan.annotator, refs, other_layer)  # link ends are never null
            if ref is None:
                why = f"link end {end!r} is not a span of any annotator"
            elif ref[0] != doc_id:
                why = f"link end {end!r} is in {ref[0]!r}, not {doc_id!r}"
            if why:
                break
        if why:
            found.append((lk.line[r], Problem(scan.path, lk.line[r], scan.annotator, oid, "bad-reference", why)))
        else:
            kept.append(r)
    return np.array(kept, dtype=np.int64)


def _find_span(
    span_id: str, prefer: str, refs: dict[str, dict[str, tuple[str, str]]], other_layer: OtherLayer
) -> tuple[str, str] | None:
    for name in (prefer, *refs):
        ref = refs[name].get(span_id)
        if ref is not None:
            return ref
    return other_layer(span_id)  # layers that were not loaded: read only if needed


def counts(scan: LogScan) -> dict[str, int]:
    """Current records of one log, as ``Project.status`` reports them."""
    import numpy as np

    docs = np.union1d(np.frombuffer(scan.spans.doc, dtype=np.int32)[scan.span_rows],
                      np.frombuffer(scan.stances.doc, dtype=np.int32)[scan.stance_rows])  # fmt: skip
    return {
        "spans": len(scan.span_rows),
        "stances": len(scan.stance_rows),
        "links": len(scan.link_rows),
        "documents": len(docs),
        "problems": len(scan.problems),
    }
