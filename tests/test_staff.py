"""The Staff sheet: owners as people. Emails and digests carry the name, phone, job title and
signature a person typed (not a name guessed from the address), owners match it whatever
their capitals, bad cells are reported at their cell, and a book without it keeps working.
Both backends; the emails are read back from the outbox's .eml files."""

from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from fake_sheets_api import FakeSheetsAPI
from workbooks import TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli

TODAY = "2026-11-23"  # a Monday
HEADER = ["Client ID", "Name", "Email", "Phone", "Owner", "Tier", "Status", "Client Since"]
STAFF_HEADER = ["Email", "Name", "Phone", "Job title", "Signature"]


def content(staff: list[list[Any]] | None) -> dict[str, list[list[Any]]]:
    """Tom owns a client with a payment due (Owner typed in capitals) and a quiet tier A client
    (a call, so a digest); Sam owns a client due a check-in email."""
    sheets: dict[str, list[list[Any]]] = {
        "Clients": [HEADER,
                    ["C-1", "Harold Whitaker", "harold@example.com", "555-0201", "Tom.ONeill@Agency.example", "B",
                     "Active", D(2024, 1, 5)],
                    ["C-2", "Ann Ash", "ann@example.com", "555-0202", "tom.oneill@agency.example", "A", "Active",
                     D(2023, 5, 1)],
                    ["C-3", "Cy Cole", "cy@example.com", "555-0203", "sam.lee@agency.example", "C", "Active",
                     D(2023, 5, 1)]],
        "Tasks": [TASK_HEADER, ["T-1", "C-1", "Payment", "Home policy balance", 3323, D(2026, 12, 1),
                                D(2026, 11, 23), "Open", None]],
        "Touches": [TOUCH_HEADER,
                    [D(2026, 9, 1), "C-1", None, "Call", "Out", "tom", "chat", None],
                    [D(2026, 9, 1), "C-2", None, "Call", "Out", "tom", "chat", None],
                    [D(2026, 6, 1), "C-3", None, "Call", "Out", "sam", "chat", None]],
    }
    if staff is not None:
        sheets["Staff"] = [STAFF_HEADER, *staff]
    return sheets


TOM = ["TOM.ONEILL@agency.example", "Tom O'Neill", "(207) 555-0102", "Senior Agent", None]
SAM = ["sam.lee@agency.example", "Samantha Lee", None, None, "Sam Lee\r\nClient Services\r\nHarbor Lane Insurance"]


def outbox(folder: Path) -> dict[str, EmailMessage]:
    """File name -> message, for each .eml file the sync wrote."""
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for p in sorted(folder.glob("*.eml"))}


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def sync(source: str, out: Path, code: int = 0) -> dict[str, EmailMessage]:
    result = CliRunner().invoke(cli, ["sync", source, "--today", TODAY, "--outbox", str(out), "--json"])
    assert result.exit_code == code, result.output
    return outbox(out)


def signed(text: str) -> list[str]:
    """The lines after 'Kind regards,', up to the first blank line (a footer may follow)."""
    return text.split("Kind regards,\n", 1)[1].split("\n\n", 1)[0].strip("\n").split("\n")


def test_emails_and_digests_carry_the_staff_sheet_names_phone_title_and_signature(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", content([TOM, SAM]))
    mail = sync(str(path), tmp_path / "out")
    payment = body(mail["task_T-1_reminder_1.eml"])
    # owner.phone is filled; the sign-off is name, job title, phone (no Business name set)
    assert "just reply to this email or call Tom O'Neill on (207) 555-0102." in payment
    assert signed(payment) == ["Tom O'Neill", "Senior Agent", "(207) 555-0102"]
    # a typed signature replaces the built sign-off, line by line (typed with CR LF)
    checkin = body(mail["checkin_C-3_2026-11-23.eml"])
    assert signed(checkin) == ["Sam Lee", "Client Services", "Harbor Lane Insurance"]
    # one digest for Tom whatever the capitals, addressed to his name, greeting him by it
    digests = [m for name, m in mail.items() if name.startswith("digest_")]
    assert [getaddresses([m["To"]]) for m in digests] == [[("Tom O'Neill", "tom.oneill@agency.example")]]
    assert body(digests[0]).startswith("Good morning Tom,\n")


def test_a_book_without_a_staff_sheet_keeps_working_with_guessed_names(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", content(None))
    mail = sync(str(path), tmp_path / "out")
    payment = body(mail["task_T-1_reminder_1.eml"])
    assert "call Tom Oneill." in payment and signed(payment) == ["Tom Oneill"]
    digest = mail["digest_tom.oneill@agency.example_2026-11-23.eml"]
    assert getaddresses([digest["To"]]) == [("Tom Oneill", "tom.oneill@agency.example")]


def test_a_blank_name_falls_back_to_the_guess_and_check_says_where(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", content([["tom.oneill@agency.example", None, "555-0100"], SAM]))
    mail = sync(str(path), tmp_path / "out")
    assert signed(body(mail["task_T-1_reminder_1.eml"])) == ["Tom Oneill", "555-0100"]


def test_bad_staff_cells_are_reported_at_their_cell_and_the_row_is_not_used(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", content([
        ["tom.oneill@@agency", "Tom Typo"],  # A2: not an address
        [None, "Nobody", "555-0000"],  # A3: no Email
        TOM,  # row 4: used
        ["Tom.ONeill@agency.example", "Tom Twice"],  # A5: Tom again (capitals aside)
        ["sam.lee@agency.example", "Sam\nLee", None, "Client\nServices"],  # B6, D6: one line each
    ]))
    result = CliRunner().invoke(cli, ["check", str(path), "--json"])
    found = {f"{p['sheet']}!{p['cell']}": p["message"] for p in json.loads(result.stdout)["problems"]}
    assert result.exit_code == 1
    assert "not a valid email address" in found["Staff!A2"]
    assert found["Staff!A3"].startswith("Email is blank: type this person's address")
    assert found["Staff!A5"] == ("tom.oneill@agency.example is also on row 4: keep one row per person "
                                 "(row 4 is used)")
    assert found["Staff!B6"].startswith("the name runs over several lines: keep it on one line")
    assert found["Staff!D6"].startswith("the job title runs over several lines")
    mail = sync(str(path), tmp_path / "out", code=1)  # 1: the bad cells
    assert signed(body(mail["task_T-1_reminder_1.eml"])) == ["Tom O'Neill", "Senior Agent", "(207) 555-0102"]
    assert signed(body(mail["checkin_C-3_2026-11-23.eml"])) == ["Sam Lee", "Client Services"]


def test_google_reads_the_staff_sheet_as_excel_does(api: FakeSheetsAPI, tmp_path: Path) -> None:
    sheets = content([TOM, SAM])
    path = write_workbook(tmp_path / "book.xlsx", sheets)
    key = api.add_spreadsheet("book.xlsx", sheets)
    on_excel = sync(str(path), tmp_path / "out-x")
    on_google = sync(f"gsheet:{key}", tmp_path / "out-g")
    assert sorted(on_excel) == sorted(on_google)
    for name in on_excel:
        assert body(on_excel[name]) == body(on_google[name]), name
        assert on_excel[name]["To"] == on_google[name]["To"], name
    assert signed(body(on_google["checkin_C-3_2026-11-23.eml"])) == ["Sam Lee", "Client Services",
                                                                      "Harbor Lane Insurance"]


def test_init_into_adds_a_staff_sheet_listing_the_owners_to_name(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", content(None))
    result = CliRunner().invoke(cli, ["init", "--into", str(path)])
    assert result.exit_code == 0, result.output
    assert "Staff" in result.output
    rows = [list(r) for r in openpyxl.load_workbook(path)["Staff"].iter_rows(values_only=True)]
    assert rows[0] == STAFF_HEADER
    # each owner once, in lower case, the rest for a person to type
    assert [r[0] for r in rows[1:]] == ["sam.lee@agency.example", "tom.oneill@agency.example"]
    assert all(v is None for r in rows[1:] for v in r[1:])


def test_google_init_into_adds_the_staff_sheet_too(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Ours", content(None))
    result = CliRunner().invoke(cli, ["init", "--google-key", key])
    assert result.exit_code == 0, result.output
    staff = api.values(key, "Staff")
    assert staff[0] == STAFF_HEADER
    assert [r[0] for r in staff[1:]] == ["sam.lee@agency.example", "tom.oneill@agency.example"]


def test_the_sample_has_a_staff_sheet_and_its_emails_are_signed_by_people(tmp_path: Path) -> None:
    path = tmp_path / "sample.xlsx"
    assert CliRunner().invoke(cli, ["init", str(path), "--sample", "--today", TODAY]).exit_code == 0
    rows = [list(r) for r in openpyxl.load_workbook(path)["Staff"].iter_rows(values_only=True)]
    assert rows[0] == STAFF_HEADER
    assert {r[0]: r[1] for r in rows[1:]} == {"maria@harborlane.example": "Maria Alvarez",
                                              "james@harborlane.example": "James O'Neill",
                                              "priya@harborlane.example": "Priya Raman"}
    CliRunner().invoke(cli, ["sync", str(path), "--today", TODAY, "--outbox", str(tmp_path / "out")])
    mail = outbox(tmp_path / "out")
    names = {getaddresses([m["To"]])[0][0] for n, m in mail.items() if n.startswith("digest_")}
    assert names == {"Maria Alvarez", "James O'Neill", "Priya Raman"}
    # the $3,323 balance: Maria's phone in the sentence and her sign-off with the agency
    payment = body(next(m for n, m in mail.items() if n.startswith("task_T-0011_")))
    assert "call Maria Alvarez on (207) 555-0101." in payment
    assert signed(payment) == ["Maria Alvarez", "Account Manager", "Harbor Lane Insurance", "(207) 555-0101"]
