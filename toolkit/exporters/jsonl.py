"""The toolkit's own JSON Lines export: one strict JSON object per (document, annotator)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._common import Summary, jsonable, missing

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..store import Frames


def dumps_strict(obj: Any) -> str:
    """One line of strict JSON (RFC 8259): missing values become ``null``; NaN/Infinity can never be written."""
    return json.dumps(jsonable(obj), ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _grouped(frame: pd.DataFrame, columns: list[str], order: list[str]) -> dict[str, list[tuple]]:
    """``doc_id -> rows`` (tuples of ``columns``) in ``order``: one sort and one pass, no per-document frames."""
    if frame is None or not len(frame):
        return {}
    f = frame.sort_values(["doc_id", *order], kind="stable")
    out: dict[str, list[tuple]] = {}
    cols = [f[c].tolist() for c in ["doc_id", *columns]]
    for row in zip(*cols, strict=True):
        out.setdefault(str(row[0]), []).append(row[1:])
    return out


def iter_jsonl_lines(frames: Frames, summary: Summary | None = None) -> Iterator[str]:
    """The JSON Lines export a line at a time (see :func:`render_jsonl`); ``summary`` gets the counts
    (documents, lines) when the iteration ends."""
    spans = _grouped(frames.spans, ["annotator", "id", "start", "end", "label", "text", "attrs"],
                     ["annotator", "start", "end"])
    stances = _grouped(frames.stances, ["annotator", "target", "value", "claim_id"], ["annotator", "target"])
    links = (_grouped(frames.links.rename(columns={"doc_a": "doc_id"}), ["annotator", "a", "b", "doc_b"], ["annotator"])
             if len(frames.links) else {})
    docs = frames.documents
    n_lines = 0
    for doc_id, source, title, url, published, sha, text in zip(
            docs["doc_id"].tolist(), docs["source"].tolist(), docs["title"].tolist(), docs["url"].tolist(),
            docs["published"].tolist(), docs["sha256"].tolist(), docs["text"].tolist(), strict=True):
        ds, dt, dl = spans.get(doc_id, []), stances.get(doc_id, []), links.get(doc_id, [])
        names = {r[0] for r in ds} | {r[0] for r in dt} | {r[0] for r in dl}
        layers: list[str | None] = [*sorted(str(n) for n in names)] or [None]  # no annotations: one line
        for ann in layers:
            obj: dict[str, Any] = {
                "id": doc_id, "source": source, "title": title, "url": url, "published": published,
                "sha256": sha, "text": text, "annotator": ann,
                "spans": [{"id": sid, "start": int(st), "end": int(en), "label": lab, "text": tx,
                           "attrs": dict(at) if isinstance(at, dict) else {}}
                          for a, sid, st, en, lab, tx, at in ds if a == ann],
                "stances": [{"target": tg, "value": v, "claim": None if missing(c) else c}
                            for a, tg, v, c in dt if a == ann],
                "links": [{"a": la, "b": lb, "doc_b": db} for a, la, lb, db in dl if a == ann],
            }  # fmt: skip
            yield dumps_strict(obj) + "\n"
            n_lines += 1
    if summary is not None:
        summary.update(documents=len(docs), lines=n_lines)


def render_jsonl(frames: Frames) -> tuple[str, Summary]:
    """The JSON Lines text: per document, one line per annotator with its spans, stances and links.

    A document without annotations in ``frames`` is written once with ``"annotator": null``.
    Every absent value (a document-level stance's ``claim``, an empty date) is ``null``.
    Spans come by start and end, stances by target, links as stored.  A file export streams
    :func:`iter_jsonl_lines` instead of holding the text.
    """
    summary = Summary()
    return "".join(iter_jsonl_lines(frames, summary)), summary
