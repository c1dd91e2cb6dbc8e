"""What goes back into the sheet: the tool columns, the Touches rows for what was sent, and
the IDs of new rows, as one batch of updates keyed by Client ID / Task ID."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sheets_sync.mail.journal import RESULT_TEXT, delivery_touch
from sheets_sync.mail.message import Delivery, Message
from sheets_sync.model.rows import Book, Client, Task, Touch
from sheets_sync.rules import refs
from sheets_sync.rules.cadence import is_real_touch
from sheets_sync.rules.plan import Plan, WrittenDates, group_touches
from sheets_sync.workbook import RowUpdate, WriteBatch


def new_touches(deliveries: Sequence[tuple[Message, Delivery]], today: dt.date, by: str) -> list[Touch]:
    """A Touches row for each client email delivered, queued or failed (digests are not touches)."""
    return [delivery_touch(today, message.client_id, message.task_id, message.summary, message.key,
                           delivery.status, delivery.detail, by)
            for message, delivery in deliveries
            if message.kind == "email" and delivery.status in RESULT_TEXT]


def _row(book: Book, table: str, values: dict[str, object]) -> dict[str, object]:
    headers = book.headers[table]
    return {headers[field]: value for field, value in values.items() if field in headers}


def build_batch(book: Book, plan: Plan, added: list[Touch], written: WrittenDates) -> WriteBatch:
    """The batch for this run. ``plan`` is the plan as it stands after this run's sends
    (``make_plan(..., extra_touches=...)``); ``written`` is updated with the dates written."""
    batch = WriteBatch(tables={ref.sheet: ref for ref in book.tables.values()})
    for name, headers in book.missing_tool_columns.items():
        if headers and name in ("clients", "tasks", "touches"):
            batch.new_columns[book.tables[name].sheet] = list(headers)
    if added:
        batch.appends[book.tables["touches"].sheet] = [
            _row(book, "touches", {
                "date": t.date, "client_id": t.client_id, "task_id": t.task_id or None,
                "channel": t.channel, "direction": t.direction, "by": t.by, "summary": t.summary,
                "ref": t.ref, "result": t.result,
            }) for t in added
        ]
    by_client, by_task = plan.touches_by_client, plan.touches_by_task  # they include ``added``
    if not by_client and not by_task:
        by_client, by_task = group_touches(book.touches + added)
    today = plan.today
    _email_status_column(batch, book, plan)
    for client in book.clients:
        _client_update(batch, book, client, by_client.get(client.client_id, []), plan, written, today)
    for task in book.tasks:
        _task_update(batch, book, task, by_task.get(task.task_id, []), plan, written)
    return batch


def _email_status_column(batch: WriteBatch, book: Book, plan: Plan) -> None:
    """Make the Email Status column (on demand) once a client has a status to show."""
    if "email_status" in book.absent_on_demand.get("clients", []) and any(plan.email_statuses.values()):
        sheet = book.tables["clients"].sheet
        batch.new_columns.setdefault(sheet, []).append(book.headers["clients"]["email_status"])


def _client_update(batch: WriteBatch, book: Book, client: Client, touches: list[Touch], plan: Plan,
                   written: WrittenDates, today: dt.date) -> None:
    real = [t.date for t in touches if is_real_touch(t)]
    last = max(real) if real else None
    step = plan.client_steps.get(client.client_id)
    mine = refs.client_date(client.client_id)
    new = {
        "touches": len(real), "last_touch": last,
        "next_action": step.label if step else None,
        "days_since_touch": (today - last).days if last else None,
    }
    if mine in plan.held:
        written.dates.pop(mine, None)
    else:
        new["next_action_date"] = step.due if step else None
        if step:
            written.dates[mine] = step.due
        else:
            written.dates.pop(mine, None)
    old = {"touches": client.touches, "last_touch": client.last_touch, "next_action": client.next_action or None,
           "next_action_date": client.next_action_date, "days_since_touch": client.days_since_touch}
    if plan.email_statuses.get(client.client_id, "") != client.email_status:
        new["email_status"] = plan.email_statuses.get(client.client_id) or None
        old["email_status"] = client.email_status or None
    _emit(batch, book, "clients", client.client_id, client.row, client.id_was_blank,
          {"name": client.name}, old, new)


def _task_update(batch: WriteBatch, book: Book, task: Task, touches: list[Touch], plan: Plan, written: WrittenDates) -> None:
    step = plan.task_steps.get(task.task_id)
    mine = refs.task_date(task.task_id)
    if (step is None and not touches and task.reminders_sent in (None, 0) and task.last_reminder is None
            and task.next_reminder is None and not task.id_was_blank):
        # a closed task never reminded, its tool cells empty (most tasks of a big book): nothing to write
        written.dates.pop(mine, None)
        return
    sent = [t for t in touches if is_real_touch(t) and refs.parse_ref(t.ref).is_message_about(task.task_id)]
    new: dict[str, object] = {
        "reminders_sent": len(sent), "last_reminder": max((t.date for t in sent), default=None),
    }
    if mine in plan.held:
        written.dates.pop(mine, None)
    else:
        new["next_reminder"] = step.due if step else None
        if step:
            written.dates[mine] = step.due
        else:
            written.dates.pop(mine, None)
    old = {"reminders_sent": task.reminders_sent, "last_reminder": task.last_reminder,
           "next_reminder": task.next_reminder}
    if task.reminders_sent is None and not sent:
        old["reminders_sent"] = 0  # an empty cell already says "none"
    _emit(batch, book, "tasks", task.task_id, task.row, task.id_was_blank,
          {"client_id": task.client_id}, old, new)


def _emit(batch: WriteBatch, book: Book, table: str, key: str, row: int, fill: bool,
          check_fields: dict[str, object], old: Mapping[str, object], new: Mapping[str, object]) -> None:
    """The row's update: the values of ``new`` that differ from ``old`` (none: no update, unless
    the key is filled in), under the headers the sheet has."""
    changed = [f for f, v in new.items() if old.get(f) != v]
    if not changed and not fill:
        return
    headers = book.headers[table]
    check = {headers[f]: v for f, v in check_fields.items() if f in headers}
    values = {headers[f]: new[f] for f in changed if f in headers}
    batch.updates.append(RowUpdate(book.tables[table], key, row, values, fill_key=fill, check=check))
