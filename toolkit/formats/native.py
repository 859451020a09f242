"""The toolkit's own JSON Lines export (``toolkit export --format jsonl``), read back.

One line per (document, annotator)::

    {"id", "source", "title", "url", "published", "sha256", "text", "annotator",
     "spans": [{"id", "start", "end", "label", "text", "attrs"}],
     "stances": [{"target", "value", "claim"}], "links": [{"a", "b", "doc_b"}]}

``annotator: null`` marks a document exported without annotations.  Span ids
are kept, so importing the same export again changes nothing, and links and
claim stances find their spans.  ``sha256``, when present, must match the text.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

from ..errors import ImportFormatError
from ..model import normalise_text, text_sha256
from .base import (
    RawDoc,
    RawLink,
    RawSpan,
    RawStance,
    check_id,
    check_record_id,
    iter_objects,
    show_path,
    want_dict,
    want_int,
    want_label,
    want_list,
    want_str,
)

SUFFIXES = (".jsonl", ".ndjson")


def read(path: Path, notes: list[str]) -> Iterator[RawDoc]:
    """One :class:`RawDoc` per line."""
    name = show_path(path)
    for n, where, obj in iter_objects(path, ""):
        for key in ("id", "text"):
            if key not in obj:
                raise ImportFormatError(f"{where}: missing key {key!r}; is this a toolkit export?")
        doc_id = check_id(obj["id"], where)
        text = want_str(obj["text"], "'text'", where, empty=False)
        assert text is not None
        sha = want_str(obj.get("sha256"), "'sha256'", where, optional=True)
        if sha is not None and sha != text_sha256(normalise_text(text)):
            raise ImportFormatError(f"{where}: sha256 does not match the text (was the text edited?)")
        fields = {k: want_str(obj.get(k), repr(k), where, optional=True) for k in ("source", "title", "url", "published")}
        annotator = want_str(obj.get("annotator"), "'annotator'", where, optional=True)
        spans, stances, links = [], [], []
        for i, sp in enumerate(want_list(obj.get("spans"), "'spans'", where)):
            at = f"{where}: span {i + 1}"
            if not isinstance(sp, dict):
                raise ImportFormatError(f"{at} must be an object")
            spans.append(
                RawSpan(
                    start=want_int(sp.get("start"), "start", at),
                    end=want_int(sp.get("end"), "end", at),
                    label=want_label(sp.get("label"), at),
                    line=n,
                    text=want_str(sp.get("text"), "text", at, optional=True),
                    id=check_record_id(sp["id"], at) if sp.get("id") is not None else None,
                    attrs=dict(want_dict(sp.get("attrs"), "attrs", at)),
                )
            )
        for i, st in enumerate(want_list(obj.get("stances"), "'stances'", where)):
            at = f"{where}: stance {i + 1}"
            if not isinstance(st, dict):
                raise ImportFormatError(f"{at} must be an object")
            claim = st.get("claim")
            if isinstance(claim, float) and math.isnan(claim):  # pandas' missing value, written as NaN
                claim = None
            stances.append(
                RawStance(
                    target=want_str(st.get("target"), "target", at, empty=False) or "",
                    value=want_str(st.get("value"), "value", at, empty=False) or "",
                    claim=check_record_id(claim, at) if claim is not None else None,
                    line=n,
                )
            )
        for i, ln in enumerate(want_list(obj.get("links"), "'links'", where)):
            at = f"{where}: link {i + 1}"
            if not isinstance(ln, dict):
                raise ImportFormatError(f"{at} must be an object")
            links.append(RawLink(check_record_id(ln.get("a"), at), check_record_id(ln.get("b"), at), n))
        if annotator is None and (spans or stances or links):
            raise ImportFormatError(f"{where}: annotations without an annotator (annotator is null)")
        yield RawDoc(
            file=name,
            line=n,
            text=text,
            doc_id=doc_id,
            source=fields["source"],
            title=fields["title"] or "",
            url=fields["url"] or "",
            published=fields["published"] or "",
            sha256=sha,
            annotator=annotator,
            spans=spans,
            stances=stances,
            links=links,
        )
