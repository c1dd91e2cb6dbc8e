"""The tables of fields that say what each column of Clients and Tasks becomes."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sheets_sync.model.layout import CLIENTS, TASKS
from sheets_sync.model.read import read_book
from sheets_sync.model.read._clients import CLIENT_FIELDS
from sheets_sync.model.read._tasks import TASK_FIELDS
from sheets_sync.model.rows import Client, Task
from sheets_sync.model.template import table_headers
from sheets_sync.workbook import SheetData, WorkbookData


def test_each_table_lists_its_row_attributes_after_row_in_order() -> None:
    # A clean row is built positionally from the table: its order is the constructor's.
    for fields, cls, table in ((CLIENT_FIELDS, Client, CLIENTS), (TASK_FIELDS, Task, TASKS)):
        attributes = [f.name for f in dataclasses.fields(cls)]
        after_row = attributes[attributes.index("row") + 1:attributes.index("id_was_blank")]
        assert [f.name for f in fields] == after_row
        assert all(table.column(f.name) for f in fields)


def _book(clients: list[list[object]], tasks: list[list[object]]) -> WorkbookData:
    return WorkbookData({
        "Clients": SheetData("Clients", [table_headers(CLIENTS), *clients]),
        "Tasks": SheetData("Tasks", [table_headers(TASKS), *tasks]),
        "Touches": SheetData("Touches", [["Date", "Client ID"]]),
    })


def test_a_row_read_field_by_field_reads_as_its_clean_twin() -> None:
    # Row 3 differs from row 2 only by a cell that is noted (a bad Tier, a bad Next Reminder):
    # it is read the slow way, every other value as the clean row's.
    client = ["C-1", "Ann Lee", "Acme", "ann@acme.example", "555", "sam@agency.example", "tier b", "customer",
              dt.date(2026, 1, 5), None, "no", "likes golf", "$1,200", 3.0, "not a date", "Call", "2026-12-01", 7]
    twin = ["C-2", *client[1:6], "Z", *client[7:]]
    task = ["T-1", "C-1", "invoice", "Premium", 300, dt.date(2026, 12, 1), "2026-11-01", "", None, 2, "??",
            dt.date(2026, 11, 30)]
    task_twin = ["T-2", *task[1:11], "someday"]
    book = read_book(_book([client, twin], [task, task_twin]))
    assert [str(p) for p in book.problems] == [
        "Clients!G3: 'Z' is not one of A, B, C: pick one from the list",
        "Tasks!L3: 'someday' is not a date anyone can read for sure: type it as 2026-12-01"]
    first, second = book.clients
    assert first.tier == "B" and first.status == "Active" and first.annual_value == 1200.0
    assert first.last_touch is None and first.next_action_date == dt.date(2026, 12, 1)
    assert dataclasses.replace(second, client_id="C-1", row=2, tier="B") == first
    one, two = book.tasks
    assert one.type == "Payment" and one.status == "Open" and one.last_reminder is None
    assert dataclasses.replace(two, task_id="T-1", row=2, next_reminder=dt.date(2026, 11, 30)) == one
