"""The Stats sheet keeps a fixed layout, so the chart created with it stays valid."""

from __future__ import annotations

import datetime as dt

import pytest
from test_stats_report import buying_book, make_book

from sheets_sync.model.layout import STATS_SHEET
from sheets_sync.model.rows import Client
from sheets_sync.stats.figures import compute_stats
from sheets_sync.stats.sheet import (
    FIRST_PERIOD_ROW,
    LAST_PERIOD_ROW,
    TABLE_HEADER_ROW,
    YTD_ROW,
    build_stats_sheet,
)

D = dt.date
TODAY = D(2026, 11, 30)


def cell(rows, row: int, col: int):
    """1-based, like the chart spec."""
    values = rows[row - 1]
    return values[col - 1] if col <= len(values) else None


@pytest.fixture(scope="module")
def sheets():
    empty = build_stats_sheet(compute_stats(make_book([]), TODAY))
    busy = build_stats_sheet(compute_stats(buying_book(), TODAY))
    quarterly = build_stats_sheet(compute_stats(buying_book(), D(2027, 2, 3), "quarter"))
    return empty, busy, quarterly


def test_chart_reads_the_period_table(sheets):
    """Categories are the 8 period labels; the three series are Clients at end (a line),
    New and Lost (columns on an axis of their own, where a few a period show beside
    hundreds of clients), named by the header row right above the first period."""
    for sheet in sheets:
        chart = sheet.chart
        first, last, col = chart["categories"]
        assert (first, last, col) == (FIRST_PERIOD_ROW, LAST_PERIOD_ROW, 1)
        assert last - first + 1 == 8
        assert all(isinstance(cell(sheet.rows, r, 1), str) and cell(sheet.rows, r, 1) for r in range(first, last + 1))
        assert chart["type"] == "line" and chart["secondary"]["type"] == "bar"
        series = chart["series"] + chart["secondary"]["series"]
        names = [cell(sheet.rows, header, c) for header, c in series]
        assert names == ["Clients at end", "New", "Lost"]
        assert all(header == first - 1 for header, _ in series)
        for _, c in series:
            assert all(isinstance(cell(sheet.rows, r, c), int) for r in range(first, last + 1))
        row, col = chart["anchor"]
        assert all(len(r) < col for r in sheet.rows), "the chart must not cover any written cell"


def test_layout_is_the_same_whatever_the_data(sheets):
    """Everything the chart reads sits in the same cells for an empty book, a busy one and
    a quarterly one; only what follows the fixed table may vary in length."""
    empty, busy, quarterly = sheets
    assert empty.chart["categories"] == busy.chart["categories"] == quarterly.chart["categories"]
    assert empty.chart["series"] == busy.chart["series"] == quarterly.chart["series"]
    assert empty.chart["anchor"] == busy.chart["anchor"] == quarterly.chart["anchor"]
    for r in (1, TABLE_HEADER_ROW):
        assert cell(empty.rows, r, 1) == cell(busy.rows, r, 1)
    assert empty.rows[TABLE_HEADER_ROW - 1] == busy.rows[TABLE_HEADER_ROW - 1]
    assert all(s.title == STATS_SHEET and s.table is None for s in sheets)


def test_cells_hold_the_reports_figures():
    """One client since 5 Jan 2026: every period from Apr to Nov has S = E = 1; the year to
    date row has S 0, N 1, E 1 and retention n/a (S = 0)."""
    report = compute_stats(make_book([Client("C1", "Ann", 2, client_since=D(2026, 1, 5))]), TODAY)
    rows = build_stats_sheet(report).rows
    header = rows[TABLE_HEADER_ROW - 1]
    nov = dict(zip(header, rows[LAST_PERIOD_ROW - 1], strict=False))
    assert nov["Period"] == "Nov 2026" and nov["Start"] == D(2026, 11, 1) and nov["End"] == D(2026, 11, 30)
    assert (nov["Clients at start"], nov["New"], nov["Lost"], nov["Clients at end"]) == (1, 0, 0, 1)
    assert nov["Retention %"] == 100.0 and nov["Attrition %"] == 0.0
    ytd = dict(zip(header, rows[YTD_ROW - 1], strict=False))
    assert ytd["Period"] == "2026 to date"
    assert (ytd["Clients at start"], ytd["New"], ytd["Clients at end"]) == (0, 1, 1)
    assert ytd["Retention %"] == "n/a" and ytd["Attrition %"] == "n/a"
    assert ["nobody"] not in rows  # C1 was never touched: on the at-risk list
    assert any(r and r[0] == "C1" for r in rows[YTD_ROW:])


def test_sales_blocks_only_with_a_sales_sheet(sheets):
    empty, busy, _ = sheets
    titles = [r[0] for r in busy.rows if len(r) == 1]
    assert "Purchase model (BG/NBD)" in titles and "Repeat buying (Sales sheet)" in titles
    assert "Purchase model (BG/NBD)" not in [r[0] for r in empty.rows if r]


def test_the_at_risk_block_is_capped_so_big_books_keep_a_small_sheet():
    import datetime as dt

    from sheets_sync.model.rows import Book, Client
    from sheets_sync.stats.figures import compute_stats
    from sheets_sync.stats.sheet import AT_RISK_ROWS, build_stats_sheet

    clients = [Client(f"C-{i}", f"N{i}", i + 2, tier="A", status="Active", client_since=dt.date(2025, 1, 1))
               for i in range(AT_RISK_ROWS + 50)]
    book = Book(clients=clients, tasks=[], touches=[], sales=[], problems=[], tables={}, headers={},
                missing_tool_columns={})
    report = compute_stats(book, dt.date(2026, 11, 23))
    assert len(report.at_risk) == AT_RISK_ROWS + 50
    rows = build_stats_sheet(report).rows
    title = next(r[0] for r in rows if r and str(r[0]).startswith("At risk now"))
    assert f"the first {AT_RISK_ROWS} of {AT_RISK_ROWS + 50}" in title
    listed = [r for r in rows if r and str(r[0]).startswith("C-")]
    assert len(listed) == AT_RISK_ROWS
