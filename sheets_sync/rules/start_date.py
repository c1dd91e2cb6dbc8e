"""The Start date setting's rules for one client, as predicates the cadence asks (the
whole story, and the catch-up schedule, are in ``rules.go_live``)."""

from __future__ import annotations

import datetime as dt

from sheets_sync.model.settings import Settings


def start_date(settings: Settings) -> dt.date | None:
    """The Start date setting, or None when the book has none."""
    value = settings.values.get("start_date")
    return value if isinstance(value, dt.date) else None


def satisfaction_window_end(since: dt.date, settings: Settings) -> dt.date:
    """The last day a late satisfaction check still makes sense: twice its days after Client Since."""
    return since + dt.timedelta(days=2 * int(settings.satisfaction_check_days))


def satisfaction_dropped(since: dt.date, settings: Settings) -> bool:
    """True when the satisfaction check was overdue on the Start date and its window had passed."""
    start = start_date(settings)
    due = since + dt.timedelta(days=int(settings.satisfaction_check_days))
    return start is not None and due < start and start >= satisfaction_window_end(since, settings)


def referral_waits(since: dt.date, satisfied: bool, settings: Settings, today: dt.date) -> bool:
    """True when, with a Start date, a referral request must wait: the satisfaction step is
    neither done nor past its window."""
    return (start_date(settings) is not None and not satisfied
            and today < satisfaction_window_end(since, settings) and not satisfaction_dropped(since, settings))


def checkin_as_call(due: dt.date, interval: int, settings: Settings) -> bool:
    """True when a check-in was overdue by more than its own interval on the Start date."""
    start = start_date(settings)
    return start is not None and (start - due).days > interval


def sequence_lapsed(first: dt.date, settings: Settings) -> bool:
    """True when a prospect's whole sequence (its last touch day after first contact) had
    passed on the Start date: a catch-up email would follow up on a contact long gone cold."""
    start = start_date(settings)
    days = tuple(settings.prospect_touch_days)
    return start is not None and bool(days) and start > first + dt.timedelta(days=int(days[-1]))
