"""Staff are people, not spellings: owner addresses that differ only in capitals are one owner
in the digests, in due and in stats."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from workbooks import write_workbook

from sheets_sync.cli import cli

D = dt.date


def test_owners_differing_only_in_capitals_are_one_person(tmp_path: Path) -> None:
    path = tmp_path / "clients.xlsx"
    write_workbook(path, {
        "Clients": [["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since"],
                    ["C-1", "Ann Lee", "ann@example.com", "Maria@Agency.example", "A", "Active", D(2024, 1, 1)],
                    ["C-2", "Bob Roe", "bob@example.com", "maria@agency.example", "A", "Active", D(2024, 1, 1)]],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]],
        "Touches": [["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"],
                    [D(2026, 9, 1), "C-1", None, "Call", "Out", "maria", "hello", None],
                    [D(2026, 9, 1), "C-2", None, "Call", "Out", "maria", "hello", None]],
    })
    due = json.loads(CliRunner().invoke(cli, ["due", str(path), "--today", "2026-11-23", "--json"]).stdout)
    assert {a["owner"] for a in due["actions"]} == {"maria@agency.example"}, due
    stats = json.loads(CliRunner().invoke(cli, ["stats", str(path), "--today", "2026-11-23", "--json"]).stdout)
    assert [o["owner"] for o in stats["per_owner"]] == ["maria@agency.example"]
    sync = json.loads(CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-23", "--json"]).stdout)
    digests = [d for d in sync["deliveries"] if d["kind"] == "digest"]
    assert [d["to"] for d in digests] == ["maria@agency.example"]
