"""What people read in an 80-column terminal (issue 20 item 11, and item 10's empty tables):
tables fit, numbers are never cut, due --owner says when nobody has that owner, the sync
summary says what was skipped and why, and stats prints no table with only a header."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli
from sheets_sync.init import create
from sheets_sync.stats.figures import compute_stats
from sheets_sync.stats.report import print_report
from sheets_sync.sync import load_book

TODAY = "2026-12-01"


def run(*args: str, columns: int | None = None) -> tuple[int, str, str]:
    env = {"COLUMNS": str(columns)} if columns else {}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return create(tmp_path_factory.mktemp("sample") / "clients.xlsx", sample=True, today=D(2026, 12, 1))


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("command", [("stats", "--today", TODAY), ("due", "--today", TODAY),
                                     ("sync", "--dry-run", "--today", TODAY), ("check",)])
def test_tables_fit_the_terminal(sample, command, columns):
    code, out, _ = run(command[0], str(sample), *command[1:], columns=columns)
    assert code in (0, 1)
    assert "┃" in out or "───" in out  # a table was printed
    # check's set-up lines are plain lines, not a table: the terminal wraps them itself
    assert widest("\n".join(line for line in out.splitlines() if not line.startswith("Set-up: "))) <= columns


def test_without_a_terminal_or_columns_tables_stay_wide_for_logs(sample):
    _, out, _ = run("stats", str(sample), "--today", TODAY)
    assert 80 < widest(out) <= 140


def test_numbers_are_not_cut_in_a_narrow_terminal(sample):
    book, _ = load_book(str(sample))
    report = compute_stats(book, D(2026, 12, 1), "month")
    console = Console(width=80, record=True, highlight=False, markup=False)
    print_report(report, console)
    text = console.export_text()
    assert widest(text) <= 80
    period_rows = [line for line in text.splitlines() if line.startswith(("Jul ", "Oct "))]
    assert len(period_rows) == 2
    for fig, line in zip([report.periods[2], report.periods[5]], period_rows, strict=True):
        assert "…" not in line
        # after the label: S, N, L, E, retention, attrition, lost value, cost to replace, bought again
        words = line.split()[-9:]
        assert words[:4] == [str(fig.S), str(fig.N), str(fig.L), str(fig.E)]
        assert words[6:8] == [f"${fig.lost_value:,.0f}", f"${fig.replacement_cost:,.0f}"]


def office(path: Path) -> Path:
    clients = [
        ["C-1", "Bob Roe", "", "bob@example.com", "555-0101", "maria@agency.example", "C", "Active", D(2024, 1, 5), None, None, ""],
        ["C-2", "Dee Nope", "", "dee@example.com", "555-0104", "tom@agency.example", "C", "Active", D(2024, 1, 5), None, "Yes", ""],
        ["C-3", "Al Noaddr", "", "", "555-0105", "tom@agency.example", "C", "Active", D(2024, 1, 5), None, None, ""],
    ]
    touches = [[D(2026, 8, 1), cid, None, "Call", "Out", "tom", "", None] for cid in ("C-1", "C-2", "C-3")]
    return write_workbook(path, {"Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER],
                                 "Touches": [TOUCH_HEADER, *touches]})


def test_the_sync_summary_says_what_was_skipped_and_why(tmp_path):
    book = office(tmp_path / "clients.xlsx")
    code, out, _ = run("sync", str(book), "--today", TODAY, "--outbox", str(tmp_path / "outbox"))
    assert code == 0, out
    text = " ".join(out.split())  # a long line wraps at the console's width
    # C-1's tier C check-in goes out (90 days after 1 Aug); C-2 is Do Not Email, C-3 has no address.
    assert "; 2 skipped (1 Do Not Email, so a call instead; 1 no email address, so a call instead)." in text


def test_due_for_an_owner_nobody_has_says_so_and_lists_the_owners(tmp_path):
    book = office(tmp_path / "clients.xlsx")
    code, out, err = run("due", str(book), "--today", TODAY, "--owner", "maria@agency.exampel")
    assert (code, out) == (1, "")
    assert err == ("Error: no client in Clients has the owner maria@agency.exampel; the owners are: "
                   "maria@agency.example, tom@agency.example\n")
    code, out, err = run("due", str(book), "--today", TODAY, "--owner", "TOM@agency.example", "--json")
    assert (code, err) == (0, "")


def test_due_for_an_owner_in_a_book_without_owners(tmp_path):
    book = create(tmp_path / "empty.xlsx", today=D(2026, 12, 1))
    code, out, err = run("due", str(book), "--today", TODAY, "--owner", "maria@agency.example")
    assert (code, out) == (1, "")
    assert err == ("Error: no client in Clients has the owner maria@agency.example: no client there has an "
                   "owner yet (fill in the Owner column)\n")


def test_stats_prints_no_table_that_would_only_have_a_header(tmp_path):
    book = create(tmp_path / "empty.xlsx", today=D(2026, 12, 1))
    code, out, _ = run("stats", str(book), "--today", TODAY)
    assert code == 0
    lines = out.splitlines()
    for said in ("At risk now: nobody.", "Does one more work? No task closed since 01 May 2026 yet.",
                 "Prospect touches answered: none sent yet.", "Per owner, 2026 to date: no client has an owner yet."):
        assert said in lines
    for index, line in enumerate(lines):  # a header row's rule followed at once by the bottom border
        if line.startswith("┡"):
            assert not lines[index + 1].startswith("└"), "\n".join(lines[index - 3:index + 2])
