"""The log file: one summary line per run, in the state folder, size-capped and rotated."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "sheets-sync.log"
MAX_BYTES = 1_000_000
BACKUPS = 3  # sheets-sync.log.1 .. .3: a few years of daily summaries


def log_run(state_dir: Path, line: str, failed: bool = False) -> Path:
    """Append ``line`` (with the time and level) to the log file in ``state_dir``; returns its path."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOG_NAME
    logger = logging.getLogger(f"sheets_sync.runs.{path}")
    logger.propagate = False  # the summary goes to the file only, never to a caller's handlers
    logger.setLevel(logging.INFO)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    try:
        logger.log(logging.ERROR if failed else logging.INFO, line)
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path
