"""Shared test setup: every test runs with a clean environment and its own config folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fake_sheets_api import FakeSheetsAPI

if TYPE_CHECKING:
    from smtp_server import MailServer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No SHEETS_SYNC_* or Google variables from the developer's shell leak into a test, and
    the user config folder is a fresh temporary one."""
    for name in list(os.environ):
        if name.startswith("SHEETS_SYNC_") or name in ("GOOGLE_APPLICATION_CREDENTIALS",):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SHEETS_SYNC_HOME", str(home))
    return home


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeSheetsAPI]:
    """The fake Sheets API, with the environment pointing the tool at it and a throwaway key."""
    with FakeSheetsAPI() as fake:
        monkeypatch.setenv("SHEETS_SYNC_GOOGLE_API_ENDPOINT", fake.url)
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(fake.service_account_file(tmp_path)))
        yield fake


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[MailServer]:
    """The test mail server (aiosmtpd on 127.0.0.1), keeping what it receives under tmp_path/smtp."""
    from smtp_server import MailServer  # here: most tests send no mail and need no aiosmtpd

    server = MailServer(tmp_path / "smtp")
    yield server
    server.stop()


def shared_path(*parts: str) -> Path:
    """A path in ../shared, skipping the test when the folder is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared folder only exists on the developers' machines)")
    return path
