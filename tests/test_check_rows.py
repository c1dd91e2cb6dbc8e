"""Every problem of every row is reported, also on a row skipped for another reason, and a
skipped row says why at the row (issue 14 item 4). Real .xlsx files, through the library
(read_book via sync.load) and through ``check --json``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli
from sheets_sync.sync import load

TODAY = D(2026, 11, 23)


def client(cid: str, name: str = "Bob Roe", email: str = "bob@example.com", **cells: object) -> list[object]:
    row: list[object] = [cid, name, "", email, "555-0101", "maria@agency.example", "B", "Active",
                         D(2024, 1, 5), None, None, ""]
    for header, value in cells.items():
        row[CLIENT_HEADER.index(header.replace("_", " "))] = value
    return row


def task(tid: str, cid: str, opened: object = D(2026, 11, 13)) -> list[object]:
    return [tid, cid, "Payment", "Balance", 3323, D(2026, 12, 1), opened, "Open", None]


def touch(cid: str, day: object = D(2026, 11, 2)) -> list[object]:
    return [day, cid, None, "Call", "Out", "maria", "Called", None]


def book(tmp_path: Path, clients: list[list[object]], tasks: list[list[object]] = (),
         touches: list[list[object]] = ()) -> Path:
    return write_workbook(tmp_path / "book.xlsx", {
        "Clients": [CLIENT_HEADER, *clients],
        "Tasks": [TASK_HEADER, *tasks],
        "Touches": [TOUCH_HEADER, *touches],
    })


def problems(path: Path) -> dict[str, str]:
    """Cell -> message, through the library."""
    found = load(str(path), TODAY).book.problems
    cells = [p.where for p in found]
    assert len(cells) == len(set(cells)), cells  # one problem a cell
    return {p.where: p.message for p in found}


def check_json(path: Path) -> tuple[int, dict[str, str]]:
    """Cell -> message of the sheets' problems (not the email templates'), through
    ``sheets-sync check --json``."""
    result = CliRunner().invoke(cli, ["check", str(path), "--json"], catch_exceptions=False)
    found = json.loads(result.stdout)["problems"]
    sheets = ("Clients", "Tasks", "Touches")
    return result.exit_code, {f"{p['sheet']}!{p['cell']}": p["message"] for p in found if p["sheet"] in sheets}


def test_a_task_on_a_duplicated_client_reports_its_own_bad_cell_and_why_it_waits(tmp_path):
    path = book(tmp_path, [client("C-001"), client("C-003"), client("C-003", "Ann Ash", "ann@example.com")],
                [task("T-01", "C-001"), task("T-02", "C-003", opened="sometime in spring")])
    for found in (problems(path), check_json(path)[1]):
        assert set(found) == {"Clients!A3", "Clients!A4", "Tasks!G3", "Tasks!B3"}
        assert found["Tasks!B3"] == "client C-003 is on two rows of Clients; this task waits until that is fixed"
        assert "'sometime in spring' is not a date" in found["Tasks!G3"]
        assert "this task waits" in found["Tasks!G3"]
        # both client rows say so, and that they are left out
        for cell, other in (("Clients!A3", "4"), ("Clients!A4", "3")):
            assert f"also used on row {other}" in found[cell] and "left out" in found[cell]
    assert check_json(path)[0] == 1
    assert [t.task_id for t in load(str(path), TODAY).book.tasks] == ["T-01"]


def test_a_task_whose_client_is_unknown_reports_its_bad_cells_too(tmp_path):
    path = book(tmp_path, [client("C-001")], [task("T-01", "C-001"), task("T-02", "C-404", opened="31/31/2026")])
    for found in (problems(path), check_json(path)[1]):
        assert set(found) == {"Tasks!B3", "Tasks!G3"}
        assert found["Tasks!B3"].startswith("Client ID C-404 is not on the Clients sheet")
        assert found["Tasks!B3"].endswith("this task waits until then")


def test_a_task_whose_client_row_has_a_bad_cell_says_why_it_waits(tmp_path):
    path = book(tmp_path, [client("C-001"), client("C-002", email="bob@@example.com")],
                [task("T-01", "C-002")], [touch("C-002")])
    for found in (problems(path), check_json(path)[1]):
        assert set(found) == {"Clients!D3", "Tasks!B2", "Touches!B2"}
        assert "left out" in found["Clients!D3"]
        assert found["Tasks!B2"] == ("client C-002 on row 3 of Clients has a problem to fix first; "
                                     "this task waits until that is fixed")
        assert found["Touches!B2"].endswith("this touch is not counted until that is fixed")


def test_a_client_row_with_three_bad_cells_has_three_problems(tmp_path):
    bad = client("C-002", name=None, email="x@", Client_Since="next Tuesday")
    path = book(tmp_path, [client("C-001"), bad])
    for found in (problems(path), check_json(path)[1]):
        assert set(found) == {"Clients!B3", "Clients!D3", "Clients!I3"}
        assert found["Clients!B3"].startswith("Name is blank")
        assert all("left out" in message for message in found.values())


def test_a_blank_status_is_reported_beside_a_blank_name(tmp_path):
    path = book(tmp_path, [client("C-001", name=None, Status=None)])
    assert set(problems(path)) == {"Clients!B2", "Clients!H2"}


def test_touches_of_a_duplicated_or_unknown_client_say_why_they_are_not_counted(tmp_path):
    path = book(tmp_path, [client("C-001"), client("C-002"), client("C-002", "Ann Ash")], [],
                [touch("C-001"), touch("C-002"), touch("C-999", day="someday")])
    for found in (problems(path), check_json(path)[1]):
        assert set(found) == {"Clients!A3", "Clients!A4", "Touches!B3", "Touches!B4", "Touches!A4"}
        assert found["Touches!B3"] == ("client C-002 is on two rows of Clients; "
                                       "this touch is not counted until that is fixed")
        assert found["Touches!B4"].startswith("Client ID C-999 is not on the Clients sheet")
        assert "not counted" in found["Touches!A4"]


def test_many_touches_of_a_duplicated_client_are_told_once(tmp_path):
    path = book(tmp_path, [client("C-001"), client("C-002"), client("C-002", "Ann Ash")], [],
                [touch("C-002"), touch("C-001"), touch("C-002"), touch("C-002")])
    found = problems(path)
    assert set(found) == {"Clients!A3", "Clients!A4", "Touches!B2"}
    assert found["Touches!B2"] == ("client C-002 is on two rows of Clients; this touch and 2 more rows of Touches "
                                   "naming it are not counted until that is fixed")
