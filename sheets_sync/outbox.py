"""The outbox: each message as a standard .eml file (RFC 5322), openable in any mail client.

Used when no mail server is configured, and forced with ``--outbox DIR``. A file is named
after the message's key, so writing the same message again replaces it: a rerun can never
leave two copies.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Sequence
from email.charset import QP, Charset
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from sheets_sync.message import Delivery, Message

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def clean_header(value: str) -> str:
    """A header value with CR/LF removed: sheet values never become extra headers."""
    return re.sub(r"[\r\n]+", " ", value).strip()


def build_email(message: Message, sender: str, reply_to: str = "", when: dt.datetime | None = None) -> MIMEBase:
    """The RFC 5322 message: From, To, Subject, Date, Message-ID, Reply-To, text + HTML.

    Built with the compat32 classes: the modern EmailMessage parses every header it is given
    again through the header registry, which made 90% of a big outbox run's time.
    """
    when = when or dt.datetime.now(dt.UTC)
    email: MIMEBase
    if message.html:
        parts = [_text_part(message.text, "plain"), _text_part(message.html, "html")]
        for part in parts:
            del part["MIME-Version"]  # only the top level carries it
        # A random boundary cannot occur in the text; set here, it spares the generator
        # compiling a regular expression per message to look for a clash.
        email = MIMEMultipart("alternative", boundary=f"=_sheets-sync_{secrets.token_hex(16)}", _subparts=parts)
    else:
        email = _text_part(message.text, "plain")
    name, address = parseaddr(clean_header(sender))
    email["From"] = _address(name, address) if address else "sheets-sync <sheets-sync@localhost>"
    email["To"] = _address(clean_header(message.to_name), clean_header(message.to))
    email["Subject"] = _header(clean_header(message.subject))
    email["Date"] = format_datetime(when)
    domain = _ascii_domain(address.rpartition("@")[2]) or "localhost"
    email["Message-ID"] = make_msgid(idstring=re.sub(r"[^A-Za-z0-9.-]", ".", message.key)[:60], domain=domain)
    if reply_to:
        reply_name, reply_address = parseaddr(clean_header(reply_to))
        email["Reply-To"] = _address(reply_name, reply_address) if reply_address else _header(clean_header(reply_to))
    email["X-Sheets-Sync-Key"] = _header(clean_header(message.key))
    return email


def _text_part(body: str, subtype: str) -> MIMEText:
    """A text part: 7bit when it is short-lined ASCII, else UTF-8 quoted-printable."""
    if body.isascii() and all(len(line) <= 998 for line in body.splitlines()):
        return MIMEText(body, subtype, "us-ascii")
    return MIMEText(body, subtype, _UTF8_QP)


def _header(value: str) -> str | Header:
    """A header value, RFC 2047-encoded when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8")


def _address(name: str, address: str) -> str | Header:
    """'Name <address>', the name RFC 2047-encoded and an international domain in xn-- form
    when they are not ASCII. (Sheet addresses are ASCII already: see values.parse_email.)"""
    local, _, domain = address.rpartition("@")
    if local:
        address = f"{local}@{_ascii_domain(domain)}"
    if not address.isascii():  # a configured sender with SMTPUTF8 characters: keep it readable
        return _header(f"{name} <{address}>" if name else address)
    return formataddr((name, address), charset="utf-8")


def _ascii_domain(domain: str) -> str:
    """An international domain in its xn-- form (as it was when that is impossible)."""
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


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
