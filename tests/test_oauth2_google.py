"""Gmail sign-in with google-auth-oauthlib's installed-app flow against the local fake
identity provider: ``sheets-sync login`` opens "the browser" (a small script named by
$BROWSER that follows the consent page's redirect back to the local address), stores the
refresh token, and later runs refresh silently and send with XOAUTH2 (issue 18 item 2)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_idp import FakeIdP
from smtp_server import USER
from xoauth2_server import OAuthMailServer

# The "browser": leaves at once (webbrowser waits for it, and the local server answers only
# after that), then follows the consent page's redirect to the flow's local address.
BROWSER = """\
import os, ssl, sys, urllib.request
if os.fork():
    sys.exit(0)
context = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
urllib.request.urlopen(sys.argv[1], context=context, timeout=30).read()
"""


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[FakeIdP, OAuthMailServer, dict[str, str]]]:
    server = OAuthMailServer(tmp_path)
    idp = FakeIdP(tmp_path, USER, server.tokens)
    client = tmp_path / "client.json"
    client.write_text(json.dumps({"installed": {
        "client_id": "123-abc.apps.googleusercontent.com", "client_secret": "GOCSPX-desktop",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"]}}), encoding="utf-8")
    browser = tmp_path / "browser.py"
    browser.write_text(BROWSER, encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env = {**base, **server.env(), "SHEETS_SYNC_SMTP_OAUTH2": "google", "SHEETS_SYNC_SMTP_OAUTH2_CLIENT_FILE": str(client),
           "SHEETS_SYNC_OAUTH2_AUTHORITY": idp.url, "REQUESTS_CA_BUNDLE": idp.ca_file,
           "SHEETS_SYNC_HOME": str(tmp_path / "home"), "BROWSER": f"{sys.executable} {browser} %s",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "NO_PROXY": "*"}
    yield idp, server, env
    idp.stop()
    server.stop()


def sheets_sync(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sheets_sync", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_login_in_the_browser_then_runs_refresh_silently(tmp_path, setup):
    idp, server, env = setup
    book = str(tmp_path / "work" / "clients.xlsx")  # SHEETS_SYNC_HOME is outside the workbook's folder
    done = sheets_sync(env, "login", book)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    cache = tmp_path / "home" / "tokens" / f"google-{USER}.json"
    assert done.stdout.endswith(f"Signed in as {USER} (OAuth 2.0 (Google)); the refresh token is kept in {cache} "
                                "(mode 600).\n")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    consent = idp.requests[0]
    assert consent["scope"] == "https://mail.google.com/" and consent["login_hint"] == USER
    assert consent["access_type"] == "offline"
    assert [r.get("grant_type") for r in idp.requests[1:]] == ["authorization_code"]

    done = sheets_sync(env, "test-email", book, "--to", "me@harbor.example")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("signed in with OAuth 2.0 (Google).\n")
    assert server.logins == ["at-1"]

    server.tokens["at-1"] = 0  # expired at the server: one refresh, then sent
    done = sheets_sync(env, "test-email", book, "--to", "me@harbor.example")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert server.logins == ["at-1", "at-2"] and idp.grants()[-1] == "refresh_token"
    assert "at-" not in done.stdout and "rt-" not in done.stdout

    idp.revoke()
    server.tokens["at-2"] = 0
    done = sheets_sync(env, "test-email", book, "--to", "me@harbor.example")
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == (f"Error: the Google sign-in for {USER} has expired or was revoked (invalid_grant): "
                           f"Sign in again: sheets-sync login {book}\n")
