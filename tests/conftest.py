"""Shared test setup: every test runs with a clean environment and its own config folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


def shared_path(*parts: str) -> Path:
    """A path in ../shared, skipping the test when the folder is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared folder only exists on the developers' machines)")
    return path
