"""Gmail and Google Workspace with google-auth-oauthlib: the installed-app flow (the browser
opens Google's consent page; the answer comes back to a local address) for the one-time
sign-in, with the ``https://mail.google.com/`` scope (the one scope Google gives for SMTP and
IMAP), then a silent refresh from the cached refresh token on every run.

yagmail's own OAuth 2.0 support does the same dance with its own files and prompts, for
Gmail's SMTP only; google-auth-oauthlib (already a dependency, for Google Sheets) keeps the
token in our cache and serves IMAP too. ``SHEETS_SYNC_OAUTH2_AUTHORITY`` replaces Google's
consent and token addresses (the tests' fake identity provider).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sheets_sync.errors import ConfigError, SignInError
from sheets_sync.signin.cache import TokenCache
from sheets_sync.signin.settings import OAuthSettings

SCOPES = ["https://mail.google.com/"]
TOKEN_URI = "https://oauth2.googleapis.com/token"
NO_CLIENT_FILE = ("oauth2 = \"google\" needs an OAuth client of type Desktop app: download its JSON file from the "
                  "Google Cloud console and set oauth2_client_file = \"...\" in [smtp] (docs/email.md)")
PROMPT = "Sign in to Google in the browser; if none opened, open this address on this computer:\n{url}"


class GoogleTokens:
    """Access tokens for one Gmail or Google Workspace mailbox, refreshed from the cache."""

    def __init__(self, settings: OAuthSettings) -> None:
        self.settings = settings
        self.description = settings.describe()
        self.cache = TokenCache(settings)

    def access_token(self, *, renew: bool = False) -> str:
        """The cached access token while it is valid, else (or with ``renew``) a new one from
        the refresh token. SignInError when nobody signed in or the refresh token was revoked."""
        from google.auth.exceptions import RefreshError, TransportError
        from google.auth.transport.requests import Request
        from google.oauth2.credentials import Credentials

        s = self.settings
        again = f"Sign in again: {s.login_command()}"
        stored = self.cache.load()
        if not stored:
            raise SignInError(f"nobody has signed in to Google as {s.user} yet: {again}")
        try:
            info = json.loads(stored)
            expiry = info.get("expiry")
            # Built by hand: from_authorized_user_info always sends the refresh to Google's own
            # token address, and the tests' fake identity provider (the authority) must get it.
            creds = Credentials(token=info.get("token"), refresh_token=info["refresh_token"], token_uri=_token_uri(s),
                                client_id=info["client_id"], client_secret=info.get("client_secret"), scopes=SCOPES,
                                expiry=dt.datetime.strptime(expiry.rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S")
                                if expiry else None)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SignInError(f"the stored Google sign-in for {s.user} cannot be read: {again}") from None
        if renew or not creds.valid:
            try:
                creds.refresh(Request())
            except RefreshError as exc:
                code = _error(exc)
                raise SignInError(f"the Google sign-in for {s.user} has expired or was revoked"
                                  f"{f' ({code})' if code else ''}: {again}") from None
            except TransportError as exc:
                raise SignInError(f"cannot reach Google's sign-in ({' '.join(str(exc).split())[:160]}); it will be "
                                  "tried again at the next run") from None
            self.cache.save(creds.to_json())
        return str(creds.token)


def browser_sign_in(settings: OAuthSettings, say: Callable[[str], None]) -> str:
    """The one-time sign-in in the browser; stores the refresh token and returns where."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    store = TokenCache(settings)
    store.check_writable()
    flow = InstalledAppFlow.from_client_config(_client_config(settings), scopes=SCOPES)
    try:
        creds = flow.run_local_server(host="localhost", port=0, open_browser=True, login_hint=settings.user,
                                      authorization_prompt_message=PROMPT, timeout_seconds=600)
    except Exception as exc:  # oauthlib's and requests' errors: the person sees one line
        raise SignInError(f"the Google sign-in did not complete ({' '.join(str(exc).split())[:200]})") from None
    if creds is None or not creds.refresh_token:
        raise SignInError("Google gave no refresh token: remove sheets-sync's access under Google Account > "
                          "Security > Third-party apps, then sign in again")
    store.save(creds.to_json())
    return store.where


def _client_config(settings: OAuthSettings) -> dict[str, Any]:
    if not settings.client_file:
        raise ConfigError(NO_CLIENT_FILE)
    try:
        with open(settings.client_file, encoding="utf-8") as handle:
            config = json.load(handle)
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not JSON"
        raise ConfigError(f"{settings.client_file} (oauth2_client_file): cannot read it ({why})") from None
    client = config.get("installed") if isinstance(config, dict) else None
    if not isinstance(client, dict) or "client_id" not in client:
        raise ConfigError(f"{settings.client_file} (oauth2_client_file) is not a Desktop app OAuth client file: "
                          "create one of type Desktop app in the Google Cloud console")
    if settings.authority:
        root = settings.authority.rstrip("/")
        client = {**client, "auth_uri": f"{root}/o/oauth2/auth", "token_uri": f"{root}/token"}
    return {"installed": client}


def _token_uri(settings: OAuthSettings) -> str:
    return f"{settings.authority.rstrip('/')}/token" if settings.authority else TOKEN_URI


def _error(exc: Exception) -> str:
    """The OAuth error code in a RefreshError ('invalid_grant'), or ''."""
    detail = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(detail, dict):
        return str(detail.get("error", ""))
    return "invalid_grant" if "invalid_grant" in str(exc) else ""
