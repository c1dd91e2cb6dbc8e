"""One fetched message as the few things the rest needs: who sent it, what it answers,
its subject and the new text a person wrote (without the quoted history).

Mail from the wild is parsed leniently (the standard library's compat32 parser): broken
MIME, encoded-word headers in odd charsets, HTML-only mail. A message this cannot make sense
of raises ``Unreadable`` and is counted and skipped.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import re
from dataclasses import dataclass
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from sheets_sync.inbox.fetch import Fetched

TEXT_CAP = 20_000  # characters of a text part looked at
_ID = re.compile(r"<[^<>\s]+>")
# The line that starts the quoted history in a reply, in the languages the classifier knows.
_QUOTE_HEAD = re.compile(
    r"^\s*(?:On\b.{0,200}\bwrote:|Am\b.{0,200}\bschrieb\b.*:|Le\b.{0,200}\ba écrit\s*:|El\b.{0,200}\bescribió:"
    r"|Il\b.{0,200}\bha scritto:|Op\b.{0,200}\bschreef\b.*:|Em\b.{0,200}\bescreveu:"
    r"|-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|"
    r"Messaggio originale|Oorspronkelijk bericht|Mensagem original)\s*-{2,}"
    r"|_{10,}|(?:From|Von|De|Da|Van):\s.*@.*)\s*$", re.I)


class Unreadable(ValueError):
    """A message that cannot be read at all."""


@dataclass
class Parsed:
    """What the inbox needs of one message."""

    folder: str
    uid: int
    message_id: str  # with its angle brackets; made up from the header when missing
    sender: str  # the From address, lower case
    subject: str
    date: dt.date | None
    answers: list[str]  # In-Reply-To then References, newest first
    message: Message  # header and the start of the body, for the bounce detector
    text: str  # the first text part, as plain text
    size: int


def parse(fetched: Fetched) -> Parsed:
    """Read one fetched message. Raises Unreadable when it has no header to speak of."""
    if not fetched.header.strip():
        raise Unreadable("no header")
    try:
        message = email.message_from_bytes(fetched.header + fetched.body)
    except Exception as exc:  # the parser is lenient; anything it still raises means unreadable
        raise Unreadable(str(exc)) from None
    sender = parseaddr(header_text(message.get("From", "")))[1].strip().lower()
    subject = " ".join(header_text(message.get("Subject", "")).split())
    message_id = _ids(message.get("Message-ID", ""))
    if not sender and not message_id:
        raise Unreadable("neither a sender nor a Message-ID")
    own_id = message_id[0] if message_id else _made_up_id(fetched.header)
    answers = list(reversed(_ids(message.get("References", "")))) + _ids(message.get("In-Reply-To", ""))
    answers = list(dict.fromkeys(reversed(answers)))  # In-Reply-To first, then newest reference first
    return Parsed(fetched.folder, fetched.uid, own_id, sender, subject, _date(message, fetched),
                  answers, message, first_text(message), fetched.size)


def header_text(value: object) -> str:
    """A header's text with encoded words decoded, each by its own charset; a word in a
    charset Python does not know is kept as it came."""
    raw = str(value or "")
    try:
        pieces = decode_header(raw)
    except (ValueError, email.errors.HeaderParseError):
        return raw
    out = []
    for data, charset in pieces:
        if isinstance(data, str):
            out.append(data)
            continue
        try:
            out.append(data.decode(charset or "ascii", "replace"))
        except LookupError:
            out.append(_encoded_word(raw, data, charset))
    return "".join(out)


def _encoded_word(raw: str, data: bytes, charset: str | None) -> str:
    found = re.search(rf"=\?{re.escape(charset or '')}\?[BbQq]\?[^?]*\?=", raw)
    return found[0] + " " if found else data.decode("latin-1")


def addresses(message: Message, name: str) -> list[str]:
    """The addresses in a header, lower case."""
    return [a.lower() for _, a in getaddresses([header_text(v) for v in message.get_all(name, [])]) if "@" in a]


def _ids(value: object) -> list[str]:
    return _ID.findall(str(value or ""))


def _made_up_id(header: bytes) -> str:
    return f"<{hashlib.sha256(header).hexdigest()[:32]}@no-message-id.invalid>"


def _date(message: Message, fetched: Fetched) -> dt.date | None:
    try:
        when = parsedate_to_datetime(str(message.get("Date", "")))
        if when is not None:
            return when.date()
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    return fetched.arrived.date() if fetched.arrived else None


def first_text(message: Message) -> str:
    """The first text/plain part (else the first text/html part, as text), decoded, capped."""
    html = None
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if (part.get("Content-Disposition") or "").lower().startswith("attachment"):
            continue
        subtype = part.get_content_subtype()
        if subtype == "plain":
            return _decoded(part)
        if subtype == "html" and html is None:
            html = part
    return _html_text(_decoded(html)) if html is not None else ""


def _decoded(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    payload = payload[: TEXT_CAP * 4]
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")[:TEXT_CAP]
    except LookupError:  # a charset Python does not know
        return payload.decode("latin-1")[:TEXT_CAP]


def _html_text(html: str) -> str:
    if not html.strip():
        return ""
    try:
        import lxml.html

        tree = lxml.html.fromstring(html)
        for bad in tree.xpath("//script|//style|//head"):
            bad.drop_tree()
        for quote in tree.xpath("//blockquote"):
            quote.drop_tree()
        for br in tree.xpath("//br|//p|//div"):
            br.tail = "\n" + (br.tail or "")
        return str(tree.text_content())
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)


def new_text(text: str) -> str:
    """What the person wrote: the text before the quoted history and the signature."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(">") or _QUOTE_HEAD.match(line):
            break
        if line.rstrip() == "--":
            break
        kept.append(line.rstrip())
    return "\n".join(kept).strip()
