"""The .eml files of the outbox: standard messages any mail program reads back exactly."""

from __future__ import annotations

import email
import email.policy

from sheets_sync.mail.message import Message
from sheets_sync.mail.outbox import OutboxMailer


def read_back(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def test_writing_a_message_again_replaces_its_file(tmp_path):
    mailer = OutboxMailer(tmp_path)
    first = Message("task:T-1:final", "a@example.com", "Final notice", "one\n")
    mailer.deliver([first])
    mailer.deliver([Message("task:T-1:final", "a@example.com", "Final notice", "two\n")])
    [path] = list(tmp_path.iterdir())
    assert path.name == "task_T-1_final.eml"
    assert read_back(path.read_bytes()).get_content() == "two\n"
