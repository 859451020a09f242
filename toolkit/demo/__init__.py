"""The bundled demo: a fictional event reported by four fictional outlets.

``corpus.jsonl`` holds the articles, ``schema.json`` the label schema and
``annotations.json`` hand-written annotations by two annotators (``ana`` and
``ben``), written as quoted substrings so they stay readable; :func:`build_demo`
turns them into a project with real offsets.  All text is original and
invented for this project (see ``README.md`` beside this file).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..importers import read_jsonl
from ..model import LabelSchema
from ..store import Project

ANNOTATORS = ("ana", "ben")


def _data(name: str) -> Path:
    return Path(str(resources.files(__name__).joinpath(name)))


def corpus_path() -> Path:
    """Path of the demo corpus (JSON Lines)."""
    return _data("corpus.jsonl")


def demo_schema() -> LabelSchema:
    """The demo project's label schema."""
    return LabelSchema.from_json(json.loads(_data("schema.json").read_text("utf-8")), "demo schema.json")


def demo_annotations() -> dict[str, Any]:
    """The demo annotations of ``ana`` and ``ben`` in the quoted-substring format of ``annotations.json``."""
    return json.loads(_data("annotations.json").read_text("utf-8"))


def find_offsets(text: str, quote: str, nth: int = 0, where: str = "") -> tuple[int, int]:
    """Offsets of the ``nth`` (0-based) occurrence of ``quote`` in ``text``."""
    pos = -1
    for _ in range(nth + 1):
        pos = text.find(quote, pos + 1)
        if pos < 0:
            raise ToolkitError(f"demo annotations{where}: {quote!r} (occurrence {nth}) not found in the text")
    return pos, pos + len(quote)


def build_demo(path: str | Path, annotations: bool = True) -> Project:
    """Create a project at ``path`` holding the demo corpus and (optionally) the demo annotations."""
    proj = Project.init(path, schema=demo_schema(), name="Demo: the Corran Dam call")
    proj.add_documents(read_jsonl(corpus_path()))
    if annotations:
        add_spec_annotations(proj, demo_annotations())
    return proj


def add_spec_annotations(proj: Project, spec: dict[str, Any]) -> None:
    """Store annotations written in the demo's quoted-substring format (see ``annotations.json``)."""
    docs = proj.documents()
    for ann, body in spec["annotators"].items():
        keys: dict[str, str] = {}
        records = []
        for i, item in enumerate(body.get("spans", [])):
            where = f" ({ann} span {i}, {item.get('key', '')})"
            start, end = find_offsets(docs[item["doc"]].text, item["quote"], item.get("nth", 0), where)
            attrs = dict(item.get("attrs") or {})
            speaker_key = attrs.pop("speaker_key", None)
            span = proj.make_span(item["doc"], start, end, item["label"], ann, attrs)
            if "key" in item:
                keys[item["key"]] = span.id
            records.append((span, speaker_key))
        spans = []
        for span, speaker_key in records:
            if speaker_key:
                span = proj.make_span(
                    span.doc, span.start, span.end, span.label, ann, {**span.attrs, "speaker_span": keys[speaker_key]},
                    id=span.id,
                )  # fmt: skip
            spans.append(span)
        proj.put(spans)
        for st in body.get("stances", []):
            claim = keys[st["claim_key"]] if st.get("claim_key") else None
            proj.set_stance(st["doc"], st["target"], st["value"], ann, claim=claim)
        for a, b in body.get("links", []):
            proj.link_claims(keys[a], keys[b], ann)
