"""One sync's health bookkeeping: missed business days, its Sync Log row, the state record
and the log file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import platform
from collections.abc import Callable, Collection
from pathlib import Path

from sheets_sync import __version__
from sheets_sync.health.logfile import log_run
from sheets_sync.health.missed import missed_business_days, missed_line
from sheets_sync.health.runs import load_runs, save_runs
from sheets_sync.health.synclog import (
    OK,
    OK_WITH_PROBLEMS,
    SYNC_LOG_SHEET,
    RunRow,
    build_sync_log,
    last_success,
    repeats_newest,
)
from sheets_sync.workbook import SheetContent, WorkbookData

MAX_ERROR = 500  # characters of a failure's message in the Sync Log (the log file has the whole line)


def wall_clock() -> dt.datetime:
    """Local time to the second: when a run started and finished (a record, never a rule input)."""
    return dt.datetime.now().replace(microsecond=0)


class RunHealth:
    """Health of one sync of the source whose state folder is ``state_dir``, planned for ``today``."""

    def __init__(self, state_dir: Path, today: dt.date, clock: Callable[[], dt.datetime] = wall_clock) -> None:
        self.state_dir = state_dir
        self.today = today
        self.clock = clock
        self.started = clock()
        self.record = load_runs(state_dir)
        self.missed: list[dt.date] = []
        self.row: RunRow | None = None

    def see(self, data: WorkbookData, holidays: Collection[dt.date]) -> None:
        """Work out the missed business days since the last successful run that the state
        folder or the Sync Log knows (a new computer, a deleted folder: the sheet's)."""
        known = [d for d in (self.record.last_success, last_success(data.sheet(SYNC_LOG_SHEET))) if d is not None]
        last = max(known, default=None)  # the sheet may know a later run, made on another computer
        self.missed = missed_business_days(last, self.today, holidays)

    @property
    def notice(self) -> str:
        """The line each digest starts with, or ''."""
        return missed_line(self.missed)

    def finish(self, *, sent: int, failed: int, skipped: int, rows_updated: int, problems: int,
               drafted: int = 0) -> RunRow:
        """This run's row, as it stands now (called when the write batch is built). ``drafted``:
        client emails written to the outbox as drafts, which are not sent."""
        self.row = RunRow(self.started, self.clock(), self.today, OK_WITH_PROBLEMS if problems else OK,
                          sent, failed, skipped, rows_updated, problems, list(self.missed), __version__,
                          platform.node(), emails_drafted=drafted)
        return self.row

    def sheet(self, data: WorkbookData, row: RunRow) -> SheetContent | None:
        """The Sync Log with this run and the failed runs the state folder kept; None when
        the run repeats the newest row (a rerun that did nothing adds nothing)."""
        existing = data.sheet(SYNC_LOG_SHEET)
        if not self.record.pending and repeats_newest(existing, row):
            return None
        return build_sync_log(existing, [*self.record.pending, row])

    def succeeded(self) -> None:
        """The run wrote the workbook, with the failed runs kept until now in its Sync Log:
        remember the day, forget those, and append the run's summary to the log file."""
        record = self.record
        record.last_success = max(self.today, record.last_success or self.today)
        record.pending = []
        save_runs(self.state_dir, record)
        if self.row is not None:
            log_run(self.state_dir, summary(self.row))

    def failed(self, error: str) -> RunRow:
        """The run stopped with ``error``: keep its row for the next run that can write, and
        log it."""
        whole = " ".join(error.split())
        line = whole if len(whole) <= MAX_ERROR else whole[: MAX_ERROR - 3].rstrip() + "..."
        row = RunRow(self.started, self.clock(), self.today, f"Failed: {line}", missed=list(self.missed),
                     version=__version__, computer=platform.node())
        if self.row is not None:  # it failed at the write: what it sent is known
            row.emails_sent, row.emails_failed = self.row.emails_sent, self.row.emails_failed
            row.emails_drafted = self.row.emails_drafted
            row.emails_skipped, row.problems = self.row.emails_skipped, self.row.problems
        self.record.pending.append(row)
        save_runs(self.state_dir, self.record)
        log_run(self.state_dir, summary(dataclasses.replace(row, result=f"Failed: {whole}")), failed=True)
        return row


def summary(row: RunRow) -> str:
    """The log file's line for a run."""
    missed = f"; missed {', '.join(d.isoformat() for d in row.missed)}" if row.missed else ""
    drafted = f", {row.emails_drafted} drafted (outbox)" if row.emails_drafted else ""
    return (f"day {row.day.isoformat()}: {row.result}; {row.emails_sent} sent{drafted}, {row.emails_failed} failed, "
            f"{row.emails_skipped} skipped; {row.rows_updated} row(s) updated; {row.problems} problem(s){missed}; "
            f"{(row.finished - row.started).total_seconds():.0f} s")
