"""A user crontab entry (Linux and other Unixes).

The crontab is the user's (``crontab -l`` / ``crontab -``), or the file named by
``SHEETS_SYNC_CRONTAB`` (tests, or a system crontab folder an admin manages).

The crontab is edited as text, line by line: the user's own lines (their spacing, comments,
``@reboot`` entries, variables) are written back byte for byte, and only the lines marked
``# sheets-sync job <name>:`` are ours to replace or remove. (python-crontab re-renders every
entry it parses, which respaces the user's lines.)
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from sheets_sync.errors import SourceError
from sheets_sync.schedule.job import Job

CRONTAB_VAR = "SHEETS_SYNC_CRONTAB"
COMMENT_PREFIX = "sheets-sync job "
TIMEOUT = 60
NO_CRONTAB = ("the crontab program is not on this computer, so no cron job can be installed: install cron "
              "(e.g. apt install cron), or schedule a systemd user timer with --systemd, or print the line "
              "with --print cron and add it where your system keeps scheduled jobs")
CRONTAB_FAILED = "crontab {what} failed ({said}); the crontab was left as it was"


def _file() -> Path | None:
    path = os.environ.get(CRONTAB_VAR, "").strip()
    return Path(path) if path else None


def _crontab() -> str:
    found = shutil.which("crontab")
    if found is None:
        raise SourceError(NO_CRONTAB)
    return found


def _run(args: list[str], what: str, text: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, input=text, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(CRONTAB_FAILED.format(what=what, said=exc)) from None


def _read() -> str:
    """The crontab's text ('' when the user has none)."""
    path = _file()
    if path is not None:
        return path.read_text(encoding="utf-8") if path.exists() else ""
    done = _run([_crontab(), "-l"], "-l")
    if done.returncode:
        said = " ".join(done.stderr.split())
        if "no crontab for" in said.lower():
            return ""
        raise SourceError(CRONTAB_FAILED.format(what="-l", said=said[:300] or f"exit {done.returncode}"))
    return done.stdout


def _write(text: str) -> None:
    path = _file()
    if path is not None:
        path.write_text(text, encoding="utf-8")
        return
    done = _run([_crontab(), "-"], "-", text)
    if done.returncode:
        said = " ".join(done.stderr.split())[:300] or f"exit {done.returncode}"
        raise SourceError(CRONTAB_FAILED.format(what="-", said=said))


def _is_ours(line: str, name: str = "") -> bool:
    return f"# {COMMENT_PREFIX}{name}" in line and (not name or f"# {COMMENT_PREFIX}{name}:" in line)


def cron_days(days: tuple[int, ...]) -> str:
    """Weekday numbers (0 = Monday) as cron's day-of-week field (0 = Sunday)."""
    if days == (0, 1, 2, 3, 4):
        return "1-5"
    if len(days) == 7:
        return "*"
    return ",".join(str(n) for n in sorted((d + 1) % 7 for d in days))


def schedule_field(job: Job) -> str:
    """The five time fields: minute hour * * days."""
    return f"{job.at.minute} {job.at.hour} * * {cron_days(job.days)}"


def command(job: Job) -> str:
    """The shell command: path variables, then the program and its arguments, quoted
    (a % would end the command in cron: it is escaped)."""
    words = [f"{k}={shlex.quote(v)}" for k, v in job.env.items()] + [shlex.quote(w) for w in job.command]
    return " ".join(words).replace("%", "\\%")


def render(job: Job) -> str:
    """The crontab line, with the comment that marks it as ours."""
    return f"{schedule_field(job)} {command(job)} # {job.marker}"


def install(job: Job) -> str:
    """Add the job to the crontab, replacing this source's earlier one; returns what was done."""
    lines = [line for line in _read().splitlines(keepends=True) if not _is_ours(line, job.name)]
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"  # cron ignores a last line without its newline
    _write("".join(lines) + render(job) + "\n")
    return f"Added to the crontab: {render(job)}"


def installed() -> list[str]:
    """The crontab lines sheets-sync installed (none when this computer has no crontab program)."""
    try:
        text = _read()
    except SourceError:
        return []
    return [line.rstrip("\r\n") for line in text.splitlines(keepends=True) if _is_ours(line)]


def remove(job: Job) -> list[str]:
    """Remove this source's job; returns the lines removed (the other lines stay byte for byte)."""
    try:
        lines = _read().splitlines(keepends=True)
    except SourceError:
        return []
    gone = [line for line in lines if _is_ours(line, job.name)]
    if gone:
        _write("".join(line for line in lines if not _is_ours(line, job.name)))
    return [line.rstrip("\r\n") for line in gone]
