"""A real Label Studio server for the integration tests (installed into .venv-labelstudio if missing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.labelstudio_server import LabelStudioServer


@pytest.fixture(scope="package")
def ls_server() -> Iterator[LabelStudioServer]:
    """One Label Studio server for the whole session, killed at the end (never skipped)."""
    server = LabelStudioServer.temporary()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="package")
def ls_second_user(ls_server: LabelStudioServer) -> tuple[int, str]:
    """``(user id, token)`` of a second Label Studio user, ``ben@example.com``."""
    return ls_server.create_user("ben@example.com")
