"""The new messages of each folder, read without changing anything on the server.

Folders are opened read-only (EXAMINE) and fetched with BODY.PEEK, so no message is marked
read, moved or deleted. Of each message only the header (up to ``HEADER_CAP`` bytes) and the
start of its body (``BODY_CAP`` bytes: the text part of a reply, the report of a bounce) are
fetched: a 40 MB message costs no more than a short one. Messages come in batches of
``BATCH`` UIDs and are handed on one by one, so memory stays bounded however big the folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from sheets_sync.inbox.state import FolderState
from sheets_sync.mail.imap import MailboxError

HEADER_CAP = 64 * 1024
BODY_CAP = 64 * 1024
BATCH = 200
RESCAN_DAYS = 30  # a folder read for the first time, or renumbered, is read back this far
_HEADER = b"BODY[HEADER]<0>"
_BODY = b"BODY[TEXT]<0>"
_ITEMS = [f"BODY.PEEK[HEADER]<0.{HEADER_CAP}>", f"BODY.PEEK[TEXT]<0.{BODY_CAP}>", "RFC822.SIZE", "INTERNALDATE"]


@dataclass
class Fetched:
    """One message as fetched: its header and the start of its body, as bytes."""

    folder: str
    uid: int
    header: bytes
    body: bytes
    size: int
    arrived: dt.datetime | None


@dataclass
class FolderRead:
    """What reading one folder found: the messages (a generator) and where it stops."""

    folder: str
    state: FolderState
    rescanned: bool = False  # UIDVALIDITY changed (or first read): read back RESCAN_DAYS
    uids: list[int] = field(default_factory=list)


def new_uids(client: IMAPClient, folder: str, known: FolderState | None, today: dt.date) -> FolderRead:
    """Open ``folder`` read-only and find the UIDs that arrived since ``known``."""
    try:
        info = client.select_folder(folder, readonly=True)
    except IMAPClientError as exc:
        raise MailboxError(f"the mailbox has no folder {folder!r} ({_text(exc)}): correct folders = [...] "
                           "in [imap]") from None
    validity = int(info.get(b"UIDVALIDITY", 0) or 0)
    if known is not None and known.uidvalidity == validity:
        found = client.search(["UID", f"{known.last_uid + 1}:*"])
        uids = sorted(u for u in found if u > known.last_uid)  # "N:*" always holds the last message
        last = max(uids, default=known.last_uid)
        return FolderRead(folder, FolderState(validity, last), False, uids)
    since = today - dt.timedelta(days=RESCAN_DAYS)
    uids = sorted(client.search(["SINCE", since]))
    last = max(uids, default=0)
    if uids == [] and info.get(b"UIDNEXT"):
        last = int(info[b"UIDNEXT"]) - 1
    return FolderRead(folder, FolderState(validity, last), True, uids)


def fetch_messages(client: IMAPClient, read: FolderRead) -> Iterator[Fetched]:
    """The messages of ``read.uids``, in UID order; a message deleted meanwhile is skipped."""
    for start in range(0, len(read.uids), BATCH):
        batch = read.uids[start:start + BATCH]
        answer = client.fetch(batch, _ITEMS)
        for uid in batch:
            data = answer.pop(uid, None)
            if data is None:  # expunged between the search and the fetch
                continue
            arrived = data.get(b"INTERNALDATE")
            yield Fetched(read.folder, uid, bytes(data.get(_HEADER) or b""), bytes(data.get(_BODY) or b""),
                          int(data.get(b"RFC822.SIZE") or 0), arrived if isinstance(arrived, dt.datetime) else None)


def _text(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else type(exc).__name__
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())[:200]
