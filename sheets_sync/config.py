"""Configuration: where the config file is found, and what it may hold.

Lookup order for the file: ``--config FILE``; ``sheets-sync.toml`` next to the workbook;
``config.toml`` in the user's config folder (``click.get_app_dir("sheets-sync")``, or
``$SHEETS_SYNC_HOME`` when set). Values: command-line flag, then environment, then file,
then default (click's convention). Secrets never live in the file: see docs/configuration.md.

``SCHEMA`` lists every table and key the file may hold, with its type and range. A file is
checked against it when it is loaded: an unknown table or key (a typo such as ``hots`` or
``[smpt]`` would otherwise be ignored and the mail silently go to the outbox), a value of the
wrong type or out of range is a ConfigError naming the file, the key and the fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from sheets_sync.errors import ConfigError
from sheets_sync.model.layout import TABLES

CONFIG_NAME = "sheets-sync.toml"
PASSWORD_IN_FILE = (
    "[smtp] must not hold the password (anyone who can read the file could send as you). "
    "Remove that line and run: sheets-sync login <workbook>, which stores the password for {user} where this "
    "machine keeps secrets (the system keyring, else a 0600 file); or set SHEETS_SYNC_SMTP_PASSWORD"
)


@dataclass(frozen=True)
class Key:
    """One known key: its kind (text, texts, choice, port, seconds) and, for seconds, the
    largest value allowed (always more than 0, so nan and inf are refused too)."""

    kind: str
    example: str
    most: float = 0.0
    choices: tuple[str, ...] = ()
    refused: str = ""  # why the key must not be in the file at all (the password)

    def problem(self, value: Any) -> str:
        """What is wrong with a value read from the file ('' when nothing is)."""
        if self.kind in ("port", "seconds"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"must be a number, not {_kind_of(value)} (write {self.example})"
            return self.out_of_range(value)
        if self.kind == "texts" and isinstance(value, list):
            return next((self.problem(item) for item in value if self.problem(item)), "")
        if not isinstance(value, str):
            return f"must be text in quotes, not {_kind_of(value)} (write {self.example})"
        if self.choices and value.strip().lower() not in self.choices:
            return f"{value!r} is not one of {', '.join(self.choices)}"
        return ""

    def out_of_range(self, value: float) -> str:
        """Why a number is out of this key's range ('' when it is within)."""
        if self.kind == "port":
            ok = isinstance(value, int) and 0 < value < 65536
            return "" if ok else f"{value!r} is out of range (a whole number from 1 to 65535, e.g. 587)"
        return "" if 0 < value <= self.most else f"must be more than 0 and at most {self.most:g} seconds, not {value!r}"

    def from_text(self, text: str, where: str) -> float:
        """A number given as text (flag or environment variable), checked as the file's is."""
        try:
            value: float = int(text) if self.kind == "port" else float(text)
        except ValueError:
            unit = "" if self.kind == "port" else " of seconds"
            raise ConfigError(f"{where} {text!r} is not a number{unit} (e.g. {self.example.split(' = ')[1]})") from None
        problem = self.out_of_range(value)
        if problem:
            raise ConfigError(f"{where} {problem}")
        return value


def _text(example: str) -> Key:
    return Key("text", example)


def _seconds(name: str, most: float, example: float) -> Key:
    return Key("seconds", f"{name} = {example:g}", most=most)


LAYOUT_TABLE = {"sheet": _text('sheet = "Customers"')}
SCHEMA: dict[str, Any] = {
    "smtp": {
        "host": _text('host = "smtp.gmail.com"'), "port": Key("port", "port = 587"),
        "security": Key("choice", 'security = "starttls"', choices=("ssl", "starttls", "none")),
        "user": _text('user = "office@example.com"'), "from": _text('from = "Office <office@example.com>"'),
        "reply_to": _text('reply_to = "desk@example.com"'), "ca_file": _text('ca_file = "~/certs/ca.pem"'),
        "timeout": _seconds("timeout", 3600, 30), "send_time_limit": _seconds("send_time_limit", 86400, 300),
        "password": Key("text", "", refused=PASSWORD_IN_FILE),
        "auth": Key("choice", 'auth = "oauth2"', choices=("password", "oauth2")),
        "oauth2": Key("choice", 'oauth2 = "microsoft"', choices=("microsoft", "google", "command")),
        "oauth2_client_id": _text('oauth2_client_id = "00000000-0000-0000-0000-000000000000"'),
        "oauth2_tenant": _text('oauth2_tenant = "organizations"'),
        "oauth2_command": _text('oauth2_command = "/usr/local/bin/mail-token office@example.com"'),
        "oauth2_client_file": _text('oauth2_client_file = "~/keys/gmail-client.json"'),
    },
    "google": {
        "credentials": _text('credentials = "~/keys/sheets-sync.json"'),
        "share_with": Key("texts", 'share_with = ["owner@example.com"]'),
        "time_limit_seconds": _seconds("time_limit_seconds", 86400, 120),
        "timeout_seconds": _seconds("timeout_seconds", 3600, 60),
    },
    "templates": {"dir": _text('dir = "~/email-templates"')},
    "imap": {
        "host": _text('host = "imap.gmail.com"'), "port": Key("port", "port = 993"),
        "security": Key("choice", 'security = "ssl"', choices=("ssl", "starttls", "none")),
        "user": _text('user = "office@example.com"'), "folders": Key("texts", 'folders = ["INBOX"]'),
        "ca_file": _text('ca_file = "~/certs/ca.pem"'), "timeout": _seconds("timeout", 3600, 60),
        "maildir": _text('maildir = "~/Mail/INBOX"'),
        "password": Key("text", "", refused=PASSWORD_IN_FILE.replace("[smtp]", "[imap]").replace("SMTP", "IMAP")),
    },
    "alerts": {
        "email": _text('email = "admin@example.com"'),
        "heartbeat_url": _text('heartbeat_url = "https://hc-ping.com/your-check-uuid"'),
        "timeout": _seconds("timeout", 300, 10),
    },
    "layout": {t.name: {**LAYOUT_TABLE, "columns": {c.field: _text(f'{c.field} = "{c.header}"') for c in t.columns}}
               for t in TABLES},
}


def _kind_of(value: Any) -> str:
    return {bool: "true/false", str: "text", dict: "a table", list: "a list", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _name(trail: list[str]) -> str:
    return f"[{'.'.join(trail)}]" if trail else "the top of the file (above every [table])"


def _unknown(name: str, value: Any, schema: dict[str, Any], trail: list[str]) -> str:
    if isinstance(value, dict):
        what, shown = f"table [{'.'.join([*trail, name])}]", lambda n: f"[{'.'.join([*trail, n])}]"
    else:
        what, shown = f"key {name!r} {'in ' + _name(trail) if trail else 'at ' + _name(trail)}", str
    import difflib  # here: only a config file with a mistake needs suggestions

    close = difflib.get_close_matches(name, list(schema), n=1, cutoff=0.5)
    if close:
        hint = f"did you mean {shown(close[0])}?"
    else:
        # a key put in the wrong place (or above every table): the tables with plain keys
        elsewhere = {key: table for table in ("smtp", "google", "templates") for key in SCHEMA[table]}
        near = difflib.get_close_matches(name, list(elsewhere), n=1, cutoff=0.75)
        hint = (f"did you mean {near[0]} under [{elsewhere[near[0]]}]?" if near
                else f"the known ones: {', '.join(shown(n) for n in schema if n != 'password')}.")
    return f"unknown {what}: {hint} Correct it or remove it (the tool would ignore it)"


def check_table(data: dict[str, Any], schema: dict[str, Any], trail: list[str]) -> str:
    """The first problem in ``data`` against ``schema`` ('' when there is none)."""
    for name, value in data.items():
        spec = schema.get(name)
        if spec is None:
            return _unknown(name, value, schema, trail)
        where = f"{name} in {_name(trail)}" if trail else f"[{name}]"
        if isinstance(spec, dict):
            if not isinstance(value, dict):
                return (f"{where} must be a table, not {_kind_of(value)}: write it as its own "
                        f"[{'.'.join([*trail, name])}] line with its keys below it")
            problem = check_table(value, spec, [*trail, name])
        elif spec.refused:
            problem = spec.refused.format(user=str(data.get("user") or "<user>"))
        else:
            problem = spec.problem(value)
            problem = problem and f"{where} {problem}"
        if problem:
            return problem
    return ""


def user_dir() -> Path:
    """The user's config folder (``$SHEETS_SYNC_HOME`` overrides)."""
    home = os.environ.get("SHEETS_SYNC_HOME")
    return Path(home) if home else Path(click.get_app_dir("sheets-sync"))


@dataclass
class Config:
    """The parsed config file (empty when there is none) and where it came from. The data is
    checked against ``SCHEMA`` when the Config is made: a bad one is a ConfigError."""

    data: dict[str, Any] = field(default_factory=dict, repr=False)  # a refused password must not show
    path: Path | None = None

    def __post_init__(self) -> None:
        problem = check_table(self.data, SCHEMA, [])
        if problem:
            raise ConfigError(f"{self.path or 'config'}: {problem}")

    def section(self, name: str) -> dict[str, Any]:
        """One table of the file (``[smtp]``, ``[google]``, ``[layout]``, ``[templates]``), or {}."""
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}


def find_config(explicit: Path | None, source: str | None) -> Path | None:
    """The config file to use, or None."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} not found")
        return explicit
    candidates = []
    if source and not source.startswith(("gsheet:", "https://")):
        candidates.append(Path(source).resolve().parent / CONFIG_NAME)
    candidates.append(user_dir() / "config.toml")
    return next((c for c in candidates if c.is_file()), None)


def load_config(explicit: Path | None = None, source: str | None = None) -> Config:
    """Find, parse and check the config file. A malformed file, or one that breaks ``SCHEMA``,
    is a ConfigError naming the file and what to fix."""
    path = find_config(explicit, source)
    if path is None:
        return Config()
    import tomllib  # here: a run without a config file never parses TOML

    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); "
                          "save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix that line or remove the file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror})") from None
    return Config(data=data, path=path)
