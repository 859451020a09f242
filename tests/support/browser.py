"""Start Debian's Chromium through Playwright for the browser tests.

The test command installs ``chromium`` with apt; Playwright's own browser
download cannot be used on this machine, so we always point Playwright at the
system binary.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Return the Chromium executable, or raise with the command that installs it."""
    path = os.environ.get("TOOLKIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        raise RuntimeError(
            f"Chromium not found at {path!r}: run `apt-get install -y chromium` "
            "(the README's test command does this)"
        )
    return path


_PLAYWRIGHT: Any = None


def _playwright() -> Any:
    """One Playwright driver per process, shared by every launch.

    Playwright's sync API refuses a second ``sync_playwright()`` while one is
    running in the same thread, and session-scoped fixtures keep one running; so
    all launches share this driver, stopped when the process exits.
    """
    global _PLAYWRIGHT
    if _PLAYWRIGHT is None:
        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT = sync_playwright().start()
        atexit.register(_PLAYWRIGHT.stop)
    return _PLAYWRIGHT


@contextmanager
def launch_browser(**context_kwargs: Any) -> Iterator[Any]:
    """Yield a Playwright ``BrowserContext`` on headless Debian Chromium.

    Example::

        with launch_browser(viewport={"width": 1200, "height": 800}) as ctx:
            page = ctx.new_page()
            page.goto("http://127.0.0.1:8888/lab")
    """
    profile = tempfile.mkdtemp(prefix="toolkit-chromium-")
    ctx = _playwright().chromium.launch_persistent_context(
        profile,
        executable_path=chromium_path(),
        headless=True,
        args=CHROMIUM_ARGS,
        **context_kwargs,
    )
    try:
        yield ctx
    finally:
        ctx.close()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot_path(name: str) -> Path:
    """Where a test writes a screenshot.

    ``test-artifacts/screenshots/`` (ignored by git) by default, so a test run leaves a clean
    clone clean; ``docs/img/`` (the README's pictures) when ``TOOLKIT_REFRESH_SCREENSHOTS=1``.
    """
    repo = Path(__file__).resolve().parents[2]
    refresh = os.environ.get("TOOLKIT_REFRESH_SCREENSHOTS", "") not in ("", "0")
    out = repo / "docs" / "img" / name if refresh else repo / "test-artifacts" / "screenshots" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    return out
