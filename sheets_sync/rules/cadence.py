"""The follow-up rules, as pure functions: given one client or task, its touches, the
settings and ``today``, what is the next step and when is it due?

Nothing here reads a file or a clock. Steps are scheduled from what the Touches log shows:
the last reminder actually sent, the last touch of any kind. That is what makes a missed run
produce one catch-up rather than a burst, and what schedules the following step from today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sheets_sync.display import fmt_day, money, ordinal
from sheets_sync.model.rows import Client, Task, Touch
from sheets_sync.model.settings import Settings
from sheets_sync.rules import refs
from sheets_sync.rules.business_days import add_business_days, on_or_after
from sheets_sync.rules.inbound import is_automatic
from sheets_sync.rules.start_date import (
    checkin_as_call,
    referral_waits,
    satisfaction_dropped,
    sequence_lapsed,
    start_date,
)

DAY = dt.timedelta(days=1)

# Lower goes first (under the daily email cap, and in the owner's list).
URGENCY = {
    "task-escalate": 0, "task-final": 10, "task-replied": 15, "task-reminder": 20, "prospect-replied": 24,
    "prospect-decide": 26, "prospect": 30, "satisfaction": 40, "referral": 45,
    "checkin": 50,
}
TASK_TEMPLATES = {"Payment": "payment", "Signature": "signature", "Paperwork": "paperwork",
                  "Quote": "quote", "Other": "generic"}


@dataclass(frozen=True)
class Step:
    """The next thing to do for one client or task."""

    rule: str  # a key of URGENCY
    kind: str  # "email" (the tool can send it) or "call" (a person must do it)
    due: dt.date
    key: str  # idempotency key: the Ref of the Touches row once sent
    label: str  # short text for the Next Action column
    reason: str  # why, for the plan and the owner's list
    number: int = 0  # position in its sequence (reminder 2, prospect touch 3)
    template: str = ""  # email template name
    overdue_since: dt.date | None = None  # a catch-up call the Start date made: the day it was really due

    @property
    def urgency(self) -> int:
        """Lower is more urgent."""
        return URGENCY[self.rule]


def is_real_touch(touch: Touch) -> bool:
    """True for touches that really happened: not a failed send, not an outbox draft nobody
    sent yet, not an automatic reply or a bounce (those are logged, but nobody answered)."""
    result = touch.result
    return not result or (result[:6].lower() != "failed" and not is_draft(result) and not is_automatic(touch))


def is_draft(result: str) -> bool:
    """True for the Result of an email still waiting in the outbox for a person to send it
    (``mail.drafts``): it is not a touch until then."""
    return result[:5].lower() == "draft"


def task_step(task: Task, touches: Sequence[Touch], settings: Settings, today: dt.date) -> Step | None:
    """Next step for an open task: first request, "one more" after 7 days, then every 3
    days, a final notice 2 business days before the due date, and after the due date an
    escalation call for the owner every business day. None once the task is closed."""
    if task.status != "Open":
        return None
    holidays = settings.holiday_set()
    tid = task.task_id
    # What the tool sent about this task: a failed send was not sent.
    read = ((t, refs.parse_ref(t.ref)) for t in touches if not t.result or is_real_touch(t))
    mine = sorted(((t, ref) for t, ref in read if ref.is_message_about(tid)), key=lambda pair: pair[0].date)
    sent = [t for t, _ in mine]
    n = len(sent)
    final_sent = any(ref.kind == "task-final" for _, ref in mine)
    template = TASK_TEMPLATES.get(task.type, "generic")
    what = f"{task.type.lower()} " if task.type != "Other" else ""
    amount = money(task.amount, settings.currency)
    due_note = f", due {fmt_day(task.due_date, today)}" if task.due_date else ""
    worth = f", {amount}" if amount else ""

    if task.due_date and today > task.due_date:
        return Step(
            "task-escalate", "call", on_or_after(task.due_date + DAY, holidays), refs.task_escalate(tid),
            f"Call: {task.type.lower()} overdue ({task.task_id})",
            f"Task {task.task_id}: overdue since {fmt_day(task.due_date + DAY, today)}{worth}, "
            f"{n} reminder{'s' if n != 1 else ''} sent: call the client",
            number=n, template=template,
        )
    if n == 0:
        start = task.opened_on or today
        return Step(
            "task-reminder", "email", on_or_after(start, holidays), refs.task_reminder(tid, 1),
            f"Email: {what}request ({task.task_id})",
            f"Task {task.task_id}: first {what}request{worth}{due_note}",
            number=1, template=template,
        )
    last = sent[-1].date
    answered = _answered(touches, last)
    if answered is not None:
        return Step(
            "task-replied", "call", answered, refs.task_replied(tid),
            f"Call: replied {fmt_day(answered)}, follow up ({task.task_id})",
            f"Task {task.task_id}: the client answered on {fmt_day(answered)}: reminders paused until "
            f"you act (log your answer in Touches, or mark the task Done)",
            number=n, template=template,
        )
    gap = settings.first_reminder_days if n == 1 else settings.repeat_reminder_days
    regular = on_or_after(last + dt.timedelta(days=gap), holidays)
    opened = task.opened_on or sent[0].date
    age = f"opened {(today - opened).days} days ago"
    if task.due_date and not final_sent:
        final_day = add_business_days(task.due_date, -settings.final_notice_business_days, holidays)
        if last < final_day and final_day <= regular:
            return Step(
                "task-final", "email", final_day, refs.task_final(tid),
                f"Email: final notice ({task.task_id})",
                f"Task {task.task_id}: final notice, {age}{worth}{due_note}",
                number=n + 1, template=template,
            )
    if task.due_date and (final_sent or regular > task.due_date):
        return Step(
            "task-escalate", "call", on_or_after(task.due_date + DAY, holidays), refs.task_escalate(tid),
            f"Call if still open after {fmt_day(task.due_date, today)} ({task.task_id})",
            f"Task {task.task_id}: escalates to a call after the due date {fmt_day(task.due_date, today)}",
            number=n, template=template,
        )
    return Step(
        "task-reminder", "email", regular, refs.task_reminder(tid, n + 1),
        f"Email: {ordinal(n + 1)} {what}reminder ({task.task_id})",
        f"Task {task.task_id}: {ordinal(n + 1)} reminder, {age}{worth}{due_note}",
        number=n + 1, template=template,
    )


def _answered(touches: Sequence[Touch], last_sent: dt.date) -> dt.date | None:
    """The day the client answered the task's emails, when no one has acted on it since
    (a touch of ours, Out, logged on or after the answer); None otherwise."""
    replies = [t.date for t in touches if t.direction == "In" and is_real_touch(t) and t.date >= last_sent]
    if not replies:
        return None
    answer = max(replies)
    acted = any(t.direction == "Out" and is_real_touch(t) and t.date >= answer
                and not refs.parse_ref(t.ref).kind for t in touches)
    return None if acted else answer


def prospect_step(client: Client, touches: Sequence[Touch], settings: Settings, today: dt.date) -> Step:
    """Next step for a prospect: touches at days 2, 5, 9, ... after first contact,
    alternating email and call; an inbound touch stops the sequence; after the last touch the
    owner is asked to decide."""
    holidays = settings.holiday_set()
    days: tuple[int, ...] = tuple(settings.prospect_touch_days)
    real = sorted((t for t in touches if not t.result or is_real_touch(t)), key=lambda t: t.date)
    # The first contact is the first touch of the relationship (a call, the quote), never a
    # touch of this sequence: with none logged it is Client Since, and the tool's own touch 1
    # counts as touch 1 (taking it as the first contact made the sequence stall at touch 1).
    opening = real[0] if real and refs.parse_ref(real[0].ref).kind != "prospect" else None
    first = opening.date if opening else (client.client_since or today)
    later = [t for t in real if t is not opening]
    replies = [t for t in later if t.direction == "In"]
    cid = client.client_id
    if replies:
        reply = replies[0].date
        return Step(
            "prospect-replied", "call", reply, refs.prospect_replied(cid),
            f"Call: replied {fmt_day(reply, today)}, follow up and set Status",
            f"Prospect {cid} answered on {fmt_day(reply, today)}: the sequence stopped; follow up and set the Status",
        )
    outbound = [t for t in later if t.direction == "Out" and t.date >= first]
    n = len(outbound)
    last = outbound[-1].date if outbound else first
    if n >= len(days):
        return Step(
            "prospect-decide", "call", on_or_after(last + DAY, holidays), refs.prospect_decide(cid),
            f"Decide: {n} touches, no answer: keep, or mark No Sale?",
            f"Prospect {cid}: {n} touches, no answer: keep, or mark No Sale?", number=n,
        )
    i = n + 1
    gap = days[i - 1] - (days[i - 2] if i > 1 else 0)
    due = on_or_after(max(first + dt.timedelta(days=days[i - 1]), last + dt.timedelta(days=gap)), holidays)
    kind = "email" if i % 2 == 1 else "call"
    start = start_date(settings)
    if start is not None and due < start and sequence_lapsed(first, settings):
        # One call for the owner to decide, not the rest of the sequence as catch-ups (email
        # or call) to someone who has not heard from the office since; a touch logged then
        # moves the sequence on from that day.
        return Step(
            "prospect", "call", on_or_after(start, holidays), refs.prospect_touch(cid, i),
            "Call: prospect went quiet before sheets-sync started: keep chasing or mark No Sale?",
            f"Prospect {cid}: went quiet before sheets-sync started (first contact {fmt_day(first, today)}, "
            + (f"{n} of {len(days)} touches, the last {fmt_day(last, today)}" if n else "no touch since")
            + "): keep chasing or mark No Sale?",
            number=i, template="prospect", overdue_since=due,
        )
    return Step(
        "prospect", kind, due, refs.prospect_touch(cid, i),
        f"{kind.capitalize()}: prospect touch {i} of {len(days)}",
        f"Prospect {cid}: touch {i} of {len(days)} ({kind}), first contact {fmt_day(first, today)}",
        number=i, template="prospect",
    )


def last_touch(touches: Sequence[Touch]) -> dt.date | None:
    """The date of the latest touch that really happened."""
    return max((t.date for t in touches if not t.result or is_real_touch(t)), default=None)


def client_step(client: Client, touches: Sequence[Touch], settings: Settings, today: dt.date) -> Step | None:
    """Next step for a client by status: prospect sequence, or the active client cadence
    (satisfaction check, referral request, check-in by tier). None for Lost / No Sale."""
    if client.status == "Prospect":
        return prospect_step(client, touches, settings, today)
    if client.status != "Active":
        return None
    return _active_step(client, touches, settings, today)


def _active_step(client: Client, touches: Sequence[Touch], settings: Settings, today: dt.date) -> Step:
    holidays = settings.holiday_set()
    cid = client.client_id
    kind, verb = ("call", "Call") if client.tier == "A" else ("email", "Email")
    since = client.client_since
    real = [t for t in touches if not t.result or is_real_touch(t)]  # most touches have no Result: real
    anchor = max((t.date for t in real), default=None) or since or today
    interval = settings.checkin_days(client.tier)
    checkin_due = on_or_after(anchor + dt.timedelta(days=interval), holidays)
    # The earliest step wins, the more urgent on a tie (satisfaction, referral, check-in):
    # only the winner is built, a big book plans a hundred thousand clients. Most clients
    # are past both windows (the referral's closes last): nothing to weigh for them.
    if since is not None and (today - since).days < settings.referral_request_days + 30:
        best: tuple[dt.date, str, str, str] | None = None
        logged = {t.ref for t in real if t.ref}
        # Any relationship contact on or after the due day (a call, a check-in email)
        # already did the job; task reminders do not count.
        contact = max((t.date for t in real if not refs.is_task_ref(t.ref)), default=None)
        satisfied = refs.satisfaction_check(cid) in logged or (
            contact is not None and contact >= since + dt.timedelta(days=settings.satisfaction_check_days))
        for rule, key, days, until, label in (
            ("satisfaction", refs.satisfaction_check(cid), settings.satisfaction_check_days,
             settings.referral_request_days, "satisfaction check"),
            ("referral", refs.referral_request(cid), settings.referral_request_days,
             settings.referral_request_days + 30, "referral request"),
        ):
            due = since + dt.timedelta(days=days)
            if key in logged or (contact is not None and contact >= due):
                continue
            if today >= since + dt.timedelta(days=until):
                continue
            if rule == "satisfaction" and satisfaction_dropped(since, settings):
                continue  # past its window on the Start date (rules.go_live)
            if rule == "referral" and referral_waits(since, satisfied, settings, today):
                continue
            due = on_or_after(due, holidays)
            if best is None or due < best[0]:
                best = (due, rule, key, label)
        if best is not None and best[0] <= checkin_due:
            due, rule, key, label = best
            return Step(rule, kind, due, key, f"{verb}: {label}",
                        f"Client {cid}: {label}, client since {fmt_day(since, today)}", template=rule)
    quiet = f"last touch {(today - anchor).days} days ago" if real else "never touched"
    start = start_date(settings)
    if kind == "email" and start is not None and checkin_as_call(checkin_due, interval, settings):
        return Step(
            "checkin", "call", on_or_after(start, holidays), refs.checkin(cid, anchor), f"Call: reconnect (tier {client.tier})",
            f"Client {cid}: {quiet}; the tier {client.tier} check-in was {(start - checkin_due).days} days overdue "
            f"on the Start date {fmt_day(start)}: a call, not a form email",
            template="checkin", overdue_since=checkin_due,
        )
    return Step(
        "checkin", kind, checkin_due, refs.checkin(cid, anchor),
        f"{verb}: check-in (tier {client.tier})",
        f"Client {cid}: tier {client.tier} check-in every {interval} days; {quiet}",
        template="checkin",
    )


def past_at_risk_limit(tier: str, days: int, settings: Settings) -> bool:
    """The at-risk rule: an A or B client with no touch for more than the At risk after
    setting. ``is_at_risk`` (the owner's list) is this rule alone; the statistics' at-risk
    list (``stats.at_risk``) adds clients past their check-in or never touched."""
    return tier in ("A", "B") and days > int(settings.at_risk_days)


def is_at_risk(client: Client, touches: Sequence[Touch], settings: Settings, today: dt.date,
               last: dt.date | None = None) -> int | None:
    """Days without a touch when an active client is past the at-risk limit
    (``past_at_risk_limit``), else None (``last``: the touches' ``last_touch`` when the
    caller has it already)."""
    if client.status != "Active" or client.tier not in ("A", "B"):
        return None
    days = days_since_touch(client, touches, today, last)
    return days if days is not None and past_at_risk_limit(client.tier, days, settings) else None


def days_since_touch(client: Client, touches: Iterable[Touch], today: dt.date,
                     last: dt.date | None = None) -> int | None:
    """Days from the last real touch (any direction, not after today) or, with none, from
    Client Since, to today; None when neither is known. ``last``: the touches'
    ``last_touch`` when the caller has it already."""
    if last is None or last > today:  # a touch dated ahead has not happened yet
        last = max((t.date for t in touches if (not t.result or is_real_touch(t)) and t.date <= today), default=None)
    anchor = last or client.client_since
    return None if anchor is None else (today - anchor).days


def staff_date(cell: dt.date | None, written: dt.date | None, known: bool) -> dt.date | None:
    """The date a person typed into a tool date column, or None when the cell holds ours.

    ``written`` is what the tool last wrote there and ``known`` whether we have a memory of
    it. With no memory, a date in the cell is taken as a person's: their edit wins.
    """
    if cell is None:
        return None
    if known:
        return cell if cell != written else None
    return cell


def apply_override(step: Step | None, override: dt.date | None, last: dt.date | None, today: dt.date) -> Step | None:
    """A staff-typed next date wins over the computed one until it passes: in the future it
    postpones the step, on the day it makes the step due. Once a touch has happened on or
    after it, or the day has passed, the computed date is back in charge."""
    if step is None or override is None or override < today:
        return step
    if last is not None and last >= override:
        return step
    return Step(step.rule, step.kind, override, step.key, step.label,
                f"{step.reason} (date set by hand: {fmt_day(override, today)})", step.number, step.template)

