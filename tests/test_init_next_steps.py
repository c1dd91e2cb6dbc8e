"""init --into ends with what to do next (found in the new-user trial: it printed the mapping
and stopped; the set-up left, the dry run and the Start date were only in the docs)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from workbooks import write_workbook

from sheets_sync.cli import cli


def test_init_into_says_what_to_do_next(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "Our clients.xlsx", {
        "Customers": [["Customer #", "Full name", "E-mail address", "Rep", "Status"],
                      ["K100", "Ann Lee", "ann@example.com", "Tom@Office.example", "Active"]],
    })
    result = CliRunner().invoke(cli, ["init", "--into", str(path), "--today", "2026-11-30"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert flat.endswith(
        f"Next: run sheets-sync check \"{path}\": it lists what is left to set up (your office's name and the From "
        "address on the Settings sheet, each owner's name on the Staff sheet). Then sheets-sync sync "
        f"\"{path}\" --dry-run shows what the first sync would send; the Start date on the Settings sheet "
        "spreads the steps already overdue that day over the next business days (docs/workbook.md, \"Going live\")."
    ), flat[-600:]


def test_init_says_what_to_do_with_a_new_workbook_and_with_the_sample(tmp_path: Path) -> None:
    """'Fill in the Clients sheet' was said of the sample too, whose Clients sheet is full."""
    new = tmp_path / "clients.xlsx"
    result = CliRunner().invoke(cli, ["init", str(new), "--today", "2026-11-30"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert " ".join(result.stdout.split()) == (
        f"Created {new}. Fill in the Clients sheet, and your office's name and From address on the Settings "
        f"sheet (sheets-sync check {new} lists what is left to set up). Then sheets-sync sync {new} --dry-run "
        "shows what the first sync would send.")
    sample = tmp_path / "demo book.xlsx"
    result = CliRunner().invoke(cli, ["init", str(sample), "--sample", "--today", "2026-11-30"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert " ".join(result.stdout.split()) == (
        f"Created \"{sample}\" with the demo agency's clients. See today's calls and emails with sheets-sync due "
        f"\"{sample}\", and what a sync would send with sheets-sync sync \"{sample}\" --dry-run.")
