"""Going live: a prospect whose whole touch sequence lapsed before the Start date becomes one
call on the owner's list ('prospect went quiet before sheets-sync started: keep chasing or
mark No Sale?'), whichever touch was next (an email or a call), instead of walking through
its remaining touches as catch-ups. A touch logged on that call moves the sequence on.

Hand-worked, Start date Mon 30 Nov 2026, Prospect touches at days 2, 5, 9, 14, 21, 30, 45:

- Q-1, first contact (Client Since) Sat 9 Jan 2021; the tool's touch 1 (email) logged Mon 11 Jan
  2021. Its next step is touch 2, a call due Thu 14 Jan 2021 (day 5; 11 Jan + 3 days), and its
  sequence ended on Tue 23 Feb 2021 (day 45): one call on Mon 30 Nov 2026, 'went quiet'.
- Sam calls on Mon 30 Nov and logs it (no Ref). Touch 3, an email, is then due
  max(9 Jan 2021 + 9 days, 30 Nov + 4 days) = Fri 4 Dec 2026, after the Start date: it goes
  out that day as an ordinary touch, not a call.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from workbooks import CLIENT_HEADER, TOUCH_HEADER, write_workbook

from sheets_sync.cli import cli

D = dt.date
SAM = "sam@agency.example"
QUIET = "Call: prospect went quiet before sheets-sync started: keep chasing or mark No Sale?"


def _sync(path: Path, day: str, outbox: Path) -> dict:
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", day, "--outbox", str(outbox), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_quiet_prospect_is_one_call_then_the_sequence_goes_on(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", {
        "Clients": [CLIENT_HEADER, ["Q-1", "Quinn Lee", "", "q-1@mail.example", "", SAM, "B", "Prospect",
                                    D(2021, 1, 9), None, None, ""]],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]],
        "Touches": [TOUCH_HEADER, [D(2021, 1, 11), "Q-1", None, "Email", "Out", "sheets-sync",
                                   "Following up", "prospect:Q-1:touch:1"]],
        "Settings": [["Setting", "Value"], ["Business name", "Harbor Lane"], ["Start date", D(2026, 11, 30)]],
    })
    outbox = tmp_path / "outbox"
    report = _sync(path, "2026-11-30", outbox)
    assert [a["kind"] for a in report["actions"]] == ["call"]
    call = report["actions"][0]
    assert call["client_id"] == "Q-1" and call["due"] == "2026-11-30"
    assert call["reason"] == ("Prospect Q-1: went quiet before sheets-sync started (first contact Sat 9 Jan 2021, "
                              "1 of 7 touches, the last Mon 11 Jan 2021): keep chasing or mark No Sale?")
    assert not [d for d in report["deliveries"] if d["kind"] == "email"]
    book = openpyxl.load_workbook(path)
    clients = book["Clients"]
    headers = [c.value for c in clients[1]]
    assert clients.cell(2, headers.index("Next Action") + 1).value == QUIET

    book["Touches"].append([D(2026, 11, 30), "Q-1", None, "Call", "Out", "Sam", "Left a message", None])
    book.save(path)
    report = _sync(path, "2026-12-03", outbox)  # touch 3 is not due yet, and the quiet call is gone
    assert not [d for d in report["deliveries"] if d["kind"] == "email"] and not report["actions"]
    report = _sync(path, "2026-12-04", outbox)
    assert [d["key"] for d in report["deliveries"] if d["kind"] == "email"] == ["prospect:Q-1:touch:3"]
