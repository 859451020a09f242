"""The project's current state as pandas DataFrames: columns, the Frames holder, the skip warning."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import Document, is_model_annotator
from .scan import Checked, SpanColumns, _loads, coded, release_arrow_memory, str_array, strings

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

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
#: Span columns with few distinct values, held as pandas categoricals (codes + one copy of each value).
CATEGORY_SPAN_COLUMNS = frozenset({"doc_id", "source", "label", "layer", "annotator"})
#: Span columns of unique strings, built from Arrow arrays rather than Python lists.
ARROW_SPAN_COLUMNS = ("id", "text", "ts")
PROBLEM_COLUMNS = ["file", "line", "annotator", "record_id", "kind", "message"]
#: Problem kinds whose line or record is not in the frames (the others are reported but kept).
SKIPPED_KINDS = frozenset(
    {"corrupt-line", "torn-line", "invalid-record", "unknown-document", "document-changed", "offset-mismatch",
     "bad-reference"}
)  # fmt: skip


class SkippedRecordsWarning(UserWarning):
    """``Project.load()`` left unusable lines or records out of the frames (see ``frames.problems``)."""


def span_frame(checked: Checked, source: Mapping[str, str]) -> pd.DataFrame:
    """The ``spans`` frame of the checked scans, built column by column (no row objects but ``attrs``).

    String columns are assembled in Arrow from the scan's codes and arrays and become
    pandas' ``str`` columns; only ``attrs`` (and ``speaker_span``) hold Python objects.
    """
    import numpy as np
    import pandas as pd

    if not sum(len(rows) for rows in checked.spans):
        empty = pd.DataFrame({c: [] for c in SPAN_COLUMNS}, columns=SPAN_COLUMNS)
        return empty.astype({"start": "int64", "end": "int64", "is_model": "bool"})
    parts: dict[str, list[Any]] = {c: [] for c in SPAN_COLUMNS}
    for scan, rows in zip(checked.scans, checked.spans, strict=True):
        sp, vocab = scan.spans, scan.vocab
        attrs = [_loads(a) if a else {} for a in sp.attrs.pylist(rows)]
        doc_codes = np.frombuffer(sp.doc, dtype=np.int32)[rows]
        label_codes = np.frombuffer(sp.label, dtype=np.int32)[rows]
        parts["id"].append(sp.id.arrow(rows))
        parts["doc_id"].append(coded(doc_codes, vocab.docs.values))
        parts["source"].append(coded(doc_codes, [source.get(d) for d in vocab.docs.values]))
        parts["start"].append(np.frombuffer(sp.start, dtype=np.int64)[rows])
        parts["end"].append(np.frombuffer(sp.end, dtype=np.int64)[rows])
        parts["label"].append(coded(label_codes, vocab.labels.values))
        parts["layer"].append(coded(label_codes, [checked.layer_of.get(lab, "unknown") for lab in vocab.labels.values]))
        parts["text"].append(sp.text.arrow(rows))
        parts["kind"].append(strings([a.get("kind") for a in attrs]))
        parts["speaker"].append(strings([a.get("speaker") for a in attrs]))
        parts["speaker_span"].append([a.get("speaker_span") for a in attrs])
        parts["attrs"].append(attrs)
        parts["annotator"].append(coded(np.zeros(len(rows), dtype=np.int32), [scan.annotator]))
        parts["is_model"].append(np.full(len(rows), is_model_annotator(scan.annotator)))
        parts["ts"].append(sp.ts.arrow(rows))
        scan.spans = SpanColumns()  # taken: free this layer's columns before the next layer's copies
        release_arrow_memory()
    data: dict[str, Any] = {}
    for name in SPAN_COLUMNS:
        pieces = parts.pop(name)  # one column at a time: its pieces are freed once it is built
        if isinstance(pieces[0], list):
            data[name] = [v for piece in pieces for v in piece]
        elif isinstance(pieces[0], np.ndarray):
            data[name] = np.concatenate(pieces)
        else:
            data[name] = str_array(pieces)
            if name in CATEGORY_SPAN_COLUMNS:  # few distinct values: 4-byte codes instead of strings
                data[name] = pd.Categorical(data[name])
        del pieces
    return pd.DataFrame(data, columns=SPAN_COLUMNS, copy=False)


def _stance_rows(checked: Checked, source: Mapping[str, str]) -> list[tuple]:
    out: list[tuple] = []
    for scan, rows in zip(checked.scans, checked.stances, strict=True):
        st, vocab = scan.stances, scan.vocab
        ann, model = scan.annotator, is_model_annotator(scan.annotator)
        for r, oid, claim, ts in zip(rows.tolist(), st.id.pylist(rows), st.claim.pylist(rows), st.ts.pylist(rows),
                                     strict=True):  # fmt: skip
            doc = vocab.docs.values[st.doc[r]]
            target, value = vocab.targets.values[st.target[r]], vocab.values.values[st.value[r]]
            out.append((oid, doc, source[doc], claim, target, value, ann, model, ts))
    return out


def _link_rows(checked: Checked) -> list[tuple]:
    out: list[tuple] = []
    for scan, rows in zip(checked.scans, checked.links, strict=True):
        lk, doc_of = scan.links, scan.vocab.docs.values
        ann, model = scan.annotator, is_model_annotator(scan.annotator)
        values = zip(rows.tolist(), lk.id.pylist(rows), lk.a.pylist(rows), lk.b.pylist(rows), lk.ts.pylist(rows),
                     strict=True)  # fmt: skip
        out += [(oid, a, b, doc_of[lk.doc_a[r]], doc_of[lk.doc_b[r]], ann, model, ts) for r, oid, a, b, ts in values]
    return out


def build_frames(checked: Checked, docs: Mapping[str, Document]) -> Frames:
    """All five frames of :meth:`Project.load` from the checked scans (their span columns are freed)."""
    import pandas as pd

    source = {d.id: d.source for d in docs.values()}
    doc_rows = [(d.id, d.source, d.title, d.url, d.published, d.sha256, len(d.text), d.text) for d in docs.values()]
    spans = span_frame(checked, source)  # frees each layer's span columns as it goes
    release_arrow_memory()
    frames = Frames(
        documents=pd.DataFrame.from_records(doc_rows, columns=DOC_COLUMNS),
        spans=spans,
        stances=pd.DataFrame.from_records(_stance_rows(checked, source), columns=STANCE_COLUMNS).astype(
            {"is_model": "bool"}
        ),
        links=pd.DataFrame.from_records(_link_rows(checked), columns=LINK_COLUMNS).astype({"is_model": "bool"}),
        problems=pd.DataFrame.from_records(
            [(p.file, p.line, p.annotator, p.record_id, p.kind, p.message) for p in checked.problems],
            columns=PROBLEM_COLUMNS,
        ),
    )
    release_arrow_memory()  # the stance and link rows were short-lived Python objects
    return frames
