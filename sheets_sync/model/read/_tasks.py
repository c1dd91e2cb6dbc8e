"""The Tasks sheet: one task a row, keyed by Task ID, for a client of the Clients sheet."""

from __future__ import annotations

from operator import call, itemgetter

from sheets_sync.model import values as v
from sheets_sync.model.layout import TASK_STATUSES, TASK_TYPES
from sheets_sync.model.read._fields import Field, Parser, quick_parsers, read_field
from sheets_sync.model.read._tables import (
    Located,
    RowReader,
    cached,
    client_ref_ok,
    fill_ids,
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


# What each column of Tasks becomes, in the order of Task's attributes after ``row`` (the
# row's identity, Task ID and Client ID, is read first in read_tasks).
TASK_FIELDS = (
    Field("type", "type", blank="Other"),
    Field("description", "text"),
    Field("amount", "number"),
    Field("due_date", "date"),
    Field("opened_on", "date"),
    Field("status", "status", blank="Open"),
    Field("done_on", "date"),
    # the tool columns, as they were (to spot a person's edit and to avoid no-op writes)
    Field("reminders_sent", "whole"),
    Field("last_reminder", "date", refused="ignored"),
    Field("next_reminder", "date", refused="noted"),
)


def read_tasks(loc: Located, problems: list[Problem], date: Parser, known: dict[str, str],
               bad_clients: dict[str, str]) -> list[Task]:
    """The usable tasks: a task whose ID is on two rows, or whose row has a problem that
    keeps it out, is left out; a blank Task ID gets the next free one."""
    tasks: list[Task] = []
    rows_by_id: dict[str, list[int]] = {}
    blank: list[Task] = []
    parsers: dict[str, Parser] = {
        "text": v.text, "date": date, "number": v.parse_number, "whole": v.parse_int,
        "type": cached(lambda raw: v.parse_choice(raw, TASK_TYPES, TYPE_ALIASES)),
        "status": cached(lambda raw: v.parse_choice(raw, TASK_STATUSES, TASK_STATUS_ALIASES)),
    }
    quick = quick_parsers(TASK_FIELDS, parsers)
    identity_of = itemgetter(loc.slot["task_id"], loc.slot["client_id"])
    fields_of = itemgetter(*(loc.slot[f.name] for f in TASK_FIELDS))
    pad = loc.pad
    for row, cells in table_rows(loc):
        padded = cells + pad
        raw_id, raw_client = identity_of(padded)
        task_id = raw_id.strip() if type(raw_id) is str else v.parse_id(raw_id)
        if task_id:
            rows_by_id.setdefault(task_id, []).append(row)
        client_id = raw_client.strip() if type(raw_client) is str else v.parse_id(raw_client)
        try:  # a clean row in one go; a row with a bad value or client is read again field by field
            task = Task(task_id, known[client_id], row, *map(call, quick, fields_of(padded)))
        except (v.BadValue, KeyError):
            r = RowReader(loc, problems, row, cells)
            if not client_ref_ok(r, client_id, known, bad_clients, "task"):
                r.ok = False
            task = Task(task_id, known.get(client_id, client_id), row, *[read_field(r, f, parsers) for f in TASK_FIELDS])
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
