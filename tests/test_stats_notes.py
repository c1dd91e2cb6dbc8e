"""Stats' notes on a book kept for years (found in the new-user trial): 29 Lost clients with no
Lost On gave 29 notes, each two lines in an 80-column terminal. One note names them all."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from workbooks import CLIENT_HEADER, TOUCH_HEADER, write_workbook

from sheets_sync.cli import cli

D = dt.date


def _client(cid: str, status: str) -> list[object]:
    return [cid, f"Client {cid}", "", f"{cid.lower()}@mail.example", "", "sam@agency.example", "B", status,
            D(2024, 1, 8), None, None, ""]


def test_lost_clients_without_lost_on_are_one_note(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", {
        "Clients": [CLIENT_HEADER, _client("C-1", "Lost"), _client("C-2", "Active"), _client("C-3", "Lost"),
                    _client("C-4", "Lost")],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]],
        "Touches": [TOUCH_HEADER],
    })
    result = CliRunner().invoke(cli, ["stats", str(path), "--today", "2026-12-01", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["notes"] == [
        "C-1, C-3, C-4: Status is Lost but the date they left is unknown (Lost On blank or before Client Since): "
        "left out of the counts; fill in Lost On"]
    text = CliRunner().invoke(cli, ["stats", str(path), "--today", "2026-12-01"], env={"COLUMNS": "200"})
    assert [line for line in text.stdout.splitlines() if line.startswith("Note:")] == [
        "Note: C-1, C-3, C-4: Status is Lost but the date they left is unknown (Lost On blank or before Client "
        "Since): left out of the counts; fill in Lost On"]
