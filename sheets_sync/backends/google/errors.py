"""Google API and sign-in failures as one line that says what to do (never a token or key)."""

from __future__ import annotations

from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError

from sheets_sync.backends.google.auth import Identity, token_path
from sheets_sync.errors import ConfigError, RemoteError, SourceError


def status_of(exc: APIError) -> int:
    try:
        return int(exc.response.status_code)
    except (AttributeError, TypeError, ValueError):
        return int(exc.code) if isinstance(exc.code, int) else 0


def _message(exc: APIError) -> str:
    if not isinstance(exc.error, dict) or exc.error.get("code") == -1:
        return ""  # not a JSON error (an HTML page from a proxy): nothing worth showing
    message = exc.error.get("message", "")
    return " ".join(str(message).split())[:200]


def api_error(exc: APIError, key: str, identity: Identity | None) -> SourceError:
    """A Google API error as one line that says what to do."""
    status = status_of(exc)
    message = _message(exc)
    who = identity.who() if identity else "Your Google account"
    if status == 401:
        fix = (f"create a new key for {identity.email} in the Google Cloud console"
               if identity and identity.kind == "service_account" and identity.email
               else f"delete {token_path()} and sign in again")
        return RemoteError(f"Google did not accept the credentials (401): {fix}", status=status, source=key)
    if status == 403:
        if "has not been used" in message or "is disabled" in message or "SERVICE_DISABLED" in str(exc.error):
            return RemoteError(
                "The Google Sheets API is not enabled for the Cloud project of these credentials: enable "
                "it at https://console.cloud.google.com/apis/library/sheets.googleapis.com", status=status, source=key)
        if identity and identity.kind == "service_account" and identity.email:
            return RemoteError(
                f"{who} cannot open this spreadsheet: share it with that address (Editor).", status=status, source=key)
        return RemoteError(
            f"{who} cannot open this spreadsheet: ask its owner to share it with you (Editor).",
            status=status, source=key)
    if status == 404:
        return RemoteError(f"No spreadsheet with key {key}: check the address", status=status, source=key)
    detail = f": {message}" if message else ""
    return RemoteError(f"Google Sheets refused the request (HTTP {status}){detail}", status=status, source=key)


def auth_error(exc: auth_exceptions.GoogleAuthError, identity: Identity | None) -> SourceError | ConfigError:
    """A sign-in failure as one line (google-auth's messages can be long; keep the first part)."""
    first = exc.args[0] if exc.args else type(exc).__name__
    detail = " ".join(str(first).split())[:160]
    if identity and identity.kind == "service_account":
        fix = "check that the key file is current (keys deleted in the Cloud console stop working)"
    elif isinstance(exc, auth_exceptions.DefaultCredentialsError):
        return ConfigError(f"Google credentials problem: {detail}")
    else:
        fix = f"delete {token_path()} and sign in again"
    return RemoteError(f"Google sign-in failed ({detail}): {fix}")
