"""``sheets-sync login``: the one-time sign-in a person does, so that every later run (a
scheduled one too) signs in by itself.

With a password: store it where this machine can keep a secret (the system keyring, else the
0600 environment file). With OAuth 2.0: the provider's sign-in (Microsoft's device code, a
browser for Google), whose refresh token goes to the token cache; with ``command``: one run
of the command, to show it works.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sheets_sync.errors import ConfigError
from sheets_sync.mail.config import MailSettings
from sheets_sync.signin.cache import TokenCache
from sheets_sync.signin.env_file import env_file_path, write_env_value
from sheets_sync.signin.keyring_store import keyring_usable, set_secret

PASSWORD_VARIABLE = "SHEETS_SYNC_SMTP_PASSWORD"


def store_password(user: str, password: str) -> str:
    """Keep ``password`` for ``user`` in the keyring when this machine has one, else in the
    environment file; return where it went, in words."""
    if not password:
        raise ConfigError("no password given: nothing was stored")
    if keyring_usable():
        set_secret(user, password)
        return f"the system keyring (service sheets-sync, user {user})"
    path = write_env_value(PASSWORD_VARIABLE, password)
    return f"{path} (mode 600; this machine has no system keyring)"


BESIDE_THE_WORKBOOK = ("{path} is in the workbook's folder ({folder}), where others who get the workbook could "
                       "get the sign-in too: point SHEETS_SYNC_HOME (or SHEETS_SYNC_ENV_FILE) at a private folder "
                       "elsewhere; nothing was stored")


def check_not_beside(path: Path, source: str) -> None:
    """ConfigError when ``path`` (where a secret would be written) is inside the folder of
    the workbook ``source`` (a shared or synced folder, often), unless that folder is the
    home folder (or above it), where the user config folder always is."""
    if not source or source.startswith(("gsheet:", "https://")):
        return
    folder = Path(source).expanduser().resolve().parent
    home = Path.home().resolve()
    if folder == home or folder in home.parents:  # a workbook kept in the home folder itself
        return
    if path.expanduser().resolve().is_relative_to(folder):
        raise ConfigError(BESIDE_THE_WORKBOOK.format(path=path, folder=folder))


def sign_in(settings: MailSettings, ask_password: Callable[[], str], say: Callable[[str], None],
            source: str = "") -> str:
    """The one-time sign-in for ``settings``; ``ask_password`` reads a password without
    echoing it, ``say`` shows the person what to do (the device code). ``source`` is the
    workbook: no secret is written into its folder. Returns one line saying what was stored
    where (never the secret)."""
    if not keyring_usable():
        check_not_beside(env_file_path() if settings.oauth2 is None else TokenCache(settings.oauth2).path, source)
    if settings.oauth2 is None:
        if not settings.user:
            raise ConfigError("no login is configured: set user = \"...\" in [smtp] (or SHEETS_SYNC_SMTP_USER) "
                              "to sign in to the mail server")
        where = store_password(settings.user, ask_password())
        return f"Stored the SMTP password for {settings.user} in {where}."
    oauth2 = settings.oauth2
    if oauth2.provider == "command":
        from sheets_sync.signin.command import CommandTokens

        CommandTokens(oauth2).access_token()
        return (f"{oauth2.command[0]} printed an access token; nothing to store: every run asks it "
                f"for a new one.")
    if oauth2.provider == "microsoft":
        from sheets_sync.signin.microsoft import device_code_sign_in

        where = device_code_sign_in(oauth2, say)
    else:
        from sheets_sync.signin.google import browser_sign_in

        where = browser_sign_in(oauth2, say)
    return f"Signed in as {oauth2.user} ({oauth2.describe()}); the refresh token is kept in {where}."
