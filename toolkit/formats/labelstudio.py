"""Label Studio JSON export files: one JSON array of tasks.

Each task has ``data.text`` and ``annotations``; each annotation a ``result``
list whose ``labels`` items carry ``value: {start, end, text, labels: [...]}``.
One span is made per label of a region.  Offsets are checked against the
region's own ``text``; regions written by older Label Studio versions (or by
JavaScript clients) count UTF-16 code units and are realigned.

* annotator: ``completed_by`` -- a user object gives its ``email`` (else
  ``username``), a user number gives ``ls-user-<n>``; ``--annotator`` overrides.
* cancelled annotations (``was_cancelled``) and ``predictions`` are skipped and counted;
  result items other than ``labels`` (choices, text areas, relations) are counted as not imported.
* the document: ``data.doc_id`` (a string; what ``toolkit ls push`` sends) names it,
  ``data.source``/``title``/``url``/``published`` fill its fields.  Label Studio's own
  task and annotation numbers go into each span's ``meta``.

The ``JSON-MIN`` export (tasks flattened: ``text`` and a list of regions at the top level,
``annotator`` a number or e-mail) is read too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ImportFormatError
from .base import (
    RawDoc,
    RawSpan,
    check_id,
    describe,
    iter_json_array,
    show_path,
    want_dict,
    want_int,
    want_label,
    want_list,
    want_str,
)

SUFFIXES = (".json",)


def _user(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        for key in ("email", "username"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key]
        value = value.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"ls-user-{value}"
    if isinstance(value, str) and value.strip():
        return value
    raise ImportFormatError(f"{where}: completed_by must be a user number or object, got {describe(value)}")


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _regions(items: list[Any], line: int, at: str, skipped: dict[str, int]) -> list[RawSpan]:
    spans = []
    for i, item in enumerate(items):
        where = f"{at}: result {i + 1}"
        if not isinstance(item, dict):
            raise ImportFormatError(f"{where} must be an object, got {describe(item)}")
        if item.get("type", "labels") != "labels":
            kind = str(item.get("type"))[:30]
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        value = want_dict(item.get("value", item), "value", where, optional=False)
        labels = want_list(value.get("labels"), "value.labels", where, optional=False)
        if not labels:
            raise ImportFormatError(f"{where}: region has no labels")
        start = want_int(value.get("start"), "value.start", where)
        end = want_int(value.get("end"), "value.end", where)
        text = want_str(value.get("text"), "value.text", where, optional=True)
        meta = {"region": item["id"]} if isinstance(item.get("id"), str) else {}
        for lab in labels:
            spans.append(RawSpan(start, end, want_label(lab, where), line, text=text, meta=dict(meta)))
    return spans


def _doc_fields(data: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"doc_id": None}
    if data.get("doc_id") is not None:
        out["doc_id"] = check_id(data["doc_id"], where, "data.doc_id")
    for key in ("source", "title", "url", "published"):
        out[key] = want_str(data.get(key), f"data.{key}", where, optional=True)
    return out


def read(path: Path, notes: list[str]) -> Iterator[RawDoc]:
    """One :class:`RawDoc` per (task, annotation) that is not cancelled."""
    name = show_path(path)
    cancelled = predictions = 0
    skipped: dict[str, int] = {}
    for n, where, task in iter_json_array(path):
        if not isinstance(task, dict):
            raise ImportFormatError(f"{where}: expected a task object, got {describe(task)}")
        task_id = _int_or_none(task.get("id"))
        if "data" not in task and "text" in task:  # JSON-MIN
            data = task
            region_lists = [v for k, v in task.items() if isinstance(v, list) and k not in ("annotations",)]
            regions = [r for lst in region_lists for r in lst if isinstance(r, dict) and "labels" in r]
            annotations = [{"result": [{"type": "labels", "value": r} for r in regions],
                            "completed_by": task.get("annotator")}]  # fmt: skip
        else:
            data = want_dict(task.get("data"), "'data'", where, optional=False)
            annotations = want_list(task.get("annotations"), "'annotations'", where)
            predictions += len(want_list(task.get("predictions"), "'predictions'", where))
        text = want_str(data.get("text"), "data.text", where, empty=False)
        assert text is not None
        fields = _doc_fields(data, where)
        if not annotations:
            notes.append(f"{where}: task {task_id if task_id is not None else ''} has no annotations".replace("  ", " "))
        for k, ann in enumerate(annotations):
            at = f"{where}: annotation {k + 1}"
            if not isinstance(ann, dict):
                raise ImportFormatError(f"{at} must be an object, got {describe(ann)}")
            if ann.get("was_cancelled") is True:
                cancelled += 1
                continue
            result = want_list(ann.get("result"), "result", at)
            prov = {k2: v for k2, v in (("task", task_id), ("annotation", _int_or_none(ann.get("id")))) if v is not None}
            yield RawDoc(
                file=name,
                line=n,
                text=text,
                doc_id=fields["doc_id"],
                source=fields["source"],
                title=fields["title"] or "",
                url=fields["url"] or "",
                published=fields["published"] or "",
                annotator=_user(ann.get("completed_by"), at),
                spans=_regions(result, n, at, skipped),
                meta=prov,
            )
    if cancelled:
        notes.append(f"{name}: {cancelled} cancelled annotation(s) skipped")
    if predictions:
        notes.append(f"{name}: {predictions} prediction(s) not imported (only annotations are)")
    for kind, count in sorted(skipped.items()):
        notes.append(f"{name}: {count} result item(s) of type {kind!r} not imported (only 'labels' regions are)")
