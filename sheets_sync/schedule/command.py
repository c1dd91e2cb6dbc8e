"""The ``schedule`` command's library side: print, install, show or remove a scheduled run."""

from __future__ import annotations

from sheets_sync.schedule.job import day_list, make_job
from sheets_sync.schedule.systems import SYSTEMS, this_computer


def run_schedule(source: str, at: str, days: str, action: str | None, use_systemd: bool = False,
                 print_for: str | None = None) -> list[str]:
    """The lines to print for ``schedule``: ``action`` is install, show, remove or None
    (print the artifact for this computer, or for ``print_for``, and how to install it)."""
    system = SYSTEMS[print_for] if print_for else this_computer(use_systemd)
    job = make_job(source, at, days, must_exist=action not in ("show", "remove"))  # a moved workbook's job can go
    when = f"{job.at:%H:%M} {day_list(job.days)}"
    if action == "show":
        found = system.installed()
        return found or [f"No sheets-sync run is scheduled with {system.name} here."]
    if action == "remove":
        gone = system.remove(job)
        return [f"Removed: {g}" for g in gone] or [f"No {system.name} run for {job.source} was scheduled here."]
    if action == "install" and not print_for:
        done = system.install(job)
        return [done, f"sheets-sync sync {job.source} will run at {when}. Each run adds a row to the Sync Log "
                "sheet and a line to sheets-sync.log in the state folder."]
    how = system.how.replace("<name>", job.name)
    return [system.render(job).rstrip("\n"), "",
            f"# {system.name}: runs at {when}; {how} (or run this command again with --install)."
            if system.name != "github" else f"# {how}."]
