"""--today reads YYYY-MM-DD without strptime, and gives click.DateTime's result and message
for anything (issue 21, start-up)."""

from __future__ import annotations

import click
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.cli import IsoDay, cli

CLICK = click.DateTime(formats=["%Y-%m-%d"])


def outcome(param_type: click.ParamType, value: str) -> object:
    """The converted value, or the message click would print."""
    try:
        return param_type.convert(value, None, None)
    except click.BadParameter as exc:
        return f"error: {exc.format_message()}"


near_iso = st.builds(lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}",
                     st.text("0123456789", min_size=1, max_size=5), st.text("0123456789", min_size=1, max_size=3),
                     st.text("0123456789²٣", min_size=1, max_size=3), st.sampled_from(["-", "/", " "]))


@given(st.one_of(near_iso, st.text(max_size=12), st.dates().map(str)))
def test_today_is_read_as_click_reads_it(value: str) -> None:
    assert outcome(IsoDay(), value) == outcome(CLICK, value)


def test_the_command_line_says_what_click_said() -> None:
    """A bad day stops the command with click's own message; the help still shows the format."""
    result = CliRunner().invoke(cli, ["due", "book.xlsx", "--today", "2026-02-30"])
    assert result.exit_code == 2
    assert "Invalid value for '--today': '2026-02-30' does not match the format '%Y-%m-%d'." in result.output
    assert "--today [%Y-%m-%d]" in CliRunner().invoke(cli, ["due", "--help"]).output
