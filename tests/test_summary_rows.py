"""A TOTAL / COUNT row at the bottom of a sheet is not a client without a Status: it is left
alone, said once by check (not a problem, so the exit code stays 0), and never given an ID."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from workbooks import read_rows, write_workbook

from sheets_sync.cli import cli
from sheets_sync.model.read._tables import is_summary_row

D = dt.date


@pytest.mark.parametrize("label, summary", [
    ("TOTAL", True), ("Total / Count", True), ("Grand total:", True), ("Subtotal", True), ("SUM", True),
    ("count", True), ("Total Fitness Ltd", False), ("Sumner Bakery", False), ("Ann Lee", False)])
def test_what_a_summary_label_is(label: str, summary: bool) -> None:
    assert is_summary_row([None, label, 42]) is summary


@given(st.lists(st.sampled_from(["total", "Total", "SUB", "grand", "s", "sum", "count", "Average", "C", "-", " ",
                                  "/", ":", "0", "42", "ſ", "é", "K", "x"]), max_size=8).map("".join) | st.text(max_size=20))
def test_a_label_is_its_letters_whatever_stands_between_them(text: str) -> None:
    # The letters alone, casefolded, make a label: as the rule read before it was one regex.
    letters = re.sub(r"[^a-z]", "", text.casefold())
    label = re.fullmatch(r"(grand|sub)?(totals?|sum|count|average)+", letters) is not None
    assert is_summary_row([text]) is (label and bool(text.strip()))


def test_a_total_row_is_left_alone_and_said_once(tmp_path: Path) -> None:
    path = tmp_path / "clients.xlsx"
    write_workbook(path, {
        "Clients": [["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since", "Annual Value"],
                    ["C-1", "Ann Lee", "ann@example.com", "sam@agency.example", "B", "Active", D(2024, 1, 1), 100],
                    [None, "Total Fitness Ltd", "tf@example.com", "sam@agency.example", "B", "Active", D(2025, 1, 1), 50],
                    [None, "TOTAL / COUNT", None, None, None, None, None, 150]],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"],
                  ["T-1", "C-1", "Payment", "renewal", 100, D(2026, 12, 20), D(2026, 11, 23), "Open"],
                  [None, "Total", None, None, 100, None, None, None]],
        "Touches": [["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"]],
    })
    check = CliRunner().invoke(cli, ["check", str(path), "--json"])
    report = json.loads(check.stdout)
    assert report["problems"] == []
    assert check.exit_code == 1 and report["setup"], check.output  # 1: Business name, From, owners' names
    assert [(n["sheet"], n["cell"]) for n in report["left_alone"]] == [("Clients", "A4"), ("Tasks", "A3")]
    human = CliRunner().invoke(cli, ["check", str(path)])
    assert "Left alone: Clients!A4: a total or count row, not a client, task or touch" in " ".join(human.stdout.split())

    sync = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-23"])
    assert sync.exit_code == 0, sync.output
    ids = [r[0] for r in read_rows(path, "Clients")]
    assert ids[2] and ids[2].startswith("C-") and ids[3] is None  # the new client got an ID, the total row none


def test_a_total_label_typed_in_the_id_column_is_a_total_row(tmp_path: Path) -> None:
    """Offices type the label in column A, which is often their ID column, with a formula beside
    it (openpyxl and xlsxwriter save no cached value: the Name cell reads blank)."""
    path = tmp_path / "customers.xlsx"
    write_workbook(path, {
        "Customers": [["Customer #", "Full name", "E-mail address", "Rep", "Status", "Customer Since"],
                      ["K100", "Ann Lee", "ann@example.com", "Tom@Office.example", "Active", D(2024, 1, 1)],
                      ["K101", "Bo Chan", "bo@example.com", "tom@office.example", "Active", D(2024, 2, 1)],
                      ["TOTAL / COUNT", "=COUNTA(B2:B3)", None, None, None, None]],
        "Tasks": [["Task ID", "Customer #", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"],
                  ["J1", "K100", "Payment", "renewal", 100, D(2026, 12, 20), D(2026, 11, 23), "Open"],
                  ["Total", None, None, None, "=SUBTOTAL(9,E2:E2)", None, None, None]],
        "Touch Log": [["Date", "Customer #", "Channel", "Direction", "By", "Summary"]],
    })
    assert CliRunner().invoke(cli, ["init", "--into", str(path), "--today", "2026-11-23"]).exit_code == 0
    check = CliRunner().invoke(cli, ["check", str(path), "--json"])
    report = json.loads(check.stdout)
    assert report["problems"] == [], report["problems"]
    assert [(n["sheet"], n["cell"]) for n in report["left_alone"]] == [("Customers", "A4"), ("Tasks", "A3")]
    sync = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-23", "--yes"])
    assert sync.exit_code in (0, 1) and "A4" not in sync.output, sync.output
    rows = read_rows(path, "Customers")
    assert rows[3][0] == "TOTAL / COUNT" and all(c is None for c in rows[3][6:])  # no tool cell on it
