"""The command line on real .xlsx files: exact exit codes, output and written values."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, as_date, column, write_workbook

from sheets_sync.cli import cli

MON = "2026-11-23"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def agency(path: Path, **kw) -> Path:
    clients = [
        ["C-1", "Bob Roe", "", "bob@example.com", "555-0101", "maria@agency.example", "B", "Active", D(2024, 1, 5), None, None, ""],
        ["C-2", "Ann Ash", "Ash Ltd", "ann@example.com", "555-0102", "maria@agency.example", "A", "Active", D(2023, 5, 1), None, None, ""],
        ["C-3", "Pat Lee", "", "pat@example.com", "555-0103", "tom@agency.example", "C", "Prospect", None, None, None, ""],
        ["C-4", "Dee Nope", "", "dee@example.com", "555-0104", "tom@agency.example", "B", "Active", D(2024, 1, 5), None, "Yes", ""],
    ]
    tasks = [["T-4", "C-1", "Payment", "Auto policy balance", 3323, D(2026, 12, 1), D(2026, 11, 13), "Open", None]]
    touches = [
        [D(2026, 11, 13), "C-1", "T-4", "Email", "Out", "sheets-sync", "Payment request", "task:T-4:reminder:1"],
        [D(2026, 9, 20), "C-2", None, "Call", "Out", "maria", "Renewal chat", None],
        [D(2026, 11, 18), "C-3", None, "Meeting", "Out", "tom", "Quote given", None],
        [D(2026, 8, 1), "C-4", None, "Call", "Out", "tom", "", None],
    ]
    return write_workbook(path, {
        "Clients": [["Agency clients"], CLIENT_HEADER, *clients],
        "Tasks": [TASK_HEADER, *tasks],
        "Touches": [TOUCH_HEADER, *touches],
    }, **kw)


def test_sync_sends_what_is_due_writes_back_and_a_rerun_changes_nothing(tmp_path):
    book = agency(tmp_path / "clients.xlsx")
    outbox = tmp_path / "outbox"
    code, out, err = run("sync", str(book), "--today", MON, "--outbox", str(outbox), "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    emails = sorted(a["key"] for a in report["actions"] if a["kind"] == "email")
    assert emails == ["prospect:C-3:touch:1", "task:T-4:reminder:2"]
    calls = sorted((a["client_id"], a["rule"]) for a in report["actions"] if a["kind"] == "call")
    assert calls == [("C-2", "checkin"), ("C-4", "checkin")]  # tier A call; Do Not Email -> call
    assert report["emails_drafted"] == 2 and report["emails_sent"] == 0 and report["emails_skipped"] == 1
    assert sorted(p.name for p in outbox.iterdir()) == [
        "digest_maria@agency.example_2026-11-23.eml", "digest_tom@agency.example_2026-11-23.eml",
        "prospect_C-3_touch_1.eml", "task_T-4_reminder_2.eml"]
    assert column(book, "Touches", "Ref")[-2:] == ["task:T-4:reminder:2", "prospect:C-3:touch:1"]
    # reminder 2 is a draft in the outbox until a person sends it: still the next step
    assert [as_date(d) for d in column(book, "Tasks", "Next Reminder")] == [D(2026, 11, 20)]
    assert column(book, "Tasks", "Reminders Sent") == [1]
    assert column(book, "Clients", "Touches") == [1, 1, 1, 1]  # the two drafts are not touches yet
    assert column(book, "Clients", "Next Action")[1] == "Call: check-in (tier A)"
    assert [as_date(d) for d in column(book, "Clients", "Last Touch")] == [
        D(2026, 11, 13), D(2026, 9, 20), D(2026, 11, 18), D(2026, 8, 1)]

    before = digest(book)
    code, out, _ = run("sync", str(book), "--today", MON, "--outbox", str(outbox), "--json")
    again = json.loads(out)
    assert (code, again["emails_drafted"], again["rows_updated"]) == (0, 0, 0)
    assert digest(book) == before


def test_dry_run_prints_reasons_and_leaves_the_file_alone(tmp_path):
    book = agency(tmp_path / "clients.xlsx")
    before = digest(book)
    code, out, _ = run("sync", str(book), "--today", MON, "--dry-run", "--outbox", str(tmp_path / "out"))
    assert code == 0
    assert "Task T-4: 2nd reminder, opened 10 days ago, $3,323, due Tue 1 Dec" in out
    assert "Dry run" in out
    assert digest(book) == before and not (tmp_path / "out").exists()


def test_due_lists_each_owners_calls_without_changing_anything(tmp_path):
    book = agency(tmp_path / "clients.xlsx")
    before = digest(book)
    code, out, _ = run("due", str(book), "--today", MON, "--owner", "tom@agency.example", "--json")
    assert code == 0
    report = json.loads(out)
    assert list(report["owners"]) == ["tom@agency.example"]
    assert [(a["client_id"], a["kind"]) for a in report["actions"]] == [("C-3", "email"), ("C-4", "call")]
    code, out, _ = run("due", str(book), "--today", MON)
    assert code == 0 and "maria@agency.example" in out and "555-0102" in out
    assert digest(book) == before


def test_check_lists_every_bad_cell_and_exits_1(tmp_path):
    clients = [
        ["C-1", "Good", "", "good@example.com", "", "maria@agency.example", "A", "Active", D(2024, 1, 1), None, None, ""],
        ["C-2", "Typo", "", "jane.doe@@example.com", "", "maria@agency.example", "A", "Active", None, None, None, ""],
        ["C-3", "Odd", "", "odd@example.com", "", "maria@agency.example", "A", "Actve", None, None, None, ""],
        ["C-4", "When", "", "when@example.com", "", "maria@agency.example", "A", "Active", "31/31/2026", None, None, ""],
        ["C-5", "Vague", "", "v@example.com", "", "maria@agency.example", "A", "Active", "12/1", None, None, ""],
        ["C-1", "Twin", "", "twin@example.com", "", "maria@agency.example", "A", "Active", None, None, None, ""],
    ]
    book = write_workbook(tmp_path / "bad.xlsx", {
        "Clients": [CLIENT_HEADER, *clients],
        "Tasks": [TASK_HEADER, ["T-1", "C-9", "Payment", "", 10, None, D(2026, 11, 1), "Open", None]],
        "Touches": [TOUCH_HEADER],
    })
    code, out, _ = run("check", str(book), "--json")
    assert code == 1
    cells = [f"{p['sheet']}!{p['cell']}" for p in json.loads(out)["problems"]]
    assert cells == ["Clients!A2", "Clients!D3", "Clients!H4", "Clients!I5", "Clients!I6", "Clients!A7", "Tasks!B2"]
    code, out, _ = run("check", str(book))
    assert code == 1 and "Clients!D3" in out and "not a valid email address" in out
    # check, due and sync write a problem as the same object
    for command in (["check"], ["due", "--today", MON], ["sync", "--dry-run", "--today", MON]):
        code, out, _ = run(*command[:1], str(book), *command[1:], "--json")
        typo = [p for p in json.loads(out)["problems"] if p["cell"] == "D3"]
        assert code == 1 and len(typo) == 1, command
        assert list(typo[0]) == ["sheet", "cell", "message"] and typo[0]["sheet"] == "Clients", command
        assert "not a valid email address" in typo[0]["message"], command


def test_dates_in_every_form_are_read(tmp_path):
    # Three tasks, all due 1 Dec 2026 and opened 13 Nov, typed three ways; all get the same plan.
    rows = [[f"T-{i}", "C-1", "Payment", "", 100, due, opened, "Open", None]
            for i, (due, opened) in enumerate([(D(2026, 12, 1), D(2026, 11, 13)), ("12/1/2026", "11/13/2026"),
                                               ("1 Dec 2026", "2026-11-13")], start=1)]
    clients = [["C-1", "Bob", "", "bob@example.com", "", "m@agency.example", "C", "Active", None, None, None, ""]]
    for name, kw in (("dates.xlsx", {}), ("serials.xlsx", {"serial_dates": True}), ("mac.xlsx", {"epoch_1904": True})):
        book = write_workbook(tmp_path / name, {"Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER, *rows],
                                                "Touches": [TOUCH_HEADER]}, **kw)
        code, out, _ = run("due", str(book), "--today", "2026-11-20", "--json")
        assert code == 0, out
        due = {a["task_id"]: a["reason"] for a in json.loads(out)["actions"] if a["task_id"]}
        assert due == {f"T-{i}": f"Task T-{i}: first payment request, $100, due Tue 1 Dec" for i in (1, 2, 3)}, name


@pytest.mark.parametrize("content, what", [
    (b"just some text", "not"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password"),
])
def test_a_file_that_is_not_a_workbook_gets_exit_3_and_one_line(tmp_path, content, what):
    book = tmp_path / "clients.xlsx"
    book.write_bytes(content)
    code, out, err = run("sync", str(book), "--today", MON)
    assert code == 3
    assert err.count("\n") == 1 and err.startswith("Error: ") and "Traceback" not in err
    assert what in err.lower()
    assert book.read_bytes() == content


def test_a_truncated_workbook_gets_exit_3_and_is_left_unchanged(tmp_path):
    good = agency(tmp_path / "good.xlsx")
    book = tmp_path / "clients.xlsx"
    book.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    before = book.read_bytes()
    code, _, err = run("sync", str(book), "--today", MON)
    assert code == 3 and err.startswith("Error: ") and err.count("\n") == 1
    assert book.read_bytes() == before


def test_a_missing_file_gets_exit_3(tmp_path):
    code, _, err = run("check", str(tmp_path / "nope.xlsx"))
    assert code == 3 and "nope.xlsx" in err


def test_a_missing_sheet_or_column_is_one_clear_error_exit_2(tmp_path):
    book = write_workbook(tmp_path / "c.xlsx", {"Clients": [CLIENT_HEADER[:7]], "Tasks": [TASK_HEADER], "Touches": [TOUCH_HEADER]})
    code, _, err = run("check", str(book))
    assert code == 2 and err == (
        "Error: Clients: missing column 'Status': add it to the header row (within the first 20 rows) "
        "or map it in the config file under [layout.clients.columns]\n")
    book = write_workbook(tmp_path / "d.xlsx", {"Clients": [CLIENT_HEADER], "Touches": [TOUCH_HEADER]})
    code, _, err = run("check", str(book))
    assert code == 2 and "no sheet named 'Tasks'" in err


def test_init_creates_a_workbook_that_syncs_and_refuses_to_overwrite(tmp_path):
    book = tmp_path / "new.xlsx"
    code, out, _ = run("init", str(book))
    assert code == 0 and book.exists()
    code, _, err = run("init", str(book))
    assert code == 2 and "already exists" in err
    code, out, _ = run("sync", str(book), "--json", "--outbox", str(tmp_path / "o"), "--today", MON)
    assert code == 0 and json.loads(out)["emails_drafted"] == 0


def test_the_sample_shows_due_overdue_and_bad_cells(tmp_path):
    book = tmp_path / "sample.xlsx"
    assert run("init", str(book), "--sample", "--today", MON)[0] == 0
    code, out, _ = run("sync", str(book), "--today", MON, "--json", "--outbox", str(tmp_path / "o"))
    assert code == 1  # the sample has a few bad cells on purpose
    report = json.loads(out)
    rules = {a["rule"] for a in report["actions"]}
    assert {"task-reminder", "task-escalate", "prospect", "checkin"} <= rules
    assert report["emails_drafted"] >= 3 and len(report["problems"]) >= 5
    with zipfile.ZipFile(book) as z:
        assert z.testzip() is None


def test_two_workbooks_in_one_folder_keep_their_own_journal_lock_and_outbox(tmp_path):
    # Both books have a T-4 and a C-3, so the same email keys: nothing may be shared.
    first, second = agency(tmp_path / "north.xlsx"), agency(tmp_path / "south.xlsx")
    assert run("sync", str(first), "--today", MON)[0] == 0
    code, out, err = run("sync", str(second), "--today", MON, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["emails_drafted"] == 2  # not skipped as "already sent" by north's journal
    for book in (first, second):
        assert column(book, "Touches", "Ref")[-2:] == ["task:T-4:reminder:2", "prospect:C-3:touch:1"]
        assert (tmp_path / "outbox" / book.stem / "task_T-4_reminder_2.eml").is_file()
        assert (tmp_path / ".sheets-sync" / book.name / "journal.sqlite3").is_file()
