"""Every command's --help ends with two or three examples that parse (after its options),
and the command list shows each command's short help whole."""

from __future__ import annotations

import inspect
import re
import shlex

import click
import pytest
from click.testing import CliRunner

from sheets_sync import cli as cli_module
from sheets_sync.cli import cli

COMMANDS = sorted(cli.commands)


def examples(help_text: str) -> list[str]:
    """The command lines of the 'Examples:' block that ends the help, after the options
    (and the command list): nothing but command lines follows it."""
    block = help_text.split("\n  Examples:\n")
    assert len(block) == 2, "no Examples: block"
    assert "Options:" in block[0] and "Options:" not in block[1], "the examples come after the options"
    lines = [line.strip() for line in block[1].splitlines()]
    found = [line for line in lines if line]
    assert all(line.startswith("sheets-sync ") for line in found), found
    return found


def help_of(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_commands_are_the_ones_documented_here():
    assert COMMANDS == ["check", "due", "inbox", "init", "login", "schedule", "stats", "sync", "test-email"]


@pytest.mark.parametrize("name", COMMANDS)
def test_each_commands_help_ends_with_examples_that_parse(name):
    found = examples(help_of(name))
    assert 2 <= len(found) <= 3
    command = cli.commands[name]
    for line in found:
        words = shlex.split(line)
        assert words[:2] == ["sheets-sync", name], line
        # Parses the arguments as a run would (options exist, values convert, arguments are
        # all there) without running the command.
        command.make_context(f"sheets-sync {name}", words[2:], parent=click.Context(cli))


def test_the_top_level_help_has_examples_of_real_commands():
    for line in examples(help_of()):
        words = shlex.split(line)
        assert words[0] == "sheets-sync" and words[1] in cli.commands, line
        command = cli.commands[words[1]]
        command.make_context(f"sheets-sync {words[1]}", words[2:], parent=click.Context(cli))


@pytest.mark.parametrize("width", [80, 60])
def test_the_command_list_shows_each_short_help_whole(width):
    result = CliRunner().invoke(cli, ["--help"], terminal_width=width)
    listing = result.output.split("\nCommands:\n")[1]
    assert "..." not in listing
    text = " ".join(listing.split())
    for name in COMMANDS:
        assert cli.commands[name].get_short_help_str(limit=1000) in text, name


def test_a_bad_example_would_be_caught():
    with pytest.raises(click.UsageError):
        cli.commands["stats"].make_context("sheets-sync stats", ["clients.xlsx", "--period", "week"],
                                           parent=click.Context(cli))
    with pytest.raises(click.UsageError):
        cli.commands["due"].make_context("sheets-sync due", ["clients.xlsx", "--who", "me"], parent=click.Context(cli))


def test_the_cli_reads_the_wall_clock_only_in_day():
    source = inspect.getsource(cli_module)
    reads = re.findall(r"\b(?:date|datetime)\.(?:today|now|utcnow)\(|\btime\.time\(", source)
    assert reads == ["date.today("]
    assert "date.today(" in inspect.getsource(cli_module.day)


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_every_help_line_fits_79_columns(name):
    """An 80-column terminal shows each help line whole, examples included: click wraps prose
    to the terminal's width less 2 (78 here, as it computes for an 80-column terminal), but
    an example line is kept as written and overflows when it is too long."""
    args = [name, "--help"] if name else ["--help"]
    result = CliRunner().invoke(cli, args, terminal_width=78)
    assert result.exit_code == 0, result.output
    wide = [line for line in result.output.splitlines() if len(line) > 79]
    assert wide == [], wide
