"""Exactly once, the hard way: the real ``sheets-sync sync`` in a subprocess, on a real .xlsx,
sending to a local SMTP server, killed (SIGKILL) at each stage of a send; then a rerun. Every
key must have arrived exactly once, or be flagged unknown (and then arrived at most once)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from smtp_server import MailServer
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, column, write_workbook

MON = D(2026, 11, 23)
OWNER = "maria@agency.example"
REMINDERS = [f"task:T-{i}:reminder:1" for i in range(1, 4)]
DIGEST = f"digest:{OWNER}:{MON.isoformat()}"
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def workbook(path: Path, digest: bool) -> Path:
    clients = [[f"C-{i}", f"Client {i}", "", f"c{i}@example.com", "555-0100", OWNER, "B", "Active",
                D(2024, 1, 1), None, None, ""] for i in range(1, 4)]
    touches = [[D(2026, 11, 20), f"C-{i}", None, "Call", "In", "maria", "chat", None] for i in range(1, 4)]
    if digest:  # an A client nobody called for months: a call in the owner's digest
        clients.append(["C-9", "Big Account", "", "big@example.com", "555-0199", OWNER, "A", "Active",
                        D(2024, 1, 1), None, None, ""])
        touches.append([D(2026, 9, 1), "C-9", None, "Call", "In", "maria", "chat", None])
    tasks = [[f"T-{i}", f"C-{i}", "Payment", "Balance", 100 * i, D(2026, 12, 15), MON, "Open", None]
             for i in range(1, 4)]
    return write_workbook(path, {"Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER, *tasks],
                                 "Touches": [TOUCH_HEADER, *touches]})


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailServer]:
    started = MailServer(tmp_path)
    yield started
    started.stop()


def command(book: Path) -> list[str]:
    return [sys.executable, "-m", "sheets_sync", "sync", str(book), "--today", MON.isoformat(), "--json"]


def environment(server: MailServer, **extra: str) -> dict[str, str]:
    return {**os.environ, **server.env(), **extra}


def start_and_kill(book: Path, server: MailServer, stage: str) -> None:
    """Run a sync and SIGKILL it at ``stage`` (a pause hook, or "during": the server stalls
    while the message is being handed over)."""
    pause = {} if stage == "during" else {"SHEETS_SYNC_TEST_PAUSE": stage}
    if stage == "during":
        server.faults.stall_data = 30.0
    proc = subprocess.Popen(command(book), env=environment(server, **pause), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        if stage == "during":
            assert server.faults.stalled.wait(30), "the sync never reached the SMTP DATA stage"
        else:
            line = proc.stderr.readline()
            assert line.strip() == f"PAUSED {stage}", f"the sync did not pause: {line}{proc.stderr.read()}"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    server.faults.stall_data = 0.0


def rerun(book: Path, server: MailServer) -> tuple[int, dict]:
    done = subprocess.run(command(book), env=environment(server), capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize(("stage", "digest", "first_unknown", "first_arrived"), [
    ("before-journal", False, False, 0),  # nothing recorded, nothing sent: the rerun sends it
    ("before-transaction", False, True, 0),  # recorded as sending, never handed over
    ("during", False, True, 1),  # the server has it, the client never heard back
    ("after-transaction", False, True, 1),  # accepted, killed before the journal said so
    ("delivered", False, False, 1),  # all sent and journaled, killed before the write-back
    ("after-transaction", True, True, 1),  # the same for the owner's digest
    ("delivered", True, False, 1),
])
def test_a_run_killed_at_any_stage_never_sends_twice(tmp_path, server, stage, digest, first_unknown, first_arrived):
    book = workbook(tmp_path / "clients.xlsx", digest)
    keys = [DIGEST, *REMINDERS] if digest else REMINDERS  # the digest is the most urgent: it goes first
    first = keys[0]
    start_and_kill(book, server, stage)
    assert server.keys()[first] == first_arrived
    assert column(book, "Touches", "Ref") == [None] * len(keys)  # the killed run wrote nothing

    code, report = rerun(book, server)
    flagged = {k for k in keys if any(k in p["message"] and "not sent again" in p["message"]
                                      for p in report["problems"])}
    assert flagged == ({first} if first_unknown else set())
    assert code == (1 if first_unknown else 0)
    received = server.keys()
    for key in keys:
        if key in flagged:
            assert received[key] == first_arrived
        else:
            assert received[key] == 1, key
    refs, results = column(book, "Touches", "Ref"), column(book, "Touches", "Result")
    logged = {ref: result for ref, result in zip(refs, results, strict=True) if ref}
    assert sorted(logged) == sorted(REMINDERS)  # one row per email, none twice; digests are not touches
    for key in REMINDERS:
        assert logged[key] == ("unknown: check by hand: the run stopped during the SMTP transaction"
                               if key in flagged else "sent")

    again_code, again = rerun(book, server)  # and a third run changes nothing
    assert (again_code, again["deliveries"], again["problems"]) == (0, [], [])
    assert server.keys() == received


def test_two_runs_at_once_the_second_exits_with_a_clear_message(tmp_path, server):
    book = workbook(tmp_path / "clients.xlsx", digest=False)
    first = subprocess.Popen(command(book), env=environment(server, SHEETS_SYNC_TEST_PAUSE="before-journal"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert first.stderr.readline().strip() == "PAUSED before-journal"
        second = subprocess.run(command(book), env=environment(server, SHEETS_SYNC_LOCK_WAIT="0.5"),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 3
        assert second.stderr.startswith("Error: another sheets-sync run is working on this workbook (process ")
        assert len(second.stderr.strip().splitlines()) == 1
    finally:
        first.kill()
        first.wait()
        first.stderr.close()
    assert server.received == []
    code, _ = rerun(book, server)
    assert code == 0 and server.keys() == {key: 1 for key in REMINDERS}
