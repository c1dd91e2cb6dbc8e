"""IMAP ``AUTHENTICATE XOAUTH2`` (issue 18 item 4) through imapclient against a small IMAP
server that answers as Gmail and Microsoft 365 do (tests/fake_imap.py), with tokens from the
``command`` provider (a script printing tok-1, tok-2... on each run)."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_imap import FakeImap
from token_command import calls, token_argv

from sheets_sync.errors import SignInError
from sheets_sync.signin.imap import xoauth2_login
from sheets_sync.signin.settings import OAuthSettings

IMAPClient = pytest.importorskip("imapclient").IMAPClient  # the mailbox's dependency (issue 17)

USER = "office@harbor.example"
@pytest.fixture
def imap() -> Iterator[FakeImap]:
    server = FakeImap(USER, set())
    yield server
    server.stop()


def settings(tmp_path: Path) -> OAuthSettings:
    return OAuthSettings(provider="command", user=USER, command=token_argv(tmp_path),
                         source="clients.xlsx", timeout=10)


def client(imap: FakeImap) -> IMAPClient:
    return IMAPClient("127.0.0.1", port=imap.port, ssl=False, timeout=5)


def test_the_mailbox_signs_in_with_the_token(tmp_path, imap):
    imap.tokens.add("tok-1")
    connection = client(imap)
    xoauth2_login(connection, settings(tmp_path))
    connection.noop()
    connection.logout()
    assert imap.logins == ["tok-1"] and imap.refused == []


def test_an_expired_token_is_renewed_once(tmp_path, imap):
    imap.tokens.add("tok-2")  # tok-1 (the cached one) has expired
    connection = client(imap)
    xoauth2_login(connection, settings(tmp_path))
    connection.logout()
    assert imap.logins == ["tok-2"] and len(imap.refused) == 1
    assert calls(tmp_path) == 2


def test_a_second_refusal_says_sign_in_again_without_the_token(tmp_path, imap):
    connection = client(imap)
    with pytest.raises(SignInError) as caught:
        xoauth2_login(connection, settings(tmp_path))
    connection.logout()
    message = str(caught.value)
    assert message.startswith(f"the mailbox refused the OAuth 2.0 sign-in for {USER} (")
    assert message.endswith("then sign in again: sheets-sync login clients.xlsx")
    assert "tok-" not in message and len(imap.refused) == 2
    assert shlex.split(message)  # one line a shell could quote


def test_the_mailbox_reader_uses_the_smtp_sign_in(tmp_path, imap):
    from sheets_sync.config import Config
    from sheets_sync.mail.imap import connect, resolve_imap_settings

    imap.tokens.add("tok-1")
    command = settings(tmp_path).command
    environ = {"SHEETS_SYNC_IMAP_HOST": "127.0.0.1", "SHEETS_SYNC_IMAP_PORT": str(imap.port),
               "SHEETS_SYNC_IMAP_SECURITY": "none", "SHEETS_SYNC_SMTP_USER": USER, "SHEETS_SYNC_SMTP_AUTH": "oauth2",
               "SHEETS_SYNC_SMTP_OAUTH2": "command", "SHEETS_SYNC_SMTP_OAUTH2_COMMAND": shlex.join(command)}
    found = resolve_imap_settings(Config(), environ)  # no password anywhere: not needed
    assert found is not None and found.password == "" and found.oauth2 is not None
    connection = connect(found)
    connection.noop()
    connection.logout()
    assert imap.logins == ["tok-1"]
    with pytest.raises(SignInError, match="sign in again: sheets-sync login"):
        imap.tokens.clear()
        connect(found)
