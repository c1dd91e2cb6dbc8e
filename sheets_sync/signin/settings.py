"""How the mail server is signed in to: a password (the default) or OAuth 2.0, and for
OAuth 2.0 which provider gives the access token (Microsoft 365, Google, or a command)."""

from __future__ import annotations

from dataclasses import dataclass

AUTH_CHOICES = ("password", "oauth2")
PROVIDERS = ("microsoft", "google", "command")
AUTHORITY_ENV = "SHEETS_SYNC_OAUTH2_AUTHORITY"  # another identity provider address (tests, national clouds)
DEFAULT_TENANT = "organizations"
PROVIDER_NAMES = {"microsoft": "Microsoft 365", "google": "Google", "command": "oauth2_command"}


@dataclass(frozen=True)
class OAuthSettings:
    """What an OAuth 2.0 sign-in needs. ``source`` is the workbook as the person typed it, so
    that a message can say the exact ``sheets-sync login`` command to run."""

    provider: str  # microsoft | google | command
    user: str  # the mailbox, e.g. office@harborlane.example
    client_id: str = ""
    tenant: str = DEFAULT_TENANT
    command: tuple[str, ...] = ()
    client_file: str = ""  # Google: the OAuth client file downloaded from the Cloud console
    authority: str = ""  # "" = the provider's own sign-in address
    timeout: float = 30.0
    source: str = ""

    def describe(self) -> str:
        """e.g. 'OAuth 2.0 (Microsoft 365)'."""
        if self.provider == "command" and self.command:
            return f"OAuth 2.0 (token from {self.command[0]})"
        return f"OAuth 2.0 ({PROVIDER_NAMES[self.provider]})"

    def login_command(self) -> str:
        """The command that signs in again."""
        return f"sheets-sync login {_quoted(self.source) if self.source else '<workbook>'}"


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)
