"""A task description pasted whole into a subject (30,000 characters from a CRM) gives a
subject a mail program can show: cut at a word, with an ellipsis, every header line within
the 998 characters RFC 5322 allows."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

from click.testing import CliRunner
from workbooks import write_workbook

from sheets_sync.cli import cli
from sheets_sync.mail.render import SUBJECT_LIMIT, shorten

D = dt.date


def test_shorten_keeps_short_subjects_and_cuts_long_ones_at_a_word() -> None:
    assert shorten("Payment  due\tsoon") == "Payment due soon"
    long = "word " * 100
    cut = shorten(long)
    assert len(cut) <= SUBJECT_LIMIT and cut.endswith("word…")
    assert len(shorten("X" * 30000)) == SUBJECT_LIMIT


def test_a_huge_description_makes_a_readable_subject(tmp_path: Path) -> None:
    path = tmp_path / "clients.xlsx"
    write_workbook(path, {
        "Clients": [["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since"],
                    ["C-1", "Ann Lee", "ann@example.com", "sam@agency.example", "B", "Active", D(2024, 1, 1)]],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"],
                  ["T-1", "C-1", "Paperwork", "signed form " * 3000, None, D(2026, 12, 20), D(2026, 11, 23), "Open"]],
        "Touches": [["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"]],
    })
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output
    eml = path.parent / "outbox" / "clients" / "task_T-1_reminder_1.eml"
    raw = eml.read_bytes()
    assert max(len(line) for line in raw.splitlines() if not line.startswith(b" ")) <= 998
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert len(message["Subject"]) <= SUBJECT_LIMIT and message["Subject"].endswith("…")
