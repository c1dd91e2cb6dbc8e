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

from sheets_sync.config import Config
from sheets_sync.errors import BadAddress, ConfigError
from sheets_sync.model.addresses import check_address

KEYRING_SERVICE = "sheets-sync"
SECURITY_CHOICES = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
GOOGLE_HOSTS = ("gmail.com", "googlemail.com")
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

PASSWORD_IN_FILE = (
    "{path}: [smtp] must not hold the password (anyone who can read the file could send as you). "
    "Remove that line and set SHEETS_SYNC_SMTP_PASSWORD, or run: keyring set sheets-sync {user}"
)
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
    timeout: float = 30.0
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
    ca_file, timeout); None or "" means "not given". Raises ConfigError for a bad value, a
    password in the config file, or a login without a password.
    """
    environ = os.environ if environ is None else environ
    table = config.section("smtp")
    if "password" in table:
        user = str(table.get("user") or "<user>")
        raise ConfigError(PASSWORD_IN_FILE.format(path=config.path or "config file", user=user))

    def pick(name: str) -> str:
        return given(name, config, overrides, environ)

    host = pick("host")
    if not host:
        return None
    port_text, security = pick("port"), pick("security").lower()
    port = _port(port_text) if port_text else 0
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
        timeout=_timeout(pick("timeout")),
        send_time_limit=_seconds(pick("send_time_limit"), "send time limit", DEFAULT_SEND_TIME_LIMIT),
    )


def given(name: str, config: Config, overrides: Mapping[str, Any] | None = None,
          environ: Mapping[str, str] | None = None) -> str:
    """One setting as given, unchecked: the flag, else the environment variable, else the
    config file's ``[smtp]`` key; '' when none gives it. The outbox takes its sender and
    Reply-To from here, as the mail server does."""
    environ = os.environ if environ is None else environ
    for value in ((overrides or {}).get(name), environ.get(ENV[name]), config.section("smtp").get(FILE_KEYS[name])):
        if value is not None and str(value).strip() != "":
            return str(value).strip()
    return ""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise ConfigError(f"SMTP port {text!r} is not a number (Gmail: 587 with starttls, 465 with ssl)") from None
    if not 0 < port < 65536:
        raise ConfigError(f"SMTP port {port} is out of range")
    return port


def _timeout(text: str) -> float:
    if not text:
        return 30.0
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"SMTP timeout {text!r} is not a number of seconds") from None
    if value <= 0:
        raise ConfigError("SMTP timeout must be more than 0 seconds")
    return value


def _seconds(text: str, what: str, default: float) -> float:
    """A number of seconds, finite and more than 0 (at most a day)."""
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"SMTP {what} {text!r} is not a number of seconds") from None
    if not 0 < value <= 86400:  # also refuses nan and inf
        raise ConfigError(f"SMTP {what} must be more than 0 and at most 86400 seconds, not {text!r}")
    return value


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
