"""Output read by a pager or `| head` that stops reading (found in the new-user trial):
`sheets-sync check book.xlsx | head -8` ended with 'Error: unexpected failure (BrokenPipeError
...) please report it' and exit 3, though nothing went wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, write_workbook

ROOT = Path(__file__).resolve().parents[1]


def test_a_reader_that_stops_reading_is_no_failure(tmp_path: Path) -> None:
    rows = [[f"C-{i}", f"Client {i}", "", f"c{i}@mail.example", "", "sam@agency.example", "A", "Actve", None, None,
             None, ""] for i in range(200)]
    path = write_workbook(tmp_path / "book.xlsx", {"Clients": [CLIENT_HEADER, *rows], "Tasks": [TASK_HEADER],
                                                      "Touches": [TOUCH_HEADER]})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    env.pop("SHEETS_SYNC_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "sheets_sync", "check", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line: every write fails with EPIPE
    err = proc.stderr.read().decode()
    proc.stderr.close()
    code = proc.wait(timeout=120)
    assert "unexpected failure" not in err and "Traceback" not in err and "Exception ignored" not in err, err
    assert code == 1  # what check says of this book (200 problems: Status 'Actve'), read or not
