"""What a message that came in does, through the sheet: a Touches row (Direction In, Ref
``in:<Message-ID>``, the Result saying what it was), an Email Status cell for a bounce or an
unsubscribe, and an event for the report. The rules then do the rest (``rules.inbound``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sheets_sync.inbox.classify import AUTO_REPLY, BOUNCE, REPLY, UNSUBSCRIBE, Classified
from sheets_sync.inbox.match import Match
from sheets_sync.inbox.parse import Parsed, new_text
from sheets_sync.inbox.state import FolderState, MaildirState
from sheets_sync.model.rows import Touch
from sheets_sync.rules import email_status, inbound, refs

SUMMARY_CHARS = 200
SOFT_BOUNCES_TO_STOP = 3  # temporary failures in a row before the address counts as bad
KINDS = (REPLY, AUTO_REPLY, BOUNCE, UNSUBSCRIBE)


@dataclass(frozen=True)
class Event:
    """One message acted on, for the report."""

    client_id: str
    task_id: str
    kind: str  # reply | auto_reply | bounce | unsubscribe
    message_id: str
    date: dt.date

    def to_json(self) -> dict[str, object]:
        """The event as the --json ``inbox.events`` items."""
        return {"client_id": self.client_id, "task_id": self.task_id or None, "kind": self.kind,
                "message_id": self.message_id, "date": self.date.isoformat()}


@dataclass
class InboxResult:
    """What reading the mailbox found and did."""

    messages_read: int = 0
    unmatched: int = 0
    unreadable: int = 0
    events: list[Event] = field(default_factory=list)
    touches: list[Touch] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # client ID -> new Email Status cell
    state: dict[str, FolderState] = field(default_factory=dict)  # to save once the sheet has the touches
    maildir: MaildirState | None = None  # the same, when a Maildir folder was read
    error: str = ""  # why the mailbox was not read (sync goes on without it)

    def to_json(self) -> dict[str, object]:
        """The ``inbox`` object of --json."""
        out: dict[str, object] = {"messages_read": self.messages_read, "unmatched": self.unmatched,
                                  "unreadable": self.unreadable, "events": [e.to_json() for e in self.events]}
        if self.error:
            out["error"] = self.error
        return out

    def counts(self) -> dict[str, int]:
        """Events by kind."""
        return {kind: sum(1 for e in self.events if e.kind == kind) for kind in KINDS}


def act(result: InboxResult, message: Parsed, kind: Classified, match: Match, today: dt.date,
        earlier: Sequence[Touch]) -> None:
    """Log ``message`` for ``match``'s client into ``result``. ``earlier``: that client's
    touches so far (the sheet's and this run's), to count soft bounces in a row."""
    client = match.client
    day = min(message.date or today, today)
    ref = refs.inbound(message.message_id)
    by = message.sender
    text = new_text(message.text)
    result_text = inbound.REPLY
    if kind.kind == AUTO_REPLY:
        result_text = inbound.auto_reply_result(kind.back)
        summary = _summary(f"Automatic reply: {message.subject}", text)
    elif kind.kind == BOUNCE:
        result_text = f"{inbound.SOFT_BOUNCE if kind.soft else inbound.BOUNCE}: {kind.detail}"
        summary = _summary(f"Bounced: {message.subject}", "")
        address = client.email.strip().lower()
        counts = not kind.failed or address in kind.failed  # not an address the client no longer has
        if counts and address:
            soft_before = _soft_in_a_row(earlier)
            if not kind.soft or soft_before + 1 >= SOFT_BOUNCES_TO_STOP:
                detail = kind.detail if not kind.soft else f"{kind.detail} ({soft_before + 1} times in a row)"
                result.statuses[client.client_id] = email_status.bounced(day, address, detail)
    elif kind.kind == UNSUBSCRIBE:
        result_text = inbound.UNSUBSCRIBE
        summary = _summary(message.subject, text)
        if client.email.strip():
            result.statuses[client.client_id] = email_status.unsubscribed(day, client.email.strip().lower())
    else:
        summary = _summary(message.subject, text)
    touch = Touch(date=day, client_id=client.client_id, row=0, task_id=match.task_id, channel="Email",
                  direction="In", by=by, summary=summary, ref=ref, result=result_text)
    result.touches.append(touch)
    result.events.append(Event(client.client_id, match.task_id, kind.kind, message.message_id, day))


def _soft_in_a_row(touches: Sequence[Touch]) -> int:
    """Soft bounces logged since the client's last other inbound message."""
    count = 0
    for touch in sorted((t for t in touches if t.direction == "In"), key=lambda t: t.date, reverse=True):
        if not inbound.is_soft_bounce(touch):
            break
        count += 1
    return count


def _summary(subject: str, text: str) -> str:
    lines = " ".join(line.strip() for line in text.splitlines() if line.strip())
    whole = f"{subject}: {lines}" if lines else subject
    whole = " ".join(whole.split())
    return whole if len(whole) <= SUMMARY_CHARS else whole[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"



def summary_lines(result: InboxResult) -> list[str]:
    """What the human output says: one line for the read, then one line per kind of message
    with the clients it came from ('Replies: 2 (C-0001, C-0007 on T-0003)')."""
    if result.error:
        return [f"Inbox: not read: {result.error}"]
    lines = [f"Inbox: {result.messages_read} message(s) read; {result.unmatched} from no known client, "
             f"{result.unreadable} unreadable."]
    names = {REPLY: "Replies", AUTO_REPLY: "Automatic replies", BOUNCE: "Bounces", UNSUBSCRIBE: "Unsubscribes"}
    for kind, title in names.items():
        events = [e for e in result.events if e.kind == kind]
        if events:
            who = ", ".join(e.client_id + (f" on {e.task_id}" if e.task_id else "") for e in events[:20])
            more = f" and {len(events) - 20} more" if len(events) > 20 else ""
            lines.append(f"  {title}: {len(events)} ({who}{more})")
    return lines
