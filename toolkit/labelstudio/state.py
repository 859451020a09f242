"""Label Studio sync state: the ``labelstudio.json`` file, record fingerprints, results, server values.

See :mod:`toolkit.labelstudio.sync` for the file's layout and the sync rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import ToolkitError
from ..model import GOLD, ClaimLink, Span, Stance, is_model_annotator
from ..store import Project, atomic_write_text
from .client import LSClient

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



def _user_names(client: LSClient, state: SyncState) -> dict[int, str]:
    names: dict[str, str] = state.server["users"]
    users = client.users()
    for u in sorted(users, key=lambda u: int(u.id)):
        if str(u.id) not in names:
            names[str(u.id)] = default_annotator_name(u, names.values())
    return {int(k): v for k, v in names.items()}


