"""The one definition of valid record content, shared by writing, loading and ``toolkit validate``.

Three layers of checks, from cheapest to most contextual:

1. :func:`event_problem` -- a record-log line (already parsed JSON) on its own:
   the envelope (``op``, ``type``, ``id``, ``rid``, ``annotator``, ``ts``,
   ``meta``) and the type and shape of every field of a span/stance/link
   ``put``.  Needs no project.  :class:`~toolkit.store.RecordLog` applies it to
   every line it reads (a failing line is reported and ignored, as if it were
   not in the file) and :meth:`~toolkit.store.Project.put` applies it to every
   event before writing (a failing event is refused with ValidationError).
2. :func:`span_fit_problem` and :func:`vocabulary_problems` -- a current record
   against the project's documents (exists, unchanged, offsets and text) and
   schema (label, claim kind, stance target and value).  Vocabulary problems are
   reported but the record is kept (a schema edit must never drop data).
3. References between current records (a claim stance's claim, a link's ends)
   are checked by the store after replay (``dangling-reference``).

For data that comes from outside (importers, Label Studio), :func:`span_from_external`,
:func:`stance_from_external` and :func:`link_from_external` turn loosely typed values
into model objects with the same rules, raising one-line ValidationErrors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, TypeGuard, overload

from .errors import OffsetError, UnknownLabelError, ValidationError
from .model import (
    DOC_ID_RE,
    ClaimLink,
    Document,
    LabelSchema,
    Span,
    Stance,
    check_annotator,
    new_id,
)

__all__ = [
    "ATTR_STR_KEYS",
    "event_problem",
    "external_int",
    "external_str",
    "link_from_external",
    "span_fit_problem",
    "span_from_external",
    "stance_from_external",
    "vocabulary_problems",
]

#: Span attributes with a fixed meaning; each is absent, null or a string.
ATTR_STR_KEYS: tuple[str, ...] = ("kind", "speaker", "speaker_span")
MAX_ID_LENGTH = 512

_OPS = ("put", "delete")
_doc_ids_ok: set[str] = set()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_doc_id(value: Any) -> TypeGuard[str]:
    if type(value) is not str:
        return False
    if value in _doc_ids_ok:
        return True
    if DOC_ID_RE.fullmatch(value):
        if len(_doc_ids_ok) < 100_000:
            _doc_ids_ok.add(value)
        return True
    return False


def _is_id(value: Any) -> TypeGuard[str]:
    return type(value) is str and 0 < len(value) <= MAX_ID_LENGTH and "\n" not in value


_fromiso = datetime.fromisoformat


def _span_problem(ev: dict[str, Any]) -> str | None:
    doc, start, end = ev.get("doc"), ev.get("start"), ev.get("end")
    if not _is_doc_id(doc):
        return f"span doc must be a document id string, got {_short(doc)}"
    if type(start) is not int or type(end) is not int:
        return f"span start/end must be integers, got {_short(start)}, {_short(end)}"
    if not 0 <= start < end:
        return f"span needs 0 <= start < end, got [{start}, {end})"
    label = ev.get("label")
    if type(label) is not str or not label:
        return f"span label must be a non-empty string, got {_short(label)}"
    if type(ev.get("text")) is not str:
        return f"span text must be a string, got {_short(ev.get('text'))}"
    if type(ev.get("doc_sha256")) is not str:
        return f"span doc_sha256 must be a string, got {_short(ev.get('doc_sha256'))}"
    attrs = ev.get("attrs")
    if attrs is not None:
        if type(attrs) is not dict:
            return f"span attrs must be an object, got {_short(attrs)}"
        if attrs:
            for key in ATTR_STR_KEYS:
                v = attrs.get(key)
                if v is not None and type(v) is not str:
                    return f"span attrs.{key} must be a string or null, got {_short(v)}"
    return None


def _stance_problem(ev: dict[str, Any]) -> str | None:
    doc, claim, target, value = ev.get("doc"), ev.get("claim"), ev.get("target"), ev.get("value")
    if not _is_doc_id(doc):
        return f"stance doc must be a document id string, got {_short(doc)}"
    if claim is not None and not _is_id(claim):
        return f"stance claim must be a span id string or null, got {_short(claim)}"
    if type(target) is not str or not target:
        return f"stance target must be a non-empty string, got {_short(target)}"
    if type(value) is not str or not value:
        return f"stance value must be a non-empty string, got {_short(value)}"
    if ev["id"] != Stance.make_id(doc, target, claim):
        return f"stance id must be {Stance.make_id(doc, target, claim)!r} (st:<doc>:<claim>:<target>)"
    return None


def _link_problem(ev: dict[str, Any]) -> str | None:
    a, b = ev.get("a"), ev.get("b")
    if not _is_id(a) or not _is_id(b):
        return f"link ends a/b must be span id strings, got {_short(a)}, {_short(b)}"
    if a == b:
        return f"link joins span {a!r} to itself"
    for key in ("doc_a", "doc_b"):
        if not _is_doc_id(ev.get(key)):
            return f"link {key} must be a document id string, got {_short(ev.get(key))}"
    if ev["id"] != ClaimLink.make_id(a, b):
        return f"link id must be {ClaimLink.make_id(a, b)!r} (ln:<smaller id>:<larger id>)"
    return None


_BODY_CHECKS = {"span": _span_problem, "stance": _stance_problem, "link": _link_problem}


def event_problem(ev: Any, annotator: str | None = None) -> str | None:
    """Why ``ev`` (one parsed record-log line) is not a valid event, or None if it is.

    Checks the envelope -- ``op`` put/delete, ``type`` span/stance/link, a string
    ``id``, ``rid`` a string if present, ``annotator`` equal to ``annotator`` (the
    log's owner) if present, ``ts`` an ISO 8601 timestamp if present, ``meta`` an
    object or null -- and, for ``put`` events, the type of every field of the
    object (see ``docs/format.md``).  Document, schema and reference checks come later.
    """
    if type(ev) is not dict:
        return f"a record must be a JSON object, got {type(ev).__name__}"
    get = ev.get
    op, typ, oid = get("op"), get("type"), get("id")
    if type(op) is not str or type(typ) is not str or op not in _OPS or typ not in _BODY_CHECKS:
        return f"record needs op put/delete and type span/stance/link, got op {_short(op)}, type {_short(typ)}"
    if type(oid) is not str or not oid or len(oid) > MAX_ID_LENGTH or "\n" in oid:
        return f"record id must be a non-empty string without newlines, got {_short(oid)}"
    rid = get("rid")
    if rid is not None and type(rid) is not str:
        return f"rid must be a string, got {_short(rid)}"
    name = get("annotator")
    if name is not None and annotator is not None and name != annotator:
        return f"record of annotator {_short(name)} in the log of {annotator!r}"
    ts = get("ts")
    if ts is not None:
        if type(ts) is not str:
            return f"ts must be an ISO 8601 timestamp, got {_short(ts)}"
        try:
            _fromiso(ts)
        except ValueError:
            return f"ts must be an ISO 8601 timestamp, got {_short(ts)}"
    meta = get("meta")
    if meta is not None and type(meta) is not dict:
        return f"meta must be an object, got {_short(meta)}"
    if op == "put":
        return _BODY_CHECKS[typ](ev)
    return None


def span_fit_problem(ev: Mapping[str, Any], docs: Mapping[str, Document]) -> tuple[str, str] | None:
    """``(kind, message)`` if a span event (valid per :func:`event_problem`) does not fit its document.

    Kinds: ``unknown-document``, ``document-changed`` (hash differs), ``offset-mismatch``
    (``end`` beyond the text or ``text != document.text[start:end]``).
    """
    sid, doc_id, start, end, text = ev.get("id"), ev["doc"], ev["start"], ev["end"], ev["text"]
    doc = docs.get(doc_id)
    if doc is None:
        return "unknown-document", f"span {sid} refers to missing document {doc_id!r}"
    sha = ev["doc_sha256"]
    if sha != doc.sha256:
        return (
            "document-changed",
            f"span {sid} {_short(text)} was made on another version of {doc_id!r} "
            f"(sha256 {sha[:12] if sha[:12].isalnum() else repr(sha[:12])}, now {doc.sha256[:12]}); "
            "re-annotate or re-import the old text",
        )
    if doc.text[start:end] != text:
        return (
            "offset-mismatch",
            f"span {sid} [{start}, {end}) in {doc_id!r}: stored text {_short(text)} != "
            f"document text {_short(doc.text[start:end])}",
        )
    return None


def vocabulary_problems(ev: Mapping[str, Any], schema: LabelSchema) -> list[tuple[str, str]]:
    """``(kind, message)`` for each value of a valid ``put`` event that the schema does not list.

    ``unknown-label`` for a span label; ``unknown-value`` for a claim's ``kind``, a
    stance target (when the schema lists targets) or a stance value.  Such records
    are kept and reported, never dropped.
    """
    out: list[tuple[str, str]] = []
    typ = ev["type"]
    if typ == "span":
        label = ev["label"]
        layer = schema.layer_of(label)
        if layer == "unknown":
            out.append(("unknown-label", f"label {label!r} is not in the schema"))
        elif layer == "claim":
            kind = (ev.get("attrs") or {}).get("kind")
            if kind is not None and kind not in schema.claim_kinds:
                out.append(("unknown-value", f"claim kind {kind!r} is not in the schema ({', '.join(schema.claim_kinds)})"))
    elif typ == "stance":
        target, value = ev["target"], ev["value"]
        if schema.stance_targets and target not in schema.stance_targets:
            out.append(("unknown-value", f"stance target {target!r} is not in the schema"))
        if value not in schema.stance_values:
            out.append(
                ("unknown-value", f"stance value {value!r} is not in the schema ({', '.join(schema.stance_values)})")
            )
    return out


# --------------------------------------------------------------------------- external values


def external_int(value: Any, what: str) -> int:
    """An offset or id from outside as an int: ints, integral floats and digit strings pass; bools do not."""
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value) and value.is_integer():
        return int(value)
    if type(value) is str and value.strip().lstrip("-").isdigit() and len(value) < 20:
        return int(value.strip())
    raise ValidationError(f"{what}: expected an integer, got {_short(value)}")


@overload
def external_str(value: Any, what: str, *, optional: Literal[False] = False, max_length: int = 100_000) -> str: ...
@overload
def external_str(value: Any, what: str, *, optional: bool, max_length: int = 100_000) -> str | None: ...
def external_str(value: Any, what: str, *, optional: bool = False, max_length: int = 100_000) -> str | None:
    """A label, text, id or name from outside as a string (None allowed only if ``optional``).

    Numbers are NOT silently turned into strings except ints (ids such as ``7``);
    lists, objects and bools are refused with a ValidationError naming ``what``.
    """
    if value is None and optional:
        return None
    if type(value) is int:
        value = str(value)
    if type(value) is not str:
        raise ValidationError(f"{what}: expected a string, got {_short(value)}")
    if len(value) > max_length:
        raise ValidationError(f"{what}: string of {len(value)} characters is too long (max {max_length})")
    return value


def _clean_attrs(attrs: Any, where: str) -> dict[str, Any]:
    if attrs is None:
        return {}
    if not isinstance(attrs, Mapping):
        raise ValidationError(f"{where}: attrs must be an object, got {_short(attrs)}")
    out = {str(k): v for k, v in attrs.items()}
    for key in ATTR_STR_KEYS:
        v = out.get(key)
        if v is not None and type(v) is not str:
            raise ValidationError(f"{where}: attrs.{key} must be a string or null, got {_short(v)}")
    return out


def _clean_meta(meta: Any, where: str) -> dict[str, Any] | None:
    if meta is None:
        return None
    if not isinstance(meta, Mapping):
        raise ValidationError(f"{where}: meta must be an object, got {_short(meta)}")
    return dict(meta)


def build_span(
    doc: Document,
    start: int,
    end: int,
    label: str,
    annotator: str,
    schema: LabelSchema,
    attrs: Mapping[str, Any] | None = None,
    id: str | None = None,
    meta: Mapping[str, Any] | None = None,
    allow_unknown_label: bool = False,
) -> Span:
    """A span of ``doc`` checked by the write rules (strict types; used by ``Project.make_span``)."""
    check_annotator(annotator)
    where = f"span in {doc.id!r}"
    if type(start) is not int or type(end) is not int:
        raise OffsetError(f"{where}: start/end must be integers, got {_short(start)}, {_short(end)}")
    if not 0 <= start < end <= len(doc.text):
        raise OffsetError(
            f"span [{start}, {end}) lies outside document {doc.id!r} ({len(doc.text)} characters)"
            if end > len(doc.text) or start < 0
            else f"span [{start}, {end}) in {doc.id!r} is empty or reversed"
        )
    if type(label) is not str or not label:
        raise ValidationError(f"{where}: label must be a non-empty string, got {_short(label)}")
    if not allow_unknown_label:
        schema.check_label(label)
    if id is not None and not _is_id(id):
        raise ValidationError(f"{where}: id must be a non-empty string, got {_short(id)}")
    clean = _clean_attrs(attrs, where)
    if schema.layer_of(label) == "claim":
        schema.check_claim_attrs(clean)
    return Span(
        id=id or new_id("s"),
        doc=doc.id,
        start=start,
        end=end,
        label=label,
        text=doc.text[start:end],
        doc_sha256=doc.sha256,
        annotator=annotator,
        attrs=clean,
        meta=_clean_meta(meta, where),
    )


def span_from_external(
    doc: Document,
    start: Any,
    end: Any,
    label: Any,
    annotator: str,
    schema: LabelSchema,
    *,
    attrs: Any = None,
    id: Any = None,
    meta: Any = None,
    text: Any = None,
    allow_unknown_label: bool = False,
    where: str = "",
) -> Span:
    """A :class:`Span` from loosely typed outside values, or a one-line ValidationError.

    ``start``/``end`` may be ints, integral floats or digit strings (see :func:`external_int`);
    ``label`` and ``id`` strings (an int id is accepted as its decimal string); ``attrs``
    and ``meta`` objects.  If ``text`` is given it must equal ``doc.text[start:end]``
    (OffsetError otherwise).  Unknown labels raise UnknownLabelError unless
    ``allow_unknown_label`` (they are then stored and reported by ``validate``).
    ``where`` (e.g. ``"task 12, annotation 40, region r1"``) prefixes every message.
    """
    at = where or f"span in {doc.id!r}"
    try:
        s, e = external_int(start, "start"), external_int(end, "end")
        lab = external_str(label, "label", max_length=200)
        sid = external_str(id, "id", optional=True, max_length=MAX_ID_LENGTH)
        span = build_span(doc, s, e, lab, annotator, schema, _clean_attrs(attrs, "attrs"), sid,
                          _clean_meta(meta, "meta"), allow_unknown_label)  # fmt: skip
        if text is not None:
            want = external_str(text, "text")
            if want != span.text:
                raise OffsetError(f"[{s}, {e}) holds {_short(span.text)}, not the given text {_short(want)}")
    except ValidationError as exc:
        raise type(exc)(f"{at}: {exc}") from None
    return span


def stance_from_external(
    doc: Document,
    target: Any,
    value: Any,
    annotator: str,
    schema: LabelSchema,
    *,
    claim: Span | None = None,
    meta: Any = None,
    where: str = "",
) -> Stance:
    """A :class:`Stance` of ``doc`` (or of its claim ``claim``) from outside values, checked against the schema."""
    at = where or f"stance in {doc.id!r}"
    try:
        check_annotator(annotator)
        tgt = external_str(target, "target", max_length=500)
        val = external_str(value, "value", max_length=200)
        assert tgt is not None and val is not None
        if not tgt or not val:
            raise ValidationError("target and value must be non-empty")
        schema.check_stance(tgt, val)
        if claim is not None and (claim.doc != doc.id or schema.layer_of(claim.label) != "claim"):
            raise ValidationError(f"span {claim.id} is not a claim of document {doc.id!r}")
        cid = claim.id if claim is not None else None
        return Stance(Stance.make_id(doc.id, tgt, cid), doc.id, tgt, val, annotator, cid,
                      meta=_clean_meta(meta, "meta"))  # fmt: skip
    except (ValidationError, UnknownLabelError) as exc:
        raise type(exc)(f"{at}: {exc}") from None


def link_from_external(a: Span, b: Span, annotator: str, schema: LabelSchema, *, meta: Any = None,
                       where: str = "") -> ClaimLink:  # fmt: skip
    """A :class:`ClaimLink` between two claim spans (refuses self-links and non-claims)."""
    at = where or "link"
    try:
        check_annotator(annotator)
        if a.id == b.id:
            raise ValidationError(f"cannot link claim {a.id} to itself")
        for s in (a, b):
            if schema.layer_of(s.label) != "claim":
                raise ValidationError(f"span {s.id} ({s.label} {_short(s.text)}) is not a claim")
        return ClaimLink(ClaimLink.make_id(a.id, b.id), a.id, b.id, a.doc, b.doc, annotator,
                         meta=_clean_meta(meta, "meta"))  # fmt: skip
    except ValidationError as exc:
        raise type(exc)(f"{at}: {exc}") from None
