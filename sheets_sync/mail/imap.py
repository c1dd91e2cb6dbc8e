"""The mailbox the replies arrive in: where it is (``[imap]`` in the config, the
``SHEETS_SYNC_IMAP_*`` variables), and one signed-in connection to it (``connect``).

imapclient speaks IMAP for us: it parses the server's answers (literals, UIDs, FLAGS) into
Python values and has BODY.PEEK fetches, UIDVALIDITY and STARTTLS, where the standard
library's imaplib hands back raw lines to parse by hand.

The password never lives in the config file: ``SHEETS_SYNC_IMAP_PASSWORD``, else the keyring
(service ``sheets-sync``, user name = the IMAP user). With no IMAP user, the SMTP user and
its password are used (most mailboxes sign in to both with one account). Sign-in is one
function, ``password_login``; with ``[smtp] auth = "oauth2"`` the mailbox uses the same OAuth
2.0 sign-in as the mail server (``signin.imap.xoauth2_login``) and needs no password.
"""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sheets_sync.config import SCHEMA, Config
from sheets_sync.errors import ConfigError, MailError, SignInError
from sheets_sync.mail import config as smtp_config
from sheets_sync.signin.env_file import env_file_path
from sheets_sync.signin.imap import xoauth2_login
from sheets_sync.signin.keyring_store import get_secret, keyring_usable
from sheets_sync.signin.redact import hide
from sheets_sync.signin.settings import OAuthSettings

if TYPE_CHECKING:  # imapclient and ssl are imported by connect: a run without a mailbox never loads them
    import ssl

    from imapclient import IMAPClient

DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
DEFAULT_TIMEOUT = 60.0
ENV = {
    "host": "SHEETS_SYNC_IMAP_HOST",
    "port": "SHEETS_SYNC_IMAP_PORT",
    "user": "SHEETS_SYNC_IMAP_USER",
    "password": "SHEETS_SYNC_IMAP_PASSWORD",
    "security": "SHEETS_SYNC_IMAP_SECURITY",
}

NO_PASSWORD = ("no IMAP password for {user}: set SHEETS_SYNC_IMAP_PASSWORD, or store it once with: "
               "keyring set sheets-sync {user}")
# A machine with no keyring backend (a headless server): recommend only what works there.
NO_PASSWORD_NO_KEYRING = ("no IMAP password for {user}: set SHEETS_SYNC_IMAP_PASSWORD; this machine has no system "
                          "keyring, so put the line SHEETS_SYNC_IMAP_PASSWORD=... in {env_file} (chmod 600; every "
                          "run reads it)")
NO_USER = ("no IMAP user: set user = \"...\" in [imap] or SHEETS_SYNC_IMAP_USER (or user in [smtp], "
           "which the mailbox then shares)")
UNREACHABLE = ("cannot reach the mailbox {where} ({why}): check SHEETS_SYNC_IMAP_HOST, _PORT and "
               "_SECURITY (Gmail: imap.gmail.com 993 ssl; Microsoft 365: outlook.office365.com 993 ssl)")
LOGIN_REFUSED = ("the mailbox {where} refused the login for {user} ({why}): check SHEETS_SYNC_IMAP_USER "
                 "and the password (Gmail needs an app password; Microsoft 365 needs OAuth sign-in)")


class MailboxError(MailError):
    """The mailbox could not be reached, signed in to or read (exit 3)."""


@dataclass(frozen=True)
class ImapSettings:
    """Everything needed to read the mailbox."""

    host: str
    port: int
    security: str  # ssl | starttls | none
    user: str
    password: str = field(default="", repr=False)
    folders: tuple[str, ...] = ("INBOX",)
    ca_file: str = ""
    timeout: float = DEFAULT_TIMEOUT
    oauth2: OAuthSettings | None = None  # [smtp] auth = "oauth2": the same sign-in, no password

    def describe(self) -> str:
        """One line naming the server, the security and the login, never the password."""
        return f"{self.host}:{self.port} ({self.security}) as {self.user}"


def resolve_imap_settings(config: Config, environ: Mapping[str, str] | None = None) -> ImapSettings | None:
    """The mailbox settings in force (environment over the ``[imap]`` table), or None when
    no IMAP host is configured. Raises ConfigError for a bad value or a missing password."""
    environ = os.environ if environ is None else environ
    table = config.section("imap")

    def pick(name: str) -> str:
        value = environ.get(ENV[name]) if name in ENV else None
        if value is None or not value.strip():
            value = table.get(name)
        return str(value).strip() if value is not None else ""

    host = pick("host")
    if not host:
        return None
    security = smtp_config.one_of(pick("security").lower() or "ssl", smtp_config.SECURITY_CHOICES, "IMAP security",
                                  "SHEETS_SYNC_IMAP_SECURITY or security in [imap]")
    port_text = pick("port")
    port = int(SCHEMA["imap"]["port"].from_text(port_text, "IMAP port")) if port_text else DEFAULT_PORTS[security]
    user = pick("user")
    shared = False
    if not user:
        user = smtp_config.given("user", config, environ=environ)
        shared = bool(user)
    if not user:
        raise ConfigError(NO_USER)
    settings = ImapSettings(host=host, port=port, security=security, user=user, folders=_folders(table),
                            ca_file=os.path.expanduser(str(table.get("ca_file") or "")), timeout=_timeout(table))
    oauth2 = smtp_config.oauth2_settings(config, environ=environ)
    if oauth2 is not None:  # one sign-in (sheets-sync login) serves SMTP and IMAP
        return dataclasses.replace(settings, oauth2=dataclasses.replace(oauth2, user=user))
    password = environ.get(ENV["password"], "") or get_secret(user)
    if not password and shared:
        password = environ.get(smtp_config.ENV["password"], "")
    if not password:
        raise ConfigError(NO_PASSWORD.format(user=user) if keyring_usable() else
                          NO_PASSWORD_NO_KEYRING.format(user=user, env_file=env_file_path(environ)))
    if host.lower().endswith(smtp_config.GOOGLE_HOSTS):
        password = password.replace(" ", "")  # Google shows app passwords as "abcd efgh ..."
    return dataclasses.replace(settings, password=password)


def _folders(table: Mapping[str, object]) -> tuple[str, ...]:
    folders = table.get("folders") or ["INBOX"]
    return tuple(str(f) for f in folders) if isinstance(folders, list) else (str(folders),)


def _timeout(table: Mapping[str, object]) -> float:
    timeout = table.get("timeout")
    return float(timeout) if isinstance(timeout, int | float) and timeout else DEFAULT_TIMEOUT


def _context(settings: ImapSettings) -> ssl.SSLContext:
    import ssl

    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"IMAP ca_file {settings.ca_file}: cannot be read as certificates ({exc})") from None
    return context


def connect(settings: ImapSettings) -> IMAPClient:
    """A connection to the mailbox, signed in (``password_login``, or ``xoauth2_login`` with
    OAuth 2.0). Raises MailboxError (one line, never the password) when the server cannot be
    reached or refuses the login, SignInError when no access token can be had."""
    # imported here, not at the top: a run without a mailbox never loads imapclient (start-up time)
    import ssl

    from imapclient import IMAPClient
    from imapclient.exceptions import IMAPClientError, LoginError

    where = f"{settings.host}:{settings.port} ({settings.security})"
    try:
        client = IMAPClient(settings.host, port=settings.port, ssl=settings.security == "ssl",
                            ssl_context=_context(settings), timeout=settings.timeout)
        if settings.security == "starttls":
            client.starttls(_context(settings))
    except (OSError, IMAPClientError, ssl.SSLError) as exc:
        raise MailboxError(UNREACHABLE.format(where=where, why=_why(exc))) from None
    try:
        if settings.oauth2 is not None:
            xoauth2_login(client, settings.oauth2)
        else:
            password_login(client, settings)
    except SignInError:
        _close(client)
        raise
    except LoginError as exc:  # a server may quote the password back in its NO
        _close(client)
        why = hide(_why(exc), settings.password)
        raise MailboxError(LOGIN_REFUSED.format(where=where, user=settings.user, why=why)) from None
    except (OSError, IMAPClientError) as exc:
        _close(client)
        raise MailboxError(UNREACHABLE.format(where=where, why=hide(_why(exc), settings.password))) from None
    return client


def password_login(client: IMAPClient, settings: ImapSettings) -> None:
    """Sign in with the user name and password (LOGIN)."""
    client.login(settings.user, settings.password)


def _close(client: IMAPClient) -> None:
    from imapclient.exceptions import IMAPClientError

    try:
        client.logout()
    except (OSError, IMAPClientError):
        pass


def _why(exc: BaseException) -> str:
    import ssl

    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"certificate verify failed: {exc.verify_message}; a server with a private certificate "
                "needs ca_file in [imap]")
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or exc}"
    if isinstance(exc, OSError) and exc.strerror:  # its args[0] is the bare number (111)
        return exc.strerror
    text = exc.args[0] if exc.args else type(exc).__name__
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())[:200] or type(exc).__name__
