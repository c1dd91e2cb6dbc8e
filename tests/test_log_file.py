"""sheets-sync.log is written as logging's RotatingFileHandler wrote it (the same lines, the
same rotation into .1, .2, .3), without importing logging (issue 21, start-up)."""

from __future__ import annotations

import logging
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.health.logfile import BACKUPS, LOG_NAME, log_run


def handler_log(folder: Path, line: str, failed: bool, max_bytes: int) -> None:
    """The former log_run: logging's own rotating handler."""
    folder.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"test.logfile.{folder}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = RotatingFileHandler(folder / LOG_NAME, maxBytes=max_bytes, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    try:
        logger.log(logging.ERROR if failed else logging.INFO, line)
    finally:
        logger.removeHandler(handler)
        handler.close()


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


lines = st.lists(st.tuples(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
                                   max_size=60), st.booleans()), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(lines, st.integers(min_value=1, max_value=400), st.floats(min_value=1e9, max_value=2e9))
def test_the_same_files_as_the_rotating_handler(tmp_path_factory: pytest.TempPathFactory,
                                                 entries: list[tuple[str, bool]], max_bytes: int, now: float) -> None:
    ours, theirs = tmp_path_factory.mktemp("ours"), tmp_path_factory.mktemp("theirs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: now)  # the same stamp in both, to the millisecond
        for line, failed in entries:
            log_run(ours, line, failed, max_bytes=max_bytes)
            handler_log(theirs, line, failed, max_bytes)
    assert files(ours) == files(theirs)


def test_a_run_line_has_the_time_and_level(tmp_path: Path) -> None:
    path = log_run(tmp_path, "day 2026-11-24: OK", failed=True)
    text = path.read_text(encoding="utf-8")
    assert text.endswith(" ERROR day 2026-11-24: OK\n") and text.count("\n") == 1
    stamp = text.split(" ERROR ")[0]
    assert time.strptime(stamp.split(",")[0], "%Y-%m-%d %H:%M:%S") and len(stamp.split(",")[1]) == 3
