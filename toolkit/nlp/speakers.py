"""Project-wide speaker names: every claim's ``speaker`` becomes its person's row name.

Attribution (:mod:`toolkit.nlp.attribution`) works one article at a time, so a speaker is the
fullest name *that article* gives: "Irena Markovic" in one outlet, "Irena Marković" in another;
"JR Vance" here and "J.R. Vance" there.  The comparison tables group those forms into one row
(:class:`toolkit.compare.entities.EntityNormalizer`: the automatic merges plus the merges an
analyst accepted).  After pre-annotation this step rewrites each suggested claim's ``speaker``
to that row's name, so the widget, the tables and the report name one person the same way.
Uncertain variants (a surname met only in another article, one-letter spellings) stay as
written until an analyst accepts the proposal (``toolkit compare merges``) and pre-annotation
runs again.

One pass over the model layer: linear in its spans.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Project

__all__ = ["canonicalize_speakers"]

CUE = "speaker: project-wide name"


def canonicalize_speakers(project: Project, annotator: str) -> int:
    """Rewrite the ``speaker`` of ``annotator``'s claims to their entity row's name; returns how many changed."""
    from ..compare.entities import EntityNormalizer, load_merges, rejected_pairs

    frames = project.load(annotators=[annotator])
    spans = frames.spans
    if spans.empty:
        return 0
    norm = EntityNormalizer.from_spans(spans, layer=annotator, merges=load_merges(project.path),
                                       rejected=rejected_pairs(project.path), documents=frames.documents)
    claims = spans[(spans["layer"] == "claim") & spans["speaker"].fillna("").astype(str).str.strip().astype(bool)]
    current = project.current(annotator).spans
    changed = []
    for span_id, doc_id, speaker in zip(claims["id"], claims["doc_id"], claims["speaker"], strict=True):
        name = norm.canonical(str(speaker), doc_id=str(doc_id))
        span = current.get(span_id)
        if span is None or not name or name == speaker:
            continue
        attrs = dict(span.attrs)
        cues = [c for c in attrs.get("cues") or [] if not str(c).startswith(CUE)]
        attrs.update(speaker=name, cues=[*cues, f"{CUE}: {speaker} -> {name}"])
        changed.append(dataclasses.replace(span, attrs=attrs))
    if changed:
        project.put(changed)
    return len(changed)
