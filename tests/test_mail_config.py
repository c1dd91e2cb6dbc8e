"""Mail settings: flag > environment > config file > default; the password never from the file."""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path

import keyring
import pytest
from memory_keyring import MemoryKeyring, use_keyring

from sheets_sync.config import Config, load_config
from sheets_sync.errors import ConfigError
from sheets_sync.mail.config import ENV, FILE_KEYS, MailSettings, resolve_mail_settings


def config_file(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "sheets-sync.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


FILE = """
[smtp]
host = "mail.file.example"
port = 2525
security = "none"
user = "file-user@file.example"
from = "File Office <office@file.example>"
reply_to = "desk@file.example"
"""


@pytest.fixture
def memory_keyring():
    yield from use_keyring(MemoryKeyring())


def test_no_host_anywhere_means_no_mail_server():
    assert resolve_mail_settings(Config(), {}) is None


def test_the_file_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PASSWORD", "env-secret")
    s = resolve_mail_settings(config_file(tmp_path, FILE))
    assert (s.host, s.port, s.security, s.user, s.password) == (
        "mail.file.example", 2525, "none", "file-user@file.example", "env-secret")
    assert s.sender == "File Office <office@file.example>" and s.reply_to == "desk@file.example"
    assert s.sender_domain == "file.example"


def test_environment_beats_the_file_and_flags_beat_the_environment(tmp_path, monkeypatch):
    config = config_file(tmp_path, FILE)
    for name, value in {
        "SHEETS_SYNC_SMTP_HOST": "smtp.env.example", "SHEETS_SYNC_SMTP_PORT": "465",
        "SHEETS_SYNC_SMTP_SECURITY": "ssl", "SHEETS_SYNC_SMTP_USER": "env@env.example",
        "SHEETS_SYNC_SMTP_PASSWORD": "env-secret", "SHEETS_SYNC_FROM": "Env <env@env.example>",
        "SHEETS_SYNC_REPLY_TO": "reply@env.example",
    }.items():
        monkeypatch.setenv(name, value)
    s = resolve_mail_settings(config)
    assert (s.host, s.port, s.security, s.user) == ("smtp.env.example", 465, "ssl", "env@env.example")
    assert (s.sender, s.reply_to) == ("Env <env@env.example>", "reply@env.example")
    flags = {"host": "smtp.flag.example", "port": 587, "security": "starttls", "sender": "Flag <f@flag.example>",
             "user": None, "reply_to": ""}
    s = resolve_mail_settings(config, flags)
    assert (s.host, s.port, s.security, s.sender) == ("smtp.flag.example", 587, "starttls", "Flag <f@flag.example>")
    assert s.user == "env@env.example" and s.reply_to == "reply@env.example"  # None/"" = not given


@pytest.mark.parametrize(("security", "port", "expected"), [
    ("ssl", None, ("ssl", 465)), ("starttls", None, ("starttls", 587)), ("none", None, ("none", 25)),
    (None, None, ("starttls", 587)), (None, "465", ("ssl", 465)), (None, "2525", ("starttls", 2525)),
])
def test_defaults_for_port_and_security(monkeypatch, security, port, expected):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("SHEETS_SYNC_FROM", "me@example.com")
    if security:
        monkeypatch.setenv("SHEETS_SYNC_SMTP_SECURITY", security.upper())
    if port:
        monkeypatch.setenv("SHEETS_SYNC_SMTP_PORT", port)
    s = resolve_mail_settings(Config())
    assert (s.security, s.port) == expected


def test_a_password_in_the_config_file_is_refused(tmp_path):
    with pytest.raises(ConfigError) as caught:  # when the file is loaded (issue 16 item 13)
        config_file(tmp_path, FILE + 'password = "hunter2"\n')
    text = str(caught.value)
    assert str(tmp_path / "sheets-sync.toml") in text
    assert "sheets-sync login <workbook>, which stores the password for file-user@file.example" in text
    assert "keyring set" not in text  # it may not work on this machine; login always does
    assert "hunter2" not in text


def test_a_login_without_a_password_says_where_to_put_it(monkeypatch, memory_keyring):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.gmail.com")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_USER", "me@gmail.com")
    with pytest.raises(ConfigError, match="store it once with: sheets-sync login <workbook> \\(or: keyring set "
                                          "sheets-sync me@gmail.com\\), or set SHEETS_SYNC_SMTP_PASSWORD"):
        resolve_mail_settings(Config())


def test_with_no_keyring_backend_it_names_the_environment_file_instead(monkeypatch, isolated_env):
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.gmail.com")
        monkeypatch.setenv("SHEETS_SYNC_SMTP_USER", "me@gmail.com")
        with pytest.raises(ConfigError) as caught:
            resolve_mail_settings(Config())
    finally:
        keyring.set_keyring(previous)
    assert str(caught.value).startswith("no SMTP password for me@gmail.com, and this machine has no system keyring: "
                                        f"put the line SHEETS_SYNC_SMTP_PASSWORD=... in {isolated_env / 'env'}")
    assert "keyring set" not in str(caught.value)


def test_the_password_from_the_keyring(monkeypatch, memory_keyring):
    memory_keyring.set_password("sheets-sync", "me@gmail.com", "keyring-secret")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.gmail.com")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_USER", "me@gmail.com")
    s = resolve_mail_settings(Config())
    assert s.password == "keyring-secret"
    assert s.sender == "me@gmail.com"  # the login doubles as the sender when it is an address
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PASSWORD", "env-secret")
    assert resolve_mail_settings(Config()).password == "env-secret"


def test_the_password_never_shows():
    s = MailSettings(host="smtp.gmail.com", port=587, security="starttls", sender="me@gmail.com",
                     user="me@gmail.com", password="abcd efgh ijkl mnop")
    assert "abcd" not in repr(s) and "abcd" not in str(s) and "abcd" not in s.describe()
    assert s.describe() == "smtp.gmail.com:587 (starttls) as me@gmail.com"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("SHEETS_SYNC_SMTP_SECURITY", "tls", "not one of ssl, starttls, none"),
    ("SHEETS_SYNC_SMTP_PORT", "five", "is not a number"),
    ("SHEETS_SYNC_SMTP_PORT", "70000", "out of range"),
    ("SHEETS_SYNC_FROM", "Just A Name", "no sender address"),
    ("SHEETS_SYNC_SMTP_TIMEOUT", "-1", "more than 0"),
])
def test_bad_values_are_config_errors(monkeypatch, name, value, message):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("SHEETS_SYNC_FROM", "me@example.com")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        resolve_mail_settings(Config())


def test_line_breaks_in_sender_and_reply_to_are_removed(monkeypatch):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("SHEETS_SYNC_FROM", "Office\r\nBcc: x@evil.example <me@example.com>")
    monkeypatch.setenv("SHEETS_SYNC_REPLY_TO", "Desk\r\nBcc: y@evil.example <desk@example.com>")
    s = resolve_mail_settings(Config())
    assert "\n" not in s.sender and "\r" not in s.sender and s.sender_address == "me@example.com"
    assert "\n" not in s.reply_to and parseaddr(s.reply_to)[1] == "desk@example.com"
    monkeypatch.setenv("SHEETS_SYNC_REPLY_TO", "desk@example.com\r\nBcc: y@evil.example")
    with pytest.raises(ConfigError, match="Reply-To 'desk@example.com Bcc: y@evil.example' is not a valid"):
        resolve_mail_settings(Config())


def test_a_gmail_app_password_pasted_with_spaces_works(monkeypatch):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.gmail.com")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_USER", "me@gmail.com")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PASSWORD", "abcd efgh ijkl mnop")
    assert resolve_mail_settings(Config()).password == "abcdefghijklmnop"
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "mail.example.com")  # other servers: as typed
    assert resolve_mail_settings(Config()).password == "abcd efgh ijkl mnop"


def test_every_variable_is_documented():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "email.md").read_text(encoding="utf-8")
    for name in ENV.values():
        assert f"`{name}`" in docs, name
    for key in FILE_KEYS.values():
        assert f"`{key}`" in docs, key
