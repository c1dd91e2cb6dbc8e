"""Which client (and task) a message is about.

First by what it answers: its In-Reply-To and References against the Message-IDs of the
emails the journal knows we sent (each with its client and task). A bounce by the
Message-IDs quoted in the returned message, then by the addresses that failed. Last by the
sender's address against the Clients sheet's Email column (case-insensitive). A message
none of these names is unmatched and left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sheets_sync.inbox.parse import Parsed
from sheets_sync.mail.journal import Entry
from sheets_sync.model.rows import Client

_ID = re.compile(rb"<[^<>\s]{3,250}>")


@dataclass(frozen=True)
class Match:
    """The client a message is about, and the task when it answers a task's email."""

    client: Client
    task_id: str = ""


class Matcher:
    """Looks messages up in what we sent and in the Clients sheet."""

    def __init__(self, clients: Iterable[Client], sent: Iterable[Entry]) -> None:
        self.clients = {c.client_id: c for c in clients}
        self.by_email: dict[str, Client] = {}
        for client in self.clients.values():
            for address in _addresses(client.email):
                self.by_email.setdefault(address, client)
        self.sent: dict[str, tuple[str, str]] = {}
        for entry in sent:
            if entry.kind == "email" and entry.message_id and entry.client_id in self.clients:
                self.sent[entry.message_id.lower()] = (entry.client_id, entry.task_id)

    def is_ours(self, message_id: str) -> bool:
        """True for a message we sent (a copy in the mailbox): nothing came in."""
        return message_id.lower() in self.sent

    def match(self, message: Parsed, failed: Iterable[str] = (), body: bytes = b"") -> Match | None:
        """The client ``message`` is about, or None."""
        for message_id in message.answers:
            found = self.sent.get(message_id.lower())
            if found:
                return Match(self.clients[found[0]], found[1])
        if body:  # a bounce: the returned message's Message-ID, else the address that failed
            for quoted in _ID.findall(body):
                found = self.sent.get(quoted.decode("ascii", "replace").lower())
                if found:
                    return Match(self.clients[found[0]], found[1])
            for address in failed:
                client = self.by_email.get(address.lower())
                if client is not None:
                    return Match(client)
            return None  # a bounce never matches by its sender, the mail server
        client = self.by_email.get(message.sender)
        return Match(client) if client is not None else None


def _addresses(cell: str) -> list[str]:
    return [a.strip().lower() for a in re.split(r"[,;\s]+", cell or "") if "@" in a]
