"""The outbox's drafts are written while the write-back is worked out (issue 21), and what a
run commits keeps its order: the draft files on disk and flushed, then the journal records
them as queued, then the workbook is replaced. Real syncs of the sample workbook; the ones
that watch or kill the process at a system call need strace.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync import init as init_lib
from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.cli import cli
from sheets_sync.mail.journal import Journal
from sheets_sync.mail.outbox import draft_name

MON = dt.date(2026, 11, 30)
needs_strace = pytest.mark.skipif(shutil.which("strace") is None or not sys.platform.startswith("linux"),
                                  reason="needs strace on Linux")


def _book(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    return init_lib.create(folder / "clients.xlsx", sample=True, today=MON)


def _sync(book: Path, outbox: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["sync", str(book), "--today", MON.isoformat(), "--json", "--outbox", str(outbox)])
    return result.exit_code, result.stdout, result.stderr


def _journaled(book: Path) -> dict[str, str]:
    with Journal(ExcelBackend(book).state_dir()) as journal:
        return {e.key: e.status for e in journal.entries()}


def _sync_traced(book: Path, outbox: Path, log: Path, *strace_args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["strace", "-f", "-y", "-qq", "-o", str(log), *strace_args,
                           sys.executable, "-m", "sheets_sync", "sync", str(book), "--today", MON.isoformat(),
                           "--outbox", str(outbox)], capture_output=True, timeout=300, env=os.environ.copy())


def test_a_draft_that_cannot_be_written_stops_the_run_with_the_workbook_and_journal_untouched(tmp_path):
    code, out, _ = _sync(_book(tmp_path / "probe"), tmp_path / "probe" / "out")  # the drafts a sync writes
    assert code in (0, 1)
    planned = [d["key"] for d in json.loads(out)["deliveries"] if d["kind"] == "email" and d["status"] == "queued"]
    book = _book(tmp_path)
    outbox = tmp_path / "out"
    before = book.read_bytes()
    blocked = outbox / (draft_name(planned[-1], MON) + ".tmp")
    blocked.mkdir(parents=True)  # a folder where that draft's temporary file goes: it cannot be written

    code, out, err = _sync(book, outbox)

    assert code == 3, (out, err)
    assert err == (f"Error: {blocked}: is a directory; sheets-sync could not create or write it and the run "
                   "stopped there: fix that and run again\n")
    assert book.read_bytes() == before
    assert not list(tmp_path.glob(".~*")), "the new workbook's temporary file is removed"
    assert _journaled(book) == {}

    blocked.rmdir()
    code, out, _ = _sync(book, outbox)  # the rerun writes each draft once and records it
    assert code in (0, 1)
    assert json.loads(out)["emails_drafted"] == len(planned)
    assert {p.name for p in outbox.glob("*.eml") if not p.name.startswith("digest_")} == \
        {draft_name(key, MON) for key in planned}
    assert [k for k, status in _journaled(book).items() if status == "queued" and k in planned] == planned


@needs_strace
def test_drafts_are_flushed_and_journaled_before_the_workbook_is_replaced(tmp_path):
    book = _book(tmp_path)
    log = tmp_path / "strace.log"
    done = _sync_traced(book, tmp_path / "out", log, "-e", "trace=rename,renameat,renameat2,fsync,fdatasync,syncfs")
    assert done.returncode in (0, 1), done.stderr
    lines = log.read_text().splitlines()

    def first(pattern: str, start: int = 0) -> int:
        return next(i for i, line in enumerate(lines) if i >= start and re.search(pattern, line))

    drafts = [i for i, line in enumerate(lines) if re.search(r"rename\w*\(.*\.eml\.tmp", line)]
    assert drafts
    flushed = first(r"\bsyncfs\(\d+<[^>]*out>\) = 0|\bfsync\(\d+<[^>]*out>\) = 0", drafts[-1])
    journaled = first(r"f(data)?sync\(\d+<[^>]*journal\.sqlite3", flushed)
    replaced = first(r"rename\w*\(.*\.~clients\.\w+\.tmp.*clients\.xlsx", journaled)
    assert drafts[-1] < flushed < journaled < replaced, "\n".join(lines)


@needs_strace
def test_a_run_killed_just_before_the_workbook_is_replaced_has_journaled_its_drafts_and_the_rerun_writes_none_again(
        tmp_path):
    book = _book(tmp_path)
    before = book.read_bytes()
    outbox = tmp_path / "out"
    # killed as the old workbook is copied to the backups folder (sendfile), the step before the rename
    done = _sync_traced(book, outbox, tmp_path / "strace.log", "-e", "trace=sendfile",
                        "-e", "inject=sendfile:error=EIO:signal=KILL")
    assert done.returncode == -9 or done.returncode == 128 + 9, done.stderr
    assert book.read_bytes() == before
    drafts = {p.name: p.read_bytes() for p in outbox.glob("*.eml")}
    queued = [k for k, status in _journaled(book).items() if status == "queued"]
    assert drafts and sorted(draft_name(k, MON) for k in queued) == sorted(drafts)

    code, out, _ = _sync(book, outbox)
    assert code in (0, 1)
    report = json.loads(out)
    assert report["emails_drafted"] == 0 and report["sheet_behind"]
    assert {p.name: p.read_bytes() for p in outbox.glob("*.eml")} == drafts


@pytest.mark.skipif(not os.path.exists("/bin/true"), reason="stands /bin/true (a program that is no Python) in for sys.executable; not on Windows")
def test_a_sys_executable_that_is_no_python_loses_no_draft(tmp_path, monkeypatch):
    # a frozen build or an embedding host: the child that writes the drafts cannot be started
    monkeypatch.setattr(sys, "executable", "/bin/true")
    book = _book(tmp_path)
    outbox = tmp_path / "out"
    code, out, err = _sync(book, outbox)
    assert code in (0, 1), err
    queued = [k for k, status in _journaled(book).items() if status == "queued" and not k.startswith("digest")]
    assert queued and json.loads(out)["emails_drafted"] == len(queued)
    assert {draft_name(k, MON) for k in queued} <= {p.name for p in outbox.glob("*.eml")}


def test_ctrl_c_during_the_write_back_is_an_interruption_even_when_a_draft_failed(tmp_path):
    code, out, _ = _sync(_book(tmp_path / "probe"), tmp_path / "probe" / "out")
    planned = [d["key"] for d in json.loads(out)["deliveries"] if d["kind"] == "email" and d["status"] == "queued"]
    book = _book(tmp_path)
    outbox = tmp_path / "out"
    before = book.read_bytes()
    (outbox / (draft_name(planned[-1], MON) + ".tmp")).mkdir(parents=True)  # that draft cannot be written

    def ctrl_c_at_write_back(frame, event, arg):  # the Ctrl-C arrives as the write-back starts
        if event == "call" and frame.f_code.co_name == "write_back":
            raise KeyboardInterrupt
        return None

    sys.settrace(ctrl_c_at_write_back)
    try:
        code, out, err = _sync(book, outbox)
    finally:
        sys.settrace(None)

    assert (code, err) == (3, "Error: interrupted; the run stopped there (a workbook is never left half-written)\n")
    assert book.read_bytes() == before
    assert _journaled(book) == {}
