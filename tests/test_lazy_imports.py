"""A sync of a book that reads no mailbox, signs in with no OAuth provider, schedules nothing
and names no Country does not import the libraries those features need (issue 21 counts
start-up: imapclient, flufl.bounce, msal, python-crontab and holidays cost time on every run).

Each check runs in a fresh interpreter, so nothing an earlier test imported is in sys.modules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import cli

# The top-level names each optional feature pulls in.
FEATURE_MODULES = ("imapclient", "flufl", "msal", "crontab", "holidays")

PROBE = """
import json, sys
from sheets_sync.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
names = {"imapclient", "flufl", "msal", "crontab", "holidays"}
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & names)))
"""


def loaded_after(args: list[str], cwd: Path, home: Path, **extra: str) -> list[str]:
    """The feature libraries in sys.modules after running the CLI with ``args`` in a new
    interpreter (stdout of the command itself goes to --quiet, so the last line is ours)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env.update(SHEETS_SYNC_HOME=str(home), HOME=str(home), **extra)
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.stdout.strip(), result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_plain_sync_imports_no_feature_library(tmp_path: Path, isolated_env: Path) -> None:
    made = CliRunner().invoke(cli, ["init", str(tmp_path / "clients.xlsx"), "--sample", "--today", "2026-11-23"])
    assert made.exit_code == 0, made.output
    loaded = loaded_after(["sync", "clients.xlsx", "--today", "2026-11-23", "--quiet"], tmp_path, isolated_env)
    assert loaded == [], f"imported by a sync that does not use them: {loaded}"
    assert list((tmp_path / "outbox").rglob("*.eml")), "the sync did not run"


def test_the_probe_sees_a_feature_library_when_it_is_used(tmp_path: Path, isolated_env: Path) -> None:
    made = CliRunner().invoke(cli, ["init", str(tmp_path / "clients.xlsx"), "--sample", "--today", "2026-11-23"])
    assert made.exit_code == 0, made.output
    # a mailbox on a port nobody listens on: the sync goes on without it, having tried
    loaded = loaded_after(["sync", "clients.xlsx", "--today", "2026-11-23", "--quiet"], tmp_path, isolated_env,
                          SHEETS_SYNC_IMAP_HOST="127.0.0.1", SHEETS_SYNC_IMAP_PORT="1", SHEETS_SYNC_IMAP_SECURITY="none",
                          SHEETS_SYNC_IMAP_USER="office@harborlane.example", SHEETS_SYNC_IMAP_PASSWORD="x")
    assert "imapclient" in loaded, loaded


MODULES_PROBE = """
import json, sys
from sheets_sync.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(args: list[str], cwd: Path, home: Path, **extra: str) -> set[str]:
    """Every module in sys.modules after running the CLI with ``args`` in a new interpreter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env.update(SHEETS_SYNC_HOME=str(home), HOME=str(home), **extra)
    result = subprocess.run([sys.executable, "-c", MODULES_PROBE, *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.stdout.strip(), result.stderr[-3000:]
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_due_and_check_import_only_what_they_use(tmp_path: Path, isolated_env: Path) -> None:
    """due renders nothing (no template engine); neither reads a mailbox (no mail parsers);
    an Excel book needs no Google stack; --json prints no table (no rich) (issue 21, round two)."""
    made = CliRunner().invoke(cli, ["init", str(tmp_path / "clients.xlsx"), "--sample", "--today", "2026-11-23"])
    assert made.exit_code == 0, made.output
    due = modules_after(["due", "clients.xlsx", "--today", "2026-11-23", "--json"], tmp_path, isolated_env)
    check = modules_after(["check", "clients.xlsx", "--json"], tmp_path, isolated_env)
    assert "sheets_sync.plan" in due or "sheets_sync.rules.plan" in due, "due did not run"
    assert "jinja2" in check, "check renders each email to find the templates that fail"
    for name in ("jinja2", "sheets_sync.mail.render", "sheets_sync.mail.compose"):
        assert name not in due, f"due imported {name}"
    for modules in (due, check):
        top = {m.split(".")[0] for m in modules}
        assert not top & {"gspread", "google", "googleapiclient", "imapclient", "msal", "crontab", "holidays",
                          "numpy", "scipy"}, top
        assert "sheets_sync.inbox.parse" not in modules and "sheets_sync.inbox.fetch" not in modules
        assert "sheets_sync.backends.excel.write" not in modules, "the Excel writer, for a command that never writes"
        assert "ctypes.util" not in modules, "libc found through ldconfig (a subprocess) instead of the process's own"
        assert "subprocess" not in modules, "the outbox's file writer, for a command that writes no draft"
        assert "rich" not in top, "--json imported rich"


# What only a sync uses: it sends (mailers, the outbox's MIME), keeps the journal (sqlite3), writes
# (the batch), logs the run and builds the Stats sheet.
SYNC_ONLY = ("sheets_sync.sync", "sheets_sync.mail.journal", "sheets_sync.mail.mailer", "sheets_sync.mail.outbox",
             "sheets_sync.mail.mime", "sheets_sync.write.batch", "sheets_sync.health.run", "sheets_sync.stats",
             "sheets_sync.stats.figures", "sqlite3", "email.policy", "email.mime", "logging.handlers", "statistics")


def test_due_and_check_import_nothing_that_only_a_sync_uses(tmp_path: Path, isolated_env: Path) -> None:
    """The read-only commands read, model, plan and print (check renders too): at a thousand
    clients their run is mostly the start of the process (issue 21, start-up). due prints no
    email, so it needs no email package at all."""
    plain_book(tmp_path)
    due = modules_after(["due", "book.xlsx", "--today", "2026-12-03"], tmp_path, isolated_env)
    check = modules_after(["check", "book.xlsx"], tmp_path, isolated_env)
    assert "sheets_sync.rules.plan" in due and "sheets_sync.mail.render" in check, "the commands did not run"
    for command, modules in (("due", due), ("check", check)):
        for name in SYNC_ONLY:
            assert name not in modules, f"{command} imported {name}"
    assert not {m for m in due if m == "email" or m.startswith("email.")}, "due imported the email package"
    assert "_strptime" not in due, "--today read by strptime (its first call compiles a dozen patterns)"
    assert "secrets" not in due and "random" not in due, "the write's temporary names, for a command that only reads"


def plain_book(tmp_path: Path) -> Path:
    """bench_excel.build(100): a book of ordinary addresses (the sample has broken ones on purpose)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
    try:
        import bench_excel
    finally:
        sys.path.pop(0)
    book = tmp_path / "book.xlsx"
    bench_excel.build(book, 100)
    return book


def test_a_sync_without_a_mailbox_loads_no_reader_and_no_full_address_validator(tmp_path: Path,
                                                                                isolated_env: Path) -> None:
    """Asking whether a mailbox is configured loads neither the mail parsers nor ssl; a book of
    plain addresses, whose digests have no owner, never needs email_validator; dates stored as
    dates need no date-text parser; no config file, no TOML parser (issue 21, start-up)."""
    plain_book(tmp_path)
    loaded = modules_after(["sync", "book.xlsx", "--today", "2026-12-03", "--outbox", "outbox", "--quiet"],
                           tmp_path, isolated_env)
    assert "sheets_sync.inbox.hook" in loaded and list((tmp_path / "outbox").rglob("*.eml")), "the sync did not run"
    for name in ("ssl", "email_validator", "dateutil", "tomllib", "difflib", "sheets_sync.inbox.act", "sheets_sync.inbox.run",
                 "sheets_sync.inbox.parse", "sheets_sync.inbox.classify", "sheets_sync.inbox.fetch"):
        assert name not in loaded, f"a sync without a mailbox imported {name}"
    fit = {"numpy", "scipy"} & {m.split(".")[0] for m in loaded}
    assert not fit, f"a sync of a book with no Sales sheet imported {fit} (the BG/NBD fit has nothing to read)"


def test_a_maildir_sync_still_loads_the_readers(tmp_path: Path, isolated_env: Path) -> None:
    """The other side of the test above: with a mailbox configured, the readers do load."""
    plain_book(tmp_path)
    for sub in ("new", "cur", "tmp"):
        (tmp_path / "mail" / sub).mkdir(parents=True)
    loaded = modules_after(["sync", "book.xlsx", "--today", "2026-12-03", "--outbox", "outbox", "--quiet"],
                           tmp_path, isolated_env, SHEETS_SYNC_IMAP_MAILDIR=str(tmp_path / "mail"))
    assert {"sheets_sync.inbox.run", "sheets_sync.inbox.parse"} <= loaded, sorted(loaded)


def test_a_sync_printing_to_a_pipe_loads_no_rich_console(tmp_path: Path, isolated_env: Path) -> None:
    """The summary's long lines are wrapped as rich wraps them, without rich's console
    (tests/test_print_lines.py compares the text with rich's)."""
    plain_book(tmp_path)
    loaded = modules_after(["sync", "book.xlsx", "--today", "2026-12-03", "--outbox", "outbox"], tmp_path,
                           isolated_env)
    assert list((tmp_path / "outbox").rglob("*.eml")), "the sync did not run"
    assert "rich.console" not in loaded


def probe_sync(probe: str, tmp_path: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``probe`` run in a new interpreter for an outbox sync of a plain book."""
    plain_book(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env.update(SHEETS_SYNC_HOME=str(home), HOME=str(home))
    return subprocess.run([sys.executable, "-c", probe, "sync", "book.xlsx", "--today", "2026-12-03", "--outbox",
                           "outbox", "--quiet"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


MAPS_PROBE = """
import sys
from sheets_sync.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
with open("/proc/self/maps") as maps:
    print(sorted({line.split()[-1] for line in maps if "libcrypto" in line}))
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads which libraries the process mapped (Linux)")
def test_a_sync_loads_no_openssl_for_its_digests(tmp_path: Path, isolated_env: Path) -> None:
    """hashlib's OpenSSL backend maps libcrypto (megabytes) for the workbook's fingerprint and
    a few cache keys: the command line takes Python's own digests instead (issue 21, memory)."""
    result = probe_sync(MAPS_PROBE, tmp_path, isolated_env)
    assert list((tmp_path / "outbox").rglob("*.eml")), result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


NO_OWN_SHA2_PROBE = """
import sys
sys.modules["_sha2"] = sys.modules["_sha256"] = None  # a Python built without its own SHA-2 (FIPS builds)
from sheets_sync.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit as exit:
    print("exit", exit.code)
"""


def test_a_python_without_its_own_digests_keeps_openssl(tmp_path: Path, isolated_env: Path) -> None:
    """Where Python has no SHA-256 of its own, hashlib needs OpenSSL: the command line must not
    keep it out, or every run would fail at its first digest."""
    result = probe_sync(NO_OWN_SHA2_PROBE, tmp_path, isolated_env)
    assert result.stdout.strip().splitlines()[-1] in ("exit 0", "exit 1"), result.stdout + result.stderr[-3000:]
    assert list((tmp_path / "outbox").rglob("*.eml")), result.stderr[-3000:]
