"""Secrets on a server with no keyring (issue 20 item 12): the 0600 environment file every run
reads, refused when others can read it, and errors that recommend only what works here.

Each run is a subprocess with ``PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring``: keyring
as a headless Linux server has it, where ``keyring set`` dies with NoKeyringError.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from smtp_server import PASSWORD, USER, MailServer

NO_KEYRING = "keyring.backends.fail.Keyring"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailServer]:
    started = MailServer(tmp_path, security="starttls", auth=True)
    yield started
    started.stop()


def sheets_sync(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    return subprocess.run([sys.executable, "-m", "sheets_sync", *args], env={**base, **env},
                          capture_output=True, text=True, timeout=120, check=False)


def server_env(server: MailServer, home: Path) -> dict[str, str]:
    env = {k: v for k, v in server.env().items() if k != "SHEETS_SYNC_SMTP_PASSWORD"}
    return {**env, "SHEETS_SYNC_HOME": str(home), "PYTHON_KEYRING_BACKEND": NO_KEYRING}


def write(path: Path, text: str, mode: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_with_no_keyring_the_error_recommends_the_env_file_not_keyring_set(tmp_path, server):
    home = tmp_path / "home"
    done = sheets_sync("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example",
                       env=server_env(server, home))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"Error: no SMTP password for {USER}, and this machine has no system keyring: put the "
                           f"line SHEETS_SYNC_SMTP_PASSWORD=... in {home / 'env'} (chmod 600; every run reads it), "
                           "or run sheets-sync login <workbook>, which asks for it and stores it there\n")
    assert "keyring set" not in done.stderr


def test_the_password_in_a_0600_env_file_is_used_by_every_run(tmp_path, server):
    home = tmp_path / "home"
    write(home / "env", f"# the mail password\nexport SHEETS_SYNC_SMTP_PASSWORD='{PASSWORD}'\n", 0o600)
    done = sheets_sync("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example",
                       env=server_env(server, home))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("signed in with a password.\n") and PASSWORD not in done.stdout
    assert server.logins == [USER] and len(server.received) == 1


def test_an_env_file_named_by_the_variable_and_the_environment_wins(tmp_path, server):
    home = tmp_path / "home"
    named = write(tmp_path / "secrets" / "sheets-sync.env",
                  f"SHEETS_SYNC_SMTP_PASSWORD={PASSWORD}\nSHEETS_SYNC_SMTP_HOST=192.0.2.1\n", 0o600)
    done = sheets_sync("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example",
                       env={**server_env(server, home), "SHEETS_SYNC_ENV_FILE": str(named)})
    assert done.returncode == 0, done.stderr  # the host from the environment, the password from the file
    assert len(server.received) == 1


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_an_env_file_others_can_read_or_change_is_refused(tmp_path, server, mode):
    home = tmp_path / "home"
    path = write(home / "env", f"SHEETS_SYNC_SMTP_PASSWORD={PASSWORD}\n", mode)
    done = sheets_sync("check", str(tmp_path / "clients.xlsx"), env=server_env(server, home))
    assert (done.returncode, done.stdout) == (2, "")
    how = "read" if mode & 0o044 else "changed"
    assert done.stderr == (f"Error: {path} can be {how} by other users (mode {mode:04o}), and it may hold a "
                           f"password: run chmod 600 {path}\n")
    assert PASSWORD not in done.stderr and server.received == []


def test_a_line_that_is_not_a_setting_is_refused_with_its_number(tmp_path, server):
    home = tmp_path / "home"
    path = write(home / "env", "SHEETS_SYNC_SMTP_PASSWORD=x\nPATH=/tmp/evil\n", 0o600)
    done = sheets_sync("check", str(tmp_path / "clients.xlsx"), env=server_env(server, home))
    assert done.returncode == 2
    assert done.stderr == (f"Error: {path} line 2: PATH is not a sheets-sync setting (the names start with "
                           "SHEETS_SYNC_; see docs/configuration.md)\n")


def test_a_named_env_file_that_is_missing_is_an_error(tmp_path, server):
    missing = tmp_path / "nowhere.env"
    done = sheets_sync("check", str(tmp_path / "clients.xlsx"),
                       env={**server_env(server, tmp_path / "home"), "SHEETS_SYNC_ENV_FILE": str(missing)})
    assert (done.returncode, done.stderr) == (2, f"Error: {missing} (SHEETS_SYNC_ENV_FILE) does not exist: "
                                                 "create it (chmod 600) or unset the variable\n")


def test_login_stores_the_password_in_the_env_file_when_there_is_no_keyring(tmp_path, server):
    home = tmp_path / "home"
    env = server_env(server, home)
    book = tmp_path / "work" / "clients.xlsx"  # never the workbook's folder: see test_oauth2_microsoft
    done = subprocess.run([sys.executable, "-m", "sheets_sync", "login", str(book)],
                          env={**{k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}, **env},
                          input=f"{PASSWORD}\n", capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    path = home / "env"
    assert done.stdout.endswith(f"Stored the SMTP password for {USER} in {path} (mode 600; this machine has no "
                                "system keyring).\n")
    assert PASSWORD not in done.stdout and PASSWORD not in done.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == f"SHEETS_SYNC_SMTP_PASSWORD={PASSWORD}\n"
    sent = sheets_sync("test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example", env=env)
    assert (sent.returncode, sent.stderr) == (0, "")
    assert server.logins == [USER]


def test_the_mailbox_password_error_names_the_env_file_too(tmp_path, isolated_env):
    import keyring
    from keyring.backends import fail

    from sheets_sync.config import Config
    from sheets_sync.errors import ConfigError
    from sheets_sync.mail.imap import resolve_imap_settings

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(ConfigError) as caught:
            resolve_imap_settings(Config(), {"SHEETS_SYNC_IMAP_HOST": "imap.example.net", "SHEETS_SYNC_IMAP_USER": USER})
    finally:
        keyring.set_keyring(previous)
    assert str(caught.value) == (f"no IMAP password for {USER}: set SHEETS_SYNC_IMAP_PASSWORD; this machine has no "
                                 f"system keyring, so put the line SHEETS_SYNC_IMAP_PASSWORD=... in "
                                 f"{isolated_env / 'env'} (chmod 600; every run reads it)")


def test_login_stores_the_password_in_the_keyring_where_there_is_one(tmp_path, server, monkeypatch, isolated_env):
    from click.testing import CliRunner
    from test_oauth2_microsoft import MemoryKeyring, use_keyring

    from sheets_sync.cli import cli

    for name, value in {k: v for k, v in server.env().items() if k != "SHEETS_SYNC_SMTP_PASSWORD"}.items():
        monkeypatch.setenv(name, value)
    for ring in use_keyring(MemoryKeyring()):
        done = CliRunner().invoke(cli, ["login", str(tmp_path / "clients.xlsx")], input=f"{PASSWORD}\n")
        assert done.exit_code == 0, done.output
        assert done.stdout.endswith(f"Stored the SMTP password for {USER} in the system keyring (service "
                                    f"sheets-sync, user {USER}).\n")
        assert ring.store == {("sheets-sync", USER): PASSWORD}  # type: ignore[attr-defined]
        assert not (isolated_env / "env").exists()
        sent = CliRunner().invoke(cli, ["test-email", str(tmp_path / "clients.xlsx"), "--to", "me@harbor.example"])
        assert sent.exit_code == 0 and server.logins == [USER]
