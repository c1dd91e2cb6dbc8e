"""A mail server that cannot be reached: the one line names where its host and port came from
(the environment variable, or the config file and key), and never the password."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import free_port

from sheets_sync.cli import cli

SECRET = "hunter2-not-in-the-line"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and SECRET not in err
    return err.strip()


def test_host_and_port_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()  # nothing listens there: connection refused
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "SECURITY": "none", "USER": "office@harbor.example",
                        "PASSWORD": SECRET}.items():
        monkeypatch.setenv(f"SHEETS_SYNC_SMTP_{name}", value)
    code, out, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert (code, out) == (3, "")
    assert one_line(err) == (
        f"Error: cannot reach the mail server 127.0.0.1:{port} (host from SHEETS_SYNC_SMTP_HOST, port from "
        "SHEETS_SYNC_SMTP_PORT): Connection refused; check the host, port and security there (Gmail: "
        "smtp.gmail.com, 587 starttls or 465 ssl)")


def test_host_and_port_from_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    config = tmp_path / "sheets-sync.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                      'user = "office@harbor.example"\n', encoding="utf-8")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PASSWORD", SECRET)
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert code == 3
    assert one_line(err).startswith(
        f"Error: cannot reach the mail server 127.0.0.1:{port} (host from {config} ([smtp] host), "
        f"port from {config} ([smtp] port)): Connection refused; ")


def test_each_setting_names_its_own_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    config = tmp_path / "sheets-sync.toml"
    config.write_text(f'[smtp]\nhost = "smtp.harbor.example"\nport = {port}\nsecurity = "none"\n'
                      'from = "office@harbor.example"\n', encoding="utf-8")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "127.0.0.1")  # the variable wins over the file's host
    code, _, err = run("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example")
    assert code == 3
    assert one_line(err).startswith(
        f"Error: cannot reach the mail server 127.0.0.1:{port} (host from SHEETS_SYNC_SMTP_HOST, "
        f"port from {config} ([smtp] port)): Connection refused; ")
