"""What people read in the terminal: the tables and lines of sync, due and check, by rich at a
terminal and as plain text to a file or pipe (due's JSON: due_list)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sheets_sync.display import fmt_day
from sheets_sync.due_list import drafts_waiting
from sheets_sync.first_run import calls_waiting_line, catch_up_lines, dropped_lines
from sheets_sync.health.missed import missed_note
from sheets_sync.model.rows import Problem
from sheets_sync.owner_names import owner_label
from sheets_sync.rules.plan import Action
from sheets_sync.terminal import Out, assemble, plain_stdout, print_fitted, print_lines
from sheets_sync.text_table import TextTable

if TYPE_CHECKING:
    from rich.console import Console

    from sheets_sync.load import Loaded
    from sheets_sync.sync import SyncReport


LOG_WIDTH = 140


def console() -> Console:
    """A console for stdout as wide as the terminal (or $COLUMNS); LOG_WIDTH when the output
    goes to a file or a pipe, so tables in logs do not wrap into unreadable columns."""
    from rich.console import Console

    width = None if os.environ.get("COLUMNS") or sys.stdout.isatty() else LOG_WIDTH
    # markup off: cells hold what staff typed, and a name like "Bob [/b]" is text, not a tag
    return Console(width=width, soft_wrap=False, highlight=False, markup=False)


def _stdout() -> Out:
    """Where the commands print: ``console()``, or its plain stand-in when stdout is a file or
    a pipe (no rich imported for lines that print as they are: check's are all such)."""
    return plain_stdout(LOG_WIDTH) or console()


def _actions_table(actions: Sequence[Action], title: str, today: dt.date, show_owner: bool = True,
                   names: Mapping[str, str] | None = None) -> TextTable:
    table = TextTable(title=title, title_justify="left")
    table.add_column("Kind")
    if show_owner:
        table.add_column("Owner", no_wrap=True)  # a name or an address's local part, never cut
    table.add_column("Client")
    table.add_column("Phone", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    table.add_column("Why", overflow="fold")
    for action in actions:
        row = [action.kind]
        if show_owner:
            row.append(owner_label(action.owner, names or {}))
        row += [f"{action.client.name} ({action.client.client_id})", action.client.phone,
                fmt_day(action.step.due, today), action.reason]
        table.add_row(*row)
    return table


def print_notes(notes: Sequence[Problem], out: Out | None = None) -> None:
    """Rows left alone on purpose (total rows), one line each; nothing when there are none."""
    print_lines(out or _stdout(), *(f"Left alone: {note.where}: {note.message}" for note in notes))


def print_problems(problems: Sequence[Problem], source: str, out: Out | None = None) -> None:
    """Problems as a table (or a line saying there are none)."""
    out = out or _stdout()
    if not problems:
        print_lines(out, f"{source}: no problems found.")
        return
    table = TextTable(title=f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {source}",
                  title_justify="left")
    table.add_column("Cell", no_wrap=True)
    table.add_column("Problem", overflow="fold")
    for problem in problems:
        table.add_row(problem.where, problem.message)
    print_fitted(out, table)


_UNDELIVERED = {"failed": "not accepted by the mail server", "unknown": "maybe sent (the server did not confirm)",
                "deferred": "held for the next run"}


def skipped_reasons(report: SyncReport) -> list[str]:
    """What ``report.emails_skipped`` counts, grouped by why: '3 Do Not Email, so a call
    instead', '1 template failed (see the problems)', '2 held for the next run'."""
    blocked = Counter(a.blocked for a in report.plan.actions if a.blocked)
    undelivered = Counter(d.status for m, d in report.deliveries if m.kind == "email" and d.status not in ("sent", "queued"))
    reasons = [f"{n} {why}, so a call instead" for why, n in sorted(blocked.items(), key=lambda kv: (-kv[1], kv[0]))]
    if report.render_failed:
        reasons.append(f"{report.render_failed} template failed (see the problems)")
    reasons += [f"{n} {_UNDELIVERED.get(status, status)}" for status, n in sorted(undelivered.items())]
    return reasons


def print_sync(report: SyncReport, out: Out | None = None) -> None:
    """The summary of a sync (or the plan of a dry run)."""
    out = out or _stdout()
    plan = report.plan
    if report.dry_run:
        print_lines(out, assemble(out, ("Dry run", "bold"), f" for {report.source} on {report.today:%a %d %b %Y}: "
                                  "nothing sent, nothing written."))
        emails = [a for a in plan.emails if a.step.key in {m.key for m in report.planned}]
        if emails:
            print_fitted(out, _actions_table(emails, "Emails that would be sent", plan.today,
                                             names=report.owner_names))
        digests = [m for m in report.planned if m.kind == "digest"]
        if digests:
            print_lines(out, "Digests that would be sent: " + ", ".join(m.to for m in digests))
        print_lines(out, *catch_up_lines(plan))
    else:
        print_lines(out, f"Synced {report.source} for {report.today:%a %d %b %Y}.")
        if report.inbox is not None and not report.inbox.error:  # a mailbox not read is among the problems
            # the mail parsers are imported only when a mailbox was read
            from sheets_sync.inbox.act import summary_lines
            print_lines(out, *summary_lines(report.inbox))
        skipped = skipped_reasons(report)
        if report.drafts or report.emails_drafted or report.digests_drafted:  # drafts a person sends, not sends
            delivered = (f"{report.emails_drafted} written to the outbox, not sent ({report.mailer}: open each "
                         f"draft and send it); {report.digests_drafted} owner digest(s) there")
        else:
            delivered = f"{report.emails_sent} delivered via {report.mailer}; {report.digests_sent} owner digest(s)"
        print_lines(out, f"Emails: {delivered}; {report.emails_skipped} skipped"
                    + (f" ({'; '.join(skipped)})." if skipped else "."))
        failed = [(m, d) for m, d in report.deliveries if d.status not in ("sent", "queued")]
        print_lines(out, *(f"  not sent: {message.key} to {message.to}: {delivery.status} {delivery.detail}"
                           for message, delivery in failed))
        print_lines(out, f"Sheet: {report.write.rows_updated} row(s) updated, {report.write.rows_appended} touch row(s) added.")
        print_lines(out, *(f"  not written: {dropped}" for dropped in report.write.dropped))
        if report.behind:
            print_lines(out, f"Note: {report.behind}.")
        if report.missed_business_days:
            print_lines(out, missed_note(report.missed_business_days))
        if report.outbox.line(report.today):
            print_lines(out, f"Outbox: {report.outbox.line(report.today)}.")
    if not plan.business_day:
        print_lines(out, "Today is not a business day: no emails go out; calls are listed for the next one.")
    calls = plan.calls  # sorted on each call: once (tens of thousands in a big first sync)
    if calls:
        print_fitted(out, _actions_table(calls, "Calls for the team", plan.today, names=report.owner_names))
    if report.problems:
        print_problems(report.problems, report.source, out)


def print_due(loaded: Loaded, owner: str | None, out: Out | None = None) -> None:
    """Each owner's list for today: calls with phone numbers, emails going out, at-risk clients."""
    out = out or _stdout()
    plan = loaded.plan
    groups = plan.by_owner()
    dropped = plan.dropped()
    owners = sorted(set(groups) | {r.client.owner for r in plan.at_risk} | {d.client.owner for d in dropped})
    if owner is not None:
        owners = [o for o in owners if o.lower() == owner.lower()]
    print_lines(out, f"Due on {plan.today:%a} {plan.today.day} {plan.today:%b %Y} in {loaded.backend.label}"
                + ("" if plan.business_day else " (not a business day: emails wait for the next one)"),
                *([] if owners else ["Nothing due."]))
    waiting = drafts_waiting(loaded)
    for name in owners:
        drafts = [a for a in groups.get(name, []) if a.kind == "email" and a.step.key in waiting]
        actions = [a for a in groups.get(name, []) if not (a.kind == "email" and a.step.key in waiting)]
        risks = [r for r in plan.at_risk if r.client.owner == name]
        print_lines(out, "", assemble(out, (name or "(no owner)", "bold"),
                                      f": {sum(a.kind == 'call' for a in actions)} call(s), "
                                      f"{sum(a.kind == 'email' for a in actions)} email(s), "
                                      + (f"{len(drafts)} draft(s) waiting in the outbox, " if drafts else "")
                                      + f"{len(risks)} at risk"))
        if actions:
            print_fitted(out, _actions_table(actions, "", plan.today, show_owner=False))
        if waiting_calls := calls_waiting_line(plan, name):
            print_lines(out, waiting_calls)
        if drafts:  # not due again: the draft is there, and sending it by hand would send it twice
            print_lines(out, "Drafts waiting in the outbox (send each from the outbox folder, not by hand):")
            print_lines(out, *(f"- {a.client.name} ({a.client.client_id}): written to the outbox "
                               f"{fmt_day(waiting[a.step.key], plan.today)}, not sent yet ({a.reason})"
                               for a in drafts), soft_wrap=True)
        if risks:
            table = TextTable(title="At risk", title_justify="left")
            for column in ("Client", "Tier", "Phone", "Days without a touch"):
                table.add_column(column, no_wrap=column != "Client")
            for risk in risks:
                table.add_row(f"{risk.client.name} ({risk.client.client_id})", risk.client.tier,
                              risk.client.phone, str(risk.days))
            print_fitted(out, table)
        print_lines(out, *dropped_lines([d for d in dropped if d.client.owner == name]))
    if loaded.book.problems:
        print_lines(out, "", f"{len(loaded.book.problems)} problem(s) in the sheet: run sheets-sync check {loaded.backend.label}")
