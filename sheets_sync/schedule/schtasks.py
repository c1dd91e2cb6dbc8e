"""A Windows Task Scheduler task: a task XML registered with ``schtasks /Create /XML``.

The task runs as the user who installs it, while they are logged on (``InteractiveToken``):
no password is stored. To run it whether or not the user is logged on is the admin's choice:
in Task Scheduler, the task's General tab, "Run whether user is logged on or not" (Windows
then asks for the password and keeps it), documented in docs/scheduling.md.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from sheets_sync.errors import ConfigError
from sheets_sync.schedule.job import Job
from sheets_sync.schedule.run import run_tool

NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
FOLDER = "\\sheets-sync\\"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ONLY_WINDOWS = "Task Scheduler is on Windows only: print the task with --print schtasks and import it there"


def task_name(job: Job) -> str:
    """``\\sheets-sync\\<job name>``: our tasks in a folder of their own."""
    return FOLDER + job.name


def _quote(word: str) -> str:
    """A Windows command-line argument (CommandLineToArgvW's rules, for the common cases)."""
    if word and not any(c in word for c in ' \t"'):
        return word
    return '"' + word.replace('"', '\\"') + '"'


def command(job: Job) -> tuple[str, str]:
    """The Exec action's Command and Arguments (path variables set through cmd.exe)."""
    program, *args = job.command
    if not job.env:
        return program, " ".join(_quote(a) for a in args)
    sets = " && ".join(f'set "{k}={v}"' for k, v in job.env.items())
    return "cmd.exe", f"/c {sets} && {' '.join(_quote(w) for w in job.command)}"


def task_xml(job: Job) -> str:
    """The task definition (Task Scheduler schema 1.2)."""
    program, arguments = command(job)
    days = "".join(f"<{DAYS[d]} />" for d in job.days)
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="{NAMESPACE}">
  <RegistrationInfo>
    <Description>{escape(job.marker)}</Description>
    <URI>{escape(task_name(job))}</URI>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>2026-01-01T{job.at:%H:%M}:00</StartBoundary>
      <Enabled>true</Enabled>
      <ScheduleByWeek>
        <DaysOfWeek>{days}</DaysOfWeek>
        <WeeksInterval>1</WeeksInterval>
      </ScheduleByWeek>
    </CalendarTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <ExecutionTimeLimit>PT2H</ExecutionTimeLimit>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(program)}</Command>
      <Arguments>{escape(arguments)}</Arguments>
    </Exec>
  </Actions>
</Task>
"""


def render(job: Job) -> str:
    """The task XML."""
    return task_xml(job)


def _windows() -> None:
    if os.name != "nt":
        raise ConfigError(ONLY_WINDOWS)


def install(job: Job) -> str:
    """Register the task (replacing this source's); returns what was done."""
    _windows()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "task.xml"
        path.write_text(task_xml(job), encoding="utf-16")
        problem = run_tool("schtasks", "/Create", "/TN", task_name(job), "/XML", str(path), "/F")
    if problem:
        raise ConfigError(f"the task was not registered: {problem}")
    return f"Registered the task {task_name(job)}"


def installed() -> list[str]:
    """The tasks in the sheets-sync folder."""
    _windows()
    done = subprocess.run(["schtasks", "/Query", "/FO", "CSV", "/NH"], capture_output=True, text=True, check=False)
    return [line.split(",")[0].strip('"') for line in done.stdout.splitlines() if FOLDER in line]


def remove(job: Job) -> list[str]:
    """Delete this source's task; returns its name when there was one."""
    _windows()
    return [] if run_tool("schtasks", "/Delete", "/TN", task_name(job), "/F") else [task_name(job)]
