"""Plain lines and due's whole text, written without rich's rendering where they print as
they are (issue 21, round three): byte for byte what rich prints."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from rich.text import Text
from test_due_check_render import bench_book

from sheets_sync import report, terminal
from sheets_sync.cli import cli
from sheets_sync.sync import load, run_sync

PIECES = ["Due on Fri 4 Dec 2026", "Nothing due.", "- Client 12 (C-12): written to the outbox", ":smile:",
          ":not-an-emoji:", "[bold]x[/bold]", "café", "日本語", "tab\there", "bell\a", "cr\r", "two\nlines",
          "  ", "", "Task T-1: overdue since Fri 23 Oct, $9,675", "x" * 50]


def console(record: bool, width: int, soft_wrap: bool = False) -> Console:
    return Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False, highlight=False,
                   markup=False, soft_wrap=soft_wrap, record=record)


def random_line(rnd: random.Random) -> str | Text:
    line = " ".join(rnd.choices(PIECES, k=rnd.randint(0, 5)))
    if rnd.random() < 0.2:
        return Text.assemble((line, "bold"), rnd.choice(PIECES))
    return line


@pytest.mark.parametrize("seed", range(200))
def test_lines_print_as_rich_prints_them(seed: int) -> None:
    rnd = random.Random(seed)
    width, own_soft_wrap = rnd.choice([10, 20, 40, 80, 140]), rnd.random() < 0.2
    soft_wrap = rnd.choice([None, False, True])
    lines = [random_line(rnd) for _ in range(rnd.randint(0, 8))]
    expected = console(False, width, own_soft_wrap)
    for line in lines:
        expected.print(line, soft_wrap=soft_wrap)
    printed = console(False, width, own_soft_wrap)
    terminal.print_lines(printed, *lines, soft_wrap=soft_wrap)
    assert printed.file.getvalue() == expected.file.getvalue()  # type: ignore[attr-defined]


WORDS = ["a", "bb", "Emails:", "301", "(25", "client", "x" * 30, "y" * 150, " ", "  "]


@pytest.mark.parametrize("seed", range(300))
def test_long_lines_wrap_as_rich_wraps_them(seed: int) -> None:
    """Printable ASCII longer than the width: cut between words, long words folded, blanks
    past the width dropped, as rich does (a sync's summary line is often over 140 columns)."""
    rnd = random.Random(seed)
    width = rnd.choice([5, 10, 20, 40, 80, 140])
    line = "".join(rnd.choice(WORDS) + rnd.choice(["", " ", "  ", "   "]) for _ in range(rnd.randint(1, 40)))
    expected, printed = console(False, width), console(False, width)
    expected.print(line)
    terminal.print_lines(printed, line)
    assert printed.file.getvalue() == expected.file.getvalue()  # type: ignore[attr-defined]


def test_a_recording_console_is_left_to_rich() -> None:
    out = console(True, 80)
    terminal.print_lines(out, "Nothing due.", Text.assemble(("ana", "bold"), ": 1 call(s)"))
    assert out.export_text() == "Nothing due.\nana: 1 call(s)\n"


def due_as_rich_prints_it(book: Path, today: dt.date) -> str:
    loaded = load(str(book), today, render=False)
    fast, slow = console(False, 140), console(True, 140)
    report.print_due(loaded, None, fast)
    report.print_due(loaded, None, slow)
    text: str = fast.file.getvalue()  # type: ignore[attr-defined]
    assert text == slow.file.getvalue()  # type: ignore[attr-defined]
    return text


def test_due_prints_what_rich_prints(tmp_path: Path) -> None:
    """A recording console takes none of the shortcuts: every line and table goes through rich.
    The benchmark's book never synced (on a business day and a Saturday), and the day after a
    sync to the outbox (drafts waiting)."""
    book = bench_book(tmp_path, 1000)
    assert "At risk" in due_as_rich_prints_it(book, dt.date(2026, 12, 3))
    assert "not a business day" in due_as_rich_prints_it(book, dt.date(2026, 12, 5))
    synced = CliRunner().invoke(cli, ["sync", str(book), "--today", "2026-12-03", "--outbox", str(tmp_path / "out")])
    assert synced.exit_code in (0, 1), synced.output
    assert "Drafts waiting in the outbox" in due_as_rich_prints_it(book, dt.date(2026, 12, 4))


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_sync_summary_prints_what_rich_prints(tmp_path: Path, dry_run: bool) -> None:
    book = bench_book(tmp_path, 1000)
    result = run_sync(str(book), dt.date(2026, 12, 3), dry_run=dry_run, outbox=tmp_path / "out")
    fast, slow = console(False, 140), console(True, 140)
    report.print_sync(result, fast)
    report.print_sync(result, slow)
    text = fast.file.getvalue()  # type: ignore[attr-defined]
    assert "Calls for the team" in text and text.count("\n") > 300
    assert text == slow.file.getvalue()  # type: ignore[attr-defined]


PROBE = """
import json, sys
from sheets_sync.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "rich")), file=sys.stderr)
"""


def run_cli(args: list[str], cwd: Path, **env: str) -> tuple[str, list[str]]:
    """stdout of the CLI run in a new interpreter with stdout a pipe, and the rich modules it loaded."""
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE")}
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env={**environ, **env},
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.stderr.strip(), result.stdout[-3000:]
    return result.stdout, json.loads(result.stderr.strip().splitlines()[-1])


def test_check_of_a_book_without_problems_prints_without_rich(tmp_path: Path) -> None:
    bench_book(tmp_path, 100)
    out, loaded = run_cli(["check", "bench100.xlsx"], tmp_path)
    assert out.startswith("bench100.xlsx: no problems found.\n")
    assert loaded == []


def test_due_on_stdout_prints_what_rich_prints(tmp_path: Path) -> None:
    """Through the CLI to a pipe (the plain stand-in for rich's console, its tables as text)
    and with colours forced (rich's console and tables, as before)."""
    book = bench_book(tmp_path, 1000)
    expected = console(True, 140)
    report.print_due(load(str(book), dt.date(2026, 12, 3), render=False), None, expected)
    out, loaded = run_cli(["due", book.name, "--today", "2026-12-03"], tmp_path)
    assert out == expected.file.getvalue()  # type: ignore[attr-defined]
    assert not {"rich.console", "rich.table", "rich.text"} & set(loaded), loaded
    coloured, loaded = run_cli(["due", book.name, "--today", "2026-12-03"], tmp_path, FORCE_COLOR="1")
    assert "\x1b[1m" in coloured and "rich.console" in loaded  # the owners' names in bold
