"""CSV exports: one row per stance, or one row per span."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from ._common import Summary, jsonable, text_or_empty

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Frames

STANCE_HEADER = ["doc_id", "source", "title", "claim_id", "claim_text", "target", "value", "annotator", "ts"]
SPAN_HEADER = [
    "doc_id", "source", "annotator", "span_id", "layer", "label", "start", "end", "text",
    "kind", "speaker", "speaker_span", "attrs", "ts",
]  # fmt: skip


def render_stances_csv(frames: Frames) -> tuple[str, Summary]:
    """Stances as CSV (columns :data:`STANCE_HEADER`); a document-level stance has empty ``claim_id``/``claim_text``."""
    st = frames.stances
    titles = dict(zip(frames.documents["doc_id"], frames.documents["title"], strict=True))
    claim_text = dict(zip(frames.spans["id"], frames.spans["text"], strict=True)) if len(frames.spans) else {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(STANCE_HEADER)
    rows = st.sort_values(["doc_id", "annotator", "target"], kind="stable").itertuples() if len(st) else ()
    for r in rows:
        claim = text_or_empty(r.claim_id)
        w.writerow([r.doc_id, r.source, text_or_empty(titles.get(r.doc_id)), claim,
                    text_or_empty(claim_text.get(claim)) if claim else "", r.target, r.value, r.annotator,
                    text_or_empty(r.ts)])  # fmt: skip
    return buf.getvalue(), Summary(stances=len(st))


def render_spans_csv(frames: Frames) -> tuple[str, Summary]:
    """Spans (entities and claims) as CSV (columns :data:`SPAN_HEADER`); ``attrs`` is a JSON object."""
    sp = frames.spans
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SPAN_HEADER)
    rows = sp.sort_values(["doc_id", "annotator", "start", "end"], kind="stable").itertuples() if len(sp) else ()
    for r in rows:
        attrs = json.dumps(jsonable(dict(r.attrs) if isinstance(r.attrs, dict) else {}), ensure_ascii=False,
                           allow_nan=False, sort_keys=True)  # fmt: skip
        w.writerow([r.doc_id, r.source, r.annotator, r.id, r.layer, r.label, int(r.start), int(r.end), r.text,
                    text_or_empty(r.kind), text_or_empty(r.speaker), text_or_empty(r.speaker_span), attrs,
                    text_or_empty(r.ts)])  # fmt: skip
    return buf.getvalue(), Summary(spans=len(sp))
