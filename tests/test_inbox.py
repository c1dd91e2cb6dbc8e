"""The mailbox, end to end through the command line: emails go out over SMTP (aiosmtpd), the
answers are delivered into a real Dovecot's maildir, and ``sync`` / ``inbox`` read them into
the workbook (a real .xlsx, read back with openpyxl)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from imap_server import Dovecot
from inbound_mail import auto_reply, postfix_bounce, reply
from smtp_server import MailServer
from workbooks import (
    CLIENT_HEADER,
    TASK_HEADER,
    TOUCH_HEADER,
    as_date,
    column,
    read_rows,
    write_workbook,
)

from sheets_sync.cli import cli

D = dt.date
MON, TUE = D(2026, 11, 23), D(2026, 11, 24)
OWNER = "maria@agency.example"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    yield server
    server.stop(cleanup=True)


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[MailServer]:
    server = MailServer(tmp_path / "smtp")
    yield server
    server.stop()


def workbook(path: Path) -> Path:
    """Prospects C-1 (will answer) and C-5 (will unsubscribe); active clients with a payment
    due: C-2 (will answer the reminder), C-3 (bounces), C-4 (away until 7 December)."""
    clients = [
        ["C-1", "Pat Prospect", "", "pat@example.com", "", OWNER, "B", "Prospect", D(2026, 11, 19), None, None, ""],
        ["C-2", "Ann Active", "", "Ann@Example.com", "", OWNER, "B", "Active", D(2024, 1, 1), None, None, ""],
        ["C-3", "Bo Bounce", "", "bo@example.com", "", OWNER, "B", "Active", D(2024, 1, 1), None, None, ""],
        ["C-4", "Al Away", "", "al@example.com", "", OWNER, "B", "Active", D(2024, 1, 1), None, None, ""],
        ["C-5", "Uma Unsub", "", "uma@example.com", "", OWNER, "B", "Prospect", D(2026, 11, 19), None, None, ""],
    ]
    tasks = [[f"T-{i}", f"C-{i}", "Payment", "Balance", 100 * i, D(2026, 12, 31), MON, "Open", None] for i in (2, 3, 4)]
    touches = [[D(2026, 11, 1), f"C-{i}", None, "Call", "Out", OWNER, "Checked in", None] for i in (2, 3, 4)]
    return write_workbook(path, {"Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER, *tasks],
                                 "Touches": [TOUCH_HEADER, *touches]})


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def use(monkeypatch: pytest.MonkeyPatch, *servers: dict[str, str]) -> None:
    for env in servers:
        for name, value in env.items():
            monkeypatch.setenv(name, value)


def sent_ids(smtp: MailServer) -> dict[str, str]:
    """Key -> Message-ID of every email the SMTP server accepted."""
    return {r.key: r.parsed()["Message-ID"] for r in smtp.received}


def touches(path: Path) -> list[dict[str, object]]:
    rows = read_rows(path, "Touches")
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def test_replies_bounces_auto_replies_and_unsubscribes_reach_the_sheet(tmp_path, dovecot, smtp, monkeypatch):
    book = workbook(tmp_path / "clients.xlsx")
    use(monkeypatch, smtp.env(), dovecot.env())
    code, out, err = run("sync", str(book), "--today", MON.isoformat(), "--json")
    assert (code, err) == (0, ""), out
    first = json.loads(out)
    assert first["inbox"] == {"messages_read": 0, "unmatched": 0, "unreadable": 0, "events": []}
    ids = sent_ids(smtp)
    assert {"prospect:C-1:touch:1", "task:T-2:reminder:1", "task:T-3:reminder:1", "task:T-4:reminder:1",
            "prospect:C-5:touch:1"} <= set(ids)

    answer = reply("Pat Prospect <pat@example.com>", "Re: Your quote", "Yes please, call me on Thursday.\nPat",
                   MON, answers=ids["prospect:C-1:touch:1"], quoted="Dear Pat,\nhere is your quote")
    dovecot.deliver(answer)
    dovecot.deliver(reply("ann@example.COM", "Re: Payment", "I paid it yesterday, see attached.", MON,
                          answers=ids["task:T-2:reminder:1"], quoted="Dear Ann, one more reminder"))
    dovecot.deliver(postfix_bounce("bo@example.com", ids["task:T-3:reminder:1"], MON))
    dovecot.deliver(auto_reply("al@example.com", "Payment", MON, D(2026, 12, 7), lang="de",
                               answers=ids["task:T-4:reminder:1"]))
    dovecot.deliver(reply("uma@example.com", "unsubscribe", "", MON))  # the List-Unsubscribe mailto
    dovecot.deliver(reply("stranger@elsewhere.example", "Hello", "Who are you?", MON))

    code, out, err = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    assert (code, err) == (0, ""), out
    report = json.loads(out)
    inbox = report["inbox"]
    assert (inbox["messages_read"], inbox["unmatched"], inbox["unreadable"]) == (6, 1, 0)
    assert [(e["client_id"], e["task_id"], e["kind"], e["date"]) for e in inbox["events"]] == [
        ("C-1", None, "reply", "2026-11-23"), ("C-2", "T-2", "reply", "2026-11-23"),
        ("C-3", "T-3", "bounce", "2026-11-23"), ("C-4", "T-4", "auto_reply", "2026-11-23"),
        ("C-5", None, "unsubscribe", "2026-11-23")]

    logged = {t["Ref"]: t for t in touches(book) if str(t["Ref"] or "").startswith("in:")}
    assert len(logged) == 5
    pat = logged[f"in:{inbox['events'][0]['message_id']}"]
    assert (as_date(pat["Date"]), pat["Client ID"], pat["Task ID"], pat["Channel"], pat["Direction"]) == (
        MON, "C-1", None, "Email", "In")
    assert pat["Summary"] == "Re: Your quote: Yes please, call me on Thursday. Pat"  # no quoted history
    assert pat["Result"] == "reply"
    ann = logged[f"in:{inbox['events'][1]['message_id']}"]
    assert ann["Task ID"] == "T-2"
    away = logged[f"in:{inbox['events'][3]['message_id']}"]
    assert away["Result"] == "automatic reply: back 2026-12-07"

    status = dict(zip(column(book, "Clients", "Client ID"), column(book, "Clients", "Email Status"), strict=True))
    assert status["C-3"] == ("Bounced 2026-11-23 (bo@example.com): 550 5.1.1 <bo@example.com>: Recipient address "
                             "rejected: User unknown in virtual mailbox table")
    assert status["C-5"] == "Unsubscribed 2026-11-23 (uma@example.com)"
    assert status["C-1"] is None and status["C-2"] is None and status["C-4"] is None

    calls = {(a["client_id"], a["rule"]) for a in report["actions"] if a["kind"] == "call"}
    assert ("C-1", "prospect-replied") in calls  # the sequence stopped: the owner follows up today
    assert ("C-2", "task-replied") in calls  # the chase paused until the owner acts

    # The next plan: no email to a bounced or unsubscribed address; the reminder to the
    # client who is away waits for the first business day after 7 December.
    code, out, _ = run("due", str(book), "--today", "2026-11-30", "--json")
    due = json.loads(out)
    emails = {a["client_id"] for a in due["actions"] if a["kind"] == "email"}
    assert not emails & {"C-1", "C-2", "C-3", "C-4", "C-5"}
    blocked = {a["client_id"]: a["reason"] for a in due["actions"] if a["kind"] == "call"}
    assert "Email Status: Bounced 2026-11-23" in blocked["C-3"]
    next_reminder = dict(zip(column(book, "Tasks", "Task ID"), column(book, "Tasks", "Next Reminder"), strict=True))
    assert as_date(next_reminder["T-4"]) == D(2026, 12, 8)

    # A rerun reads nothing new and changes nothing.
    before = book.read_bytes()
    code, out, err = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    again = json.loads(out)
    assert again["inbox"] == {"messages_read": 0, "unmatched": 0, "unreadable": 0, "events": []}
    assert again["rows_appended"] == 0
    assert len([t for t in touches(book) if str(t["Ref"] or "").startswith("in:")]) == 5
    del before
