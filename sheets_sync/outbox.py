"""The outbox: each message as a standard .eml file (RFC 5322), openable in any mail client.

Used when no mail server is configured, and forced with ``--outbox DIR``. A file is named
after the message's key, so writing the same message again replaces it: a rerun can never
leave two copies.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path

from sheets_sync.message import Delivery, Message
from sheets_sync.mime import email_bytes


def file_name(key: str) -> str:
    """A safe file name for a message key."""
    return re.sub(r"[^A-Za-z0-9@.-]+", "_", key).strip("_") + ".eml"


class OutboxMailer:
    """Writes messages to a folder instead of sending them."""

    def __init__(self, folder: Path, sender: str = "", reply_to: str = "") -> None:
        self.folder = folder
        self.sender = sender
        self.reply_to = reply_to
        self.description = f"outbox folder {folder}"

    def deliver(self, messages: Sequence[Message]) -> list[Delivery]:
        """Write each message as <key>.eml (atomically); every one is 'queued'."""
        self.folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.UTC)
        deliveries = []
        for message in messages:
            sender = self.sender or message.headers.get("From", "")
            reply_to = self.reply_to or message.headers.get("Reply-To", "")
            wire = email_bytes(message, sender, reply_to, now)
            path = self.folder / file_name(message.key)
            tmp = path.with_suffix(".eml.tmp")
            tmp.write_bytes(wire.data)
            os.replace(tmp, path)
            deliveries.append(Delivery(message.key, "queued", f"written to {path}", now))
        return deliveries
