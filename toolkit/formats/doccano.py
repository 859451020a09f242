"""doccano sequence-labelling exports (JSON Lines).

Two shapes are read:

* ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` (doccano 1.x; the key may also be ``labels``);
* ``{"text": ..., "entities": [{"start_offset", "end_offset", "label"}, ...]}`` (newer doccano,
  "relation" projects).  ``relations`` are not imported (counted in a note).

doccano's own ``id`` is an integer example number: it is kept in the span's
``meta`` but does not name the document.  A string ``id`` or ``doc_id`` that is
a valid document id does.  Other keys that doccano carries along
(``source``, ``title``, ``url``, ``published``, or the same inside ``meta``)
fill the document fields; ``user``/``annotator`` (a string) names the annotator.
A text-classification export (``label: ["positive"]``) is refused with a clear error.
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
    iter_objects,
    show_path,
    want_dict,
    want_int,
    want_label,
    want_list,
    want_str,
)

SUFFIXES = (".jsonl", ".ndjson")


def _doc_id(obj: dict[str, Any], where: str) -> str | None:
    for key in ("doc_id", "id"):
        value = obj.get(key)
        if isinstance(value, str):
            return check_id(value, where, repr(key))
        if value is not None and not (key == "id" and isinstance(value, int) and not isinstance(value, bool)):
            raise ImportFormatError(f"{where}: {key!r} must be a string (a document id), got {describe(value)}")
    return None


def read(path: Path, notes: list[str]) -> Iterator[RawDoc]:
    """One :class:`RawDoc` per line."""
    name = show_path(path)
    relations = 0
    for n, where, obj in iter_objects(path, "a doccano example"):
        text = want_str(obj.get("text"), "'text'", where, empty=False)
        assert text is not None
        spans: list[RawSpan] = []
        if "entities" in obj:
            for i, ent in enumerate(want_list(obj.get("entities"), "'entities'", where)):
                at = f"{where}: entity {i + 1}"
                if not isinstance(ent, dict):
                    raise ImportFormatError(f"{at} must be an object with start_offset, end_offset and label")
                spans.append(
                    RawSpan(
                        start=want_int(ent.get("start_offset"), "start_offset", at),
                        end=want_int(ent.get("end_offset"), "end_offset", at),
                        label=want_label(ent.get("label"), at),
                        line=n,
                    )
                )
            relations += len(want_list(obj.get("relations"), "'relations'", where))
        else:
            key = "label" if "label" in obj else "labels"
            for i, item in enumerate(want_list(obj.get(key), repr(key), where)):
                at = f"{where}: {key} {i + 1}"
                if isinstance(item, str):
                    raise ImportFormatError(
                        f"{at}: {item[:40]!r} is a document category (text classification), not a span; "
                        "only sequence-labelling exports can be imported"
                    )
                if not isinstance(item, list) or len(item) != 3:
                    raise ImportFormatError(f"{at} must be [start, end, label], got {describe(item)}")
                spans.append(
                    RawSpan(
                        start=want_int(item[0], "start", at),
                        end=want_int(item[1], "end", at),
                        label=want_label(item[2], at),
                        line=n,
                    )
                )
        meta = want_dict(obj.get("meta"), "'meta'", where)
        fields = {
            k: want_str(obj.get(k, meta.get(k)), repr(k), where, optional=True)
            for k in ("source", "title", "url", "published")
        }
        annotator = None
        for key in ("annotator", "user"):
            if isinstance(obj.get(key), str):
                annotator = obj[key]
                break
        prov = {"example": obj["id"]} if isinstance(obj.get("id"), int) and not isinstance(obj["id"], bool) else {}
        yield RawDoc(
            file=name,
            line=n,
            text=text,
            doc_id=_doc_id(obj, where) or _doc_id(meta, where),
            source=fields["source"],
            title=fields["title"] or "",
            url=fields["url"] or "",
            published=fields["published"] or "",
            annotator=annotator,
            spans=spans,
            meta=prov,
        )
    if relations:
        notes.append(f"{name}: {relations} relation(s) not imported (only entity spans are)")
