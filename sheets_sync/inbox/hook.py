"""The inbox's part in a ``sync``: read the mailbox (when ``[imap]`` is configured) before the
plan, and remember where reading stopped once the sheet holds what came in.

A mailbox that cannot be read does not stop the sync: the run goes on without it and says so
once (a problem, so the run exits 1).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.backends.base import Backend
from sheets_sync.config import Config
from sheets_sync.errors import MailError
from sheets_sync.inbox.maildir import maildir_path
from sheets_sync.mail import config as smtp_config
from sheets_sync.mail.imap import resolve_imap_settings
from sheets_sync.mail.journal import Journal
from sheets_sync.model.rows import Book, Problem

if TYPE_CHECKING:  # the readers and their mail parsers load only when a mailbox is configured
    from sheets_sync.inbox.act import InboxResult

NOT_READ = "the mailbox was not read, so replies since the last run are not in the sheet yet: {why}"


def read_mailbox(config: Config, backend: Backend, book: Book, journal: Journal, today: dt.date,
                 fail: bool = False) -> InboxResult | None:
    """What came in since the last run, or None when no mailbox is configured. A mailbox that
    cannot be read gives a result holding only the error (``fail``: raise MailError instead)."""
    try:
        folder = maildir_path(config)
        if folder:  # a local Maildir instead of a server
            from sheets_sync.inbox.maildir import read_maildir

            return read_maildir(folder, book, journal.entries(), backend.state_dir(), today, own_addresses(config))
        settings = resolve_imap_settings(config)
        if settings is None:
            return None
        from sheets_sync.inbox.run import read_inbox

        return read_inbox(settings, book, journal.entries(), backend.state_dir(), today, own_addresses(config))
    except MailError as exc:
        if fail:
            raise
        from sheets_sync.inbox.act import InboxResult

        return InboxResult(error=str(exc))


def own_addresses(config: Config) -> list[str]:
    """Our own addresses (the sender and Reply-To): a copy of our own mail is not a reply."""
    found = []
    for name in ("sender", "reply_to", "user"):
        value = smtp_config.given(name, config)
        address = smtp_config._split(" ".join(value.split()))[1] if value else ""
        if "@" in address:
            found.append(address.lower())
    return found


def inbox_problems(result: InboxResult | None) -> list[Problem]:
    """The one line saying the mailbox was not read, when it was not."""
    if result is None or not result.error:
        return []
    return [Problem("inbox", "", NOT_READ.format(why=result.error))]


def save_inbox_state(state_dir: Path, result: InboxResult | None) -> None:
    """After a successful write: the next run reads on from here."""
    if result is not None and not result.error:
        from sheets_sync.inbox.run import save

        save(state_dir, result)
