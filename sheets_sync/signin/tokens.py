"""An OAuth 2.0 access token for the mail server, and the ``XOAUTH2`` string that carries it.

A ``TokenSource`` gives the current access token (``renew=True``: a new one, when the server
refused the last). ``token_source`` picks the provider named by the settings. The token never
appears in a message, a log or ``--json``: errors name the provider and what to do.
"""

from __future__ import annotations

from typing import Protocol

from sheets_sync.signin.settings import OAuthSettings


class TokenSource(Protocol):
    """Gives access tokens for one mailbox."""

    description: str  # e.g. "OAuth 2.0 (Microsoft 365)"

    def access_token(self, *, renew: bool = False) -> str:
        """The access token to use now; with ``renew``, not the one last given. Raises
        SignInError when none can be had without a person (sign in again)."""
        ...


def token_source(settings: OAuthSettings) -> TokenSource:
    """The provider the settings name."""
    if settings.provider == "command":
        from sheets_sync.signin.command import CommandTokens

        return CommandTokens(settings)
    if settings.provider == "microsoft":
        from sheets_sync.signin.microsoft import MicrosoftTokens

        return MicrosoftTokens(settings)
    from sheets_sync.signin.google import GoogleTokens

    return GoogleTokens(settings)


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response, before base64 (smtplib and imapclient encode it)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"
