"""File helpers of the store: atomic writes, locks, fsync, stale temporary files, JSON files.

Used by the record logs, the project and by other modules that write project files
(exporters, settings).  Nothing here knows about records.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import stat
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from filelock import FileLock

from ..errors import CorruptFileError, NotFoundError

try:  # POSIX: temporary files are flock'ed while written (see clean_stale_temp_files)
    import fcntl
except ImportError:  # Windows: an open file cannot be removed, which gives the same guarantee
    fcntl = None  # type: ignore[assignment]

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def lock_fd(fd: int) -> None:
    """Hold an exclusive advisory lock on an open file until it is closed (POSIX ``flock``).

    Without ``fcntl`` (Windows) this does nothing: there, a file another process holds
    open cannot be removed, so :func:`clean_stale_temp_files` still cannot touch it.
    """
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def try_lock_fd(fd: int) -> bool:
    """Take the lock of :func:`lock_fd` without waiting; False if another process holds it."""
    if fcntl is None:
        return True  # removal of a file a writer holds open fails instead (caught by the caller)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def fsync_dir(path: Path) -> None:
    """fsync a directory so that a new or renamed entry in it is durable."""
    if os.name == "nt":  # pragma: no cover - directories cannot be opened (nor need fsync) there
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: temp file, fsync, rename, fsync dir.

    Readers see either the old or the new content, never a mix, even after a crash.
    The file keeps the mode of the file it replaces (new files: ``0o666`` less the umask,
    like ``open()``), not the private mode of the temporary file.
    """
    atomic_write_many([(Path(path), text.encode("utf-8"))])


def atomic_write_many(items: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files atomically, each as :func:`atomic_write_text` does, with one fsync per folder.

    Every file's data is fsync'd before it is renamed into place, so each file is
    either its old or its new content after a crash; the folders are fsync'd once
    at the end, so all the new names are durable when this returns.  A batch that
    fails part way leaves the files already renamed, whole, and no temporary files.
    """
    pending: list[tuple[int, str, Path]] = []  # (fd, temporary file, target) written but not yet renamed
    try:
        for path, data in items:
            pending.append(_write_temp(Path(path), data))
        pending.reverse()  # renamed in the order given, popped from the end
        while pending:
            fd, tmp, path = pending[-1]
            if fcntl is None:  # Windows cannot rename a file that is open
                os.close(fd)
                pending[-1] = fd, tmp, path = -1, tmp, path
            os.replace(tmp, path)
            pending.pop()
            if fd >= 0:
                os.close(fd)  # the lock goes with it: the file is no longer temporary
    finally:
        for fd, tmp, _ in pending:
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    for folder in {Path(path).parent for path, _ in items}:
        fsync_dir(folder)


def _write_temp(path: Path, data: bytes) -> tuple[int, str, Path]:
    """Write ``data`` to a locked, fsync'd temporary file beside ``path``; ``(fd, temp name, path)``."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        # Locked until renamed: clean_stale_temp_files() never removes a file being written.
        lock_fd(fd)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        else:  # pragma: no cover - Windows before Python 3.13
            os.chmod(tmp, mode)
        write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return fd, tmp, path


TEMP_SUFFIX = ".tmp"
#: Names ``atomic_write_text`` gives its temporary files: ``.<target name>.<8 random chars>.tmp``.
TEMP_NAME_RE = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
STALE_TEMP_AGE = 300.0  # seconds


def clean_stale_temp_files(folder: Path, max_age: float = STALE_TEMP_AGE) -> list[Path]:
    """Remove temporary files a killed :func:`atomic_write_text` left in ``folder``; return them.

    Only files named like its temporary files, last modified more than ``max_age``
    seconds ago, and not locked: a writer holds an exclusive ``flock`` on its
    temporary file until it is renamed (on Windows it holds the file open, which
    makes removal fail), so a file being written is never touched.
    Files that cannot be removed (read-only project) are left alone.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.endswith(TEMP_SUFFIX) and TEMP_NAME_RE.match(entry.name)):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or now - entry.stat(follow_symlinks=False).st_mtime < max_age:
                continue
            if fcntl is None:  # a writer holds its file open: removing it then fails (and is skipped)
                os.unlink(entry.path)
                removed.append(Path(entry.path))
                continue
            fd = os.open(entry.path, os.O_RDONLY | _O_NOFOLLOW | _O_BINARY)
        except OSError:
            continue
        try:
            if try_lock_fd(fd) and os.fstat(fd).st_ino == os.stat(entry.path, follow_symlinks=False).st_ino:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # locked by a live writer, already gone, or not ours to remove
            pass
        finally:
            os.close(fd)
    return removed


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk build of many small containers.

    Loading 100,000 records creates hundreds of thousands of dicts and tuples, none of
    them in reference cycles; without the pause, collections triggered by the
    allocations scan the growing heap again and again (about half of the load time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the lock file ``path`` (created if missing) for the block.

    A :class:`filelock.FileLock`: ``flock`` on POSIX, ``msvcrt`` locking on Windows; a
    process that dies holding it releases it.  Not re-entrant across calls: a second
    ``file_lock`` on the same path waits, also in the same process.
    """
    with FileLock(os.fspath(path)):
        yield


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def annotator_filename(annotator: str) -> str:
    """File name of an annotator's record log (percent-encoded name + ``.jsonl``)."""
    return urllib.parse.quote(annotator, safe="@._-") + ".jsonl"


def annotator_from_filename(name: str) -> str:
    return urllib.parse.unquote(name[: -len(".jsonl")])


def read_json_file(path: Path) -> Any:
    """Parse a JSON file, turning any failure into a CorruptFileError naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: file not found") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CorruptFileError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise CorruptFileError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
