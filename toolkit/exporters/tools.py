"""Exports for other annotation tools: Prodigy and doccano (JSON Lines), brat (standoff files).

All three count offsets in code points, like the toolkit, so spans are written
as they are stored (no tokenisation, nothing left out).  One record (or, for
brat, one ``.ann`` file) per (document, annotator) example; entity and claim
spans both go out, so spans may overlap (claims contain entities).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ._common import Summary, examples, jsonable, text_or_empty
from .jsonl import dumps_strict

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Frames


def _meta(doc: Any, annotator: str) -> dict[str, Any]:
    fields = {key: text_or_empty(getattr(doc, key)) for key in ("title", "url", "published")}
    return {"doc_id": doc.doc_id, "source": doc.source, **fields, "annotator": annotator}


def render_prodigy(frames: Frames) -> tuple[str, Summary]:
    """Prodigy tasks, one line per example::

        {"text": ..., "spans": [{"start", "end", "label", "text", "id"}], "answer": "accept",
         "_annotator_id": "<annotator>", "meta": {"doc_id", "source", "title", "url", "published", "annotator"}}

    Claim spans carry their attributes under ``"attrs"``.
    """
    lines: list[str] = []
    n_spans = 0
    docs: set[str] = set()
    for doc, ann, rows in examples(frames):
        spans = []
        for r in rows.itertuples(index=False):
            sp: dict[str, Any] = {"start": int(r.start), "end": int(r.end), "label": r.label, "text": r.text,
                                  "id": r.id}  # fmt: skip
            if isinstance(r.attrs, dict) and r.attrs:
                sp["attrs"] = jsonable(dict(r.attrs))
            spans.append(sp)
        task = {"text": doc.text, "spans": spans, "answer": "accept", "_annotator_id": ann, "meta": _meta(doc, ann)}
        lines.append(dumps_strict(task))
        n_spans += len(spans)
        docs.add(doc.doc_id)
    return "".join(x + "\n" for x in lines), Summary(tasks=len(lines), documents=len(docs), spans=n_spans)


def render_doccano(frames: Frames) -> tuple[str, Summary]:
    """doccano sequence-labelling JSON Lines, one line per example::

        {"text": ..., "label": [[start, end, "LABEL"], ...], "doc_id", "source", "title", "annotator"}

    doccano keeps the extra keys as the example's metadata.
    """
    lines: list[str] = []
    n_spans = 0
    docs: set[str] = set()
    for doc, ann, rows in examples(frames):
        labels = [[int(r.start), int(r.end), r.label] for r in rows.itertuples(index=False)]
        obj = {"text": doc.text, "label": labels, "doc_id": doc.doc_id, "source": doc.source,
               "title": text_or_empty(doc.title), "annotator": ann}  # fmt: skip
        lines.append(dumps_strict(obj))
        n_spans += len(labels)
        docs.add(doc.doc_id)
    return "".join(x + "\n" for x in lines), Summary(examples=len(lines), documents=len(docs), spans=n_spans)


def brat_type(label: str) -> str:
    """A brat type name for ``label``: no whitespace (``NEWS ORG`` -> ``NEWS_ORG``)."""
    return re.sub(r"\s+", "_", label.strip()) or "_"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at line breaks into the pieces brat can show (whitespace-only pieces dropped)."""
    out: list[tuple[int, int]] = []
    pos = start
    for m in re.finditer(r"\s*\n\s*", text[start:end]):
        s, e = start + m.start(), start + m.end()
        if s > pos:
            out.append((pos, s))
        pos = e
    if end > pos:
        out.append((pos, end))
    return out or [(start, end)]


def render_brat(frames: Frames, split_annotators: bool | None = None) -> tuple[dict[str, str], Summary]:
    """brat standoff files: relative path -> content.

    ``<doc_id>.txt`` holds the document text exactly, ``<doc_id>.ann`` one
    ``T<n><TAB><TYPE> <start> <end>[;<start> <end>...]<TAB><text>`` line per span
    (a span across line breaks is written as fragments, one per line) and an
    ``A<n><TAB>Kind T<n> <kind>`` line per claim with a kind.  With more than one
    annotator (or ``split_annotators=True``) each annotator gets its own folder
    ``<annotator>/`` (name percent-encoded); ``annotation.conf`` lists the types
    so brat can show the collection.
    """
    groups = list(examples(frames))
    names = sorted({ann for _d, ann, _r in groups})
    split = len(names) > 1 if split_annotators is None else split_annotators
    files: dict[str, str] = {}
    entity_types: set[str] = set()
    claim_types: set[str] = set()
    kinds: set[str] = set()
    n_spans = n_fragmented = renamed = 0
    for doc, ann, rows in groups:
        folder = quote(ann, safe="@._-") + "/" if split else ""
        files[f"{folder}{doc.doc_id}.txt"] = doc.text
        lines: list[str] = []
        t = a = 0
        for r in rows.itertuples(index=False):
            t += 1
            typ = brat_type(r.label)
            renamed += typ != r.label
            (claim_types if r.layer == "claim" else entity_types).add(typ)
            frags = fragments(doc.text, int(r.start), int(r.end))
            n_fragmented += len(frags) > 1
            where = ";".join(f"{s} {e}" for s, e in frags)
            shown = " ".join(doc.text[s:e] for s, e in frags)
            lines.append(f"T{t}\t{typ} {where}\t{shown}")
            kind = r.attrs.get("kind") if isinstance(r.attrs, dict) else None
            if r.layer == "claim" and isinstance(kind, str) and kind:
                a += 1
                kinds.add(kind)
                lines.append(f"A{a}\tKind T{t} {brat_type(kind)}")
        files[f"{folder}{doc.doc_id}.ann"] = "".join(x + "\n" for x in lines)
        n_spans += t
    files["annotation.conf"] = _conf(sorted(entity_types - claim_types), sorted(claim_types), sorted(kinds))
    if split:
        for name in names:
            files[f"{quote(name, safe='@._-')}/annotation.conf"] = files["annotation.conf"]
    summary = Summary(documents=len({d.doc_id for d, _a, _r in groups}), files=len(files), spans=n_spans,
                      fragmented=n_fragmented, labels_renamed=renamed)  # fmt: skip
    if renamed:
        summary.notes.append(f"brat: {renamed} span label(s) contain whitespace; written with '_' instead")
    return files, summary


def _conf(entities: list[str], claims: list[str], kinds: list[str]) -> str:
    out = ["[entities]", *entities, *claims, "", "[relations]", "", "[events]", "", "[attributes]"]
    if claims and kinds:
        out.append(f"Kind\tArg:{'|'.join(claims)}, Value:{'|'.join(brat_type(k) for k in kinds)}")
    return "\n".join(out) + "\n"
