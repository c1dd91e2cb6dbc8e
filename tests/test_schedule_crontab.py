"""``schedule --install/--remove`` on cron keeps the user's own crontab lines byte for byte,
through the crontab file and through a ``crontab`` program (a stand-in on PATH that keeps the
table in a temporary file, never the real user's), and a computer with no ``crontab`` program
gets one line and exit 3, not a traceback."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import cli

# Spacing, comments, variables, @reboot and a quoted command: none of it ours to respace.
USERS_OWN = ('SHELL=/bin/bash\n# my comment   with  spaces\n\n0   3 * * *   /usr/bin/backup --all   # my own\n'
             '@reboot  /usr/bin/foo\n*/5 * * * * echo "a  b" >> /tmp/x 2>&1\nMAILTO=""\n  # indented\n'
             '#0 4 * * * disabled-job\n')

FAKE_CRONTAB = """#!/bin/sh
# A stand-in for crontab(1): the table lives in $FAKE_CRONTAB_FILE.
if [ "$1" = "-l" ]; then
  if [ -f "$FAKE_CRONTAB_FILE" ]; then cat "$FAKE_CRONTAB_FILE"; exit 0; fi
  echo "no crontab for $USER" >&2; exit 1
fi
if [ "$1" = "-" ]; then cat > "$FAKE_CRONTAB_FILE"; exit 0; fi
exit 2
"""


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SHEETS_SYNC_HOME", str(home / ".sheets-sync"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("SHEETS_SYNC_CRONTAB", raising=False)
    path = tmp_path / "clients.xlsx"
    path.write_bytes(b"")  # scheduling never opens it
    return path


@pytest.fixture
def crontab(tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A crontab file holding the user's own lines (USERS_OWN), the one schedule edits
    (SHEETS_SYNC_CRONTAB)."""
    path = tmp_path / "crontab"
    path.write_text(USERS_OWN, encoding="utf-8")
    monkeypatch.setenv("SHEETS_SYNC_CRONTAB", str(path))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["schedule", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def install_twice_and_remove(book: Path) -> None:
    assert run(str(book), "--at", "07:30", "--install")[0] == 0
    code, _, err = run(str(book), "--at", "08:15", "--days", "daily", "--install")
    assert code == 0, err
    code, out, _ = run(str(book), "--show")
    assert code == 0 and len(out.splitlines()) == 1 and out.startswith("15 8 * * * ")
    code, out, _ = run(str(book), "--remove")
    assert code == 0 and out.startswith("Removed: 15 8 * * * ")


def test_a_crontab_file_keeps_the_users_lines_byte_for_byte(book: Path, crontab: Path) -> None:
    assert run(str(book), "--install")[0] == 0
    text = crontab.read_text(encoding="utf-8")
    assert text.startswith(USERS_OWN) and text.count("\n") == USERS_OWN.count("\n") + 1
    install_twice_and_remove(book)
    assert crontab.read_bytes() == USERS_OWN.encode("utf-8")


def test_the_users_crontab_through_the_crontab_program(tmp_path: Path, book: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "crontab"
    program.write_text(FAKE_CRONTAB, encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    table = tmp_path / "table"
    monkeypatch.setenv("FAKE_CRONTAB_FILE", str(table))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    assert run(str(book), "--install")[0] == 0  # a user with no crontab yet
    assert table.read_text(encoding="utf-8").startswith("30 7 * * 1-5 ")
    table.write_text(USERS_OWN + table.read_text(encoding="utf-8"), encoding="utf-8")
    install_twice_and_remove(book)
    assert table.read_bytes() == USERS_OWN.encode("utf-8")


def test_no_crontab_program_is_one_line(tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, out, err = run(str(book), "--install")
    assert (code, out) == (3, "")
    assert err.startswith("Error: the crontab program is not on this computer") and "--systemd" in err
    assert len(err.splitlines()) == 1 and "unexpected" not in err and "Traceback" not in err
    code, out, err = run(str(book), "--show")
    assert (code, err) == (0, "") and out == "No sheets-sync run is scheduled with cron here.\n"
    code, out, err = run(str(book), "--remove")
    assert (code, err) == (0, "") and out.startswith("No cron run for ")


def test_the_job_of_a_workbook_that_is_gone_can_still_be_removed(book: Path, crontab: Path) -> None:
    assert run(str(book), "--install")[0] == 0
    book.unlink()  # moved or deleted: its job would fail every morning
    code, out, err = run(str(book), "--show")
    assert (code, err) == (0, "") and str(book) in out
    code, out, err = run(str(book), "--remove")
    assert (code, err) == (0, "") and out.startswith("Removed: 30 7 * * 1-5 ")
    assert crontab.read_bytes() == USERS_OWN.encode("utf-8")
    code, out, err = run(str(book), "--install")  # installing one still wants the file
    assert code == 2 and "is not a file" in err
