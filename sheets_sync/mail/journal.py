"""The exactly-once journal: what was handed to the mail server, kept in SQLite beside the
workbook (``backend.state_dir()``), and the lock that keeps two runs apart.

Each message key goes through ``sending`` (committed and flushed to disk *before* the SMTP
transaction) to ``sent``, ``failed`` or ``deferred``. A key still ``sending`` when the next run
starts belongs to a run that died mid-transaction: its outcome is ``unknown``, and it is
reported for a person to check instead of being sent again. The outbox records what it wrote
as ``queued`` after the files are on disk (writing a file again replaces it, so it needs no
``sending`` step): a draft a person still has to send (``mail.drafts``). A run that finds a
queued draft's file gone from the outbox makes it ``draft_sent``, dated that day. Sent,
queued, draft-sent, failed and unknown client emails that never reached the
Touches sheet (the run died, or its write-back failed) are planned with and written there by
the next run, so a failed write never makes anything go out twice.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from sheets_sync.errors import RunLocked, SourceError
from sheets_sync.mail.drafts import DRAFT_RESULT, DRAFT_SUMMARY, SENT_RESULT, OutboxDrafts, is_gone
from sheets_sync.mail.message import Delivery, Message
from sheets_sync.model.rows import Problem, Touch

FILE_NAME = "journal.sqlite3"
LOCK_NAME = "run.lock"
LOCK_WAIT_SECONDS = 30.0
# The Result cell of a Touches row, by delivery status: the one table for every row the tool adds.
RESULT_TEXT = {"sent": "sent", "queued": DRAFT_RESULT, "draft_sent": SENT_RESULT, "failed": "failed",
               "unknown": "unknown: check by hand"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    key TEXT PRIMARY KEY,
    status TEXT NOT NULL,          -- sending | sent | queued | draft_sent | failed | deferred | unknown
    kind TEXT NOT NULL DEFAULT 'email',
    recipient TEXT NOT NULL DEFAULT '',
    client_id TEXT NOT NULL DEFAULT '',
    task_id TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    day TEXT NOT NULL,             -- the run's date (its Touches row is dated so)
    started TEXT NOT NULL,         -- UTC ISO time the SMTP transaction began
    finished TEXT NOT NULL DEFAULT '',
    written INTEGER NOT NULL DEFAULT 0  -- 1 once its Touches row was seen in the sheet
);
CREATE TABLE IF NOT EXISTS notes (
    name TEXT PRIMARY KEY,         -- write_failure: why the last write-back failed
    value TEXT NOT NULL
);
"""
COLUMNS = ("key, status, kind, recipient, client_id, task_id, summary, message_id, detail, day, "
           "started, finished, written")

RUN_LOCKED = (
    "another sheets-sync run is working on this workbook ({holder}); waited {wait:.0f} s. "
    "Run again when it has finished (or raise SHEETS_SYNC_LOCK_WAIT)."
)
UNKNOWN_PROBLEM = (
    "the {kind} {key} to {to} was interrupted while being sent on {day}: it may or may not have "
    "arrived, so it was not sent again. Check with the recipient or your Sent folder; to send it "
    "again, delete its row from Touches."
)


@dataclass(frozen=True)
class Entry:
    """One journaled send."""

    key: str
    status: str
    kind: str
    recipient: str
    client_id: str
    task_id: str
    summary: str
    message_id: str
    detail: str
    day: dt.date  # the date of the run that sent it: the date of its Touches row
    started: dt.datetime
    finished: dt.datetime | None
    written: bool


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Journal:
    """The journal of one source. Every change is committed with a full fsync before the
    method returns, so a killed process never loses a record it was told about."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / FILE_NAME
        self._db = sqlite3.connect(self.path, timeout=LOCK_WAIT_SECONDS, isolation_level=None)
        try:
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise SourceError(f"{self.path}: the send journal cannot be opened ({exc}); "
                              "move the file aside only if you know no emails are in flight",
                              source=str(self.path)) from None

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: Iterable[object] = (), many: bool = False) -> None:
        try:
            with self._db:  # BEGIN ... COMMIT, fsynced (synchronous=FULL)
                self._db.execute("BEGIN IMMEDIATE")
                if many:
                    self._db.executemany(sql, params)  # type: ignore[arg-type]
                else:
                    self._db.execute(sql, tuple(params))
        except sqlite3.DatabaseError as exc:  # disk full, read-only folder...: stop before sending
            raise SourceError(f"{self.path}: cannot write the send journal ({exc}); nothing more was sent",
                              source=str(self.path)) from None

    def get(self, key: str) -> Entry | None:
        """The entry for ``key``, or None when it was never handed to a mail server."""
        row = self._db.execute(f"SELECT {COLUMNS} FROM sends WHERE key = ?", (key,)).fetchone()
        return _entry(row) if row else None

    def entries(self) -> list[Entry]:
        """Every entry, oldest first."""
        return [_entry(r) for r in self._db.execute(f"SELECT {COLUMNS} FROM sends ORDER BY started, rowid")]

    def may_send(self, key: str) -> bool:
        """False when sending ``key`` again could deliver it twice: it was sent, or its
        outcome is unknown and no person has dealt with it yet (see ``settled_keys``)."""
        entry = self.get(key)
        return entry is None or not _settled(entry)

    def settled_keys(self, entries: Sequence[Entry] | None = None) -> set[str]:
        """Keys that must not be sent: sent ones, and unknown ones whose Touches row has not
        yet been deleted by a person (deleting that row means "send it again"). ``entries``:
        ``entries()`` as read already."""
        return {e.key for e in (self.entries() if entries is None else entries) if _settled(e)}

    def begin(self, message: Message, message_id: str = "", day: dt.date | None = None) -> None:
        """Record ``message`` as being sent on ``day`` (default: today), durably, before the
        SMTP transaction starts."""
        self._write(
            "INSERT OR REPLACE INTO sends (key, status, kind, recipient, client_id, task_id, summary, "
            "message_id, day, started) VALUES (?, 'sending', ?, ?, ?, ?, ?, ?, ?, ?)",
            (message.key, message.kind, message.to, message.client_id, message.task_id,
             message.summary or message.subject, message_id, (day or dt.date.today()).isoformat(),
             _now().isoformat()))

    def record(self, pairs: Sequence[tuple[Message, Delivery]], day: dt.date) -> None:
        """Record finished deliveries in one transaction (the outbox, after its files are
        written: a file written again replaces itself, so there is no in-flight state)."""
        now = _now().isoformat()
        self._write(
            "INSERT OR REPLACE INTO sends (key, status, kind, recipient, client_id, task_id, summary, "
            "detail, day, started, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(m.key, d.status, m.kind, m.to, m.client_id, m.task_id, m.summary or m.subject, d.detail,
              day.isoformat(), now, now) for m, d in pairs],
            many=True)

    def check_drafts(self, day: dt.date, entries: Sequence[Entry] | None = None) -> OutboxDrafts:
        """Outbox drafts (client emails) whose file is gone from the outbox folder: a person
        sent them. Each becomes ``draft_sent`` dated ``day`` (its Touches row is due again).
        Returns how many, and the drafts still waiting. ``entries``: ``entries()`` as read already."""
        drafts = [e for e in (self.entries() if entries is None else entries) if e.status == "queued" and e.kind == "email"]
        gone = [e.key for e in drafts if is_gone(e.detail)]
        if gone:
            now = _now().isoformat()
            self._write("UPDATE sends SET status = 'draft_sent', day = ?, finished = ?, written = 0 "
                        "WHERE key = ? AND status = 'queued'", [(day.isoformat(), now, k) for k in gone], many=True)
        left = set(gone)
        waiting = [e.day for e in drafts if e.key not in left]
        return OutboxDrafts(len(gone), len(waiting), min(waiting, default=None))

    def note_write_failure(self, day: dt.date, error: str) -> None:
        """Remember why this run's write-back failed, for the next run's report."""
        self._write("INSERT OR REPLACE INTO notes (name, value) VALUES ('write_failure', ?)",
                    (f"{day.isoformat()} {error}",))

    def write_failure(self) -> tuple[dt.date, str] | None:
        """The day and error of the last failed write-back, unless a later one succeeded."""
        row = self._db.execute("SELECT value FROM notes WHERE name = 'write_failure'").fetchone()
        if not row:
            return None
        day, _, error = str(row[0]).partition(" ")
        return dt.date.fromisoformat(day), error

    def clear_write_failure(self) -> None:
        """A write-back succeeded: the sheet has caught up."""
        if self.write_failure() is not None:
            self._write("DELETE FROM notes WHERE name = 'write_failure'")

    def finish(self, key: str, status: str, detail: str = "") -> None:
        """Record the outcome of a send begun with ``begin``: sent, failed, deferred or unknown."""
        if status not in ("sent", "failed", "deferred", "unknown"):
            raise ValueError(f"not a final status: {status}")
        self._write("UPDATE sends SET status = ?, detail = ?, finished = ?, written = 0 WHERE key = ?",
                    (status, detail, _now().isoformat(), key))

    def recover(self, entries: Sequence[Entry] | None = None) -> list[Entry]:
        """Turn sends left ``sending`` by a run that died into ``unknown``; return them.
        ``entries``: ``entries()`` as read already."""
        stale = [e for e in (self.entries() if entries is None else entries) if e.status == "sending"]
        if stale:
            self._write("UPDATE sends SET status = 'unknown', "
                        "detail = 'the run stopped during the SMTP transaction' WHERE status = 'sending'")
        return [self.get(e.key) for e in stale]  # type: ignore[misc]

    def sent_today(self, today: dt.date | None = None) -> int:
        """Messages handed to the server (sent, or maybe sent) by runs dated ``today``: what
        counts against the daily cap."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM sends WHERE status IN ('sent', 'sending', 'unknown') AND day = ?",
            ((today or dt.date.today()).isoformat(),)).fetchone()
        return int(row[0])

    def mark_written(self, keys: Iterable[str]) -> None:
        """Note that these keys have a row in the Touches sheet."""
        rows = [(k,) for k in keys]
        if rows:
            self._write("UPDATE sends SET written = 1 WHERE key = ? AND status != 'sending'", rows, many=True)

    def unwritten(self, refs: set[str], entries: Sequence[Entry] | None = None) -> list[Entry]:
        """Client emails the journal knows about whose Touches row is missing from ``refs``:
        every sent or queued one, and failed or unknown ones not yet written once; and drafts
        found sent whose 'sent from the outbox' row is not written yet (the draft's own row
        holds the same Ref). ``entries``: ``entries()`` as read already."""
        return [e for e in (self.entries() if entries is None else entries)
                if e.kind == "email" and (
                    (e.status == "draft_sent" and not e.written)
                    or (e.key not in refs
                        and (e.status in DELIVERED or (e.status in ("failed", "unknown") and not e.written))))]


DELIVERED = ("sent", "queued", "draft_sent")


def _settled(entry: Entry) -> bool:
    return entry.status in DELIVERED or (entry.status in ("sending", "unknown") and not entry.written)


def _entry(row: tuple) -> Entry:
    (key, status, kind, recipient, client_id, task_id, summary, message_id, detail, day, started,
     finished, written) = row
    return Entry(key, status, kind, recipient, client_id, task_id, summary, message_id, detail,
                 dt.date.fromisoformat(day), dt.datetime.fromisoformat(started),
                 dt.datetime.fromisoformat(finished) if finished else None, bool(written))


@dataclass
class Reconciled:
    """What the journal adds to a run: Touches rows to append, problems to report, and the
    keys this run must not send; and the outbox's drafts as the run found them."""

    touches: list[Touch]
    problems: list[Problem]
    settled: set[str]
    outbox: OutboxDrafts = field(default_factory=OutboxDrafts)


def reconcile(journal: Journal, refs: set[str], by: str, today: dt.date | None = None,
              drafted: set[str] | None = None) -> Reconciled:
    """Start-of-run bookkeeping. ``refs`` are the Refs already in the Touches sheet, ``drafted``
    those of them whose rows all still say draft (``drafts.draft_refs``).

    Sends left mid-transaction become unknown (each one reported once, as a problem); with
    ``today``, outbox drafts whose file is gone count as sent today; keys found in Touches
    (on a row that is not a draft) are marked written; journaled client emails missing from
    Touches come back as Touches rows dated the day they were sent.
    """
    # The entries are read once (at 10,000 clients a read costs 20 ms), and again only after a
    # change that rarely happens; marking keys written is applied to the copy as to the table.
    entries = journal.entries()
    recovered = journal.recover(entries)
    problems = [Problem("Touches", "", UNKNOWN_PROBLEM.format(
        kind="digest" if e.kind == "digest" else "email", key=e.key, to=e.recipient,
        day=e.day.isoformat())) for e in recovered]
    if recovered:
        entries = journal.entries()
    outbox = journal.check_drafts(today, entries) if today is not None else OutboxDrafts()
    if outbox.found_sent:
        entries = journal.entries()
    marked = refs - (drafted or set())
    marked = {e.key for e in entries if e.key in marked and not e.written and e.status != "sending"}
    journal.mark_written(marked)  # only rows it changes: none, on most days, and then no commit to flush
    entries = [replace(e, written=True) if e.key in marked else e for e in entries]
    touches = [delivery_touch(entry.day, entry.client_id, entry.task_id, entry.summary, entry.key,
                              entry.status, entry.detail, by) for entry in journal.unwritten(refs, entries)]
    settled = journal.settled_keys(entries) | {t.ref for t in touches}
    return Reconciled(touches, problems, settled, outbox)


def delivery_touch(day: dt.date, client_id: str, task_id: str, summary: str, key: str, status: str,
                   detail: str, by: str) -> Touch:
    """The Touches row for a client email's delivery (this run's, or one the journal kept)."""
    result = RESULT_TEXT[status]
    if status in ("failed", "unknown") and detail:
        result = f"{result}: {detail}"
    if status == "queued":
        summary = f"{DRAFT_SUMMARY}{summary}"
    return Touch(date=day, client_id=client_id, row=0, task_id=task_id, channel="Email",
                 direction="Out", by=by, summary=summary, ref=key, result=result)


def lock_wait_seconds() -> float:
    """How long a second run waits for the first: ``$SHEETS_SYNC_LOCK_WAIT`` or 30 s."""
    try:
        return max(0.0, float(os.environ.get("SHEETS_SYNC_LOCK_WAIT", LOCK_WAIT_SECONDS)))
    except ValueError:
        return LOCK_WAIT_SECONDS


@contextmanager
def run_lock(state_dir: Path, wait: float | None = None) -> Iterator[None]:
    """Hold this source's run lock for the ``with`` block. A second run waits up to ``wait``
    seconds, then raises RunLocked. The lock dies with its process (it is an SQLite lock), so
    a killed run never leaves a stale lock behind."""
    wait = lock_wait_seconds() if wait is None else wait
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_NAME
    info = state_dir / (LOCK_NAME + ".holder")
    db = sqlite3.connect(path, timeout=wait, isolation_level=None)
    try:
        try:
            db.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError:
            holder = info.read_text(encoding="utf-8").strip() if info.exists() else "unknown holder"
            raise RunLocked(RUN_LOCKED.format(holder=holder, wait=wait), source=str(state_dir)) from None
        started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
        info.write_text(f"process {os.getpid()} on {socket.gethostname()}, started {started}", encoding="utf-8")
        try:
            yield
        finally:
            db.execute("ROLLBACK")
    finally:
        db.close()


def send_problems(pairs: Iterable[tuple[Message, Delivery]], clients_sheet: str = "Clients") -> list[Problem]:
    """A problem for each message of this run that failed or whose outcome is unknown, so a
    person sees it (and the run exits 1)."""
    problems = []
    for message, delivery in pairs:
        who = f"{message.to} ({message.client_id})" if message.client_id else message.to
        if delivery.status == "failed":
            sheet = clients_sheet if message.kind == "email" else "Touches"
            problems.append(Problem(sheet, "", f"the email {message.key} to {who} was not sent: "
                                    f"{delivery.detail}; check the address"))
        elif delivery.status == "unknown":
            problems.append(Problem("Touches", "", UNKNOWN_PROBLEM.format(
                kind="digest" if message.kind == "digest" else "email", key=message.key, to=who,
                day=(delivery.when or dt.datetime.now()).date().isoformat())))
    return problems
