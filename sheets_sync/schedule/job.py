"""What a scheduled run is, whatever the system: the command line, the days and the time.

The command uses absolute paths (the installed ``sheets-sync``, the workbook) and ``--quiet``,
and carries no secret: only the variables that say where the user folder, the environment
file (0600, where secrets live on a headless machine) and the Google key file are, when
they are set here. The secrets stay in the keyring or that file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sheets_sync.config import user_dir
from sheets_sync.errors import ConfigError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = (0, 1, 2, 3, 4)
# Path variables a scheduled run needs to find what this shell finds; never a secret's value.
PATH_VARIABLES = ("SHEETS_SYNC_HOME", "SHEETS_SYNC_ENV_FILE", "GOOGLE_APPLICATION_CREDENTIALS")
BAD_DAYS = "--days {text!r} is not a list of days: write e.g. mon-fri, mon,wed,fri or daily"
NO_WORKBOOK = "{path} is not a file: give the path of the workbook to sync (schedule it after init)"
BAD_TIME = "--at {text!r} is not a time: write it as HH:MM, e.g. 07:30 (the computer's local time)"


@dataclass(frozen=True)
class Job:
    """One scheduled sync: ``command`` (program and arguments, absolute), ``env`` (path
    variables only), on ``days`` (0 = Monday) at ``at`` (local time)."""

    source: str
    command: tuple[str, ...]
    at: dt.time
    days: tuple[int, ...] = WEEKDAYS
    env: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """A stable name for this source's job: ``sheets-sync-<stem>-<hash>``."""
        stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(self.source.split(":", 1)[-1]).stem or "sheet").strip("-")[:30]
        digest = hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:8]
        return f"sheets-sync-{stem.lower() or 'sheet'}-{digest}"

    @property
    def marker(self) -> str:
        """The text that marks the job as ours, with the source it runs."""
        return f"sheets-sync job {self.name}: {self.source}"


def parse_time(text: str) -> dt.time:
    """'07:30' -> 07:30. Raises ConfigError otherwise."""
    match = re.fullmatch(r"\s*([01]?\d|2[0-3])[:.h]([0-5]\d)\s*", text)
    if match is None:
        raise ConfigError(BAD_TIME.format(text=text))
    return dt.time(int(match[1]), int(match[2]))


def parse_days(text: str) -> tuple[int, ...]:
    """'mon-fri', 'mon,wed,fri', 'daily', 'sat-sun' -> weekday numbers (0 = Monday)."""
    text = text.strip().lower()
    if text in ("daily", "every day", "all", "mon-sun"):
        return tuple(range(7))
    if text in ("weekdays", "business days"):
        return WEEKDAYS
    days: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        ends = [p.strip()[:3] for p in part.split("-")]
        if len(ends) > 2 or any(e not in DAY_NAMES for e in ends):
            raise ConfigError(BAD_DAYS.format(text=text))
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        days.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
    if not days:
        raise ConfigError(BAD_DAYS.format(text=text))
    return tuple(sorted(days))


def program() -> tuple[str, ...]:
    """The installed ``sheets-sync`` as an absolute path (the one beside this Python first),
    or this Python running the package."""
    beside = Path(sys.executable).parent / ("sheets-sync.exe" if os.name == "nt" else "sheets-sync")
    if beside.is_file():
        return (str(beside.absolute()),)
    found = shutil.which("sheets-sync")
    if found:
        return (str(Path(found).absolute()),)
    return (str(Path(sys.executable).absolute()), "-m", "sheets_sync")


def absolute_source(source: str, must_exist: bool = True) -> str:
    """A workbook path made absolute (ConfigError when there is no such file and it
    ``must_exist``: a typo would otherwise fail every morning); Google sources as they are."""
    if source.startswith("gsheet:") or source.startswith(("http://", "https://")):
        return source
    path = Path(source).expanduser().absolute()
    if must_exist and not path.is_file():
        raise ConfigError(NO_WORKBOOK.format(path=path))
    return str(path)


def make_job(source: str, at: str, days: str = "mon-fri", environ: dict[str, str] | None = None,
             must_exist: bool = True) -> Job:
    """The job that runs ``sheets-sync sync SOURCE --quiet`` at ``at`` on ``days`` (a workbook
    that need not exist any more when the job is only to be removed or shown)."""
    environ = dict(os.environ) if environ is None else environ
    source = absolute_source(source, must_exist)
    env = {}
    for name in PATH_VARIABLES:
        value = environ.get(name, "").strip()
        if value:
            env[name] = str(Path(value).expanduser().absolute())
    default_env_file = user_dir() / "env"  # where the environment file is when no variable names one
    if "SHEETS_SYNC_ENV_FILE" not in env and default_env_file.is_file():
        env["SHEETS_SYNC_ENV_FILE"] = str(default_env_file.absolute())
    return Job(source=source, command=(*program(), "sync", source, "--quiet"), at=parse_time(at),
               days=parse_days(days), env=env)


def day_list(days: tuple[int, ...]) -> str:
    """'Mon-Fri' or 'Mon, Wed, Fri' for messages."""
    if days == WEEKDAYS:
        return "Mon-Fri"
    if days == tuple(range(7)):
        return "every day"
    return ", ".join(DAY_NAMES[d].capitalize() for d in days)
