"""What the ``sync`` command does around a run for the people who schedule it: the alarms
(``alerts``) and the ``--quiet`` output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click

from sheets_sync.config import Config, load_config, user_dir
from sheets_sync.errors import SheetsSyncError
from sheets_sync.health.alerts import Alerts, alert_failure, heartbeat
from sheets_sync.health.logfile import log_run
from sheets_sync.model.rows import Problem


def warn(line: str) -> None:
    """One line on stderr about an alarm that could not be raised."""
    click.echo(f"Warning: {line}", err=True)


NO_ALARM = "(no alarm raised: the alarms are set in the config file that failed)"


def run_config(config_path: Path | None, source: str) -> Config:
    """The config file for a sync, as ``load_config`` finds it. A file that cannot be used
    (exit 2) stops the run before it has a state folder or alarms, so its line goes to
    sheets-sync.log in the user config folder: a scheduled run that fails this way leaves a
    trace. The error goes on up unchanged."""
    try:
        return load_config(config_path, source)
    except SheetsSyncError as exc:
        _log_in_user_dir(source, exc, f" {NO_ALARM}")
        raise


@contextmanager
def alarms(config: Config, source: str, day: dt.date) -> Iterator[None]:
    """Raise the configured alarms for the run in the block: a heartbeat on success, the
    failure heartbeat and the admin email when it stops with a library error. A failure
    the run could not log in its state folder (a missing workbook, a bad mail setting) goes
    to sheets-sync.log in the user folder. The error goes on up unchanged (and so does the
    exit code)."""
    alerts = Alerts.of(config)
    try:
        yield
    except SheetsSyncError as exc:
        if not getattr(exc, "logged", False):  # stopped before it had a state folder: the user folder's log
            _log_in_user_dir(source, exc)
        _never_fails(partial(heartbeat, alerts, False, warn))
        _never_fails(partial(alert_failure, alerts, config, source, exc, day, warn))
        raise
    _never_fails(partial(heartbeat, alerts, True, warn))


def _log_in_user_dir(source: str, exc: SheetsSyncError, after: str = "") -> None:
    """A failed run's line (its error on one line, then ``after``) in sheets-sync.log in the
    user config folder: for a run that stopped before it had a state folder."""
    _never_fails(partial(log_run, user_dir(), f"{source}: Failed: {' '.join(str(exc).split())}{after}", True))


def _never_fails(alarm: Callable[[], object]) -> None:
    """Run an alarm; whatever goes wrong with it is a warning, never the run's exit code."""
    try:
        alarm()
    except Exception as exc:  # noqa: BLE001 (an alarm must not turn a run's result into another)
        warn(f"an alarm could not be raised ({type(exc).__name__}: {str(exc)[:200]})")


def print_quiet(problems: list[Problem]) -> None:
    """``--quiet``: one line per problem on stderr, nothing on stdout."""
    for problem in problems:
        click.echo(" ".join(str(problem).split()), err=True)
