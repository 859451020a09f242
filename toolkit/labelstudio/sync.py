"""Push documents to and pull annotations from Label Studio; the sync-state file.

One Label Studio project per toolkit project and server.  What the toolkit
knows about it lives in ``<project>/labelstudio.json`` (no secrets)::

    {"version": 1, "servers": {"http://127.0.0.1:8080": {
        "project_id": 7, "title": "...", "stance_controls": {"stance_0": "harbour plan"},
        "tasks": {"<doc id>": {"task": 12, "sha256": "..."}},
        "predictions": {"<doc id>": ["model:en_core_web_sm@3.8.0"]},
        "users": {"3": "alice"},                       # Label Studio user id -> annotator name
        "pulled": {"alice": {"span:ls:7:41:xYz": "<fingerprint>"}},
        "pushed": {"alice": {"<doc id>": {"annotation": 55, "task": 12, "sha": "<result hash>",
                                          "updated_at": "<LS updated_at>", "regions": ["s-3f2a..."]}}},
        "task_seen": {"12": "<task updated_at when last pulled>"},
        "pending": {"alice": {"<doc id>": {"task": 12, "user": 1}}},  # annotations being created by a push
        "token_user": 1,                              # Label Studio user id of the token (who pushes)
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

**Pushing annotations** (``push(..., annotations=True)``): the toolkit's
human records of one annotator in one document become ONE Label Studio
annotation (created by the token's user), tracked in ``pushed``; pushing
again updates it in place when the records changed and skips it otherwise.
Pull maps it back to the same toolkit annotator and the toolkit's own ids,
so a round trip writes nothing.  An annotation edited in Label Studio since
the last sync is never overwritten by a push (pull first: conflict rule).

**Which layer an annotation belongs to** is decided by the sync state only:
annotations the toolkit created (``pushed``) go back to the annotator they were
pushed for -- the only way into the ``gold`` or a ``model:`` layer from Label
Studio.  Every other annotation goes to its Label Studio user's annotator name
(never ``gold`` or ``model:...``).  The ``newslens:<annotator>`` marker a push
puts on regions is free text that any Label Studio user can type, so it is
trusted only to recover an annotation whose creation a push had announced in
``pending`` (same task, created by the token's user) but not recorded because it
was interrupted -- or for every annotation with ``trust_markers=True``.

**Incremental pull**: a light listing (``include=id,updated_at``) tells
which tasks changed since they were last pulled (``task_seen``); only those
are read with their annotations.  Creating, updating or deleting an
annotation bumps its task's ``updated_at`` in Label Studio 1.23, and deleted
tasks are missing from the listing, so updates and deletions are caught.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tqdm.auto import tqdm

from ..errors import ToolkitError
from ..model import GOLD, ClaimLink, Document, Span, Stance, is_model_annotator, new_id, utc_now
from ..store import AnnotatorState, Project, atomic_write_text
from .client import LabelStudioError, LabelStudioNotFound, LSClient
from .config import label_config, stance_control_name
from .convert import Converted, from_ls_annotation, span_id, to_ls_result
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
        for key in ("tasks", "predictions", "users", "pulled", "stance_controls", "pushed", "task_seen", "pending"):
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
    if not base or is_model_annotator(base) or base == GOLD:
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
    annotations_created: int = 0
    annotations_updated: int = 0
    annotations_deleted: int = 0
    annotations_unchanged: int = 0
    held_back: list[str] = field(default_factory=list)
    not_expressible: int = 0
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"<PushResult project {self.project_id}: {len(self.created)} new tasks, {len(self.unchanged)} unchanged, "
            f"{len(self.changed)} changed documents, {self.predictions} predictions, annotations "
            f"{self.annotations_created} created/{self.annotations_updated} updated/"
            f"{self.annotations_unchanged} unchanged/{len(self.held_back)} held back>"
        )

    def summary(self) -> str:
        s = (
            f"Label Studio project {self.project_id}: {len(self.created)} new tasks in {self.batches} batches, "
            f"{len(self.unchanged)} already there, {self.predictions} predictions"
        )
        if self.changed:
            s += f"; {len(self.changed)} documents changed since they were pushed: {', '.join(self.changed[:5])}"
        n_ann = self.annotations_created + self.annotations_updated + self.annotations_unchanged + len(self.held_back)
        if n_ann or self.annotations_deleted:
            s += (
                f"; annotations: {self.annotations_created} created, {self.annotations_updated} updated, "
                f"{self.annotations_deleted} deleted, {self.annotations_unchanged} unchanged"
            )
            if self.held_back:
                s += f", {len(self.held_back)} held back (changed in Label Studio: pull first)"
            if self.not_expressible:
                s += f", {self.not_expressible} records Label Studio cannot carry"
        return s


@dataclass
class PullResult:
    """What a pull did."""

    project_id: int
    tasks: int = 0
    tasks_listed: int = 0
    incremental: bool = False
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
            f"<PullResult project {self.project_id}: {self.annotations} annotations in {self.tasks} tasks "
            f"({'incremental' if self.incremental else 'full'}); "
            f"{self.put} put, {self.deleted} deleted, {self.unchanged} unchanged, {len(self.realigned)} realigned, "
            f"{len(self.conflicts)} conflicts, {len(self.problems)} problems>"
        )

    def summary(self) -> str:
        how = f"incremental: {self.tasks} of {self.tasks_listed} tasks read" if self.incremental else "full"
        s = (
            f"pulled {self.annotations} annotations of {len(self.annotators)} annotators from {self.tasks} tasks "
            f"({how}): "
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
            anns = {_as_id(a.get("id")): a for a in (task.annotations or []) if isinstance(a, dict)}
            anns.pop(None, None)
            existing[did] = {"task": int(task.id), "sha256": data.get("sha256"), "models": preds, "anns": anns}
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
    if annotations:
        on_server = {info["task"]: info["anns"] for info in existing.values()}
        push_annotations(proj, client, state, res, on_server, wanted, annotators, progress,
                         trust_markers=trust_markers)  # fmt: skip
    return res


def _as_id(value: Any) -> int | None:
    """A Label Studio id (int, or a string of digits) as an int; None for anything else."""
    if type(value) is int:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _user_of(a: Mapping[str, Any]) -> int | None:
    """The Label Studio user id of an annotation's ``completed_by`` (an id or a user object)."""
    uid = a.get("completed_by")
    return _as_id(uid.get("id") if isinstance(uid, Mapping) else uid)


def _announced(state: SyncState, name: str, doc_id: str, task_id: int, a: Mapping[str, Any]) -> bool:
    """True if a push announced (in ``pending``) creating ``name``'s annotation ``a`` on this task, by the token's user."""
    p = state.server["pending"].get(name, {}).get(doc_id)
    if not isinstance(p, Mapping) or _as_id(p.get("task")) != task_id:
        return False
    return p.get("user") is None or _user_of(a) == p.get("user")


def _forget_pending(state: SyncState, name: str, doc_id: str) -> None:
    per = state.server["pending"].get(name)
    if per is not None:
        per.pop(doc_id, None)
        if not per:
            del state.server["pending"][name]


# ----------------------------------------------------------------------------- push annotations

#: Marker put in ``meta.text`` of every region and stance a push sends: ``newslens:<annotator>``.
PROVENANCE_PREFIX = "newslens:"


def ls_timestamp(value: Any) -> str | None:
    """A Label Studio timestamp (datetime or ISO string) as one canonical UTC string."""
    if value is None or not isinstance(value, str | datetime):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def result_sha(result: list[dict[str, Any]]) -> str:
    """Hash of a Label Studio result list (what a push sent / would send)."""
    return hashlib.sha256(json.dumps(result, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:24]


def _ls_owner(rec: Record, url: str, pid: int) -> int | None:
    """The Label Studio annotation a record was pulled from, or None for a toolkit-made record."""
    m = (rec.meta or {}).get("ls") if rec.meta else None
    if isinstance(m, Mapping) and m.get("url") == url and m.get("project") == pid and m.get("annotation") is not None:
        return int(m["annotation"])
    return None


def provenance_of(result: Iterable[Mapping[str, Any]]) -> str | None:
    """The toolkit annotator named by the ``newslens:<name>`` marker of a result, if any."""
    if not isinstance(result, list | tuple):
        return None
    for item in result:
        meta = item.get("meta") if isinstance(item, Mapping) else None
        texts = meta.get("text") if isinstance(meta, Mapping) else None
        for t in texts if isinstance(texts, list) else []:
            if isinstance(t, str) and t.startswith(PROVENANCE_PREFIX):
                return t[len(PROVENANCE_PREFIX) :]
    return None


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
    pid = state.project_id
    assert pid is not None
    known = proj.annotators()
    names = sorted(a for a in known if not is_model_annotator(a)) if annotators is None else list(annotators)
    for name in names:
        if is_model_annotator(name):
            raise ToolkitError(f"{name}: model layers are pushed as predictions, not annotations")
        if name not in known:
            raise ToolkitError(f"{proj.path}: no annotator {name!r} (have: {', '.join(known) or 'none'})")
    wanted = set(doc_ids)
    tracked = {int(e["annotation"]) for per in state.server["pushed"].values() for e in per.values()}
    todo: list[tuple[str, str]] = []
    states = {}
    for name in names:
        cur = states[name] = proj.current(name)
        docs = {r.doc for r in (*cur.spans.values(), *cur.stances.values())} | set(state.server["pushed"].get(name, {}))
        todo.extend((name, d) for d in sorted(docs & wanted))
    bar = tqdm(total=len(todo), desc="push annotations", unit="annotation", disable=not progress or not todo)
    writes = 0
    for name, did in todo:
        bar.update(1)
        task = state.server["tasks"].get(did)
        if task is None or did in res.changed:
            continue
        entries: dict[str, dict[str, Any]] = state.server["pushed"].setdefault(name, {})
        base: dict[str, str] = state.server["pulled"].setdefault(name, {})
        entry = entries.get(did)
        server_anns = on_server.get(int(task["task"]), {})
        if entry is None:  # adopt an annotation an interrupted push created but did not record
            for aid, a in sorted(server_anns.items()):
                if (
                    aid not in tracked
                    and provenance_of(a.get("result") or []) == name
                    and (trust_markers or _announced(state, name, did, int(task["task"]), a))
                ):
                    _forget_pending(state, name, did)
                    entry = entries[did] = {"annotation": aid, "task": int(task["task"]), "sha": result_sha(a.get("result") or []),
                                            "updated_at": ls_timestamp(a.get("updated_at")), "regions": []}  # fmt: skip
                    tracked.add(aid)
                    break
        own = int(entry["annotation"]) if entry else None
        result, records, own_ids, skipped = annotation_records(proj, state, name, did, own, states[name])
        res.not_expressible += skipped
        sha = result_sha(result)
        if entry is not None:
            assert own is not None
            now = server_anns.get(own)
            if now is None:
                res.held_back.append(f"{name} {did}: annotation {own} was deleted in Label Studio; pull to apply it")
                continue
            if ls_timestamp(now.get("updated_at")) != entry["updated_at"]:
                res.held_back.append(
                    f"{name} {did}: annotation {own} was changed in Label Studio since the last sync; pull first"
                )
                continue
            if sha == entry["sha"]:
                res.annotations_unchanged += 1
                continue
            if not result:
                client.delete_annotation(own)
                del entries[did]
                res.annotations_deleted += 1
                writes += 1
                continue
            ann_obj = client.update_annotation(own, result)
            res.annotations_updated += 1
        else:
            if not result:
                continue
            # announce it first: if the push dies after Label Studio created it, the next sync adopts it
            state.server["pending"].setdefault(name, {})[did] = {"task": int(task["task"]),
                                                                 "user": state.server.get("token_user")}  # fmt: skip
            state.save()
            ann_obj = client.create_annotation(int(task["task"]), result)
            res.annotations_created += 1
            entry = entries[did] = {"annotation": int(ann_obj.id), "task": int(task["task"])}
            _forget_pending(state, name, did)
            tracked.add(int(ann_obj.id))
        entry.update(sha=sha, updated_at=ls_timestamp(ann_obj.updated_at), regions=own_ids)
        for rec in records:  # Label Studio now holds this version: the base of the conflict rule
            base[_key(rec)] = fingerprint(rec)
        writes += 1
        if writes % save_every == 0:
            state.save()
    bar.close()
    state.save()


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
    controls: dict[str, str] = state.server["stance_controls"]
    task_seen: dict[str, str | None] = state.server["task_seen"]
    pushed: dict[str, dict[str, dict[str, Any]]] = state.server["pushed"]
    docs = proj.documents()
    res = PullResult(pid)
    writer = _Writer(proj, state, res)
    omaps: dict[str, OffsetMap] = {}
    doc_of_task = {int(t["task"]): d for d, t in state.server["tasks"].items()}
    keep_docs: set[str] = set()
    gone_tasks: list[int] = []
    pages: Iterable[list[Any]]
    res.incremental = not full and bool(task_seen)
    if res.incremental:
        light = _light_listing(client, pid)
        res.tasks_listed = len(light)
        # tasks changed in Label Studio, plus tasks whose document changed in the toolkit (reported again)
        moved = {
            int(t["task"]) for d, t in state.server["tasks"].items() if d in docs and t.get("sha256") != docs[d].sha256
        }
        changed = [tid for tid, u in sorted(light.items()) if task_seen.get(str(tid)) != u or tid in moved]
        gone_tasks = [int(t) for t in task_seen if int(t) not in light]
        keep_docs = {d for t, d in doc_of_task.items() if t in light and t not in set(changed)}
        if len(changed) > max(50, len(light) // 4):  # reading them one by one would cost more than a listing
            res.incremental, keep_docs = False, set()
        else:
            pages = ([t] for t in map(client.get_task, changed) if t is not None)
    if not res.incremental:
        pages = client.iter_task_pages(pid, fields="all", page_size=page_size)
    listed: set[int] = set()
    bar = tqdm(desc="pull", unit="task", disable=not progress)
    for page in pages:
        by_ann: dict[str, list[Record]] = {}
        done: list[tuple[int, str | None]] = []
        for task in page:
            res.tasks += 1
            tid = _as_id(getattr(task, "id", None))
            if tid is None:
                res.problems.append(f"task {getattr(task, 'id', None)!r}: id is not a number; task skipped")
                continue
            listed.add(tid)
            data = task.data if isinstance(task.data, Mapping) else {}
            did = data.get("doc_id") if isinstance(data.get("doc_id"), str) else None
            anns, bad_anns = _usable_annotations(task.annotations, tid)
            res.problems.extend(bad_anns)
            doc = docs.get(did) if did else None
            if bad_anns and doc is not None:
                keep_docs.add(doc.id)  # do not delete what was pulled from an annotation we cannot read now
            if anns and doc is None:
                res.problems.append(
                    f"task {tid}: document {did!r} is not in {proj.path}; its annotations were skipped"
                )
                continue
            if doc is not None and data.get("sha256") != doc.sha256:
                keep_docs.add(doc.id)
                if anns:
                    res.problems.append(
                        f"task {tid}: document {did!r} changed since it was pushed (sha256 differs); "
                        "annotations skipped"
                    )
                continue
            if not bad_anns:  # a task with a malformed annotation is read again next time
                done.append((tid, ls_timestamp(task.updated_at)))
            _forget_pushed(pushed, tid, {aid for aid, _ in anns})
            if doc is None:
                continue
            omap = omaps.setdefault(doc.id, OffsetMap(doc.text))
            by_ann_pushed = {int(e["annotation"]): (n, d) for n, per in pushed.items() for d, e in per.items()}
            for aid, a in sorted(anns, key=lambda x: (str(x[1].get("updated_at") or ""), x[0])):
                uid = _user_of(a)
                mine = by_ann_pushed.get(aid)
                if mine is None:
                    mine = _adopt(state, a, aid, doc.id, tid, trust_markers)
                meta = {"ls": {"url": client.url, "project": pid, "task": tid, "annotation": aid,
                               "user": uid, "updated_at": ls_timestamp(a.get("updated_at"))}}  # fmt: skip
                record_id = None
                if mine is not None:
                    ann, entry = mine[0], pushed[mine[0]][mine[1]]
                    meta["ls"]["pushed_for"] = ann
                    regions = set(entry.get("regions") or [])

                    def record_id(rid: str, regions: set[str] = regions, aid: int = aid) -> str:
                        return rid if rid in regions else span_id(pid, aid, rid)
                else:
                    if uid is None or uid not in users:
                        users = _user_names(client, state)
                    ann = users.get(uid) if uid is not None else None  # type: ignore[assignment]
                    if ann is None:
                        res.problems.append(f"task {tid}: annotation {aid} has no known user, skipped")
                        continue
                conv: Converted = from_ls_annotation(
                    a.get("result") or [], doc, proj.schema, ann, pid, aid, controls, meta, omap, record_id
                )
                records = conv.records
                if mine is not None:
                    records = _with_local_extras(proj, records, writer._local(ann))
                    entry["updated_at"] = ls_timestamp(a.get("updated_at"))
                    entry["sha"] = _sha_of_records(proj, state, ann, doc.id, aid, records)
                res.annotations += 1
                res.annotators.add(ann)
                res.realigned.extend(conv.realigned)
                res.problems.extend(conv.problems)
                by_ann.setdefault(ann, []).extend(records)
        for ann, recs in by_ann.items():
            writer.apply(ann, recs)
        for tid, upd in done:
            task_seen[str(tid)] = upd
        state.save()  # progress is durable page by page
        bar.update(len(page))
    bar.close()
    if not res.incremental:
        gone_tasks = [int(t) for t in task_seen if int(t) not in listed]
    for tid in gone_tasks:  # deleted in Label Studio: their annotations are gone too
        task_seen.pop(str(tid), None)
        _forget_pushed(pushed, tid, set())
    if res.incremental:
        res.tasks_listed = res.tasks_listed or len(listed)
    writer.finish(keep_docs, keep_unknown=res.incremental)
    state.server["last_pull"] = utc_now()
    state.save()
    return res


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


def sync(
    proj: Project,
    client: LSClient,
    progress: bool = True,
    annotations: bool = False,
    full: bool = False,
    trust_markers: bool = False,
) -> tuple[PushResult, PullResult]:
    """Push new documents and predictions (and annotations if asked), then pull annotations."""
    pushed = push(proj, client, progress=progress, annotations=annotations, trust_markers=trust_markers)
    return pushed, pull(proj, client, progress=progress, full=full, trust_markers=trust_markers)


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
