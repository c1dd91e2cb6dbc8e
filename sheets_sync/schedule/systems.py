"""The systems a run can be scheduled on, and which one this computer uses."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from sheets_sync.schedule import cron, github, launchd, schtasks, systemd
from sheets_sync.schedule.job import Job


@dataclass(frozen=True)
class System:
    """One system's four operations on a Job."""

    name: str
    render: Callable[[Job], str]
    install: Callable[[Job], str]
    installed: Callable[[], list[str]]
    remove: Callable[[Job], list[str]]
    how: str  # how to install the printed artifact by hand


SYSTEMS = {
    "cron": System("cron", cron.render, cron.install, cron.installed, cron.remove,
                   "add the line with: crontab -e"),
    "systemd": System("systemd", systemd.render, systemd.install, systemd.installed, systemd.remove,
                      "save both files there, then: systemctl --user enable --now <name>.timer"),
    "launchd": System("launchd", launchd.render, launchd.install, launchd.installed, launchd.remove,
                      "save it there, then: launchctl load -w <file>"),
    "schtasks": System("schtasks", schtasks.render, schtasks.install, schtasks.installed, schtasks.remove,
                       "save it as task.xml, then: schtasks /Create /TN \\sheets-sync\\<name> /XML task.xml"),
    "github": System("github", github.render, github.install, github.installed, github.remove,
                     f"save it as {github.FILE} in the repository and add the secrets it names"),
}


def this_computer(systemd_asked: bool = False, platform: str | None = None) -> System:
    """The system for this computer: launchd on macOS, Task Scheduler on Windows, cron
    elsewhere (a systemd user timer when asked for)."""
    platform = platform or sys.platform
    if platform == "darwin":
        return SYSTEMS["launchd"]
    if platform.startswith("win"):
        return SYSTEMS["schtasks"]
    return SYSTEMS["systemd" if systemd_asked else "cron"]
