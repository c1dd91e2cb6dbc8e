"""Microsoft 365 sign-in with MSAL against a local fake identity provider (tests/fake_idp.py):
``sheets-sync login`` runs the device code flow once and stores the refresh token (0600, in
the user config folder); every later run refreshes silently and sends with XOAUTH2; a revoked
refresh token is one line, exit 3, "Sign in again" (issue 18 items 1, 5, 6)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_idp import FakeIdP
from keyring.backend import KeyringBackend
from keyring.backends import fail
from memory_keyring import MemoryKeyring, use_keyring
from smtp_server import USER
from xoauth2_server import OAuthMailServer

from sheets_sync.cli import cli

CLIENT_ID = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def no_keyring() -> Iterator[KeyringBackend]:
    """A headless machine: keyring's fail backend (another test module may register its own)."""
    yield from use_keyring(fail.Keyring())


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: KeyringBackend) -> Iterator[tuple[FakeIdP, OAuthMailServer]]:
    server = OAuthMailServer(tmp_path)
    idp = FakeIdP(tmp_path, USER, server.tokens)
    for name, value in {**server.env(), "SHEETS_SYNC_SMTP_OAUTH2": "microsoft",
                        "SHEETS_SYNC_SMTP_OAUTH2_CLIENT_ID": CLIENT_ID, "SHEETS_SYNC_OAUTH2_AUTHORITY": idp.url,
                        "REQUESTS_CA_BUNDLE": idp.ca_file}.items():
        monkeypatch.setenv(name, value)
    yield idp, server
    idp.stop()
    server.stop()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_login_then_every_run_refreshes_silently(tmp_path, setup, isolated_env):
    idp, server = setup
    book = str(tmp_path / "clients.xlsx")
    code, out, err = run("login", book)
    assert (code, err) == (0, "")
    assert "open the page https://microsoft.com/devicelogin and enter the code HBR-2026" in out
    cache = isolated_env / "tokens" / f"microsoft-{USER}.json"
    assert out.endswith(f"Signed in as {USER} (OAuth 2.0 (Microsoft 365)); the refresh token is kept in "
                        f"{cache} (mode 600).\n")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600 and stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    assert idp.grants() == ["urn:ietf:params:oauth:grant-type:device_code"] * 2  # one pending poll, then the token
    assert {r["client_id"] for r in idp.requests} == {CLIENT_ID}
    scope = idp.requests[0]["scope"].split()
    assert {"https://outlook.office.com/SMTP.Send", "https://outlook.office.com/IMAP.AccessAsUser.All",
            "offline_access"} <= set(scope)
    assert not list(tmp_path.glob("*.json"))  # nothing beside the workbook

    code, out, err = run("test-email", book, "--to", "me@harbor.example")
    assert (code, err) == (0, "")
    assert out.endswith("signed in with OAuth 2.0 (Microsoft 365).\n")
    assert server.logins == ["at-1"]  # the cached access token, still valid

    idp.expires_in = 60  # MSAL refreshes a token that expires within 5 minutes
    server.tokens["at-1"] = 0  # and the server no longer takes the old one
    idp.requests.clear()
    code, _, err = run("test-email", book, "--to", "me@harbor.example")
    assert (code, err) == (0, "")
    assert idp.grants() == ["refresh_token"] and server.logins[-1] == "at-2"
    for text in (out, err):
        assert "rt-" not in text and "at-" not in text


def test_a_revoked_refresh_token_says_sign_in_again(tmp_path, setup):
    idp, server = setup
    book = str(tmp_path / "clients.xlsx")
    assert run("login", book)[0] == 0
    idp.revoke()
    idp.expires_in = 0
    server.tokens["at-1"] = 0
    code, out, err = run("test-email", book, "--to", "me@harbor.example")
    assert (code, out) == (3, "")
    # the cached access token is refused by the server, so a new one is asked for: revoked
    assert err == (f"Error: the Microsoft 365 sign-in for {USER} has expired or was revoked (AADSTS70008): "
                   f"Sign in again: sheets-sync login {book}\n")
    assert server.received == []


def test_a_run_before_anyone_signed_in(tmp_path, setup):
    book = str(tmp_path / "clients.xlsx")
    code, _, err = run("test-email", book, "--to", "me@harbor.example")
    assert code == 3
    assert err == f"Error: nobody has signed in to Microsoft 365 as {USER} yet: Sign in again: sheets-sync login {book}\n"


def test_login_refuses_a_token_folder_others_can_read(tmp_path, setup, isolated_env):
    folder = isolated_env / "tokens"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    code, _, err = run("login", str(tmp_path / "clients.xlsx"))
    assert code == 2
    assert err.endswith(f"Error: {folder} can be read by other users: the sign-in is not stored there. Run chmod "
                        f"700 {folder} and sign in again\n")
    assert list(folder.iterdir()) == []


def test_no_client_id_says_what_the_admin_must_register(tmp_path, setup, monkeypatch):
    monkeypatch.delenv("SHEETS_SYNC_SMTP_OAUTH2_CLIENT_ID")
    code, _, err = run("login", str(tmp_path / "clients.xlsx"))
    assert code == 2 and err.startswith('Error: oauth2 = "microsoft" needs your app registration')


def test_with_a_keyring_the_sign_in_is_kept_there_not_in_a_file(tmp_path, setup, isolated_env):
    idp, server = setup
    book = str(tmp_path / "clients.xlsx")
    for ring in use_keyring(MemoryKeyring()):
        code, out, err = run("login", book)
        assert (code, err) == (0, "")
        assert out.endswith("the refresh token is kept in the system keyring (service sheets-sync).\n")
        assert list(ring.store) == [("sheets-sync", f"oauth2:microsoft:{USER}")]  # type: ignore[attr-defined]
        assert not (isolated_env / "tokens").exists()
        code, out, _ = run("test-email", book, "--to", "me@harbor.example")
        assert code == 0 and server.logins == ["at-1"]


def test_login_never_keeps_the_sign_in_in_the_workbooks_folder(tmp_path, setup, monkeypatch):
    monkeypatch.setenv("SHEETS_SYNC_HOME", str(tmp_path / ".sheets-sync-home"))  # inside the workbook's folder
    code, out, err = run("login", str(tmp_path / "clients.xlsx"))
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: {tmp_path / '.sheets-sync-home' / 'tokens'}")
    assert "is in the workbook's folder" in err and "nothing was stored" in err
    assert not (tmp_path / ".sheets-sync-home").exists()


def test_an_app_registration_without_public_client_flows_says_which_switch(tmp_path, setup, isolated_env):
    idp, _ = setup
    idp.device_error = {"error": "invalid_client", "error_codes": [7000218],
                        "error_description": "AADSTS7000218: The request body must contain the following parameter: "
                                             "'client_assertion' or 'client_secret'. Trace ID: 1 Correlation ID: 2"}
    code, out, err = run("login", str(tmp_path / "clients.xlsx"))
    assert code == 3 and "enter the code HBR-2026" in out
    assert err == ("Error: the sign-in did not complete: AADSTS7000218: The request body must contain the following "
                   "parameter: 'client_assertion' or 'client_secret'; the app registration must allow public client "
                   "flows (Authentication > Allow public client flows: Yes)\n")
    assert not list((isolated_env / "tokens").glob("*.json"))
