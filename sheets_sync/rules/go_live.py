"""Going live on a book with history: what the Start date setting changes.

A team that adopts the tool on a book kept for years has steps long overdue on its first day.
Sent as they stand, they flood: a check-in to a client untouched for five years, a "how are
your first weeks" to a client two months in. With a Start date (the day the team started;
``init`` writes it), the steps that were already overdue on that day are treated so:

- an overdue **email** is a catch-up: it is sent from the Start date on, at most
  ``catch_up_per_day`` per owner each business day, the longest overdue first (then the more
  urgent kind, then by key: the order is the same on every run);
- a **satisfaction check** is sent only within its window: once a client has been a client
  for twice the check's days on the Start date (28 with the default 14), it is dropped and
  the owner's list says so;
- a **referral request** waits for the satisfaction step: it goes out once that step was
  done, or its window has passed;
- a **check-in** overdue by more than its own interval on the Start date (a tier C client
  untouched for 180 days or more) becomes a call on the owner's list, not a form email;
- a **prospect** whose whole sequence had run out by the Start date gets a call, not a
  catch-up email (``cadence.prospect_step``);
- a **catch-up call** (a reconnect call, a quiet prospect's call, or any client call already
  overdue on the Start date, such as a tier A check-in) is spread like the emails, at most
  ``catch_up_calls_per_day`` per owner each business day, the longest overdue first; its Next
  Action Date is that day, never one before the Start date. Task calls are not spread (they
  are about money or papers a client owes): one overdue on the Start date is dated that day.

Steps due on or after the Start date, and every step of a book without one, follow the usual
rules unchanged. Everything here is pure: the Start date is a setting, ``today`` an argument.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sheets_sync.display import fmt_day
from sheets_sync.model.rows import Book, Client, Touch
from sheets_sync.model.settings import Settings
from sheets_sync.rules import refs
from sheets_sync.rules.business_days import add_business_days, on_or_after
from sheets_sync.rules.cadence import Step, client_step, is_real_touch, task_step
from sheets_sync.rules.start_date import satisfaction_dropped, start_date


@dataclass(frozen=True)
class Dropped:
    """A step the Start date dropped, for the owner's list."""

    client: Client
    rule: str
    reason: str

    def to_json(self) -> dict[str, object]:
        """As ``due --json`` names it."""
        return {"client_id": self.client.client_id, "owner": self.client.owner, "rule": self.rule,
                "reason": self.reason}


@dataclass
class CatchUps:
    """The catch-up schedule of a book with a Start date."""

    start: dt.date
    days: dict[str, dt.date]  # "client:C-1" / "task:T-1" -> the business day its overdue email goes out
    last_day: dt.date  # the day the last catch-up goes out (the Start date's business day when none)
    dropped: list[Dropped]
    said_until: dt.date  # the owner's list names the dropped steps until this day
    calls: dict[str, dt.date] = dataclasses.field(default_factory=dict)  # "client:C-1" -> its catch-up call's day
    call_owners: dict[str, str] = dataclasses.field(default_factory=dict)  # "client:C-1" -> owner (lower case)

    def calls_waiting(self, today: dt.date, owner: str | None = None) -> list[dt.date]:
        """The days of the catch-up calls after ``today`` (of ``owner``, any capitals, when given)."""
        mine = owner.casefold() if owner is not None else None
        return sorted(day for key, day in self.calls.items()
                      if day > today and (mine is None or self.call_owners.get(key) == mine))

    def dropped_on(self, today: dt.date) -> list[Dropped]:
        """The dropped steps the owner's list names ``today``: from the Start date to the last
        catch-up day, and at least a week of business days."""
        return self.dropped if self.start <= today <= self.said_until else []


def slot_key(kind: str, ident: str) -> str:
    """The key of a client's or task's catch-up day in ``CatchUps.days``."""
    return f"{kind}:{ident}"


def _emailable(client: Client) -> bool:
    return client.status in ("Active", "Prospect") and bool(client.email) and not client.do_not_email


def catch_ups(book: Book, by_client: Mapping[str, Sequence[Touch]], by_task: Mapping[str, Sequence[Touch]]
              ) -> CatchUps | None:
    """Which emails were overdue on the Start date and the business day each goes out; None
    without a Start date. Worked out from the book as it stood on the Start date (touches
    before it), so a catch-up sent since does not move the others."""
    settings = book.settings
    start = start_date(settings)
    if start is None:
        return None
    holidays = settings.holiday_set()
    first = on_or_after(start, holidays)
    cap = max(1, int(settings.catch_up_per_day))
    call_cap = max(1, int(settings.catch_up_calls_per_day))
    clients = {c.client_id: c for c in book.clients}
    queues: dict[str, list[tuple[dt.date, int, str, str]]] = defaultdict(list)
    call_queues: dict[str, list[tuple[dt.date, int, str, str]]] = defaultdict(list)

    def before(touches: Sequence[Touch]) -> list[Touch]:
        return [t for t in touches if t.date < start]

    for task in book.tasks:
        client = clients.get(task.client_id)
        if client is None or task.status != "Open" or not _emailable(client):
            continue
        step = task_step(task, before(by_task.get(task.task_id, ())), settings, start)
        if step is not None and step.kind == "email" and step.due < start:
            queues[client.owner.casefold()].append((step.due, step.urgency, step.key, slot_key("task", task.task_id)))
    dropped = []
    for client in book.clients:
        if not _emailable(client) and client.status != "Active":
            continue
        touches = before(by_client.get(client.client_id, ()))
        drop = _dropped_satisfaction(client, touches, settings)
        if drop is not None:
            dropped.append(drop)
        step = client_step(client, touches, settings, start)
        if step is not None and step.kind == "call" and (step.due < start or step.overdue_since is not None):
            call_queues[client.owner.casefold()].append(
                (step.overdue_since or step.due, step.urgency, step.key, slot_key("client", client.client_id)))
        if not _emailable(client):
            continue
        if step is not None and step.kind == "email" and step.due < start:
            queues[client.owner.casefold()].append((step.due, step.urgency, step.key, slot_key("client", client.client_id)))
    days: dict[str, dt.date] = {}
    last = first
    for queue in queues.values():
        for n, (_, _, _, key) in enumerate(sorted(queue)):
            days[key] = add_business_days(first, n // cap, holidays)
            last = max(last, days[key])
    calls: dict[str, dt.date] = {}
    call_owners: dict[str, str] = {}
    for owner, queue in call_queues.items():
        for n, (_, _, _, key) in enumerate(sorted(queue)):
            calls[key] = add_business_days(first, n // call_cap, holidays)
            call_owners[key] = owner
    return CatchUps(start, days, last, dropped, max(last, add_business_days(first, 4, holidays)), calls, call_owners)


def _dropped_satisfaction(client: Client, touches: Sequence[Touch], settings: Settings) -> Dropped | None:
    since = client.client_since
    if client.status != "Active" or since is None or not satisfaction_dropped(since, settings):
        return None
    start = start_date(settings)
    assert start is not None  # satisfaction_dropped says there is one
    if start >= since + dt.timedelta(days=int(settings.referral_request_days)):
        return None  # past the referral day: the usual rules had left it behind already
    real = [t for t in touches if is_real_touch(t)]
    due = since + dt.timedelta(days=int(settings.satisfaction_check_days))
    if any(t.ref == refs.satisfaction_check(client.client_id) for t in real) or any(
            t.date >= due and not refs.is_task_ref(t.ref) for t in real):
        return None
    days = (start - since).days
    return Dropped(client, "satisfaction",
                   f"Client {client.client_id}: satisfaction check not sent: a client for {days} days on the "
                   f"Start date {fmt_day(start)}, past its window ({2 * int(settings.satisfaction_check_days)} days)")


def scheduled(step: Step | None, plan: CatchUps | None, key: str, holidays: Collection[dt.date]) -> Step | None:
    """``step`` with its catch-up day: an email overdue on the Start date goes out on its
    day in ``plan`` (the Start date's business day when it has none); other steps as they are."""
    if step is None or plan is None:
        return step
    if step.kind == "call":
        return _scheduled_call(step, plan, key, holidays)
    if step.kind != "email" or step.due >= plan.start:
        return step
    day = plan.days.get(key) or on_or_after(plan.start, holidays)
    return dataclasses.replace(
        step, due=day,
        reason=f"{step.reason} (catch-up: due {fmt_day(step.due, plan.start)}, overdue on the Start date {fmt_day(plan.start)})")


def _scheduled_call(step: Step, plan: CatchUps, key: str, holidays: Collection[dt.date]) -> Step:
    """A catch-up call on its day in ``plan``; any other call overdue on the Start date on
    the Start date's business day (never a Next Action Date from before it)."""
    if step.due >= plan.start and step.overdue_since is None:
        return step
    day = plan.calls.get(key) or on_or_after(plan.start, holidays)
    if day == step.due:
        return step
    if step.overdue_since is not None:  # its reason says already how late it was on the Start date
        return dataclasses.replace(step, due=day)
    return dataclasses.replace(
        step, due=day,
        reason=f"{step.reason} (catch-up call: due {fmt_day(step.due, plan.start)}, overdue on the Start date "
               f"{fmt_day(plan.start)})")
