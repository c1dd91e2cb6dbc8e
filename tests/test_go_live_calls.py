"""Catch-up calls are spread like catch-up emails (issue 20 trial items 1 and 2): with a Start
date, the calls overdue on that day (a tier A check-in, a reconnect call for a client not heard
from in years) go on each owner's list at most *Catch-up calls a day per owner* (10 by
default) each business day, the longest overdue first; each shows its own day in Next Action
Date, never a day before the Start date; `due` says how many more wait."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from pathlib import Path

from click.testing import CliRunner
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, column, write_workbook

from sheets_sync.cli import cli

D = dt.date
START = D(2026, 11, 30)  # a Monday
TOM = "tom@office.example"


def _book(path: Path, settings: list[list[object]] | None = None) -> Path:
    # K0 (tier C, last touch 2 Jan 2020): its check-in email was years overdue: a reconnect call,
    # the most overdue of all. K1..K12 (tier A, last touch 1..12 Jan 2024): check-in calls due
    # 31 Jan 2024 .. 11 Feb 2024, in that order.
    clients = [["K0", "Cy Zero", "", "k0@client.example", "555-0100", TOM, "C", "Active", D(2019, 1, 1), None, None, ""]]
    touches = [[D(2020, 1, 2), "K0", None, "Call", "Out", "tom", "chat", None]]
    for i in range(1, 13):
        clients.append([f"K{i}", f"Client {i}", "", f"k{i}@client.example", f"555-01{i:02}", TOM, "A", "Active",
                        D(2019, 1, 1), None, None, ""])
        touches.append([D(2024, 1, i), f"K{i}", None, "Call", "Out", "tom", "chat", None])
    return write_workbook(path, {
        "Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER], "Touches": [TOUCH_HEADER, *touches],
        "Settings": [["Setting", "Value"], ["Start date", START], *(settings or [])],
    })


def _due(path: Path, day: str) -> tuple[list[str], str]:
    result = CliRunner().invoke(cli, ["due", str(path), "--today", day, "--json"])
    assert result.exit_code in (0, 1), result.output
    calls = [a["client_id"] for a in json.loads(result.stdout)["actions"] if a["kind"] == "call"]
    text = CliRunner().invoke(cli, ["due", str(path), "--today", day], env={"COLUMNS": "200"}).output
    return calls, text


def test_ten_catch_up_calls_a_day_the_longest_overdue_first(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx")
    calls, text = _due(path, "2026-11-30")
    assert calls == ["K0", *(f"K{i}" for i in range(1, 10))]
    assert "3 more catch-up call(s) wait for their day" in text and "the last on Tue 1 Dec" in text

    synced = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-30", "--outbox", str(tmp_path / "out")])
    assert synced.exit_code in (0, 1), synced.output
    digest = email.message_from_bytes((tmp_path / "out" / f"digest_{TOM}_2026-11-30.eml").read_bytes(),
                                      policy=email.policy.default).get_body(("plain",)).get_content()
    listed = digest.split("CALLS TO MAKE")[1].split("\n\n\n")[0]
    assert "Cy Zero" in listed and [f"Client {i}," in listed for i in range(1, 13)] == [True] * 9 + [False] * 3
    assert "3 more catch-up calls wait for their day, the last on Tue 1 Dec" in digest
    dates = dict(zip(column(path, "Clients", "Client ID"), column(path, "Clients", "Next Action Date"), strict=True))
    today_share = {f"K{i}": START for i in range(10)}
    tomorrow = {f"K{i}": D(2026, 12, 1) for i in (10, 11, 12)}
    assert {k: (v.date() if isinstance(v, dt.datetime) else v) for k, v in dates.items()} == today_share | tomorrow

    calls, text = _due(path, "2026-12-01")  # nobody called yet: yesterday's share is still due, and the rest
    assert sorted(calls, key=lambda c: int(c[1:])) == [f"K{i}" for i in range(13)]
    assert "more catch-up call(s) wait" not in text


def test_the_cap_is_a_setting(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", [["Catch-up calls a day per owner", 4]])
    assert _due(path, "2026-11-30")[0] == ["K0", "K1", "K2", "K3"]
    assert _due(path, "2026-12-01")[0] == [f"K{i}" for i in range(8)]
    calls, text = _due(path, "2026-12-02")
    assert calls == [f"K{i}" for i in range(12)]
    assert "1 more catch-up call(s) wait for their day" in text and "the last on Thu 3 Dec" in text
