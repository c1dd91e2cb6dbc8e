"""``sheets-sync test-email`` through the real command line: exit codes and the one line it prints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import PASSWORD, USER, MailServer, free_port

from sheets_sync.cli import cli


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailServer]:
    started = MailServer(tmp_path, security="starttls", auth=True)
    yield started
    started.stop()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def use(server: MailServer, monkeypatch: pytest.MonkeyPatch, **changes: str) -> None:
    for name, value in {**server.env(), **changes}.items():
        monkeypatch.setenv(name, value)


def test_it_sends_one_sample_message(tmp_path, server, monkeypatch):
    use(server, monkeypatch)
    code, out, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, err) == (0, "")
    assert out == (f"Sent a test message to me@harbor.example through 127.0.0.1:{server.port} (starttls) as {USER}, "
                   "signed in with a password.\n")
    assert [r.rcpt_tos for r in server.received] == [["me@harbor.example"]]
    assert server.sessions == 1


def test_the_server_from_the_config_file_beside_the_workbook(tmp_path, server, monkeypatch):
    (tmp_path / "sheets-sync.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "starttls"\nuser = "{USER}"\n'
        f'from = "Office <{USER}>"\nca_file = "{server.ca_file}"\n', encoding="utf-8")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PASSWORD", PASSWORD)
    code, out, _ = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert code == 0 and out.startswith("Sent a test message")
    assert server.received[0].parsed()["From"] == f"Office <{USER}>"


def test_no_mail_server_is_a_configuration_error(tmp_path):
    code, out, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, out) == (2, "")
    assert err.startswith("Error: no mail server is configured: set SHEETS_SYNC_SMTP_HOST")


def test_a_wrong_password_is_one_line_and_exit_3(tmp_path, server, monkeypatch):
    use(server, monkeypatch, SHEETS_SYNC_SMTP_PASSWORD="not-the-password")
    code, out, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, out) == (3, "")
    assert err.startswith(f"Error: the mail server 127.0.0.1:{server.port} refused the login for {USER}")
    assert err.count("\n") == 1 and "not-the-password" not in err


def test_a_server_that_is_down_is_exit_3(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("SHEETS_SYNC_SMTP_SECURITY", "none")
    monkeypatch.setenv("SHEETS_SYNC_FROM", "office@harbor.example")
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert code == 3 and err.startswith("Error: cannot reach the mail server 127.0.0.1:")


def test_a_refused_recipient_is_exit_1_with_the_reason(tmp_path, server, monkeypatch):
    use(server, monkeypatch)
    server.faults.refuse = {"nobody@harbor.example"}
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "nobody@harbor.example")
    assert code == 1
    assert err == ("Error: the test message to nobody@harbor.example was not sent: "
                   "the server refused it: 550 5.1.1 No such user here\n")


def test_a_password_in_the_config_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "sheets-sync.toml").write_text('[smtp]\nhost = "smtp.gmail.com"\nuser = "me@gmail.com"\n'
                                               'password = "hunter2"\n', encoding="utf-8")
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@gmail.com")
    assert code == 2 and "must not hold the password" in err and "hunter2" not in err
