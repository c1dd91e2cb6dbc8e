"""The test SMTP server with ``AUTH XOAUTH2``, as Microsoft 365 and Gmail offer it.

It accepts exactly ``user=<USER>\\x01auth=Bearer <token>\\x01\\x01`` for a token it was given
(``server.tokens``: token -> messages it may still send, None for no limit). A token that has
sent its messages "expires": the next MAIL FROM in its session is answered ``421 4.7.0`` and
the client must sign in again with a new one. Any other token gets the real refusal: a 334
challenge holding the error as JSON, then ``535 5.7.3 Authentication unsuccessful`` (or
``server.refusal``). A password login gets ``server.password_refusal`` when set (Microsoft
365 with Basic authentication off).
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP, AuthResult
from smtp_server import USER, MailServer, _Handler

REFUSED = "535 5.7.3 Authentication unsuccessful [SN4PR0401CA0001.namprd04.prod.outlook.com]"
SMTP_AUTH_DISABLED = ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                      "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.")
BASIC_AUTH_OFF = "550 5.7.30 Basic authentication is not supported for Client Submission."


class _OAuthHandler(_Handler):
    server: OAuthMailServer

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) == 2:
            blob: Any = _decode(args[1])
        else:
            blob = await server.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        token = self.server.token_in(blob)
        if token is not None:
            self.server.logins.append(token)
            return AuthResult(success=True, auth_data=token)
        self.server.refused.append(blob)
        error = json.dumps({"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"})
        answer = await server.challenge_auth(error)  # the client must answer with an empty line
        if answer is MISSING:
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False, message=self.server.refusal)

    async def handle_MAIL(self, server: SMTP, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        token = getattr(session, "auth_data", None)
        if isinstance(token, str) and self.server.tokens.get(token, 1) == 0:
            return "421 4.7.0 Access token expired, closing connection"
        return await super().handle_MAIL(server, session, envelope, address, options)

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        token = getattr(session, "auth_data", None)
        if answer.startswith("250") and isinstance(token, str):
            self.server.used(token)
        return answer


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


class OAuthMailServer(MailServer):
    """A STARTTLS server that requires a login: XOAUTH2 with a known token (or a password,
    answered ``password_refusal`` when that is set)."""

    handler_class = _OAuthHandler

    def __init__(self, folder: Path, *, tokens: dict[str, int | None] | None = None,
                 refusal: str = REFUSED, password_refusal: str = "") -> None:
        self.tokens: dict[str, int | None] = dict(tokens or {})
        self.refusal = refusal
        self.password_refusal = password_refusal
        self.refused: list[bytes | None] = []
        super().__init__(folder, security="starttls", auth=True)

    def token_in(self, blob: bytes | None) -> str | None:
        """The token in an XOAUTH2 response, when the response is exactly right and the token known."""
        if blob is None:
            return None
        prefix, suffix = f"user={USER}\x01auth=Bearer ".encode(), b"\x01\x01"
        if not (blob.startswith(prefix) and blob.endswith(suffix)):
            return None
        token = blob[len(prefix):-len(suffix)].decode("ascii", "replace")
        return token if token in self.tokens and self.tokens[token] != 0 else None  # 0: expired

    def used(self, token: str) -> None:
        """One more message sent with ``token``."""
        left = self.tokens.get(token)
        if left is not None:
            self.tokens[token] = left - 1

    def _authenticate(self, server: SMTP, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        if self.password_refusal:
            return AuthResult(success=False, handled=False, message=self.password_refusal)
        return super()._authenticate(server, session, envelope, mechanism, auth_data)

    def env(self) -> dict[str, str]:
        """The variables for an OAuth 2.0 sign-in to this server (no password)."""
        values = super().env()
        values.pop("SHEETS_SYNC_SMTP_PASSWORD")
        values["SHEETS_SYNC_SMTP_AUTH"] = "oauth2"
        return values
