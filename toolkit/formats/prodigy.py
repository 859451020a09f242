"""Prodigy JSON Lines tasks (``prodigy db-out``): ``text``, ``spans``, ``answer``, ``meta``.

* ``spans``: ``[{"start", "end", "label", "text"?, "token_start"?, ...}]``, offsets in code points
  (Prodigy is Python); a span's own ``text``, when given, is checked against the task text.
* ``answer``: ``accept`` (or missing, e.g. a pre-annotated input file) -> the annotator's layer;
  ``reject`` -> the layer ``<annotator>:rejected`` (kept apart, never mixed with accepted spans);
  ``ignore`` -> skipped and counted.
* annotator: ``_annotator_id`` (Prodigy 1.10+ ``<dataset>-<session>``), else ``_session_id``.
* document: ``meta.doc_id`` / ``meta.id`` (a string) names it; ``meta.source``, ``meta.title``,
  ``meta.url``, ``meta.published`` fill the document fields when it is created.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import ImportFormatError
from .base import (
    RawDoc,
    RawSpan,
    check_id,
    iter_objects,
    show_path,
    want_dict,
    want_int,
    want_label,
    want_list,
    want_str,
)

SUFFIXES = (".jsonl", ".ndjson")
REJECTED = ":rejected"


def doc_fields(meta: dict, where: str) -> dict[str, str | None]:
    """Document id and fields from a ``meta`` object; ids must be strings, other fields strings or null."""
    out: dict[str, str | None] = {}
    for key in ("doc_id", "id"):
        if isinstance(meta.get(key), str):
            out["doc_id"] = check_id(meta[key], where, f"meta.{key}")
            break
    for key in ("source", "title", "url", "published"):
        out[key] = want_str(meta.get(key), f"meta.{key}", where, optional=True)
    return out


def read(path: Path, notes: list[str]) -> Iterator[RawDoc]:
    """One :class:`RawDoc` per task that is not ``ignore``d."""
    name = show_path(path)
    ignored = 0
    for n, where, task in iter_objects(path, "a Prodigy task"):
        text = want_str(task.get("text"), "'text'", where, empty=False)
        assert text is not None
        answer = task.get("answer", "accept")
        if answer not in ("accept", "reject", "ignore"):
            raise ImportFormatError(f"{where}: 'answer' must be accept, reject or ignore, got {answer!r}")
        if answer == "ignore":
            ignored += 1
            continue
        meta = want_dict(task.get("meta"), "'meta'", where)
        fields = doc_fields(meta, where)
        annotator = None
        for key in ("_annotator_id", "_session_id"):
            if task.get(key) is not None:
                annotator = want_str(task[key], repr(key), where, empty=False)
                break
        spans = []
        for i, sp in enumerate(want_list(task.get("spans"), "'spans'", where)):
            at = f"{where}: span {i + 1}"
            if not isinstance(sp, dict):
                raise ImportFormatError(f"{at} must be an object with start, end and label")
            label = sp.get("label")
            if label is None:
                raise ImportFormatError(f"{at} has no label")
            spans.append(
                RawSpan(
                    start=want_int(sp.get("start"), "start", at),
                    end=want_int(sp.get("end"), "end", at),
                    label=want_label(label, at),
                    line=n,
                    text=want_str(sp.get("text"), "text", at, optional=True),
                )
            )
        prov = {k: task[k] for k in ("_input_hash", "_task_hash") if isinstance(task.get(k), int)}
        yield RawDoc(
            file=name,
            line=n,
            text=text,
            doc_id=fields.get("doc_id"),
            source=fields["source"],
            title=fields["title"] or "",
            url=fields["url"] or "",
            published=fields["published"] or "",
            annotator=annotator,
            layer=REJECTED if answer == "reject" else "",
            spans=spans,
            meta=prov,
        )
    if ignored:
        notes.append(f"{name}: {ignored} task(s) answered 'ignore' skipped")
