"""Pre-annotation on a Dask distributed cluster (the ``[cluster]`` extra).

:func:`toolkit.nlp.preannotate` with ``workers=N``, ``scheduler="tcp://host:port"`` or
``client=`` calls :func:`run_on_cluster`:

* the documents to do are cut into partitions (``partition_size`` documents each) and sent to
  the workers as ``(doc_id, text)`` pairs, so workers need the toolkit and the spaCy pipeline
  installed but no access to the project folder;
* each worker loads the pipeline once (:func:`worker_pipeline`, a per-process cache keyed by
  model name) and returns plain suggestion dicts (:func:`suggest_partition`, which runs the
  same :func:`~toolkit.nlp.preannotate.suggest_batch` as a single-process run);
* this process writes every finished partition at once through the :class:`toolkit.Project`
  API (:func:`~toolkit.nlp.preannotate.write_results`) and records it in ``nlp-state.json``, so
  a partition that finished is never lost and a re-run resumes with the unfinished documents;
* a partition whose worker dies is recomputed by Dask on another worker (up to the scheduler's
  ``distributed.scheduler.allowed-failures``, then a one-line error: re-run to resume).

Only this module imports Dask, and only when a cluster run is asked for.  See ``docs/scale.md``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import ToolkitError
from .pipeline import annotator_name, load_pipeline
from .preannotate import PreannotationPlan, suggest_batch, write_results

if TYPE_CHECKING:
    from distributed import Client
    from spacy.language import Language

__all__ = ["cluster_client", "run_on_cluster", "suggest_partition", "worker_pipeline"]

#: Seconds to wait for a scheduler to answer, and for a connected scheduler to have a worker.
CONNECT_TIMEOUT = 30

_PIPELINES: dict[str, Language] = {}
_PIPELINES_LOCK = threading.Lock()


def _distributed() -> ModuleType:
    """The ``distributed`` package, or a one-line error saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ToolkitError(
            "running on a Dask cluster needs dask.distributed; install it with "
            "`pip install 'newslens-toolkit[cluster]'` (or `pip install 'dask[distributed]'`)"
        ) from exc
    return distributed


def worker_pipeline(model: str) -> Language:
    """The spaCy pipeline ``model`` for this worker process, loaded on first use only.

    A process-wide cache keyed by model name: a worker process loads each pipeline once, however
    many partitions it runs (and threads of one worker share it).
    """
    with _PIPELINES_LOCK:
        nlp = _PIPELINES.get(model)
        if nlp is None:
            nlp = _PIPELINES[model] = load_pipeline(model, cache=False)
        return nlp


def suggest_partition(
    model: str,
    annotator: str,
    entity_map: Mapping[str, str | None],
    claim_label: str | None,
    items: list[tuple[str, str]],
    batch_size: int = 32,
    scores: bool | None = None,
) -> list[dict[str, Any]]:
    """Worker task: parse ``(doc_id, text)`` pairs and return their suggestion dicts.

    Raises :class:`~toolkit.errors.ToolkitError` if the worker's pipeline has another name or
    version than the client's (its suggestions would belong to another annotator).
    """
    nlp = worker_pipeline(model)
    got = annotator_name(nlp)
    if got != annotator:
        raise ToolkitError(
            f"worker on {socket.gethostname()} (pid {os.getpid()}) loads {model!r} as {got}, the client as "
            f"{annotator}; install the same pipeline version on every machine"
        )
    return list(suggest_batch(nlp, items, annotator, entity_map, claim_label, batch_size=batch_size, scores=scores))


@contextmanager
def cluster_client(
    workers: int | None = None, scheduler: str | None = None, client: Client | None = None
) -> Iterator[Client]:
    """A ``distributed.Client``: ``client`` itself, a new local cluster, or a running scheduler.

    ``workers=N`` starts ``LocalCluster(n_workers=N, processes=True, threads_per_worker=1)`` on
    the loopback interface and closes it on exit; ``scheduler`` connects to ``tcp://host:port``
    and waits (up to :data:`CONNECT_TIMEOUT` seconds) for at least one worker.
    """
    if client is not None:
        yield client
        return
    dd = _distributed()
    if workers is not None:
        if workers < 1:
            raise ToolkitError(f"workers must be >= 1, got {workers}")
        cluster = dd.LocalCluster(
            n_workers=workers, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        )
        try:
            with dd.Client(cluster) as cl:
                yield cl
        finally:
            cluster.close()
        return
    if not scheduler:
        raise ToolkitError("pass workers=N, scheduler='tcp://host:port' or client=")
    try:
        cl = dd.Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ToolkitError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from exc
    with cl:
        try:
            cl.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise ToolkitError(
                f"the Dask scheduler at {scheduler} has no worker after {CONNECT_TIMEOUT} s; start one with "
                f"`dask worker {scheduler}` on a machine with the toolkit and the pipeline installed"
            ) from exc
        yield cl


def run_on_cluster(
    plan: PreannotationPlan,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    partition_size: int = 100,
    batch_size: int = 32,
    progress: bool = True,
) -> None:
    """Parse ``plan.todo`` on Dask workers and write each partition as soon as it is finished.

    At most twice as many partitions as the cluster has worker threads are submitted at a time
    (more are submitted as partitions finish), so neither the scheduler nor this process holds
    the whole corpus's texts or results.  Updates ``plan.report``.
    """
    from tqdm.auto import tqdm

    dd = _distributed()
    report = plan.report
    todo = plan.todo
    parts = [[(d.id, d.text) for d in todo[i : i + partition_size]] for i in range(0, len(todo), partition_size)]
    with cluster_client(workers, scheduler, client) as cl:
        report.workers = len(cl.scheduler_info().get("workers", {}))
        window = max(2 * sum(cl.nthreads().values()), 2)
        run = uuid.uuid4().hex[:8]
        pending: dict[Any, int] = {}  # future -> partition number
        queue = dd.as_completed()

        def submit(k: int) -> None:
            fut = cl.submit(
                suggest_partition, plan.model, plan.annotator, plan.entity_map, plan.claim_label, parts[k],
                batch_size, plan.scores, key=f"toolkit-preannotate-{run}-{k}",
            )  # fmt: skip
            pending[fut] = k
            queue.add(fut)

        submitted = 0
        while submitted < min(window, len(parts)):
            submit(submitted)
            submitted += 1
        bar = tqdm(total=len(todo), desc=f"preannotate ({report.model}, Dask)", unit="doc", disable=not progress)
        try:
            while True:
                t_wait = time.perf_counter()
                try:
                    fut = next(queue)
                except StopIteration:
                    break
                try:
                    results = fut.result()
                except dd.KilledWorker as exc:
                    raise ToolkitError(
                        f"partition {pending[fut] + 1} of {len(parts)} was lost with every worker that ran it "
                        f"({exc}); finished partitions are saved, run again to resume"
                    ) from exc
                report.seconds_pipeline += time.perf_counter() - t_wait
                k = pending.pop(fut)
                write_results(plan, results)
                fut.release()
                report.partitions += 1
                bar.update(len(parts[k]))
                if submitted < len(parts):
                    submit(submitted)
                    submitted += 1
        finally:
            bar.close()
            if pending:
                cl.cancel(list(pending))
