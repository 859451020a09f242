"""Pull: Label Studio annotations into the store, only the differences, incrementally."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tqdm.auto import tqdm

from ..errors import ToolkitError
from ..model import ClaimLink, Document, Span, Stance, new_id, utc_now
from ..store import AnnotatorState, Project
from .client import LSClient
from .convert import Converted, from_ls_annotation, span_id
from .offsets import OffsetMap
from .push import annotation_records
from .state import (
    PullResult,
    Record,
    SyncState,
    _announced,
    _as_id,
    _forget_pending,
    _key,
    _user_names,
    _user_of,
    fingerprint,
    ls_timestamp,
    provenance_of,
    result_sha,
)

# ----------------------------------------------------------------------------- pull



class _Writer:
    """Applies the conflict rule and writes only differences, batched per annotator."""

    def __init__(self, proj: Project, state: SyncState, res: PullResult) -> None:
        self.proj = proj
        self.state = state
        self.res = res
        self.seen: dict[str, set[str]] = {}
        self.current: dict[str, dict[str, Record]] = {}

    def _local(self, ann: str) -> dict[str, Record]:
        if ann not in self.current:
            st = self.proj.current(ann)
            self.current[ann] = {
                **{f"span:{k}": v for k, v in st.spans.items()},
                **{f"stance:{k}": v for k, v in st.stances.items()},
                **{f"link:{k}": v for k, v in st.links.items()},
            }
        return self.current[ann]

    def apply(self, ann: str, records: list[Record]) -> None:
        base: dict[str, str] = self.state.server["pulled"].setdefault(ann, {})
        local = self._local(ann)
        seen = self.seen.setdefault(ann, set())
        out: list[Record] = []
        for rec in records:
            key = _key(rec)
            if key in seen:  # e.g. the same document stance in two annotations of one user: first wins
                continue
            seen.add(key)
            fp_r, old = fingerprint(rec), local.get(key)
            fp_b = base.get(key)
            fp_l = fingerprint(old) if old is not None else None
            if fp_l == fp_r:
                self.res.unchanged += 1
            elif fp_r == fp_b:  # only the toolkit side changed (or deleted) it: keep the local version
                self.res.kept_local += 1
            else:
                if fp_b is not None and fp_l != fp_b:
                    self.res.conflicts.append(
                        f"{ann} {key}: changed in the toolkit and in Label Studio; Label Studio won"
                    )
                out.append(rec)
            base[key] = fp_r
        if out:
            self.proj.put(out)
            for rec in out:
                local[_key(rec)] = rec
            self.res.put += len(out)

    def _kept(self, ann: str, key: str, keep_docs: set[str], keep_unknown: bool) -> bool:
        rec = self._local(ann).get(key)
        if rec is None:
            return keep_unknown
        return (rec.doc_a if isinstance(rec, ClaimLink) else rec.doc) in keep_docs

    def finish(self, keep_docs: Iterable[str] = (), keep_unknown: bool = False) -> None:
        """Delete records pulled earlier that are no longer in Label Studio.

        Records of ``keep_docs`` (documents whose task was not read: an
        incremental pull, or a document changed since it was pushed) are kept;
        ``keep_unknown`` also keeps the base of records the toolkit deleted
        (their document is unknown), as an incremental pull cannot tell.
        """
        pulled: dict[str, dict[str, str]] = self.state.server["pulled"]
        keep = set(keep_docs)
        for ann, base in pulled.items():
            seen = self.seen.get(ann, set())
            gone = [k for k in base if k not in seen and not self._kept(ann, k, keep, keep_unknown)]
            if not gone:
                continue
            local = self._local(ann)
            events = []
            for key in gone:
                old = local.get(key)
                if old is not None:
                    if fingerprint(old) != base[key]:
                        self.res.conflicts.append(
                            f"{ann} {key}: changed in the toolkit, deleted in Label Studio; Label Studio won"
                        )
                    typ, oid = key.split(":", 1)
                    events.append(
                        {"rid": new_id("r")[2:], "op": "delete", "type": typ, "id": oid, "annotator": ann,
                         "ts": utc_now(), "meta": {"ls": {"url": self.state.url, "deleted_in_labelstudio": True}}}
                    )  # fmt: skip
                    local.pop(key, None)
                del base[key]
            if events:
                self.proj.log(ann).append(events)
                self.res.deleted += len(events)


def _light_listing(client: LSClient, pid: int) -> dict[int, str | None]:
    """``{task id: updated_at}`` of every task (``include=id,updated_at``: no data, no annotations)."""
    out: dict[int, str | None] = {}
    for page in client.iter_task_pages(pid, fields="task_only", page_size=1000, include="id,updated_at"):
        for t in page:
            out[int(t.id)] = ls_timestamp(t.updated_at)
    return out


def pull(
    proj: Project,
    client: LSClient,
    page_size: int = 500,
    progress: bool = True,
    full: bool = False,
    trust_markers: bool = False,
) -> PullResult:
    """Bring the store up to date with the Label Studio project's annotations.

    Incremental by default once a pull has completed a task: a light listing
    of ``(task id, updated_at)`` picks the tasks changed since they were last
    read (annotation created, updated or deleted; task deleted) and only those
    are read.  ``full=True`` reads every task.  Either way only differences are
    written.  Annotations pushed from the toolkit come back to the toolkit
    annotator they were pushed for, with the toolkit's own record ids.

    Only annotations the toolkit pushed (its sync state says so) come back to
    their toolkit annotator, ``gold`` and ``model:`` layers included; the
    ``newslens:<name>`` marker a Label Studio user can type is not trusted unless
    ``trust_markers=True`` (see the module docstring).  A malformed task or
    annotation (ids that are not numbers, result items that are not objects, values
    of the wrong type) is reported in ``problems`` with its task and annotation id
    and skipped -- nothing already pulled from it is deleted and the task is read
    again next time -- and the rest of the pull continues.

    Raises LabelStudioError (one line) if the server is unreachable, the token
    is wrong or the project is gone; whatever was written before stays valid,
    and running ``pull`` again finishes the job without duplicates.
    """
    state = SyncState(proj, client.url)
    pid = state.project_id
    if pid is None:
        raise ToolkitError(f"{proj.path}: nothing pushed to {client.url} yet; run `toolkit ls push --url {client.url}`")
    client.whoami()
    client.get_project(pid)
    users = _user_names(client, state)
    pushed: dict[str, dict[str, dict[str, Any]]] = state.server["pushed"]
    res = PullResult(pid)
    run = _PullRun(
        proj, client, state, res, pid, trust_markers, users, proj.documents(), pushed,
        _pushed_index(pushed),  # built once per pull, kept up to date as entries are adopted
        _Writer(proj, state, res), state.server["stance_controls"],
    )  # fmt: skip
    task_seen: dict[str, str | None] = state.server["task_seen"]
    pages, gone_tasks = _pages_to_read(run, task_seen, full, page_size)
    bar = tqdm(desc="pull", unit="task", disable=not progress)
    for page in pages:
        by_ann: dict[str, list[Record]] = {}
        done: list[tuple[int, str | None]] = []
        for task in page:
            _read_task(run, task, by_ann, done)
        for ann, recs in by_ann.items():
            run.writer.apply(ann, recs)
        for tid, upd in done:
            task_seen[str(tid)] = upd
        state.save()  # progress is durable page by page
        bar.update(len(page))
    bar.close()
    if not res.incremental:
        gone_tasks = [int(t) for t in task_seen if int(t) not in run.listed]
    for tid in gone_tasks:  # deleted in Label Studio: their annotations are gone too
        task_seen.pop(str(tid), None)
        _forget_pushed(pushed, tid, set())
    if res.incremental:
        res.tasks_listed = res.tasks_listed or len(run.listed)
    run.writer.finish(run.keep_docs, keep_unknown=res.incremental)
    state.server["last_pull"] = utc_now()
    state.save()
    return res


@dataclass
class _PullRun:
    """One pull's context: what reading a task and its annotations needs and updates."""

    proj: Project
    client: LSClient
    state: SyncState
    res: PullResult
    pid: int
    trust_markers: bool
    users: dict[int, str]  # Label Studio user id -> name (re-read when an unknown user shows up)
    docs: dict[str, Document]
    pushed: dict[str, dict[str, dict[str, Any]]]  # the sync state's pushed annotations
    pushed_by_aid: dict[int, tuple[str, str]]  # see _pushed_index
    writer: _Writer
    controls: dict[str, str]  # Label Studio control name -> stance target
    keep_docs: set[str] = field(default_factory=set)  # documents whose pulled records must not be deleted
    listed: set[int] = field(default_factory=set)  # ids of the tasks read
    omaps: dict[str, OffsetMap] = field(default_factory=dict)


def _pages_to_read(
    run: _PullRun, task_seen: Mapping[str, str | None], full: bool, page_size: int
) -> tuple[Iterable[list[Any]], list[int]]:
    """``(pages of tasks to read, ids of tasks gone from Label Studio)``; decides whether the pull is incremental.

    Incremental (a light listing, then the changed tasks one by one) unless ``full``, nothing was read
    yet, or so many tasks changed that reading them one by one would cost more than a full listing.
    The gone tasks of a full pull are known only once it has listed every task (an empty list here).
    """
    res, state, client = run.res, run.state, run.client
    res.incremental = not full and bool(task_seen)
    if res.incremental:
        light = _light_listing(client, run.pid)
        res.tasks_listed = len(light)
        # tasks changed in Label Studio, plus tasks whose document changed in the toolkit (reported again)
        docs = run.docs
        moved = {
            int(t["task"]) for d, t in state.server["tasks"].items() if d in docs and t.get("sha256") != docs[d].sha256
        }
        changed = [tid for tid, u in sorted(light.items()) if task_seen.get(str(tid)) != u or tid in moved]
        gone_tasks = [int(t) for t in task_seen if int(t) not in light]
        doc_of_task = {int(t["task"]): d for d, t in state.server["tasks"].items()}
        run.keep_docs = {d for t, d in doc_of_task.items() if t in light and t not in set(changed)}
        if len(changed) <= max(50, len(light) // 4):
            return ([t] for t in map(client.get_task, changed) if t is not None), gone_tasks
        res.incremental, run.keep_docs = False, set()  # reading them one by one would cost more than a listing
    return client.iter_task_pages(run.pid, fields="all", page_size=page_size), []


def _read_task(run: _PullRun, task: Any, by_ann: dict[str, list[Record]], done: list[tuple[int, str | None]]) -> None:
    """Convert one task's usable annotations into ``by_ann``; ``done`` gets the task if it was read in full."""
    res = run.res
    res.tasks += 1
    tid = _as_id(getattr(task, "id", None))
    if tid is None:
        res.problems.append(f"task {getattr(task, 'id', None)!r}: id is not a number; task skipped")
        return
    run.listed.add(tid)
    data = task.data if isinstance(task.data, Mapping) else {}
    did = data.get("doc_id") if isinstance(data.get("doc_id"), str) else None
    anns, bad_anns = _usable_annotations(task.annotations, tid)
    res.problems.extend(bad_anns)
    doc = run.docs.get(did) if did else None
    if bad_anns and doc is not None:
        run.keep_docs.add(doc.id)  # do not delete what was pulled from an annotation we cannot read now
    if anns and doc is None:
        res.problems.append(f"task {tid}: document {did!r} is not in {run.proj.path}; its annotations were skipped")
        return
    if doc is not None and data.get("sha256") != doc.sha256:
        run.keep_docs.add(doc.id)
        if anns:
            res.problems.append(
                f"task {tid}: document {did!r} changed since it was pushed (sha256 differs); annotations skipped"
            )
        return
    if not bad_anns:  # a task with a malformed annotation is read again next time
        done.append((tid, ls_timestamp(task.updated_at)))
    _forget_pushed(run.pushed, tid, {aid for aid, _ in anns})
    if doc is None:
        return
    omap = run.omaps.setdefault(doc.id, OffsetMap(doc.text))
    for aid, a in sorted(anns, key=lambda x: (str(x[1].get("updated_at") or ""), x[0])):
        _read_annotation(run, doc, omap, tid, aid, a, by_ann)


def _read_annotation(
    run: _PullRun,
    doc: Document,
    omap: OffsetMap,
    tid: int,
    aid: int,
    a: Mapping[str, Any],
    by_ann: dict[str, list[Record]],
) -> None:
    """Convert annotation ``aid`` of task ``tid`` into records of its toolkit annotator (added to ``by_ann``).

    A pushed (or adopted) annotation goes back to the annotator it was pushed for, with the toolkit's record
    ids; any other goes to its Label Studio user's name (skipped, reported, if the user is unknown).
    """
    res, state, pid = run.res, run.state, run.pid
    uid = _user_of(a)
    mine = _pushed_entry(run.pushed, run.pushed_by_aid, aid)
    if mine is None:
        mine = _adopt(state, a, aid, doc.id, tid, run.trust_markers)
        if mine is not None:
            run.pushed_by_aid[aid] = mine
    meta = {"ls": {"url": run.client.url, "project": pid, "task": tid, "annotation": aid,
                   "user": uid, "updated_at": ls_timestamp(a.get("updated_at"))}}  # fmt: skip
    record_id = None
    if mine is not None:
        ann, entry = mine[0], run.pushed[mine[0]][mine[1]]
        meta["ls"]["pushed_for"] = ann
        regions = set(entry.get("regions") or [])

        def record_id(rid: str, regions: set[str] = regions, aid: int = aid) -> str:
            return rid if rid in regions else span_id(pid, aid, rid)
    else:
        if uid is None or uid not in run.users:
            run.users = _user_names(run.client, state)
        user = run.users.get(uid) if uid is not None else None
        if user is None:
            res.problems.append(f"task {tid}: annotation {aid} has no known user, skipped")
            return
        ann = user
    conv: Converted = from_ls_annotation(
        a.get("result") or [], doc, run.proj.schema, ann, pid, aid, run.controls, meta, omap, record_id
    )
    records = conv.records
    if mine is not None:
        records = _with_local_extras(run.proj, records, run.writer._local(ann))
        entry["updated_at"] = ls_timestamp(a.get("updated_at"))
        entry["sha"] = _sha_of_records(run.proj, state, ann, doc.id, aid, records)
    res.annotations += 1
    res.annotators.add(ann)
    res.realigned.extend(conv.realigned)
    res.problems.extend(conv.problems)
    by_ann.setdefault(ann, []).extend(records)


def _pushed_index(pushed: dict[str, dict[str, dict[str, Any]]]) -> dict[int, tuple[str, str]]:
    """``Label Studio annotation id -> (annotator, document)`` of every annotation a push created."""
    return {int(e["annotation"]): (name, doc) for name, per in pushed.items() for doc, e in per.items()}


def _pushed_entry(
    pushed: dict[str, dict[str, dict[str, Any]]], index: dict[int, tuple[str, str]], aid: int
) -> tuple[str, str] | None:
    """``(annotator, document)`` of pushed annotation ``aid`` if its entry is still in the state (else None).

    Entries are dropped during a pull (:func:`_forget_pushed`); the index is checked against them.
    """
    mine = index.get(aid)
    if mine is None:
        return None
    entry = pushed.get(mine[0], {}).get(mine[1])
    return mine if entry is not None and int(entry["annotation"]) == aid else None


def _forget_pushed(pushed: dict[str, dict[str, dict[str, Any]]], task_id: int, alive: set[int]) -> None:
    """Drop pushed-annotation entries of ``task_id`` whose annotation no longer exists."""
    for per in pushed.values():
        for did in [d for d, e in per.items() if int(e["task"]) == task_id and int(e["annotation"]) not in alive]:
            del per[did]


def _usable_annotations(raw: Any, task_id: int) -> tuple[list[tuple[int, Mapping[str, Any]]], list[str]]:
    """``([(annotation id, annotation)], problems)``: the task's annotations that can be read, minus cancelled ones."""
    good: list[tuple[int, Mapping[str, Any]]] = []
    bad: list[str] = []
    if raw is None:
        return good, bad
    if not isinstance(raw, list):
        return good, [f"task {task_id}: annotations are {type(raw).__name__}, not a list; skipped"]
    for pos, a in enumerate(raw):
        if not isinstance(a, Mapping):
            bad.append(f"task {task_id}: annotation #{pos} is {type(a).__name__}, not an object; skipped")
            continue
        aid = _as_id(a.get("id"))
        if aid is None:
            bad.append(f"task {task_id}: annotation #{pos} has id {a.get('id')!r}, not a number; skipped")
            continue
        if a.get("was_cancelled"):
            continue
        cb = a.get("completed_by")
        if cb is not None and _user_of(a) is None:
            bad.append(f"task {task_id}: annotation {aid} has completed_by {cb!r}, not a user id; skipped")
            continue
        if a.get("result") is not None and not isinstance(a.get("result"), list):
            bad.append(f"task {task_id}: annotation {aid} result is {type(a.get('result')).__name__}, not a list; skipped")
            continue
        good.append((aid, a))
    return good, bad


def _adopt(
    state: SyncState, a: Mapping[str, Any], aid: int, doc_id: str, task_id: int, trust_markers: bool
) -> tuple[str, str] | None:
    """Recognise an annotation a push created but did not record (interrupted push).

    It carries the ``newslens:<name>`` marker AND the push announced it in ``pending``
    (same document and task, created by the token's user) -- or ``trust_markers``.
    """
    pushed: dict[str, dict[str, dict[str, Any]]] = state.server["pushed"]
    name = provenance_of(a.get("result") or [])
    if name is None or doc_id in pushed.get(name, {}):
        return None
    if not trust_markers and not _announced(state, name, doc_id, task_id, a):
        return None
    regions = sorted(
        {str(i["id"]) for i in a.get("result") or []
         if isinstance(i, Mapping) and i.get("type") == "labels" and provenance_of([i]) == name}
    )  # fmt: skip
    pushed.setdefault(name, {})[doc_id] = {"annotation": aid, "task": task_id, "sha": "",
                                           "updated_at": None, "regions": regions}  # fmt: skip
    _forget_pending(state, name, doc_id)
    return name, doc_id


def _with_local_extras(proj: Project, records: list[Record], local: Mapping[str, Record]) -> list[Record]:
    """Give pulled spans the attributes Label Studio cannot carry (e.g. ``speaker_span``) from the local copy."""
    out: list[Record] = []
    for rec in records:
        old = local.get(_key(rec))
        if isinstance(rec, Span) and isinstance(old, Span):
            carried = ("kind", "speaker") if proj.schema.layer_of(rec.label) == "claim" else ()
            extras = {k: v for k, v in old.attrs.items() if k not in carried}
            if extras:
                rec = replace(rec, attrs={**extras, **rec.attrs})
        out.append(rec)
    return out


def _sha_of_records(proj: Project, state: SyncState, ann: str, doc_id: str, aid: int, records: list[Record]) -> str:
    """Hash of the result a push would send if the toolkit held exactly ``records``."""
    view = AnnotatorState(
        ann,
        {r.id: r for r in records if isinstance(r, Span)},
        {r.id: r for r in records if isinstance(r, Stance)},
        {r.id: r for r in records if isinstance(r, ClaimLink)},
    )
    return result_sha(annotation_records(proj, state, ann, doc_id, aid, view)[0])


