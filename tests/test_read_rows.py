"""Reading rows into the model: clean rows in one go, a bad cell reported at its cell with the
row kept or skipped as that column's rule says, whichever row of the sheet it is on."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.model.read import read_book
from sheets_sync.workbook import SheetData, WorkbookData

D = dt.date
CLIENTS = ["Client ID", "Name", "Company", "Email", "Phone", "Owner", "Tier", "Status", "Client Since", "Lost On",
           "Do Not Email", "Notes", "Annual Value", "Touches", "Last Touch", "Next Action", "Next Action Date",
           "Days Since Touch"]
TASKS = ["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status", "Done On",
         "Reminders Sent", "Last Reminder", "Next Reminder"]
TOUCHES = ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref", "Result"]


def good_client(i: int) -> list[object]:
    return [f"C-{i}", f" Client {i} ", "Acme", f"c{i}@Example.COM", "555", "maria@agency.example", "b", "active",
            D(2025, 1, i), None, "no", "n", 1200, 3, D(2026, 11, 1), "Email: check-in", D(2026, 12, 1), 22]


def good_task(i: int) -> list[object]:
    return [f"T-{i}", f"C-{i}", "invoice", "Deposit", "$1,200.50", D(2026, 12, 1), D(2026, 11, 1), "open", None,
            1, D(2026, 11, 10), D(2026, 11, 20)]


def good_touch(i: int) -> list[object]:
    return [D(2026, 11, 2), f"C-{i}", None, "phone", "outbound", " maria@agency.example ", "Called", None, None]


def read(clients: list[list[object]], tasks: list[list[object]], touches: list[list[object]]):
    data = WorkbookData({
        "Clients": SheetData("Clients", [CLIENTS, *clients]),
        "Tasks": SheetData("Tasks", [TASKS, *tasks]),
        "Touches": SheetData("Touches", [TOUCHES, *touches]),
    })
    return read_book(data)


def test_clean_rows_are_read_whole():
    book = read([good_client(1)], [good_task(1)], [good_touch(1)])
    assert not book.problems
    (c,) = book.clients
    assert (c.client_id, c.name, c.company, c.email, c.owner, c.tier, c.status) == (
        "C-1", "Client 1", "Acme", "c1@example.com", "maria@agency.example", "B", "Active")
    assert (c.client_since, c.lost_on, c.do_not_email, c.annual_value, c.row) == (D(2025, 1, 1), None, False, 1200.0, 2)
    assert (c.touches, c.last_touch, c.next_action, c.next_action_date, c.days_since_touch) == (
        3, D(2026, 11, 1), "Email: check-in", D(2026, 12, 1), 22)
    (t,) = book.tasks
    assert (t.task_id, t.client_id, t.type, t.description, t.amount, t.status) == (
        "T-1", "C-1", "Payment", "Deposit", 1200.5, "Open")
    assert (t.due_date, t.opened_on, t.done_on, t.reminders_sent, t.last_reminder, t.next_reminder) == (
        D(2026, 12, 1), D(2026, 11, 1), None, 1, D(2026, 11, 10), D(2026, 11, 20))
    (h,) = book.touches
    assert (h.date, h.client_id, h.task_id, h.channel, h.direction, h.by, h.summary, h.ref, h.result) == (
        D(2026, 11, 2), "C-1", "", "Call", "Out", "maria@agency.example", "Called", "", "")


# column, bad value, the row is kept?, the value the model then holds
CLIENT_CASES = [
    ("Email", "a@@b", False, None),
    ("Owner", "not an address", False, None),
    ("Status", "Actve", False, None),
    ("Status", None, False, None),
    ("Client Since", "next Tuesday", False, None),
    ("Lost On", "31/31/2026", False, None),
    ("Tier", "Gold", True, "C"),
    ("Do Not Email", "maybe", True, True),  # unreadable: the safe side, no email
    ("Annual Value", "lots", True, None),
    ("Next Action Date", "soon", True, None),
]


@pytest.mark.parametrize("header, bad, kept, held", CLIENT_CASES)
def test_a_bad_client_cell_is_reported_at_its_cell(header, bad, kept, held):
    rows = [good_client(i) for i in range(1, 6)]
    col = CLIENTS.index(header)
    rows[2][col] = bad  # C-3, sheet row 4
    book = read(rows, [], [])
    cell = f"{chr(65 + col)}4"
    assert [p.where for p in book.problems] == [f"Clients!{cell}"]
    assert book.problems[0].message
    ids = [c.client_id for c in book.clients]
    assert ids == (["C-1", "C-2", "C-3", "C-4", "C-5"] if kept else ["C-1", "C-2", "C-4", "C-5"])
    if kept:
        field = {"Tier": "tier", "Do Not Email": "do_not_email", "Annual Value": "annual_value",
                 "Next Action Date": "next_action_date"}[header]
        assert getattr(book.clients[2], field) == held
        assert book.clients[2].email == "c3@example.com"  # the row's other cells are read as usual


def test_a_blank_name_skips_the_row_and_says_so_only_when_it_has_an_id():
    rows = [good_client(1), good_client(2), [None, None, "just a note"]]
    rows[1][1] = None
    book = read(rows, [], [])
    assert [p.where for p in book.problems] == ["Clients!B3"]
    assert [c.client_id for c in book.clients] == ["C-1"]


TASK_CASES = [
    ("Type", "Lunch", False),
    ("Amount", "a lot", False),
    ("Due Date", "someday", False),
    ("Status", "Maybe", False),
    ("Next Reminder", "later", True),
]


@pytest.mark.parametrize("header, bad, kept", TASK_CASES)
def test_a_bad_task_cell_is_reported_at_its_cell(header, bad, kept):
    tasks = [good_task(i) for i in range(1, 4)]
    col = TASKS.index(header)
    tasks[1][col] = bad
    book = read([good_client(i) for i in range(1, 4)], tasks, [])
    assert [p.where for p in book.problems] == [f"Tasks!{chr(65 + col)}3"]
    assert [t.task_id for t in book.tasks] == (["T-1", "T-2", "T-3"] if kept else ["T-1", "T-3"])


def test_tasks_and_touches_of_unknown_or_blank_clients_are_reported_and_left_out():
    tasks = [good_task(1), good_task(2)]
    tasks[1][1] = "C-99"
    touches = [good_touch(1), good_touch(1), [D(2026, 11, 3), None, None, "Call"]]
    touches[1][1] = "C-77"
    book = read([good_client(1)], tasks, touches)
    assert [p.where for p in book.problems] == ["Tasks!B3", "Touches!B3", "Touches!B4"]
    assert [t.task_id for t in book.tasks] == ["T-1"] and len(book.touches) == 1


def test_a_bad_channel_or_direction_is_reported_and_the_touch_kept_with_the_default():
    touches = [good_touch(1), good_touch(1), good_touch(1)]
    touches[1][3] = "Pigeon"
    touches[2][4] = "Sideways"
    book = read([good_client(1)], [], touches)
    assert [p.where for p in book.problems] == ["Touches!D3", "Touches!E4"]
    assert [(t.channel, t.direction) for t in book.touches] == [("Call", "Out"), ("Note", "Out"), ("Call", "Out")]
