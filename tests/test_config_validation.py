"""Bad config files through the command line (issue 16 items 13, 14): a typo, an unknown table
or key, a value of the wrong type or out of range, a file that is not UTF-8, and a folder the
tool may not write. Each is one line on stderr with the documented exit code (2 for the
config, 3 for the folder), naming the file, the key and the fix; nothing is sent or written."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import free_port
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli
from sheets_sync.config import SCHEMA, Config, load_config
from sheets_sync.errors import EXIT_SOURCE, EXIT_USAGE, ConfigError
from sheets_sync.mail.config import FILE_KEYS

ROOT = Path(__file__).resolve().parents[1]
MON = "2026-11-23"
SERVER = f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\nfrom = "Office <office@harbor.example>"\n'


def workbook(folder: Path) -> Path:
    """A workbook with one email due on MON (a payment reminder for T-4)."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_workbook(folder / "clients.xlsx", {
        "Clients": [CLIENT_HEADER, ["C-1", "Bob Roe", "", "bob@example.com", "555-0101", "maria@agency.example", "B",
                                    "Active", D(2024, 1, 5), None, None, ""]],
        "Tasks": [TASK_HEADER, ["T-4", "C-1", "Payment", "Auto policy balance", 3323, D(2026, 12, 1),
                                D(2026, 11, 13), "Open", None]],
        "Touches": [TOUCH_HEADER, [D(2026, 11, 13), "C-1", "T-4", "Email", "Out", "sheets-sync", "Payment request",
                                   "task:T-4:reminder:1"]],
    })


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_error_line(stderr: str) -> str:
    """The single 'Error: ...' line, checked to be alone and to be no crash report."""
    assert stderr.count("\n") == 1 and stderr.startswith("Error: "), stderr
    assert "Traceback" not in stderr and "unexpected failure" not in stderr and "please report" not in stderr
    return stderr


BAD_FILES = [  # (file content, what the one line must say)
    # item 13: a typo is refused, with the nearest known name
    ('hots = "smtp.example.com"\n', ["unknown key 'hots' at the top of the file", "did you mean host under [smtp]?"]),
    ('[smtp]\nhots = "smtp.example.com"\n', ["unknown key 'hots' in [smtp]", "did you mean host?"]),
    ('[smpt]\nhost = "smtp.example.com"\n', ["unknown table [smpt]", "did you mean [smtp]?"]),
    (SERVER + "send_tme_limit = 60\n", ["unknown key 'send_tme_limit' in [smtp]", "did you mean send_time_limit?"]),
    ('[google]\ncredential = "key.json"\n', ["unknown key 'credential' in [google]", "did you mean credentials?"]),
    ('[templates]\ndirectory = "mine"\n', ["unknown key 'directory' in [templates]", "did you mean dir?"]),
    ('[layout.client]\nsheet = "Customers"\n', ["unknown table [layout.client]", "did you mean [layout.clients]?"]),
    ('[layout.clients.columns]\nemial = "E-mail"\n', ["'emial' in [layout.clients.columns]", "did you mean email?"]),
    ('[smtp]\nzzz = 1\n', ["unknown key 'zzz' in [smtp]", "the known ones: host, port, security"]),
    # item 14: wrong types and ranges
    (SERVER + "timeout = nan\n", ["timeout in [smtp] must be more than 0 and at most 3600 seconds, not nan"]),
    (SERVER + "timeout = inf\n", ["timeout in [smtp] must be more than 0 and at most 3600 seconds, not inf"]),
    (SERVER + "timeout = 1e300\n", ["timeout in [smtp] must be more than 0 and at most 3600 seconds, not 1e+300"]),
    (SERVER + "timeout = 0\n", ["timeout in [smtp] must be more than 0"]),
    (SERVER + "send_time_limit = inf\n", ["send_time_limit in [smtp] must be more than 0 and at most 86400 seconds"]),
    (SERVER + 'timeout = "30"\n', ["timeout in [smtp] must be a number, not text (write timeout = 30)"]),
    ('[smtp]\nport = 70000\n', ["port in [smtp] 70000 is out of range", "from 1 to 65535"]),
    ('[smtp]\nport = true\n', ["port in [smtp] must be a number, not true/false (write port = 587)"]),
    ('[smtp]\nsecurity = "tls"\n', ["security in [smtp] 'tls' is not one of ssl, starttls, none"]),
    ('[layout]\nclients = "x"\n', ["clients in [layout] must be a table, not text", "[layout.clients]"]),
    ('layout = 3\n', ["[layout] must be a table, not a number"]),
    ('[smtp.host]\nname = "x"\n', ['host in [smtp] must be text in quotes, not a table (write host = "smtp.gmail.com")']),
    ('[smtp]\nhost = {name = "x"}\n', ["host in [smtp] must be text in quotes, not a table"]),
    ('[smtp]\nhost = ["a", "b"]\n', ["host in [smtp] must be text in quotes, not a list"]),
    ('[google]\ntimeout_seconds = nan\n', ["timeout_seconds in [google] must be more than 0 and at most 3600"]),
    ('[google]\nshare_with = ["a@agency.example", 3]\n', ["share_with in [google] must be text in quotes"]),
    ('[layout.clients]\nsheet = 5\n', ["sheet in [layout.clients] must be text in quotes, not a number"]),
    (b'[smtp]\nfrom = "Caf\xe9 <office@harbor.example>"\n', ["not UTF-8 text (byte 0xe9", "save it as UTF-8"]),
]


@pytest.mark.parametrize(("content", "says"), BAD_FILES, ids=[str(i) for i in range(len(BAD_FILES))])
def test_a_bad_config_file_is_one_line_and_exit_2_and_nothing_is_sent_or_written(tmp_path, content, says):
    book = workbook(tmp_path / "agency")
    config = book.parent / "sheets-sync.toml"
    config.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before, files = digest(book), files_under(tmp_path)
    result = CliRunner().invoke(cli, ["sync", str(book), "--today", MON])
    line = one_error_line(result.stderr)
    assert result.exit_code == EXIT_USAGE, line
    assert str(config) in line
    for text in says:
        assert text in line
    assert digest(book) == before and files_under(tmp_path) == files  # no outbox, no journal, no backup


def test_the_same_file_given_with_config_and_the_user_config_are_checked_too(tmp_path, isolated_env):
    book = workbook(tmp_path / "agency")
    given = tmp_path / "elsewhere.toml"
    given.write_text('[smpt]\nhost = "smtp.example.com"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(book), "--config", str(given)])
    assert result.exit_code == EXIT_USAGE and str(given) in one_error_line(result.stderr)
    (isolated_env / "config.toml").write_text('[smtp]\nhots = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["due", str(book), "--today", MON])
    assert result.exit_code == EXIT_USAGE and "did you mean host?" in one_error_line(result.stderr)


@pytest.mark.parametrize(("name", "value", "says"), [
    ("SHEETS_SYNC_SMTP_TIMEOUT", "nan", "SMTP timeout (SHEETS_SYNC_SMTP_TIMEOUT) must be more than 0 and at most 3600"),
    ("SHEETS_SYNC_SMTP_TIMEOUT", "inf", "SMTP timeout (SHEETS_SYNC_SMTP_TIMEOUT) must be more than 0 and at most 3600"),
    ("SHEETS_SYNC_SMTP_TIMEOUT", "1e300", "SMTP timeout (SHEETS_SYNC_SMTP_TIMEOUT) must be more than 0"),
    ("SHEETS_SYNC_SMTP_TIMEOUT", "soon", "SMTP timeout (SHEETS_SYNC_SMTP_TIMEOUT) 'soon' is not a number of seconds"),
    ("SHEETS_SYNC_SMTP_SEND_TIME_LIMIT", "nan", "SMTP send time limit (SHEETS_SYNC_SMTP_SEND_TIME_LIMIT) must be"),
    ("SHEETS_SYNC_SMTP_PORT", "0", "SMTP port (SHEETS_SYNC_SMTP_PORT) 0 is out of range"),
    ("SHEETS_SYNC_SMTP_PORT", "5.5", "SMTP port (SHEETS_SYNC_SMTP_PORT) '5.5' is not a number"),
])
def test_environment_variables_get_the_same_checks(tmp_path, monkeypatch, name, value, says):
    book = workbook(tmp_path / "agency")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SHEETS_SYNC_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("SHEETS_SYNC_FROM", "office@harbor.example")
    monkeypatch.setenv(name, value)
    before, files = digest(book), files_under(tmp_path)
    result = CliRunner().invoke(cli, ["sync", str(book), "--today", MON])
    assert result.exit_code == EXIT_USAGE and says in one_error_line(result.stderr)
    assert digest(book) == before and files_under(tmp_path) == files


def test_a_config_made_in_code_is_checked_as_a_file_is():
    with pytest.raises(ConfigError, match=r"unknown key 'hots' in \[smtp\]: did you mean host\?"):
        Config(data={"smtp": {"hots": "x"}})
    with pytest.raises(ConfigError) as caught:
        Config(data={"smtp": {"user": "me@x.example", "password": "hunter2"}})
    assert "hunter2" not in str(caught.value)
    assert "run: sheets-sync login <workbook>, which stores the password for me@x.example" in str(caught.value)
    assert "hunter2" not in repr(Config(data={"smtp": {"host": "x"}}))


def test_the_schema_knows_every_key_the_code_reads():
    """A key read with .section("x").get("key") but missing from SCHEMA would be refused as
    unknown; one in SCHEMA that nothing reads would be accepted and ignored."""
    read: set[tuple[str, str]] = set()
    for path in (ROOT / "sheets_sync").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r'section\("(\w+)"\)\.get\("(\w+)"', text))
    read |= {("smtp", key) for key in FILE_KEYS.values()}
    known = {(table, key) for table in ("smtp", "google", "templates") for key in SCHEMA[table]}
    assert read == known - {("smtp", "password")}


def test_every_documented_example_loads(tmp_path):
    for page in ("configuration.md", "email.md", "google.md", "workbook.md", "scheduling.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        for block in re.findall(r"```toml\n(.*?)```", text, re.S):
            path = tmp_path / "example.toml"
            path.write_text(textwrap.dedent(block), encoding="utf-8")
            load_config(path)  # raises on an unknown key or a bad value


def test_every_key_is_documented():
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for table in ("smtp", "google", "templates"):
        for key in SCHEMA[table]:
            assert f"`{key}`" in text, (table, key)


# -- item 14: a folder the tool may not write ---------------------------------------------------


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="sheets-sync-ro-"))
    folder.chmod(0o777)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o777)
    shutil.rmtree(folder)


def run_unprivileged(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess as a user the folder permissions apply to (root ignores them:
    as root it runs as nobody through setpriv)."""
    command = [sys.executable, "-m", "sheets_sync", *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: folder permissions cannot be tested")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env.update(SHEETS_SYNC_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_a_read_only_folder_is_exit_3_and_one_line(shared_tmp):
    home = shared_tmp / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    book = workbook(shared_tmp / "readonly")
    book.chmod(0o666)
    before = digest(book)
    book.parent.chmod(0o555)  # the workbook is writable, its folder is not: no state folder
    done = run_unprivileged(["sync", str(book), "--today", MON], home)
    line = one_error_line(done.stderr)
    assert done.returncode == EXIT_SOURCE, line
    assert f"{book.parent / '.sheets-sync'}: permission denied" in line and "make its folder writable" in line
    assert digest(book) == before and files_under(book.parent) == ["clients.xlsx"]


def test_an_outbox_in_a_read_only_folder_is_exit_3_and_nothing_is_recorded(shared_tmp):
    home = shared_tmp / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    book = workbook(shared_tmp / "agency")
    book.parent.chmod(0o777)
    book.chmod(0o666)
    locked = shared_tmp / "locked"
    locked.mkdir(mode=0o555)
    locked.chmod(0o555)
    before = digest(book)
    done = run_unprivileged(["sync", str(book), "--today", MON, "--outbox", str(locked / "out")], home)
    line = one_error_line(done.stderr)
    assert done.returncode == EXIT_SOURCE, line
    assert f"{locked / 'out'}: permission denied" in line and "--outbox DIR" in line
    assert digest(book) == before and not (locked / "out").exists()
    rerun = run_unprivileged(["sync", str(book), "--today", MON, "--outbox", str(shared_tmp / "out")], home)
    assert rerun.returncode == 0, rerun.stderr  # nothing was recorded as sent: the rerun sends it
    assert [p.name for p in (shared_tmp / "out").iterdir()] == ["task_T-4_reminder_2.eml"]
