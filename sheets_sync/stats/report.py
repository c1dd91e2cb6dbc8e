"""The stats report for people: rich tables (``stats --json`` prints ``StatsReport.to_json``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sheets_sync.display import money
from sheets_sync.owner_names import owner_label
from sheets_sync.stats.figures import StatsReport
from sheets_sync.stats.followup import touch_label
from sheets_sync.stats.periods import PeriodFigures, rate
from sheets_sync.terminal import print_fitted

NA = "n/a"


def pct(value: float | None) -> str:
    """'85.7%' or 'n/a'."""
    return NA if value is None else f"{100 * value:.1f}%"


def _period_table(report: StatsReport) -> Table:
    table = Table(title=f"Clients per {report.period} (retention = (E - N) / S, attrition = L / S)")
    for header in ("Period", "S at start", "N new", "L lost", "E at end", "Retention", "Attrition",
                   "Lost value", "Cost to replace"):
        table.add_column(header, justify="left" if header == "Period" else "right")
    if report.has_sales:
        table.add_column("Bought again", justify="right")

    def row(fig: PeriodFigures, bold: bool = False) -> None:
        cells = [fig.label + (" (so far)" if fig.partial else ""), str(fig.S), str(fig.N), str(fig.L),
                 str(fig.E), pct(fig.retention_rate), pct(fig.attrition_rate),
                 money(fig.lost_value, report.currency), money(fig.replacement_cost, report.currency)]
        if report.has_sales:
            cells.append(pct(fig.repeat_rate) if fig.previous_buyers is not None else "")
        table.add_row(*cells, style="bold" if bold else None, end_section=bold)

    for fig in report.periods:
        row(fig)
    row(report.year_to_date, bold=True)
    return table


def _at_risk_table(report: StatsReport) -> Table | str:
    if not report.at_risk:
        return "At risk now: nobody."
    table = Table(title=f"At risk now ({len(report.at_risk)})")
    for header in ("Client", "Name", "Owner", "Tier", "Days since touch", "Why"):
        table.add_column(header, justify="right" if header == "Days since touch" else "left",
                         overflow="ellipsis", no_wrap=header == "Owner")
    for a in report.at_risk:
        days = NA if a.days_since_touch is None else str(a.days_since_touch)
        table.add_row(a.client_id, a.name, owner_label(a.owner, report.owner_names), a.tier, days, a.reason)
    return table


def _one_more_table(report: StatsReport) -> Table | str:
    closed = report.tasks_closed
    if not closed:
        return f"Does one more work? No task closed since {report.window_start:%d %b %Y} yet."
    reminders = Table(title=f"Does one more work? {closed} tasks closed since {report.window_start:%d %b %Y}")
    reminders.add_column("Messages it took")
    reminders.add_column("Tasks", justify="right")
    reminders.add_column("Share", justify="right")
    for k, n in report.reminders_to_close.items():
        reminders.add_row(k, str(n), pct(rate(n, closed)))
    return reminders


def _prospect_tables(report: StatsReport) -> list[Table | str]:
    conv = report.conversion.to_json()
    prospects = Table(title="Prospects who became clients")
    prospects.add_column("Converted", justify="right")
    prospects.add_column("Median touches before", justify="right")
    prospects.add_column("Mean", justify="right")
    prospects.add_row(str(conv["clients"]), NA if conv["median"] is None else str(conv["median"]),
                      NA if conv["mean"] is None else str(conv["mean"]))

    if not report.response_by_touch:
        return [prospects, "Prospect touches answered: none sent yet."]
    answers = Table(title="Prospect touches answered, by touch number")
    answers.add_column("Touch", justify="right")
    answers.add_column("Sent", justify="right")
    answers.add_column("Answered", justify="right")
    answers.add_column("Rate", justify="right")
    for touch_no, (sent, answered) in report.response_by_touch.items():
        answers.add_row(touch_label(touch_no, report.prospect_touches), str(sent), str(answered),
                        pct(rate(answered, sent)))
    return [prospects, answers]


def _owner_table(report: StatsReport) -> Table | str:
    if not report.per_owner:
        return f"Per owner, {report.year_to_date.label}: no client has an owner yet."
    table = Table(title=f"Per owner, {report.year_to_date.label}")
    for header in ("Owner", "S", "N", "L", "E", "Retention", "Attrition", "Lost value", "At risk"):
        table.add_column(header, justify="left" if header == "Owner" else "right",
                         overflow="ellipsis", no_wrap=header == "Owner")
    for o in report.per_owner:
        y = o.year_to_date
        table.add_row(owner_label(o.owner, report.owner_names), str(y.S), str(y.N), str(y.L), str(y.E), pct(y.retention_rate),
                      pct(y.attrition_rate), money(y.lost_value, report.currency), str(o.at_risk))
    return table


def _sales_lines(report: StatsReport) -> list[str]:
    lines = []
    rep = report.repeat
    if rep is not None:
        lines.append(
            f"Repeat buying: {pct(rep.returned)} of the {rep.previous_buyers} clients who bought in the "
            f"previous {report.period} bought again in this one; {pct(rep.two_or_more)} of the "
            f"{rep.buyers} buying clients bought on two or more days.")
    fit = report.bgnbd
    if fit is not None:
        f = fit.to_json()
        lines.append(
            f"Purchase model (BG/NBD, time in {f['time_unit']}): r {f['r']:.3f}, alpha {f['alpha']:.3f}, "
            f"a {f['a']:.3f}, b {f['b']:.3f}, log-likelihood {f['log_likelihood']:.1f}, "
            f"{f['customers']} customers.")
    else:
        lines.append(f"Purchase model (BG/NBD): not fitted: {report.bgnbd_reason}.")
    return lines


def print_report(report: StatsReport, console: Console) -> None:
    """Print the whole report as rich tables: periods, at risk, one more, per owner, sales."""
    for item in (_period_table(report), _at_risk_table(report), _one_more_table(report), *_prospect_tables(report),
                 _owner_table(report)):
        print_fitted(console, item)
    if report.has_sales:
        for line in _sales_lines(report):
            console.print(line)
    for note in report.notes:
        console.print(Text.assemble(("Note:", "yellow"), f" {note}"))
