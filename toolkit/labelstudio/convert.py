"""Convert between toolkit records and Label Studio ``result`` lists (pure functions).

A Label Studio annotation (or prediction) is a list of result items.  The
items of one text region share an ``id``: the ``labels`` item carries the
offsets, the label and the region text; per-region ``choices`` (claim kind)
and ``textarea`` (speaker) items carry claim attributes.  Document stances are
``choices`` items without offsets; claim links are ``relation`` items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ToolkitError
from ..model import ClaimLink, Document, LabelSchema, Span, Stance
from ..validation import link_from_external, span_from_external, stance_from_external
from .config import KIND_NAME, LABELS_NAME, LINK_RELATION, SPEAKER_NAME, TEXT_NAME
from .offsets import OffsetMap, check_region


def _region(rid: str, span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def to_ls_result(
    spans: Iterable[Span],
    stances: Iterable[Stance] = (),
    links: Iterable[ClaimLink] = (),
    stance_controls: Mapping[str, str] | None = None,
    region_id: Callable[[Span], str] | None = None,
    provenance: str | None = None,
) -> list[dict[str, Any]]:
    """Label Studio result items for the records of ONE document (offsets in code points).

    ``region_id`` chooses the Label Studio region id of a span (default: the
    span id); ``provenance`` (e.g. ``"newslens:alice"``) is put in every
    region's ``meta.text``, which Label Studio shows with the region and keeps.
    """
    out: list[dict[str, Any]] = []
    rid_of: dict[str, str] = {}
    for sp in spans:
        rid = region_id(sp) if region_id else sp.id
        base = {"id": rid, "from_name": LABELS_NAME, "to_name": TEXT_NAME}
        item: dict[str, Any] = {**base, "type": "labels", "value": {**_region(rid, sp), "labels": [sp.label]}}
        if provenance:
            item["meta"] = {"text": [provenance]}
        out.append(item)
        rid_of[sp.id] = rid
        kind = sp.attrs.get("kind")
        if kind:
            out.append(
                {"id": rid, "from_name": KIND_NAME, "to_name": TEXT_NAME, "type": "choices",
                 "value": {"start": sp.start, "end": sp.end, "choices": [kind]}}
            )  # fmt: skip
        speaker = sp.attrs.get("speaker")
        if speaker:
            out.append(
                {"id": rid, "from_name": SPEAKER_NAME, "to_name": TEXT_NAME, "type": "textarea",
                 "value": {"start": sp.start, "end": sp.end, "text": [speaker]}}
            )  # fmt: skip
    control_of = {t: c for c, t in (stance_controls or {}).items()}
    for st in stances:
        if st.claim is None and st.target in control_of:
            out.append(
                {"id": f"stance-{control_of[st.target]}", "from_name": control_of[st.target], "to_name": TEXT_NAME,
                 "type": "choices", "value": {"choices": [st.value]}}
            )  # fmt: skip
    for ln in links:
        if ln.a in rid_of and ln.b in rid_of:
            out.append(
                {"from_id": rid_of[ln.a], "to_id": rid_of[ln.b], "type": "relation", "direction": "right",
                 "labels": [LINK_RELATION]}
            )  # fmt: skip
    return out


@dataclass
class Converted:
    """Records made from one Label Studio annotation, plus what could not be used."""

    spans: list[Span] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)
    links: list[ClaimLink] = field(default_factory=list)
    realigned: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"<Converted {len(self.spans)} spans, {len(self.stances)} stances, {len(self.links)} links, "
            f"{len(self.realigned)} realigned, {len(self.problems)} problems>"
        )

    @property
    def records(self) -> list[Span | Stance | ClaimLink]:
        return [*self.spans, *self.stances, *self.links]


def span_id(project_id: int, annotation_id: int, region_id: str) -> str:
    """Deterministic toolkit id of a region pulled from Label Studio."""
    return f"ls:{project_id}:{annotation_id}:{region_id}"


def _first_str(values: Any) -> str | None:
    """The first entry of a Label Studio ``choices``/``labels`` list if it is a string, else None."""
    if isinstance(values, list) and values and isinstance(values[0], str) and values[0]:
        return values[0]
    return None


def from_ls_annotation(
    result: Any,
    doc: Document,
    schema: LabelSchema,
    annotator: str,
    project_id: int,
    annotation_id: int,
    stance_controls: Mapping[str, str],
    meta: Mapping[str, Any],
    omap: OffsetMap | None = None,
    record_id: Callable[[str], str] | None = None,
) -> Converted:
    """Turn one Label Studio annotation's ``result`` into toolkit records.

    Every ``labels`` region is checked with :func:`check_region` against its
    own ``text`` value and ``doc``; regions without an unambiguous reading are
    reported in ``problems`` and not converted (never stored shifted).
    ``record_id`` maps a region id to the toolkit span id (default
    :func:`span_id`); annotations pushed from the toolkit use it to get the
    toolkit's own ids back.

    Server data is not trusted: a ``result`` that is not a list, items that are not
    objects, values of the wrong type (text that is not a string, labels or choices
    that are not lists of strings, non-integer offsets) are reported in ``problems``
    (with the document and annotation) and skipped; the rest is converted.  Records are
    built by :mod:`toolkit.validation`'s outside-value helpers, so they satisfy the store's rules.
    """
    conv = Converted()
    omap = omap or OffsetMap(doc.text)
    where = f"document {doc.id!r}, annotation {annotation_id}"
    if not isinstance(result, list):
        conv.problems.append(f"{where}: result is {type(result).__name__}, not a list; skipped")
        return conv
    regions, attrs, relations = _sort_items(result, conv, doc, schema, annotator, stance_controls, meta, where)

    def make_id(rid: str) -> str:
        return record_id(rid) if record_id else span_id(project_id, annotation_id, rid)

    by_region: dict[str, Span] = {}
    for rid, region in regions.items():
        sp = _region_span(rid, region, attrs.get(rid, {}), conv, doc, schema, annotator, meta, omap, where, make_id)
        if sp is not None:
            by_region[rid] = sp
            conv.spans.append(sp)
    for rel in relations:
        ends = (rel.get("from_id"), rel.get("to_id"))
        a, b = (by_region.get(str(e)) if isinstance(e, str | int) else None for e in ends)
        if a is None or b is None or a.id == b.id:
            conv.problems.append(f"{where}: relation {ends[0]!r}->{ends[1]!r} has no usable regions")
            continue
        try:
            conv.links.append(link_from_external(a, b, annotator, schema, meta=dict(meta), where=where))
        except ToolkitError:
            conv.problems.append(f"{where}: relation {a.text!r}->{b.text!r} does not join two claims, skipped")
    return conv


def _sort_items(
    result: list[Any],
    conv: Converted,
    doc: Document,
    schema: LabelSchema,
    annotator: str,
    stance_controls: Mapping[str, str],
    meta: Mapping[str, Any],
    where: str,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[Mapping[str, Any]]]:
    """``(regions, attributes per region, relations)`` of a result's items; document stances go to ``conv``.

    Items that cannot be read are reported in ``conv.problems`` and skipped.
    """
    regions: dict[str, dict[str, Any]] = {}
    attrs: dict[str, dict[str, Any]] = {}
    relations: list[Mapping[str, Any]] = []
    for pos, item in enumerate(result):
        if not isinstance(item, Mapping):
            conv.problems.append(f"{where}: result item {pos} is {type(item).__name__}, not an object; skipped")
            continue
        typ, name, value = item.get("type"), item.get("from_name"), item.get("value")
        if typ == "relation":
            relations.append(item)
            continue
        if not isinstance(value, Mapping) or not isinstance(typ, str) or not isinstance(name, str):
            conv.problems.append(f"{where}: result item {pos} has no usable type/from_name/value; skipped")
            continue
        raw_id = item.get("id", "")
        if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
            conv.problems.append(f"{where}: result item {pos} has a region id of type {type(raw_id).__name__}; skipped")
            continue
        rid = str(raw_id)
        if typ == "labels" and name == LABELS_NAME:
            regions[rid] = dict(value)
        elif typ == "choices" and name == KIND_NAME and value.get("choices"):
            kind = _first_str(value.get("choices"))
            if kind is None:
                conv.problems.append(f"{where}: region {rid} claim kind {value.get('choices')!r} is not a string list")
            else:
                attrs.setdefault(rid, {})["kind"] = kind
        elif typ == "textarea" and name == SPEAKER_NAME and value.get("text"):
            texts = value["text"]
            if isinstance(texts, list) and all(isinstance(t, str) for t in texts):
                attrs.setdefault(rid, {})["speaker"] = " ".join(texts)
            elif isinstance(texts, str):
                attrs.setdefault(rid, {})["speaker"] = texts
            else:
                conv.problems.append(f"{where}: region {rid} speaker {texts!r} is not text; skipped")
        elif typ == "choices" and name in stance_controls and value.get("choices"):
            target = stance_controls[name]
            val = _first_str(value.get("choices"))
            try:
                st = stance_from_external(doc, target, val, annotator, schema, meta=dict(meta), where=where)
            except ToolkitError as exc:
                conv.problems.append(f"{exc}; stance {target!r} skipped")
                continue
            conv.stances.append(st)
        else:
            conv.problems.append(f"{where}: result item {name!r} of type {typ!r} not understood, skipped")
    return regions, attrs, relations


def _region_span(
    rid: str,
    region: Mapping[str, Any],
    region_attrs: Mapping[str, Any],
    conv: Converted,
    doc: Document,
    schema: LabelSchema,
    annotator: str,
    meta: Mapping[str, Any],
    omap: OffsetMap,
    where: str,
    make_id: Callable[[str], str],
) -> Span | None:
    """The span of one ``labels`` region, or None (the reason is in ``conv.problems``).

    Offsets are checked against the region's text (realignments reported in ``conv.realigned``);
    attributes are kept for claims of a schema label only.
    """
    labels = region.get("labels")
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
        n = len(labels) if isinstance(labels, list) else type(labels).__name__
        conv.problems.append(f"{where}: region {rid} has labels {n!r} (need exactly 1 string), skipped")
        return None
    label = labels[0]
    region_text = region.get("text")
    if region_text is not None and not isinstance(region_text, str):
        conv.problems.append(f"{where}: region {rid} {label} text is {type(region_text).__name__}, not a string")
        return None
    chk = check_region(doc.text, region.get("start"), region.get("end"), region_text, omap)
    if not chk.usable:
        conv.problems.append(f"{where}: region {rid} {label} not stored: {chk.how}")
        return None
    assert chk.start is not None and chk.end is not None
    if chk.status == "realigned":
        conv.realigned.append(
            f"{where}: region {rid} [{region.get('start')}, {region.get('end')}) -> [{chk.start}, {chk.end}) ({chk.how})"
        )
    span_attrs = dict(region_attrs)
    if label not in schema.label_names:
        conv.problems.append(f"{where}: region {rid} label {label!r} is not in the schema (kept, reported)")
        span_attrs = {}
    elif schema.layer_of(label) == "claim":
        try:
            schema.check_claim_attrs(span_attrs)
        except ToolkitError as exc:
            conv.problems.append(f"{where}: region {rid} claim attributes dropped: {exc}")
            span_attrs = {}
    else:
        span_attrs = {}
    m = {**meta, "region": rid}
    if chk.status == "realigned":
        m["realigned"] = {"from": [region.get("start"), region.get("end")], "how": chk.how}
    try:
        return span_from_external(
            doc, chk.start, chk.end, label, annotator, schema, attrs=span_attrs, meta=m, id=make_id(rid),
            allow_unknown_label=True, where=f"{where}: region {rid}",
        )  # fmt: skip
    except ToolkitError as exc:
        conv.problems.append(f"{exc}; skipped")
        return None
