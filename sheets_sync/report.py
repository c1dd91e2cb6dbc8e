"""What people read in the terminal: rich tables for sync, due and check, and due's JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sheets_sync.display import fmt_day
from sheets_sync.model.rows import Problem
from sheets_sync.rules.plan import Action

if TYPE_CHECKING:
    from sheets_sync.sync import Loaded, SyncReport


def console() -> Console:
    """A console for stdout that does not wrap tables into unreadable columns in logs."""
    # markup off: cells hold what staff typed, and a name like "Bob [/b]" is text, not a tag
    return Console(width=140, soft_wrap=False, highlight=False, markup=False)


def _actions_table(actions: Sequence[Action], title: str, show_owner: bool = True) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("Kind")
    if show_owner:
        table.add_column("Owner")
    table.add_column("Client")
    table.add_column("Phone")
    table.add_column("Due")
    table.add_column("Why", overflow="fold")
    for action in actions:
        row = [action.kind]
        if show_owner:
            row.append(action.owner or "(no owner)")
        row += [f"{action.client.name} ({action.client.client_id})", action.client.phone,
                fmt_day(action.step.due), action.reason]
        table.add_row(*row)
    return table


def print_notes(notes: Sequence[Problem], out: Console | None = None) -> None:
    """Rows left alone on purpose (total rows), one line each; nothing when there are none."""
    out = out or console()
    for note in notes:
        out.print(f"Left alone: {note.where}: {note.message}")


def print_problems(problems: Sequence[Problem], source: str, out: Console | None = None) -> None:
    """Problems as a table (or a line saying there are none)."""
    out = out or console()
    if not problems:
        out.print(f"{source}: no problems found.")
        return
    table = Table(title=f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {source}",
                  title_justify="left")
    table.add_column("Cell", no_wrap=True)
    table.add_column("Problem", overflow="fold")
    for problem in problems:
        table.add_row(problem.where, problem.message)
    out.print(table)


def print_sync(report: SyncReport, out: Console | None = None) -> None:
    """The summary of a sync (or the plan of a dry run)."""
    out = out or console()
    plan = report.plan
    if report.dry_run:
        out.print(Text.assemble(("Dry run", "bold"), f" for {report.source} on {report.today:%a %d %b %Y}: "
                                "nothing sent, nothing written."))
        emails = [a for a in plan.emails if a.step.key in {m.key for m in report.planned}]
        if emails:
            out.print(_actions_table(emails, "Emails that would be sent"))
        digests = [m for m in report.planned if m.kind == "digest"]
        if digests:
            out.print("Digests that would be sent: " + ", ".join(m.to for m in digests))
    else:
        out.print(f"Synced {report.source} for {report.today:%a %d %b %Y}.")
        out.print(f"Emails: {report.emails_sent} delivered via {report.mailer}; {report.digests_sent} owner digest(s); "
                  f"{report.emails_skipped} skipped.")
        failed = [(m, d) for m, d in report.deliveries if d.status not in ("sent", "queued")]
        for message, delivery in failed:
            out.print(f"  not sent: {message.key} to {message.to}: {delivery.status} {delivery.detail}")
        out.print(f"Sheet: {report.write.rows_updated} row(s) updated, {report.write.rows_appended} touch row(s) added.")
        for dropped in report.write.dropped:
            out.print(f"  not written: {dropped}")
        if report.behind:
            out.print(f"Note: {report.behind}.")
    if not plan.business_day:
        out.print("Today is not a business day: no emails go out; calls are listed for the next one.")
    if plan.calls:
        out.print(_actions_table(plan.calls, "Calls for the team"))
    if report.problems:
        print_problems(report.problems, report.source, out)


def due_json(loaded: Loaded, owner: str | None) -> dict[str, Any]:
    """The due command's JSON: actions and at-risk clients, per owner."""
    plan = loaded.plan
    actions = [a for a in plan.actions if owner is None or a.owner.lower() == owner.lower()]
    at_risk = [r for r in plan.at_risk if owner is None or r.client.owner.lower() == owner.lower()]
    owners: dict[str, dict[str, list[Any]]] = {}
    for action in actions:
        bucket = owners.setdefault(action.owner, {"calls": [], "emails": [], "at_risk": []})
        bucket["calls" if action.kind == "call" else "emails"].append(action.to_json())
    for risk in at_risk:
        bucket = owners.setdefault(risk.client.owner, {"calls": [], "emails": [], "at_risk": []})
        bucket["at_risk"].append({"client_id": risk.client.client_id, "name": risk.client.name,
                                  "days_since_touch": risk.days, "tier": risk.client.tier})
    return {
        "source": loaded.backend.label, "today": plan.today.isoformat(), "business_day": plan.business_day,
        "actions": [a.to_json() for a in actions], "owners": owners,
        "problems": [p.to_json() for p in loaded.book.problems],
    }


def print_due(loaded: Loaded, owner: str | None, out: Console | None = None) -> None:
    """Each owner's list for today: calls with phone numbers, emails going out, at-risk clients."""
    out = out or console()
    plan = loaded.plan
    groups = plan.by_owner()
    owners = sorted(set(groups) | {r.client.owner for r in plan.at_risk})
    if owner is not None:
        owners = [o for o in owners if o.lower() == owner.lower()]
    out.print(f"Due on {plan.today:%a %d %b %Y} in {loaded.backend.label}"
              + ("" if plan.business_day else " (not a business day: emails wait for the next one)"))
    if not owners:
        out.print("Nothing due.")
    for name in owners:
        actions = groups.get(name, [])
        risks = [r for r in plan.at_risk if r.client.owner == name]
        out.print()
        out.print(Text.assemble((name or "(no owner)", "bold"), f": {sum(a.kind == 'call' for a in actions)} call(s), "
                                f"{sum(a.kind == 'email' for a in actions)} email(s), {len(risks)} at risk"))
        if actions:
            out.print(_actions_table(actions, "", show_owner=False))
        if risks:
            table = Table(title="At risk", title_justify="left")
            for column in ("Client", "Tier", "Phone", "Days without a touch"):
                table.add_column(column)
            for risk in risks:
                table.add_row(f"{risk.client.name} ({risk.client.client_id})", risk.client.tier,
                              risk.client.phone, str(risk.days))
            out.print(table)
    if loaded.book.problems:
        out.print(f"\n{len(loaded.book.problems)} problem(s) in the sheet: run sheets-sync check {loaded.backend.label}")
