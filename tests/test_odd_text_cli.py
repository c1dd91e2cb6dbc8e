"""What staff type is shown as they typed it: a name like "Bob [/b] Roe" is text in every
command's output, not a formatting tag that stops the run after its work is done."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import write_workbook

from sheets_sync.cli import cli

D = dt.date
ODD_NAME, ODD_STATUS = "Bob [/b] Roe [red]", "Actve [/x]"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "clients.xlsx"
    write_workbook(path, {
        "Clients": [["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since"],
                    ["C-1", ODD_NAME, "bob@example.com", "maria@agency.example", "A", "Active", D(2024, 1, 1)],
                    ["C-2", "Ann Lee", "ann@example.com", "[b]maria[/b]@agency.example", "B", ODD_STATUS, D(2024, 1, 1)]],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]],
        "Touches": [["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"]],
    })
    return path


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("command", [["check"], ["due", "--today", "2026-11-23"], ["stats", "--today", "2026-11-23"],
                                     ["sync", "--today", "2026-11-23"], ["sync", "--today", "2026-11-23", "--dry-run"]])
def test_brackets_typed_in_cells_are_printed_as_typed(book: Path, command: list[str]) -> None:
    result = CliRunner().invoke(cli, [command[0], str(book), *command[1:]])
    assert result.exit_code == 1, result.output  # the bad Status is a problem; nothing else went wrong
    assert "unexpected failure" not in result.output
    out = flat(result.stdout)
    if command[0] in ("check", "sync"):
        assert f"'{ODD_STATUS}' is not one of" in out
    if command[0] != "check":
        assert ODD_NAME in out


def test_the_sync_json_keeps_the_same_texts(book: Path) -> None:
    result = CliRunner().invoke(cli, ["sync", str(book), "--today", "2026-11-23", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert any(ODD_STATUS in p["message"] for p in report["problems"])
