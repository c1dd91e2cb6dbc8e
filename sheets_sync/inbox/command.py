"""``sheets-sync inbox``: only the inbox part of a sync. Read the mailbox, match, and write
the Touches rows and Email Status cells (the tool columns follow, as after any write)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sheets_sync.backends import open_source
from sheets_sync.config import Config
from sheets_sync.errors import ConfigError
from sheets_sync.inbox.act import InboxResult
from sheets_sync.inbox.hook import read_mailbox, save_inbox_state
from sheets_sync.mail.journal import Journal, run_lock
from sheets_sync.model.read import read_book
from sheets_sync.workbook import WriteResult
from sheets_sync.write.written_dates import load_written_dates

NO_MAILBOX = ("no mailbox is configured: add an [imap] table (host, user) to the config file or set "
              "SHEETS_SYNC_IMAP_HOST and SHEETS_SYNC_IMAP_USER, or name a local Maildir folder with maildir in [imap] "
              "or SHEETS_SYNC_IMAP_MAILDIR (see docs/email.md)")


@dataclass
class InboxRun:
    """What ``inbox`` did."""

    source: str
    today: dt.date
    result: InboxResult
    dry_run: bool = False
    write: WriteResult = field(default_factory=WriteResult)

    def to_json(self) -> dict[str, object]:
        """The --json object: the source, the day and the ``inbox`` object."""
        return {"source": self.source, "today": self.today.isoformat(), "dry_run": self.dry_run,
                "inbox": self.result.to_json(), "rows_updated": self.write.rows_updated,
                "rows_appended": self.write.rows_appended}


def run_inbox(source: str, today: dt.date, config: Config, dry_run: bool = False, **options: object) -> InboxRun:
    """Read the mailbox and write what came in. Raises ConfigError without ``[imap]`` and
    MailError (exit 3) when the mailbox cannot be read. With ``dry_run`` nothing is written
    and the next run reads the same messages again."""
    from sheets_sync.sync import (
        write_back,  # the one write path (re-read and retry when the sheet changed)
    )

    backend = open_source(source, config=config, **options)
    if not dry_run:
        backend.ensure_writable()
    with run_lock(backend.state_dir()), Journal(backend.state_dir()) as journal:
        data = backend.read()
        book = read_book(data, config.section("layout"))
        result = read_mailbox(config, backend, book, journal, today, fail=True)
        if result is None:
            raise ConfigError(NO_MAILBOX)
        run = InboxRun(backend.label, today, result, dry_run)
        if dry_run or (not result.touches and not result.statuses):
            if not dry_run:
                save_inbox_state(backend.state_dir(), result)
            return run
        run.write = write_back(backend, data, book, today, result.touches, load_written_dates(backend.state_dir()),
                               config, statuses=result.statuses)
        save_inbox_state(backend.state_dir(), result)
        return run
