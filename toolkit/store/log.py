"""The record log: one append-only JSON Lines file per annotator (append, read, repair)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ..model import check_annotator, utc_now
from ..validation import event_problem
from .files import annotator_filename, atomic_write_text, file_lock, fsync_dir, gc_paused, write_all

try:  # orjson parses record lines several times faster; the stdlib is the fallback
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover
    _fast_loads = cast(Any, json.loads)  # orjson.loads' type also takes memoryview; only bytes are passed
_FastDecodeError = json.JSONDecodeError  # orjson's JSONDecodeError is a subclass

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
#: Bytes of a log parsed at a time by :meth:`RecordLog.stream`.
STREAM_BLOCK = 1 << 20


def _read_at(fd: int, offset: int) -> bytes:
    """One byte at ``offset`` (``os.pread`` where it exists; a seek elsewhere, fine under the writers' lock)."""
    if hasattr(os, "pread"):
        return os.pread(fd, 1, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows; appends still go to the end (O_APPEND)
    return os.read(fd, 1)  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a project's files, with where it is."""

    file: str
    line: int | None
    annotator: str | None
    record_id: str | None
    kind: str
    message: str

    def __str__(self) -> str:
        at = f"{self.file}:{self.line}" if self.line else self.file
        return f"{at}: {self.kind}: {self.message}"


@dataclass
class _LogCache:
    inode: int = -1
    offset: int = 0  # bytes consumed (always just after a newline)
    lineno: int = 0  # lines consumed
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    bad: list[Problem] = field(default_factory=list)  # unparseable complete lines
    tail: Problem | None = None  # torn last line, if any


class RecordLog:
    """The append-only JSON Lines log of one annotator.

    Reads are incremental: a second :meth:`read` only parses bytes appended
    since the first.
    """

    def __init__(self, records_dir: Path, annotator: str) -> None:
        self.annotator = check_annotator(annotator)
        self.path = records_dir / annotator_filename(annotator)
        self.lock_path = records_dir / f".{annotator_filename(annotator)[:-6]}.lock"
        self._cache = _LogCache()

    def __repr__(self) -> str:
        return f"<RecordLog {self.annotator!r} at {self.path}>"

    # -- writing
    def append(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Append events as lines; durable (fsync) when this returns."""
        if not events:
            return
        payload = b"".join(
            json.dumps(ev, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for ev in events
        )
        with file_lock(self.lock_path):
            created = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _O_BINARY, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and _read_at(fd, size - 1) != b"\n":
                    # A crash left a torn last line: keep it on its own line so
                    # it cannot corrupt this record; readers report it.
                    payload = b"\n" + payload
                write_all(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                fsync_dir(self.path.parent)

    # -- reading
    def read(self) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
        """Return ``([(line_number, event), ...], problems)`` for the whole log (valid events only)."""
        with gc_paused():
            return self._read()

    def _read(self) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
        c = self._cache
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed by the with-block just below
        except FileNotFoundError:
            self._cache = _LogCache()
            return [], []
        with fh:
            st = os.fstat(fh.fileno())
            if st.st_ino != c.inode or st.st_size < c.offset:
                c = self._cache = _LogCache(inode=st.st_ino)
            fh.seek(c.offset)
            data = fh.read()
        c.tail = None
        if data:
            complete_end = data.rfind(b"\n") + 1
            rest = data[complete_end:]
            c.lineno = self._parse_lines(data[:complete_end], c.lineno, c.events, c.bad)
            c.offset += complete_end
            if rest:
                c.tail = self._torn(c.lineno, len(rest))
        problems = list(c.bad) + ([c.tail] if c.tail else [])
        return c.events, problems

    def stream(
        self, problems: list[Problem], block_size: int = STREAM_BLOCK
    ) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        """The log's valid events, block by block, without keeping them (for one pass over a large log).

        Yields lists of ``(line_number, event)``; unusable lines are appended to ``problems``
        as :meth:`read` reports them.  Nothing is cached: each call reads the file again.
        """
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed by the with-block just below
        except FileNotFoundError:
            return
        lineno, rest = 0, b""
        with fh:
            while data := fh.read(block_size):
                data, rest = rest + data, b""
                complete_end = data.rfind(b"\n") + 1
                rest = data[complete_end:]
                if complete_end:
                    events: list[tuple[int, dict[str, Any]]] = []
                    lineno = self._parse_lines(data[:complete_end], lineno, events, problems)
                    del data
                    yield events
        if rest:
            problems.append(self._torn(lineno, len(rest)))

    def _torn(self, lineno: int, size: int) -> Problem:
        return Problem(
            str(self.path),
            lineno + 1,
            self.annotator,
            None,
            "torn-line",
            f"last line is incomplete ({size} bytes, no newline): a write was interrupted; "
            "run `toolkit repair` to set it aside",
        )

    def _parse_lines(
        self, body: bytes, lineno: int, events: list[tuple[int, dict[str, Any]]], bad: list[Problem]
    ) -> int:
        """Parse complete lines numbered after ``lineno``: valid events to ``events``, the rest to ``bad``.

        Returns the number of the last line parsed.
        """
        numbered = [(lineno + i, raw) for i, raw in enumerate(body.split(b"\n")[:-1], 1) if raw.strip()]
        lineno += body.count(b"\n")
        try:  # fast path: the whole batch of lines as one JSON array
            parsed = _fast_loads(b"[" + b",".join(raw for _, raw in numbered) + b"]")
        except (_FastDecodeError, ValueError):
            parsed = None
        if parsed is not None and len(parsed) == len(numbered):
            problem, ann, append = event_problem, self.annotator, events.append
            for (n, _), ev in zip(numbered, parsed, strict=True):
                if problem(ev, ann) is None:
                    append((n, ev))
                else:
                    self._check_event(ev, n, bad)
        else:  # some line is broken: parse one by one to find and report it
            for n, raw in numbered:
                ev = self._parse(raw, n, bad)
                if ev is not None:
                    events.append((n, ev))
        return lineno

    def _parse(self, raw: bytes, lineno: int, bad: list[Problem]) -> dict[str, Any] | None:
        if not raw.strip():
            return None
        try:
            ev = _fast_loads(raw)
        except (_FastDecodeError, ValueError, UnicodeDecodeError) as exc:
            bad.append(
                Problem(str(self.path), lineno, self.annotator, None, "corrupt-line", f"not a JSON record ({exc})")
            )
            return None
        return ev if self._check_event(ev, lineno, bad) else None

    def _check_event(self, ev: Any, lineno: int, bad: list[Problem]) -> bool:
        """True if ``ev`` is a valid event (:func:`toolkit.validation.event_problem`); else report it."""
        what = event_problem(ev, self.annotator)
        if what is None:
            return True
        oid = ev.get("id") if isinstance(ev, dict) else None
        bad.append(
            Problem(str(self.path), lineno, self.annotator, oid if isinstance(oid, str) else None, "invalid-record", what)
        )
        return False

    def repair(self) -> int:
        """Set aside unusable lines (torn, corrupt or invalid records) in a side file; return how many.

        The log is rewritten atomically under the writers' lock with every
        valid line kept byte for byte, in order.  The removed lines are saved to
        ``<log>.torn-<timestamp>`` so nothing is lost.
        """
        with file_lock(self.lock_path):
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                return 0
            keep: list[bytes] = []
            removed: list[bytes] = []
            for raw in data.split(b"\n"):
                if not raw.strip():
                    continue
                if self._parse(raw, 0, []) is None:
                    removed.append(raw)
                else:
                    keep.append(raw)
            if not removed:
                return 0
            stamp = utc_now().replace(":", "").replace("-", "").replace("+0000", "Z")
            side = self.path.with_name(f"{self.path.name}.torn-{stamp}")
            side.write_bytes(b"\n".join(removed) + b"\n")
            with open(side, "rb") as fh:
                os.fsync(fh.fileno())
            atomic_write_text(self.path, "".join(line.decode("utf-8") + "\n" for line in keep))
            self._cache = _LogCache()
            return len(removed)
