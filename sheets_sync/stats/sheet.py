"""The Stats sheet: the report's figures laid out in a fixed grid, with one native chart.

The layout never moves: the title block is rows 1-2, the period table's header is row
``TABLE_HEADER_ROW`` and its 8 periods and the year to date follow, always in the same
cells. The chart's ranges therefore stay valid when later runs rewrite the sheet. Blocks
whose length varies (per owner, at risk) come last, below everything the chart reads.
"""

from __future__ import annotations

import datetime as dt

from sheets_sync.model.layout import STATS_SHEET
from sheets_sync.stats.figures import StatsReport
from sheets_sync.stats.followup import touch_label
from sheets_sync.stats.periods import PERIOD_COUNT, PeriodFigures, rate
from sheets_sync.workbook import CellValue, SheetContent

TABLE_HEADER_ROW = 4
FIRST_PERIOD_ROW = TABLE_HEADER_ROW + 1
LAST_PERIOD_ROW = FIRST_PERIOD_ROW + PERIOD_COUNT - 1
YTD_ROW = LAST_PERIOD_ROW + 1
PERIOD_HEADERS = (
    "Period", "Start", "End", "Clients at start", "New", "Lost", "Clients at end",
    "Retention %", "Attrition %", "Joined and left", "Lost value", "Cost to replace",
    "Bought again %",
)
COL_CLIENTS_AT_END = PERIOD_HEADERS.index("Clients at end") + 1
COL_NEW = PERIOD_HEADERS.index("New") + 1
COL_LOST = PERIOD_HEADERS.index("Lost") + 1
CHART_ANCHOR = (1, len(PERIOD_HEADERS) + 2)  # right of the table, clear of every block
NA = "n/a"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_HEADERS = frozenset({"Lost value", "Cost to replace"})
MAX_WIDTH = 30  # characters; a longer text wraps in the terminal report, here it runs on or is cut
# The sheet is rewritten on every run: long lists stay in the terminal report and the JSON.
AT_RISK_ROWS = 200
NOTE_ROWS = 50


def percent(value: float | None) -> CellValue:
    """A fraction as a percentage with one decimal (0.857 -> 85.7), or 'n/a'."""
    return NA if value is None else round(100 * value, 1)


def _period_row(fig: PeriodFigures) -> list[CellValue]:
    return [
        fig.label + (" (so far)" if fig.partial else ""), fig.start, fig.end,
        fig.S, fig.N, fig.L, fig.E, percent(fig.retention_rate), percent(fig.attrition_rate),
        fig.joined_and_left, round(fig.lost_value, 2), round(fig.replacement_cost, 2),
        percent(fig.repeat_rate) if fig.previous_buyers is not None else "",
    ]


def _block(title: str, header: list[CellValue], rows: list[list[CellValue]]) -> list[list[CellValue]]:
    return [[], [title], header, *rows]


def build_stats_sheet(report: StatsReport) -> SheetContent:
    """The Stats sheet for ``report``: fixed period table and chart (clients at the end,
    new and lost per period), then "one more", the purchase model, per owner, at risk."""
    rows: list[list[CellValue]] = [
        ["Client statistics (written by sheets-sync on every run; edits here are overwritten)"],
        ["As of", report.today, "Period", report.period,
         "Cost to replace a client (x yearly value)", report.replacement_multiplier],
        [],
        list(PERIOD_HEADERS),
    ]
    rows += [_period_row(fig) for fig in report.periods]
    rows.append(_period_row(report.year_to_date))

    closed = report.tasks_closed
    rows += _block(
        f"Does one more work? Tasks closed since {report.window_start.isoformat()}, by messages it took",
        ["Messages", "Tasks", "Share %"],
        [[k, n, percent(rate(n, closed))] for k, n in report.reminders_to_close.items()],
    )
    conv = report.conversion.to_json()
    rows += _block(
        "Prospects who became clients: touches before converting",
        ["Clients", "Median touches", "Mean touches"],
        [[conv["clients"], conv["median"] if conv["median"] is not None else NA,
          conv["mean"] if conv["mean"] is not None else NA]],
    )
    rows += _block(
        "Prospect touches answered, by touch number",
        ["Touch", "Sent", "Answered", "Answered %"],
        [[_touch_cell(k, report.prospect_touches), s, a, percent(rate(a, s))]
         for k, (s, a) in report.response_by_touch.items()] or [["none sent"]],
    )
    if report.has_sales:
        rep = report.repeat
        rows += _block(
            "Repeat buying (Sales sheet)",
            ["Bought again this period %", "Previous buyers", "Buyers with 2+ purchases %", "Buyers"],
            [[percent(rep.returned), rep.previous_buyers, percent(rep.two_or_more), rep.buyers]] if rep else [],
        )
        fit = report.bgnbd
        if fit is not None:
            fitted = fit.to_json()
            model_rows = [[fitted["r"], fitted["alpha"], fitted["a"], fitted["b"], fitted["time_unit"],
                           fitted["log_likelihood"], fitted["customers"]]]
        else:
            model_rows = [[report.bgnbd_reason]]
        rows += _block("Purchase model (BG/NBD)",
                       ["r", "alpha", "a", "b", "Time unit", "Log-likelihood", "Customers"], model_rows)
    rows += _block(
        f"Per owner, {report.year_to_date.label}",
        ["Owner", "Clients at start", "New", "Lost", "Clients at end", "Retention %", "Attrition %",
         "Lost value", "At risk now"],
        [[o.owner, o.year_to_date.S, o.year_to_date.N, o.year_to_date.L, o.year_to_date.E,
          percent(o.year_to_date.retention_rate), percent(o.year_to_date.attrition_rate),
          round(o.year_to_date.lost_value, 2), o.at_risk] for o in report.per_owner],
    )
    shown = report.at_risk[:AT_RISK_ROWS]
    more = len(report.at_risk) - len(shown)
    rows += _block(
        "At risk now" + (f" (the first {len(shown)} of {len(report.at_risk)}: sheets-sync stats lists them all)" if more else ""),
        ["Client ID", "Name", "Owner", "Tier", "Days since touch", "Why"],
        [[a.client_id, a.name, a.owner, a.tier,
          a.days_since_touch if a.days_since_touch is not None else NA, a.reason]
         for a in shown] or [["nobody"]],
    )
    if report.notes:
        notes = report.notes[:NOTE_ROWS]
        if len(report.notes) > len(notes):
            notes.append(f"... and {len(report.notes) - len(notes)} more: run sheets-sync stats")
        rows += _block("Notes", ["Note"], [[note] for note in notes])

    # Clients at the end as a line on the left axis; new and lost, a few a period beside
    # hundreds of clients, as columns on an axis of their own at the right, where they show.
    chart = {
        "title": f"Clients per {report.period}",
        "type": "line",
        "anchor": CHART_ANCHOR,
        "categories": (FIRST_PERIOD_ROW, LAST_PERIOD_ROW, 1),
        "series": [(TABLE_HEADER_ROW, COL_CLIENTS_AT_END)],
        "axis_title": "Clients",
        "secondary": {"type": "bar", "series": [(TABLE_HEADER_ROW, COL_NEW), (TABLE_HEADER_ROW, COL_LOST)],
                      "axis_title": "New and lost"},
    }
    formats = _formats(rows, money_format(report.currency))
    return SheetContent(title=STATS_SHEET, rows=rows, chart=chart, formats=formats,
                        widths=_widths(rows, formats), fit_width=True)


def money_format(currency: str) -> str:
    """The Excel number format for amounts: two decimals, thousands separated, after the
    book's currency symbol (Settings) when it has one."""
    symbol = currency.replace('"', "").strip()
    return f'"{symbol}"#,##0.00' if symbol else "#,##0.00"


def _formats(rows: list[list[CellValue]], money: str) -> dict[tuple[int, int], str]:
    """(row, col) -> number format: dates as dates, the amount columns as money."""
    formats: dict[tuple[int, int], str] = {}
    money_cols: set[int] = set()
    for r, values in enumerate(rows, start=1):
        if len(values) > 1 and all(isinstance(v, str) for v in values):  # a header row: its amount columns
            money_cols = {c for c, v in enumerate(values, start=1) if v in MONEY_HEADERS}
        for c, value in enumerate(values, start=1):
            if isinstance(value, dt.date):
                formats[(r, c)] = DATE_FORMAT
            elif c in money_cols and isinstance(value, (int, float)):
                formats[(r, c)] = money
    return formats


def _shown(value: CellValue, code: str | None) -> int:
    """About how many characters a cell shows."""
    if isinstance(value, dt.date):
        return len(DATE_FORMAT)
    if isinstance(value, (int, float)) and code is not None:
        return len(f"{value:,.2f}") + len(code) - len("#,##0.00") - 2 * code.count('"')
    return len(str(value)) if value is not None else 0


def _widths(rows: list[list[CellValue]], formats: dict[tuple[int, int], str]) -> dict[int, float]:
    """Each column as wide as its widest header or value, at most MAX_WIDTH. Below the
    period table the last cell of a row does not count (it runs on into the empty cells at
    its right: block titles, the at-risk reasons), nor does the title block above it."""
    widest: dict[int, int] = {}
    for r, values in enumerate(rows, start=1):
        if r < TABLE_HEADER_ROW:
            continue
        counted = values if r <= YTD_ROW else values[:max((c for c, v in enumerate(values) if v not in (None, "")),
                                                             default=0)]
        for c, value in enumerate(counted, start=1):
            widest[c] = max(widest.get(c, 0), _shown(value, formats.get((r, c))))
    return {c: float(min(n + 2, MAX_WIDTH)) for c, n in widest.items()}


def _touch_cell(number: int, sequence: int) -> CellValue:
    """A touch number as a number, the pool after the sequence as its label ("8+")."""
    label = touch_label(number, sequence)
    return number if label == str(number) else label
