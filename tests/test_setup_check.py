"""The office's name (issue 20 item 6): check reports the set-up a person must finish (a blank
Business name, no From address, owners the Staff sheet does not name) at the cell to fix, and
exits 1 while any is left; sync's exit code does not count them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from fake_sheets_api import FakeSheetsAPI
from workbooks import TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli

TODAY = "2026-11-23"
CLIENTS = [["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since"],
           ["C-1", "Ann Lee", "ann@example.com", "Tom.ONeill@agency.example", "B", "Active", D(2024, 1, 1)],
           ["C-2", "Bo Roe", "bo@example.com", "sam.lee@agency.example", "B", "Active", D(2024, 1, 1)],
           ["C-3", "Cy Cole", "cy@example.com", "ria.k@agency.example", "B", "Active", D(2024, 1, 1)]]
TOUCHES = [TOUCH_HEADER, [D(2026, 11, 2), "C-1", None, "Call", "Out", "tom", "chat", None],
           [D(2026, 11, 2), "C-2", None, "Call", "Out", "sam", "chat", None],
           [D(2026, 11, 2), "C-3", None, "Call", "Out", "ria", "chat", None]]
STAFF_HEADER = ["Email", "Name", "Phone", "Job title", "Signature"]


def book(path: Path, settings: list[list[Any]] | None, staff: list[list[Any]] | None) -> Path:
    sheets: dict[str, list[list[Any]]] = {"Clients": CLIENTS, "Tasks": [TASK_HEADER], "Touches": TOUCHES}
    if settings is not None:
        sheets["Settings"] = [["Setting", "Value", "Notes"], *settings]
    if staff is not None:
        sheets["Staff"] = [STAFF_HEADER, *staff]
    return write_workbook(path, sheets)


def check(source: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    """check --json: exit code, set-up problems by cell, the whole report."""
    result = CliRunner().invoke(cli, ["check", source, "--json"])
    report = json.loads(result.stdout)
    where = {f"{p['sheet']}!{p['cell']}" if p["cell"] else p["sheet"]: p["message"] for p in report["setup"]}
    return result.exit_code, where, report


def test_a_new_workbook_says_what_to_fill_in_at_its_cells(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    assert CliRunner().invoke(cli, ["init", str(path), "--today", TODAY]).exit_code == 0
    rows = {r[0].value: r[1].coordinate for r in openpyxl.load_workbook(path)["Settings"].iter_rows()}
    code, setup, report = check(str(path))
    assert code == 1 and report["problems"] == []
    business = f"Settings!{rows['Business name']}"
    assert setup[business] == "Business name is blank: type your office's name, it signs every email"
    # the From address: at its row when the Settings sheet has one, else said of the sheet
    sender = f"Settings!{rows['From address']}" if "From address" in rows else "Settings"
    assert setup[sender].startswith(("From address is blank: type the address the emails come from",
                                     "From address is not set"))
    assert set(setup) == {business, sender}  # no owners yet, so no names to ask for
    human = CliRunner().invoke(cli, ["check", str(path)])
    assert human.exit_code == 1
    assert (f"Set-up: {business}: Business name is blank: type your office's name, it signs every email"
            in human.stdout)


def test_owners_without_a_staff_row_or_a_name_are_reported_where_to_type_them(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", [["Business name", "Harbor Lane"]],
                [["TOM.oneill@agency.example", "Tom O'Neill"], ["sam.lee@agency.example", None, "555-0100"]])
    code, setup, _ = check(str(path))
    assert code == 1
    # ria has no row: the next free row's Email cell, naming her first client's Owner cell
    assert setup["Staff!A4"] == ("ria.k@agency.example owns clients (Clients!D4) but has no row on Staff: type "
                                 "their address here and their name beside it, so their emails and digest carry it")
    assert setup["Staff!B3"] == ("Name is blank: type the name clients should see for sam.lee@agency.example "
                                 "(it signs their emails; until then 'Sam Lee')")
    assert "Settings" in setup  # no From address anywhere
    assert len(setup) == 3  # Tom (Owner typed in other capitals) is named


def test_a_book_without_a_staff_sheet_gets_one_line_saying_how_to_add_it(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", [["Business name", "Harbor Lane"]], None)
    code, setup, _ = check(str(path))
    assert code == 1
    assert setup["Staff"] == ("there is no Staff sheet, so emails and digests carry names guessed from the "
                              "owners' addresses (ria.k@agency.example signs as 'Ria K'): run sheets-sync init "
                              "--into with this workbook to add one listing each owner, then type their names")


@pytest.mark.parametrize("how", ["environment", "config file"])
def test_a_finished_set_up_checks_clean_and_the_from_address_may_come_from_the_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    path = book(tmp_path / "b.xlsx", [["Business name", "Harbor Lane"]],
                [["tom.oneill@agency.example", "Tom O'Neill"], ["sam.lee@agency.example", "Sam Lee"],
                 ["ria.k@agency.example", "Ria Kaur"]])
    code, setup, _ = check(str(path))
    assert code == 1 and list(setup) == ["Settings"]
    if how == "environment":
        monkeypatch.setenv("SHEETS_SYNC_FROM", "Harbor Lane <office@harborlane.example>")
    else:
        (tmp_path / "sheets-sync.toml").write_text('[smtp]\nfrom = "office@harborlane.example"\n', encoding="utf-8")
    assert check(str(path))[:2] == (0, {})


def test_sync_exit_code_does_not_count_the_set_up(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", None, None)
    assert check(str(path))[0] == 1
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", TODAY, "--outbox", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output


def test_google_reports_the_same_set_up(api: FakeSheetsAPI, tmp_path: Path) -> None:
    settings = [["Business name", None]]
    staff = [["tom.oneill@agency.example", "Tom O'Neill"], ["sam.lee@agency.example", None]]
    path = book(tmp_path / "b.xlsx", settings, staff)
    key = api.add_spreadsheet("b.xlsx", {"Clients": CLIENTS, "Tasks": [TASK_HEADER], "Touches": TOUCHES,
                                         "Settings": [["Setting", "Value", "Notes"], *settings],
                                         "Staff": [STAFF_HEADER, *staff]})
    on_excel, on_google = check(str(path)), check(f"gsheet:{key}")
    assert on_excel[:2] == on_google[:2]
    assert {"Settings!B2", "Staff!A4", "Staff!B3"} <= set(on_excel[1])
