"""Where a table shows the Owner column (dry-run, sync, stats), an 80-column terminal showed
"tom@office.exampl" / "e": the address folded mid-word. The column shows the Staff sheet's
Name, else the address's part before the @, and is never split (issue 20 trial item 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from workbooks import write_workbook

from sheets_sync.cli import cli

D = dt.date
TODAY = "2026-12-07"  # a Monday
TOM, ANN = "tom@office.example", "ann.mensah-okafor@office.example"


def _book(path: Path) -> Path:
    # Tier A clients untouched since the summer: each is at risk and has a check-in call due.
    clients = [[f"K{100 + i}", f"Client Number{i}", f"c{i}@client.example", f"01632 960 00{i}",
                TOM if i % 2 else ANN, "A", "Active", D(2024, 1, 1)] for i in range(6)]
    touches = [[D(2026, 6, 1), f"K{100 + i}", None, "Call", "Out", "tom", "hello", None] for i in range(6)]
    return write_workbook(path, {
        "Clients": [["Client ID", "Name", "Email", "Phone", "Owner", "Tier", "Status", "Client Since"], *clients],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]],
        "Touches": [["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"], *touches],
        "Staff": [["Email", "Name", "Phone", "Job title", "Signature"], [TOM, "Tom O'Neill", "", "", ""]],
    })


def _table_lines(output: str, title: str) -> list[str]:
    """The lines of the table that follows ``title``, up to the next blank line or heading."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if title in line)
    body = []
    for line in lines[start + 1:]:
        if not line.strip() or (body and not line.startswith((" ", "│", "┃", "┏", "┡", "└", "─", "━")) and
                                not line[:1].isalnum()):
            break
        body.append(line)
    return body


def _check(output: str) -> None:
    assert all(len(line) <= 80 for line in output.splitlines()), [x for x in output.splitlines() if len(x) > 80]
    assert "@office.exampl" not in output.replace("@office.example", "")  # no address cut
    assert "Tom O'Neill" in output  # the Staff sheet's Name
    assert "ann.mensah-okafor" in output  # no Staff row: the address's local part, whole


def test_dry_run_and_stats_show_names_whole_at_80_columns(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx")
    env = {"COLUMNS": "80"}
    dry = CliRunner().invoke(cli, ["sync", str(path), "--today", TODAY, "--dry-run"], env=env)
    assert dry.exit_code in (0, 1), dry.output
    calls = "\n".join(_table_lines(dry.output, "Calls for the team"))
    _check(calls)
    assert "@" not in calls
    assert calls.count("Tom O'Neill") == 3 and calls.count("ann.mensah-okafor") == 3

    stats = CliRunner().invoke(cli, ["stats", str(path), "--today", TODAY], env=env)
    assert stats.exit_code in (0, 1), stats.output
    owners = stats.output.split("Per owner")[1]
    _check(owners)
    risk = stats.output.split("At risk now")[1].split("Does one more work")[0]
    _check(risk)
    assert risk.count("Tom O'Neill") == 3 and risk.count("ann.mensah-okafor") == 3
