"""A small wrapper around ``label_studio_sdk.LabelStudio``: token lookup, retries, clear errors.

* The API token comes from the environment variable ``LABEL_STUDIO_API_KEY``
  or from ``~/.config/newslens/labelstudio.toml`` (outside any repository)::

      token = "..."                      # used for every server
      [servers."http://127.0.0.1:8080"]  # or per server URL
      token = "..."

  It is never written to the project folder, notebooks or logs, and it never
  appears in error messages or ``repr``.
* Transient failures (connection refused or reset, timeouts, HTTP 429/5xx)
  are retried with exponential backoff; then a one-line
  :class:`LabelStudioError` says what failed and where.
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.core.pagination import SyncPager

from ..errors import NotFoundError, ToolkitError

T = TypeVar("T")

TOKEN_ENV = "LABEL_STUDIO_API_KEY"
CONFIG_ENV = "NEWSLENS_LABELSTUDIO_CONFIG"
TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})
TRANSIENT_EXC = (httpx.TransportError,)  # connect/read/write errors, timeouts, protocol errors


class LabelStudioError(ToolkitError):
    """Label Studio could not be reached or refused a request (one-line message)."""


class LabelStudioNotFound(LabelStudioError, NotFoundError):
    """A Label Studio object (usually the project) does not exist (any more)."""


def user_config_path() -> Path:
    """``$NEWSLENS_LABELSTUDIO_CONFIG`` or ``~/.config/newslens/labelstudio.toml``."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "newslens" / "labelstudio.toml"


def resolve_token(url: str) -> str:
    """The API token for ``url``: env var first, then the user config file."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    path = user_config_path()
    if path.exists():
        try:
            conf = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise LabelStudioError(f"cannot read {path}: {exc}") from None
        per_server = conf.get("servers", {}).get(url.rstrip("/"), {})
        token = str(per_server.get("token") or conf.get("token") or "").strip()
        if token:
            return token
    raise LabelStudioError(f'no Label Studio API token for {url}: set {TOKEN_ENV} or put token = "..." in {path}')


def redact(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` (and of its URL-quoted form) replaced by ``***``.

    Servers and proxies sometimes echo request headers or URLs in error bodies.
    """
    if not secret or len(secret) < 4:
        return text
    import urllib.parse

    for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}:
        text = text.replace(form, "***")
    return text


def _detail(exc: ApiError) -> str:
    body = exc.body
    if isinstance(body, dict):
        for key in ("detail", "validation_errors", "message"):
            if body.get(key):
                return str(body[key])[:300]
        return str(body)[:300]
    return str(body)[:300] if body else ""


class LSClient:
    """Label Studio API access with retries and toolkit errors.

    ``retries`` transient failures are retried, sleeping ``backoff * 2**k``
    seconds (capped at ``max_sleep``) before attempt ``k + 1``.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        retries: int = 5,
        backoff: float = 0.5,
        max_sleep: float = 8.0,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise LabelStudioError(f"Label Studio URL must start with http:// or https://, got {url!r}")
        self._token = token or resolve_token(self.url)
        self.retries = retries
        self.backoff = backoff
        self.max_sleep = max_sleep
        self.sleep = sleep
        self.attempts_retried = 0
        self.sdk = LabelStudio(base_url=self.url, api_key=self._token, timeout=timeout, max_retries=0)

    def __repr__(self) -> str:  # never show the token
        return f"<LSClient {self.url} retries={self.retries}>"

    # -- error handling
    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run ``fn`` (one API request), retrying transient failures; ``what`` names it in errors.

        Error messages never contain the token, even if the server echoes it.
        """
        try:
            return self._call(what, fn)
        except LabelStudioError as exc:
            clean = redact(str(exc), self._token)
            if clean == str(exc):
                raise
            raise type(exc)(clean) from None

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        attempt = 0
        while True:
            try:
                return fn()
            except ApiError as exc:
                status = exc.status_code or 0
                if status in (401, 403):
                    raise LabelStudioError(
                        f"Label Studio at {self.url} rejected the API token (HTTP {status}) while {what}: "
                        f"check {TOKEN_ENV} or {user_config_path()}"
                    ) from None
                if status == 404:
                    raise LabelStudioNotFound(f"Label Studio at {self.url}: not found while {what}") from None
                if status not in TRANSIENT_STATUS or attempt >= self.retries:
                    raise LabelStudioError(
                        f"Label Studio at {self.url} answered HTTP {status} while {what}: {_detail(exc)}"
                    ) from None
                reason = f"HTTP {status}"
            except TRANSIENT_EXC as exc:
                if attempt >= self.retries:
                    raise LabelStudioError(
                        f"cannot reach Label Studio at {self.url} while {what}: "
                        f"{type(exc).__name__} after {attempt + 1} attempts"
                    ) from None
                reason = type(exc).__name__
            delay = min(self.backoff * 2**attempt, self.max_sleep)
            attempt += 1
            self.attempts_retried += 1
            _ = reason  # kept for debugging; messages never include the token
            self.sleep(delay)

    # -- API used by push/pull
    def whoami(self) -> Any:
        return self.call("checking the API token", lambda: self.sdk.users.whoami())

    def users(self) -> list[Any]:
        return list(self.call("listing users", lambda: self.sdk.users.list()))

    def get_project(self, project_id: int) -> Any:
        try:
            return self.call(f"reading project {project_id}", lambda: self.sdk.projects.get(id=project_id))
        except LabelStudioNotFound:
            raise LabelStudioNotFound(
                f"Label Studio project {project_id} no longer exists at {self.url} "
                "(deleted?); push again with --new-project to create a fresh one"
            ) from None

    def create_project(self, title: str, label_config: str, description: str = "") -> Any:
        return self.call(
            f"creating project {title!r}",
            lambda: self.sdk.projects.create(title=title, label_config=label_config, description=description),
        )

    def update_label_config(self, project_id: int, label_config: str) -> Any:
        return self.call(
            f"updating the labeling config of project {project_id}",
            lambda: self.sdk.projects.update(id=project_id, label_config=label_config),
        )

    def iter_task_pages(
        self, project_id: int, fields: str = "all", page_size: int = 500, include: str | None = None
    ) -> Iterator[list[Any]]:
        """Yield the project's tasks page by page (each page request is retried on its own).

        ``include="id,updated_at"`` asks for those fields only (a light listing).
        """
        page = 1
        seen = 0
        extra: dict[str, Any] = {"include": include} if include else {}
        while True:
            try:
                pager: SyncPager[Any, Any] = self.call(  # the SDK's tasks.list() says SyncPagerExt[Never]
                    f"listing tasks of project {project_id} (page {page})",
                    lambda: self.sdk.tasks.list(project=project_id, fields=fields, page=page, page_size=page_size,  # noqa: B023
                                                **extra),
                )  # fmt: skip
            except LabelStudioNotFound:
                if page == 1:
                    self.get_project(project_id)  # raises a clear message if the project is gone
                return  # Django answers 404 "Invalid page." past the last page
            items = list(pager.items or [])
            total = getattr(pager.response, "total", None) if pager.response is not None else None
            yield items
            seen += len(items)
            if not items or len(items) < page_size or (total is not None and seen >= total):
                return
            page += 1

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> list[int]:
        res = self.call(
            f"importing {len(tasks)} tasks into project {project_id}",
            # The SDK types ``request`` as ImportApiRequest models and its response without ``task_ids``;
            # it sends plain task dicts as JSON, and the server adds task_ids when return_task_ids is set.
            lambda: self.sdk.projects.import_tasks(id=project_id, request=tasks, return_task_ids=True),  # type: ignore[arg-type]
        )
        return list(res.task_ids or [])  # type: ignore[attr-defined]

    def create_prediction(self, task_id: int, result: list[dict[str, Any]], model_version: str) -> Any:
        return self.call(
            f"adding a prediction to task {task_id}",
            lambda: self.sdk.predictions.create(task=task_id, result=result, model_version=model_version),
        )

    def get_task(self, task_id: int) -> Any:
        """One task with its annotations (None if it was deleted)."""
        try:
            return self.call(f"reading task {task_id}", lambda: self.sdk.tasks.get(id=str(task_id)))
        except LabelStudioNotFound:
            return None

    def create_annotation(self, task_id: int, result: list[dict[str, Any]]) -> Any:
        return self.call(
            f"adding an annotation to task {task_id}",
            lambda: self.sdk.annotations.create(id=task_id, result=result),
        )

    def update_annotation(self, annotation_id: int, result: list[dict[str, Any]]) -> Any:
        return self.call(
            f"updating annotation {annotation_id}",
            lambda: self.sdk.annotations.update(id=annotation_id, result=result),
        )

    def delete_annotation(self, annotation_id: int) -> None:
        try:
            self.call(f"deleting annotation {annotation_id}", lambda: self.sdk.annotations.delete(id=annotation_id))
        except LabelStudioNotFound:
            pass  # already gone: the goal is reached
