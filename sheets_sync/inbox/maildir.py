"""The mailbox as a local Maildir folder instead of an IMAP server: ``[imap] maildir = "path"``
(or ``SHEETS_SYNC_IMAP_MAILDIR``). For mail that fetchmail, offlineimap, mbsync or a mail
client already keeps in a Maildir, and for the demo, which shows replies without a server.

The folder is only read: no file is moved, renamed or flagged (``new/`` and ``cur/`` are
listed, each file opened for reading; a file's unique name is the part before the ``:2,flags``
a mail client adds when it moves the file to ``cur/``, as the Maildir spec and Python's
``mailbox.Maildir`` have it). Each message
goes through the same parse, classify, match and act as one fetched over IMAP, so the same
rule keeps it exactly once (its Message-ID in the Touches Ref). The names of the files read
are kept (``state.MaildirState``) so a rerun reads only what is new; a folder read for the
first time is read back ``RESCAN_DAYS`` by the files' times, as an IMAP folder is.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.config import Config

if TYPE_CHECKING:  # imported by read_maildir: a sync asks maildir_path without loading the readers
    from sheets_sync.inbox.act import InboxResult
    from sheets_sync.inbox.fetch import Fetched
    from sheets_sync.mail.journal import Entry
    from sheets_sync.model.rows import Book

ENV = "SHEETS_SYNC_IMAP_MAILDIR"
READ_CAP = 256 * 1024  # bytes of a message file read: header, text and a bounce's report, never a whole attachment
FOLDER = "maildir"
NOT_A_MAILDIR = ("the mailbox folder {path} is not a Maildir ({why}): maildir in [imap] (or {env}) must name "
                 "a folder holding cur/ and new/")


def maildir_path(config: Config, environ: Mapping[str, str] | None = None) -> str:
    """The Maildir folder to read (environment over ``[imap] maildir``), as an absolute path,
    or "" when none is configured. A relative path is taken from the current folder."""
    environ = os.environ if environ is None else environ
    table = config.section("imap")
    value = (environ.get(ENV) or "").strip() or str(table.get("maildir") or "").strip()
    return os.path.abspath(os.path.expanduser(value)) if value else ""


def read_maildir(path: str, book: Book, sent: Iterable[Entry], state_dir: Path, today: dt.date,
                 own: Iterable[str] = ()) -> InboxResult:
    """Act on each message file of the Maildir ``path`` not read by an earlier run. The files
    read are in ``result.maildir``, saved once the sheet holds the touches. Raises MailboxError
    when the folder cannot be read."""
    from sheets_sync.inbox.act import InboxResult
    from sheets_sync.inbox.fetch import RESCAN_DAYS
    from sheets_sync.inbox.run import Reader
    from sheets_sync.inbox.state import MaildirState, load_maildir_state
    from sheets_sync.mail.imap import MailboxError

    result = InboxResult()
    reader = Reader(result, book, sent, today, own)
    known = load_maildir_state(state_dir, path)
    since = dt.datetime.combine(today - dt.timedelta(days=RESCAN_DAYS), dt.time())
    try:
        files = _list(path)
    except OSError as exc:
        raise MailboxError(NOT_A_MAILDIR.format(path=path, why=exc.strerror or type(exc).__name__, env=ENV)) from None
    seen = set(known.seen) if known is not None else set()
    for key, file_path in sorted(files.items()):
        if key in seen:
            continue
        fetched = _read(file_path)
        if fetched is None:
            continue  # moved since the folder was listed (new/ to cur/): read next time
        seen.add(key)
        if known is None and fetched.arrived is not None and fetched.arrived < since:
            continue  # before the window a first read covers
        reader.take(fetched)
    present = set(files)
    result.maildir = MaildirState(path, frozenset(seen & present))  # a file gone is forgotten
    return result


def _list(path: str) -> dict[str, str]:
    """Unique name -> file, for the messages in ``new/`` and ``cur/`` (``tmp/`` holds mail
    still being delivered; names starting with a dot are not messages)."""
    files: dict[str, str] = {}
    for sub in ("new", "cur"):
        with os.scandir(os.path.join(path, sub)) as entries:
            for entry in entries:
                if not entry.name.startswith(".") and entry.is_file():
                    files.setdefault(entry.name.split(":", 1)[0], entry.path)
    return files


def _read(file_path: str) -> Fetched | None:
    from sheets_sync.inbox.fetch import Fetched

    try:
        with open(file_path, "rb") as handle:
            data = handle.read(READ_CAP)
            info = os.fstat(handle.fileno())
    except OSError:
        return None
    header, body = _split(data)
    return Fetched(FOLDER, 0, header, body, info.st_size, dt.datetime.fromtimestamp(info.st_mtime))


def _split(data: bytes) -> tuple[bytes, bytes]:
    """The header (with the blank line that ends it) and the body."""
    ends = [(i, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (i := data.find(sep)) >= 0]
    if not ends:
        return data, b""
    at, length = min(ends)
    return data[:at + length], data[at + length:]
