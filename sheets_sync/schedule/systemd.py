"""A systemd user timer (Linux, when asked for with ``--systemd``): a oneshot service and a
timer beside it in ``~/.config/systemd/user``, enabled with ``systemctl --user``.

``Persistent=true``: a run missed while the computer was off happens when it starts again.
``SHEETS_SYNC_SYSTEMCTL`` names the systemctl program ('' to only write the files).
"""

from __future__ import annotations

import os
from pathlib import Path

from sheets_sync.schedule.job import DAY_NAMES, Job
from sheets_sync.schedule.run import run_tool

SYSTEMCTL_VAR = "SHEETS_SYNC_SYSTEMCTL"
MARK = "# sheets-sync job "


def unit_dir() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (``~/.config/systemd/user``)."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".config") / "systemd" / "user"


def _quote(word: str) -> str:
    """One ExecStart word as systemd reads it: specifiers (%) and variables ($) escaped,
    quoted when it holds spaces or quotes."""
    word = word.replace("%", "%%").replace("$", "$$")
    if any(c in word for c in " \t\"'\\"):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word


def on_calendar(job: Job) -> str:
    """'Mon..Fri *-*-* 07:30:00'."""
    if job.days == (0, 1, 2, 3, 4):
        days = "Mon..Fri"
    else:
        days = ",".join(DAY_NAMES[d].capitalize() for d in job.days)
    return f"{days} *-*-* {job.at:%H:%M}:00"


def service(job: Job) -> str:
    """The .service unit."""
    env = "".join(f'Environment="{k}={v.replace("%", "%%")}"\n' for k, v in job.env.items())
    return (f"# {job.marker}\n[Unit]\nDescription=sheets-sync sync {job.source}\n\n"
            f"[Service]\nType=oneshot\n{env}ExecStart={' '.join(_quote(w) for w in job.command)}\n")


def timer(job: Job) -> str:
    """The .timer unit."""
    return (f"# {job.marker}\n[Unit]\nDescription=sheets-sync sync {job.source}, "
            f"{on_calendar(job)}\n\n[Timer]\nOnCalendar={on_calendar(job)}\nPersistent=true\nUnit={job.name}.service\n\n"
            "[Install]\nWantedBy=timers.target\n")


def render(job: Job) -> str:
    """Both units, each under the file name it is installed as."""
    folder = unit_dir()
    return f"# {folder / (job.name + '.service')}\n{service(job)}\n# {folder / (job.name + '.timer')}\n{timer(job)}"


def _systemctl(*args: str) -> str:
    program = os.environ.get(SYSTEMCTL_VAR, "systemctl")
    return run_tool(program, "--user", *args) if program else ""


def install(job: Job) -> str:
    """Write the units (replacing this source's) and enable the timer; returns what was done."""
    folder = unit_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{job.name}.service").write_text(service(job), encoding="utf-8")
    (folder / f"{job.name}.timer").write_text(timer(job), encoding="utf-8")
    problem = _systemctl("daemon-reload") or _systemctl("enable", "--now", f"{job.name}.timer")
    done = f"Wrote {folder / job.name}.service and .timer"
    if problem:
        return f"{done}; systemctl said: {problem}. Enable it with: systemctl --user enable --now {job.name}.timer"
    return done + ("" if not os.environ.get(SYSTEMCTL_VAR, "systemctl") else f", enabled {job.name}.timer")


def _ours() -> list[Path]:
    folder = unit_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("sheets-sync-*.timer")
                  if p.read_text(encoding="utf-8", errors="replace").startswith(MARK))


def installed() -> list[str]:
    """One line per timer sheets-sync installed: its file and its schedule."""
    out = []
    for path in _ours():
        text = path.read_text(encoding="utf-8")
        when = next((line.split("=", 1)[1] for line in text.splitlines() if line.startswith("OnCalendar=")), "")
        out.append(f"{path}: {text.splitlines()[0][2:]} ({when})")
    return out


def remove(job: Job) -> list[str]:
    """Disable the timer and delete both units; returns the files removed."""
    folder = unit_dir()
    files = [folder / f"{job.name}.timer", folder / f"{job.name}.service"]
    if not files[0].exists():
        return []
    _systemctl("disable", "--now", f"{job.name}.timer")
    for path in files:
        path.unlink(missing_ok=True)
    _systemctl("daemon-reload")
    return [str(p) for p in files]
