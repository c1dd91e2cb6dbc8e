"""Mail for the demo's mailbox: what the sample's clients answer to the emails of a first sync.

Three messages, written to a Maildir folder the ``inbox`` command reads (``[imap] maildir``):
a prospect's reply to the sequence email they got (In-Reply-To its Message-ID), an
out-of-office reply in German from a client sent a check-in (back on a date ten days on), and a
mail server's bounce (Postfix's RFC 3464 report) of another client's email. The clients,
addresses, subjects and Message-IDs are the ones the journal (and the outbox files) hold, so
the demo shows replies matched as a real mailbox would have them.

Run as ``python -m sheets_sync.model.sample_mail BOOK MAILDIR --today DAY [--outbox DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import os
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import NamedTuple

from sheets_sync.backends import open_source
from sheets_sync.config import load_config
from sheets_sync.mail.drafts import draft_file
from sheets_sync.mail.journal import Entry, Journal
from sheets_sync.mail.outbox import file_name
from sheets_sync.model.sample_data import OFFICE_ADDRESS

AWAY_DAYS = 10  # the out-of-office says the person is back this many days after it came


class SampleMail(NamedTuple):
    """One message for the demo's mailbox: its file name, the client it is about, its bytes."""

    name: str
    client_id: str
    data: bytes


def sample_mail(entries: Sequence[Entry], day: dt.date, outbox: Path | None = None,
                office: str = OFFICE_ADDRESS) -> list[SampleMail]:
    """The messages for a reply, an out-of-office and a bounce, each answering one
    email of ``entries`` (the journal), as they would arrive on ``day``. Fewer when the
    journal holds no email of that sort."""
    emails = sorted((e for e in entries if e.kind == "email" and e.recipient), key=lambda e: e.key)
    when = dt.datetime(day.year, day.month, day.day, 15, 4, 5, tzinfo=dt.UTC)
    used: set[str] = set()

    def pick(prefix: str) -> Entry | None:
        found = next((e for e in emails if e.key.startswith(prefix) and e.client_id not in used), None)
        if found is not None:
            used.add(found.client_id)
        return found

    out: list[SampleMail] = []
    for number, (prefix, build) in enumerate((("prospect:", _reply), ("checkin:", _away), ("referral:", _bounce)), 1):
        entry = pick(prefix)
        if entry is not None:
            message = build(entry, _message_id(entry, outbox), when, office)
            out.append(SampleMail(f"{int(when.timestamp()) + number}.sample{number}.sheets-sync", entry.client_id,
                                  message))
    return out


def write_sample_mail(messages: Sequence[SampleMail], maildir: Path, day: dt.date) -> list[Path]:
    """Deliver ``messages`` into ``maildir``'s new/ (made with cur/ and tmp/ when missing),
    each file dated ``day`` as a mail server would."""
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime(day.year, day.month, day.day, 15, 4, 5, tzinfo=dt.UTC).timestamp()
    written = []
    for name, _, data in messages:
        path = maildir / "new" / name
        path.write_bytes(data)
        os.utime(path, (stamp, stamp))
        written.append(path)
    return written


def _message_id(entry: Entry, outbox: Path | None) -> str:
    """The Message-ID the client got: the journal's, else the outbox file's (a draft)."""
    if entry.message_id or outbox is None:
        return entry.message_id
    path = draft_file(entry.detail) or outbox / file_name(entry.key)
    try:
        with open(path, "rb") as handle:
            return str(email.message_from_binary_file(handle).get("Message-ID", "")).strip()
    except OSError:
        return ""


def _base(sender: str, subject: str, when: dt.datetime, office: str, answers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = office
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "example.com")
    if answers:
        message["In-Reply-To"] = answers
        message["References"] = answers
    return message


def _reply(entry: Entry, answers: str, when: dt.datetime, office: str) -> bytes:
    first = entry.recipient.split("@")[0].split(".")[0].capitalize()
    message = _base(entry.recipient, f"Re: {entry.summary}", when, office, answers)
    message.set_content(
        "Thank you, the quote looks good. Could you call me on Thursday morning to go through the cover?\n\n"
        f"{first}\n\n"
        f"On {when - dt.timedelta(hours=6):%a, %d %b %Y at %H:%M}, {office} wrote:\n> {entry.summary}\n")
    return bytes(message)


def _away(entry: Entry, answers: str, when: dt.datetime, office: str) -> bytes:
    back = when.date() + dt.timedelta(days=AWAY_DAYS)
    message = _base(entry.recipient, f"Abwesenheitsnotiz: {entry.summary}", when, office, answers)
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("Vielen Dank für Ihre Nachricht. Ich bin nicht im Büro und ab dem "
                        f"{back:%d.%m.%Y} wieder erreichbar.\n")
    return bytes(message)


def _bounce(entry: Entry, answers: str, when: dt.datetime, office: str) -> bytes:
    """The mail server's bounce of ``entry``'s email: the address does not exist."""
    returned = f"From: {office}\nTo: {entry.recipient}\nSubject: {entry.summary}\n"
    if answers:
        returned += f"Message-ID: {answers}\n"
    return postfix_bounce(entry.recipient, returned, when, office)


UNKNOWN_USER = "550 5.1.1 <{r}>: Recipient address rejected: User unknown in virtual mailbox table"


def postfix_bounce(recipient: str, returned: str, when: dt.datetime, office: str, *, status: str = "5.1.1",
                   diagnostic: str = UNKNOWN_USER, message_id: str = "", remote: str = "",
                   queue_id: str = "", arrived: str = "") -> bytes:
    """Postfix's RFC 3464 delivery status notification (multipart/report) to ``office`` from
    its mail host (mail.<office's domain>): ``recipient`` failed (a 5.x.x ``status``) or is
    delayed (4.x.x), with ``diagnostic`` ({r}: the recipient) and ``returned``, the
    undelivered message's header lines. ``remote``: the receiving server as Postfix names it
    (host[ip]; mx.<recipient's domain> when empty). With ``queue_id`` the report also holds
    Postfix's queue ID, the ``arrived`` date, Original-Recipient and Remote-MTA."""
    host = "mail." + office.rpartition("@")[2]
    diagnostic = diagnostic.format(r=recipient)
    action = "delayed" if status.startswith("4") else "failed"
    subject = "Delayed Mail (still being retried)" if action == "delayed" else "Undelivered Mail Returned to Sender"
    remote = remote or f"mx.{recipient.rpartition('@')[2]}"
    boundary = f"{queue_id}.{int(when.timestamp())}/{host}" if queue_id else f"{int(when.timestamp())}/{host}"
    arrival = f"X-Postfix-Queue-ID: {queue_id}\nArrival-Date: {arrived}\n" if queue_id else ""
    original = f"Original-Recipient: rfc822;{recipient}\n" if queue_id else ""
    remote_mta = f"Remote-MTA: dns; {remote.partition('[')[0]}\n" if queue_id else ""
    return f"""Return-Path: <>
From: MAILER-DAEMON@{host} (Mail Delivery System)
To: {office}
Subject: {subject}
Date: {format_datetime(when)}
Message-ID: {message_id or make_msgid(domain=host)}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host {host}.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<{recipient}>: host {remote} said: {diagnostic}

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; {host}
{arrival}
Final-Recipient: rfc822; {recipient}
{original}Action: {action}
Status: {status}
{remote_mta}Diagnostic-Code: smtp; {diagnostic}

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{returned}
--{boundary}--
""".encode()


def main(argv: Sequence[str] | None = None) -> int:
    """Write the demo's mail for BOOK's journal into MAILDIR; print one line per message
    (the client it is about, the sender, the subject)."""
    parser = argparse.ArgumentParser(prog="python -m sheets_sync.model.sample_mail", description=__doc__)
    parser.add_argument("book")
    parser.add_argument("maildir", type=Path)
    parser.add_argument("--today", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--outbox", type=Path, default=None, help="the outbox folder of the sync (drafts)")
    args = parser.parse_args(argv)
    backend = open_source(args.book, config=load_config(None, args.book))
    with Journal(backend.state_dir()) as journal:
        messages = sample_mail(journal.entries(), args.today, args.outbox)
    for sample, path in zip(messages, write_sample_mail(messages, args.maildir, args.today), strict=True):
        parsed = email.message_from_bytes(path.read_bytes())
        print(f"  {sample.client_id}: {parsed['From']}: {parsed['Subject']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
