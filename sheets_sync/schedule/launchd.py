"""A launchd agent (macOS): a plist in ``~/Library/LaunchAgents``, loaded with launchctl.

``SHEETS_SYNC_LAUNCHCTL`` names the launchctl program ('' to only write the file).
"""

from __future__ import annotations

import os
import plistlib
from pathlib import Path
from typing import Any

from sheets_sync.schedule.job import Job
from sheets_sync.schedule.run import run_tool

LAUNCHCTL_VAR = "SHEETS_SYNC_LAUNCHCTL"
LABEL_PREFIX = "com.sheets-sync."


def agents_dir() -> Path:
    """``~/Library/LaunchAgents``."""
    return Path.home() / "Library" / "LaunchAgents"


def label(job: Job) -> str:
    """The agent's label, ``com.sheets-sync.<job name>``."""
    return LABEL_PREFIX + job.name


def plist(job: Job) -> dict[str, Any]:
    """The agent as a plist dictionary (launchd counts Sunday as 0 and as 7)."""
    logs = Path.home() / "Library" / "Logs" / "sheets-sync"
    agent: dict[str, Any] = {
        "Label": label(job),
        "Comment": job.marker,
        "ProgramArguments": list(job.command),
        "StartCalendarInterval": [{"Weekday": (d + 1) % 7, "Hour": job.at.hour, "Minute": job.at.minute}
                                  for d in job.days],
        "StandardOutPath": str(logs / f"{job.name}.out.log"),
        "StandardErrorPath": str(logs / f"{job.name}.err.log"),
        "RunAtLoad": False,
    }
    if job.env:
        agent["EnvironmentVariables"] = dict(job.env)
    return agent


def render(job: Job) -> str:
    """The plist file's text, under the name it is installed as."""
    return f"<!-- {agents_dir() / (label(job) + '.plist')} -->\n" + plistlib.dumps(plist(job)).decode("utf-8")


def _launchctl(*args: str) -> str:
    program = os.environ.get(LAUNCHCTL_VAR, "launchctl")
    return run_tool(program, *args) if program else ""


def install(job: Job) -> str:
    """Write the plist (replacing this source's) and load it; returns what was done."""
    path = agents_dir() / f"{label(job)}.plist"
    path.parent.mkdir(parents=True, exist_ok=True)
    (Path.home() / "Library" / "Logs" / "sheets-sync").mkdir(parents=True, exist_ok=True)
    if path.exists():
        _launchctl("unload", str(path))
    path.write_bytes(plistlib.dumps(plist(job)))
    problem = _launchctl("load", "-w", str(path))
    if problem:
        return f"Wrote {path}; launchctl said: {problem}. Load it with: launchctl load -w {path}"
    return f"Wrote {path}" + (", loaded it" if os.environ.get(LAUNCHCTL_VAR, "launchctl") else "")


def _ours() -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for path in sorted(agents_dir().glob(f"{LABEL_PREFIX}*.plist")) if agents_dir().is_dir() else []:
        try:
            out.append((path, plistlib.loads(path.read_bytes())))
        except (OSError, ValueError, plistlib.InvalidFileException):
            continue
    return out


def installed() -> list[str]:
    """One line per agent sheets-sync installed."""
    return [f"{path}: {agent.get('Comment', '')}" for path, agent in _ours()]


def remove(job: Job) -> list[str]:
    """Unload and delete this source's agent; returns the file removed."""
    path = agents_dir() / f"{label(job)}.plist"
    if not path.exists():
        return []
    _launchctl("unload", "-w", str(path))
    path.unlink()
    return [str(path)]
