"""Push documents to and pull annotations from Label Studio; the sync-state file.

One Label Studio project per toolkit project and server.  What the toolkit
knows about it lives in ``<project>/labelstudio.json`` (no secrets)::

    {"version": 1, "servers": {"http://127.0.0.1:8080": {
        "project_id": 7, "title": "...", "stance_controls": {"stance_0": "harbour plan"},
        "tasks": {"<doc id>": {"task": 12, "sha256": "..."}},
        "predictions": {"<doc id>": ["model:en_core_web_sm@3.8.0"]},
        "users": {"3": "alice"},                       # Label Studio user id -> annotator name
        "pulled": {"alice": {"span:ls:7:41:xYz": "<fingerprint>"}},
        "last_push": "...", "last_pull": "..."}}}

**Push** imports every document that has no task yet (tasks carry ``doc_id``
and ``sha256`` in their data, so the server itself is the source of truth and
pushing twice creates nothing); documents whose text hash differs from their
task are reported as *changed*, never overwritten.  Model layers
(``model:...`` annotators) become predictions with ``model_version`` = the
annotator name.

**Pull** reads every task with its annotations and writes only what differs
from the store: new and changed regions are ``put``, regions that vanished
from Label Studio are ``delete``\\ d.  Ids are deterministic
(``ls:<project>:<annotation>:<region>``), and the decision is made by
comparing the server with the store's current state, so an interrupted pull
simply runs again: nothing is duplicated or lost.

**Conflict rule** (a record changed in the toolkit *and* in Label Studio
since the last pull; ``pulled`` holds the fingerprint of the last pulled
version): Label Studio wins; the toolkit's version stays in the append-only
log (``proj.history(annotator)``) and the conflict is listed in the result.
A record changed only in the toolkit is left alone; one deleted only in the
toolkit stays deleted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tqdm.auto import tqdm

from ..errors import ToolkitError
from ..model import ClaimLink, Document, Span, Stance, is_model_annotator, new_id, utc_now
from ..store import Project, atomic_write_text
from .client import LabelStudioError, LabelStudioNotFound, LSClient
from .config import label_config, stance_control_name
from .convert import Converted, from_ls_annotation, to_ls_result
from .offsets import OffsetMap

STATE_FILE = "labelstudio.json"
STATE_VERSION = 1
Record = Span | Stance | ClaimLink


# ----------------------------------------------------------------------------- state


class SyncState:
    """The ``labelstudio.json`` file of a project, for one server URL."""

    def __init__(self, proj: Project, url: str) -> None:
        self.path = proj.path / STATE_FILE
        self.url = url.rstrip("/")
        self.doc: dict[str, Any] = {"version": STATE_VERSION, "servers": {}}
        if self.path.exists():
            try:
                self.doc = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ToolkitError(
                    f"{self.path}: unreadable sync state ({exc}); move it away to start afresh"
                ) from None
            if self.doc.get("version", 0) > STATE_VERSION:
                raise ToolkitError(
                    f"{self.path}: sync state version {self.doc.get('version')} is newer than this toolkit"
                )
        self.server: dict[str, Any] = self.doc.setdefault("servers", {}).setdefault(self.url, {})
        for key in ("tasks", "predictions", "users", "pulled", "stance_controls"):
            self.server.setdefault(key, {})

    def __repr__(self) -> str:
        return f"<SyncState {self.path} {self.url} project={self.project_id} tasks={len(self.server['tasks'])}>"

    @property
    def project_id(self) -> int | None:
        return self.server.get("project_id")

    def save(self) -> None:
        """Atomically rewrite the state file (it never contains the token)."""
        atomic_write_text(self.path, json.dumps(self.doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def fingerprint(rec: Record) -> str:
    """Hash of a record's content (not its timestamp or provenance)."""
    body = json.dumps(rec.to_record(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:24]


def _key(rec: Record) -> str:
    return f"{rec.to_record()['type']}:{rec.id}"


def default_annotator_name(user: Any, taken: Iterable[str] = ()) -> str:
    """Annotator name for a Label Studio user: the e-mail's local part (``alice@x.org`` -> ``alice``)."""
    email = (getattr(user, "email", None) or "").strip()
    uname = (getattr(user, "username", None) or "").strip()
    base = email.split("@", 1)[0] if email else uname
    base = re.sub(r"[^A-Za-z0-9._@+-]", "_", base)
    if not base or base.startswith("model:") or base == "gold":
        base = f"ls-user-{getattr(user, 'id', '?')}"
    if base in set(taken):
        base = re.sub(r"[^A-Za-z0-9._@+-]", "_", email) or f"ls-user-{getattr(user, 'id', '?')}"
    return base


# ----------------------------------------------------------------------------- results


@dataclass
class PushResult:
    """What a push did."""

    project_id: int
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    predictions: int = 0
    batches: int = 0
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"<PushResult project {self.project_id}: {len(self.created)} new tasks, {len(self.unchanged)} unchanged, "
            f"{len(self.changed)} changed documents, {self.predictions} predictions>"
        )

    def summary(self) -> str:
        s = (
            f"Label Studio project {self.project_id}: {len(self.created)} new tasks in {self.batches} batches, "
            f"{len(self.unchanged)} already there, {self.predictions} predictions"
        )
        if self.changed:
            s += f"; {len(self.changed)} documents changed since they were pushed: {', '.join(self.changed[:5])}"
        return s


@dataclass
class PullResult:
    """What a pull did."""

    project_id: int
    tasks: int = 0
    annotations: int = 0
    put: int = 0
    deleted: int = 0
    unchanged: int = 0
    kept_local: int = 0
    realigned: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)

    def __repr__(self) -> str:
        return (
            f"<PullResult project {self.project_id}: {self.annotations} annotations in {self.tasks} tasks; "
            f"{self.put} put, {self.deleted} deleted, {self.unchanged} unchanged, {len(self.realigned)} realigned, "
            f"{len(self.conflicts)} conflicts, {len(self.problems)} problems>"
        )

    def summary(self) -> str:
        s = (
            f"pulled {self.annotations} annotations of {len(self.annotators)} annotators from {self.tasks} tasks: "
            f"{self.put} records written, {self.deleted} deleted, {self.unchanged} unchanged"
        )
        if self.kept_local:
            s += f", {self.kept_local} local edits kept"
        if self.realigned:
            s += f", {len(self.realigned)} regions realigned"
        if self.conflicts:
            s += f", {len(self.conflicts)} conflicts (Label Studio won)"
        if self.problems:
            s += f", {len(self.problems)} regions/items not stored (see problems)"
        return s


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
) -> PushResult:
    """Create a task for every document not yet in the Label Studio project (idempotent)."""
    state = SyncState(proj, client.url)
    client.whoami()
    pid = ensure_project(proj, client, state, new_project)
    res = PushResult(pid)
    docs = proj.documents()
    wanted = sorted(docs) if doc_ids is None else list(doc_ids)
    missing_docs = [d for d in wanted if d not in docs]
    if missing_docs:
        raise ToolkitError(f"{proj.path}: no such documents: {', '.join(missing_docs[:5])}")
    # The server is the source of truth: list what is there (also after an interrupted push).
    existing: dict[str, dict[str, Any]] = {}
    for page in client.iter_task_pages(pid, fields="all"):
        for task in page:
            data = task.data or {}
            did = data.get("doc_id")
            if not did:
                continue
            preds = {p.get("model_version") if isinstance(p, dict) else getattr(p, "model_version", None)
                     for p in (task.predictions or [])}  # fmt: skip
            existing[did] = {"task": int(task.id), "sha256": data.get("sha256"), "models": preds}
    models = _model_layers(proj) if with_predictions else {}
    todo: list[dict[str, Any]] = []
    for did in wanted:
        doc = docs[did]
        have = existing.get(did)
        if have is None:
            item: dict[str, Any] = {"data": _task_data(doc)}
            preds = [{"model_version": m, "result": r} for m, r in sorted(models.get(did, {}).items())]
            if preds:
                item["predictions"] = preds
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
    state.server["last_push"] = utc_now()
    state.save()
    return res


# ----------------------------------------------------------------------------- pull


def _user_names(client: LSClient, state: SyncState) -> dict[int, str]:
    names: dict[str, str] = state.server["users"]
    users = client.users()
    for u in sorted(users, key=lambda u: int(u.id)):
        if str(u.id) not in names:
            names[str(u.id)] = default_annotator_name(u, names.values())
    return {int(k): v for k, v in names.items()}


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

    def finish(self, complete_keys: Mapping[str, set[str]] | None = None) -> None:
        """Delete records pulled earlier that are no longer in Label Studio."""
        pulled: dict[str, dict[str, str]] = self.state.server["pulled"]
        for ann, base in pulled.items():
            gone = [k for k in base if k not in self.seen.get(ann, set())]
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


def pull(proj: Project, client: LSClient, page_size: int = 500, progress: bool = True) -> PullResult:
    """Bring the store up to date with the Label Studio project's annotations.

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
    controls: dict[str, str] = state.server["stance_controls"]
    docs = proj.documents()
    res = PullResult(pid)
    writer = _Writer(proj, state, res)
    omaps: dict[str, OffsetMap] = {}
    bar = tqdm(desc="pull", unit="task", disable=not progress)
    for page in client.iter_task_pages(pid, fields="all", page_size=page_size):
        by_ann: dict[str, list[Record]] = {}
        for task in page:
            res.tasks += 1
            data = task.data or {}
            did = data.get("doc_id")
            anns = [a for a in (task.annotations or []) if not a.get("was_cancelled")]
            if not anns:
                continue
            doc = docs.get(did) if did else None
            if doc is None:
                res.problems.append(
                    f"task {task.id}: document {did!r} is not in {proj.path}; its annotations were skipped"
                )
                continue
            if data.get("sha256") != doc.sha256:
                res.problems.append(
                    f"task {task.id}: document {did!r} changed since it was pushed (sha256 differs); annotations skipped"
                )
                continue
            omap = omaps.setdefault(did, OffsetMap(doc.text))
            for a in sorted(anns, key=lambda a: (a.get("updated_at") or "", a["id"])):
                uid = a.get("completed_by")
                uid = uid.get("id") if isinstance(uid, dict) else uid
                if uid is None or int(uid) not in users:
                    users = _user_names(client, state)
                ann = users.get(int(uid)) if uid is not None else None
                if ann is None:
                    res.problems.append(f"task {task.id}: annotation {a['id']} has no known user, skipped")
                    continue
                meta = {"ls": {"url": client.url, "project": pid, "task": int(task.id), "annotation": int(a["id"]),
                               "user": int(uid), "updated_at": a.get("updated_at")}}  # fmt: skip
                conv: Converted = from_ls_annotation(
                    a.get("result") or [], doc, proj.schema, ann, pid, int(a["id"]), controls, meta, omap
                )
                res.annotations += 1
                res.annotators.add(ann)
                res.realigned.extend(conv.realigned)
                res.problems.extend(conv.problems)
                by_ann.setdefault(ann, []).extend(conv.records)
        for ann, recs in by_ann.items():
            writer.apply(ann, recs)
        state.save()  # progress is durable page by page
        bar.update(len(page))
    bar.close()
    writer.finish()
    state.server["last_pull"] = utc_now()
    state.save()
    return res


def sync(proj: Project, client: LSClient, progress: bool = True) -> tuple[PushResult, PullResult]:
    """Push new documents and predictions, then pull annotations."""
    return push(proj, client, progress=progress), pull(proj, client, progress=progress)


def status(proj: Project, client: LSClient | None, url: str) -> dict[str, Any]:
    """Local sync state, and the server's view if ``client`` is given and reachable."""
    state = SyncState(proj, url)
    docs = proj.documents()
    tasks = state.server["tasks"]
    out: dict[str, Any] = {
        "url": state.url,
        "state_file": str(state.path),
        "project_id": state.project_id,
        "documents": len(docs),
        "pushed": sum(1 for d in docs if d in tasks),
        "not_pushed": sorted(d for d in docs if d not in tasks),
        "changed": sorted(d for d, t in tasks.items() if d in docs and t.get("sha256") != docs[d].sha256),
        "annotators": dict(sorted(state.server["users"].items())),
        "pulled_records": {a: len(b) for a, b in state.server["pulled"].items()},
        "last_push": state.server.get("last_push"),
        "last_pull": state.server.get("last_pull"),
    }
    if client is not None and state.project_id is not None:
        try:
            p = client.get_project(state.project_id)
            out["server"] = {
                "title": p.title,
                "tasks": getattr(p, "task_number", None),
                "annotations": getattr(p, "total_annotations_number", None),
            }
        except (LabelStudioError, LabelStudioNotFound) as exc:
            out["server_error"] = str(exc)
    return out
