"""Going live on a book with years of history (issue 20 item 1): with a Start date, the steps
already overdue that day are spread over the next business days (at most "Catch-up emails a
day per owner"), a satisfaction check past its window is dropped and the owner's list says
so, a check-in overdue by years is a call; without a Start date the book runs as before.

The book, hand-built (Start date Mon 7 Dec 2026, two catch-ups a day per owner):

- C-1 tier C, last touch 1 Jun 2021: check-in due 30 Aug 2021, 5 years overdue -> a call.
- C-2 tier B, last touch 1 Sep 2026: check-in due Mon 2 Nov (B: 60 days).
- C-3 tier B, a client since 19 Oct (7 weeks): satisfaction due 2 Nov, window (28 days) past
  on the Start date -> dropped; its next step is the referral on Fri 18 Dec.
- C-4 tier B, a client since 16 Nov (3 weeks): satisfaction due Mon 30 Nov, in its window.
- C-5 tier B, a client since 28 Sep, satisfaction logged 12 Oct: referral due Fri 27 Nov.
- C-6 tier B, last touch 15 Aug: check-in due Wed 14 Oct.
- C-7 tier B, last touch 1 Oct: check-in due Mon 30 Nov.
- C-8 tier C, owner Kim, last touch 1 Aug: check-in due Fri 30 Oct.

Sam's catch-ups, longest overdue first (a tie on 30 Nov: the satisfaction check is the more
urgent): C-6 (14 Oct), C-2 (2 Nov), C-5 (27 Nov), C-4 (30 Nov), C-7 (30 Nov). Two a day:
Mon 7 Dec C-6, C-2; Tue 8 Dec C-5, C-4; Wed 9 Dec C-7. Kim's: C-8 on Mon 7 Dec.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from workbooks import CLIENT_HEADER, TOUCH_HEADER, column, write_workbook

from sheets_sync.cli import cli

D = dt.date
SAM, KIM = "sam@agency.example", "kim@agency.example"


def _client(cid: str, tier: str, since: dt.date, owner: str = SAM) -> list[object]:
    return [cid, f"Client {cid[-1]}", "", f"{cid.lower()}@mail.example", "", owner, tier, "Active", since,
            None, None, ""]


def _book(path: Path, start: dt.date | None) -> Path:
    settings = [["Setting", "Value"], ["Catch-up emails a day per owner", 2]]
    if start:
        settings.append(["Start date", start])
    touches = [
        [D(2021, 6, 1), "C-1", None, "Call", "Out", "sam", "Renewal", None],
        [D(2026, 9, 1), "C-2", None, "Call", "Out", "sam", "", None],
        [D(2026, 10, 12), "C-5", None, "Email", "Out", "sheets-sync", "How are we doing?", "satisfaction:C-5"],
        [D(2026, 8, 15), "C-6", None, "Call", "Out", "sam", "", None],
        [D(2026, 10, 1), "C-7", None, "Call", "Out", "sam", "", None],
        [D(2026, 8, 1), "C-8", None, "Call", "Out", "kim", "", None],
    ]
    return write_workbook(path, {
        "Clients": [CLIENT_HEADER,
                    _client("C-1", "C", D(2015, 3, 1)), _client("C-2", "B", D(2020, 1, 6)),
                    _client("C-3", "B", D(2026, 10, 19)), _client("C-4", "B", D(2026, 11, 16)),
                    _client("C-5", "B", D(2026, 9, 28)), _client("C-6", "B", D(2019, 5, 1)),
                    _client("C-7", "B", D(2018, 2, 1)), _client("C-8", "C", D(2017, 7, 1), KIM)],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]],
        "Touches": [TOUCH_HEADER, *touches],
        "Settings": settings,
    })


def _sync(path: Path, day: str, outbox: Path) -> dict:
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", day, "--outbox", str(outbox), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _sent(report: dict) -> list[str]:
    return sorted(d["key"] for d in report["deliveries"] if d["kind"] == "email")


def test_satisfaction_key_is_what_the_book_logs() -> None:
    from sheets_sync.rules import refs

    assert refs.satisfaction_check("C-5") == "satisfaction:C-5"


def test_an_adopted_book_catches_up_over_three_days(tmp_path: Path) -> None:
    path, outbox = _book(tmp_path / "book.xlsx", D(2026, 12, 7)), tmp_path / "outbox"
    dry = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-12-07", "--dry-run"])
    flat = " ".join(dry.stdout.split())
    assert "Start date Mon 7 Dec: 3 more overdue email(s) wait for their catch-up day, the last on Wed 9 Dec" in flat
    assert "Not sent (too late when sheets-sync started): Client C-3: satisfaction check not sent" in flat

    day1 = _sync(path, "2026-12-07", outbox)
    assert _sent(day1) == ["checkin:C-2:2026-09-01", "checkin:C-6:2026-08-15", "checkin:C-8:2026-08-01"]
    calls = {a["client_id"]: a for a in day1["actions"] if a["kind"] == "call"}
    assert list(calls) == ["C-1"]
    assert calls["C-1"]["owner"] == SAM and calls["C-1"]["due"] == "2026-12-07"  # from the Start date on
    assert "a call, not a form email" in calls["C-1"]["reason"] and "last touch 2015 days ago" in calls["C-1"]["reason"]
    # the sheet says when each waiting catch-up goes out
    dates = dict(zip(column(path, "Clients", "Client ID"), column(path, "Clients", "Next Action Date"), strict=True))
    assert {cid: dates[cid].date() for cid in ("C-3", "C-4", "C-5", "C-7")} == {
        "C-3": D(2026, 12, 18), "C-4": D(2026, 12, 8), "C-5": D(2026, 12, 8), "C-7": D(2026, 12, 9)}

    due = CliRunner().invoke(cli, ["due", str(path), "--today", "2026-12-07", "--json"])
    dropped = json.loads(due.stdout)["dropped"]
    assert [(d["client_id"], d["owner"], d["rule"]) for d in dropped] == [("C-3", SAM, "satisfaction")]
    assert "a client for 49 days on the Start date Mon 7 Dec, past its window (28 days)" in dropped[0]["reason"]
    human = CliRunner().invoke(cli, ["due", str(path), "--today", "2026-12-07"])
    assert "satisfaction check not sent" in " ".join(human.stdout.split())

    # Sam's digest (a draft in the outbox) says so too
    [digest] = [p for p in outbox.glob("*.eml") if "digest" in p.name and "sam" in p.name]
    text = email.message_from_bytes(digest.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()
    assert "NOT SENT: TOO LATE WHEN SHEETS-SYNC STARTED" in text
    assert ("Client 3: Client C-3: satisfaction check not sent: a client for 49 days on the Start date Mon 7 Dec"
            in " ".join(text.split()))

    day2 = _sync(path, "2026-12-08", outbox)
    assert _sent(day2) == ["referral:C-5", "satisfaction:C-4"]
    day3 = _sync(path, "2026-12-09", outbox)
    assert _sent(day3) == ["checkin:C-7:2026-10-01"]
    day4 = _sync(path, "2026-12-10", outbox)
    assert _sent(day4) == []
    assert not any(k.startswith("satisfaction:C-3") for k in _sent(day1) + _sent(day2) + _sent(day3))
    # C-1 stays a call on Sam's list until someone logs one
    assert [a["client_id"] for a in day4["actions"] if a["kind"] == "call"] == ["C-1"]


def test_the_same_book_without_a_start_date_sends_everything_on_day_one(tmp_path: Path) -> None:
    path, outbox = _book(tmp_path / "book.xlsx", None), tmp_path / "outbox"
    day1 = _sync(path, "2026-12-07", outbox)
    assert _sent(day1) == ["checkin:C-1:2021-06-01", "checkin:C-2:2026-09-01", "checkin:C-6:2026-08-15",
                           "checkin:C-7:2026-10-01", "checkin:C-8:2026-08-01", "referral:C-5",
                           "satisfaction:C-3", "satisfaction:C-4"]
    assert [a for a in day1["actions"] if a["kind"] == "call"] == []
    due = CliRunner().invoke(cli, ["due", str(path), "--today", "2026-12-07", "--json"])
    assert json.loads(due.stdout)["dropped"] == []


def _at_terminal(args: list[str], answer: bytes | None, cwd: Path) -> tuple[int, str]:
    """Run the CLI with stdin and stdout on a pseudo-terminal; type ``answer`` at the prompt."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "sheets_sync", *args], stdin=slave, stdout=slave, stderr=slave,
                            cwd=cwd, env=env, close_fds=True)
    os.close(slave)
    out, asked = b"", False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
        if answer is not None and not asked and b"write the sheet now?" in out:
            os.write(master, answer + b"\n")
            asked = True
    os.close(master)
    return proc.wait(timeout=60), out.decode(errors="replace").replace("\r\n", "\n")


def test_a_first_sync_at_a_terminal_asks_and_no_sends_nothing(tmp_path: Path) -> None:
    path, outbox = _book(tmp_path / "book.xlsx", None), tmp_path / "outbox"
    before = path.read_bytes()
    code, out = _at_terminal(["sync", str(path), "--today", "2026-12-07", "--outbox", str(outbox)], b"n", tmp_path)
    assert code == 0, out
    flat = " ".join(out.split())
    assert "First sync of book.xlsx: nothing has been sent from this book yet." in flat
    assert "8 email(s) to clients: 5 check-ins, 2 satisfaction checks, 1 referral request" in flat
    assert "6 of them catch-up(s) for steps overdue by more than a week" in flat
    assert "Nothing sent, nothing written." in flat
    assert path.read_bytes() == before
    assert not outbox.exists() or not any(outbox.iterdir())


def test_a_first_sync_at_a_terminal_sends_after_yes_and_asks_only_once(tmp_path: Path) -> None:
    path, outbox = _book(tmp_path / "book.xlsx", None), tmp_path / "outbox"
    code, out = _at_terminal(["sync", str(path), "--today", "2026-12-07", "--outbox", str(outbox)], b"y", tmp_path)
    assert code == 0, out
    assert "write the sheet now?" in out
    assert len([p for p in outbox.glob("*.eml") if not p.name.startswith("digest")]) == 8
    # the book has a journal now: the next run at a terminal goes straight on
    code, out = _at_terminal(["sync", str(path), "--today", "2026-12-08", "--outbox", str(outbox)], None, tmp_path)
    assert code == 0, out
    assert "write the sheet now?" not in out and "First sync" not in out


def test_yes_json_and_a_pipe_never_ask(tmp_path: Path) -> None:
    path, outbox = _book(tmp_path / "book.xlsx", None), tmp_path / "outbox"
    code, out = _at_terminal(["sync", str(path), "--today", "2026-12-07", "--outbox", str(outbox), "--yes"],
                             None, tmp_path)
    assert code == 0, out
    assert "write the sheet now?" not in out
    assert len([p for p in outbox.glob("*.eml") if not p.name.startswith("digest")]) == 8
    other = _book(tmp_path / "other.xlsx", None)
    code, out = _at_terminal(["sync", str(other), "--today", "2026-12-07", "--outbox", str(tmp_path / "o2"), "--json"],
                             None, tmp_path)
    assert code == 0 and "write the sheet now?" not in out
    piped = subprocess.run([sys.executable, "-m", "sheets_sync", "sync", str(_book(tmp_path / "third.xlsx", None)),
                            "--today", "2026-12-07", "--outbox", str(tmp_path / "o3")],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and "write the sheet now?" not in piped.stdout


def test_init_writes_the_start_date_and_init_into_adds_it_with_settings(tmp_path: Path) -> None:
    from sheets_sync.sync import load_book

    created = CliRunner().invoke(cli, ["init", str(tmp_path / "new.xlsx"), "--today", "2026-12-07"])
    assert created.exit_code == 0, created.output
    book, _ = load_book(str(tmp_path / "new.xlsx"))
    assert book.settings.start_date == D(2026, 12, 7) and book.problems == []

    own = write_workbook(tmp_path / "own.xlsx", {"Clients": [CLIENT_HEADER]})
    adopted = CliRunner().invoke(cli, ["init", "--into", str(own), "--today", "2026-12-08"])
    assert adopted.exit_code == 0, adopted.output
    book, _ = load_book(str(own))
    assert book.settings.start_date == D(2026, 12, 8)

    # a Settings sheet of the team's own is left as it is, and init --into asks for the row
    theirs = write_workbook(tmp_path / "theirs.xlsx", {"Clients": [CLIENT_HEADER],
                                                      "Settings": [["Setting", "Value"], ["Daily email cap", 50]]})
    adopted = CliRunner().invoke(cli, ["init", "--into", str(theirs), "--today", "2026-12-08"])
    assert adopted.exit_code == 0, adopted.output
    assert 'Settings has no Start date: add a row "Start date"' in " ".join(adopted.output.split())
    book, _ = load_book(str(theirs))
    assert book.settings.start_date is None


def test_a_start_date_cleared_by_staff_runs_as_before(tmp_path: Path) -> None:
    import openpyxl

    path, outbox = _book(tmp_path / "book.xlsx", D(2026, 12, 7)), tmp_path / "outbox"
    wb = openpyxl.load_workbook(path)
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Start date":
            row[1].value = None
    wb.save(path)
    assert len(_sent(_sync(path, "2026-12-07", outbox))) == 8


def test_a_new_google_spreadsheet_has_the_start_date(api) -> None:
    from sheets_sync import init as init_lib
    from sheets_sync.config import Config
    from sheets_sync.sync import load_book

    key = init_lib.create_google("Follow-ups", config=Config(), today=D(2026, 12, 7))
    book, _ = load_book(f"gsheet:{key}")
    assert book.settings.start_date == D(2026, 12, 7) and book.problems == []
