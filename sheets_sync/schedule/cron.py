"""A user crontab entry (Linux and other Unixes), through python-crontab.

The crontab is the user's (``crontab -l`` / ``crontab -``), or the file named by
``SHEETS_SYNC_CRONTAB`` (tests, or a system crontab folder an admin manages).
"""

from __future__ import annotations

import os
import shlex

from crontab import CronTab

from sheets_sync.schedule.job import Job

CRONTAB_VAR = "SHEETS_SYNC_CRONTAB"
COMMENT_PREFIX = "sheets-sync job "


def _tab() -> CronTab:
    path = os.environ.get(CRONTAB_VAR, "").strip()
    if path:
        if not os.path.exists(path):
            open(path, "a", encoding="utf-8").close()
        return CronTab(tabfile=path)
    return CronTab(user=True)


def _save(tab: CronTab) -> None:
    path = os.environ.get(CRONTAB_VAR, "").strip()
    if path:
        tab.write(path)
    else:
        tab.write_to_user(user=True)


def schedule_field(job: Job) -> str:
    """The five time fields: minute hour * * days (cron counts Sunday as 0)."""
    days = ",".join(str(n) for n in sorted((d + 1) % 7 for d in job.days))
    if job.days == (0, 1, 2, 3, 4):
        days = "1-5"
    elif len(job.days) == 7:
        days = "*"
    return f"{job.at.minute} {job.at.hour} * * {days}"


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
    tab = _tab()
    for item in list(tab):
        if item.comment.startswith(f"{COMMENT_PREFIX}{job.name}:"):
            tab.remove(item)
    entry = tab.new(command=command(job), comment=job.marker)
    entry.setall(schedule_field(job))
    _save(tab)
    return f"Added to the crontab: {render(job)}"


def installed() -> list[str]:
    """The crontab lines sheets-sync installed."""
    return [item.render() for item in _tab() if item.comment.startswith(COMMENT_PREFIX)]


def remove(job: Job) -> list[str]:
    """Remove this source's job; returns the lines removed."""
    tab = _tab()
    gone = [item for item in tab if item.comment.startswith(f"{COMMENT_PREFIX}{job.name}:")]
    for item in gone:
        tab.remove(item)
    if gone:
        _save(tab)
    return [item.render() for item in gone]
