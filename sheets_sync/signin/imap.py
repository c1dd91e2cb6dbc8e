"""IMAP ``AUTHENTICATE XOAUTH2`` with the same sign-in as SMTP, for the mailbox reader.

The mailbox code calls ``xoauth2_login`` where it would log in with a password: imapclient's
``oauth2_login`` sends the token; a refused token is renewed once (it may have expired since it
was cached), and a second refusal is one line saying to sign in again. Microsoft's token is
asked for the IMAP scope too (``IMAP.AccessAsUser.All``), Google's ``https://mail.google.com/``
covers both, so one ``sheets-sync login`` serves SMTP and IMAP.
"""

from __future__ import annotations

from typing import Any

from sheets_sync.errors import SignInError
from sheets_sync.signin.redact import hide
from sheets_sync.signin.settings import OAuthSettings
from sheets_sync.signin.tokens import TokenSource, token_source

REFUSED = ("the mailbox refused the OAuth 2.0 sign-in for {user} ({why}): the mailbox must be the account you "
           "signed in with, and the app needs the IMAP.AccessAsUser.All permission (docs/email.md); then sign in "
           "again: {login}")


def xoauth2_login(client: Any, settings: OAuthSettings, tokens: TokenSource | None = None) -> TokenSource:
    """Sign ``client`` (an ``imapclient.IMAPClient`` not yet signed in) in as ``settings.user``
    with an access token from ``tokens`` (default: the provider the settings name). Returns
    the token source, for a later reconnection. Raises SignInError when no token is had or
    the server refuses a new one too; never shows the token."""
    from imapclient.exceptions import LoginError

    tokens = tokens or token_source(settings)
    try:
        client.oauth2_login(settings.user, tokens.access_token())
        return tokens
    except LoginError:
        pass  # a token that expired since it was cached: one new one, once
    token = tokens.access_token(renew=True)
    try:
        client.oauth2_login(settings.user, token)
    except LoginError as exc:
        why = hide(" ".join(str(exc).split()), token)[:200] or "refused"  # a server may echo the token
        raise SignInError(REFUSED.format(user=settings.user, why=why, login=settings.login_command())) from None
    return tokens
