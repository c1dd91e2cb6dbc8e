"""The environment file: ``KEY=VALUE`` lines that every run reads before anything else.

This is how a machine with no system keyring (a headless server, a scheduled run) holds the
SMTP password and the other ``SHEETS_SYNC_*`` settings: one file only its owner can read,
``env`` in the user config folder (``~/.config/sheets-sync/env``; ``$SHEETS_SYNC_HOME/env``),
or the file named by ``SHEETS_SYNC_ENV_FILE``. A variable set in the real environment wins
over the file. A file that others can read or write, or that belongs to another user, is
refused: the run stops before it reads the workbook.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from sheets_sync.config import user_dir
from sheets_sync.errors import ConfigError

ENV_FILE_VAR = "SHEETS_SYNC_ENV_FILE"
ALLOWED_PREFIX = "SHEETS_SYNC_"
ALLOWED_OTHERS = ("GOOGLE_APPLICATION_CREDENTIALS",)

OPEN_TO_OTHERS = ("{path} can be {how} by other users (mode {mode:04o}), and it may hold a password: "
                  "run chmod 600 {path}")
NOT_YOURS = "{path} belongs to another user: it must be your own file (mode 600)"


def env_file_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the environment file is: ``$SHEETS_SYNC_ENV_FILE``, else ``env`` in the user
    config folder."""
    environ = os.environ if environ is None else environ
    named = environ.get(ENV_FILE_VAR, "").strip()
    return Path(named).expanduser() if named else user_dir() / "env"


def check_private(path: Path) -> None:
    """ConfigError unless ``path`` (a file or folder) is this user's and nobody else's. On
    Windows the permission bits say nothing (access is by ACL, and the profile folder is the
    user's own), so nothing is checked there."""
    if os.name == "nt":
        return
    info = path.stat()
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise ConfigError(NOT_YOURS.format(path=path))
    if info.st_mode & 0o077:
        how = "read" if info.st_mode & 0o044 else "changed"
        raise ConfigError(OPEN_TO_OTHERS.format(path=path, how=how, mode=stat.S_IMODE(info.st_mode)))


def read_env_file(path: Path) -> dict[str, str]:
    """The ``KEY=VALUE`` lines of ``path`` (blank lines and ``#`` comments skipped, an
    ``export`` prefix and matching quotes around the value allowed). ConfigError for a file
    others can read, or a line that is not a setting of sheets-sync."""
    check_private(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read the environment file ({why})") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name:
            raise ConfigError(f"{path} line {number}: write NAME=value (e.g. SHEETS_SYNC_SMTP_PASSWORD=...)")
        if not (name.startswith(ALLOWED_PREFIX) or name in ALLOWED_OTHERS):
            raise ConfigError(f"{path} line {number}: {name} is not a sheets-sync setting (the names start "
                              "with SHEETS_SYNC_; see docs/configuration.md)")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name] = value
    return values


def apply_env_file(environ: MutableMapping[str, str] | None = None) -> Path | None:
    """Read the environment file into ``environ`` (default ``os.environ``) for every name the
    environment does not set already; return its path, or None when there is no file.
    A file named by ``SHEETS_SYNC_ENV_FILE`` must exist."""
    environ = os.environ if environ is None else environ
    path = env_file_path(environ)
    if not path.exists():
        if environ.get(ENV_FILE_VAR, "").strip():
            raise ConfigError(f"{path} (SHEETS_SYNC_ENV_FILE) does not exist: create it (chmod 600) or unset the variable")
        return None
    for name, value in read_env_file(path).items():
        environ.setdefault(name, value)
    return path


def write_env_value(name: str, value: str, environ: MutableMapping[str, str] | None = None) -> Path:
    """Set ``name=value`` in the environment file (created with mode 600, its folder 700),
    keeping its other lines; return its path."""
    path = env_file_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = []
    if path.exists():
        read_env_file(path)  # refuses a file others can read before we add a secret to it
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip().removeprefix("export ").partition("=")[0].strip() != name]
    lines.append(f"{name}={value}")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path
