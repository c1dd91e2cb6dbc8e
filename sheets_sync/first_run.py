"""A book's first sync, at a terminal: what would go out, said before anything is sent.

A book that has never been synced (no send journal in its state folder) may hold years of
overdue steps. When a person runs ``sync`` at a terminal, the command line shows this
summary and asks before sending; scheduled, piped, ``--json`` and ``--yes`` runs never ask.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sheets_sync.backends.base import Backend
from sheets_sync.display import fmt_day
from sheets_sync.rules.go_live import Dropped
from sheets_sync.rules.plan import Plan

if TYPE_CHECKING:  # sync imports the report, which imports this module
    from sheets_sync.sync import SyncReport

CATCH_UP_DAYS = 7  # an email overdue by more than this many days is counted as a catch-up
KINDS = {
    "task-reminder": ("task reminder", "task reminders"), "task-final": ("final notice", "final notices"),
    "prospect": ("prospect email", "prospect emails"), "satisfaction": ("satisfaction check", "satisfaction checks"),
    "referral": ("referral request", "referral requests"), "checkin": ("check-in", "check-ins"),
}
DECLINED = "Nothing sent, nothing written. See each email and why with: sheets-sync sync {source} --dry-run."


def is_first_run(backend: Backend) -> bool:
    """True when nothing was ever sent from this book: its state folder has no send journal."""
    # here, not at the top: due prints this module's lines and opens no journal
    from sheets_sync.mail.journal import FILE_NAME

    return not (backend.state_dir() / FILE_NAME).exists()


def _count(n: int, kind: str) -> str:
    one, many = KINDS.get(kind, (kind, kind))
    return f"{n} {one if n == 1 else many}"


def summary(preview: SyncReport) -> list[str]:
    """The plan of a dry run, in a few lines: emails of each kind, how many of them are
    catch-ups for steps overdue by more than a week, the calls and the owners' digests."""
    plan, today = preview.plan, preview.today
    planned = {m.key for m in preview.planned if m.kind == "email"}
    emails = [a for a in plan.emails if a.step.key in planned]
    kinds = Counter(a.rule for a in emails)
    late = today - dt.timedelta(days=CATCH_UP_DAYS)
    catch_ups = sum(1 for a in emails if plan.overdue_since.get(a.step.key, a.step.due) < late)
    digests = sum(1 for m in preview.planned if m.kind == "digest")
    calls = sum(1 for a in plan.actions if a.kind == "call")
    lines = [f"First sync of {preview.source}: nothing has been sent from this book yet. "
             f"Today ({today:%a %d %b %Y}) it would send:"]
    detail = ", ".join(_count(n, kind) for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    lines.append(f"  {len(emails)} email(s) to clients" + (f": {detail}" if detail else ""))
    lines.append(f"  {catch_ups} of them catch-up(s) for steps overdue by more than a week")
    lines.append(f"  {digests} digest(s) to owners, listing {calls} call(s) to make")
    if plan.catch_ups is not None:
        lines.append(f"  Start date {fmt_day(plan.catch_ups.start, today)}: overdue emails go out over the business "
                     f"days up to {fmt_day(plan.catch_ups.last_day, today)}")
    elif catch_ups:
        lines.append("  No Start date in Settings: every overdue step goes out today (a Start date spreads them "
                     "over the next business days: docs/workbook.md, \"Going live\")")
    return lines


def has_messages(preview: SyncReport) -> bool:
    """True when the run would send anything (an email or a digest)."""
    return bool(preview.planned)


def catch_up_lines(plan: Plan) -> list[str]:
    """What the Start date holds back, for a dry run: the overdue emails still waiting for their
    catch-up day, and the steps it dropped ([] without a Start date)."""
    if plan.catch_ups is None:
        return []
    waiting = sum(1 for day in plan.catch_ups.days.values() if day > plan.today)
    lines = []
    if waiting:
        lines.append(f"Start date {fmt_day(plan.catch_ups.start, plan.today)}: {waiting} more overdue email(s) wait "
                     f"for their catch-up day, the last on {fmt_day(plan.catch_ups.last_day, plan.today)} "
                     "(see Next Action Date).")
    calls = calls_waiting_line(plan)
    if calls:
        lines.append(calls)
    return lines + dropped_lines(plan.dropped())


def dropped_lines(dropped: Sequence[Dropped]) -> list[str]:
    """The steps the Start date dropped, under one heading, one line each ([] when none): a
    book with years of history drops dozens."""
    if not dropped:
        return []
    return ["Not sent (too late when sheets-sync started):", *(f"  {d.reason}" for d in dropped)]


def calls_waiting_line(plan: Plan, owner: str | None = None) -> str:
    """How many catch-up calls (of ``owner`` when given) wait for a later business day, or ''."""
    if plan.catch_ups is None:
        return ""
    days = plan.catch_ups.calls_waiting(plan.today, owner)
    if not days:
        return ""
    return (f"{len(days)} more catch-up call(s) wait for their day (Catch-up calls a day per owner), "
            f"the last on {fmt_day(days[-1], plan.today)} (see Next Action Date).")
