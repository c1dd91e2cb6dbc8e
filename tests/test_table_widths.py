"""Big tables are sized from their text (table_widths), and print exactly as rich sizes them."""

from __future__ import annotations

import io
import random

import pytest
from rich import box
from rich._wrap import divide_line
from rich.console import Console
from rich.table import Table

from sheets_sync import table_widths, terminal
from sheets_sync.text_table import TextTable

WORDS = ["call", "the", "client", "overdue", "since", "Fri", "23", "Oct", "$9,675", "reminders", "sent:",
         "maria@harborlane.example", "Task", "T-0011:", "2nd", "reminder,", "extraordinarily-long-hyphenated-word",
         "café", "日本語の顧客", "Ünïcödé", "(207)", "555-0102", "C-0002", "x"]


def random_table(rnd: random.Random) -> Table:
    table = Table(title=rnd.choice(["", "Calls for the team", "At risk"]),
                  title_justify=rnd.choice(["left", "center"]), show_header=rnd.random() < 0.9)
    for _ in range(rnd.randint(1, 7)):
        table.add_column(" ".join(rnd.choices(WORDS, k=rnd.randint(1, 3))),
                         no_wrap=rnd.random() < 0.3, overflow=rnd.choice(["fold", "ellipsis"]),
                         justify=rnd.choice(["left", "right"]))
    for _ in range(rnd.randint(0, 12)):
        cells = []
        for _ in table.columns:
            text = " ".join(rnd.choices(WORDS, k=rnd.randint(0, 14)))
            if rnd.random() < 0.1:
                text += "\n" + " ".join(rnd.choices(WORDS, k=3))
            cells.append(text)
        table.add_row(*cells)
    return table


def as_rich_prints_it(table: Table, width: int) -> str:
    """What print_fitted printed before widths were pinned: rich measures everything."""
    out = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    if out.measure(table, options=out.options.update_width(10**6)).maximum > out.width:
        terminal.compact(table)
    out.print(table)
    return out.file.getvalue()  # type: ignore[attr-defined]


def fitted(table: Table, width: int) -> str:
    out = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    terminal.print_fitted(out, table)
    return out.file.getvalue()  # type: ignore[attr-defined]


def case(seed: int) -> tuple[str, Table, str, str | None]:
    """Rich's own print of a random table, and ours: (rich's, the table after print_fitted,
    what print_fitted printed, what table_widths.render_compact makes of it)."""
    rnd = random.Random(seed)
    width = rnd.choice([20, 33, 60, 80, 100, 140, 200])
    expected = as_rich_prints_it(random_table(random.Random(seed)), width)
    table = random_table(random.Random(seed))
    return expected, table, fitted(table, width), table_widths.render_compact(table)


@pytest.mark.parametrize("seed", range(300))
def test_pinned_widths_print_the_same_table_as_rich(seed):
    expected, _, printed, made = case(seed)
    assert printed == expected
    assert made is None or made == expected


def test_many_tables_of_both_looks_are_made_without_rich():
    """The random tables above exercise the plain-text path, in both looks, not only rich's."""
    made = [table for _, table, _, text in map(case, range(300)) if text is not None]
    assert len(made) >= 50
    assert sum(1 for table in made if table.box is box.HEAVY_HEAD) >= 5  # rich's default look


def test_a_big_table_that_fits_keeps_its_borders_and_prints_as_before():
    def at_risk() -> Table:
        table = Table(title="At risk", title_justify="left")
        for column in ("Client", "Tier", "Days since touch", "Why"):
            table.add_column(column, no_wrap=column != "Client")
        for i in range(1000):
            table.add_row(f"Client {i} (C-{i})", "ABC"[i % 3], str(30 + i % 300), "tier A check-in overdue")
        return table

    table = at_risk()
    expected = as_rich_prints_it(at_risk(), 140)
    assert expected.splitlines()[1].startswith("┏")
    assert fitted(table, 140) == expected
    assert table_widths.render_compact(table) == expected


def test_a_big_calls_table_is_pinned_and_prints_as_before():
    def calls() -> Table:
        rnd = random.Random(7)
        table = Table(title="Calls for the team", title_justify="left", show_lines=False)
        for name, opts in (("Kind", {}), ("Owner", {"overflow": "fold"}), ("Client", {}),
                           ("Phone", {"no_wrap": True}), ("Due", {"no_wrap": True}), ("Why", {"overflow": "fold"})):
            table.add_column(name, **opts)  # type: ignore[arg-type]
        for i in range(2000):
            table.add_row("call", f"owner{i % 5}@agency.example", f"Client {i} (C-{i})", f"555-{i:07d}",
                          "Mon 26 Oct", f"Task T-{i}: overdue since Fri 23 Oct, ${rnd.randint(1, 9999):,}, "
                          f"{i % 3} reminders sent: call the client")
        return table

    table = calls()
    expected = as_rich_prints_it(calls(), 140)
    assert fitted(table, 140) == expected
    assert all(column.width is not None for column in table.columns)  # rich did not measure the cells
    assert table_widths.render_compact(table) == expected  # and the text was made without rich


def test_a_table_with_markup_is_left_to_rich():
    table = Table()
    table.add_column("Client")
    table.add_row("[bold]Acme[/bold] Ltd")
    text = fitted(table, 80)
    assert "Acme Ltd" in text and "[bold]" not in text
    assert table.columns[0].width is None


ASCII = ["call", "the", "client", "Task T-0011:", "$9,675", " ", "   ", "", "555-0102", "x", "Mon 26 Oct",
         "maria@harborlane.example", "a-rather-long-word-without-spaces"]


def ascii_table(rnd: random.Random) -> Table:
    """Printable ASCII only (the cells sized and laid out without a call per cell), with
    leading, trailing and repeated spaces and cells of spaces only."""
    table = Table(title=rnd.choice(["", "Calls for the team"]), title_justify="left")
    for _ in range(rnd.randint(1, 6)):
        table.add_column(rnd.choice(["Kind", "Client", "Days without a touch", "Due"]), no_wrap=rnd.random() < 0.4,
                         overflow=rnd.choice(["fold", "ellipsis"]), justify=rnd.choice(["left", "right"]))
    for _ in range(rnd.randint(1, 15)):
        table.add_row(*("".join(rnd.choices(ASCII, k=rnd.randint(0, 6))) if rnd.random() < 0.5
                        else " ".join(rnd.choices(ASCII, k=rnd.randint(0, 6))) for _ in table.columns))
    return table


@pytest.mark.parametrize("seed", range(300))
def test_ascii_tables_print_as_rich_prints_them(seed):
    width = random.Random(seed).choice([20, 40, 80, 140])
    expected = as_rich_prints_it(ascii_table(random.Random(seed)), width)
    table = ascii_table(random.Random(seed))
    assert fitted(table, width) == expected
    made = table_widths.render_compact(table)
    assert made is None or made == expected


def test_ascii_lines_break_where_rich_breaks_them():
    rnd = random.Random(21)
    for _ in range(20000):
        line = rnd.choice(["", " "]).join(rnd.choices(ASCII, k=rnd.randint(0, 12)))
        width, fold = rnd.randint(1, 30), rnd.random() < 0.5
        assert table_widths.divide(line, width, fold) == divide_line(line, width, fold=fold), (line, width, fold)


def as_text_table(table: Table) -> TextTable | None:
    """The TextTable of a fresh random table (None for one without a header: report has none)."""
    if not table.show_header:
        return None
    text = TextTable(title=str(table.title), title_justify=str(table.title_justify))
    for column in table.columns:
        text.add_column(str(column.header), justify=column.justify, no_wrap=bool(column.no_wrap),
                        overflow=str(column.overflow))
    for row in zip(*(column._cells for column in table.columns), strict=True):
        text.add_row(*row)
    return text


@pytest.mark.parametrize("seed", range(300))
@pytest.mark.parametrize("make", [random_table, ascii_table])
def test_text_tables_print_as_rich_prints_them(seed, make):
    """Without rich's Table (a file or pipe), and through the rich Table made of it (colours)."""
    width = random.Random(seed).choice([20, 33, 60, 80, 140])
    text = as_text_table(make(random.Random(seed)))
    if text is None:
        return
    assert fitted(text, width) == as_rich_prints_it(make(random.Random(seed)), width)
    colours = [Console(file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor",
                       legacy_windows=False) for _ in range(2)]
    terminal.print_fitted(colours[0], as_text_table(make(random.Random(seed))))
    terminal.print_fitted(colours[1], make(random.Random(seed)))
    assert colours[0].file.getvalue() == colours[1].file.getvalue()


@pytest.mark.parametrize("title", ["Calls :smile:", "[b]Calls[/b]"])
def test_a_text_table_rich_must_print_keeps_its_look_and_widths(title):
    """Sized and made compact as text, then printed by rich (its title is not plain text)."""
    def made(kind):
        table = kind(title=title, title_justify="left")
        for name in ("Client", "Phone", "Why"):
            table.add_column(name, no_wrap=name == "Phone", overflow="fold")
        for i in range(30):
            table.add_row(f"Client {i} (C-{i})", f"555-{i:07d}", f"Task T-{i}: overdue since Fri 23 Oct, call the client")
        return table

    text = made(TextTable)
    assert fitted(text, 60) == as_rich_prints_it(made(Table), 60)
    assert text.box is box.SIMPLE_HEAD and all(column.width for column in text.columns)
