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
from imap_server import PASSWORD, USER, Dovecot, free_port
from inbound_mail import (
    auto_reply,
    exchange_bounce,
    gmail_bounce,
    postfix_bounce,
    qmail_bounce,
    reply,
)
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
    digest = next(r.parsed() for r in smtp.received if r.key == f"digest:{OWNER}:{TUE.isoformat()}")
    text = digest.get_body(("plain",)).get_content()
    assert "Pat Prospect" in text and "Prospect C-1 answered on" in text  # the owner's digest lists who replied
    assert "Task T-2: the client answered on" in text
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


def simple_book(path: Path) -> Path:
    """One active client with a payment reminder due on MON."""
    clients = [["C-2", "Ann Active", "", "ann@example.com", "", OWNER, "B", "Active", D(2024, 1, 1), None, None, ""]]
    tasks = [["T-2", "C-2", "Payment", "Balance", 200, D(2026, 12, 31), MON, "Open", None]]
    touches = [[D(2026, 11, 1), "C-2", None, "Call", "Out", OWNER, "Checked in", None]]
    return write_workbook(path, {"Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER, *tasks],
                                 "Touches": [TOUCH_HEADER, *touches]})


def inbound_refs(path: Path) -> list[str]:
    return [str(t["Ref"]) for t in touches(path) if str(t["Ref"] or "").startswith("in:")]


def test_the_inbox_command_over_tls_reads_writes_and_a_rerun_changes_nothing(tmp_path, dovecot, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, dovecot.env("ssl"), {"SHEETS_SYNC_IMAP_CA_FILE": dovecot.ca_file})
    (tmp_path / "sheets-sync.toml").write_text(f'[imap]\nca_file = "{dovecot.ca_file}"\n', encoding="utf-8")
    dovecot.deliver(reply("Ann Active <ann@example.com>", "Re: Balance", "Paid.", MON))
    code, out, err = run("inbox", str(book), "--today", TUE.isoformat())
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == ["Inbox: 1 message(s) read; 0 from no known client, 0 unreadable.",
                                    "  Replies: 1 (C-2)"]
    assert len(inbound_refs(book)) == 1
    before = book.read_bytes()
    code, out, _ = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert code == 0 and json.loads(out)["inbox"]["messages_read"] == 0
    assert book.read_bytes() == before


def test_dry_run_writes_nothing_and_the_next_run_reads_the_same_mail(tmp_path, dovecot, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, dovecot.env())
    dovecot.deliver(reply("ann@example.com", "Re: Balance", "Paid.", MON))
    before = book.read_bytes()
    code, out, _ = run("inbox", str(book), "--today", TUE.isoformat(), "--dry-run", "--json")
    assert code == 0 and [e["kind"] for e in json.loads(out)["inbox"]["events"]] == ["reply"]
    assert book.read_bytes() == before
    code, out, _ = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert [e["kind"] for e in json.loads(out)["inbox"]["events"]] == ["reply"]


def test_server_down_inbox_exits_3_and_sync_goes_on_saying_so_once(tmp_path, smtp, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    down = {"SHEETS_SYNC_IMAP_HOST": "127.0.0.1", "SHEETS_SYNC_IMAP_PORT": str(free_port()),
            "SHEETS_SYNC_IMAP_SECURITY": "none", "SHEETS_SYNC_IMAP_USER": USER, "SHEETS_SYNC_IMAP_PASSWORD": PASSWORD}
    use(monkeypatch, smtp.env(), down)
    code, out, err = run("inbox", str(book), "--today", MON.isoformat())
    assert (code, out) == (3, "")
    assert err.startswith(f"Error: cannot reach the mailbox 127.0.0.1:{down['SHEETS_SYNC_IMAP_PORT']} (none)")
    assert len(err.splitlines()) == 1 and PASSWORD not in err

    code, out, err = run("sync", str(book), "--today", MON.isoformat())
    assert code == 1  # ran, with a problem: the mailbox was not read
    assert out.count("the mailbox was not read") == 1
    assert smtp.keys()["task:T-2:reminder:1"] == 1  # the emails still went out
    code, out, _ = run("sync", str(book), "--today", MON.isoformat(), "--json")
    report = json.loads(out)
    assert report["inbox"]["error"].startswith("cannot reach the mailbox")
    assert [p["message"] for p in report["problems"]] == [
        "the mailbox was not read, so replies since the last run are not in the sheet yet: " + report["inbox"]["error"]]


def test_a_refused_login_is_one_line_exit_3_without_the_password(tmp_path, dovecot, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, dovecot.env(), {"SHEETS_SYNC_IMAP_PASSWORD": "wrong-secret-999"})
    code, out, err = run("inbox", str(book), "--today", MON.isoformat())
    assert (code, out) == (3, "")
    assert err.startswith(f"Error: the mailbox 127.0.0.1:{dovecot.port} (none) refused the login for {USER}")
    assert "wrong-secret-999" not in err and len(err.splitlines()) == 1


def test_no_imap_password_is_a_configuration_error(tmp_path, dovecot, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    env = dovecot.env()
    del env["SHEETS_SYNC_IMAP_PASSWORD"]
    use(monkeypatch, env)
    code, _, err = run("inbox", str(book), "--today", MON.isoformat())
    assert code == 2 and err.startswith(f"Error: no IMAP password for {USER}: set SHEETS_SYNC_IMAP_PASSWORD")


def test_without_a_mailbox_nothing_changes(tmp_path, smtp, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, smtp.env())
    code, out, _ = run("sync", str(book), "--today", MON.isoformat(), "--json")
    assert code == 0 and "inbox" not in json.loads(out)
    code, _, err = run("inbox", str(book), "--today", MON.isoformat())
    assert code == 2 and err.startswith("Error: no mailbox is configured")


def test_a_new_uidvalidity_rereads_a_window_and_acts_on_nothing_twice(tmp_path, dovecot, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, dovecot.env())
    dovecot.deliver(reply("ann@example.com", "Re: Balance", "Paid.", MON))
    code, out, _ = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert json.loads(out)["inbox"]["messages_read"] == 1
    dovecot.new_uidvalidity()
    dovecot.deliver(reply("ann@example.com", "Re: Balance", "And the receipt is attached.", TUE))
    code, out, _ = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    inbox = json.loads(out)["inbox"]
    assert inbox["messages_read"] == 2  # the folder read again (its messages are within 30 days)
    assert [e["date"] for e in inbox["events"]] == ["2026-11-24"]  # only the new one acted on
    assert len(inbound_refs(book)) == 2


def test_huge_malformed_and_odd_messages_are_read_in_bounded_time(tmp_path, dovecot, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, dovecot.env())
    big = reply("ann@example.com", "Re: Balance", "Here are the scans.", MON).replace(
        b"Content-Type: text/plain", b"Content-Type: multipart/mixed; boundary=\"zz\"\nX-Was: text/plain")
    head, _, _ = big.partition(b"\n\n")
    attachment = b"A" * 76 + b"\n"
    big = (head + b"\n\n--zz\nContent-Type: text/plain\n\nHere are the scans.\n--zz\nContent-Type: application/pdf\n"
           b"Content-Transfer-Encoding: base64\n\n" + attachment * (40 * 1024 * 1024 // 77) + b"--zz--\n")
    dovecot.deliver(big)  # 40 MB
    dovecot.deliver(b"\x00\xff\xfe garbage that is no message at all \x00\n")
    dovecot.deliver(b"From: ann@example.com\nSubject: =?x-unknown-charset?B?SGVsbG8=?= =?utf-8?Q?caf=C3=A9?=\n"
                    b"Message-ID: <odd1@example.com>\nContent-Type: multipart/alternative; boundary=\"never-closed\"\n\n"
                    b"--never-closed\nContent-Type: text/html; charset=klingon\n\n<p>I&#39;ll call <b>you</b></p>\n")
    code, out, err = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert (code, err) == (0, "")
    inbox = json.loads(out)["inbox"]
    assert (inbox["messages_read"], inbox["unreadable"]) == (3, 1)
    assert [e["kind"] for e in inbox["events"]] == ["reply", "reply"]
    summaries = [t["Summary"] for t in touches(book) if str(t["Ref"] or "").startswith("in:")]
    assert summaries == ["Re: Balance: Here are the scans.", "=?x-unknown-charset?B?SGVsbG8=?= café: I'll call you"]


def test_a_message_deleted_between_the_search_and_the_fetch_is_skipped(dovecot):
    import imaplib

    from sheets_sync.inbox.fetch import fetch_messages, new_uids
    from sheets_sync.mail.imap import ImapSettings, connect

    for n in range(3):
        dovecot.deliver(reply("ann@example.com", f"Re: {n}", "x", MON))
    client = connect(ImapSettings("127.0.0.1", dovecot.port, "none", USER, PASSWORD))
    found = new_uids(client, "INBOX", None, TUE)
    assert found.uids == [1, 2, 3]
    other = imaplib.IMAP4("127.0.0.1", dovecot.port)  # another mail program deletes the second one
    other.login(USER, PASSWORD)
    other.select("INBOX")
    other.uid("STORE", "2", "+FLAGS", r"(\Deleted)")
    other.expunge()
    other.logout()
    client.noop()  # the server tells this session (as it would at any command)
    assert [f.uid for f in fetch_messages(client, found)] == [1, 3]
    client.logout()


@pytest.mark.parametrize("shape", [postfix_bounce, exchange_bounce, gmail_bounce, qmail_bounce])
def test_bounces_as_each_mail_server_writes_them_stop_email_to_the_address(tmp_path, dovecot, smtp, monkeypatch, shape):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, smtp.env(), dovecot.env())
    run("sync", str(book), "--today", MON.isoformat())
    dovecot.deliver(shape("ann@example.com", sent_ids(smtp)["task:T-2:reminder:1"], MON))
    code, out, _ = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    events = json.loads(out)["inbox"]["events"]
    assert [(e["client_id"], e["task_id"], e["kind"]) for e in events] == [("C-2", "T-2", "bounce")]
    status = column(book, "Clients", "Email Status")[0]
    assert status.startswith("Bounced 2026-11-23 (ann@example.com): ") and "5.1.1" in status
    code, out, _ = run("check", str(book), "--json")
    assert any(p["cell"] == "D2" and "bounced" in p["message"] for p in json.loads(out)["problems"])
    code, out, _ = run("due", str(book), "--today", "2026-11-30", "--json")
    actions = {a["key"]: a for a in json.loads(out)["actions"]}
    assert actions["task:T-2:reminder:2"]["kind"] == "call"  # no email to a bounced address


def test_soft_bounces_count_after_three_in_a_row_and_a_new_address_clears_the_status(tmp_path, dovecot, smtp,
                                                                                     monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, smtp.env(), dovecot.env())
    run("sync", str(book), "--today", MON.isoformat())
    original = sent_ids(smtp)["task:T-2:reminder:1"]
    for n, day in enumerate((MON, TUE, D(2026, 11, 25)), 1):
        dovecot.deliver(postfix_bounce("ann@example.com", original, day, status="4.2.2",
                                       diagnostic="452 4.2.2 <{r}>: Mailbox full"))
        code, out, _ = run("inbox", str(book), "--today", day.isoformat(), "--json")
        assert [e["kind"] for e in json.loads(out)["inbox"]["events"]] == ["bounce"]
        status = column(book, "Clients", "Email Status")[0] if "Email Status" in read_rows(book, "Clients")[0] else None
        assert (status is None) == (n < 3), (n, status)
    assert status == "Bounced 2026-11-25 (ann@example.com): 452 4.2.2 <ann@example.com>: Mailbox full (3 times in a row)"
    results = [t["Result"] for t in touches(book) if str(t["Ref"] or "").startswith("in:")]
    assert results == ["soft bounce: 452 4.2.2 <ann@example.com>: Mailbox full"] * 3

    import openpyxl
    wb = openpyxl.load_workbook(book)
    wb["Clients"]["D2"] = "ann.new@example.com"  # staff correct the address
    wb.save(book)
    code, out, _ = run("sync", str(book), "--today", D(2026, 11, 30).isoformat(), "--json")
    assert column(book, "Clients", "Email Status")[0] is None
    assert any(d["key"] == "task:T-2:reminder:2" and d["to"] == "ann.new@example.com" for d in json.loads(out)["deliveries"])


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "it", "nl", "pt"])
@pytest.mark.parametrize("headers", ["rfc3834", "x-autoreply", "subject"])
def test_out_of_office_replies_stop_nothing_and_move_the_next_email(tmp_path, dovecot, smtp, monkeypatch, lang, headers):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, smtp.env(), dovecot.env())
    run("sync", str(book), "--today", MON.isoformat())
    dovecot.deliver(auto_reply("ann@example.com", "Your payment", MON, D(2026, 12, 11), lang=lang, headers=headers,
                               answers=sent_ids(smtp)["task:T-2:reminder:1"]))
    code, out, _ = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    report = json.loads(out)
    assert [e["kind"] for e in report["inbox"]["events"]] == ["auto_reply"]
    assert not any(a["rule"] == "task-replied" for a in report["actions"])  # nothing stopped
    logged = [t for t in touches(book) if str(t["Ref"] or "").startswith("in:")][0]
    assert logged["Result"] == "automatic reply: back 2026-12-11"
    task = dict(zip(read_rows(book, "Tasks")[0], read_rows(book, "Tasks")[1], strict=False))
    assert as_date(task["Next Reminder"]) == D(2026, 12, 14)  # Friday 11th back: the next business day
    code, out, _ = run("due", str(book), "--today", "2026-11-30", "--json")
    assert not json.loads(out)["actions"]


def test_every_client_email_says_how_to_opt_out_and_the_opt_out_mail_is_read_as_such(tmp_path, dovecot, smtp,
                                                                                        monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, smtp.env(), dovecot.env())
    run("sync", str(book), "--today", MON.isoformat())
    sent = next(r.parsed() for r in smtp.received if r.key == "task:T-2:reminder:1")
    target = sent["List-Unsubscribe"]
    assert target == "<mailto:office@harbor.example?subject=unsubscribe>"
    assert sent.get_body(("plain",)).get_content().rstrip().endswith(
        "To get no more emails from us, reply with the word unsubscribe.")
    address, _, query = target.strip("<>").removeprefix("mailto:").partition("?subject=")
    dovecot.deliver(reply("ann@example.com", query, "", MON).replace(b"To: office@harbor.example",
                                                                      f"To: {address}".encode()))
    code, out, _ = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    assert [e["kind"] for e in json.loads(out)["inbox"]["events"]] == ["unsubscribe"]
    assert column(book, "Clients", "Email Status")[0] == "Unsubscribed 2026-11-23 (ann@example.com)"


def test_the_sync_summary_says_the_inbox_in_one_line_per_kind(tmp_path, dovecot, smtp, monkeypatch):
    book = workbook(tmp_path / "clients.xlsx")
    use(monkeypatch, smtp.env(), dovecot.env())
    run("sync", str(book), "--today", MON.isoformat())
    ids = sent_ids(smtp)
    dovecot.deliver(reply("pat@example.com", "Re: quote", "Yes.", MON, answers=ids["prospect:C-1:touch:1"]))
    dovecot.deliver(reply("ann@example.com", "Re: Payment", "Paid.", MON, answers=ids["task:T-2:reminder:1"]))
    dovecot.deliver(gmail_bounce("bo@example.com", ids["task:T-3:reminder:1"], MON))
    dovecot.deliver(auto_reply("al@example.com", "Payment", MON, None, lang="nl"))
    code, out, _ = run("sync", str(book), "--today", TUE.isoformat())
    lines = out.splitlines()
    start = lines.index("Inbox: 4 message(s) read; 0 from no known client, 0 unreadable.")
    assert lines[start + 1:start + 4] == ["  Replies: 2 (C-1, C-2 on T-2)", "  Automatic replies: 1 (C-4)",
                                          "  Bounces: 1 (C-3 on T-3)"]


def test_the_config_file_names_the_mailbox_and_the_environment_wins(tmp_path, dovecot, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    (tmp_path / "sheets-sync.toml").write_text(
        f'[imap]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\nuser = "{USER}"\n', encoding="utf-8")
    monkeypatch.setenv("SHEETS_SYNC_IMAP_PASSWORD", PASSWORD)
    code, _, err = run("inbox", str(book), "--today", TUE.isoformat())
    assert code == 3 and err.startswith("Error: cannot reach the mailbox")  # the file's port: nobody there
    monkeypatch.setenv("SHEETS_SYNC_IMAP_PORT", str(dovecot.port))
    code, out, err = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert (code, err) == (0, "") and json.loads(out)["inbox"]["messages_read"] == 0
    (tmp_path / "sheets-sync.toml").write_text(f'[imap]\nhost = "127.0.0.1"\npassword = "{PASSWORD}"\n',
                                               encoding="utf-8")
    code, _, err = run("inbox", str(book), "--today", TUE.isoformat())
    assert code == 2 and "[imap] must not hold the password" in err and PASSWORD not in err


def test_a_run_that_cannot_write_loses_nothing_and_the_next_acts_once(tmp_path, dovecot, smtp, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, smtp.env(), dovecot.env())
    run("sync", str(book), "--today", MON.isoformat())
    dovecot.deliver(reply("ann@example.com", "Re: Balance", "Paid it.", MON,
                          answers=sent_ids(smtp)["task:T-2:reminder:1"]))
    (state,) = tmp_path.rglob("inbox-state.json")  # the MON run read the empty mailbox
    before = state.read_bytes()
    lock = tmp_path / "~$clients.xlsx"
    lock.write_bytes(b"\x05maria")  # someone has the workbook open in Excel: the write is refused
    code, _, err = run("sync", str(book), "--today", TUE.isoformat())
    assert code == 3 and "Excel" in err
    assert "send journal" not in err  # no email was sent; the reply is read again from the mailbox
    assert inbound_refs(book) == []
    assert state.read_bytes() == before  # where reading stopped is kept only after a write
    lock.unlink()
    code, out, _ = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    assert [e["kind"] for e in json.loads(out)["inbox"]["events"]] == ["reply"]  # read again: nothing lost
    code, out, _ = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    assert json.loads(out)["inbox"]["events"] == []
    assert len(inbound_refs(book)) == 1  # and acted on once
    assert state.read_bytes() != before


def test_starttls_on_the_plain_port(tmp_path, dovecot, monkeypatch):
    book = simple_book(tmp_path / "clients.xlsx")
    env = dovecot.env()
    env["SHEETS_SYNC_IMAP_SECURITY"] = "starttls"
    use(monkeypatch, env)
    dovecot.deliver(reply("ann@example.com", "Re: Balance", "Paid.", MON))
    code, _, err = run("inbox", str(book), "--today", TUE.isoformat())
    assert code == 3 and "certificate verify failed" in err  # a private CA must be named
    (tmp_path / "sheets-sync.toml").write_text(f'[imap]\nca_file = "{dovecot.ca_file}"\n', encoding="utf-8")
    code, out, err = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert (code, err) == (0, "") and [e["kind"] for e in json.loads(out)["inbox"]["events"]] == ["reply"]
