"""One shared suite, two backends: the same workbook content as an .xlsx file and as a Google
spreadsheet (on the local fake API) gives the same plan, the same emails and the same
written values, through the real command line."""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fake_sheets_api import FakeSheetsAPI
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.cli import cli
from sheets_sync.model.read import read_book
from sheets_sync.workbook import WorkbookData

TODAY = "2026-11-23"
NAME = "agency.xlsx"  # the Google spreadsheet gets the same title, so both are named alike

CONTENT: dict[str, list[list[Any]]] = {
    "Clients": [
        CLIENT_HEADER + ["Annual Value", "Touches", "Last Touch"],
        ["C-1", "Bob Roe", "", "bob@example.com", "555-0101", "maria@agency.example", "B", "Active",
         D(2024, 1, 5), None, None, "", 1200.5, 3, D(2026, 1, 2)],
        ["C-2", "Ann Ash", "Ash Ltd", "ann@example.com", "555-0102", "maria@agency.example", "A", "Active",
         D(2023, 5, 1), None, None, "likes golf", 9000],
        ["C-3", "Pat Lee", "", "pat@example.com", "555-0103", "tom@agency.example", "C", "Prospect",
         None, None, None, ""],
        ["C-4", "Dee Nope", "", "dee@example.com", "555-0104", "tom@agency.example", "B", "Active",
         "1/5/2024", None, "Yes", ""],
        [None, "@Newbie Smith", "", "new@example.com", "555-0105", "tom@agency.example", "B", "Active",
         D(2026, 11, 2), None, None, ""],
        ["C-6", "Eve Typo", "", "eve@example", "555-0106", "maria@agency.example", "B", "Active",
         "someday", None, None, ""],
        ["C-7", "Lou Left", "", "lou@example.com", "555-0107", "tom@agency.example", "A", "Lost",
         D(2022, 3, 1), D(2026, 6, 30), None, ""],
    ],
    "Tasks": [
        TASK_HEADER,
        ["T-4", "C-1", "Payment", "Auto policy balance", 3323, D(2026, 12, 1), D(2026, 11, 13), "Open", None],
        ["T-5", "C-2", "Signature", "Renewal form", None, D(2026, 11, 25), D(2026, 11, 2), "Open", None],
        ["T-6", "C-3", "Quote", "Home quote", 800, None, D(2026, 11, 18), "Done", D(2026, 11, 20)],
    ],
    "Touches": [
        TOUCH_HEADER,
        [D(2026, 11, 13), "C-1", "T-4", "Email", "Out", "sheets-sync", "Payment request", "task:T-4:reminder:1"],
        [D(2026, 9, 20), "C-2", None, "Call", "Out", "maria", "Renewal chat", None],
        [D(2026, 11, 18), "C-3", None, "Meeting", "Out", "tom", "Quote given", None],
        [D(2026, 8, 1), "C-4", None, "Call", "Out", "tom", "", None],
    ],
    "Settings": [["Setting", "Value"], ["Business name", "Harbor Lane Insurance"], ["Then every (days)", 3]],
}



def run(*args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    try:
        out = json.loads(result.stdout) if result.stdout.strip() else {}
    except ValueError:
        pytest.fail(f"not JSON: {result.stdout!r} {result.stderr!r}")
    return result.exit_code, out, result.stderr


def comparable(obj: dict[str, Any]) -> dict[str, Any]:
    """A JSON report without what names the place (outbox folder) rather than the content."""
    obj = dict(obj)
    obj.pop("mailer", None)
    obj["deliveries"] = [{k: v for k, v in d.items() if k != "detail"} for d in obj.get("deliveries", [])]
    return obj


def emails(folder: Path) -> dict[str, tuple[Any, ...]]:
    """file name -> (From, To, Subject, key, text, html) of each .eml in the outbox."""
    out = {}
    for path in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        out[path.name] = (msg["From"], msg["To"], msg["Subject"], msg["X-Sheets-Sync-Key"],
                          text.get_content() if text else None, html.get_content() if html else None)
    return out


def cell(value: Any) -> Any:
    """One cell as both backends can agree on: dates as serial numbers, '' as empty."""
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    if isinstance(value, dt.date):
        return (value - dt.date(1899, 12, 30)).days
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None if value == "" else value


def grids(data: WorkbookData) -> dict[str, list[list[Any]]]:
    out = {}
    for title, sheet in data.sheets.items():
        rows = [[cell(v) for v in row] for row in sheet.rows]
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        if title == "Sync Log":  # when each run started and took: the clock's, not the content's
            rows = [row[3:] for row in rows]
        out[title] = rows
    return out


def both(api: FakeSheetsAPI, tmp_path: Path) -> tuple[str, str, GoogleBackend, ExcelBackend]:
    path = write_workbook(tmp_path / NAME, CONTENT)
    key = api.add_spreadsheet(NAME, CONTENT)
    return str(path), f"gsheet:{key}", GoogleBackend(key), ExcelBackend(path)


def test_check_due_and_stats_say_the_same_on_both(api: FakeSheetsAPI, tmp_path: Path) -> None:
    excel, google, _, _ = both(api, tmp_path)
    code_x, check_x, _ = run("check", excel, "--json")
    code_g, check_g, _ = run("check", google, "--json")
    assert (code_x, check_x) == (code_g, check_g)
    assert code_x == 1 and any(p["cell"] == "D7" for p in check_x["problems"])  # eve@example
    due_x = run("due", excel, "--json", "--today", TODAY)
    due_g = run("due", google, "--json", "--today", TODAY)
    assert due_x == due_g
    assert due_x[1]
    stats_x = run("stats", excel, "--json", "--today", TODAY)
    stats_g = run("stats", google, "--json", "--today", TODAY)
    assert stats_x == stats_g
    assert stats_x[1]


def test_sync_gives_the_same_plan_emails_and_written_values(api: FakeSheetsAPI, tmp_path: Path) -> None:
    excel, google, google_backend, excel_backend = both(api, tmp_path)
    for attempt in ("first", "second"):
        code_x, sync_x, err_x = run("sync", excel, "--json", "--today", TODAY, "--outbox", str(tmp_path / "out-x"))
        code_g, sync_g, err_g = run("sync", google, "--json", "--today", TODAY, "--outbox", str(tmp_path / "out-g"))
        assert (code_x, err_x) == (code_g, err_g), attempt
        assert comparable(sync_x) == comparable(sync_g), attempt
        assert emails(tmp_path / "out-x") == emails(tmp_path / "out-g"), attempt
        assert grids(google_backend.read()) == grids(excel_backend.read()), attempt
    first_emails = emails(tmp_path / "out-x")
    assert first_emails and any("Harbor Lane Insurance" in (e[4] or "") for e in first_emails.values())
    written = read_book(google_backend.read())
    newbie = next(c for c in written.clients if c.name == "@Newbie Smith")
    assert newbie.client_id == "C-8" and newbie.row == 6  # the blank ID was filled, as text
    # reminder 2 of 23 Nov is a draft in the outbox: not a touch until someone sends it
    assert written.clients[0].touches == 1 and written.clients[0].last_touch == dt.date(2026, 11, 13)
    google_backend.close()


@pytest.mark.parametrize("n", [10, 2000])
def test_a_whole_sync_through_the_cli_makes_five_requests_at_most(api: FakeSheetsAPI, tmp_path: Path,
                                                                  n: int) -> None:
    # Most clients say Do Not Email, so the run stays quick (calls are not files to write).
    clients = [CLIENT_HEADER] + [
        [f"C-{i}", f"Client {i}", "", f"c{i}@example.com", "", "maria@agency.example", "ABC"[i % 3], "Active",
         D(2025, 1, 1) + dt.timedelta(days=i % 300), None, "Yes" if i > 5 else None, ""] for i in range(1, n + 1)]
    key = api.add_spreadsheet("Big", {"Clients": clients, "Tasks": [TASK_HEADER], "Touches": [TOUCH_HEADER]})
    code, report, err = run("sync", f"gsheet:{key}", "--json", "--today", TODAY, "--outbox", str(tmp_path / "out"))
    assert code == 0, err
    assert report["rows_updated"] == n and report["emails_drafted"] > 0
    assert api.api_requests() <= 5
    assert api.counts["token"] == 1


def test_the_inbox_reads_and_writes_the_same_on_both(api: FakeSheetsAPI, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from imap_server import Dovecot
    from inbound_mail import auto_reply, qmail_bounce, reply

    server = Dovecot()
    try:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        day = dt.date(2026, 11, 23)
        server.deliver(reply("Pat Lee <pat@example.com>", "Re: Home quote", "Let's talk Friday.", day))
        server.deliver(auto_reply("bob@example.com", "Payment", day, dt.date(2026, 12, 4), lang="fr"))
        server.deliver(qmail_bounce("ann@example.com", "<x@harbor.example>", day))
        server.deliver(reply("new@example.com", "unsubscribe", "", day))
        excel, google, google_backend, excel_backend = both(api, tmp_path)
        code_x, inbox_x, err_x = run("inbox", excel, "--json", "--today", "2026-11-24")
        code_g, inbox_g, err_g = run("inbox", google, "--json", "--today", "2026-11-24")
        assert (code_x, err_x) == (code_g, err_g) == (0, "")
        assert {k: v for k, v in inbox_x.items() if k != "source"} == {k: v for k, v in inbox_g.items() if k != "source"}
        assert [e["kind"] for e in inbox_x["inbox"]["events"]] == ["reply", "auto_reply", "bounce", "unsubscribe"]
        assert grids(google_backend.read()) == grids(excel_backend.read())
        written = read_book(google_backend.read())
        assert {c.client_id: c.email_status.split(" (")[0] for c in written.clients if c.email_status} == {
            "C-2": "Bounced 2026-11-23", "C-8": "Unsubscribed 2026-11-23"}
        google_backend.close()
    finally:
        server.stop(cleanup=True)
