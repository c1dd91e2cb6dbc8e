"""A Message as the bytes of a standard email (RFC 5322, MIME): what the outbox writes and
SMTP sends.

From, To, Subject, Date, Message-ID, Reply-To, X-Sheets-Sync-Key, List-Unsubscribe on a client
email (and ``X-Unsent: 1`` on an
outbox draft, which Outlook and Apple Mail open as a message ready to send); a text part, or text
and HTML as multipart/alternative. Text is 7bit when it is short-lined ASCII, else UTF-8
quoted-printable; a header that is not plain ASCII, or holds "=?" (text that mail programs
would take for an encoded-word), is RFC 2047-encoded, a long one folded. Line breaks and
other control characters in any header value become spaces (``clean_header``).

The bytes are the ones the standard library's email generator writes for the same message
(tests/test_mime.py checks that, message by message). Building a message object for each
email and flattening it took 1 ms a message, most of it folding headers that need no
folding: a big outbox run spent a third of its time there. Here a short ASCII header is
written as it is, anything else goes through the email package's own folding.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email.charset import QP, Charset
from email.header import Header
from email.policy import Compat32, compat32
from email.utils import format_datetime, formataddr, parseaddr

from sheets_sync.mail.message import Message

MAX_LINE = 78  # the generator's folding width (RFC 5322's recommended line length)
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP
_UTF8_HEADER = Charset("utf-8")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_NOT_ID = re.compile(r"[^A-Za-z0-9.-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
# Message-IDs and boundaries: a random token drawn once per process and a counter, unique
# like a fresh token per message, without a system call per message (a big run has tens
# of thousands).
_TOKEN = secrets.token_hex(8)
_SERIAL = itertools.count(1)


@dataclass(frozen=True)
class Wire:
    """A message ready to go: its bytes and the Message-ID they carry."""

    data: bytes
    message_id: str


def clean_header(value: str) -> str:
    """A header value with line breaks and other control characters made spaces: sheet
    values never become extra headers (the email package breaks lines at \\x1c-\\x1e and
    U+2028 too)."""
    return _CONTROL.sub(" ", value).strip()


def email_bytes(message: Message, sender: str, reply_to: str = "", when: dt.datetime | None = None, *,
                linesep: str = "\n", message_id: str | None = None, boundary: str | None = None,
                draft: bool = False) -> Wire:
    """The message's bytes with ``linesep`` line ends ("\\r\\n" on the wire).

    ``when`` is the Date (now when omitted); ``message_id`` and ``boundary`` are made up
    when omitted (tests pass them to compare two runs). A ``draft`` (the outbox) carries
    ``X-Unsent: 1``, and no From when ``sender`` has no address: the mail program that
    sends it fills in its own account.
    """
    when = when or dt.datetime.now(dt.UTC)
    name, address = _parse_address(clean_header(sender))
    domain = _ascii_domain(address.rpartition("@")[2]) or "localhost"
    unique = f"{_TOKEN}{next(_SERIAL):x}"
    message_id = message_id or f"<{unique}.{_NOT_ID.sub('.', message.key)[:40]}@{domain}>"
    headers: list[tuple[str, str | Header]] = []
    if message.html:
        boundary = boundary or f"=_ss_{unique}"  # random: cannot occur in the text
        headers += [("Content-Type", f'multipart/alternative; boundary="{boundary}"'), ("MIME-Version", "1.0")]
    else:
        content_type, encoding = _part_headers(message.text, "plain")
        headers += [content_type, ("MIME-Version", "1.0"), encoding]
    if address or not draft:
        headers.append(("From", _address(name, address) if address else "sheets-sync <sheets-sync@localhost>"))
    headers += [
        ("To", _address(clean_header(message.to_name), clean_header(message.to))),
        ("Subject", _header(clean_header(message.subject))),
        ("Date", _date(when)),
        ("Message-ID", message_id),
    ]
    if reply_to:
        reply_name, reply_address = _parse_address(clean_header(reply_to))
        headers.append(("Reply-To", _address(reply_name, reply_address) if reply_address
                        else _header(clean_header(reply_to))))
    headers.append(("X-Sheets-Sync-Key", _header(clean_header(message.key))))
    unsubscribe = list_unsubscribe(address) if message.kind == "email" else ""
    if unsubscribe:
        headers.append(("List-Unsubscribe", unsubscribe))
    if draft:
        headers.append(("X-Unsent", "1"))
    out = [_headers(headers, linesep), linesep]
    if message.html:
        for body, subtype in ((message.text, "plain"), (message.html, "html")):
            out += [linesep if subtype == "html" else "", f"--{boundary}{linesep}",
                    _headers(_part_headers(body, subtype), linesep), linesep, _body(body, linesep)]
        out.append(f"{linesep}--{boundary}--{linesep}")
    else:
        out.append(_body(message.text, linesep))
    return Wire("".join(out).encode("ascii"), message_id)


def list_unsubscribe(address: str) -> str:
    """The List-Unsubscribe value of a client email (RFC 2369): a mail to the sender's
    address with the subject 'unsubscribe', which the inbox reads as an unsubscribe ('' when
    the address cannot be written in ASCII, as a URL must be)."""
    local, _, domain = address.rpartition("@")
    domain = _ascii_domain(domain)
    if not local or not local.isascii() or not domain.isascii():
        return ""
    return f"<mailto:{local}@{domain}?subject=unsubscribe>"


def _part_headers(body: str, subtype: str) -> list[tuple[str, str]]:
    charset, cte = ("us-ascii", "7bit") if _is_7bit(body) else ("utf-8", "quoted-printable")
    return [("Content-Type", f'text/{subtype}; charset="{charset}"'), ("Content-Transfer-Encoding", cte)]


def _is_7bit(body: str) -> bool:
    return body.isascii() and (len(body) <= 998 or max(map(len, body.splitlines())) <= 998)


def _body(body: str, linesep: str) -> str:
    if not _is_7bit(body):
        body = _UTF8_QP.body_encode(body)
    lines = _NEWLINE.split(body)
    return linesep.join(lines)


def _headers(headers: Sequence[tuple[str, str | Header]], linesep: str) -> str:
    policy = _policy(linesep)
    out = []
    for name, value in headers:
        if isinstance(value, str) and value.isascii() and len(name) + 2 + len(value) <= MAX_LINE \
                and "\r" not in value and "\n" not in value:
            out.append(f"{name}: {value}{linesep}")
        else:  # compat32 folds a Header as well as a str; typeshed's fold takes only str
            out.append(policy.fold(name, value))  # type: ignore[arg-type]
    return "".join(out)


@functools.cache
def _policy(linesep: str) -> Compat32:
    return compat32.clone(linesep=linesep)


# A run sends thousands of messages from one sender, with one reply-to, at one time.
@functools.lru_cache(maxsize=64)
def _parse_address(value: str) -> tuple[str, str]:
    return parseaddr(value)


@functools.lru_cache(maxsize=8)
def _date(when: dt.datetime) -> str:
    return format_datetime(when)


def _header(value: str) -> str | Header:
    """A header value, RFC 2047-encoded when it is not plain ASCII or when it holds text that
    looks like an encoded-word ("=?utf-8?b?...?="), which mail programs would decode: once
    encoded, that text reads back as typed."""
    return value if value.isascii() and "=?" not in value else Header(value, "utf-8")


def _address(name: str, address: str) -> str | Header:
    """'Name <address>', the name RFC 2047-encoded and an international domain in xn-- form
    when they are not ASCII. (Sheet addresses are ASCII already: see values.parse_email.)"""
    local, _, domain = address.rpartition("@")
    if local:
        address = f"{local}@{_ascii_domain(domain)}"
    if not address.isascii():  # a configured sender with SMTPUTF8 characters: keep it readable
        return _header(f"{name} <{address}>" if name else address)
    if "=?" in name:  # formataddr leaves an ASCII name as it is: a look-alike encoded-word would be decoded
        return f"{_UTF8_HEADER.header_encode(name)} <{address}>"
    return formataddr((name, address), charset="utf-8")


@functools.lru_cache(maxsize=256)
def _ascii_domain(domain: str) -> str:
    """An international domain in its xn-- form (as it was when that is impossible)."""
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain
