"""The mailbox reader leaves the mailbox as it found it (issue 17 item 1): after ``inbox`` and
``sync`` have read a reply, a bounce and a message from nobody we know, a fresh IMAP session
sees every message still there and still unread (no \\Seen, \\Deleted or moved message)."""

from __future__ import annotations

from pathlib import Path

import pytest
from imap_server import PASSWORD, USER, available
from inbound_mail import postfix_bounce, reply
from test_inbox import MON, TUE, dovecot, run, simple_book, use  # noqa: F401 (dovecot is the fixture)

pytestmark = pytest.mark.skipif(not available(), reason="Dovecot (dovecot-imapd) is not installed")


def test_reading_marks_nothing_read_and_moves_or_deletes_nothing(tmp_path: Path, dovecot,  # noqa: F811
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from imapclient import IMAPClient

    book = simple_book(tmp_path / "clients.xlsx")
    use(monkeypatch, dovecot.env())
    dovecot.deliver(reply("Ann Active <ann@example.com>", "Re: Balance", "Paid.", MON))
    dovecot.deliver(reply("Someone Else <someone@elsewhere.example>", "Hello", "Who are you?", MON))
    dovecot.deliver(postfix_bounce("ann@example.com", "<x@agency.example>", MON))
    assert run("inbox", str(book), "--today", TUE.isoformat())[0] == 0
    assert run("sync", str(book), "--today", TUE.isoformat())[0] in (0, 1)

    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=10)
    client.login(USER, PASSWORD)
    client.select_folder("INBOX", readonly=True)
    flags = client.get_flags(client.search(["ALL"]))
    assert len(flags) == 3
    assert all(b"\\Seen" not in f and b"\\Deleted" not in f for f in flags.values()), flags
    assert [name for _, _, name in client.list_folders()] == ["INBOX"]
    client.logout()
