"""A secret a server or a token command says back never reaches what we show: a token command
that prints the token on its error output, an SMTP server whose 535 holds the token or the
password, an IMAP server whose NO holds the password or the token (issue 18 item 6, issue 17).
The servers here are hostile on purpose: they echo what they were sent."""

from __future__ import annotations

import base64
import shlex
import socketserver
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import cli

TOKEN = "ya29.a0AfB_byC7kLx9QzT3pW2vN8sRmJ4hY6uE1oI5aS0dF"
PASSWORD = "Tr0ub4dor&3-horse-staple"
USER = "office@harbor.example"


class Echo:
    """A server on 127.0.0.1 that refuses every sign-in with a reply holding what it was sent:
    ``smtp`` speaks ESMTP (AUTH PLAIN / XOAUTH2), else IMAP (LOGIN / AUTHENTICATE XOAUTH2)."""

    def __init__(self, smtp: bool) -> None:
        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: str) -> None:
                self.wfile.write(line.encode("utf-8", "replace") + b"\r\n")
                self.wfile.flush()

            def said(self) -> str:
                line = self.rfile.readline()
                if not line:
                    raise ConnectionError
                return line.decode("utf-8", "replace").strip()

            def handle(self) -> None:
                try:
                    self.smtp() if smtp else self.imap()
                except (ConnectionError, OSError):
                    return

            def smtp(self) -> None:
                self.send("220 echo ESMTP")
                while True:
                    words = self.said().split(" ")
                    verb = words[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.send("250-echo\r\n250 AUTH PLAIN XOAUTH2")
                    elif verb == "AUTH":
                        blob = words[2] if len(words) > 2 else self.ask_smtp()
                        sent = base64.b64decode(blob).decode("utf-8", "replace").replace("\x00", " ")
                        self.send(f"535 5.7.3 Authentication unsuccessful for {' '.join(sent.split())}")
                    elif verb == "QUIT":
                        self.send("221 bye")
                        return
                    else:
                        self.send("250 ok")

            def ask_smtp(self) -> str:
                self.send("334 ")
                return self.said()

            def imap(self) -> None:
                self.send("* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN] echo ready")
                while True:
                    tag, _, rest = self.said().partition(" ")
                    command, _, argument = rest.partition(" ")
                    command = command.upper()
                    if command == "CAPABILITY":
                        self.send("* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN")
                        self.send(f"{tag} OK done")
                    elif command == "LOGIN":
                        self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials: {argument}")
                    elif command == "AUTHENTICATE":
                        self.send("+ ")
                        sent = base64.b64decode(self.said()).decode("utf-8", "replace").replace("\x01", " ")
                        self.send(f"{tag} NO [AUTHENTICATIONFAILED] refused {sent}")
                    elif command == "LOGOUT":
                        self.send("* BYE")
                        self.send(f"{tag} OK bye")
                        return
                    else:
                        self.send(f"{tag} OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp() -> Iterator[Echo]:
    server = Echo(smtp=True)
    yield server
    server.stop()


@pytest.fixture
def imap() -> Iterator[Echo]:
    server = Echo(smtp=False)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("SHEETS_SYNC_") and name != "SHEETS_SYNC_DEBUG":
            monkeypatch.delenv(name)
    monkeypatch.setenv("SHEETS_SYNC_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


def token_command(tmp_path: Path, script: str) -> str:
    path = tmp_path / "token.py"
    path.write_text(script, encoding="utf-8")
    return shlex.join([sys.executable, str(path)])


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def smtp_env(monkeypatch: pytest.MonkeyPatch, server: Echo) -> None:
    for name, value in {"SHEETS_SYNC_SMTP_HOST": "127.0.0.1", "SHEETS_SYNC_SMTP_PORT": str(server.port),
                        "SHEETS_SYNC_SMTP_SECURITY": "none", "SHEETS_SYNC_SMTP_USER": USER,
                        "SHEETS_SYNC_FROM": USER}.items():
        monkeypatch.setenv(name, value)


def test_a_token_command_that_says_the_token_on_its_error_output(tmp_path, smtp, monkeypatch):
    smtp_env(monkeypatch, smtp)
    monkeypatch.setenv("SHEETS_SYNC_SMTP_AUTH", "oauth2")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_OAUTH2", "command")
    script = (f"import sys\nprint({TOKEN!r})\nsys.stderr.write('cached token {TOKEN} is stale; refresh failed: "
              f"invalid_grant\\n')\nsys.exit(1)\n")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_OAUTH2_COMMAND", token_command(tmp_path, script))
    code, out, err = run("test-email", "clients.xlsx", "--to", "me@harbor.example")
    assert code == 3 and len(err.splitlines()) == 1
    assert "refresh failed: invalid_grant" in err  # its error output is shown...
    assert TOKEN not in out + err and TOKEN[:20] not in err  # ...without the token


def test_an_smtp_refusal_that_echoes_the_token(tmp_path, smtp, monkeypatch):
    smtp_env(monkeypatch, smtp)
    monkeypatch.setenv("SHEETS_SYNC_SMTP_AUTH", "oauth2")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_OAUTH2", "command")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_OAUTH2_COMMAND", token_command(tmp_path, f"print({TOKEN!r})\n"))
    code, out, err = run("test-email", "clients.xlsx", "--to", "me@harbor.example")
    assert code == 3 and len(err.splitlines()) == 1 and "535 5.7.3" in err
    assert TOKEN not in out + err


def test_an_smtp_refusal_that_echoes_the_password(tmp_path, smtp, monkeypatch):
    smtp_env(monkeypatch, smtp)
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PASSWORD", PASSWORD)
    code, out, err = run("test-email", "clients.xlsx", "--to", "me@harbor.example")
    assert code == 3 and len(err.splitlines()) == 1 and "535 5.7.3" in err
    assert PASSWORD not in out + err


def imap_settings(server: Echo, **more: object):
    from sheets_sync.mail.imap import ImapSettings

    return ImapSettings(host="127.0.0.1", port=server.port, security="none", user=USER, timeout=10,
                        **more)  # type: ignore[arg-type]


def test_an_imap_refusal_that_echoes_the_password(imap):
    from sheets_sync.mail.imap import MailboxError, connect

    with pytest.raises(MailboxError) as caught:
        connect(imap_settings(imap, password=PASSWORD))
    assert "refused the login for" in str(caught.value) and PASSWORD not in str(caught.value)


def test_an_imap_refusal_that_echoes_the_token(tmp_path, imap):
    from sheets_sync.errors import SignInError
    from sheets_sync.signin.settings import OAuthSettings

    script = tmp_path / "token.py"
    script.write_text(f"print({TOKEN!r})\n", encoding="utf-8")
    oauth2 = OAuthSettings(provider="command", user=USER, command=(sys.executable, str(script)),
                           source="clients.xlsx", timeout=10)
    from sheets_sync.mail.imap import connect

    with pytest.raises(SignInError) as caught:
        connect(imap_settings(imap, oauth2=oauth2))
    assert "refused the OAuth 2.0 sign-in" in str(caught.value) and TOKEN not in str(caught.value)
