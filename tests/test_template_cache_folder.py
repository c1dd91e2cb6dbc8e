"""The compiled templates' folder in the temporary folder (``_jinja2-cache-<uid>``): used only
when it is a plain folder of this user's that only this user may use. Jinja2's own default
repairs what it finds there (chmod 0700, following a symlink) and then trusts the files in
it: a symlink another user planted in /tmp made the folder it points to 0700, and files
written while the folder was open to others would run as this user's, outside the sandbox."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from sheets_sync.mail.template_cache import compiled_templates

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="a per-user folder needs user IDs")


@pytest.fixture
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sticky, world-writable temporary folder, like /tmp, as the system's."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    folder.chmod(0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_symlink_in_its_place_is_refused_and_its_target_left_alone(tmp: Path, tmp_path: Path) -> None:
    target = tmp_path / "shared folder"
    target.mkdir()
    target.chmod(0o755)
    (tmp / f"_jinja2-cache-{os.getuid()}").symlink_to(target)
    assert compiled_templates() is None
    assert mode(target) == 0o755  # Jinja2's default made it 0700 (its chmod follows the link)


def test_a_folder_others_could_write_to_is_refused_not_repaired(tmp: Path) -> None:
    folder = tmp / f"_jinja2-cache-{os.getuid()}"
    folder.mkdir()
    folder.chmod(0o777)  # anyone could have put code there meanwhile
    assert compiled_templates() is None
    assert mode(folder) == 0o777


def test_a_new_folder_is_made_for_this_user_alone(tmp: Path) -> None:
    cache = compiled_templates()
    assert cache is not None
    folder = tmp / f"_jinja2-cache-{os.getuid()}"
    assert Path(cache.directory) == folder and mode(folder) == 0o700
    assert compiled_templates() is not None  # and used again on the next run
