"""Reading the mailbox for one run: connect, fetch what is new, classify, match and act.

Nothing on the server changes. The folder state is saved only once the sheet holds the
touches (``save``), so a run that dies or fails to write reads the same messages again, and
their Refs in Touches keep each from being acted on twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from imapclient.exceptions import IMAPClientError

from sheets_sync.inbox.act import InboxResult, act
from sheets_sync.inbox.classify import BOUNCE, classify
from sheets_sync.inbox.fetch import fetch_messages, new_uids
from sheets_sync.inbox.match import Matcher
from sheets_sync.inbox.parse import Unreadable, parse
from sheets_sync.inbox.state import load_state, save_state
from sheets_sync.mail.imap import ImapSettings, MailboxError, connect
from sheets_sync.mail.journal import Entry
from sheets_sync.model.rows import Book, Touch
from sheets_sync.rules import refs

LOST = ("the connection to the mailbox {where} was lost while reading ({why}); nothing from it was "
        "used, and the next run reads it again")


def read_inbox(settings: ImapSettings, book: Book, sent: Iterable[Entry], state_dir: Path, today: dt.date,
               own: Iterable[str] = ()) -> InboxResult:
    """Read every configured folder from where the last run stopped and act on each new
    message (``act``). ``sent``: the journal's entries (to match replies); ``own``: our own
    addresses (our sent copies are not inbound). Raises MailboxError."""
    result = InboxResult()
    matcher = Matcher(book.clients, sent)
    known = {t.ref for t in book.touches if t.ref.startswith("in:")}
    by_client: dict[str, list[Touch]] = {}
    for touch in book.touches:
        if touch.direction == "In":
            by_client.setdefault(touch.client_id, []).append(touch)
    ours = {a.lower() for a in own if a}
    state = load_state(state_dir)
    client = connect(settings)
    try:
        for folder in settings.folders:
            read = new_uids(client, folder, state.get(folder), today)
            for fetched in fetch_messages(client, read):
                result.messages_read += 1
                try:
                    message = parse(fetched)
                    kind = classify(message)
                except Unreadable:
                    result.unreadable += 1
                    continue
                except Exception:  # a message no parser makes sense of: counted, skipped, never a traceback
                    result.unreadable += 1
                    continue
                if message.sender in ours or matcher.is_ours(message.message_id):
                    continue
                found = matcher.match(message, kind.failed, fetched.body if kind.kind == BOUNCE else b"")
                if found is None:
                    result.unmatched += 1
                    continue
                ref = refs.inbound(message.message_id)
                if ref in known:
                    continue  # acted on by an earlier run
                known.add(ref)
                earlier = by_client.setdefault(found.client.client_id, [])
                act(result, message, kind, found, today, earlier)
                earlier.append(result.touches[-1])
            result.state[folder] = read.state
    except (IMAPClientError, OSError) as exc:
        raise MailboxError(LOST.format(where=settings.describe(), why=" ".join(str(exc).split())[:200])) from None
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            pass
    return result


def save(state_dir: Path, result: InboxResult) -> None:
    """Remember where reading stopped, once the sheet holds what was read."""
    if result.state:
        state = load_state(state_dir)
        state.update(result.state)
        save_state(state_dir, state)
