"""Google credentials: a service account key, a person's own account (OAuth), or ADC.

Where they come from, first match wins:

1. ``$GOOGLE_APPLICATION_CREDENTIALS``, then ``[google] credentials = "path"`` in the config
   file: a service account key file (``"type": "service_account"``), an OAuth client file
   downloaded for a desktop app (``{"installed": ...}``: the browser sign-in runs once and
   the token is cached), or an authorized-user file.
2. A token cached by an earlier OAuth sign-in: ``<config folder>/google-token.json``.
3. Application Default Credentials (``gcloud auth application-default login``, or the
   machine's service account on Google Cloud).

The service account key's ``token_uri`` is used as written in the file, which is how a
local emulator's token endpoint is reached in tests.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import google.auth
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from sheets_sync.backends.google.http import DEFAULT_ENDPOINT, api_endpoint
from sheets_sync.config import Config, user_dir
from sheets_sync.errors import ConfigError

# drive.file: only files this tool creates, so ``init --google`` can share what it made.
SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive.file"]
TOKEN_FILE = "google-token.json"

NO_CREDENTIALS = (
    "No Google credentials found: set [google] credentials = \"path/to/key.json\" in the config "
    "file (or GOOGLE_APPLICATION_CREDENTIALS), or run 'gcloud auth application-default login'. "
    "See docs/google.md."
)


@dataclass
class Identity:
    """Credentials and who they act as, for messages ("the service account x@y ...")."""

    credentials: Credentials
    kind: str  # service_account | user | adc
    email: str = ""  # the service account's client_email, when known
    origin: str = ""  # where they came from, for messages (a path or "ADC")

    def who(self) -> str:
        """'The service account sync@proj.iam.gserviceaccount.com', or 'Your Google account'."""
        if self.kind == "service_account" and self.email:
            return f"The service account {self.email}"
        return "Your Google account"


class EmulatorServiceAccount(service_account.Credentials):
    """Service account credentials for a local emulator: google-auth's background lookup of
    the account's allowed regions (at iamcredentials.googleapis.com) is skipped, since the
    emulator is not Google and tests must not reach the internet."""

    def _is_regional_access_boundary_lookup_required(self) -> bool:
        return False


def token_path() -> Path:
    """Where the OAuth sign-in's token is cached (mode 0600)."""
    return user_dir() / TOKEN_FILE


def credentials_path(config: Config | None) -> Path | None:
    """The credentials file named by the environment or the config file, or None."""
    env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if env:
        return Path(env).expanduser()
    configured = (config or Config()).section("google").get("credentials")
    if configured:
        path = Path(str(configured)).expanduser()
        if not path.is_absolute() and config is not None and config.path is not None:
            path = config.path.parent / path
        return path
    return None


def load_identity(config: Config | None = None, *, interactive: bool = True) -> Identity:
    """The credentials to use, per the order in the module docstring.

    Raises ConfigError (one line, no secrets) when a named file is missing or unreadable, or
    when no credentials are found at all. ``interactive`` allows the browser sign-in.
    """
    path = credentials_path(config)
    if path is not None:
        return _from_file(path, interactive=interactive)
    cached = token_path()
    if cached.is_file():
        return Identity(_cached_user(cached), "user", origin=str(cached))
    try:
        creds, _project = google.auth.default(scopes=SCOPES)
    except auth_exceptions.DefaultCredentialsError:
        raise ConfigError(NO_CREDENTIALS) from None
    email = str(getattr(creds, "service_account_email", "") or "")
    kind = "service_account" if isinstance(creds, service_account.Credentials) else "adc"
    return Identity(creds, kind, email=email if "@" in email else "", origin="ADC")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Google credentials file {path} not found: check the path") from None
    except OSError as exc:
        raise ConfigError(f"Google credentials file {path}: cannot read it ({exc.strerror})") from None
    except ValueError:
        raise ConfigError(f"Google credentials file {path} is not JSON: download the key file again") from None
    if not isinstance(info, dict):
        raise ConfigError(f"Google credentials file {path} is not a key file: download it again")
    return info


def _from_file(path: Path, *, interactive: bool) -> Identity:
    info = _read_json(path)
    if info.get("type") == "service_account":
        kind = service_account.Credentials if api_endpoint() == DEFAULT_ENDPOINT else EmulatorServiceAccount
        try:
            creds = kind.from_service_account_info(info, scopes=SCOPES)
        except (ValueError, KeyError):
            raise ConfigError(
                f"{path}: the service account key is incomplete or damaged: create a new key "
                "in the Google Cloud console"
            ) from None
        return Identity(creds, "service_account", email=str(info.get("client_email", "")), origin=str(path))
    if info.get("type") == "authorized_user":
        try:
            creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=SCOPES)
        except ValueError:
            raise ConfigError(f"{path}: the authorized-user file is incomplete: sign in again") from None
        return Identity(creds, "user", origin=str(path))
    if "installed" in info:
        cached = token_path()
        if cached.is_file():
            return Identity(_cached_user(cached), "user", origin=str(cached))
        if not interactive:
            raise ConfigError(
                f"Not signed in to Google yet: run 'sheets-sync check gsheet:<key>' once in a "
                f"terminal to sign in with {path}"
            )
        return Identity(sign_in(path), "user", origin=str(path))
    raise ConfigError(
        f"{path}: not a service account key or an OAuth client file for a desktop app: see docs/google.md"
    )


def _cached_user(path: Path) -> Credentials:
    try:
        return user_credentials.Credentials.from_authorized_user_file(str(path), scopes=SCOPES)
    except (ValueError, OSError):
        raise ConfigError(f"{path}: the saved Google sign-in is damaged: delete the file and sign in again") from None


def sign_in(client_file: Path) -> Credentials:
    """Run the OAuth desktop flow in the browser and cache the token (mode 0600)."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_secrets_file(str(client_file), scopes=SCOPES)
    creds = flow.run_local_server(port=0, open_browser=True)
    save_token(creds)
    return creds


def save_token(creds: Any) -> Path:
    """Write the user's token to the config folder, readable by its owner only."""
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(creds.to_json())
    os.chmod(path, 0o600)  # also when the file already existed with wider rights
    return path
