"""Where the mail server settings come from: flag, then environment, then the config file's
``[smtp]`` table, then the default (click's convention).

The password never lives in the config file: it comes from ``SHEETS_SYNC_SMTP_PASSWORD`` (set
in the environment or in the 0600 environment file, ``signin.env_file``) or the system keyring
(service ``sheets-sync``, user name = the SMTP user). With ``auth = "oauth2"`` there is no
password: the ``signin`` package gives an access token instead. No host anywhere
means no mail server: the sync then writes to the outbox folder.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from typing import Any

from sheets_sync.config import SCHEMA, Config
from sheets_sync.errors import BadAddress, ConfigError
from sheets_sync.model.addresses import check_address
from sheets_sync.signin.env_file import env_file_path
from sheets_sync.signin.keyring_store import get_secret, keyring_usable
from sheets_sync.signin.settings import (
    AUTH_CHOICES,
    AUTHORITY_ENV,
    DEFAULT_TENANT,
    PROVIDERS,
    OAuthSettings,
)

SECURITY_CHOICES = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
GOOGLE_HOSTS = ("gmail.com", "googlemail.com")
DEFAULT_TIMEOUT = 30.0
DEFAULT_SEND_TIME_LIMIT = 300.0  # a greylisting server must not stretch a run without end

ENV = {
    "host": "SHEETS_SYNC_SMTP_HOST",
    "port": "SHEETS_SYNC_SMTP_PORT",
    "user": "SHEETS_SYNC_SMTP_USER",
    "password": "SHEETS_SYNC_SMTP_PASSWORD",
    "security": "SHEETS_SYNC_SMTP_SECURITY",
    "sender": "SHEETS_SYNC_FROM",
    "reply_to": "SHEETS_SYNC_REPLY_TO",
    "ca_file": "SHEETS_SYNC_SMTP_CA_FILE",
    "timeout": "SHEETS_SYNC_SMTP_TIMEOUT",
    "send_time_limit": "SHEETS_SYNC_SMTP_SEND_TIME_LIMIT",
    "auth": "SHEETS_SYNC_SMTP_AUTH",
    "oauth2": "SHEETS_SYNC_SMTP_OAUTH2",
    "oauth2_client_id": "SHEETS_SYNC_SMTP_OAUTH2_CLIENT_ID",
    "oauth2_tenant": "SHEETS_SYNC_SMTP_OAUTH2_TENANT",
    "oauth2_command": "SHEETS_SYNC_SMTP_OAUTH2_COMMAND",
    "oauth2_client_file": "SHEETS_SYNC_SMTP_OAUTH2_CLIENT_FILE",
}
# Config-file names for each setting ("from" reads better in a file than "sender").
FILE_KEYS = {"host": "host", "port": "port", "user": "user", "security": "security",
             "sender": "from", "reply_to": "reply_to", "ca_file": "ca_file", "timeout": "timeout",
             "send_time_limit": "send_time_limit", "auth": "auth", "oauth2": "oauth2",
             "oauth2_client_id": "oauth2_client_id", "oauth2_tenant": "oauth2_tenant",
             "oauth2_command": "oauth2_command", "oauth2_client_file": "oauth2_client_file"}

NO_PASSWORD = (
    "no SMTP password for {user}: store it once with: sheets-sync login <workbook> (or: keyring set "
    "sheets-sync {user}), or set SHEETS_SYNC_SMTP_PASSWORD"
)
# A machine with no keyring backend (a headless server): recommend only what works there.
NO_PASSWORD_NO_KEYRING = (
    "no SMTP password for {user}, and this machine has no system keyring: put the line "
    "SHEETS_SYNC_SMTP_PASSWORD=... in {env_file} (chmod 600; every run reads it), or run "
    "sheets-sync login <workbook>, which asks for it and stores it there"
)
NO_OAUTH2_USER = ("auth = \"oauth2\" needs the mailbox to sign in as: set user = \"...\" in [smtp] "
                  "(or SHEETS_SYNC_SMTP_USER)")
NO_SENDER = (
    "no sender address: set SHEETS_SYNC_FROM (e.g. \"Harbor Insurance <office@harbor.example>\") "
    "or from = \"...\" in the [smtp] table of the config file"
)


@dataclass(frozen=True)
class MailSettings:
    """Everything needed to reach the mail server and sign the messages."""

    host: str
    port: int
    security: str  # ssl | starttls | none
    sender: str  # "Name <addr>"
    user: str = ""
    password: str = field(default="", repr=False)
    reply_to: str = ""
    ca_file: str = ""  # extra CA bundle for a server with a private certificate
    timeout: float = DEFAULT_TIMEOUT
    send_time_limit: float = DEFAULT_SEND_TIME_LIMIT  # seconds for a run's whole sending phase
    oauth2: OAuthSettings | None = None  # None: sign in with the password (or not at all)
    origin: str = ""  # where host and port came from, for "cannot reach" ("host from SHEETS_SYNC_SMTP_HOST, ...")

    @property
    def sender_address(self) -> str:
        """The bare address in ``sender``."""
        return parseaddr(self.sender)[1]

    @property
    def sender_domain(self) -> str:
        """The domain of the sender's address (for Message-IDs)."""
        return self.sender_address.rpartition("@")[2] or "localhost"

    def describe(self) -> str:
        """One line naming the server, the security and the login, never the password."""
        login = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.security}){login}"

    def sign_in(self) -> str:
        """How the run signs in: 'OAuth 2.0 (Microsoft 365)', 'a password' or 'no login'."""
        return self.oauth2.describe() if self.oauth2 else "a password" if self.user else "no login"

    def __repr__(self) -> str:
        shown = "***" if self.password else "''"
        return (f"MailSettings(host={self.host!r}, port={self.port}, security={self.security!r}, "
                f"sender={self.sender!r}, user={self.user!r}, password={shown}, "
                f"reply_to={self.reply_to!r}, ca_file={self.ca_file!r}, timeout={self.timeout}, "
                f"send_time_limit={self.send_time_limit}, oauth2={self.oauth2!r})")


def resolve_mail_settings(config: Config, overrides: Mapping[str, Any] | None = None,
                          environ: Mapping[str, str] | None = None, *, source: str = "",
                          need_password: bool = True) -> MailSettings | None:
    """The mail settings in force, or None when no host is configured anywhere. ``source``
    (the workbook as typed) goes into the "sign in again" messages; ``need_password=False``
    (for ``login``, which stores it) lets a login without a password through.

    ``overrides`` holds command-line values (host, port, user, security, sender, reply_to,
    ca_file, timeout); None or "" means "not given". Raises ConfigError for a bad value
    (numbers by the config file's rules, ``config.SCHEMA``, wherever they come from) or a
    login without a password. A password in the file was refused when it was loaded.
    """
    environ = os.environ if environ is None else environ

    def pick(name: str) -> str:
        return given(name, config, overrides, environ)

    def number(name: str, default: float) -> float:
        """A number setting, checked by the config file's rule (SCHEMA) wherever it came from."""
        text, where = _given(name, config, overrides, environ)
        return SCHEMA["smtp"][FILE_KEYS[name]].from_text(text, where) if text else default

    host = pick("host")
    if not host:
        return None
    security = pick("security").lower()
    port = int(number("port", 0))
    if not security:
        security = "ssl" if port == 465 else "none" if port == 25 else "starttls"
    one_of(security, SECURITY_CHOICES, "SMTP security")
    user = pick("user")
    password = ""
    oauth2 = oauth2_settings(config, overrides, environ)
    if oauth2 is not None:
        timeout = number("timeout", DEFAULT_TIMEOUT)
        oauth2 = dataclasses.replace(oauth2, timeout=timeout, source=source)
    elif user:
        password = environ.get(ENV["password"], "") or get_secret(user)
        if not password and need_password:
            raise ConfigError(no_password_line(user, environ))
        if host.lower().endswith(GOOGLE_HOSTS):
            password = password.replace(" ", "")  # Google shows app passwords as "abcd efgh ..."
    sender = _sender(pick("sender") or (user if "@" in user else ""))
    return MailSettings(
        host=host, port=port or DEFAULT_PORTS[security], security=security, sender=sender,
        user=user, password=password, reply_to=_reply_to(pick("reply_to")),
        ca_file=os.path.expanduser(pick("ca_file")) if pick("ca_file") else "",
        timeout=number("timeout", DEFAULT_TIMEOUT),
        send_time_limit=number("send_time_limit", DEFAULT_SEND_TIME_LIMIT), oauth2=oauth2,
        origin=_origin(config, overrides, environ, security),
    )


def _origin(config: Config, overrides: Mapping[str, Any] | None, environ: Mapping[str, str],
            security: str) -> str:
    """'host from X, port from Y' (or 'port 587, the default for starttls')."""
    port = source_of("port", config, overrides, environ)
    port_text = f"port from {port}" if port else f"port {DEFAULT_PORTS[security]}, the default for {security}"
    return f"host from {source_of('host', config, overrides, environ)}, {port_text}"


def oauth2_settings(config: Config, overrides: Mapping[str, Any] | None = None,
                    environ: Mapping[str, str] | None = None) -> OAuthSettings | None:
    """The OAuth 2.0 sign-in the settings ask for (``auth = "oauth2"``), or None for a
    password. ConfigError for an unknown choice or a missing mailbox."""
    environ = os.environ if environ is None else environ

    def pick(name: str) -> str:
        return given(name, config, overrides, environ)

    if one_of(pick("auth").lower() or "password", AUTH_CHOICES, "SMTP auth") == "password":
        return None
    provider = one_of(pick("oauth2").lower() or "microsoft", PROVIDERS, "oauth2",
                      "SHEETS_SYNC_SMTP_OAUTH2 or oauth2 in [smtp]")
    user = pick("user")
    if not user:
        raise ConfigError(NO_OAUTH2_USER)
    try:
        command = tuple(shlex.split(pick("oauth2_command")))
    except ValueError as exc:
        raise ConfigError(f"oauth2_command cannot be read ({exc}): check its quotes") from None
    client_file = pick("oauth2_client_file")
    return OAuthSettings(provider=provider, user=user, client_id=pick("oauth2_client_id"),
                         tenant=pick("oauth2_tenant") or DEFAULT_TENANT, command=command,
                         client_file=os.path.expanduser(client_file) if client_file else "",
                         authority=environ.get(AUTHORITY_ENV, "").strip())


def no_password_line(user: str, environ: Mapping[str, str] | None = None) -> str:
    """What to do when no password is stored: only what works on this machine (no ``keyring
    set`` where there is no keyring)."""
    if keyring_usable():
        return NO_PASSWORD.format(user=user)
    return NO_PASSWORD_NO_KEYRING.format(user=user, env_file=env_file_path(environ))


def one_of(value: str, choices: tuple[str, ...], what: str, where: str = "") -> str:
    """``value`` when it is one of ``choices``, else ConfigError "<what> 'value' is not one of
    a, b, c (<where>)": the one wording for every setting that names a choice."""
    if value not in choices:
        raise ConfigError(f"{what} {value!r} is not one of {', '.join(choices)}" + (f" ({where})" if where else ""))
    return value


def given(name: str, config: Config, overrides: Mapping[str, Any] | None = None,
          environ: Mapping[str, str] | None = None) -> str:
    """One setting as given, unchecked: the flag, else the environment variable, else the
    config file's ``[smtp]`` key; '' when none gives it. The outbox takes its sender and
    Reply-To from here, as the mail server does."""
    return _given(name, config, overrides, environ)[0]


def _given(name: str, config: Config, overrides: Mapping[str, Any] | None,
           environ: Mapping[str, str] | None) -> tuple[str, str]:
    """(the setting as given, where it was given: the flag, the variable or the file's key)."""
    value, _, where = _lookup(name, config, overrides, environ)
    return value, where


def source_of(name: str, config: Config, overrides: Mapping[str, Any] | None = None,
              environ: Mapping[str, str] | None = None) -> str:
    """Where a setting came from, for a message: ``--host``, ``SHEETS_SYNC_SMTP_HOST`` or
    ``<config file> ([smtp] host)``; '' when nothing gives it."""
    return _lookup(name, config, overrides, environ)[1]


def _lookup(name: str, config: Config, overrides: Mapping[str, Any] | None,
            environ: Mapping[str, str] | None) -> tuple[str, str, str]:
    """(the setting as given, where in short, where in full); '' for each when not given."""
    environ = os.environ if environ is None else environ
    what, flag, key = f"SMTP {name.replace('_', ' ')}", f"--{name.replace('_', '-')}", FILE_KEYS[name]
    places = (((overrides or {}).get(name), flag, f"{what} ({flag})"),
              (environ.get(ENV[name]), ENV[name], f"{what} ({ENV[name]})"),
              (config.section("smtp").get(key), f"{config.path or 'the config file'} ([smtp] {key})",
               f"{config.path or 'config'}: {key} in [smtp]"))
    for value, short, where in places:
        if value is not None and str(value).strip() != "":
            return str(value).strip(), short, where
    return "", "", ""


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _sender(value: str) -> str:
    """ "Name <addr>" or "addr", strictly: the address is what is inside the last <...>."""
    name, address = _split(_one_line(value))
    if "@" not in address or any(c in address for c in ' <>,;"'):
        raise ConfigError(NO_SENDER)
    try:  # the one rule for addresses, as for the recipients
        address = check_address(address)
    except BadAddress as exc:
        raise ConfigError(f"the sender {exc}: correct SHEETS_SYNC_FROM or from = \"...\" in [smtp]") from None
    return formataddr((name, address))


def _split(value: str) -> tuple[str, str]:
    """(name, address) of "Name <addr>" or "addr", strictly: the address is what is inside the
    last <...> (``parseaddr`` would read "Desk Bcc: y@evil.example <desk@x>" as y@evil.example)."""
    name, address = "", value
    if value.endswith(">") and "<" in value:
        name, _, address = value[:-1].rpartition("<")
        name = name.strip().strip('"').strip()
    return name, address.strip()


def _reply_to(value: str) -> str:
    """ "Name <addr>" or "addr" (or ""), its address checked by the one rule."""
    value = _one_line(value)
    if not value:
        return ""
    name, address = _split(value)
    try:
        address = check_address(address)
    except BadAddress as exc:
        raise ConfigError(f"the Reply-To {exc}: correct SHEETS_SYNC_REPLY_TO or reply_to = \"...\" "
                          "in [smtp]") from None
    return formataddr((name, address)) if name else address
