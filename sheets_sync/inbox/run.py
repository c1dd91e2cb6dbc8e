"""Reading the mailbox for one run: connect, fetch what is new, classify, match and act.

Nothing on the server changes. The folder state is saved only once the sheet holds the
touches (``save``), so a run that dies or fails to write reads the same messages again, and
their Refs in Touches keep each from being acted on twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from sheets_sync.inbox.act import InboxResult, act
from sheets_sync.inbox.classify import BOUNCE, classify
from sheets_sync.inbox.fetch import Fetched, fetch_messages, new_uids
from sheets_sync.inbox.match import Matcher
from sheets_sync.inbox.parse import parse
from sheets_sync.inbox.state import load_state, save_maildir_state, save_state
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
    # imported here: a run with no mailbox, or a Maildir one, never loads imapclient (start-up time)
    from imapclient.exceptions import IMAPClientError

    result = InboxResult()
    reader = Reader(result, book, sent, today, own)
    state = load_state(state_dir)
    client = connect(settings)
    try:
        for folder in settings.folders:
            read = new_uids(client, folder, state.get(folder), today)
            for fetched in fetch_messages(client, read):
                reader.take(fetched)
            result.state[folder] = read.state
    except (IMAPClientError, OSError) as exc:
        raise MailboxError(LOST.format(where=settings.describe(), why=" ".join(str(exc).split())[:200])) from None
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            pass
    return result


class Reader:
    """Acts on messages one by one, whatever they were read from (an IMAP folder, a Maildir):
    parse, classify, match, and act once per Message-ID (its Ref in Touches)."""

    def __init__(self, result: InboxResult, book: Book, sent: Iterable[Entry], today: dt.date,
                 own: Iterable[str] = ()) -> None:
        self.result = result
        self.today = today
        self.matcher = Matcher(book.clients, sent)
        self.known = {t.ref for t in book.touches if t.ref.startswith("in:")}
        self.by_client: dict[str, list[Touch]] = {}
        for touch in book.touches:
            if touch.direction == "In":
                self.by_client.setdefault(touch.client_id, []).append(touch)
        self.ours = {a.lower() for a in own if a}

    def take(self, fetched: Fetched) -> None:
        """Count one message and act on it, unless it is ours, unmatched or acted on before."""
        result = self.result
        result.messages_read += 1
        try:
            message = parse(fetched)
            kind = classify(message)
        except Exception:  # Unreadable, or one no parser makes sense of: counted, skipped, never a traceback
            result.unreadable += 1
            return
        if message.sender in self.ours or self.matcher.is_ours(message.message_id):
            return
        found = self.matcher.match(message, kind.failed, fetched.body if kind.kind == BOUNCE else b"")
        if found is None:
            result.unmatched += 1
            return
        ref = refs.inbound(message.message_id)
        if ref in self.known:
            return  # acted on by an earlier run
        self.known.add(ref)
        earlier = self.by_client.setdefault(found.client.client_id, [])
        act(result, message, kind, found, self.today, earlier)
        earlier.append(result.touches[-1])


def save(state_dir: Path, result: InboxResult) -> None:
    """Remember where reading stopped, once the sheet holds what was read."""
    if result.state:
        state = load_state(state_dir)
        state.update(result.state)
        save_state(state_dir, state)
    if result.maildir is not None:
        save_maildir_state(state_dir, result.maildir)
