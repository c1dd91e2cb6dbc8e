"""Where the mail server settings come from: flag, then environment, then the config file's
``[smtp]`` table, then the default (click's convention).

The password never lives in the config file: it comes from ``SHEETS_SYNC_SMTP_PASSWORD`` or
the system keyring (service ``sheets-sync``, user name = the SMTP user). No host anywhere
means no mail server: the sync then writes to the outbox folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from typing import Any

from sheets_sync.config import SCHEMA, Config
from sheets_sync.errors import BadAddress, ConfigError
from sheets_sync.model.addresses import check_address

KEYRING_SERVICE = "sheets-sync"
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
}
# Config-file names for each setting ("from" reads better in a file than "sender").
FILE_KEYS = {"host": "host", "port": "port", "user": "user", "security": "security",
             "sender": "from", "reply_to": "reply_to", "ca_file": "ca_file", "timeout": "timeout",
             "send_time_limit": "send_time_limit"}

NO_PASSWORD = (
    "no SMTP password for {user}: set SHEETS_SYNC_SMTP_PASSWORD, or store it once with: "
    "keyring set sheets-sync {user}"
)
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

    def __repr__(self) -> str:
        shown = "***" if self.password else "''"
        return (f"MailSettings(host={self.host!r}, port={self.port}, security={self.security!r}, "
                f"sender={self.sender!r}, user={self.user!r}, password={shown}, "
                f"reply_to={self.reply_to!r}, ca_file={self.ca_file!r}, timeout={self.timeout}, "
                f"send_time_limit={self.send_time_limit})")


def resolve_mail_settings(config: Config, overrides: Mapping[str, Any] | None = None,
                          environ: Mapping[str, str] | None = None) -> MailSettings | None:
    """The mail settings in force, or None when no host is configured anywhere.

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
    if security not in SECURITY_CHOICES:
        raise ConfigError(f"SMTP security {security!r} is not one of ssl, starttls, none")
    user = pick("user")
    password = ""
    if user:
        password = environ.get(ENV["password"], "") or _keyring_password(user)
        if not password:
            raise ConfigError(NO_PASSWORD.format(user=user))
        if host.lower().endswith(GOOGLE_HOSTS):
            password = password.replace(" ", "")  # Google shows app passwords as "abcd efgh ..."
    sender = _sender(pick("sender") or (user if "@" in user else ""))
    return MailSettings(
        host=host, port=port or DEFAULT_PORTS[security], security=security, sender=sender,
        user=user, password=password, reply_to=_reply_to(pick("reply_to")),
        ca_file=os.path.expanduser(pick("ca_file")) if pick("ca_file") else "",
        timeout=number("timeout", DEFAULT_TIMEOUT),
        send_time_limit=number("send_time_limit", DEFAULT_SEND_TIME_LIMIT),
    )


def given(name: str, config: Config, overrides: Mapping[str, Any] | None = None,
          environ: Mapping[str, str] | None = None) -> str:
    """One setting as given, unchecked: the flag, else the environment variable, else the
    config file's ``[smtp]`` key; '' when none gives it. The outbox takes its sender and
    Reply-To from here, as the mail server does."""
    return _given(name, config, overrides, environ)[0]


def _given(name: str, config: Config, overrides: Mapping[str, Any] | None,
           environ: Mapping[str, str] | None) -> tuple[str, str]:
    """(the setting as given, where it was given: the flag, the variable or the file's key)."""
    environ = os.environ if environ is None else environ
    what = f"SMTP {name.replace('_', ' ')}"
    places = (((overrides or {}).get(name), f"{what} (--{name.replace('_', '-')})"),
              (environ.get(ENV[name]), f"{what} ({ENV[name]})"),
              (config.section("smtp").get(FILE_KEYS[name]), f"{config.path or 'config'}: {FILE_KEYS[name]} in [smtp]"))
    for value, where in places:
        if value is not None and str(value).strip() != "":
            return str(value).strip(), where
    return "", ""


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


def _keyring_password(user: str) -> str:
    """The password stored with ``keyring set sheets-sync USER``, or "" (no keyring is fine)."""
    try:
        import keyring
    except ImportError:
        return ""
    try:
        return keyring.get_password(KEYRING_SERVICE, user) or ""
    except Exception:  # no usable keyring backend (headless server, locked D-Bus...): not an error
        return ""
