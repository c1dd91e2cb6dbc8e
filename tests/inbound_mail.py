"""Messages as they arrive in a mailbox, built by hand in the shapes real mail programs and
mail servers give them: a person's reply (quoting ours), out-of-office replies in seven
languages (RFC 3834 headers, or only the subject), and bounces as Postfix, Exchange, Gmail
and qmail write them."""

from __future__ import annotations

import datetime as dt
import itertools
from email.utils import format_datetime

from sheets_sync.model.sample_mail import UNKNOWN_USER
from sheets_sync.model.sample_mail import postfix_bounce as sample_postfix_bounce

OFFICE = "office@harbor.example"
_N = itertools.count(1)


def _date(day: dt.date) -> str:
    return format_datetime(dt.datetime(day.year, day.month, day.day, 15, 4, 5, tzinfo=dt.UTC))


def _id(domain: str = "example.com") -> str:
    return f"<in{next(_N)}.{id(_N)}@{domain}>"


def reply(sender: str, subject: str, text: str, day: dt.date, *, answers: str = "", quoted: str = "",
          message_id: str = "", html: bool = False) -> bytes:
    """A person's reply: In-Reply-To/References our Message-ID, our text quoted below theirs."""
    message_id = message_id or _id(sender.rpartition("@")[2])
    headers = [f"From: {sender}", f"To: {OFFICE}", f"Subject: {subject}", f"Date: {_date(day)}",
               f"Message-ID: {message_id}"]
    if answers:
        headers += [f"In-Reply-To: {answers}", f"References: {answers}"]
    body = text
    if quoted:
        body += f"\n\nOn Mon, 23 Nov 2026 at 09:00, Harbor Insurance <{OFFICE}> wrote:\n" + "".join(
            f"> {line}\n" for line in quoted.splitlines())
    if html:
        headers += ["MIME-Version: 1.0", 'Content-Type: text/html; charset="utf-8"',
                    "Content-Transfer-Encoding: 8bit"]
        body = f"<html><body><p>{text}</p><blockquote>{quoted}</blockquote></body></html>"
    else:
        headers += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"',
                    "Content-Transfer-Encoding: 8bit"]
    return ("\n".join(headers) + "\n\n" + body + "\n").encode("utf-8")


OUT_OF_OFFICE = {
    # language: (subject, text saying when the person is back, with {day} a date in that language's form)
    "en": ("Out of Office: {subject}", "Thank you for your email. I am out of the office and back on {day}."),
    "de": ("Abwesenheitsnotiz: {subject}", "Vielen Dank für Ihre Nachricht. Ich bin ab dem {day} wieder im Büro."),
    "fr": ("Réponse automatique : {subject}", "Je suis absente du bureau, de retour le {day}."),
    "es": ("Respuesta automática: {subject}", "Estoy fuera de la oficina, de vuelta el {day}."),
    "it": ("Risposta automatica: {subject}", "Sono fuori ufficio, di ritorno il {day}."),
    "nl": ("Automatisch antwoord: {subject}", "Ik ben afwezig en terug op {day}."),
    "pt": ("Resposta automática: {subject}", "Estou fora do escritório, de volta em {day}."),
}
MONTH_WORD = {"en": "December", "de": None, "fr": "décembre", "es": "diciembre", "it": "dicembre",
              "nl": "december", "pt": "dezembro"}


def back_text(lang: str, back: dt.date) -> str:
    """The date as that language's auto-replies write it."""
    if lang == "de":
        return back.strftime("%d.%m.%Y")
    if lang == "en":
        return f"{back.day} {MONTH_WORD['en']} {back.year}"
    joiner = " de " if lang in ("es", "pt") else " "
    return f"{back.day}{joiner}{MONTH_WORD[lang]}{joiner if lang in ('es', 'pt') else ' '}{back.year}".replace("  ", " ")


def auto_reply(sender: str, subject: str, day: dt.date, back: dt.date | None, *, lang: str = "en", answers: str = "",
               headers: str = "rfc3834") -> bytes:
    """An out-of-office reply. ``headers``: 'rfc3834' (Auto-Submitted: auto-replied, as
    Exchange, Gmail and Dovecot's vacation do), 'x-autoreply' (older responders), or
    'subject' (nothing but the subject says it)."""
    subject_form, text_form = OUT_OF_OFFICE[lang]
    text = text_form.format(day=back_text(lang, back)) if back else "I am out of the office with limited access to email."
    lines = [f"From: {sender}", f"To: {OFFICE}", f"Subject: {subject_form.format(subject=subject)}",
             f"Date: {_date(day)}", f"Message-ID: {_id()}", "MIME-Version: 1.0",
             'Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: 8bit"]
    if answers:
        lines += [f"In-Reply-To: {answers}", f"References: {answers}"]
    if headers == "rfc3834":
        lines += ["Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"]
    elif headers == "x-autoreply":
        lines += ["X-Autoreply: yes", "Precedence: auto_reply"]
    from email.header import Header

    lines[2] = "Subject: " + Header(subject_form.format(subject=subject), "utf-8").encode()
    return ("\n".join(lines) + "\n\n" + text + "\n").encode("utf-8")


def _original_headers(recipient: str, original_id: str, subject: str) -> str:
    return (f"From: Harbor Insurance <{OFFICE}>\nTo: {recipient}\nSubject: {subject}\n"
            f"Message-ID: {original_id}\nDate: Mon, 23 Nov 2026 09:00:00 +0000\n")


def postfix_bounce(recipient: str, original_id: str, day: dt.date, *, status: str = "5.1.1",
                   diagnostic: str = UNKNOWN_USER) -> bytes:
    """Postfix's RFC 3464 delivery status notification (multipart/report), as the demo's
    mailbox has it (sheets_sync.model.sample_mail), with Postfix's queue fields."""
    return sample_postfix_bounce(recipient, _original_headers(recipient, original_id, "Your payment"),
                                 dt.datetime(day.year, day.month, day.day, 15, 4, 5, tzinfo=dt.UTC), OFFICE,
                                 status=status, diagnostic=diagnostic, message_id=_id("mail.harbor.example"),
                                 remote="mx.example.com[203.0.113.5]", queue_id="B7C2B1A0",
                                 arrived="Mon, 23 Nov 2026 09:00:00 +0000")


def exchange_bounce(recipient: str, original_id: str, day: dt.date) -> bytes:
    """Exchange Online's NDR: HTML and text, then the DSN and the original's headers."""
    boundary = "_000_NDR_harbor_"
    return f"""From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@harbor.example>
To: {OFFICE}
Date: {_date(day)}
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"
Content-Language: en-US
Message-ID: {_id('harbor.example')}
In-Reply-To: {original_id}
References: {original_id}
Subject: Undeliverable: Your payment
Auto-Submitted: auto-replied
X-MS-Exchange-Message-Is-Ndr:
MIME-Version: 1.0

--{boundary}
Content-Type: text/plain; charset="us-ascii"

Your message to {recipient} couldn't be delivered.
{recipient.split('@')[0]} wasn't found at {recipient.split('@')[1]}.

Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;AM0PR01MB5678.eurprd01.prod.exchangelabs.com
Arrival-Date: Mon, 23 Nov 2026 09:00:00 +0000

Final-Recipient: rfc822;{recipient}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--{boundary}
Content-Type: message/rfc822

{_original_headers(recipient, original_id, "Your payment")}
(body)

--{boundary}--
""".encode("ascii")


def gmail_bounce(recipient: str, original_id: str, day: dt.date) -> bytes:
    """Gmail's 'Delivery Status Notification (Failure)'."""
    boundary = "000000000000gmailbounce"
    return f"""From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {OFFICE}
Date: {_date(day)}
Message-ID: {_id('mx.google.com')}
Subject: Delivery Status Notification (Failure)
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; boundary="{boundary}"; report-type=delivery-status
References: {original_id}
In-Reply-To: {original_id}

--{boundary}
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to {recipient} because the address couldn't be found, or is unable to receive mail.

The response from the remote server was:
550 5.1.1 The email account that you tried to reach does not exist.

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Arrival-Date: Mon, 23 Nov 2026 01:00:00 -0800 (PST)

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.com. (203.0.113.9, the server for the domain example.com.)
Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.
Last-Attempt-Date: Mon, 23 Nov 2026 01:00:01 -0800 (PST)

--{boundary}
Content-Type: message/rfc822

{_original_headers(recipient, original_id, "Your payment")}
(body)

--{boundary}--
""".encode("ascii")


def qmail_bounce(recipient: str, original_id: str, day: dt.date) -> bytes:
    """qmail's plain-text bounce (no DSN): the failed address in <...>: then the reason."""
    return f"""From: MAILER-DAEMON@mx.example.com
To: {OFFICE}
Subject: failure notice
Date: {_date(day)}
Message-ID: {_id('mx.example.com')}

Hi. This is the qmail-send program at mx.example.com.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<{recipient}>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <{OFFICE}>
{_original_headers(recipient, original_id, "Your payment")}
(body)
""".encode("ascii")
