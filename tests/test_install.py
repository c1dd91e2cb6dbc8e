"""A normal install works: the package is built (sdist, then a wheel from the sdist, as pip and
pipx do from a repository), installed into a fresh virtual environment, and run from an empty
folder far from the checkout.

The editable install the other tests use reads the checkout, so it cannot see a file that the
wheel forgot (issue 14: the email templates were left out and every email failed).
Deselect with ``-m "not install"``; it needs the packages from PyPI or pip's cache.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import venv
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import yaml
from crontab import CronTab

import sheets_sync
from sheets_sync.cli import cli

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[1]
DAY = "2026-11-23"  # the sample is dated around this Monday (docs/workbook.md)
# What pip says when it cannot reach an index and nothing in its cache will do.
OFFLINE = ("No matching distribution found", "Failed to establish a new connection",
           "Network is unreachable", "Temporary failure in name resolution")
SKIP_COPY = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                   ".pytest_cache", ".ruff_cache", ".hypothesis", "demo", "outbox",
                                   ".sheets-sync", "tests")


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _pip_or_skip(result: subprocess.CompletedProcess[str], what: str) -> None:
    """Fail on a broken build or install; skip only when the packages cannot be had."""
    output = result.stdout + result.stderr
    if result.returncode != 0 and any(sign in output for sign in OFFLINE):
        pytest.skip(f"{what}: no network and pip's cache lacks a package:\n{output[-1500:]}")
    assert result.returncode == 0, f"{what} failed:\n{output[-4000:]}"


def _clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that would put the checkout or another
    environment's packages on sys.path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")}
    env["PYTHONNOUSERSITE"] = "1"
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with sheets-sync installed from a wheel built from an sdist
    of a copy of the checkout (a copy: no build/ or egg-info folder is left in the work tree,
    and none left over from earlier builds can supply a file); returns its bin folder."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=SKIP_COPY)
    dist = base / "dist"
    built = _run([sys.executable, "-m", "build", "--outdir", dist, source], cwd=base, env=_clean_env())
    _pip_or_skip(built, "python -m build (sdist, then a wheel from it)")
    wheels = list(dist.glob("sheets_sync-*.whl"))
    assert len(wheels) == 1, built.stdout[-2000:]
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    install = _run([bin_dir / "python", "-m", "pip", "install", "--quiet", f"{wheels[0]}[stats]"],
                   cwd=base, env=_clean_env())
    _pip_or_skip(install, "pip install of the wheel into a fresh virtual environment")
    return bin_dir


@dataclass
class Place:
    """Where the installed tool runs: an empty folder, and its environment (not in a failure's
    report: it is the developer's environment)."""

    work: Path
    env: dict[str, str] = field(repr=False)


@pytest.fixture
def far_away(tmp_path_factory: pytest.TempPathFactory, isolated_env: Path) -> Place:
    """An empty working folder outside the checkout and an environment for the installed tool
    (its own config folder and home: no mail server configured, so emails go to the outbox)."""
    work = tmp_path_factory.mktemp("work")
    assert not work.resolve().is_relative_to(ROOT)
    return Place(work, _clean_env(HOME=str(isolated_env), SHEETS_SYNC_HOME=str(isolated_env)))


def test_the_installed_package_is_not_the_checkout(installed, far_away):
    work, env = far_away.work, far_away.env
    result = _run([installed / "python", "-c", "import sheets_sync; print(sheets_sync.__file__)"],
                  cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    where = Path(result.stdout.strip()).resolve()
    assert where.is_relative_to(installed.parent.resolve()), where
    assert not where.is_relative_to(ROOT), where


def test_every_template_is_installed(installed, far_away):
    work, env = far_away.work, far_away.env
    listing = "from sheets_sync.mail.render import built_in; print(*sorted(p.name for p in built_in().iterdir()))"
    result = _run([installed / "python", "-c", listing], cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    shipped = {name for name in result.stdout.split() if name.endswith(".txt")}
    assert shipped == {p.name for p in (ROOT / "templates").glob("*.txt")}


def test_version_is_printed(installed, far_away):
    work, env = far_away.work, far_away.env
    result = _run([installed / "sheets-sync", "--version"], cwd=work, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sheets-sync, version {sheets_sync.__version__}"
    metadata = _run([installed / "python", "-c", "import importlib.metadata as m; print(m.version('sheets-sync'))"],
                    cwd=work, env=env)
    assert metadata.stdout.strip() == sheets_sync.__version__, metadata.stderr


def test_the_sample_syncs_into_the_outbox_with_rendered_emails(installed, far_away):
    work, env = far_away.work, far_away.env
    tool = installed / "sheets-sync"

    created = _run([tool, "init", "clients.xlsx", "--sample", "--today", DAY], cwd=work, env=env)
    assert created.returncode == 0, created.stdout + created.stderr

    # 1, as from the editable install: the sample has bad rows on purpose (they are reported)
    synced = _run([tool, "sync", "clients.xlsx", "--today", DAY], cwd=work, env=env)
    out = synced.stdout + synced.stderr
    assert synced.returncode == 1, out
    assert "Clients!H17" in out  # the run went on past the deliberate bad cells
    assert "template not found" not in out
    assert "Traceback" not in out

    emls = sorted((work / "outbox" / "clients").glob("*.eml"))
    client_emails = [p for p in emls if not p.name.startswith("digest_")]
    assert len(client_emails) >= 5, [p.name for p in emls]
    assert any(p.name.startswith("digest_") for p in emls), [p.name for p in emls]
    for path in emls:
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
        assert str(message["Subject"]).strip(), path.name
        body = message.get_body(preferencelist=("plain",))
        assert body is not None and body.get_content().strip(), path.name
        assert "{{" not in body.get_content(), path.name

    # the run's row in the tool's Sync Log sheet, newest first
    book = openpyxl.load_workbook(work / "clients.xlsx", read_only=True)
    log = [list(r) for r in book["Sync Log"].iter_rows(values_only=True)]
    book.close()
    header = log[0]
    assert header[:4] == ["Started", "Finished", "Seconds", "Result"], header
    assert len(log) == 2, log
    run = dict(zip(header, log[1], strict=False))
    assert run["Result"] == "OK with problems" and run["Version"] == sheets_sync.__version__, run

    stats = _run([tool, "stats", "clients.xlsx", "--today", DAY], cwd=work, env=env)
    out = stats.stdout + stats.stderr
    assert stats.returncode == 1, out  # the same bad rows, as from the editable install
    assert "Purchase model (BG/NBD" in out
    assert "Traceback" not in out


def _sample(tool: Path, place: Place, name: str = "clients.xlsx") -> Path:
    created = _run([tool, "init", name, "--sample", "--today", DAY], cwd=place.work, env=place.env)
    assert created.returncode == 0, created.stdout + created.stderr
    return place.work / name


def test_every_command_has_help(installed, far_away):
    tool = installed / "sheets-sync"
    listed = _run([tool, "--help"], cwd=far_away.work, env=far_away.env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert set(cli.commands) >= {"login", "inbox", "schedule", "sync", "stats", "init", "check", "due"}
    for name in sorted(cli.commands):
        assert f"  {name} " in listed.stdout, name
        shown = _run([tool, name, "--help"], cwd=far_away.work, env=far_away.env, timeout=60)
        assert (shown.returncode, shown.stderr) == (0, ""), name
        assert shown.stdout.startswith(f"Usage: sheets-sync {name} "), shown.stdout[:200]


def test_schedule_prints_a_cron_line_for_the_installed_tool(installed, far_away):
    tool = installed / "sheets-sync"
    book = _sample(tool, far_away)
    printed = _run([tool, "schedule", "clients.xlsx", "--at", "07:30", "--print", "cron"],
                   cwd=far_away.work, env=far_away.env)
    assert (printed.returncode, printed.stderr) == (0, ""), printed.stdout
    jobs = list(CronTab(tab=printed.stdout))
    assert len(jobs) == 1, printed.stdout
    job = jobs[0]
    assert (str(job.slices), job.is_valid()) == ("30 7 * * 1-5", True)
    words = job.command.split()
    # the venv's own sheets-sync by its absolute path (cron's PATH knows no venv), the book's too
    assert str(tool) in words and str(book) in words and "--quiet" in words, job.command
    assert Path(words[words.index(str(tool)) + 1]) == Path("sync") and Path(str(book)).is_absolute()


def test_schedule_prints_a_github_workflow_that_loads(installed, far_away):
    printed = _run([installed / "sheets-sync", "schedule", "gsheet:1aBcD2eFgH", "--at", "07:30", "--print", "github"],
                   cwd=far_away.work, env=far_away.env)
    assert (printed.returncode, printed.stderr) == (0, ""), printed.stdout
    workflow = yaml.safe_load(printed.stdout)
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert trigger["schedule"] == [{"cron": "30 7 * * 1-5"}], trigger
    steps = workflow["jobs"]["sync"]["steps"]
    assert any('sheets-sync sync "gsheet:1aBcD2eFgH" --quiet' in step.get("run", "") for step in steps), steps


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_inbox_against_a_stopped_server_is_one_line_and_exit_3(installed, far_away):
    tool = installed / "sheets-sync"
    _sample(tool, far_away)
    env = dict(far_away.env, SHEETS_SYNC_IMAP_HOST="127.0.0.1", SHEETS_SYNC_IMAP_PORT=str(_free_port()),
               SHEETS_SYNC_IMAP_SECURITY="none", SHEETS_SYNC_IMAP_USER="office@harborlane.example",
               SHEETS_SYNC_IMAP_PASSWORD="not shown")
    read = _run([tool, "inbox", "clients.xlsx", "--today", DAY], cwd=far_away.work, env=env, timeout=120)
    assert read.returncode == 3, read.stdout + read.stderr
    assert read.stdout == "" and len(read.stderr.splitlines()) == 1, read.stderr
    assert read.stderr.startswith("Error: cannot reach the mailbox 127.0.0.1:"), read.stderr
    assert "(Connection refused)" in read.stderr, read.stderr
    assert "not shown" not in read.stderr


def test_login_without_a_keyring_stores_the_password_in_the_env_file(installed, far_away, tmp_path):
    home = tmp_path / "home"  # a user's home: the config folder is found from HOME, as on a server
    home.mkdir()
    env = {k: v for k, v in far_away.env.items() if k not in ("SHEETS_SYNC_HOME", "XDG_CONFIG_HOME", "DISPLAY")}
    env.update(HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               SHEETS_SYNC_SMTP_HOST="127.0.0.1", SHEETS_SYNC_SMTP_PORT=str(_free_port()),
               SHEETS_SYNC_SMTP_SECURITY="none", SHEETS_SYNC_SMTP_USER="office@harborlane.example")
    done = subprocess.run([str(installed / "sheets-sync"), "login", "clients.xlsx"], cwd=far_away.work, env=env,
                          input="pass word 1\n", capture_output=True, text=True, timeout=120, check=False,
                          start_new_session=True)  # no controlling terminal: a headless box over ssh
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    files = [p for p in home.rglob("*") if p.is_file()]
    assert len(files) == 1, files
    env_file = files[0]
    assert env_file.name == "env" and env_file.is_relative_to(home / ".config"), env_file
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert env_file.read_text(encoding="utf-8") == "SHEETS_SYNC_SMTP_PASSWORD=pass word 1\n"
    assert f"in {env_file} (mode 600" in done.stdout and "pass word 1" not in done.stdout


def _set(book: Path, values: dict[str, object]) -> None:
    workbook = openpyxl.load_workbook(book)
    for row in workbook["Settings"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    workbook.save(book)


def test_sync_with_a_country_reads_its_public_holidays(installed, far_away):
    tool = installed / "sheets-sync"
    thanksgiving = "2026-11-26"
    planned = {}
    for country in ("US", None):
        folder = far_away.work / (country or "none")
        folder.mkdir()
        book = _sample(tool, Place(folder, far_away.env))
        _set(book, {"Holidays": None, "Country": country})  # only the holidays package knows the day
        synced = _run([tool, "sync", book, "--today", thanksgiving, "--json"], cwd=folder, env=far_away.env)
        assert synced.returncode == 1, synced.stderr  # the sample's deliberate bad rows
        report = json.loads(synced.stdout)
        assert not [p for p in report["problems"] if "Settings" in json.dumps(p)], report["problems"]
        planned[country] = report["planned_messages"]
    assert planned["US"] == [] and planned[None], planned


def test_a_plain_sync_loads_no_feature_library(installed, far_away):
    """Start-up (issue 21): a book with no mailbox, OAuth, schedule or Country loads none of them."""
    _sample(installed / "sheets-sync", far_away)
    probe = ("import json, sys\nfrom sheets_sync.cli import cli\n"
             "try:\n    cli(sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n")
    ran = _run([installed / "python", "-c", probe, "sync", "clients.xlsx", "--today", DAY, "--quiet"],
               cwd=far_away.work, env=far_away.env)
    loaded = set(json.loads(ran.stdout.strip().splitlines()[-1]))
    assert "sheets_sync" in loaded and list((far_away.work / "outbox").rglob("*.eml")), ran.stderr[-2000:]
    assert sorted(loaded & {"imapclient", "flufl", "msal", "crontab", "holidays"}) == []
