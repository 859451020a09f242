"""Push documents to and pull annotations from Label Studio; the sync-state file.

The work is split by concern: :mod:`.state` (the state file, fingerprints, results),
:mod:`.push` and :mod:`.pull`; this module re-exports their names and adds :func:`sync`
and :func:`status`.

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

from typing import Any

from ..store import Project
from .client import LabelStudioError, LabelStudioNotFound, LSClient
from .pull import (
    _adopt,
    _forget_pushed,
    _light_listing,
    _sha_of_records,
    _usable_annotations,
    _with_local_extras,
    _Writer,
    pull,
)
from .push import _model_layers, _task_data, annotation_records, ensure_project, push, push_annotations
from .state import (
    PROVENANCE_PREFIX,
    STATE_FILE,
    STATE_VERSION,
    PullResult,
    PushResult,
    Record,
    SyncState,
    _announced,
    _as_id,
    _forget_pending,
    _key,
    _ls_owner,
    _user_names,
    _user_of,
    default_annotator_name,
    fingerprint,
    ls_timestamp,
    provenance_of,
    result_sha,
)

__all__ = [
    "PROVENANCE_PREFIX", "STATE_FILE", "STATE_VERSION", "PullResult", "PushResult", "Record", "SyncState",
    "_Writer", "_adopt", "_announced", "_as_id", "_forget_pending", "_forget_pushed", "_key", "_light_listing",
    "_ls_owner", "_model_layers", "_sha_of_records", "_task_data", "_usable_annotations", "_user_names", "_user_of",
    "_with_local_extras", "annotation_records", "default_annotator_name", "ensure_project", "fingerprint",
    "ls_timestamp", "provenance_of", "pull", "push", "push_annotations", "result_sha", "status", "sync",
]  # fmt: skip

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

