"""Where a provider keeps its refresh token between runs: the system keyring when this
machine has one, else a file only its owner can read, in ``tokens/`` of the user config folder
(``~/.config/sheets-sync/tokens/``), never beside the workbook.

Writing refuses a ``tokens`` folder that others can read (``login`` says how to fix it);
reading refuses a file or folder that others can read, as the environment file does.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sheets_sync.config import user_dir
from sheets_sync.errors import ConfigError
from sheets_sync.signin.env_file import check_private
from sheets_sync.signin.keyring_store import delete_secret, get_secret, keyring_usable, set_secret
from sheets_sync.signin.settings import OAuthSettings

FOLDER = "tokens"


class TokenCache:
    """The stored sign-in (a provider's own serialised cache, as text) of one mailbox."""

    def __init__(self, settings: OAuthSettings) -> None:
        self.name = f"oauth2:{settings.provider}:{settings.user.lower()}"
        safe = re.sub(r"[^a-z0-9@._-]", "_", settings.user.lower())
        self.path = user_dir() / FOLDER / f"{settings.provider}-{safe}.json"
        self.in_keyring = keyring_usable()

    @property
    def where(self) -> str:
        """Where the sign-in is kept, in words (no secret)."""
        return "the system keyring (service sheets-sync)" if self.in_keyring else f"{self.path} (mode 600)"

    def load(self) -> str:
        """The stored text, or "" when nobody has signed in yet."""
        if self.in_keyring:
            return get_secret(self.name)
        if not self.path.exists():
            return ""
        check_private(self.path.parent)
        check_private(self.path)
        return self.path.read_text(encoding="utf-8")

    def check_writable(self) -> None:
        """ConfigError when the sign-in could not be stored safely (a folder others can read);
        ``login`` asks before the person signs in."""
        if self.in_keyring:
            return
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            check_private(folder)
        except ConfigError:
            raise ConfigError(f"{folder} can be read by other users: the sign-in is not stored there. Run chmod 700 "
                              f"{folder} and sign in again") from None

    def save(self, text: str) -> None:
        """Store ``text`` (replacing what was there). ConfigError when the folder is open to others."""
        if self.in_keyring:
            set_secret(self.name, text)
            return
        self.check_writable()
        temporary = self.path.with_name(self.path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, self.path)

    def forget(self) -> None:
        """Remove the stored sign-in."""
        if self.in_keyring:
            delete_secret(self.name)
        elif self.path.exists():
            Path(self.path).unlink()
