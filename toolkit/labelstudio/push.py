"""Push: documents become tasks, model layers predictions, and (if asked) toolkit annotations Label Studio annotations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from tqdm.auto import tqdm

from ..errors import ToolkitError
from ..model import ClaimLink, Document, Span, Stance, is_model_annotator, utc_now
from ..store import AnnotatorState, Project
from .client import LSClient
from .config import label_config, stance_control_name
from .convert import to_ls_result
from .state import (
    PROVENANCE_PREFIX,
    PushResult,
    Record,
    SyncState,
    _announced,
    _as_id,
    _forget_pending,
    _key,
    _ls_owner,
    fingerprint,
    ls_timestamp,
    provenance_of,
    result_sha,
)

# ----------------------------------------------------------------------------- push


def _task_data(doc: Document) -> dict[str, Any]:
    return {
        "text": doc.text,
        "doc_id": doc.id,
        "sha256": doc.sha256,
        "source": doc.source,
        "title": doc.title or "",
        "url": doc.url or "",
        "published": doc.published or "",
    }


def _model_layers(proj: Project) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``{doc_id: {model annotator: result items}}`` of every model layer."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for ann in proj.annotators():
        if not is_model_annotator(ann):
            continue
        state = proj.current(ann)
        by_doc: dict[str, list[Span]] = {}
        for sp in state.spans.values():
            by_doc.setdefault(sp.doc, []).append(sp)
        for doc_id, spans in by_doc.items():
            out.setdefault(doc_id, {})[ann] = to_ls_result(sorted(spans, key=lambda s: (s.start, s.end)))
    return out


def ensure_project(proj: Project, client: LSClient, state: SyncState, new_project: bool = False) -> int:
    """Return the Label Studio project id for ``proj``, creating the project if needed."""
    cfg_targets = list(proj.schema.stance_targets)
    controls = {stance_control_name(i): t for i, t in enumerate(cfg_targets)}
    cfg = label_config(proj.schema)
    pid = state.project_id
    if pid is not None and not new_project:
        project = client.get_project(pid)
        if (getattr(project, "label_config", None) or "").strip() != cfg.strip():
            client.update_label_config(pid, cfg)
        state.server["stance_controls"] = controls
        return pid
    title = f"{proj.name} (newslens)"[:50]
    project = client.create_project(title, cfg, description=f"Pushed by the newslens toolkit from {proj.path.name}")
    state.server.update(
        project_id=int(project.id), title=title, stance_controls=controls, tasks={}, predictions={}, pulled={}
    )
    state.save()
    return int(project.id)


def push(
    proj: Project,
    client: LSClient,
    doc_ids: Iterable[str] | None = None,
    batch_size: int = 250,
    with_predictions: bool = True,
    new_project: bool = False,
    progress: bool = True,
    annotations: bool = False,
    annotators: Iterable[str] | None = None,
    trust_markers: bool = False,
) -> PushResult:
    """Create a task for every document not yet in the Label Studio project (idempotent).

    With ``annotations=True`` the human annotators' records (all human
    annotators, or ``annotators``) are sent too, one Label Studio annotation
    per (document, annotator); see :func:`push_annotations`.
    """
    state = SyncState(proj, client.url)
    who = client.whoami()
    uid = _as_id(getattr(who, "id", None))
    if uid is not None:
        state.server["token_user"] = uid
    pid = ensure_project(proj, client, state, new_project)
    res = PushResult(pid)
    docs = proj.documents()
    wanted = sorted(docs) if doc_ids is None else list(doc_ids)
    missing_docs = [d for d in wanted if d not in docs]
    if missing_docs:
        raise ToolkitError(f"{proj.path}: no such documents: {', '.join(missing_docs[:5])}")
    existing = _tasks_on_server(client, pid)  # the source of truth, also after an interrupted push
    models = _model_layers(proj) if with_predictions else {}
    todo = _new_tasks(client, state, res, [docs[did] for did in wanted], existing, models)
    _import_tasks(client, state, res, todo, batch_size, progress)
    state.server["last_push"] = utc_now()
    state.save()
    if annotations:
        on_server = {info["task"]: info["anns"] for info in existing.values()}
        push_annotations(proj, client, state, res, on_server, wanted, annotators, progress,
                         trust_markers=trust_markers)  # fmt: skip
    return res


def _tasks_on_server(client: LSClient, pid: int) -> dict[str, dict[str, Any]]:
    """``{document id: {"task", "sha256", "models", "anns"}}`` of the project's tasks in Label Studio."""
    existing: dict[str, dict[str, Any]] = {}
    for page in client.iter_task_pages(pid, fields="all"):
        for task in page:
            data = task.data or {}
            did = data.get("doc_id")
            if not did:
                continue
            preds = {p.get("model_version") if isinstance(p, dict) else getattr(p, "model_version", None)
                     for p in (task.predictions or [])}  # fmt: skip
            anns = {_as_id(a.get("id")): a for a in (task.annotations or []) if isinstance(a, dict)}
            anns.pop(None, None)
            existing[did] = {"task": int(task.id), "sha256": data.get("sha256"), "models": preds, "anns": anns}
    return existing


def _new_tasks(
    client: LSClient,
    state: SyncState,
    res: PushResult,
    docs: Iterable[Document],
    existing: Mapping[str, Mapping[str, Any]],
    models: Mapping[str, Mapping[str, list[dict[str, Any]]]],
) -> list[dict[str, Any]]:
    """The tasks to create (with their predictions) for ``docs`` not in Label Studio yet.

    A document already there is recorded in the state: ``changed`` if its text changed since, else
    ``unchanged``, and then it gets the predictions of model layers its task does not have yet.
    """
    todo: list[dict[str, Any]] = []
    for doc in docs:
        did = doc.id
        have = existing.get(did)
        if have is None:
            item: dict[str, Any] = {"data": _task_data(doc)}
            predictions = [{"model_version": m, "result": r} for m, r in sorted(models.get(did, {}).items())]
            if predictions:
                item["predictions"] = predictions
            todo.append(item)
            continue
        state.server["tasks"][did] = {"task": have["task"], "sha256": have["sha256"]}
        if have["sha256"] != doc.sha256:
            res.changed.append(did)
            continue
        res.unchanged.append(did)
        for model, result in sorted(models.get(did, {}).items()):
            if model not in have["models"]:
                client.create_prediction(have["task"], result, model)
                res.predictions += 1
                state.server["predictions"].setdefault(did, []).append(model)
    return todo


def _import_tasks(
    client: LSClient, state: SyncState, res: PushResult, todo: list[dict[str, Any]], batch_size: int, progress: bool
) -> None:
    """Create the ``todo`` tasks in batches, saving the state after each (an interrupted push resumes)."""
    pid = res.project_id
    bar = tqdm(total=len(todo), desc="push", unit="task", disable=not progress or not todo)
    for i in range(0, len(todo), batch_size):
        batch = todo[i : i + batch_size]
        ids = client.import_tasks(pid, batch)
        res.batches += 1
        for item, tid in zip(batch, ids, strict=False):
            did = item["data"]["doc_id"]
            state.server["tasks"][did] = {"task": int(tid), "sha256": item["data"]["sha256"]}
            models_sent = [p["model_version"] for p in item.get("predictions", [])]
            if models_sent:
                state.server["predictions"][did] = models_sent
            res.predictions += len(models_sent)
            res.created.append(did)
        state.server["last_push"] = utc_now()
        state.save()  # after every batch: an interrupted push resumes from the server's task list
        bar.update(len(batch))
    bar.close()



# ----------------------------------------------------------------------------- push annotations

#: Marker put in ``meta.text`` of every region and stance a push sends: ``newslens:<annotator>``.

def annotation_records(
    proj: Project, state: SyncState, annotator: str, doc_id: str, own: int | None, cur: Any = None
) -> tuple[list[dict[str, Any]], list[Record], list[str], int]:
    """What a push sends for ``annotator`` in ``doc_id``.

    Returns ``(result, records, toolkit_region_ids, not_expressible)``.  Records
    pulled from *other* Label Studio annotations stay with those annotations;
    records of the pushed annotation ``own`` keep their region ids.
    """
    pid = state.project_id
    assert pid is not None
    url = state.url
    cur = cur if cur is not None else proj.current(annotator)
    doc = proj.document(doc_id)
    controls = {t: c for c, t in state.server["stance_controls"].items()}
    skipped = 0
    spans: list[Span] = []
    for sp in cur.spans.values():
        if sp.doc != doc_id or _ls_owner(sp, url, pid) not in (None, own):
            continue
        if (
            sp.doc_sha256 != doc.sha256
            or doc.text[sp.start : sp.end] != sp.text
            or sp.label not in proj.schema.label_names
        ):
            skipped += 1
            continue
        spans.append(sp)
    spans.sort(key=lambda sp: (sp.start, sp.end, sp.id))
    stances: list[Stance] = []
    for st in cur.stances.values():
        if st.doc != doc_id or _ls_owner(st, url, pid) not in (None, own):
            continue
        if st.claim is None and st.target in controls:
            stances.append(st)
        else:
            skipped += 1
    stances.sort(key=lambda st: st.target)
    ids = {sp.id for sp in spans}
    links: list[ClaimLink] = []
    for ln in cur.links.values():
        if doc_id not in (ln.doc_a, ln.doc_b) or _ls_owner(ln, url, pid) not in (None, own):
            continue
        if ln.a in ids and ln.b in ids and ln.id == ClaimLink.make_id(ln.a, ln.b):
            links.append(ln)
        elif ln.doc_a == doc_id:  # counted once; Label Studio relations join regions of one annotation
            skipped += 1
    links.sort(key=lambda ln: ln.id)
    prefix = f"ls:{pid}:{own}:" if own is not None else None

    def region_id(sp: Span) -> str:
        return sp.id[len(prefix) :] if prefix and sp.id.startswith(prefix) else sp.id

    result = to_ls_result(spans, stances, links, state.server["stance_controls"], region_id,
                          PROVENANCE_PREFIX + annotator)  # fmt: skip
    for item in result:  # the marker also on document stances (stance-only annotations stay recognisable)
        if item.get("from_name") in state.server["stance_controls"]:
            item["meta"] = {"text": [PROVENANCE_PREFIX + annotator]}
    own_ids = sorted(sp.id for sp in spans if region_id(sp) == sp.id)
    return result, [*spans, *stances, *links], own_ids, skipped


def push_annotations(
    proj: Project,
    client: LSClient,
    state: SyncState,
    res: PushResult,
    on_server: Mapping[int, Mapping[int, Mapping[str, Any]]],
    doc_ids: Iterable[str],
    annotators: Iterable[str] | None = None,
    progress: bool = True,
    save_every: int = 50,
    trust_markers: bool = False,
) -> None:
    """Send human annotations as Label Studio annotations: created once, then updated in place.

    ``on_server`` is ``{task id: {annotation id: annotation dict}}`` as listed
    at the start of the push.  Per (annotator, document):

    * nothing tracked yet -> an annotation of the token's user is created,
      announced first in the state's ``pending`` (or adopted, if an interrupted
      push announced and created it: same task, the token's user, its
      ``newslens:<annotator>`` marker; any marked annotation with ``trust_markers``);
    * tracked and Label Studio's ``updated_at`` differs from the last sync
      (edited or deleted there) -> held back: ``pull`` first (conflict rule);
    * tracked and the result to send equals the last one -> skipped;
    * otherwise updated in place (or deleted if nothing is left to send).
    """
    assert state.project_id is not None
    names = _annotators_to_push(proj, annotators)
    wanted = set(doc_ids)
    tracked = {int(e["annotation"]) for per in state.server["pushed"].values() for e in per.values()}
    todo: list[tuple[str, str]] = []
    states = {}
    for name in names:
        cur = states[name] = proj.current(name)
        docs = (
            {r.doc for r in cur.spans.values()} | {r.doc for r in cur.stances.values()}
            | set(state.server["pushed"].get(name, {}))
        )  # fmt: skip
        todo.extend((name, d) for d in sorted(docs & wanted))
    bar = tqdm(total=len(todo), desc="push annotations", unit="annotation", disable=not progress or not todo)
    writes = 0
    for name, did in todo:
        bar.update(1)
        task = state.server["tasks"].get(did)
        if task is None or did in res.changed:
            continue
        entries: dict[str, dict[str, Any]] = state.server["pushed"].setdefault(name, {})
        state.server["pulled"].setdefault(name, {})
        server_anns = on_server.get(int(task["task"]), {})
        if entries.get(did) is None:  # adopt an annotation an interrupted push created but did not record
            _adopt_created(state, entries, tracked, server_anns, name, did, int(task["task"]), trust_markers)
        sent = _send_annotation(proj, client, state, res, entries, tracked, server_anns, states[name], name, did)
        if sent is not None:
            writes += 1
            if sent == "sent" and writes % save_every == 0:
                state.save()
    bar.close()
    state.save()


def _annotators_to_push(proj: Project, annotators: Iterable[str] | None) -> list[str]:
    """``annotators`` (all human annotators if None), checked: known, and no model layer."""
    known = proj.annotators()
    names = sorted(a for a in known if not is_model_annotator(a)) if annotators is None else list(annotators)
    for name in names:
        if is_model_annotator(name):
            raise ToolkitError(f"{name}: model layers are pushed as predictions, not annotations")
        if name not in known:
            raise ToolkitError(f"{proj.path}: no annotator {name!r} (have: {', '.join(known) or 'none'})")
    return names


def _adopt_created(
    state: SyncState,
    entries: dict[str, dict[str, Any]],
    tracked: set[int],
    server_anns: Mapping[int, Mapping[str, Any]],
    name: str,
    did: str,
    task_id: int,
    trust_markers: bool,
) -> None:
    """Record as ``entries[did]`` the first untracked annotation of the task an interrupted push created."""
    for aid, a in sorted(server_anns.items()):
        if (
            aid not in tracked
            and provenance_of(a.get("result") or []) == name
            and (trust_markers or _announced(state, name, did, task_id, a))
        ):
            _forget_pending(state, name, did)
            entries[did] = {"annotation": aid, "task": task_id, "sha": result_sha(a.get("result") or []),
                            "updated_at": ls_timestamp(a.get("updated_at")), "regions": []}  # fmt: skip
            tracked.add(aid)
            return


def _send_annotation(
    proj: Project,
    client: LSClient,
    state: SyncState,
    res: PushResult,
    entries: dict[str, dict[str, Any]],
    tracked: set[int],
    server_anns: Mapping[int, Mapping[str, Any]],
    cur: AnnotatorState,
    name: str,
    did: str,
) -> Literal["sent", "deleted"] | None:
    """Create, update or delete ``name``'s Label Studio annotation of ``did``; what it did, None if nothing.

    Held back (reported in ``res``) if Label Studio changed or deleted the annotation since the last sync.
    """
    entry = entries.get(did)
    task_id = int(state.server["tasks"][did]["task"])
    own = int(entry["annotation"]) if entry else None
    result, records, own_ids, skipped = annotation_records(proj, state, name, did, own, cur)
    res.not_expressible += skipped
    sha = result_sha(result)
    if entry is not None:
        assert own is not None
        now = server_anns.get(own)
        if now is None:
            res.held_back.append(f"{name} {did}: annotation {own} was deleted in Label Studio; pull to apply it")
            return None
        if ls_timestamp(now.get("updated_at")) != entry["updated_at"]:
            res.held_back.append(
                f"{name} {did}: annotation {own} was changed in Label Studio since the last sync; pull first"
            )
            return None
        if sha == entry["sha"]:
            res.annotations_unchanged += 1
            return None
        if not result:
            client.delete_annotation(own)
            del entries[did]
            res.annotations_deleted += 1
            return "deleted"
        ann_obj = client.update_annotation(own, result)
        res.annotations_updated += 1
    else:
        if not result:
            return None
        # announce it first: if the push dies after Label Studio created it, the next sync adopts it
        state.server["pending"].setdefault(name, {})[did] = {"task": task_id, "user": state.server.get("token_user")}
        state.save()
        ann_obj = client.create_annotation(task_id, result)
        res.annotations_created += 1
        entry = entries[did] = {"annotation": int(ann_obj.id), "task": task_id}
        _forget_pending(state, name, did)
        tracked.add(int(ann_obj.id))
    entry.update(sha=sha, updated_at=ls_timestamp(ann_obj.updated_at), regions=own_ids)
    base: dict[str, str] = state.server["pulled"][name]
    for rec in records:  # Label Studio now holds this version: the base of the conflict rule
        base[_key(rec)] = fingerprint(rec)
    return "sent"
