"""The toolkit's own JSON Lines export: one strict JSON object per (document, annotator)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._common import Summary, by_doc, jsonable, missing

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Frames


def dumps_strict(obj: Any) -> str:
    """One line of strict JSON (RFC 8259): missing values become ``null``; NaN/Infinity can never be written."""
    return json.dumps(jsonable(obj), ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def render_jsonl(frames: Frames) -> tuple[str, Summary]:
    """The JSON Lines text: per document, one line per annotator with its spans, stances and links.

    A document without annotations in ``frames`` is written once with ``"annotator": null``.
    Every absent value (a document-level stance's ``claim``, an empty date) is ``null``.
    """
    spans, stances = by_doc(frames.spans), by_doc(frames.stances)
    links = by_doc(frames.links.rename(columns={"doc_a": "doc_id"})) if len(frames.links) else {}
    lines: list[str] = []
    for doc in frames.documents.itertuples(index=False):
        ds, dt, dl = spans.get(doc.doc_id), stances.get(doc.doc_id), links.get(doc.doc_id)
        names: set[str] = set()
        for g in (ds, dt, dl):
            if g is not None:
                names |= set(g["annotator"])
        layers: list[str | None] = [*sorted(names)] or [None]  # a document without annotations: one line
        for ann in layers:
            sp = ds[ds["annotator"] == ann] if ds is not None else None
            st = dt[dt["annotator"] == ann] if dt is not None else None
            lk = dl[dl["annotator"] == ann] if dl is not None else None
            obj: dict[str, Any] = {
                "id": doc.doc_id, "source": doc.source, "title": doc.title, "url": doc.url,
                "published": doc.published, "sha256": doc.sha256, "text": doc.text, "annotator": ann,
                "spans": [
                    {"id": r.id, "start": int(r.start), "end": int(r.end), "label": r.label, "text": r.text,
                     "attrs": dict(r.attrs) if isinstance(r.attrs, dict) else {}}
                    for r in (sp.sort_values(["start", "end"], kind="stable").itertuples() if sp is not None else ())
                ],
                "stances": [
                    {"target": r.target, "value": r.value, "claim": None if missing(r.claim_id) else r.claim_id}
                    for r in (st.sort_values(["target"], kind="stable").itertuples() if st is not None else ())
                ],
                "links": [{"a": r.a, "b": r.b, "doc_b": r.doc_b} for r in (lk.itertuples() if lk is not None else ())],
            }  # fmt: skip
            lines.append(dumps_strict(obj))
    return "".join(line + "\n" for line in lines), Summary(documents=len(frames.documents), lines=len(lines))
