"""The workbook as a file on disk: symbolic links, a stale copy saved over the tool's work,
backup rotation, read-only files and paths that are not regular files (issue 16)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import MailServer
from workbooks import column

from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.backends.excel.package import BACKUPS_KEPT, STATE_FOLDER, backup, backups_dir
from sheets_sync.cli import cli
from sheets_sync.mail.smtp import SmtpMailer
from sheets_sync.sync import run_sync

MON = "2026-11-23"
TUE = "2026-11-24"
NOBODY = 65534


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workbook (13 emails due on MON), built once."""
    book = tmp_path_factory.mktemp("sample") / "sample.xlsx"
    assert run("init", str(book), "--sample", "--today", MON)[0] == 0
    return book


def copy_of(sample: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample, path)
    return path


def sync(book: Path | str, day: str = MON, *extra: str) -> dict:
    code, out, err = run("sync", str(book), "--today", day, "--json", *extra)
    assert code in (0, 1), err  # 1: the sample has bad cells on purpose
    return json.loads(out)


def state_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob(STATE_FOLDER) if p.is_dir())


# Item 2: a workbook reached through a symbolic link


@pytest.mark.parametrize("where", ["same folder", "another folder", "relative, another folder"])
def test_a_workbook_reached_through_a_link_is_written_in_place_and_keeps_one_state_folder(tmp_path, sample, where):
    real = copy_of(sample, tmp_path / "shared" / "clients-2026.xlsx")
    link = tmp_path / ("shared" if where == "same folder" else "desk") / "clients.xlsx"
    link.parent.mkdir(exist_ok=True)
    target = os.path.relpath(real, link.parent) if where.startswith("relative") else str(real)
    link.symlink_to(target)

    first = sync(link)
    assert first["emails_drafted"] > 0
    assert link.is_symlink() and os.readlink(link) == target  # the link is still the link
    sent = [d["key"] for d in first["deliveries"] if d["kind"] == "email" and d["status"] == "queued"]
    refs = set(column(real, "Touches", "Ref"))
    assert set(sent) <= refs and len(refs) > len(set(column(sample, "Touches", "Ref")))
    # journal, lock, written dates and backups all in the real file's one state folder
    assert state_folders(tmp_path) == [real.parent / STATE_FOLDER]
    assert (real.parent / STATE_FOLDER / real.name / "journal.sqlite3").is_file()
    assert len(list(backups_dir(real).iterdir())) == 1
    assert not list(link.parent.glob(".~*.tmp"))

    # The same workbook through its real path or through the link again: nothing more to send.
    before = digest(real)
    for path in (real, link):
        again = sync(path)
        assert (again["emails_drafted"], again["digests_drafted"], again["rows_appended"]) == (0, 0, 0)
    assert digest(real) == before and link.is_symlink()
    assert state_folders(tmp_path) == [real.parent / STATE_FOLDER]


def test_what_staff_mark_in_the_real_file_is_what_the_next_run_through_the_link_sees(tmp_path, sample):
    real = copy_of(sample, tmp_path / "data" / "book.xlsx")
    link = tmp_path / "book.xlsx"
    link.symlink_to(real)
    backend = ExcelBackend(link)
    assert backend.path == real and backend.label == "book.xlsx"
    assert backend.state_dir() == real.parent / STATE_FOLDER / "book.xlsx"
    assert backend.default_outbox() == real.parent / "outbox" / "book"
    sync(link)
    assert link.is_symlink()
    # A second link in a third folder names the same workbook, so the same journal.
    other = tmp_path / "elsewhere" / "alias.xlsx"
    other.parent.mkdir()
    other.symlink_to(link)
    assert ExcelBackend(other).state_dir() == backend.state_dir()
    assert sync(other)["emails_drafted"] == 0


# Item 3: a stale copy saved over the tool's work


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailServer]:
    started = MailServer(tmp_path / "smtp")
    yield started
    started.stop()


def sync_by(mode: str, book: Path, day: str, server: MailServer, outbox: Path) -> list[tuple[str, str]]:
    """One sync of ``book`` by mail server or outbox; the (key, status) of what it delivered."""
    import datetime as dt

    today = dt.date.fromisoformat(day)
    if mode == "smtp":
        report = run_sync(str(book), today, mailer=SmtpMailer(server.settings(), backoff=0.01))
    else:
        report = run_sync(str(book), today, outbox=outbox)
    return [(m.key, d.status) for m, d in report.deliveries]


def outbox_files(outbox: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in outbox.glob("*.eml")} if outbox.is_dir() else {}


@pytest.mark.parametrize("mode", ["smtp", "outbox"])
@pytest.mark.parametrize("later", [MON, TUE], ids=["same day", "next day"])
def test_a_stale_copy_saved_over_a_sync_is_reconciled_from_the_journal_and_nothing_goes_out_again(
        tmp_path, sample, server, mode, later):
    # What the tool does on a clean rerun is the yardstick: the stale save must change nothing.
    clean = copy_of(sample, tmp_path / "clean" / "book.xlsx")
    sync_by(mode, clean, MON, server, tmp_path / "clean-out")
    clean_again = sync_by(mode, clean, later, server, tmp_path / "clean-out")
    server.received.clear()

    book = copy_of(sample, tmp_path / "office" / "book.xlsx")
    stale = book.read_bytes()  # staff open the workbook before the sync...
    outbox = tmp_path / "out"
    first = sync_by(mode, book, MON, server, outbox)
    delivered = {key for key, status in first if status in ("sent", "queued")}
    assert len(delivered) >= 10
    refs_after_sync = column(book, "Touches", "Ref")
    files = outbox_files(outbox)
    time.sleep(0.01)
    book.write_bytes(stale)  # ...and save after it: the tool's Touches rows are gone
    assert not delivered & set(column(book, "Touches", "Ref"))

    again = sync_by(mode, book, later, server, outbox)
    assert not {key for key, _ in again} & delivered  # nothing re-sent, nothing re-queued
    assert sorted(again) == sorted(clean_again)
    if mode == "smtp":
        assert max(server.keys().values()) == 1
    else:
        assert {k: v for k, v in outbox_files(outbox).items() if k in files} == files  # not rewritten
    refs = column(book, "Touches", "Ref")
    assert [r for r in refs if r in delivered] == [r for r in refs_after_sync if r in delivered]  # restored, once
    assert sorted(map(str, refs)) == sorted(map(str, column(clean, "Touches", "Ref")))


# Item 5: backup rotation


def test_backup_rotation_keeps_the_backups_of_a_workbook_whose_name_extends_this_one(tmp_path):
    names = ["clients.xlsx", "clients.old.xlsx", "clients.2026.xlsx", "clients[1].xlsx", "clients*.xlsx"]
    books = {name: tmp_path / name for name in names}
    for n, (name, path) in enumerate(books.items()):
        path.write_bytes(name.encode())
        for i in range(2):
            os.utime(path, ns=(n * 10**12 + i * 10**9,) * 2)
            backup(path)
    for i in range(BACKUPS_KEPT + 3):  # clients.xlsx rotates several times over
        os.utime(books["clients.xlsx"], ns=(10**15 + i * 10**9,) * 2)
        backup(books["clients.xlsx"])
    kept: dict[bytes, int] = {}
    for copy in backups_dir(books["clients.xlsx"]).iterdir():
        kept[copy.read_bytes()] = kept.get(copy.read_bytes(), 0) + 1
    assert kept == {b"clients.xlsx": BACKUPS_KEPT, **{name.encode(): 2 for name in names[1:]}}


# Item 6: a read-only workbook


def test_a_read_only_workbook_is_refused_before_anything_is_sent(tmp_path, sample):
    book = copy_of(sample, tmp_path / "book.xlsx")
    book.chmod(0o444)
    before = digest(book)
    outbox = tmp_path / "outbox"
    code, out, err = run("sync", str(book), "--today", MON, "--outbox", str(outbox))
    assert code == 3
    assert err.strip().splitlines() == [f"Error: {book}: the file is read-only; nothing was written "
                                        "(make it writable, as Excel would ask you to, and run again)"]
    assert digest(book) == before and stat.S_IMODE(book.stat().st_mode) == 0o444
    assert outbox_files(outbox) == {}
    assert not (tmp_path / STATE_FOLDER / "backups").exists()
    # Reading is fine: check and due work on a read-only file.
    assert run("check", str(book))[0] == 1
    assert run("due", str(book), "--today", MON)[0] == 1  # 1: the bad cells again
    book.chmod(0o644)
    assert sync(book)["emails_drafted"] > 0  # made writable: the same run goes through


def test_init_into_a_read_only_workbook_is_refused(tmp_path, sample):
    book = copy_of(sample, tmp_path / "book.xlsx")
    backend = ExcelBackend(book)
    book.chmod(0o400)
    from sheets_sync.errors import SourceError

    with pytest.raises(SourceError, match="the file is read-only"):
        backend.add_sheets([], {"Clients": ["Extra"]})


def as_user(uid: int, *args: str) -> tuple[int, str]:
    """The CLI run in a forked child that has become ``uid``: its exit code and stderr.

    Forked, not executed: this interpreter may live where that user cannot read (root's
    home). Every module the run needs is imported by a run in the parent first."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            code, _, err = run(*args)
            os.write(write, err.encode())
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        err = fh.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err


def _load_rich() -> None:
    """Import what rich needs to print a table with colours, in this (root's) process."""
    import io

    from rich.console import Console
    from rich.table import Table

    table = Table("a", "b")
    table.add_row("é", "[bold]x[/bold]")
    Console(file=io.StringIO(), force_terminal=True, width=40).print(table, "…")


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0,
                    reason="needs root, to run the tool as another (unprivileged) user")
@pytest.mark.parametrize("owner, mode", [(NOBODY, 0o444), (0, 0o644)], ids=["own file 0444", "root's file 0644"])
def test_an_unprivileged_run_refuses_a_file_it_may_not_write(tmp_path, sample, monkeypatch, owner, mode):
    folder = Path(tempfile.mkdtemp(prefix="sheets-sync-ro-"))  # tmp_path's parents are root's alone
    try:
        os.chmod(folder, 0o777)  # the folder is writable: a rename over the file would succeed
        home = folder / "home"
        home.mkdir()
        os.chown(home, NOBODY, NOBODY)
        monkeypatch.setenv("SHEETS_SYNC_HOME", str(home))
        sync(copy_of(sample, tmp_path / "warm.xlsx"), MON, "--outbox", str(tmp_path / "warm"))  # imports
        _load_rich()  # a plain run to a pipe no longer loads rich; the child's lines may need it
        book = copy_of(sample, folder / "book.xlsx")
        os.chown(book, owner, owner)
        book.chmod(mode)
        before = digest(book)
        code, err = as_user(NOBODY, "sync", str(book), "--today", MON, "--outbox", str(folder / "outbox"))
        assert code == 3, err
        assert err.strip().splitlines() == [f"Error: {book}: the file is read-only; nothing was written "
                                            "(make it writable, as Excel would ask you to, and run again)"]
        assert digest(book) == before and (book.stat().st_uid, stat.S_IMODE(book.stat().st_mode)) == (owner, mode)
        assert not list(folder.glob("outbox/*")) and not list(folder.glob(".~*"))
        # The control: the same file made writable for that user is synced by that user.
        os.chown(book, NOBODY, NOBODY)
        book.chmod(0o644)
        code, err = as_user(NOBODY, "sync", str(book), "--today", MON, "--outbox", str(folder / "outbox"))
        assert code in (0, 1), err
        assert list(folder.glob("outbox/*.eml")) and digest(book) != before
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Item 10: paths that are not regular files


def cli_in_subprocess(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process: a hang is a timeout here, never a stuck test run."""
    return subprocess.run([sys.executable, "-m", "sheets_sync", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "SHEETS_SYNC_HOME": tempfile.gettempdir()})


def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def make_device_link(path: Path) -> Path:
    path.symlink_to("/dev/zero")  # a device that never ends
    return path


def make_folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("make, kind", [(make_fifo, "a named pipe (FIFO)"), (make_device_link, "a device"),
                                        (make_folder, "a folder")], ids=["fifo", "device", "folder"])
@pytest.mark.parametrize("command", ["sync", "check", "due", "stats"])
def test_a_path_that_is_not_a_regular_file_is_refused_at_once_in_one_line(tmp_path, make, kind, command):
    path = make(tmp_path / "book.xlsx")
    args = [command, str(path)] + (["--today", MON] if command != "check" else [])
    started = time.monotonic()
    done = cli_in_subprocess(*args)
    assert time.monotonic() - started < 30
    assert done.returncode == 3, done.stderr
    shown = path.resolve() if path.is_symlink() else path
    assert done.stderr.strip().splitlines() == [
        f"Error: {shown}: not a workbook file but {kind}; give the path of an .xlsx or .xlsm file"]
    assert not list(tmp_path.glob(".~*")) and not (tmp_path / STATE_FOLDER / "backups").exists()


def test_a_sync_of_a_missing_workbook_leaves_nothing_behind(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheets_sync.cli import cli

    result = CliRunner().invoke(cli, ["sync", str(tmp_path / "nosuch.xlsx"), "--today", "2026-11-23"])
    assert result.exit_code == 3 and "no such file" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no .sheets-sync state folder, no outbox


def test_an_old_xls_file_is_told_to_be_saved_as_xlsx(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheets_sync.cli import cli

    path = tmp_path / "clients.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 3
    assert "this is the old Excel format: open it in Excel and save it as .xlsx" in result.stderr
    assert result.stderr.count("\n") == 1
