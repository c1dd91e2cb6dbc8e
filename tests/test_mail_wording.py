"""Mail that reads like a person wrote it (issue 20 item 7): descriptions typed every which way
stand on their own labelled line instead of being pasted into a sentence, subjects start with a
capital, the first prospect email assumes no quote the sheet does not show, the digest names
the sheets by their real titles, dates carry the year when it is not this one, "overdue since"
is the day after the due date, and a client nobody touched is "never touched". Every check is
worked out by hand and read back from the outbox's .eml files or due --json."""

from __future__ import annotations

import email
import json
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from workbooks import TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli

TODAY = "2026-11-23"  # Monday
DUE = D(2026, 12, 1)  # "Tuesday 1 December 2026" in the emails
OWNER = "tom@agency.example"
LONG = ("Renewal paperwork for the commercial property policy, including the updated schedule of locations, "
        "the statement of values for each building, the loss runs for the last five years and the signed "
        "application with the new sprinkler certificates attached")
# (Task ID, Type, Description as typed, Amount) -> (Subject, the description's own line)
TASKS: list[tuple[str, str, str, float | None, str, str]] = [
    ("T-1", "Signature", "Signed renewal application", None,
     "Your signature is needed: Signed renewal application", "Document: Signed renewal application"),
    ("T-2", "Quote", "Home & auto bundle quote", 1240,
     "Your quote: Home & auto bundle quote", "Quote: Home & auto bundle quote"),
    ("T-3", "Paperwork", "proof of address", None,
     "Paperwork we need: proof of address", "What we need: proof of address"),
    ("T-4", "Payment", "ANNUAL PREMIUM", 3323,
     "Payment of $3,323 due Tuesday 1 December 2026", "Reference: ANNUAL PREMIUM"),
    ("T-5", "Other", "please update your beneficiary.", None,
     "Please update your beneficiary", "About: please update your beneficiary"),
    ("T-6", "Signature", 'the "Gold" plan form', None,
     'Your signature is needed: the "Gold" plan form', 'Document: the "Gold" plan form'),
    ("T-7", "Paperwork", "Bank statement\r\nlast 3 months.", None,
     "Paperwork we need: Bank statement last 3 months", "What we need: Bank statement last 3 months"),
    ("T-8", "Other", LONG, None, "", f"About: {LONG}"),
]
CLIENT_HEADER = ["Client ID", "Name", "Email", "Phone", "Owner", "Tier", "Status", "Client Since", "Notes"]


def clients() -> list[list[Any]]:
    rows = [[f"C-{n}", f"Client {n}", f"c{n}@example.com", f"555-01{n:02d}", OWNER, "C", "Active",
             D(2024, 1, 1), ""] for n in range(1, len(TASKS) + 1)]
    rows += [
        # prospects whose first contact (Client Since) was Thu 19 Nov: touch 1 is due today
        ["C-20", "Pia Quinn", "pia@example.com", "555-0120", OWNER, "B", "Prospect", D(2026, 11, 19), ""],
        ["C-21", "Ravi Shah", "ravi@example.com", "555-0121", OWNER, "B", "Prospect", D(2026, 11, 19),
         "Quoted a home policy on the phone"],
        ["C-22", "Sue Park", "sue@example.com", "555-0122", OWNER, "B", "Quoted", D(2026, 11, 19), ""],
        # a tier A client nobody ever touched, client for 550 days: at risk, a check-in call
        ["C-30", "Nora Never", "nora@example.com", "555-0130", OWNER, "A", "Active", D(2025, 5, 22), ""],
        # a tier A client last touched 40 days ago
        ["C-31", "Otto Quiet", "otto@example.com", "555-0131", OWNER, "A", "Active", D(2024, 1, 1), ""],
        # a client with a payment due on Sun 6 Mar 2022, never closed
        ["C-40", "Olga Old", "olga@example.com", "555-0140", OWNER, "C", "Active", D(2021, 1, 4), ""],
    ]
    return rows


def workbook(path: Path, touches_title: str = "Touch Log") -> Path:
    tasks = [[tid, f"C-{n}", kind, text, amount, DUE, D(2026, 11, 23), "Open", None]
             for n, (tid, kind, text, amount, _, _) in enumerate(TASKS, start=1)]
    tasks.append(["T-40", "C-40", "Payment", "Old balance", 80, D(2022, 3, 6), D(2022, 2, 1), "Open", None])
    touches = [TOUCH_HEADER, [D(2026, 10, 14), "C-31", None, "Call", "Out", "tom", "chat", None],
               [D(2026, 11, 2), "C-40", None, "Call", "Out", "tom", "chat", None]]
    touches += [[D(2026, 11, 2), f"C-{n}", None, "Call", "Out", "tom", "chat", None] for n in range(1, len(TASKS) + 1)]
    return write_workbook(path, {"Clients": [CLIENT_HEADER, *clients()], "Tasks": [TASK_HEADER, *tasks],
                                 touches_title: touches,
                                 "Settings": [["Setting", "Value"], ["Business name", "Harbor Lane"]]})


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EmailMessage]:
    folder = tmp_path_factory.mktemp("wording")
    path = workbook(folder / "book.xlsx")
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", TODAY, "--outbox", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for p in (folder / "out").glob("*.eml")}


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def first_request(synced: dict[str, EmailMessage], task_id: str) -> EmailMessage:
    return synced[f"task_{task_id}_reminder_1.eml"]


@pytest.mark.parametrize(("task_id", "subject", "line"), [(t[0], t[4], t[5]) for t in TASKS], ids=[t[0] for t in TASKS])
def test_a_description_stands_on_its_own_line_and_the_subject_reads_well(
        synced: dict[str, EmailMessage], task_id: str, subject: str, line: str) -> None:
    message = first_request(synced, task_id)
    text = body(message)
    assert line in text.splitlines()
    assert message["Subject"][0].isupper()
    if subject:
        assert message["Subject"] == subject
    else:  # the long one: cut at a word within 150 characters
        assert len(message["Subject"]) <= 150 and message["Subject"].endswith("…")
        assert message["Subject"].startswith("Renewal paperwork for the commercial property policy")
    # the description is never pasted into the sentence above it
    sentence = text.split("\n\n")[1]
    assert line.split(": ", 1)[1] not in sentence, sentence


def test_the_old_pasted_sentences_are_gone(synced: dict[str, EmailMessage]) -> None:
    everything = "\n".join(body(m) for m in synced.values())
    assert "signature on Signed renewal application" not in everything
    assert "quote for Home & auto bundle quote" not in everything
    signature = body(first_request(synced, "T-1"))
    assert "We need your signature on the document below by Tuesday 1 December 2026." in signature
    quote = body(first_request(synced, "T-2"))
    assert ("Thank you for asking us for a quote. Here it is, for reference:\n\nQuote: Home & auto bundle quote\n"
            "Amount: $1,240\nValid until: Tuesday 1 December 2026\n") in quote


def test_the_first_prospect_email_mentions_a_quote_only_when_the_sheet_shows_one(
        synced: dict[str, EmailMessage]) -> None:
    cold = synced["prospect_C-20_touch_1.eml"]
    assert cold["Subject"] == "Following up from Harbor Lane"
    assert "quote" not in body(cold).lower()
    assert "Thank you for your interest in Harbor Lane." in body(cold)
    for client_id in ("C-21", "C-22"):  # Notes: "Quoted a home policy on the phone"; Status typed "Quoted"
        quoted = synced[f"prospect_{client_id}_touch_1.eml"]
        assert quoted["Subject"] == "Your quote from Harbor Lane"
        assert "make sure the quote arrived" in body(quoted)


def test_every_subject_starts_with_a_capital(synced: dict[str, EmailMessage]) -> None:
    subjects = [m["Subject"] for m in synced.values()]
    assert subjects and all(re.match(r"[A-Z]", s) for s in subjects), subjects


def test_the_digest_names_the_real_sheet_and_says_never_touched(synced: dict[str, EmailMessage]) -> None:
    digest = body(synced[f"digest_{OWNER}_2026-11-23.eml"])
    assert "log it on the Touch Log sheet (Channel: Call)" in digest
    assert "- Nora Never (tier A), 555-0130: never touched\n" in digest
    assert "- Otto Quiet (tier A), 555-0131: 40 days without a touch\n" in digest
    assert "Client C-30: tier A check-in every 30 days; never touched" in digest
    assert "550 days ago" not in digest
    assert "Client C-31: tier A check-in every 30 days; last touch 40 days ago" in digest


def test_dates_carry_the_year_when_not_this_one_and_overdue_since_is_the_day_after(tmp_path: Path) -> None:
    path = workbook(tmp_path / "book.xlsx", "Touches")
    due = json.loads(CliRunner().invoke(cli, ["due", str(path), "--today", TODAY, "--json"]).stdout)
    reasons = {a["client_id"]: a["reason"] for a in due["actions"] if a["rule"] == "task-escalate"}
    # due Sun 6 Mar 2022: overdue from Mon 7 Mar 2022, a day of another year, so with its year
    assert reasons["C-40"] == "Task T-40: overdue since Mon 7 Mar 2022, $80, 0 reminders sent: call the client"
    first = {a["task_id"]: a["reason"] for a in due["actions"] if a["rule"] == "task-reminder"}
    assert first["T-4"] == "Task T-4: first payment request, $3,323, due Tue 1 Dec"  # this year: no year
