"""The log file: one summary line per run, in the state folder, size-capped and rotated.

The lines and the rotation are those of logging's ``RotatingFileHandler`` with the format
``%(asctime)s %(levelname)s %(message)s``; written here, so that a run does not import
logging and its handlers (sockets, pickle, queues) for one line.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

LOG_NAME = "sheets-sync.log"
MAX_BYTES = 1_000_000
BACKUPS = 3  # sheets-sync.log.1 .. .3: a few years of daily summaries


def log_run(state_dir: Path, line: str, failed: bool = False, *, max_bytes: int = MAX_BYTES) -> Path:
    """Append ``line`` (with the time and level) to the log file in ``state_dir``; returns its path.
    Past ``max_bytes`` the file becomes ``.1`` (``.1`` becomes ``.2``, up to ``.3``) first."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOG_NAME
    entry = f"{_stamp(time.time())} {'ERROR' if failed else 'INFO'} {line}\n"
    fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed below, maybe early for the rotation)
    try:
        try:
            fh.seek(0, 2)
            if fh.tell() + len(entry) >= max_bytes and os.path.isfile(path):
                fh.close()
                _rotate(str(os.path.abspath(path)))
                fh = open(path, "a", encoding="utf-8")  # noqa: SIM115
            fh.write(entry)
            fh.flush()
        except OSError as exc:  # as logging did: a line that cannot be written never fails the run
            print(f"Warning: the run's line could not be written to {path} ({exc.strerror or exc})", file=sys.stderr)
    finally:
        fh.close()
    return path


def _stamp(created: float) -> str:
    """logging's asctime: local time to the millisecond, as in 2026-11-24 07:30:02,117."""
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(created))},{int((created - int(created)) * 1000):03d}"


def _rotate(base: str) -> None:
    for i in range(BACKUPS - 1, 0, -1):
        older, newer = f"{base}.{i}", f"{base}.{i + 1}"
        if os.path.exists(older):
            if os.path.exists(newer):
                os.remove(newer)
            os.rename(older, newer)
    first = base + ".1"
    if os.path.exists(first):
        os.remove(first)
    if os.path.exists(base):
        os.rename(base, first)
