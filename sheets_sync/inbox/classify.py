"""What kind of message came in: a person's reply, an automatic reply, a bounce, or an
unsubscribe.

Automatic replies are recognised by their headers (RFC 3834 ``Auto-Submitted``,
``X-Autoreply``, ``X-Autorespond``, ``Precedence: auto_reply|bulk|junk``) and by the usual
out-of-office subjects in English, German, French, Spanish, Italian, Dutch and Portuguese;
when the text says when the person is back, that day is read too (``back_date``).

Bounces: RFC 3464 delivery status notifications and the common non-standard formats
(Postfix, Exchange, Gmail, qmail...) are found by flufl.bounce (GNU Mailman's detectors);
the status and diagnostic shown in the Email Status cell are read from the report when it
has one, else from the text. A 4.x.x failure is a soft bounce.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email.message import Message

from sheets_sync.inbox.parse import Parsed, header_text, new_text

REPLY, AUTO_REPLY, BOUNCE, UNSUBSCRIBE = "reply", "auto_reply", "bounce", "unsubscribe"

_OOO_SUBJECT = re.compile(
    r"\b(?:auto(?:matic|matische|matique|matica|mático|mática|matisch)?[- ]?(?:reply|response|antwort|réponse"
    r"|respuesta|risposta|antwoord|resposta)|out of (?:the )?office|away from (?:the )?office|on vacation|on leave"
    r"|abwesenheit(?:snotiz)?|nicht im büro|außer haus|ausser haus|urlaub"
    r"|absent(?:e|ee)?\b|absence|réponse automatique|message d'absence|en congés?"
    r"|fuera de la oficina|respuesta automática|ausente|de vacaciones"
    r"|fuori (?:sede|ufficio)|risposta automatica|assente|in ferie"
    r"|afwezig(?:heid)?|automatisch antwoord|niet op kantoor|met vakantie"
    r"|fora do escritório|resposta automática|ausência|de férias)\b", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|delivery (?:has )?failed|failure notice|returned mail"
    r"|mail delivery (?:failed|system)|non remis|unzustellbar|nicht zustellbar|no se puede entregar"
    r"|non recapitabile|onbestelbaar|não entregue", re.I)
_DAEMON = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)
_UNSUBSCRIBE = re.compile(
    r"\b(?:unsubscribe|remove me|take me off|opt[- ]?out|stop (?:emailing|mailing|sending)"
    r"|abmelden|austragen|désabonner|désinscri\w*|darme de baja|dar de baja|cancella(?:re)? iscrizione"
    r"|afmelden|uitschrijven|descadastrar|cancelar inscrição)\b", re.I)
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_REPLY = re.compile(r"\b([45]\d\d)[ -]([245]\.\d{1,3}\.\d{1,3})?\s*([^\r\n]{0,120})")

MONTHS = {
    # English, German, French, Spanish, Italian, Dutch, Portuguese (and short forms)
    1: "january jan januar janvier janv enero ene gennaio gen januari janeiro",
    2: "february feb februar février fevrier févr febrero febbraio februari fevereiro fev",
    3: "march mar märz maerz mars marzo maart março marco",
    4: "april apr avril abril aprile",
    5: "may mai mayo maggio mei maio",
    6: "june jun juni juin junio giugno junho",
    7: "july jul juli juillet julio luglio julho",
    8: "august aug août aout agosto augustus ago",
    9: "september sep sept septembre septiembre settembre setembro set",
    10: "october oct oktober octobre octubre ottobre okt outubro out",
    11: "november nov novembre noviembre novembre novembro",
    12: "december dec dezember décembre decembre diciembre dic dicembre dez dezembro",
}
_MONTH = {name: number for number, names in MONTHS.items() for name in names.split()}
_MONTH_NAMES = "|".join(sorted(map(re.escape, _MONTH), key=len, reverse=True))
_BACK_WORDS = (r"back|return(?:ing)?|returns|until|till|through|zurück|wieder|ab dem|ab|bis|retour|jusqu'au|jusqu’au"
               r"|à partir du|vuelta|regreso|hasta|ritorno|rientro|fino al|dal|terug|tot en met|tot|volta|retorno|até")
_DAY_MONTH = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+)?({_MONTH_NAMES})\.?(?:\s+(?:de\s+)?(\d{{4}}))?", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?", re.I)
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,4})[./-](\d{1,2})(?:[./-](\d{2,4}))?(?![\d])")
_AFTER_WORD = re.compile(rf"\b(?:{_BACK_WORDS})\b", re.I)


@dataclass
class Classified:
    """What a message is, with what the kind needs."""

    kind: str  # reply | auto_reply | bounce | unsubscribe
    back: dt.date | None = None  # auto_reply: the day the person said they are back
    failed: list[str] = field(default_factory=list)  # bounce: the addresses that failed
    soft: bool = False  # bounce: only temporary (4.x.x) failures
    detail: str = ""  # bounce: "550 5.1.1 user unknown"


def classify(message: Parsed) -> Classified:
    """The kind of ``message`` (see the module's docstring for the order of the checks)."""
    bounce = _bounce(message)
    if bounce is not None:
        return bounce
    if is_automatic(message.message, message.subject):
        return Classified(AUTO_REPLY, back=back_date(f"{message.subject}\n{message.text}", message.date))
    if is_unsubscribe(message.subject, new_text(message.text)):
        return Classified(UNSUBSCRIBE)
    return Classified(REPLY)


def is_automatic(message: Message, subject: str) -> bool:
    """True for an automatic reply, by its headers or an out-of-office subject."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return True
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return True
    if str(message.get("Precedence", "")).strip().lower() in ("auto_reply", "bulk", "junk"):
        return True
    if str(message.get("X-Auto-Response-Suppress", "")).strip() and _OOO_SUBJECT.search(subject):
        return True
    return bool(_OOO_SUBJECT.search(subject))


def is_unsubscribe(subject: str, text: str) -> bool:
    """True when the person asks to get no more email: the List-Unsubscribe mail (subject
    'unsubscribe'), or a short reply saying unsubscribe / stop / remove me."""
    bare = re.sub(r"^\s*(?:re|aw|sv|antw|rif|r)\s*:\s*", "", subject, flags=re.I).strip().lower()
    if bare in ("unsubscribe", "stop", "remove", "remove me", "opt out", "opt-out"):
        return True
    first = " ".join(text.split())
    if len(first) > 300:
        return False
    return bool(_UNSUBSCRIBE.search(first)) or first.strip(" .!").lower() == "stop"


def _bounce(message: Parsed) -> Classified | None:
    msg = message.message
    looks = (msg.get_content_type() == "multipart/report" or bool(_DAEMON.match(message.sender))
             or bool(_BOUNCE_SUBJECT.search(message.subject)))
    if not looks:
        return None
    # imported here: only a run that reads a bounce loads the detectors (start-up time)
    from flufl.bounce import all_failures

    try:
        temporary, permanent = all_failures(msg)
    except Exception:  # a detector choking on odd MIME: fall back on the report alone
        temporary, permanent = frozenset(), frozenset()
    failed = [_address(a) for a in permanent] + [_address(a) for a in temporary if a not in permanent]
    status, diagnostic = _report(msg)
    text = message.text
    if not status:
        found = _SMTP_REPLY.search(text) or _STATUS.search(text)
        if found is not None and found.re is _SMTP_REPLY:
            status = found[2] or ""
            diagnostic = diagnostic or " ".join(x for x in (found[1], found[2], found[3]) if x)
        elif found is not None:
            status = found[0]
    if not failed and not status:
        return None
    if not diagnostic and failed:  # qmail and other plain-text bounces: the line after "<address>:"
        after = re.search(rf"<?{re.escape(failed[0])}>?:\s*\n\s*([^\n]{{3,160}})", text.replace("\r\n", "\n"), re.I)
        if after is not None:
            diagnostic = after[1]
    soft = (status.startswith("4") or (not permanent and bool(temporary))) and not status.startswith("5")
    detail = " ".join((diagnostic or status or "delivery failed").split())[:160]
    return Classified(BOUNCE, failed=[a for a in failed if a], soft=soft, detail=detail)


def _address(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return text.strip().strip("<>").lower()


def _report(message: Message) -> tuple[str, str]:
    """(Status, Diagnostic-Code) of the first failed recipient in an RFC 3464 report."""
    for part in message.walk():
        if part.get_content_type() not in ("message/delivery-status", "message/global-delivery-status"):
            continue
        blocks = part.get_payload()
        fields = [b for b in blocks if isinstance(b, Message)] if isinstance(blocks, list) else []
        for block in fields[1:] or fields:
            status = str(block.get("Status", "")).strip()
            if status and not status.startswith("2"):
                code = header_text(block.get("Diagnostic-Code", ""))
                code = code.split(";", 1)[1] if ";" in code else code
                return status, " ".join(code.split())
    return "", ""


def back_date(text: str, sent: dt.date | None) -> dt.date | None:
    """The day an automatic reply says the person is back ('back on 12 January', 'de retour
    le 12 janvier', 'bis 12.01.2027', 'until January 12'), or None. A date without a year is
    the next one on or after the reply; numeric dates are read day first."""
    sent = sent or dt.date.today()
    text = " ".join(text.split())[:2000]
    for word in _AFTER_WORD.finditer(text):
        window = text[word.end(): word.end() + 60]
        found = _first_date(window, sent)
        if found is not None:
            return found
    return None


def _first_date(window: str, sent: dt.date) -> dt.date | None:
    candidates: list[tuple[int, dt.date]] = []
    for m in _DAY_MONTH.finditer(window):
        day = _make(m[3], _MONTH[m[2].lower()], int(m[1]), sent)
        if day:
            candidates.append((m.start(), day))
    for m in _MONTH_DAY.finditer(window):
        day = _make(m[3], _MONTH[m[1].lower()], int(m[2]), sent)
        if day:
            candidates.append((m.start(), day))
    for m in _NUMERIC.finditer(window):
        a, b, c = m[1], m[2], m[3]
        if len(a) == 4:  # 2027-01-12
            day = _make(a, int(b), int(c), sent) if c else None
        elif int(b) > 12 and int(a) <= 12:  # 01/12 with the day second cannot be day first: 1/13
            day = _make(c, int(a), int(b), sent)
        else:
            day = _make(c, int(b), int(a), sent)
        if day:
            candidates.append((m.start(), day))
    return min(candidates, key=lambda pair: pair[0])[1] if candidates else None


def _make(year: str | None, month: int, day: int, sent: dt.date) -> dt.date | None:
    try:
        if year:
            y = int(year)
            y = y + 2000 if y < 100 else y
            found = dt.date(y, month, day)
        else:
            found = dt.date(sent.year, month, day)
            if found < sent - dt.timedelta(days=7):
                found = dt.date(sent.year + 1, month, day)
    except ValueError:
        return None
    if found < sent - dt.timedelta(days=7) or found > sent + dt.timedelta(days=366):
        return None
    return found
