"""`stats` numbers a prospect's outbound touches 1, 2, 3 ...; staff calls count too, so a row
can pass the 7-touch sequence. The touches after it are pooled as "8+", never shown as a
"Touch 8" the sequence does not have (issue 20 trial item 7; docs/stats.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from workbooks import write_workbook

from sheets_sync.cli import cli

D = dt.date
TODAY = "2026-11-30"


def _book(path: Path) -> Path:
    # P-1: nine outbound touches in November (the seven of the sequence and two staff calls),
    # then an answer after the ninth. P-2: two touches, no answer.
    days = [D(2026, 11, d) for d in (2, 4, 6, 10, 12, 16, 18, 20, 24)]
    touches = [[day, "P-1", None, "Email" if i % 2 == 0 else "Call", "Out", "tom", f"touch {i + 1}", None]
               for i, day in enumerate(days)]
    touches.append([D(2026, 11, 26), "P-1", None, "Call", "In", "tom", "called back", None])
    touches += [[D(2026, 11, 3), "P-2", None, "Email", "Out", "tom", "hello", None],
                [D(2026, 11, 9), "P-2", None, "Call", "Out", "tom", "call", None]]
    return write_workbook(path, {
        "Clients": [["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since"],
                    ["P-1", "Ann Lee", "ann@example.com", "tom@agency.example", "B", "Prospect", D(2026, 11, 2)],
                    ["P-2", "Bob Roe", "bob@example.com", "tom@agency.example", "B", "Prospect", D(2026, 11, 3)]],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]],
        "Touches": [["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"], *touches],
    })


def test_touches_after_the_sequence_are_pooled_as_8_plus(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx")
    result = CliRunner().invoke(cli, ["stats", str(path), "--today", TODAY, "--json"])
    assert result.exit_code in (0, 1), result.output
    answered = json.loads(result.stdout)["response_by_touch"]
    # Touches 1 and 2: both prospects, unanswered at the time; 3-7: P-1 only; 8+: P-1's 8th
    # and 9th, the 9th answered.
    assert answered == {
        "1": {"sent": 2, "answered": 0, "rate": 0.0}, "2": {"sent": 2, "answered": 0, "rate": 0.0},
        **{str(k): {"sent": 1, "answered": 0, "rate": 0.0} for k in range(3, 8)},
        "8+": {"sent": 2, "answered": 1, "rate": 0.5},
    }

    shown = CliRunner().invoke(cli, ["stats", str(path), "--today", TODAY], terminal_width=80)
    table = shown.output.split("┃ Touch ┃")[1].split("Per owner")[0]
    numbers = [line.split("│")[1].strip() for line in table.splitlines() if line.count("│") == 5]
    assert numbers == ["1", "2", "3", "4", "5", "6", "7", "8+"]
