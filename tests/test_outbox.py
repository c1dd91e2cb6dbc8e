"""The .eml files of the outbox: standard messages any mail program reads back exactly."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from sheets_sync.message import Message
from sheets_sync.outbox import OutboxMailer, build_email

WHEN = dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)


def read_back(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def test_non_ascii_names_subject_and_body_round_trip():
    body = "Bonjour Zoë,\n\nVotre solde de 3 323,00 € est dû.\n" + "x" * 1200 + "\n"
    message = Message("task:T-1:reminder:2", "zoe@example.com", "Règlement — facture n°12 " * 4, body,
                      "<p>Bonjour Zoë</p>\n", to_name="Zoë Ünal, Jr.")
    data = bytes(build_email(message, "Harbor Läne <office@bücher.example>", "Desk <desk@harbor.example>", WHEN))
    assert data.isascii() and max(len(line) for line in data.splitlines()) <= 998
    parsed = read_back(data)
    assert str(parsed["To"]) == '"Zoë Ünal, Jr." <zoe@example.com>'
    assert str(parsed["Subject"]) == message.subject.strip()
    assert str(parsed["From"]) == "Harbor Läne <office@xn--bcher-kva.example>"
    assert str(parsed["Reply-To"]) == "Desk <desk@harbor.example>"
    assert str(parsed["Message-ID"]).endswith("@xn--bcher-kva.example>")
    assert parsed["Date"].datetime == WHEN
    assert parsed["MIME-Version"] == "1.0" and parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content() == body
    assert parsed.get_body(("html",)).get_content() == message.html


def test_a_plain_ascii_message_is_one_readable_7bit_part():
    message = Message("checkin:C-1:2026-08-01", "bob@example.com", "Checking in", "Hi Bob,\nHow are things?\n")
    data = bytes(build_email(message, "", when=WHEN))
    parsed = read_back(data)
    assert parsed.get_content_type() == "text/plain" and parsed["Content-Transfer-Encoding"] == "7bit"
    assert b"Hi Bob,\nHow are things?\n" in data
    assert str(parsed["From"]) == "sheets-sync <sheets-sync@localhost>"
    assert parsed["X-Sheets-Sync-Key"] == "checkin:C-1:2026-08-01"


def test_writing_a_message_again_replaces_its_file(tmp_path):
    mailer = OutboxMailer(tmp_path)
    first = Message("task:T-1:final", "a@example.com", "Final notice", "one\n")
    mailer.deliver([first])
    mailer.deliver([Message("task:T-1:final", "a@example.com", "Final notice", "two\n")])
    [path] = list(tmp_path.iterdir())
    assert path.name == "task_T-1_final.eml"
    assert read_back(path.read_bytes()).get_content() == "two\n"
