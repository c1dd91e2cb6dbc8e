"""Going live with prospects whose sequence ran out years ago (issue 20 item 1, found in the
new-user trial): on an adopted book, a prospect first contacted on 9 Jan 2021 and never
touched got "touch 1 of 7" as a catch-up email, a "following up" to someone who had not heard
from the office in almost six years.

Hand-worked, Start date Mon 30 Nov 2026, Prospect touches at days 2, 5, 9, 14, 21, 30, 45:

- P-1, first contact (Client Since) Sat 9 Jan 2021, no touch: touch 1 was due Mon 11 Jan 2021;
  the whole sequence was due by Tue 23 Feb 2021 (day 45), long before the Start date -> a call
  on the Start date, not an email.
- P-2, first contact Fri 20 Nov 2026, no touch: touch 1 was due Sun 22 Nov -> Mon 23 Nov, a
  week overdue, but its sequence runs to Mon 4 Jan 2027 -> the catch-up email goes out.
- Without a Start date, P-1 gets its email as before.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from workbooks import CLIENT_HEADER, TOUCH_HEADER, write_workbook

from sheets_sync.cli import cli

D = dt.date
SAM = "sam@agency.example"


def _book(path: Path, start: dt.date | None, more: list[list[object]] = [], per_day: int = 5) -> Path:  # noqa: B006
    settings = [["Setting", "Value"], ["Business name", "Harbor Lane"], ["Catch-up emails a day per owner", per_day]]
    if start:
        settings.append(["Start date", start])
    prospect = lambda cid, since: [cid, f"Pat {cid}", "", f"{cid.lower()}@mail.example", "", SAM, "B",  # noqa: E731
                                   "Prospect", since, None, None, ""]
    return write_workbook(path, {
        "Clients": [CLIENT_HEADER, prospect("P-1", D(2021, 1, 9)), prospect("P-2", D(2026, 11, 20)), *more],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]],
        "Touches": [TOUCH_HEADER],
        "Settings": settings,
    })


def _sync(path: Path, outbox: Path) -> dict:
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-30", "--outbox", str(outbox), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_prospect_whose_sequence_ended_before_the_start_date_is_a_call(tmp_path: Path) -> None:
    report = _sync(_book(tmp_path / "book.xlsx", D(2026, 11, 30)), tmp_path / "outbox")
    emails = sorted(d["key"] for d in report["deliveries"] if d["kind"] == "email")
    assert emails == ["prospect:P-2:touch:1"]
    calls = {a["client_id"]: a for a in report["actions"] if a["kind"] == "call"}
    assert set(calls) == {"P-1"}
    assert calls["P-1"]["due"] == "2026-11-30"
    assert calls["P-1"]["reason"] == ("Prospect P-1: went quiet before sheets-sync started (first contact "
                                      "Sat 9 Jan 2021, no touch since): keep chasing or mark No Sale?")
    assert "Sat 9 Jan 2021" in calls["P-1"]["reason"]


def test_without_a_start_date_the_old_prospect_is_emailed_as_before(tmp_path: Path) -> None:
    report = _sync(_book(tmp_path / "book.xlsx", None), tmp_path / "outbox")
    emails = sorted(d["key"] for d in report["deliveries"] if d["kind"] == "email")
    assert emails == ["prospect:P-1:touch:1", "prospect:P-2:touch:1"]


def _dropping_book(path: Path) -> Path:
    active = lambda cid, since: [cid, f"Sam {cid}", "", f"{cid.lower()}@mail.example", "", SAM, "B",  # noqa: E731
                                 "Active", since, None, None, ""]
    return _book(path, D(2026, 11, 30), per_day=1, more=[
        ["P-3", "Pat P-3", "", "p-3@mail.example", "", SAM, "B", "Prospect", D(2026, 11, 15), None, None, ""],
        active("S-1", D(2026, 10, 10)), active("S-2", D(2026, 10, 12))])


def test_the_dry_run_says_what_the_start_date_holds_back_in_one_list(tmp_path: Path) -> None:
    """One catch-up a day: P-3 (touch 1 due Tue 17 Nov) goes on Mon 30 Nov, P-2 (due Mon 23 Nov)
    waits for Tue 1 Dec. S-1 and S-2, clients since 10 and 12 Oct (51 and 49 days on the Start
    date), are past their satisfaction window (28 days): dropped, under one heading."""
    path = _dropping_book(tmp_path / "book.xlsx")
    dry = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-30", "--dry-run"], env={"COLUMNS": "200"})
    lines = [line.rstrip() for line in dry.stdout.splitlines()]
    at = lines.index("Not sent (too late when sheets-sync started):")
    assert lines[at - 1] == ("Start date Mon 30 Nov: 1 more overdue email(s) wait for their catch-up day, "
                             "the last on Tue 1 Dec (see Next Action Date).")
    assert [line[:61] for line in lines[at + 1:at + 3]] == [
        "  Client S-1: satisfaction check not sent: a client for 51 da",
        "  Client S-2: satisfaction check not sent: a client for 49 da"]


def test_no_at_the_first_run_question_does_not_advise_a_start_date_the_book_has(tmp_path: Path) -> None:
    """Answering no on a book that has a Start date said 'A Start date in the Settings sheet
    spreads steps overdue that day...', as if it had none (found in the new-user trial)."""
    from test_go_live import _at_terminal

    for start, name in ((D(2026, 11, 30), "with.xlsx"), (None, "without.xlsx")):
        path = _book(tmp_path / name, start)
        code, out = _at_terminal(["sync", str(path), "--today", "2026-11-30", "--outbox", str(tmp_path / "o")],
                                 b"n", tmp_path)
        flat = " ".join(out.split())
        assert code == 0 and f"Nothing sent, nothing written. See each email and why with: sheets-sync sync {path} " \
            "--dry-run." in flat, flat
        if start:
            assert "Start date Mon 30 Nov: overdue emails go out over the business days up to Mon 30 Nov" in flat
            assert "A Start date in the Settings sheet" not in flat and "No Start date" not in flat
        else:
            assert ("No Start date in Settings: every overdue step goes out today (a Start date spreads them over "
                    "the next business days: docs/workbook.md, \"Going live\")") in flat


def test_due_names_the_dropped_steps_under_one_heading(tmp_path: Path) -> None:
    due = CliRunner().invoke(cli, ["due", str(_dropping_book(tmp_path / "book.xlsx")), "--today", "2026-12-01"],
                             env={"COLUMNS": "200"})
    lines = [line.rstrip() for line in due.stdout.splitlines()]
    assert lines[0] == "Due on Tue 1 Dec 2026 in book.xlsx"
    at = lines.index("Not sent (too late when sheets-sync started):")
    assert [line[:61] for line in lines[at + 1:]] == [
        "  Client S-1: satisfaction check not sent: a client for 51 da",
        "  Client S-2: satisfaction check not sent: a client for 49 da"]
