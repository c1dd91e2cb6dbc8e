"""Missed runs: the business days between the last successful run and today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sheets_sync.display import fmt_day
from sheets_sync.rules.business_days import ONE_DAY, is_business_day

NAMED = 5  # more missed days than this are told as a range


def missed_business_days(last_success: dt.date | None, today: dt.date,
                         holidays: Collection[dt.date] = ()) -> list[dt.date]:
    """Business days after ``last_success`` and before ``today`` (none when no run is known)."""
    if last_success is None:
        return []
    days = []
    day = last_success + ONE_DAY
    while day < today:
        if is_business_day(day, holidays):
            days.append(day)
        day += ONE_DAY
    return days


def missed_days_text(days: list[dt.date]) -> str:
    """'Tue 1 Dec and Wed 2 Dec' (a range past ``NAMED`` days)."""
    if len(days) > NAMED:
        return f"{len(days)} business days, {fmt_day(days[0])} to {fmt_day(days[-1])}"
    if len(days) == 1:
        return fmt_day(days[0])
    return ", ".join(fmt_day(d) for d in days[:-1]) + " and " + fmt_day(days[-1])


def missed_line(days: list[dt.date]) -> str:
    """The one line every digest starts with after missed runs, or '' when none were missed."""
    if not days:
        return ""
    return f"No run on {missed_days_text(days)}; one catch-up message per client was sent today"


def missed_note(days: list[dt.date]) -> str:
    """The sync summary's line about missed runs, or ''."""
    if not days:
        return ""
    return (f"Note: no successful run on {missed_days_text(days)} (the Sync Log sheet and sheets-sync.log "
            "say why); what was due then is sent now.")
