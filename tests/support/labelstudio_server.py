"""Install and run a real Label Studio server for the integration tests and benchmark.

Label Studio pins many packages, so it lives in its own virtualenv,
``<repo>/.venv-labelstudio`` (gitignored).  :func:`ensure_label_studio` creates
it on first use (CI machines start fresh); :class:`LabelStudioServer` starts
``label-studio start`` on a free 127.0.0.1 port with a temporary data
directory and a known legacy API token, waits for ``/health``, can be stopped
and restarted on the *same* data directory, and is always killed at the end.

Example::

    with LabelStudioServer.temporary() as server:
        print(server.url, server.token)
        server.stop(); server.start()   # same database, same token
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LS_VENV = Path(os.environ.get("TOOLKIT_LS_VENV", REPO / ".venv-labelstudio"))
#: Version range the tests were written against (1.23.2 is the version we examined).
LS_REQUIREMENT = os.environ.get("TOOLKIT_LS_REQUIREMENT", "label-studio>=1.20,<1.24")
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "toolkit-admin-pw"  # test-only credentials of a throwaway local server
STARTUP_TIMEOUT = 240.0


class LabelStudioUnavailable(RuntimeError):
    """Label Studio could not be installed or did not come up (message has the log tail)."""


def _ls_bin(venv: Path) -> Path:
    return venv / "bin" / "label-studio"


def ensure_label_studio(venv: Path = LS_VENV, requirement: str = LS_REQUIREMENT) -> Path:
    """Return the ``label-studio`` executable, installing it into ``venv`` first if missing.

    A marker file is written only after a successful install, so an
    interrupted install is redone.  A file lock serialises concurrent callers.
    """
    marker = venv / ".toolkit-installed"
    if marker.exists() and _ls_bin(venv).exists():
        return _ls_bin(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    lock_path = venv.parent / f".{venv.name}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and _ls_bin(venv).exists():
            return _ls_bin(venv)
        if venv.exists():
            shutil.rmtree(venv)
        base_python = getattr(sys, "_base_executable", None) or sys.executable
        steps = [
            [base_python, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement],
        ]
        for cmd in steps:
            print(f"[labelstudio] {' '.join(cmd)}", file=sys.stderr, flush=True)
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise LabelStudioUnavailable(f"installing Label Studio failed ({' '.join(cmd)}): {proc.stderr[-2000:]}")
        marker.write_text(requirement + "\n")
    return _ls_bin(venv)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LabelStudioServer:
    """One ``label-studio`` process with its own data directory and API token."""

    def __init__(self, data_dir: Path, port: int | None = None, token: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.token = token or secrets.token_hex(20)  # 40 hex characters
        self.email = ADMIN_EMAIL
        self.password = ADMIN_PASSWORD
        self.log_path = self.data_dir / "server.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._owns_dir = False

    @classmethod
    def temporary(cls) -> LabelStudioServer:
        """A server on a fresh temporary data directory, deleted when the server is closed."""
        server = cls(Path(tempfile.mkdtemp(prefix="toolkit-ls-")))
        server._owns_dir = True
        return server

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<LabelStudioServer {self.url} {state} data={self.data_dir}>"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_"))}
        env.update(
            LABEL_STUDIO_BASE_DATA_DIR=str(self.data_dir),
            LABEL_STUDIO_USERNAME=self.email,
            LABEL_STUDIO_PASSWORD=self.password,
            LABEL_STUDIO_USER_TOKEN=self.token,
            LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
            LATEST_VERSION_CHECK="false",
            COLLECT_ANALYTICS="false",
            PYTHONUNBUFFERED="1",
        )
        return env

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"

    def start(self, timeout: float = STARTUP_TIMEOUT) -> LabelStudioServer:
        """Start the server (installing Label Studio if needed) and wait for ``/health``."""
        if self.running:
            return self
        exe = ensure_label_studio()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [str(exe), "start", "--no-browser", "--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self._proc = subprocess.Popen(
                cmd, env=self.env(), stdout=log, stderr=subprocess.STDOUT, cwd=self.data_dir, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise LabelStudioUnavailable(
                    f"label-studio exited with code {self._proc.returncode} before {self.url}/health "
                    f"answered; log tail:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(1.0)
        self.stop()
        raise LabelStudioUnavailable(
            f"Label Studio at {self.url} did not answer /health within {timeout:.0f} s; log tail:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server process group (SIGTERM, then SIGKILL); the data directory stays."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """Kill the server abruptly (SIGKILL), as a crash or a power cut would."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=20)

    def create_user(self, email: str, password: str = "toolkit-user-pw1") -> tuple[int, str]:
        """Create a second Label Studio user; return ``(user id, API token)``.

        The user is created through the API with the admin token; Label
        Studio has no API that hands out another user's token, so the token
        is made with DRF's ``drf_create_token`` management command run in the
        Label Studio virtualenv on the same data directory.
        """
        from label_studio_sdk import LabelStudio

        admin = LabelStudio(base_url=self.url, api_key=self.token)
        user = admin.users.create(username=email.split("@")[0], email=email, password=password)
        manage = next(LS_VENV.glob("lib/python*/site-packages/label_studio/manage.py"))
        env = {**self.env(), "DJANGO_SETTINGS_MODULE": "core.settings.label_studio"}
        proc = subprocess.run(
            [str(LS_VENV / "bin" / "python"), str(manage), "drf_create_token", email],
            env=env, capture_output=True, text=True, cwd=self.data_dir, timeout=120,
        )  # fmt: skip
        found = [w for w in proc.stdout.split() if len(w) == 40 and all(c in "0123456789abcdef" for c in w)]
        if proc.returncode != 0 or not found:
            raise LabelStudioUnavailable(f"drf_create_token failed for {email}: {proc.stderr[-1000:]}")
        return int(user.id), found[0]

    def restart(self) -> LabelStudioServer:
        """Stop and start again on the same port and data directory."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop the server and remove its data directory if it was temporary."""
        self.stop()
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LabelStudioServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
