"""A TOTAL / COUNT row at the bottom of a sheet is not a client without a Status: it is left
alone, said once by check (not a problem, so the exit code stays 0), and never given an ID."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import read_rows, write_workbook

from sheets_sync.cli import cli
from sheets_sync.model.read._tables import is_summary_row

D = dt.date


@pytest.mark.parametrize("label, summary", [
    ("TOTAL", True), ("Total / Count", True), ("Grand total:", True), ("Subtotal", True), ("SUM", True),
    ("count", True), ("Total Fitness Ltd", False), ("Sumner Bakery", False), ("Ann Lee", False)])
def test_what_a_summary_label_is(label: str, summary: bool) -> None:
    assert is_summary_row([None, label, 42]) is summary


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
    assert "Left alone: Clients!A4: a total or count row" in human.stdout

    sync = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-23"])
    assert sync.exit_code == 0, sync.output
    ids = [r[0] for r in read_rows(path, "Clients")]
    assert ids[2] and ids[2].startswith("C-") and ids[3] is None  # the new client got an ID, the total row none
