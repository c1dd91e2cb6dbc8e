"""The Sync Log sheet: one row per run, newest first, the last ``KEEP`` runs.

A tool-owned sheet, rewritten whole in the same batch as the rest of a run's write. Rows
already in the sheet are kept by their headers (a column staff moved is read where it is).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.model.layout import normalize_header
from sheets_sync.workbook import CellValue, SheetContent, SheetData, WorkbookData

SYNC_LOG_SHEET = "Sync Log"
HEADERS = ("Started", "Finished", "Seconds", "Result", "Emails sent", "Emails drafted", "Emails failed",
           "Emails skipped", "Rows updated", "Problems", "Missed business days", "Day", "Version", "Computer")
KEEP = 500
OK = "OK"
OK_WITH_PROBLEMS = "OK with problems"
STAMP = "%Y-%m-%d %H:%M:%S"


@dataclass
class RunRow:
    """One run as the Sync Log shows it. ``day`` is the day the run planned for (--today)."""

    started: dt.datetime
    finished: dt.datetime
    day: dt.date
    result: str
    emails_sent: int = 0
    emails_failed: int = 0
    emails_skipped: int = 0
    rows_updated: int = 0
    problems: int = 0
    missed: list[dt.date] = field(default_factory=list)
    version: str = ""
    computer: str = ""
    emails_drafted: int = 0  # written to the outbox for a person to send: not sent (yet)

    @property
    def succeeded(self) -> bool:
        """True for OK and OK with problems."""
        return self.result.startswith(OK)

    def cells(self) -> list[CellValue]:
        """The row's values, in ``HEADERS`` order."""
        seconds = round((self.finished - self.started).total_seconds(), 1)
        return [self.started.strftime(STAMP), self.finished.strftime(STAMP), seconds, self.result,
                self.emails_sent, self.emails_drafted, self.emails_failed, self.emails_skipped, self.rows_updated,
                self.problems,
                ", ".join(d.isoformat() for d in self.missed), self.day.isoformat(), self.version, self.computer]

    def to_json(self) -> dict[str, Any]:
        """A plain dict for the state folder (``from_json`` reads it back)."""
        return {"started": self.started.isoformat(), "finished": self.finished.isoformat(),
                "day": self.day.isoformat(), "result": self.result, "emails_sent": self.emails_sent,
                "emails_drafted": self.emails_drafted,
                "emails_failed": self.emails_failed, "emails_skipped": self.emails_skipped,
                "rows_updated": self.rows_updated, "problems": self.problems,
                "missed": [d.isoformat() for d in self.missed], "version": self.version,
                "computer": self.computer}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunRow:
        """The row ``to_json`` wrote. Raises ValueError/KeyError/TypeError on anything else."""
        return cls(started=dt.datetime.fromisoformat(raw["started"]),
                   finished=dt.datetime.fromisoformat(raw["finished"]),
                   day=dt.date.fromisoformat(raw["day"]), result=str(raw["result"]),
                   emails_sent=int(raw["emails_sent"]), emails_failed=int(raw["emails_failed"]),
                   emails_skipped=int(raw["emails_skipped"]), rows_updated=int(raw["rows_updated"]),
                   problems=int(raw["problems"]), missed=[dt.date.fromisoformat(d) for d in raw["missed"]],
                   version=str(raw["version"]), computer=str(raw["computer"]),
                   emails_drafted=int(raw.get("emails_drafted", 0)))


def logged_rows(sheet: SheetData | None) -> list[dict[str, CellValue]]:
    """The rows already in the Sync Log, newest first as written, each as header -> value."""
    if sheet is None or not sheet.rows:
        return []
    wanted = {normalize_header(h): h for h in HEADERS}
    columns = {i: wanted[normalize_header(c)] for i, c in enumerate(sheet.rows[0]) if normalize_header(c) in wanted}
    out = []
    for row in sheet.rows[1:]:
        values = {header: row[i] for i, header in columns.items() if i < len(row)}
        if any(v not in (None, "") for v in values.values()):
            out.append(values)
    return out


def _day(value: CellValue) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def last_success(sheet: SheetData | None) -> dt.date | None:
    """The latest day a run succeeded (OK or OK with problems) according to the sheet."""
    days = [_day(row.get("Day")) for row in logged_rows(sheet) if str(row.get("Result") or "").startswith(OK)]
    return max((d for d in days if d is not None), default=None)


def repeats_newest(sheet: SheetData | None, row: RunRow) -> bool:
    """True when ``row`` says nothing the newest logged row does not: the same day and result,
    nothing sent, drafted, failed or updated, as many problems. A rerun like that adds no row, so a
    second run on the same day writes nothing."""
    rows = logged_rows(sheet)
    if not rows or row.emails_sent or row.emails_drafted or row.emails_failed or row.rows_updated:
        return False
    newest = rows[0]
    return (_day(newest.get("Day")) == row.day and str(newest.get("Result") or "") == row.result
            and str(newest.get("Problems")) in (str(row.problems), f"{row.problems}.0"))


def build_sync_log(sheet: SheetData | None, new: Sequence[RunRow]) -> SheetContent:
    """The Sync Log with ``new`` runs on top (newest first) and the older rows below, the
    last ``KEEP`` runs in all."""
    fresh = [r.cells() for r in sorted(new, key=lambda r: (r.started, r.day), reverse=True)]
    old = [[row.get(h) for h in HEADERS] for row in logged_rows(sheet)]
    return SheetContent(title=sheet.title if sheet else SYNC_LOG_SHEET,
                        rows=[list(HEADERS), *(fresh + old)[:KEEP]])


def missing_sync_log(data: WorkbookData | None) -> list[SheetContent]:
    """[the empty Sync Log] when ``data`` (None: a new workbook) has none, else []."""
    if data is not None and data.sheet(SYNC_LOG_SHEET) is not None:
        return []
    return [SheetContent(title=SYNC_LOG_SHEET, rows=[list(HEADERS)])]
