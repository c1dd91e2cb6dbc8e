"""The Stats sheet: the report's figures laid out in a fixed grid, with one native chart.

The layout never moves: the title block is rows 1-2, the period table's header is row
``TABLE_HEADER_ROW`` and its 8 periods and the year to date follow, always in the same
cells. The chart's ranges therefore stay valid when later runs rewrite the sheet. Blocks
whose length varies (per owner, at risk) come last, below everything the chart reads.
"""

from __future__ import annotations

from sheets_sync.model.layout import STATS_SHEET
from sheets_sync.stats.figures import StatsReport
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
# The sheet is rewritten on every run: long lists stay in the terminal report and the JSON.
AT_RISK_ROWS = 200
NOTE_ROWS = 50


def percent(value: float | None) -> CellValue:
    """A fraction as a percentage with one decimal (0.857 -> 85.7), or 'n/a'."""
    return NA if value is None else round(100 * value, 1)


def _period_row(fig: PeriodFigures) -> list[CellValue]:
    return [
        fig.label + (" (so far)" if fig.partial else ""), fig.start.isoformat(), fig.end.isoformat(),
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
        ["As of", report.today.isoformat(), "Period", report.period,
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
        [[k, s, a, percent(rate(a, s))] for k, (s, a) in report.response_by_touch.items()] or [["none sent"]],
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

    chart = {
        "title": f"Clients per {report.period}",
        "type": "bar",
        "anchor": CHART_ANCHOR,
        "categories": (FIRST_PERIOD_ROW, LAST_PERIOD_ROW, 1),
        "series": [(TABLE_HEADER_ROW, COL_CLIENTS_AT_END), (TABLE_HEADER_ROW, COL_NEW),
                   (TABLE_HEADER_ROW, COL_LOST)],
    }
    return SheetContent(title=STATS_SHEET, rows=rows, chart=chart)
