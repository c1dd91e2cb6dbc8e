"""The outbox is a drafts folder, not a send (docs/email.md, "No mail server: the outbox").

Walked day by day through the command line on a real .xlsx: each .eml is parsed back, and the
Touches rows, task columns and --json are read after each run. The expectations are worked
by hand from the book below.
"""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

from click.testing import CliRunner
from workbooks import (
    CLIENT_HEADER,
    TASK_HEADER,
    TOUCH_HEADER,
    D,
    as_date,
    column,
    read_rows,
    write_workbook,
)

from sheets_sync.cli import cli

TUE, WED, THU, FRI = "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"
REMINDER_2 = "task_T-4_reminder_2.eml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def office(path: Path, settings: list[list[object]] | None = None) -> Path:
    """Bob has an open payment task: its first request went out on Fri 13 Nov, so 'one more'
    (reminder 2) is due Fri 20 Nov; the task is due Tue 1 Dec. Ann (tier A, last call 20 Sep)
    is a check-in call, so Maria gets a digest."""
    sheets = {
        "Clients": [CLIENT_HEADER, ["C-1", "Bob Roe", "", "bob@example.com", "555-0101", "maria@agency.example",
                                    "B", "Active", D(2024, 1, 5), None, None, ""],
                    ["C-2", "Ann Ash", "Ash Ltd", "ann@example.com", "555-0102", "maria@agency.example",
                     "A", "Active", D(2023, 5, 1), None, None, ""]],
        "Tasks": [TASK_HEADER, ["T-4", "C-1", "Payment", "Auto policy balance", 3323, D(2026, 12, 1),
                                D(2026, 11, 13), "Open", None]],
        "Touches": [TOUCH_HEADER, [D(2026, 11, 13), "C-1", "T-4", "Email", "Out", "sheets-sync", "Payment request",
                                   "task:T-4:reminder:1"],
                    [D(2026, 9, 20), "C-2", None, "Call", "Out", "maria", "Renewal chat", None]],
    }
    if settings is not None:
        sheets["Settings"] = [["Setting", "Value"], *settings]
    return write_workbook(path, sheets)


def sync(book: Path, day: str, outbox: Path, *extra: str) -> dict:
    code, out, err = run("sync", str(book), "--today", day, "--outbox", str(outbox), "--json", *extra)
    assert (code, err) == (0, ""), err
    return json.loads(out)


def parse(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def touches(book: Path) -> list[tuple[object, ...]]:
    rows = read_rows(book, "Touches")
    header = rows[0]
    pick = [header.index(h) for h in ("Date", "Summary", "Ref", "Result")]
    return [tuple(as_date(r[i]) if i == pick[0] else r[i] for i in pick) for r in rows[1:]]


def test_a_draft_carries_the_offices_from_and_x_unsent(tmp_path):
    book = office(tmp_path / "clients.xlsx", [["Business name", "Harbor Lane Insurance"],
                                              ["From address", "office@harborlane.example"]])
    sync(book, TUE, tmp_path / "outbox")
    for name in (REMINDER_2, "digest_maria@agency.example_2026-11-24.eml"):
        eml = parse(tmp_path / "outbox" / name)
        assert eml["From"] == "Harbor Lane Insurance <office@harborlane.example>"
        assert eml["X-Unsent"] == "1"
        assert "sheets-sync@localhost" not in str(tmp_path.joinpath("outbox", name).read_bytes())
    assert parse(tmp_path / "outbox" / REMINDER_2)["Reply-To"] == "maria@agency.example"


def test_the_configured_sender_wins_and_without_any_the_owner_sends_it(tmp_path, monkeypatch):
    book = office(tmp_path / "clients.xlsx", [["Business name", "Harbor Lane Insurance"]])
    sync(book, TUE, tmp_path / "outbox")  # no From address: the owner, who will send it, named by the office
    assert parse(tmp_path / "outbox" / REMINDER_2)["From"] == "Harbor Lane Insurance <maria@agency.example>"

    other = office(tmp_path / "other.xlsx", [["From address", "office@harborlane.example"]])
    monkeypatch.setenv("SHEETS_SYNC_FROM", "Front Desk <desk@harborlane.example>")
    sync(other, TUE, tmp_path / "outbox2")
    eml = parse(tmp_path / "outbox2" / REMINDER_2)
    assert (eml["From"], eml["X-Unsent"]) == ("Front Desk <desk@harborlane.example>", "1")


def test_a_draft_is_reported_as_written_not_sent(tmp_path):
    book = office(tmp_path / "clients.xlsx")
    report = sync(book, TUE, tmp_path / "outbox")
    assert (report["emails_sent"], report["emails_drafted"]) == (0, 1)
    assert (report["digests_sent"], report["digests_drafted"]) == (0, 1)
    text = parse(tmp_path / "outbox" / "digest_maria@agency.example_2026-11-24.eml").get_body(("plain",)).get_content()
    # only today's drafts are listed: the heading says so (the sync's Outbox line counts the older ones)
    assert "EMAILS WRITTEN TO THE OUTBOX TODAY, FOR YOU TO SEND" in text and "SENT FOR YOU" not in text
    assert "- Bob Roe: " in text

    again = office(tmp_path / "again.xlsx")
    code, out, _ = run("sync", str(again), "--today", TUE, "--outbox", str(tmp_path / "o2"))
    assert code == 0
    assert f"Emails: 1 written to the outbox, not sent (outbox folder {tmp_path / 'o2'}: open each draft and send it)" \
           in " ".join(out.split())
    assert "delivered" not in out

    # The next mornings say what became of it.
    code, out, _ = run("sync", str(again), "--today", WED, "--outbox", str(tmp_path / "o2"))
    assert "Outbox: 1 draft(s) still waiting to be sent, the oldest written Tue 24 Nov." in " ".join(out.split())
    (tmp_path / "o2" / REMINDER_2).unlink()
    code, out, _ = run("sync", str(again), "--today", THU, "--outbox", str(tmp_path / "o2"))
    assert ("Outbox: 1 draft(s) found sent since the last run (their files left the folder): counted as touches "
            "today.") in " ".join(out.split())
    assert "Note:" not in out and "still waiting" not in out


def test_the_clock_starts_when_the_draft_leaves_the_outbox_and_it_is_never_drafted_twice(tmp_path):
    book = office(tmp_path / "clients.xlsx")
    outbox = tmp_path / "outbox"
    draft = outbox / REMINDER_2

    # Tue: reminder 2 (due Fri 20 Nov) is drafted; its row says draft and it is not a touch yet.
    assert [d["key"] for d in sync(book, TUE, outbox)["deliveries"] if d["kind"] == "email"] == ["task:T-4:reminder:2"]
    first = draft.read_bytes()
    assert touches(book)[-1] == (D(2026, 11, 24), "Email draft (outbox): " + parse(draft)["Subject"],
                                 "task:T-4:reminder:2", "draft: in the outbox, not sent yet")
    assert column(book, "Tasks", "Reminders Sent") == [1]
    assert as_date(column(book, "Tasks", "Next Reminder")[0]) == D(2026, 11, 20)
    assert as_date(column(book, "Clients", "Last Touch")[0]) == D(2026, 11, 13)

    # Wed: still in the outbox: nothing drafted again, nothing added.
    rows = touches(book)
    report = sync(book, WED, outbox)
    assert (report["emails_drafted"], report["rows_appended"]) == (0, 0)
    assert report["outbox_drafts"] == {"found_sent": 0, "waiting": 1, "oldest_waiting": "2026-11-24"}
    assert touches(book) == rows and draft.read_bytes() == first

    # Maria sends it on Wed (Outlook keeps the file: she deletes it once sent).
    draft.unlink()
    # Thu: the draft counts as sent today; the final notice is due 2 business days before
    # Tue 1 Dec (Fri 27 Nov), before 'every 3 days' (Sun 29 -> Mon 30 Nov).
    report = sync(book, THU, outbox)
    assert (report["emails_drafted"], report["rows_appended"]) == (0, 1)
    assert report["outbox_drafts"] == {"found_sent": 1, "waiting": 0, "oldest_waiting": None}
    assert report["sheet_behind"] == ""  # news, not a sheet that fell behind
    assert touches(book)[-1] == (D(2026, 11, 26), parse_subject(book), "task:T-4:reminder:2", "sent from the outbox")
    assert column(book, "Tasks", "Reminders Sent") == [2]
    assert as_date(column(book, "Tasks", "Last Reminder")[0]) == D(2026, 11, 26)
    assert as_date(column(book, "Tasks", "Next Reminder")[0]) == D(2026, 11, 27)
    assert as_date(column(book, "Clients", "Last Touch")[0]) == D(2026, 11, 26)
    assert not draft.exists()  # a draft that left the outbox is not written again

    # Thu again, then Fri: the sent row is not added twice; Fri drafts the final notice only.
    assert sync(book, THU, outbox)["rows_appended"] == 0
    report = sync(book, FRI, outbox)
    assert [d["key"] for d in report["deliveries"] if d["kind"] == "email"] == ["task:T-4:final"]
    assert sorted(p.name for p in outbox.glob("task_*")) == ["task_T-4_final.eml"]
    assert [r[2] for r in touches(book)].count("task:T-4:reminder:2") == 2


def parse_subject(book: Path) -> str:
    """The Summary of the draft row (the subject, without the draft prefix)."""
    summary = next(r[1] for r in touches(book) if r[2] == "task:T-4:reminder:2")
    return str(summary).removeprefix("Email draft (outbox): ")


def test_staff_marking_the_draft_wins_and_a_discarded_draft_is_not_drafted_again(tmp_path):
    import openpyxl

    book = office(tmp_path / "clients.xlsx")
    outbox = tmp_path / "outbox"
    sync(book, TUE, outbox)
    # Maria sends the draft from her own mail program on Wed and types that in the sheet.
    wb = openpyxl.load_workbook(book)
    ws = wb["Touches"]
    header = [c.value for c in ws[1]]
    last = ws.max_row
    ws.cell(last, header.index("Result") + 1).value = "sent"
    ws.cell(last, header.index("Date") + 1).value = D(2026, 11, 25)
    wb.save(book)
    report = sync(book, THU, outbox)
    assert report["rows_appended"] == 0  # her row is the record
    assert column(book, "Tasks", "Reminders Sent") == [2]
    assert as_date(column(book, "Tasks", "Last Reminder")[0]) == D(2026, 11, 25)
    (outbox / REMINDER_2).unlink()  # and she tidies the outbox: no second row
    report = sync(book, FRI, outbox)
    assert [d["key"] for d in report["deliveries"] if d["kind"] == "email"] == ["task:T-4:final"]
    assert [r[2] for r in touches(book)].count("task:T-4:reminder:2") == 1

    # Another office discards its draft: Result 'failed: not sent', file deleted. It is
    # never drafted again, and no 'sent' row appears.
    other = office(tmp_path / "other.xlsx")
    out2 = tmp_path / "outbox2"
    sync(other, TUE, out2)
    wb = openpyxl.load_workbook(other)
    ws = wb["Touches"]
    ws.cell(ws.max_row, header.index("Result") + 1).value = "failed: not sent, discarded"
    wb.save(other)
    (out2 / REMINDER_2).unlink()
    for day in (WED, THU):
        report = sync(other, day, out2)
        assert (report["emails_drafted"], report["rows_appended"]) == (0, 0)
    assert not (out2 / REMINDER_2).exists()
    assert column(other, "Tasks", "Reminders Sent") == [1]


def test_a_rerun_with_nothing_new_does_not_claim_a_delivery(tmp_path):
    """The same morning run twice (found in the new-user trial): the second writes nothing, and
    with no mail server it must not say '0 delivered via outbox folder'."""
    book, outbox = office(tmp_path / "clients.xlsx"), tmp_path / "outbox"
    assert run("sync", str(book), "--today", TUE, "--outbox", str(outbox))[0] == 0
    code, out, _ = run("sync", str(book), "--today", TUE, "--outbox", str(outbox))
    assert code == 0
    flat = " ".join(out.split())
    assert "delivered" not in flat, flat
    assert (f"Emails: 0 written to the outbox, not sent (outbox folder {outbox}: open each draft and send it); "
            "0 owner digest(s) there") in flat


def _checkin_book(path: Path) -> Path:
    """Cy (tier B, last call 1 Jun) has a check-in email long overdue on Tue 24 Nov."""
    return write_workbook(path, {
        "Clients": [CLIENT_HEADER, ["C-3", "Cy Lee", "", "cy@example.com", "555-0103", "maria@agency.example",
                                    "B", "Active", D(2023, 5, 1), None, None, ""]],
        "Tasks": [TASK_HEADER],
        "Touches": [TOUCH_HEADER, [D(2026, 6, 1), "C-3", None, "Call", "Out", "maria", "Renewal chat", None]],
    })


def test_a_draft_is_named_by_the_day_it_was_written(tmp_path: Path) -> None:
    """Issue 20 trial item 4: `checkin_C-3_<due date>.eml` said months ago; the name carries
    the day the draft was written, and the file still carries the step's own key."""
    book, outbox = _checkin_book(tmp_path / "book.xlsx"), tmp_path / "outbox"
    sync(book, TUE, outbox)
    checkins = sorted(p.name for p in outbox.glob("checkin_*"))
    assert checkins == ["checkin_C-3_2026-11-24.eml"]
    key = parse(outbox / checkins[0])["X-Sheets-Sync-Key"]
    assert key == "checkin:C-3:2026-06-01"  # the key is as it was: the journal and Touches know it
    # the next days: the draft waits, nothing is written again, and the file keeps its name
    sync(book, WED, outbox)
    assert sorted(p.name for p in outbox.glob("checkin_*")) == ["checkin_C-3_2026-11-24.eml"]


def test_a_draft_under_its_old_name_is_replaced_not_doubled(tmp_path: Path) -> None:
    """A draft whose file was written but whose run never recorded it (stopped in between), by
    a version that named files after the due date: the rerun writes that file again, in place,
    and leaves one copy of the email."""
    book, outbox = _checkin_book(tmp_path / "book.xlsx"), tmp_path / "outbox"
    key = "checkin:C-3:2026-06-01"  # a check-in's key is dated by the touch it follows
    old = outbox / "checkin_C-3_2026-06-01.eml"
    outbox.mkdir()
    old.write_bytes(f"X-Sheets-Sync-Key: {key}\nSubject: old\n\nthe earlier write\n".encode())
    sync(book, TUE, outbox)
    assert sorted(p.name for p in outbox.glob("checkin_*")) == [old.name]
    assert parse(old)["Subject"] != "old"
