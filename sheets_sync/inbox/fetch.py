"""The new messages of each folder, read without changing anything on the server.

Folders are opened read-only (EXAMINE) and fetched with BODY.PEEK, so no message is marked
read, moved or deleted. Of each message the header (up to ``HEADER_CAP`` bytes) and its
structure (BODYSTRUCTURE) come first; then only the parts worth reading, each cut at
``PART_CAP`` bytes: the first text part (plain, else HTML), and for a bounce its delivery
report and the returned message's header. Attachments are never fetched: a 40 MB message
costs no more than a short one. Messages come in batches of ``BATCH`` UIDs and are handed on
one by one, so memory stays bounded however big the folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sheets_sync.inbox.state import FolderState
from sheets_sync.mail.imap import MailboxError

if TYPE_CHECKING:  # imapclient is imported only by a run that reads a mailbox (start-up time)
    from imapclient import IMAPClient

HEADER_CAP = 64 * 1024
PART_CAP = 64 * 1024
REPORT_CAP = 16 * 1024
BATCH = 200
RESCAN_DAYS = 30  # a folder read for the first time, or renumbered, is read back this far
_HEADER = b"BODY[HEADER]<0>"
_FIRST = [f"BODY.PEEK[HEADER]<0.{HEADER_CAP}>", "BODYSTRUCTURE", "RFC822.SIZE", "INTERNALDATE"]
_REPORTS = {(b"message", b"delivery-status"), (b"message", b"global-delivery-status"),
            (b"text", b"rfc822-headers"), (b"message", b"global-headers")}


@dataclass
class Fetched:
    """One message as fetched: its header, and a body made of the parts worth reading."""

    folder: str
    uid: int
    header: bytes
    body: bytes
    size: int
    arrived: dt.datetime | None


@dataclass
class FolderRead:
    """What reading one folder found: the UIDs to fetch and where reading stops."""

    folder: str
    state: FolderState
    rescanned: bool = False  # UIDVALIDITY changed (or first read): read back RESCAN_DAYS
    uids: list[int] = field(default_factory=list)


def new_uids(client: IMAPClient, folder: str, known: FolderState | None, today: dt.date) -> FolderRead:
    """Open ``folder`` read-only and find the UIDs that arrived since ``known``."""
    from imapclient.exceptions import IMAPClientError

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


@dataclass(frozen=True)
class _Part:
    number: str  # "1", "2.1"; "TEXT" for the body of a message that is not multipart
    header: str  # the item that gives the part's own MIME header ('' for TEXT)
    body: str  # the item that gives its content
    body_key: bytes


def fetch_messages(client: IMAPClient, read: FolderRead) -> Iterator[Fetched]:
    """The messages of ``read.uids``, in UID order; a message deleted meanwhile is skipped."""
    for start in range(0, len(read.uids), BATCH):
        batch = read.uids[start:start + BATCH]
        first = client.fetch(batch, _FIRST)
        wanted = {uid: parts_to_read(data.get(b"BODYSTRUCTURE")) for uid, data in first.items()}
        groups: dict[tuple[_Part, ...], list[int]] = {}
        for uid, parts in wanted.items():
            if parts:
                groups.setdefault(parts, []).append(uid)
        contents: dict[int, dict[bytes, Any]] = {}
        for parts, uids in groups.items():
            items = [item for p in parts for item in (p.header, p.body) if item]
            contents.update(client.fetch(uids, items))
        for uid in batch:
            data = first.pop(uid, None)
            if data is None:  # expunged between the search and the fetch
                continue
            arrived = data.get(b"INTERNALDATE")
            header = bytes(data.get(_HEADER) or b"")
            body = _body(data.get(b"BODYSTRUCTURE"), wanted.get(uid, ()), contents.pop(uid, {}))
            yield Fetched(read.folder, uid, header, body, int(data.get(b"RFC822.SIZE") or 0),
                          arrived if isinstance(arrived, dt.datetime) else None)


def parts_to_read(structure: Any) -> tuple[_Part, ...]:
    """The parts of a message worth fetching, from its BODYSTRUCTURE: the first text/plain
    part (else the first text/html), delivery reports, the returned message's header."""
    if structure is None:
        return ()
    if not getattr(structure, "is_multipart", False):
        kind = _kind(structure)
        return (_Part("TEXT", "", f"BODY.PEEK[TEXT]<0.{PART_CAP}>", b"BODY[TEXT]<0>"),) if kind[0] == b"text" else ()
    leaves: list[tuple[str, tuple[bytes, bytes], bool]] = []
    _leaves(structure, "", leaves)
    chosen: list[_Part] = []
    text = next((n for n, k, att in leaves if k == (b"text", b"plain") and not att), None)
    text = text or next((n for n, k, att in leaves if k == (b"text", b"html") and not att), None)
    if text:
        chosen.append(_part(text, PART_CAP))
    for number, kind, _ in leaves:
        if kind in _REPORTS:
            chosen.append(_part(number, REPORT_CAP))
        elif kind == (b"message", b"rfc822") and "." not in number:
            chosen.append(_Part(number, "", f"BODY.PEEK[{number}.HEADER]<0.{REPORT_CAP}>",
                                f"BODY[{number}.HEADER]<0>".encode()))
    return tuple(chosen)


def _part(number: str, cap: int) -> _Part:
    return _Part(number, f"BODY.PEEK[{number}.MIME]", f"BODY.PEEK[{number}]<0.{cap}>", f"BODY[{number}]<0>".encode())


def _leaves(structure: Any, prefix: str, out: list[tuple[str, tuple[bytes, bytes], bool]]) -> None:
    children = structure[0] if isinstance(structure[0], list) else []
    for index, child in enumerate(children, 1):
        number = f"{prefix}{index}"
        if getattr(child, "is_multipart", False):
            _leaves(child, number + ".", out)
        else:
            out.append((number, _kind(child), _is_attachment(child)))


def _kind(leaf: Sequence[Any]) -> tuple[bytes, bytes]:
    def low(value: Any) -> bytes:
        return value.lower() if isinstance(value, bytes) else str(value or "").lower().encode()

    return (low(leaf[0]), low(leaf[1])) if len(leaf) > 1 else (b"", b"")


def _is_attachment(leaf: Sequence[Any]) -> bool:
    for value in leaf[7:]:
        if isinstance(value, tuple) and value and isinstance(value[0], bytes) and value[0].lower() == b"attachment":
            return True
    return False


def _body(structure: Any, parts: Sequence[_Part], data: dict[bytes, Any]) -> bytes:
    """The message's body as the parts fetched make it: the text of a single-part message,
    or the chosen parts under the message's own boundary."""
    if len(parts) == 1 and parts[0].number == "TEXT":
        return bytes(data.get(parts[0].body_key) or b"")
    boundary = _boundary(structure)
    if not parts or not boundary:
        return b""
    out = []
    for part in parts:
        if part.header:
            head = bytes(data.get(f"BODY[{part.number}.MIME]".encode()) or b"Content-Type: text/plain\r\n\r\n")
        else:  # the returned message's header, as a report part
            head = b"Content-Type: text/rfc822-headers\r\n\r\n"
        out.append(b"--" + boundary + b"\r\n" + head + bytes(data.get(part.body_key) or b"") + b"\r\n")
    out.append(b"--" + boundary + b"--\r\n")
    return b"".join(out)


def _boundary(structure: Any) -> bytes:
    params = structure[2] if structure is not None and len(structure) > 2 else None
    if not isinstance(params, tuple):
        return b""
    for key, value in zip(params[::2], params[1::2], strict=False):
        if isinstance(key, bytes) and key.lower() == b"boundary" and isinstance(value, bytes):
            return value
    return b""


def _text(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else type(exc).__name__
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())[:200]
