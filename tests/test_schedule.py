"""``sheets-sync schedule`` through the command line: each artifact is checked by a parser of
its kind (python-crontab, systemd-analyze, plistlib, the Task Scheduler XML by structure,
PyYAML), and install / show / remove run against a temporary home and crontab file."""

from __future__ import annotations

import configparser
import datetime as dt
import os
import plistlib
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from crontab import CronTab

from sheets_sync.cli import cli
from sheets_sync.schedule import github
from sheets_sync.schedule.job import make_job

SECRET = "hunter2-app-password"
TASK = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary home and crontab file; the scheduling programs are not run; a secret in
    the environment that must appear in no artifact."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("SHEETS_SYNC_CRONTAB", str(tmp_path / "crontab"))
    monkeypatch.setenv("SHEETS_SYNC_SYSTEMCTL", "")
    monkeypatch.setenv("SHEETS_SYNC_LAUNCHCTL", "")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PASSWORD", SECRET)
    return folder


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "office" / "clients.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"")  # scheduling never opens it
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["schedule", *args], catch_exceptions=False)
    assert SECRET not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def ours(tab: CronTab) -> list:
    return [job for job in tab if job.comment.startswith("sheets-sync job ")]


def test_cron_install_show_and_remove_in_a_crontab_file(tmp_path: Path, book: Path) -> None:
    crontab = tmp_path / "crontab"
    crontab.write_text("MAILTO=me@example.com\n0 3 * * * /usr/bin/backup --all # my own\n", encoding="utf-8")
    code, out, err = run("office/clients.xlsx", "--at", "07:30", "--install")  # a relative path, made absolute
    assert code == 0, err
    assert out.startswith("Added to the crontab: ") and "Sync Log" in out
    code, _, err = run(str(book), "--at", "08:05", "--days", "mon,wed,fri", "--install")  # again: replaces
    assert code == 0, err

    tab = CronTab(tabfile=str(crontab))
    jobs = ours(tab)
    assert len(jobs) == 1
    job = jobs[0]
    assert job.is_valid() and str(job.slices) == "5 8 * * 1,3,5"
    words = job.command.split()
    assert Path(words[-4]).is_absolute() and words[-4].endswith("sheets-sync") and Path(words[-4]).exists()
    assert words[-3:] == ["sync", str(book), "--quiet"]
    assert any(w.startswith("SHEETS_SYNC_HOME=/") for w in words)
    assert [j.comment for j in tab if not j.comment.startswith("sheets-sync")] == ["my own"]
    assert crontab.read_text(encoding="utf-8").startswith("MAILTO=me@example.com\n")

    other = tmp_path / "other.xlsx"
    code, out, err = run(str(other), "--install")  # not there yet: a typo would fail every morning
    assert (code, out) == (2, "") and err == f"Error: {other} is not a file: give the path of the workbook to sync " \
        "(schedule it after init)\n"
    other.write_bytes(b"")
    assert run(str(other), "--install")[0] == 0
    code, out, _ = run(str(book), "--show")
    assert code == 0 and len(out.splitlines()) == 2 and str(book) in out and str(other) in out

    code, out, _ = run(str(book), "--remove")
    assert code == 0 and out.startswith("Removed: ") and str(book) in out
    tab = CronTab(tabfile=str(crontab))
    assert [j.command.split()[-2] for j in ours(tab)] == [str(other)]
    assert [j.comment for j in tab if not j.comment.startswith("sheets-sync")] == ["my own"]
    assert run(str(book), "--remove")[1].startswith("No cron run for")


def test_without_install_it_prints_the_line_and_installs_nothing(tmp_path: Path, book: Path) -> None:
    code, out, _ = run(str(book), "--at", "07:30")
    assert code == 0
    line = out.splitlines()[0]
    parsed = CronTab(tab=line + "\n")
    assert len(ours(parsed)) == 1 and str(ours(parsed)[0].slices) == "30 7 * * 1-5"
    assert "crontab -e" in out
    assert not (tmp_path / "crontab").exists() or not ours(CronTab(tabfile=str(tmp_path / "crontab")))


def test_systemd_user_timer(home: Path, book: Path) -> None:
    code, out, err = run(str(book), "--at", "06:45", "--systemd", "--install")
    assert code == 0, err
    folder = home / ".config" / "systemd" / "user"
    timers = list(folder.glob("sheets-sync-*.timer"))
    services = list(folder.glob("sheets-sync-*.service"))
    assert len(timers) == len(services) == 1 and timers[0].stem == services[0].stem
    timer = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    timer.read(timers[0])
    assert timer["Timer"]["OnCalendar"] == "Mon..Fri *-*-* 06:45:00" and timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    service = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    service.read(services[0])
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].split()[1:] == ["sync", str(book), "--quiet"]
    assert SECRET not in timers[0].read_text() + services[0].read_text()
    if shutil.which("systemd-analyze"):
        checked = subprocess.run(["systemd-analyze", "calendar", timer["Timer"]["OnCalendar"]], capture_output=True,
                                 text=True, check=False)
        assert checked.returncode == 0, checked.stderr
        verified = subprocess.run(["systemd-analyze", "verify", str(timers[0])], capture_output=True, text=True,
                                  check=False, timeout=60)
        assert verified.returncode == 0, verified.stderr

    assert run(str(book), "--systemd", "--install")[0] == 0  # again: the same two files
    assert len(list(folder.glob("sheets-sync-*"))) == 2
    code, out, _ = run(str(book), "--systemd", "--show")
    assert code == 0 and len(out.splitlines()) == 1 and "Mon..Fri *-*-* 07:30:00" in out
    code, out, _ = run(str(book), "--systemd", "--remove")
    assert code == 0 and len(out.splitlines()) == 2 and not list(folder.glob("sheets-sync-*"))


def test_launchd_agent(home: Path, book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "darwin")  # the system's choice, not ours: which scheduler this is
    code, out, err = run(str(book), "--at", "07:30", "--install")
    assert code == 0, err
    agents = list((home / "Library" / "LaunchAgents").glob("com.sheets-sync.*.plist"))
    assert len(agents) == 1
    agent = plistlib.loads(agents[0].read_bytes())
    assert agent["Label"] == agents[0].stem
    assert agent["ProgramArguments"][1:] == ["sync", str(book), "--quiet"]
    assert Path(agent["ProgramArguments"][0]).is_absolute()
    assert agent["StartCalendarInterval"] == [{"Weekday": d, "Hour": 7, "Minute": 30} for d in range(1, 6)]
    assert set(agent["EnvironmentVariables"]) <= {"SHEETS_SYNC_HOME", "SHEETS_SYNC_ENV_FILE",
                                                  "GOOGLE_APPLICATION_CREDENTIALS"}
    assert SECRET not in agents[0].read_text()
    assert run(str(book), "--at", "09:00", "--days", "daily", "--install")[0] == 0
    agent = plistlib.loads(agents[0].read_bytes())
    assert len(agent["StartCalendarInterval"]) == 7 and agent["StartCalendarInterval"][0]["Hour"] == 9
    assert len(run(str(book), "--show")[1].splitlines()) == 1
    assert run(str(book), "--remove")[0] == 0 and not agents[0].exists()


def test_task_scheduler_xml(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(str(book), "--at", "07:30", "--days", "mon-fri", "--print", "schtasks")
    assert code == 0
    xml = out[: out.index("</Task>") + len("</Task>")]
    root = ET.fromstring(xml.replace('encoding="UTF-16"', ""))
    assert root.tag == f"{TASK}Task" and root.get("version") == "1.2"
    trigger = root.find(f"{TASK}Triggers/{TASK}CalendarTrigger")
    assert trigger is not None
    assert trigger.findtext(f"{TASK}StartBoundary", "").endswith("T07:30:00")
    days = trigger.find(f"{TASK}ScheduleByWeek/{TASK}DaysOfWeek")
    assert days is not None and [d.tag[len(TASK):] for d in days] == ["Monday", "Tuesday", "Wednesday", "Thursday",
                                                                       "Friday"]
    assert root.findtext(f"{TASK}Principals/{TASK}Principal/{TASK}LogonType") == "InteractiveToken"
    assert root.findtext(f"{TASK}Settings/{TASK}StartWhenAvailable") == "true"
    exec_ = root.find(f"{TASK}Actions/{TASK}Exec")
    assert exec_ is not None
    command, arguments = exec_.findtext(f"{TASK}Command", ""), exec_.findtext(f"{TASK}Arguments", "")
    assert command == "cmd.exe" and arguments.startswith('/c set "SHEETS_SYNC_HOME=')  # the conftest's home
    assert arguments.endswith(f" sync {book} --quiet")
    assert run(str(book), "--install", "--print", "schtasks")[0] == 0  # --print installs nothing
    if os.name != "nt":
        monkeypatch.setattr("sys.platform", "win32")
        code, out, err = run(str(book), "--install")
        assert (code, out) == (2, "") and err.startswith("Error: Task Scheduler is on Windows only")


def test_github_workflow(book: Path) -> None:
    code, out, _ = run("gsheet:1aBcD2eFgH", "--at", "07:30", "--print", "github")
    assert code == 0
    flow = yaml.safe_load(out)
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true; GitHub reads it as on
    cron = triggers["schedule"][0]["cron"]
    assert len(cron.split()) == 5 and cron.split()[2:] in (["*", "*", "1-5"], ["*", "*", "0,1,2,3,4"],
                                                          ["*", "*", "2,3,4,5,6"])
    assert "workflow_dispatch" in triggers and flow["concurrency"]["group"] == "sheets-sync"
    steps = flow["jobs"]["sync"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert any(s.get("uses", "").startswith("actions/cache@") for s in steps)
    assert any("pipx install" in s.get("run", "") for s in steps)
    sync = steps[-1]
    assert 'sheets-sync sync "gsheet:1aBcD2eFgH" --quiet' in sync["run"]
    assert sync["env"]["SHEETS_SYNC_GOOGLE_KEY"] == "${{ secrets.SHEETS_SYNC_GOOGLE_KEY }}"
    assert sync["env"]["SHEETS_SYNC_SMTP_PASSWORD"] == "${{ secrets.SHEETS_SYNC_SMTP_PASSWORD }}"

    code, out, err = run(str(book), "--print", "github")
    assert (code, out) == (2, "") and "cannot open" in err


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("tz", "day", "cron"), [
    ("America/New_York", dt.date(2026, 12, 3), "30 12 * * 1-5"),  # EST, UTC-5
    ("America/New_York", dt.date(2026, 7, 1), "30 11 * * 1-5"),  # EDT, UTC-4
    ("Asia/Tokyo", dt.date(2026, 12, 3), "30 22 * * 0,1,2,3,4"),  # the evening before, Sunday to Thursday
])
def test_the_workflow_runs_at_the_local_time_in_utc(zone: None, monkeypatch: pytest.MonkeyPatch, tz: str,
                                                     day: dt.date, cron: str) -> None:
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    flow = yaml.safe_load(github.render(make_job("gsheet:k", "07:30"), day))
    assert flow[True]["schedule"][0]["cron"] == cron


def test_bad_times_and_days_are_one_line(book: Path) -> None:
    code, out, err = run(str(book), "--at", "7.75")
    assert (code, out) == (2, "") and err.startswith("Error: --at '7.75' is not a time")
    code, out, err = run(str(book), "--days", "someday")
    assert (code, out) == (2, "") and err.startswith("Error: --days 'someday' is not a list of days")
