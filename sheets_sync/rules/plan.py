"""The plan: every action due today, for whom and why, derived purely from a Book.

``make_plan`` takes the workbook's rows, ``today`` and the dates the tool last wrote
(``WrittenDates``, to tell a person's typed date from its own), and returns plain data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sheets_sync.display import fmt_day
from sheets_sync.model.rows import Book, Client, Task, Touch
from sheets_sync.rules import refs
from sheets_sync.rules.business_days import add_business_days, is_business_day
from sheets_sync.rules.cadence import (
    Step,
    apply_override,
    client_step,
    is_at_risk,
    is_draft,
    last_touch,
    staff_date,
    task_step,
)
from sheets_sync.rules.email_status import blocks_email, status_now
from sheets_sync.rules.go_live import CatchUps, Dropped, catch_ups, scheduled, slot_key
from sheets_sync.rules.inbound import away_until


@dataclass
class Action:
    """One thing to do today: an email the tool sends, or a call a person makes."""

    kind: str  # "email" | "call"
    step: Step
    client: Client
    task: Task | None = None
    blocked: str = ""  # why an email step became a call ("Do Not Email", "no email address")

    @property
    def rule(self) -> str:
        """The rule that made this action."""
        return self.step.rule

    @property
    def owner(self) -> str:
        """Whose list the action is on."""
        return self.client.owner

    @property
    def to(self) -> str:
        """Recipient: the client for an email, the owner for a call."""
        return self.client.email if self.kind == "email" else self.client.owner

    @property
    def reason(self) -> str:
        """Why this action, in a sentence."""
        note = f" (email not possible: {self.blocked}, so call instead)" if self.blocked else ""
        return self.step.reason + note

    def to_json(self) -> dict[str, object]:
        """The action as the --json contract names it."""
        return {
            "kind": self.kind, "client_id": self.client.client_id,
            "task_id": self.task.task_id if self.task else None, "rule": self.rule,
            "to": self.to, "reason": self.reason, "key": self.step.key,
            "owner": self.owner, "due": self.step.due.isoformat(),
        }


@dataclass
class AtRisk:
    """An active A or B client nobody has touched for too long."""

    client: Client
    days: int


@dataclass
class Plan:
    """Everything due today, plus each client's and task's next step (for write-back)."""

    today: dt.date
    actions: list[Action] = field(default_factory=list)
    at_risk: list[AtRisk] = field(default_factory=list)
    client_steps: dict[str, Step | None] = field(default_factory=dict)
    task_steps: dict[str, Step | None] = field(default_factory=dict)
    held: dict[str, dt.date] = field(default_factory=dict)  # refs.client_date / task_date key -> staff date kept
    # With a Start date (rules.go_live): the catch-up schedule, and each moved step's key -> its own due date
    catch_ups: CatchUps | None = None
    overdue_since: dict[str, dt.date] = field(default_factory=dict)
    email_statuses: dict[str, str] = field(default_factory=dict)  # client ID -> its Email Status cell as it stands
    business_day: bool = True
    # The touches the plan was made from, by client ID and by task ID (this run's included
    # when passed): the write-back and the statistics group them the same way.
    touches_by_client: dict[str, list[Touch]] = field(default_factory=dict, repr=False)
    touches_by_task: dict[str, list[Touch]] = field(default_factory=dict, repr=False)

    @property
    def emails(self) -> list[Action]:
        """The email actions, most urgent first."""
        return sorted((a for a in self.actions if a.kind == "email"), key=lambda a: a.step.urgency)

    @property
    def calls(self) -> list[Action]:
        """The call actions, most urgent first."""
        return sorted((a for a in self.actions if a.kind == "call"), key=lambda a: (a.step.urgency, a.step.due))

    def dropped(self) -> list[Dropped]:
        """The steps the Start date dropped, while the owner's list names them (``rules.go_live``)."""
        return self.catch_ups.dropped_on(self.today) if self.catch_ups is not None else []

    def by_owner(self) -> dict[str, list[Action]]:
        """Actions grouped by owner ('' for clients without one), most urgent first."""
        groups: dict[str, list[Action]] = defaultdict(list)
        for action in sorted(self.actions, key=lambda a: (a.step.urgency, a.step.due)):
            groups[action.owner].append(action)
        return dict(groups)


@dataclass
class WrittenDates:
    """The dates the tool last wrote into its own date columns (the file written-dates.json),
    to recognise a person's edit."""

    dates: dict[str, dt.date] = field(default_factory=dict)  # refs.client_date / task_date key -> date
    known: bool = False  # False when there is no record at all (first run, or state lost)


def group_touches(touches: list[Touch]) -> tuple[dict[str, list[Touch]], dict[str, list[Touch]]]:
    """Touches by client ID and by task ID."""
    by_client: dict[str, list[Touch]] = defaultdict(list)
    by_task: dict[str, list[Touch]] = defaultdict(list)
    for touch in touches:
        by_client[touch.client_id].append(touch)
        if touch.task_id:
            by_task[touch.task_id].append(touch)
    return by_client, by_task


def _email_block(client: Client, status: str) -> str:
    if client.status in ("Lost", "No Sale"):
        return f"client is {client.status}"
    if client.do_not_email:
        return "Do Not Email"
    if blocks_email(status):
        return f"Email Status: {blocks_email(status)}"
    if not client.email:
        return "no email address"
    return ""


def make_plan(book: Book, today: dt.date, written: WrittenDates | None = None,
              extra_touches: Mapping[str, list[Touch]] | None = None, base: Plan | None = None,
              statuses: Mapping[str, str] | None = None) -> Plan:
    """Decide every client's and task's next step and the actions due ``today``.

    ``extra_touches`` (by client ID) are touches made this run and not yet in the sheet;
    passing them gives the steps as they stand after this run's sends. With ``base`` (the
    plan made before those touches) only the clients and tasks they concern are worked out
    again: the rest cannot have changed. ``statuses`` (by client ID): Email Status cells
    set this run (the inbox's bounces and unsubscribes), over what the sheet holds.
    """
    written = written or WrittenDates()
    settings = book.settings
    plan = Plan(today=today, business_day=is_business_day(today, settings.holiday_set()))
    if base is not None:  # the same book: its groups, copied
        by_client, by_task = dict(base.touches_by_client), dict(base.touches_by_task)
    else:
        by_client, by_task = group_touches(book.touches)
    plan.touches_by_client, plan.touches_by_task = by_client, by_task
    if extra_touches:
        for cid, extra in extra_touches.items():
            by_client[cid] = by_client.get(cid, []) + extra
            for touch in extra:
                if touch.task_id:
                    by_task[touch.task_id] = by_task.get(touch.task_id, []) + [touch]
    clients = {c.client_id: c for c in book.clients}
    tasks, client_list = book.tasks, book.clients
    plan.catch_ups = base.catch_ups if base is not None else catch_ups(book, by_client, by_task)
    if base is not None:
        changed = set(extra_touches or ())
        # No client rule counts an outbox draft (is_real_touch): a client whose new touches are all
        # drafts keeps its step; its tasks are worked out again (a hand-set reminder date counts one).
        redo = {cid for cid, extra in (extra_touches or {}).items() if not all(is_draft(t.result) for t in extra)}
        plan.client_steps, plan.task_steps = dict(base.client_steps), dict(base.task_steps)
        tasks = [t for t in tasks if t.client_id in changed]
        client_list = [c for c in client_list if c.client_id in redo]
        redone = {refs.task_date(t.task_id) for t in tasks} | {refs.client_date(c.client_id) for c in client_list}
        plan.held = {k: d for k, d in base.held.items() if k not in redone}
        plan.at_risk = [r for r in base.at_risk if r.client.client_id not in redo]
        plan.email_statuses = dict(base.email_statuses)  # touches do not change them
    else:
        plan.email_statuses = {c.client_id: status_now(c) for c in book.clients if c.email_status}
    plan.email_statuses.update(statuses or {})
    holidays = settings.holiday_set()

    for task in tasks:
        client = clients[task.client_id]
        touches = by_task.get(task.task_id, [])
        step = task_step(task, touches, settings, today)
        if step is None:  # closed: nothing to hold or do (most tasks of a big book)
            plan.task_steps[task.task_id] = None
            continue
        mine = refs.task_date(task.task_id)
        held = staff_date(task.next_reminder, written.dates.get(mine), written.known and mine in written.dates)
        reminders = [t.date for t in touches if refs.parse_ref(t.ref).is_message_about(task.task_id)]
        step = apply_override(step, held, max(reminders) if reminders else None, today)
        if plan.catch_ups is not None:
            step = _catch_up(plan, step, slot_key("task", task.task_id), holidays)
        step = _after_away(step, by_client.get(task.client_id, []), today, holidays)
        if held and step is not None and step.due == held:
            plan.held[mine] = held
        plan.task_steps[task.task_id] = step
        if step is not None:
            _add(plan, step, client, task, today)

    for client in client_list:
        touches = by_client.get(client.client_id, [])
        step = client_step(client, touches, settings, today)
        mine = refs.client_date(client.client_id)
        held = staff_date(client.next_action_date, written.dates.get(mine), written.known and mine in written.dates)
        last = last_touch(touches)
        step = apply_override(step, held, last, today)
        if plan.catch_ups is not None:
            step = _catch_up(plan, step, slot_key("client", client.client_id), holidays)
        step = _after_away(step, touches, today, holidays)
        if held and step is not None and step.due == held:
            plan.held[mine] = held
        plan.client_steps[client.client_id] = step
        if step is not None:
            _add(plan, step, client, None, today)
        days = is_at_risk(client, touches, settings, today, last=last)
        if days is not None:
            plan.at_risk.append(AtRisk(client, days))
    plan.at_risk.sort(key=lambda r: (r.client.tier, -r.days))
    return plan


def _after_away(step: Step | None, touches: list[Touch], today: dt.date, holidays: Collection[dt.date]) -> Step | None:
    """An email step due while the client is out of office (their automatic reply said when
    they are back) moves to the first business day after that day."""
    if step is None or step.kind != "email":
        return step
    back = away_until(touches, today)
    if back is None or step.due > back:
        return step
    due = add_business_days(back, 1, holidays)
    return Step(step.rule, step.kind, due, step.key, step.label,
                f"{step.reason} (out of office until {fmt_day(back)}: moved to {fmt_day(due)})",
                step.number, step.template)


def _catch_up(plan: Plan, step: Step | None, key: str, holidays: Collection[dt.date]) -> Step | None:
    """``step`` on its catch-up day when it was overdue on the Start date (``rules.go_live``)."""
    moved = scheduled(step, plan.catch_ups, key, holidays)
    if step is not None and moved is not step:
        plan.overdue_since[step.key] = step.overdue_since or step.due
    return moved


def _add(plan: Plan, step: Step, client: Client, task: Task | None, today: dt.date) -> None:
    if step.due > today:
        return
    if step.kind == "email":
        blocked = _email_block(client, plan.email_statuses.get(client.client_id, ""))
        if blocked:
            plan.actions.append(Action("call", step, client, task, blocked=blocked))
        elif plan.business_day:
            plan.actions.append(Action("email", step, client, task))
        return
    plan.actions.append(Action("call", step, client, task))

