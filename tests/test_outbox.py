"""The .eml files of the outbox: standard messages any mail program reads back exactly."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys

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


def test_a_few_drafts_are_written_without_starting_a_child_python(tmp_path):
    # in a fresh interpreter: starting the child that writes a big batch imports subprocess
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sheets_sync.mail.message import Message\n"
        "from sheets_sync.mail.outbox import OutboxMailer\n"
        "msgs = [Message(f'checkin:C-{i}:2026-11-23', 'a@example.com', 'Hi', 'text\\n') for i in range(300)]\n"
        "drafts = OutboxMailer(Path(sys.argv[1])).start(msgs)\n"
        "drafts.commit()\n"
        "print(len(list(Path(sys.argv[1]).glob('*.eml'))), 'subprocess' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.stdout.split() == ["300", "False"], done.stderr[-2000:]
