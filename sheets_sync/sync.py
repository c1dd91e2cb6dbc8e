"""One run, end to end: read -> model -> plan -> act -> write.

``check``, ``due`` and ``sync`` all start the same way (``load.load``); ``run_sync`` then
delivers what is due and writes the bookkeeping back as one batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.backends import open_source
from sheets_sync.backends.base import Backend
from sheets_sync.config import Config
from sheets_sync.errors import SheetsSyncError, SourceChanged
from sheets_sync.health.progress import phase
from sheets_sync.health.run import RunHealth
from sheets_sync.load import Loaded, by_client, collector_paused, load, load_book
from sheets_sync.mail.drafts import SENT_RESULT, OutboxDrafts
from sheets_sync.mail.journal import Journal, Reconciled, run_lock, send_problems
from sheets_sync.mail.mailer import Mailer, mailer_for, sender_name
from sheets_sync.mail.message import Delivery, Message
from sheets_sync.mail.outbox import Drafts, OutboxMailer
from sheets_sync.model.read import read_book
from sheets_sync.model.rows import Book, Problem, Touch
from sheets_sync.model.values import text
from sheets_sync.owner_names import owner_names
from sheets_sync.rules.plan import Plan, WrittenDates, make_plan
from sheets_sync.stats.figures import compute_stats
from sheets_sync.stats.fit_cache import FitCache
from sheets_sync.stats.sheet import build_stats_sheet
from sheets_sync.workbook import SheetContent, SheetData, WorkbookData, WriteBatch, WriteResult
from sheets_sync.write.batch import build_batch, new_touches
from sheets_sync.write.written_dates import save_written_dates

if TYPE_CHECKING:  # the inbox is imported only by the runs that read a mailbox
    from sheets_sync.inbox.act import InboxResult

# load, Loaded and load_book live in sheets_sync.load (the read-only commands import only that);
# they are named here too for the callers of run_sync's module.
__all__ = ["Loaded", "SyncReport", "collector_paused", "load", "load_book", "run_sync", "write_back"]

WRITE_ATTEMPTS = 3  # re-read and re-plan this many times when someone saves mid-run


@dataclass
class SyncReport:
    """What a run did (or, with --dry-run, would do). After a real run the messages in
    ``deliveries`` and ``planned`` keep their headers and key but not their bodies."""

    today: dt.date
    source: str
    plan: Plan
    problems: list[Problem]
    dry_run: bool = False
    mailer: str = ""
    drafts: bool = False  # the mailer is the outbox folder: what it wrote waits for a person to send it
    deliveries: list[tuple[Message, Delivery]] = field(default_factory=list)
    write: WriteResult = field(default_factory=WriteResult)
    emails_blocked: int = 0  # email steps that became calls (Do Not Email, no address, Lost)
    render_failed: int = 0
    planned: list[Message] = field(default_factory=list)
    behind: str = ""  # why the sheet was missing emails the journal knew were delivered
    outbox: OutboxDrafts = field(default_factory=OutboxDrafts)  # drafts found sent, drafts waiting
    inbox: InboxResult | None = None  # what the mailbox held (None: no mailbox configured)
    missed_business_days: list[dt.date] = field(default_factory=list)  # no successful run on these
    owner_names: dict[str, str] = field(default_factory=dict)  # lower-case owner -> Staff Name, for the tables

    @property
    def emails_sent(self) -> int:
        """Client emails the mail server accepted (digests and outbox drafts not counted)."""
        return sum(1 for m, d in self.deliveries if m.kind == "email" and d.status == "sent")

    @property
    def emails_drafted(self) -> int:
        """Client emails written to the outbox as drafts: not sent until a person sends them."""
        return sum(1 for m, d in self.deliveries if m.kind == "email" and d.status == "queued")

    @property
    def digests_sent(self) -> int:
        """Owner digests the mail server accepted."""
        return sum(1 for m, d in self.deliveries if m.kind == "digest" and d.status == "sent")

    @property
    def digests_drafted(self) -> int:
        """Owner digests written to the outbox."""
        return sum(1 for m, d in self.deliveries if m.kind == "digest" and d.status == "queued")

    @property
    def emails_skipped(self) -> int:
        """Email steps due but not delivered this run, whatever the reason."""
        undelivered = sum(1 for m, d in self.deliveries if m.kind == "email" and d.status not in ("sent", "queued"))
        return self.emails_blocked + self.render_failed + undelivered

    def to_json(self) -> dict[str, object]:
        """The --json object (contract: emails_sent, emails_skipped, rows_updated, actions, problems)."""
        return {
            "source": self.source, "today": self.today.isoformat(), "dry_run": self.dry_run,
            "mailer": self.mailer,
            "emails_sent": self.emails_sent, "emails_skipped": self.emails_skipped,
            "digests_sent": self.digests_sent,
            "emails_drafted": self.emails_drafted, "digests_drafted": self.digests_drafted,
            "rows_updated": self.write.rows_updated, "rows_appended": self.write.rows_appended,
            "actions": [a.to_json() for a in self.plan.actions],
            "at_risk": [{"client_id": r.client.client_id, "owner": r.client.owner, "days_since_touch": r.days}
                        for r in self.plan.at_risk],
            "deliveries": [{"key": m.key, "kind": m.kind, "to": m.to, "status": d.status, "detail": d.detail}
                           for m, d in self.deliveries],
            "planned_messages": [{"key": m.key, "kind": m.kind, "to": m.to, "subject": m.subject}
                                 for m in self.planned],
            "dropped": list(self.write.dropped),
            "sheet_behind": self.behind, "outbox_drafts": self.outbox.to_json(),
            "missed_business_days": [d.isoformat() for d in self.missed_business_days],
            "problems": [p.to_json() for p in self.problems],
            **({"inbox": self.inbox.to_json()} if self.inbox is not None else {}),
        }


def run_sync(source: str | Backend, today: dt.date, *, config: Config | None = None, dry_run: bool = False,
             outbox: Path | None = None, mailer: Mailer | None = None, **options: object) -> SyncReport:
    """Send what is due and write the bookkeeping back. With ``dry_run`` nothing is sent or
    written and the report holds the plan. Without a ``mailer``, the configured one
    (``mailer_for``: the mail server, else the ``outbox`` folder)."""
    config = config or Config()
    backend = open_source(source, config=config, **options) if isinstance(source, str) else source
    if dry_run:
        return _sync(backend, today, config, True, None, None)
    mailer = mailer or mailer_for(config, backend, outbox)
    # Before the state folder exists or anything is sent: a missing or read-only workbook
    # leaves nothing behind, and what is sent to a file we cannot write never shows.
    backend.ensure_writable()
    # One run at a time per workbook; the journal makes every send exactly-once.
    with run_lock(backend.state_dir()), Journal(backend.state_dir()) as journal:
        health = RunHealth(backend.state_dir(), today)
        try:
            report = _sync(backend, today, config, False, mailer, journal, health)
        except SheetsSyncError as exc:
            health.failed(str(exc))  # into the Sync Log on the next run that can write
            exc.logged = True  # type: ignore[attr-defined]  # the command line logs the others
            raise
        health.succeeded()
        return report


@collector_paused()
def _sync(backend: Backend, today: dt.date, config: Config, dry_run: bool, mailer: Mailer | None,
          journal: Journal | None, health: RunHealth | None = None) -> SyncReport:
    from sheets_sync.inbox.hook import inbox_problems, save_inbox_state
    loaded = load(backend, today, config, journal=journal, inbox=not dry_run, health=health, drafts=isinstance(mailer, OutboxMailer))
    book, plan, composed = loaded.book, loaded.plan, loaded.composed
    journaled = loaded.journaled or Reconciled([], [], set())
    came_in = loaded.inbox
    report = SyncReport(
        today=today, source=loaded.backend.label, plan=plan, dry_run=dry_run,
        problems=book.problems + composed.problems + journaled.problems + inbox_problems(came_in),
        planned=list(composed.messages), inbox=came_in,
        emails_blocked=sum(1 for a in plan.actions if a.blocked), render_failed=len(composed.failed),
        owner_names=owner_names(book),
    )
    if dry_run or journal is None or mailer is None:
        return report
    report.mailer = mailer.description
    report.drafts = isinstance(mailer, OutboxMailer)
    report.missed_business_days = list(health.missed) if health is not None else []
    report.outbox = journaled.outbox
    # a draft found sent today is news, not a sheet that fell behind
    behind = [t for t in journaled.touches if not (t.result == SENT_RESULT and t.date == today)]
    report.behind = behind_text(behind, journal.write_failure(), book.tables["touches"].sheet)
    messages = composed.messages
    mailer.prepare_run(journal, int(book.settings.daily_email_cap), today)
    if messages:
        phase(f"Sending {len(messages)} email(s)")
    # The outbox's files are written by a second process (mail.file_writer) while the write-back is worked out;
    # they are made durable and journaled at its commit point, before the workbook is replaced.
    drafts = mailer.start(messages, drop_bodies=True) if messages and isinstance(mailer, OutboxMailer) else None
    with closing(drafts) if drafts is not None else nullcontext():
        deliveries = drafts.deliveries if drafts is not None else mailer.deliver(messages) if messages else []
        report.deliveries = list(zip(messages, deliveries, strict=True))
        if drafts is None:
            for message in messages:  # delivered: the bodies are not needed again, and a big run holds thousands
                message.text, message.html = "", None
        report.problems += send_problems(report.deliveries, book.tables["clients"].sheet)
        fresh = new_touches(report.deliveries, today, by=sender_name(config))
        arrived = came_in.touches if came_in is not None else []
        added = journaled.touches + arrived + fresh
        phase(f"Writing {loaded.backend.label}")
        try:
            report.write = write_back(loaded.backend, loaded.data, book, today, added, loaded.written_dates, config,
                                      plan, planned=journaled.touches + arrived,
                                      statuses=came_in.statuses if came_in else None, log=_log_sheet(health, report),
                                      before_commit=_committing(drafts))
        except _DraftsNotWritten as exc:
            raise exc.error from None
        except BaseException as exc:
            if drafts is not None:  # delivered whatever became of the write, as if journaled before it
                try:
                    drafts.commit()
                except Exception:
                    if isinstance(exc, KeyboardInterrupt):  # the run was stopped: that is what it reports
                        raise exc from None
                    raise
            if isinstance(exc, SheetsSyncError):
                journal.note_write_failure(today, str(exc))
                if len(added) > len(arrived):  # what came in is read again from the mailbox, not kept here
                    exc.args = (f"{exc}. {JOURNALED.format(n=len(added) - len(arrived))}",)
            raise
        if drafts is not None:  # a write with nothing to change never reached its commit point
            drafts.commit()
    journal.mark_written(t.ref for t in added)
    journal.clear_write_failure()
    save_inbox_state(loaded.backend.state_dir(), came_in)
    report.problems += [not_written(message) for message in report.write.dropped]
    return report


class _DraftsNotWritten(Exception):
    """A draft file could not be written (``error``): raised through the backend's write,
    which must not take the OSError for one of its own."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _committing(drafts: Drafts | None) -> Callable[[], None] | None:
    """The backend's ``before_commit``: the drafts on disk and journaled, or the write stops."""
    if drafts is None:
        return None

    def commit() -> None:
        try:
            drafts.commit()
        except Exception as exc:
            raise _DraftsNotWritten(exc) from exc

    return commit


_WHERE = re.compile(r"(?P<sheet>[^!:]+)(?:!(?P<cell>[A-Z]{1,3}[0-9]+))?:?\s+(?P<message>.*)", re.S)


def not_written(message: str) -> Problem:
    """A value the write left out ('Clients!I3: a text of ...'), as a problem at its cell:
    the sheet lacks something the tool worked out, so a person should know (exit 1)."""
    match = _WHERE.fullmatch(message)
    if match is None:
        return Problem("", "", message)
    return Problem(match["sheet"], match["cell"] or "", match["message"])


JOURNALED = ("The {n} email(s) sent and not yet in the sheet are kept in the send journal: none of them "
             "will be sent again, and the sheet catches up on the next run that can write")


def behind_text(pending: list[Touch], failure: tuple[dt.date, str] | None, touches_sheet: str) -> str:
    """One sentence on why the sheet lacked emails the journal knew were delivered, or ''."""
    if not pending:
        return ""
    days = sorted({t.date for t in pending})
    when = days[0].isoformat() if len(days) == 1 else f"{days[0].isoformat()} to {days[-1].isoformat()}"
    why = f": the write-back of {failure[0].isoformat()} failed ({failure[1]})" if failure else ""
    return (f"the sheet was behind{why}; {len(pending)} email(s) delivered on {when} were missing from "
            f"{touches_sheet}, were not sent again, and are written now")


LogSheet = Callable[[WorkbookData, WriteBatch], SheetContent | None]


def _log_sheet(health: RunHealth | None, report: SyncReport) -> LogSheet | None:
    """The Sync Log for the batch about to be written, with this run's row."""
    if health is None:
        return None

    def sheet(data: WorkbookData, batch: WriteBatch) -> SheetContent | None:
        failed = sum(1 for m, d in report.deliveries if m.kind == "email" and d.status in ("failed", "unknown"))
        row = health.finish(sent=report.emails_sent, failed=failed, skipped=report.emails_skipped - failed,
                            rows_updated=len({(u.table.sheet, u.key) for u in batch.updates}),
                            problems=len(report.problems), drafted=report.emails_drafted)
        return health.sheet(data, row)

    return sheet


def write_back(backend: Backend, data: WorkbookData, book: Book, today: dt.date, added: list[Touch],
               written: WrittenDates, config: Config, plan: Plan | None = None, planned: list[Touch] | None = None,
               statuses: dict[str, str] | None = None, log: LogSheet | None = None,
               before_commit: Callable[[], None] | None = None) -> WriteResult:
    """Build and write the batch; when the source changed under us, re-read, re-plan and
    try again, so nothing a person saved meanwhile is lost. ``planned``: the touches of
    ``added`` that ``plan`` already counts; ``statuses``: Email Status cells set by the inbox; ``log`` adds the Sync Log to the batch;
    ``before_commit``: handed to ``Backend.write``."""
    for attempt in range(WRITE_ATTEMPTS):
        counted = {t.ref for t in planned or ()} if plan is not None else set()
        batch = _batch(data, book, today, added, written, plan, counted, FitCache(backend.state_dir()),
                       statuses)
        log_sheet = log(data, batch) if log is not None else None
        if log_sheet is not None:
            batch.tool_sheets.append(log_sheet)
        if batch.is_empty():
            save_written_dates(backend.state_dir(), written)
            return WriteResult()
        try:
            result = backend.write(batch, before_commit=before_commit)
        except SourceChanged:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            data = backend.read()
            book = read_book(data, config.section("layout"))
            plan = None
            known = {t.ref for t in book.touches if t.ref}
            added = [t for t in added if t.ref not in known]
            continue
        save_written_dates(backend.state_dir(), written)
        return result
    raise AssertionError("unreachable")


def _batch(data: WorkbookData, book: Book, today: dt.date, added: list[Touch], written: WrittenDates,
           plan: Plan | None, counted: set[str], fit_cache: FitCache | None = None,
           statuses: dict[str, str] | None = None) -> WriteBatch:
    extra = by_client([t for t in added if t.ref not in counted])
    after = make_plan(book, today, written, extra_touches=extra, base=plan, statuses=statuses)
    batch = build_batch(book, after, added, written)
    stats_sheet = _stats_sheet(dataclasses.replace(book, touches=book.touches + added) if added else book, today,
                               after.touches_by_client, fit_cache)
    if not _same_content(data.sheet(stats_sheet.title), stats_sheet.rows):
        batch.tool_sheets.append(stats_sheet)
    return batch


def _same_content(sheet: SheetData | None, rows: list[list[object]]) -> bool:
    """True when a tool sheet already holds these values (so a rerun writes nothing)."""
    if sheet is None:
        return False

    def norm(grid: list[list[object]]) -> list[list[str]]:
        out = [[text(c) for c in row] for row in grid]
        out = [row[: max((i + 1 for i, c in enumerate(row) if c), default=0)] for row in out]
        while out and not out[-1]:
            out.pop()
        return out

    return norm(sheet.rows) == norm(rows)


def _stats_sheet(book: Book, today: dt.date, touches_by_client: dict[str, list[Touch]] | None = None,
                 fit_cache: FitCache | None = None) -> SheetContent:
    """The Stats sheet as it stands after this run's touches (the BG/NBD fit reused from
    ``fit_cache`` when its data is unchanged)."""
    return build_stats_sheet(compute_stats(book, today, touches_by_client=touches_by_client, fit_cache=fit_cache))
