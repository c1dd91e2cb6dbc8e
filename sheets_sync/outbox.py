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
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from sheets_sync.message import Delivery, Message


def clean_header(value: str) -> str:
    """A header value with CR/LF removed: sheet values never become extra headers."""
    return re.sub(r"[\r\n]+", " ", value).strip()


def build_email(message: Message, sender: str, reply_to: str = "", when: dt.datetime | None = None) -> EmailMessage:
    """The RFC 5322 message: From, To, Subject, Date, Message-ID, Reply-To, text + HTML."""
    when = when or dt.datetime.now(dt.UTC)
    email = EmailMessage()
    name, address = parseaddr(clean_header(sender))
    email["From"] = formataddr((name, address)) if address else "sheets-sync <sheets-sync@localhost>"
    email["To"] = formataddr((clean_header(message.to_name), clean_header(message.to)))
    email["Subject"] = clean_header(message.subject)
    email["Date"] = format_datetime(when)
    domain = address.rpartition("@")[2] or "localhost"
    email["Message-ID"] = make_msgid(idstring=re.sub(r"[^A-Za-z0-9.-]", ".", message.key)[:60], domain=domain)
    if reply_to:
        email["Reply-To"] = clean_header(reply_to)
    email["X-Sheets-Sync-Key"] = clean_header(message.key)
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


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
            email = build_email(message, sender, reply_to, now)
            path = self.folder / file_name(message.key)
            tmp = path.with_suffix(".eml.tmp")
            tmp.write_bytes(bytes(email))
            os.replace(tmp, path)
            deliveries.append(Delivery(message.key, "queued", f"written to {path}", now))
        return deliveries
