"""OAuth 2.0 on SMTP: ``AUTH XOAUTH2`` on yagmail's session, the ``command`` provider, a token
that expires during a run, and the server's refusals as one line each (issue 18 items 3-6).

The server is aiosmtpd with an XOAUTH2 mechanism (tests/xoauth2_server.py); the token comes
from a small script run as ``oauth2_command``, which prints tok-1, tok-2... on each run.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import PASSWORD, USER
from token_command import TOKEN_SCRIPT, calls, token_argv
from xoauth2_server import BASIC_AUTH_OFF, SMTP_AUTH_DISABLED, OAuthMailServer

from sheets_sync.cli import cli
from sheets_sync.config import Config
from sheets_sync.mail.config import resolve_mail_settings
from sheets_sync.mail.journal import Journal
from sheets_sync.mail.message import Message
from sheets_sync.mail.smtp import SmtpMailer


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[OAuthMailServer]]:
    started: list[OAuthMailServer] = []
    yield started
    for server in started:
        server.stop()


def start(servers: list[OAuthMailServer], tmp_path: Path, **kwargs: object) -> OAuthMailServer:
    server = OAuthMailServer(tmp_path, **kwargs)  # type: ignore[arg-type]
    servers.append(server)
    return server


def token_command(tmp_path: Path, script: str = TOKEN_SCRIPT) -> str:
    return shlex.join(token_argv(tmp_path, script))


def use(server: OAuthMailServer, monkeypatch: pytest.MonkeyPatch, command: str, **more: str) -> None:
    values = {**server.env(), "SHEETS_SYNC_SMTP_OAUTH2": "command", "SHEETS_SYNC_SMTP_OAUTH2_COMMAND": command, **more}
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def msg(n: int) -> Message:
    return Message(key=f"task:T-{n:04d}:reminder:1", to=f"client{n}@example.com", subject=f"Reminder {n}",
                   text=f"Dear Client {n},\n", html="", client_id=f"C-{n:04d}", task_id=f"T-{n:04d}")


def test_test_email_signs_in_with_the_commands_token_and_says_so(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, tokens={"tok-1": None})
    use(server, monkeypatch, token_command(tmp_path))
    code, out, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, err) == (0, "")
    assert out == (f"Sent a test message to me@harbor.example through 127.0.0.1:{server.port} (starttls) as {USER}, "
                   f"signed in with OAuth 2.0 (token from {sys.executable}).\n")
    assert server.logins == ["tok-1"] and server.refused == []
    assert [r.rcpt_tos for r in server.received] == [["me@harbor.example"]]
    assert "sign-in:  OAuth 2.0" in server.received[0].parsed().get_body(("plain",)).get_content()


def test_a_token_that_expires_mid_run_is_renewed_once_and_nothing_goes_twice(tmp_path, servers, monkeypatch):
    # tok-1 may send 2 messages; then the server ends the session (421 4.7.0) and refuses tok-1.
    server = start(servers, tmp_path, tokens={"tok-1": 2, "tok-2": None})
    use(server, monkeypatch, token_command(tmp_path))
    settings = resolve_mail_settings(Config())
    assert settings is not None
    settings = settings.__class__(**{**settings.__dict__, "timeout": 5.0})
    messages = [msg(n) for n in range(1, 6)]
    with Journal(tmp_path / "state") as journal:
        deliveries = SmtpMailer(settings, journal=journal, backoff=0.01).deliver(messages)
        assert [d.status for d in deliveries] == ["sent"] * 5
        again = SmtpMailer(settings, journal=journal, backoff=0.01).deliver(messages)
    assert [d.status for d in again] == ["sent"] * 5 and "not sent again" in again[0].detail
    assert server.keys() == {m.key: 1 for m in messages}
    # tok-1, then (after the 421) tok-1 again from the cache, refused, then one new token
    assert server.logins == ["tok-1", "tok-2"] and len(server.refused) == 1
    assert calls(tmp_path) == 2 and server.sessions == 3
    assert [r.session for r in server.received] == [1, 1, 3, 3, 3]


def test_a_failing_command_shows_its_error_output_in_one_line(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, tokens={"tok-1": None})
    failing = "import sys\nprint('tok-secret-1')\nsys.stderr.write('broker: not signed in\\nrun broker login\\n')\nsys.exit(4)\n"
    use(server, monkeypatch, token_command(tmp_path, failing))
    code, out, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, out) == (3, "")
    assert err == (f"Error: oauth2_command: {sys.executable} failed (exit code 4): broker: not signed in "
                   "run broker login\n")
    assert "tok-secret" not in err and server.received == []


def test_a_command_that_hangs_is_stopped_at_the_timeout(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, tokens={"tok-1": None})
    use(server, monkeypatch, token_command(tmp_path, "import time\ntime.sleep(30)\n"), SHEETS_SYNC_SMTP_TIMEOUT="1")
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert code == 3
    assert err == f"Error: oauth2_command: {sys.executable} did not finish within 1 s (it must print the token and exit, without asking anything)\n"


def test_a_missing_command_and_one_that_prints_nothing(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, tokens={"tok-1": None})
    use(server, monkeypatch, "/nowhere/mail-token --user office")
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, err) == (3, "Error: oauth2_command: /nowhere/mail-token was not found; give the full path of "
                              "the program that prints an access token\n")
    use(server, monkeypatch, token_command(tmp_path, "print()\n"))
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert code == 3 and "printed no access token" in err


def test_a_token_the_server_refuses_twice_is_one_line_naming_login(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, tokens={"tok-9": None})
    use(server, monkeypatch, token_command(tmp_path))
    code, out, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, out) == (3, "")
    assert err == (f"Error: the mail server 127.0.0.1:{server.port} refused the OAuth 2.0 sign-in for {USER} "
                   "(535 5.7.3 Authentication unsuccessful [SN4PR0401CA0001.namprd04.prod.outlook.com]): the "
                   "mailbox must be the account you signed in with, and the app needs the SMTP.Send permission "
                   f"(docs/email.md); then sign in again: sheets-sync login {tmp_path / 'clients.xlsx'}\n")
    assert calls(tmp_path) == 2 and len(server.refused) == 2 and "tok-" not in err


def test_smtp_auth_turned_off_for_the_tenant(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, tokens={}, refusal=SMTP_AUTH_DISABLED)
    use(server, monkeypatch, token_command(tmp_path))
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert code == 3
    assert err.startswith("Error: Authenticated SMTP is turned off for this mailbox: an admin can turn it on in "
                          "the Microsoft 365 admin center (Mail > Manage email apps) [127.0.0.1:")
    assert err.count("\n") == 1
    assert calls(tmp_path) == 1  # a new token cannot help: not asked for


def test_a_password_where_microsoft_365_wants_oauth2(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, password_refusal=BASIC_AUTH_OFF)
    for name, value in {**server.env(), "SHEETS_SYNC_SMTP_AUTH": "password", "SHEETS_SYNC_SMTP_PASSWORD": PASSWORD}.items():
        monkeypatch.setenv(name, value)
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert code == 3
    assert err.startswith('Error: Microsoft 365 no longer accepts passwords here: set auth = "oauth2" (docs/email.md)')
    assert PASSWORD not in err


def test_the_sync_run_sends_with_oauth2_and_never_shows_the_token(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, tokens={"tok-1": None})
    use(server, monkeypatch, token_command(tmp_path))
    settings = resolve_mail_settings(Config())
    assert settings is not None and "tok-1" not in repr(settings)
    mailer = SmtpMailer(settings, backoff=0.01)
    assert [d.status for d in mailer.deliver([msg(1)])] == ["sent"]
    assert "tok-1" not in repr(mailer) and "tok-1" not in mailer.description


def test_oauth2_needs_the_mailbox(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.office365.com")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_AUTH", "oauth2")
    monkeypatch.setenv("SHEETS_SYNC_FROM", "office@harbor.example")
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, err) == (2, 'Error: auth = "oauth2" needs the mailbox to sign in as: set user = "..." in [smtp] '
                              "(or SHEETS_SYNC_SMTP_USER)\n")


def test_a_sync_sends_over_xoauth2_and_the_token_is_nowhere_in_its_output(tmp_path, servers, monkeypatch):
    server = start(servers, tmp_path, tokens={"tok-1": None})
    use(server, monkeypatch, token_command(tmp_path))
    book = str(tmp_path / "clients.xlsx")
    assert run("init", book, "--sample", "--today", "2026-11-23")[0] == 0
    code, out, err = run("sync", book, "--today", "2026-11-23", "--json")
    assert code in (0, 1), err
    result = json.loads(out)
    assert result["emails_sent"] + result["digests_sent"] == len(server.received) > 0
    assert server.logins == ["tok-1"] and server.sessions == 1
    state = "".join(p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*")
                    if p.is_file() and p.suffix in (".txt", ".log", ".json", ".eml"))
    for text in (out, err, state):
        assert "tok-1" not in text
    code, out, err = run("sync", book, "--today", "2026-11-23", "--json")  # a rerun sends nothing again
    assert json.loads(out)["emails_sent"] == 0 and server.keys().most_common(1)[0][1] == 1
    assert "tok-1" not in out + err
