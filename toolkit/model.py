"""Data model: documents, spans, stances, claim links and the label schema.

All objects are small frozen dataclasses that validate themselves on
construction and convert to and from the JSON objects stored on disk
(see ``docs/format.md``).  Offsets are Python string indices (code points),
end exclusive, like spaCy's ``Span.start_char`` / ``Span.end_char``.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from .errors import OffsetError, UnknownLabelError, ValidationError

FORMAT_VERSION = 1

DOC_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # use fullmatch: "$" would let "a1\n" through
ANNOTATOR_RE = re.compile(r"[^\x00-\x1f\x7f/\\]{1,120}")  # use fullmatch

STANCE_VALUES: tuple[str, ...] = ("favour", "against", "neutral", "none")
CLAIM_KINDS: tuple[str, ...] = ("factual", "quotation", "prediction", "opinion")
RecordType = Literal["span", "stance", "link"]
RECORD_TYPES: tuple[str, ...] = ("span", "stance", "link")
MODEL_PREFIX = "model:"
GOLD = "gold"


def text_sha256(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8 (the document fingerprint)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    """Drop a leading BOM and turn ``\\r\\n`` / ``\\r`` line ends into ``\\n``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def utc_now() -> str:
    """Current UTC time as ISO 8601 with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_id(prefix: str) -> str:
    """A fresh random id such as ``s-3f2a9c...`` (uuid4, 20 hex digits)."""
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


_GOOD_IDS: set[str] = set()


def check_doc_id(doc_id: object, where: str = "") -> str:
    """Return ``doc_id`` if it is a safe document id, else raise ValidationError.

    Safe ids cannot name a path outside the project folder: letters, digits,
    ``.``, ``_`` and ``-`` only, not starting with ``.`` or ``-``.
    """
    if isinstance(doc_id, str) and doc_id in _GOOD_IDS:
        return doc_id
    if not isinstance(doc_id, str) or not DOC_ID_RE.fullmatch(doc_id):
        at = f" ({where})" if where else ""
        raise ValidationError(
            f"invalid document id {doc_id!r}{at}: use 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if len(_GOOD_IDS) < 100_000:
        _GOOD_IDS.add(doc_id)
    return doc_id


def check_annotator(name: object) -> str:
    """Return ``name`` if it is an acceptable annotator name, else raise ValidationError."""
    if not isinstance(name, str) or not ANNOTATOR_RE.fullmatch(name) or name.strip() != name:
        raise ValidationError(
            f"invalid annotator name {name!r}: 1-120 characters, no '/', '\\', control characters "
            "or surrounding spaces"
        )
    return name


def is_model_annotator(name: str) -> bool:
    """True for model suggestion layers (``model:<pipeline>@<version>``)."""
    return name.startswith(MODEL_PREFIX)


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class Document:
    """One article: the unit that is annotated.

    Use :meth:`Document.create` to build one from raw text (it normalises line
    ends and computes the hash).
    """

    id: str
    source: str
    text: str
    sha256: str
    title: str = ""
    url: str = ""
    published: str = ""

    def __post_init__(self) -> None:
        check_doc_id(self.id)
        if not isinstance(self.text, str):
            raise ValidationError(f"document {self.id!r}: text must be a string")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValidationError(f"document {self.id!r}: source (outlet) is required")
        if text_sha256(self.text) != self.sha256:
            raise ValidationError(f"document {self.id!r}: sha256 does not match its text")

    @classmethod
    def create(
        cls,
        id: str,
        source: str,
        text: str,
        title: str = "",
        url: str = "",
        published: str = "",
    ) -> Document:
        """Build a document from raw text, normalising line ends and hashing it."""
        text = normalise_text(text)
        return cls(
            id=check_doc_id(id),
            source=str(source).strip(),
            text=text,
            sha256=text_sha256(text),
            title=str(title or ""),
            url=str(url or ""),
            published=str(published or ""),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object stored in ``documents/<id>.json``."""
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "text": self.text,
            "sha256": self.sha256,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Document:
        """Inverse of :meth:`to_json`; raises ValidationError naming the missing field."""
        for key in ("id", "source", "text", "sha256"):
            if key not in obj:
                raise ValidationError(f"document object lacks {key!r}")
        return cls(
            id=obj["id"],
            source=obj["source"],
            text=obj["text"],
            sha256=obj["sha256"],
            title=obj.get("title") or "",
            url=obj.get("url") or "",
            published=obj.get("published") or "",
        )

    def __repr__(self) -> str:
        title = self.title if len(self.title) <= 40 else self.title[:37] + "..."
        return f"<Document {self.id!r} source={self.source!r} title={title!r} chars={len(self.text)}>"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled character range of a document (an entity or a claim).

    ``text`` is a copy of ``document.text[start:end]`` and ``doc_sha256`` the
    document's hash when the span was made; both let the store detect spans
    that no longer fit their document.
    """

    id: str
    doc: str
    start: int
    end: int
    label: str
    text: str
    doc_sha256: str
    annotator: str
    attrs: Mapping[str, Any] = field(default_factory=dict)
    ts: str = ""
    meta: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        check_doc_id(self.doc, f"span {self.id}")
        if type(self.start) is not int or type(self.end) is not int:
            raise OffsetError(f"span {self.id} in {self.doc}: start/end must be integers")
        if not 0 <= self.start < self.end:
            raise OffsetError(
                f"span {self.id} in {self.doc}: need 0 <= start < end, got [{self.start}, {self.end})"
            )
        if not isinstance(self.label, str) or not self.label:
            raise ValidationError(f"span {self.id} in {self.doc}: label is required")
        if not isinstance(self.attrs, Mapping):
            raise ValidationError(f"span {self.id} in {self.doc}: attrs must be an object")

    def to_record(self) -> dict[str, Any]:
        """Fields of the ``put`` event for this span (without rid/op/ts)."""
        return {
            "type": "span",
            "id": self.id,
            "doc": self.doc,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": self.text,
            "doc_sha256": self.doc_sha256,
            "attrs": dict(self.attrs),
        }

    def __repr__(self) -> str:
        return f"<Span {self.label} {self.text!r} {self.doc}[{self.start}:{self.end}] by {self.annotator}>"


@dataclass(frozen=True, slots=True)
class Stance:
    """The stance of a document (``claim=None``) or of a claim toward a target."""

    id: str
    doc: str
    target: str
    value: str
    annotator: str
    claim: str | None = None
    ts: str = ""
    meta: Mapping[str, Any] | None = None

    @staticmethod
    def make_id(doc: str, target: str, claim: str | None = None) -> str:
        """Deterministic id: setting a stance again replaces the previous value."""
        return f"st:{doc}:{claim or ''}:{target}"

    def to_record(self) -> dict[str, Any]:
        return {
            "type": "stance",
            "id": self.id,
            "doc": self.doc,
            "claim": self.claim,
            "target": self.target,
            "value": self.value,
        }

    def __repr__(self) -> str:
        about = f"claim {self.claim}" if self.claim else "document"
        return f"<Stance {self.doc} {about} -> {self.target!r}: {self.value} by {self.annotator}>"


@dataclass(frozen=True, slots=True)
class ClaimLink:
    """Two claims (span ids, usually in different documents) that say the same thing."""

    id: str
    a: str
    b: str
    doc_a: str
    doc_b: str
    annotator: str
    ts: str = ""
    meta: Mapping[str, Any] | None = None

    @staticmethod
    def make_id(a: str, b: str) -> str:
        """Deterministic, order-independent id of the link between ``a`` and ``b``."""
        x, y = sorted((a, b))
        return f"ln:{x}:{y}"

    def to_record(self) -> dict[str, Any]:
        return {"type": "link", "id": self.id, "a": self.a, "b": self.b, "doc_a": self.doc_a, "doc_b": self.doc_b}

    def __repr__(self) -> str:
        return f"<ClaimLink {self.a} ({self.doc_a}) <-> {self.b} ({self.doc_b}) by {self.annotator}>"


Record = Span | Stance | ClaimLink


def connected_components(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Group the nodes of undirected ``pairs`` (e.g. claim links) into clusters.

    Returns ``node -> representative``, the representative being the smallest
    node of its cluster, so the result is the same whatever the order of ``pairs``.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def record_from_event(event: Mapping[str, Any]) -> Record:
    """Build the object described by a ``put`` event (raises ValidationError/KeyError)."""
    kind = event["type"]
    common = {
        "id": event["id"],
        "annotator": event["annotator"],
        "ts": event.get("ts", ""),
        "meta": event.get("meta"),
    }
    if kind == "span":
        return Span(
            doc=event["doc"],
            start=event["start"],
            end=event["end"],
            label=event["label"],
            text=event["text"],
            doc_sha256=event["doc_sha256"],
            attrs=event.get("attrs") or {},
            **common,
        )
    if kind == "stance":
        return Stance(
            doc=event["doc"], target=event["target"], value=event["value"], claim=event.get("claim"), **common
        )
    if kind == "link":
        return ClaimLink(a=event["a"], b=event["b"], doc_a=event["doc_a"], doc_b=event["doc_b"], **common)
    raise ValidationError(f"unknown record type {kind!r} (expected one of {', '.join(RECORD_TYPES)})")


# --------------------------------------------------------------------------- schema

DEFAULT_ENTITY_LABELS: tuple[tuple[str, str, str], ...] = (
    ("PERSON", "#e07a5f", "People, including fictional"),
    ("ORG", "#3d85c6", "Companies, agencies, institutions"),
    ("GPE", "#6aa84f", "Countries, cities, states"),
    ("NORP", "#a64d79", "Nationalities, religious or political groups"),
    ("LOC", "#45818e", "Non-GPE locations: rivers, mountain ranges, regions"),
    ("EVENT", "#bf9000", "Named events: summits, wars, storms"),
    ("DATE", "#8e7cc3", "Absolute or relative dates or periods"),
    ("FAC", "#76a5af", "Buildings, dams, airports, bridges"),
    ("PRODUCT", "#b45f06", "Objects, vehicles, products"),
    ("LAW", "#674ea7", "Named treaties, laws, agreements"),
    ("MONEY", "#38761d", "Monetary values"),
    ("PERCENT", "#cc4125", "Percentages"),
    ("QUANTITY", "#0b5394", "Measurements: weight, distance, volume"),
)


@dataclass(frozen=True, slots=True)
class Label:
    """One span label of the schema."""

    name: str
    color: str = "#888888"
    description: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "color": self.color, "description": self.description}


@dataclass(frozen=True, slots=True)
class LabelSchema:
    """Which labels, claim kinds, stance targets and stance values a project uses.

    Stored as ``schema.json`` in the project folder.  Changing it never drops
    records: spans with labels that are no longer listed are reported as
    ``unknown-label`` problems.
    """

    entity_labels: tuple[Label, ...]
    claim_labels: tuple[Label, ...] = (Label("CLAIM", "#f6b26b", "A factual assertion, quotation, prediction or opinion"),)
    claim_kinds: tuple[str, ...] = CLAIM_KINDS
    stance_targets: tuple[str, ...] = ()
    stance_values: tuple[str, ...] = STANCE_VALUES

    def __post_init__(self) -> None:
        names = [lab.name for lab in (*self.entity_labels, *self.claim_labels)]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValidationError(f"schema: duplicate label names {dupes}")
        if not names:
            raise ValidationError("schema: at least one label is required")
        if len(set(self.stance_targets)) != len(self.stance_targets):
            raise ValidationError("schema: duplicate stance targets")

    @classmethod
    def default(cls, stance_targets: Sequence[str] = ()) -> LabelSchema:
        """The default schema: spaCy-style entity labels, one CLAIM label."""
        return cls(
            entity_labels=tuple(Label(n, c, d) for n, c, d in DEFAULT_ENTITY_LABELS),
            stance_targets=tuple(stance_targets),
        )

    @property
    def labels(self) -> tuple[Label, ...]:
        """All span labels, entities first."""
        return (*self.entity_labels, *self.claim_labels)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(lab.name for lab in self.labels)

    def layer_of(self, label: str) -> str:
        """``"entity"``, ``"claim"`` or ``"unknown"`` for a span label."""
        if any(lab.name == label for lab in self.entity_labels):
            return "entity"
        if any(lab.name == label for lab in self.claim_labels):
            return "claim"
        return "unknown"

    def color_of(self, label: str) -> str:
        for lab in self.labels:
            if lab.name == label:
                return lab.color
        return "#888888"

    def check_label(self, label: str) -> str:
        if label not in self.label_names:
            raise UnknownLabelError(f"unknown label {label!r}; the schema has: {', '.join(self.label_names)}")
        return label

    def check_stance(self, target: str, value: str) -> None:
        if self.stance_targets and target not in self.stance_targets:
            raise UnknownLabelError(
                f"unknown stance target {target!r}; the schema has: {', '.join(self.stance_targets)}"
            )
        if value not in self.stance_values:
            raise UnknownLabelError(f"unknown stance value {value!r}; use one of: {', '.join(self.stance_values)}")

    def check_claim_attrs(self, attrs: Mapping[str, Any]) -> None:
        kind = attrs.get("kind")
        if kind is not None and kind not in self.claim_kinds:
            raise UnknownLabelError(f"unknown claim kind {kind!r}; use one of: {', '.join(self.claim_kinds)}")

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "entity_labels": [lab.to_json() for lab in self.entity_labels],
            "claim_labels": [lab.to_json() for lab in self.claim_labels],
            "claim_kinds": list(self.claim_kinds),
            "stance_targets": list(self.stance_targets),
            "stance_values": list(self.stance_values),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], where: str = "schema.json") -> LabelSchema:
        """Parse a schema object; errors name ``where`` and the bad field."""

        def labels(key: str, default: Iterable[Label] | None = None) -> tuple[Label, ...]:
            if key not in obj:
                if default is None:
                    raise ValidationError(f"{where}: missing {key!r}")
                return tuple(default)
            out = []
            for i, item in enumerate(obj[key]):
                if isinstance(item, str):
                    item = {"name": item}
                if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item["name"]:
                    raise ValidationError(f"{where}: {key}[{i}] needs a non-empty 'name'")
                out.append(Label(item["name"], item.get("color", "#888888"), item.get("description", "")))
            return tuple(out)

        if not isinstance(obj, Mapping):
            raise ValidationError(f"{where}: expected a JSON object")
        default = cls.default()
        try:
            return cls(
                entity_labels=labels("entity_labels"),
                claim_labels=labels("claim_labels", default.claim_labels),
                claim_kinds=tuple(obj.get("claim_kinds", CLAIM_KINDS)),
                stance_targets=tuple(obj.get("stance_targets", ())),
                stance_values=tuple(obj.get("stance_values", STANCE_VALUES)),
            )
        except ValidationError as exc:
            if str(exc).startswith(where):
                raise
            raise ValidationError(f"{where}: {exc}") from exc

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def __repr__(self) -> str:
        return (
            f"<LabelSchema entities={[lab.name for lab in self.entity_labels]} "
            f"claims={[lab.name for lab in self.claim_labels]} targets={list(self.stance_targets)}>"
        )
