"""One choice of mailer (mail.mailer.mailer_for), for the command line and the library alike."""

from __future__ import annotations

import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_cli import agency
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.backends import open_source
from sheets_sync.cli import cli
from sheets_sync.config import Config
from sheets_sync.errors import ConfigError
from sheets_sync.mail.mailer import mailer_for, sender_name
from sheets_sync.mail.outbox import OutboxMailer
from sheets_sync.mail.smtp import SmtpMailer

SERVER = {"SHEETS_SYNC_SMTP_HOST": "127.0.0.1", "SHEETS_SYNC_SMTP_PORT": "2525",
          "SHEETS_SYNC_SMTP_SECURITY": "none", "SHEETS_SYNC_FROM": "Office <office@harbor.example>"}


def book(tmp_path: Path) -> Path:
    """One client with a payment reminder due on Monday 23 Nov 2026."""
    return write_workbook(tmp_path / "clients.xlsx", {
        "Clients": [CLIENT_HEADER, ["C-1", "Bob Baker", "", "bob@example.com", "", "maria@agency.example", "A",
                                    "Active", D(2024, 1, 1), None, None, ""]],
        "Tasks": [TASK_HEADER, ["T-1", "C-1", "Payment", "Invoice 7", 100, D(2026, 11, 20), D(2026, 11, 1),
                                "Open", None]],
        "Touches": [TOUCH_HEADER],
    })


def test_no_mail_server_means_the_backends_outbox(tmp_path):
    backend = open_source(str(book(tmp_path)))
    mailer = mailer_for(Config(), backend)
    assert isinstance(mailer, OutboxMailer) and mailer.folder == backend.default_outbox()


def test_a_configured_server_is_used_unless_an_outbox_is_asked_for(tmp_path, monkeypatch):
    for name, value in SERVER.items():
        monkeypatch.setenv(name, value)
    backend = open_source(str(book(tmp_path)))
    assert isinstance(mailer_for(Config(), backend), SmtpMailer)
    chosen = mailer_for(Config(), backend, tmp_path / "out")
    assert isinstance(chosen, OutboxMailer) and chosen.folder == tmp_path / "out"


def test_a_bad_mail_setting_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PORT", "many")
    with pytest.raises(ConfigError, match="port"):
        mailer_for(Config(), open_source(str(book(tmp_path))))


def test_a_configured_server_never_falls_back_to_the_outbox_silently(tmp_path, monkeypatch):
    # The SMTP code failing to load used to be swallowed: the emails went to the outbox and
    # the run said it had delivered them. Now the run stops before anything is sent.
    for name, value in SERVER.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "sheets_sync.mail.smtp", None)  # import fails
    path = book(tmp_path)
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-23", "--json"])
    assert result.exit_code == 3 and "sheets_sync.mail.smtp" in result.stderr
    assert not (tmp_path / "outbox").exists()


def test_the_touches_name_the_configured_sender(monkeypatch):
    assert sender_name(Config()) == "sheets-sync"
    assert sender_name(Config(data={"smtp": {"from": "desk@harbor.example"}})) == "desk@harbor.example"
    monkeypatch.setenv("SHEETS_SYNC_FROM", "Office <office@harbor.example>")
    assert sender_name(Config(data={"smtp": {"from": "desk@harbor.example"}})) == "Office <office@harbor.example>"


def test_the_outbox_signs_with_the_sender_the_touches_name(tmp_path, monkeypatch):
    # The outbox read only the config file's from and reply_to, while the Touches rows (and
    # the mail server) took SHEETS_SYNC_FROM first: the .eml files said another sender.
    monkeypatch.setenv("SHEETS_SYNC_FROM", "Office <office@harbor.example>")
    monkeypatch.setenv("SHEETS_SYNC_REPLY_TO", "desk@harbor.example")
    (tmp_path / "sheets-sync.toml").write_text('[smtp]\nfrom = "Old <old@harbor.example>"\n', encoding="utf-8")
    path = agency(tmp_path / "agency.xlsx")  # emails Pat Lee, a prospect, on Monday
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-23", "--outbox", str(tmp_path / "out"),
                                      "--json"])
    assert result.exit_code == 0, result.output
    files = list((tmp_path / "out").glob("*.eml"))
    assert files
    for file in files:
        sent = BytesParser(policy=policy.default).parsebytes(file.read_bytes())
        assert (sent["From"], sent["Reply-To"]) == ("Office <office@harbor.example>", "desk@harbor.example")
    touches = list(openpyxl.load_workbook(path)["Touches"].iter_rows(min_row=2, values_only=True))
    written = [row for row in touches if row[7] and str(row[7]).startswith("prospect:")]
    assert written and {row[5] for row in written} == {"Office <office@harbor.example>"}
