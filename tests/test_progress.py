"""Progress per phase at a terminal: the real command in a subprocess whose stderr is a
pseudo-terminal; never with --json, --quiet or when stderr is not a terminal."""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import sheets_sync
from sheets_sync import init as init_lib

DAY = dt.date(2026, 11, 30)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PHASES = ("Reading clients.xlsx...", "Planning...", "email(s)...", "Writing clients.xlsx...")


def run(path: Path, *extra: str, terminal: bool = True) -> tuple[int, str, str]:
    """Run sync with stderr on a pseudo-terminal (or a pipe); stdout is a pipe."""
    env = {**os.environ, "PYTHONPATH": str(Path(sheets_sync.__file__).parents[1]), "COLUMNS": "100", "TERM": "xterm"}
    command = [sys.executable, "-m", "sheets_sync", "sync", str(path), "--today", DAY.isoformat(),
               "--outbox", str(path.parent / "out"), *extra]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=env,
                              timeout=120, check=False, text=True)
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    return done.returncode, done.stdout, ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return init_lib.create(tmp_path / "clients.xlsx", sample=True, today=DAY)


def test_each_phase_shows_on_a_terminal(book: Path) -> None:
    code, out, err = run(book)
    assert code in (0, 1), err
    found = [err.find(p) for p in PHASES]
    assert all(i >= 0 for i in found), err[-2000:]
    assert found == sorted(found)  # reading, planning, sending, writing: in that order
    assert re.search(r"Sending \d+ email\(s\)\.\.\.", err)
    assert out.startswith("Synced clients.xlsx")  # the summary is as before


@pytest.mark.parametrize("flag", ["--json", "--quiet"])
def test_no_progress_with_json_or_quiet(book: Path, flag: str) -> None:
    code, _, err = run(book, flag)
    assert code in (0, 1)
    assert not any(p in err for p in PHASES)


def test_no_progress_when_stderr_is_not_a_terminal(book: Path) -> None:
    code, _, err = run(book, terminal=False)
    assert code in (0, 1)
    assert not any(p in err for p in PHASES)
