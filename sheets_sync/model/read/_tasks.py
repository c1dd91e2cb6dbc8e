"""The Tasks sheet: one task a row, keyed by Task ID, for a client of the Clients sheet."""

from __future__ import annotations

from operator import itemgetter

from sheets_sync.model import values as v
from sheets_sync.model.layout import TASK_STATUSES, TASK_TYPES
from sheets_sync.model.read._tables import (
    Located,
    RowReader,
    cached,
    client_ref_ok,
    fill_ids,
    lenient,
    table_rows,
)
from sheets_sync.model.rows import Problem, Task

TASK_STATUS_ALIASES = {
    "closed": "Done", "complete": "Done", "completed": "Done", "paid": "Done", "signed": "Done",
    "received": "Done", "finished": "Done", "canceled": "Cancelled", "void": "Cancelled",
    "dropped": "Cancelled", "pending": "Open", "todo": "Open", "inprogress": "Open", "new": "Open",
}
TYPE_ALIASES = {"balance": "Payment", "invoice": "Payment", "sign": "Signature",
                "documents": "Paperwork", "docs": "Paperwork", "proposal": "Quote", "generic": "Other"}


def read_tasks(loc: Located, problems: list[Problem], date, known: dict[str, str], bad_clients: dict[str, str]) -> list[Task]:
    """The usable tasks: a task whose ID is on two rows, or whose row has a problem that
    keeps it out, is left out; a blank Task ID gets the next free one."""
    tasks: list[Task] = []
    rows_by_id: dict[str, list[int]] = {}
    blank: list[Task] = []
    kind = cached(lambda raw: v.parse_choice(raw, TASK_TYPES, TYPE_ALIASES))
    status = cached(lambda raw: v.parse_choice(raw, TASK_STATUSES, TASK_STATUS_ALIASES))
    fields_of = itemgetter(*(loc.slot[f] for f in (
        "task_id", "client_id", "type", "description", "amount", "due_date", "opened_on", "status", "done_on",
        "reminders_sent", "last_reminder", "next_reminder")))
    pad, text, number = loc.pad, v.text, v.parse_number
    for row, cells in table_rows(loc):
        tid, cid, ty, de, am, du, op, st, dn, rs, lr, nr = fields_of(cells + pad)
        task_id = tid.strip() if type(tid) is str else v.parse_id(tid)
        if task_id:
            rows_by_id.setdefault(task_id, []).append(row)
        client_id = cid.strip() if type(cid) is str else v.parse_id(cid)
        try:  # a clean row in one go; a row with a bad value or client is read again cell by cell below
            task = Task(task_id, known[client_id], row, kind(ty) or "Other", text(de), number(am), date(du),
                        date(op), status(st) or "Open", date(dn), v.parse_int(rs), lenient(date, lr), date(nr))
        except (v.BadValue, KeyError):
            r = RowReader(loc, problems, row, cells)
            if not client_ref_ok(r, client_id, known, bad_clients, "task"):
                r.ok = False
            task = Task(
                task_id=task_id, client_id=known.get(client_id, client_id), row=row,
                type=r.get("type", kind) or "Other",
                description=text(de),
                amount=r.get("amount", number),
                due_date=r.get("due_date", date),
                opened_on=r.get("opened_on", date),
                status=r.get("status", status) or "Open",
                done_on=r.get("done_on", date),
                reminders_sent=v.parse_int(rs),
                last_reminder=lenient(date, lr),
                next_reminder=r.get("next_reminder", date, fatal=False),
            )
            if not r.ok:
                continue
        if not task_id:
            task.id_was_blank = True
            blank.append(task)
        tasks.append(task)
    duplicates = {tid for tid, rows in rows_by_id.items() if len(rows) > 1}
    for tid in sorted(duplicates):
        for row in rows_by_id[tid]:
            others = ", ".join(str(x) for x in rows_by_id[tid] if x != row)
            problems.append(Problem(loc.sheet.title, loc.cell("task_id", row),
                                    f"Task ID {tid} is also used on row {others}: give each task its own ID"))
    fill_ids(blank, list(rows_by_id), "T-", "task_id")
    return [t for t in tasks if t.task_id not in duplicates]
