"""Sending for real: ``SmtpMailer`` delivers messages over one SMTP session per run.

yagmail opens the session (SSL, STARTTLS with certificate checks, login) and we keep it open:
``yagmail.SMTP.send`` would log in again for every message, would resend after a dropped
connection (a possible duplicate), would turn a body that names an existing file into an
attachment, and rewrites HTML. So the message's bytes are built by ``mime.email_bytes`` (the
same bytes the outbox writes, with CRLF line ends) and handed to the connection yagmail
opened.

Every send is journaled (``journal.Journal``) before the SMTP transaction starts, so no key
goes out twice even when a run is killed. For the kill tests, ``SHEETS_SYNC_TEST_PAUSE=STAGE``
makes the sender stop at that stage (before-journal, before-transaction, after-transaction,
delivered) and wait to be killed; it does nothing otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import select
import smtplib
import socket
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import yagmail

from sheets_sync.errors import BadAddress, MailError, SignInError
from sheets_sync.mail.answers import login_refused_line, smtp_auth_off
from sheets_sync.mail.config import MailSettings
from sheets_sync.mail.journal import Journal
from sheets_sync.mail.message import Delivery, Message
from sheets_sync.mail.mime import clean_header, email_bytes
from sheets_sync.model.addresses import check_address
from sheets_sync.signin.redact import hide
from sheets_sync.signin.settings import OAuthSettings
from sheets_sync.signin.tokens import TokenSource, token_source, xoauth2

RETRIES = 3  # transient failures retried this many times per message, then deferred
BACKOFF_SECONDS = 2.0  # first pause; doubled each retry
PAUSE_ENV = "SHEETS_SYNC_TEST_PAUSE"  # test hook: stop at a named stage so a test can kill us
STAGES = ("before-journal", "before-transaction", "after-transaction", "delivered")

UNREACHABLE = ("cannot reach the mail server {where} ({origin}): {why}; check the host, port and "
               "security there (Gmail: smtp.gmail.com, 587 starttls or 465 ssl)")
SENDER_REFUSED = ("the mail server {where} refused mail from {sender} ({why}): check SHEETS_SYNC_FROM, "
                  "and SHEETS_SYNC_SMTP_USER if the server needs a login")
CAP_REACHED = "daily email cap ({cap}) reached; it goes out at the next run"
TIME_LIMIT = ("send time limit ({limit:g} s, SHEETS_SYNC_SMTP_SEND_TIME_LIMIT) reached; it goes out "
              "at the next run")
NEXT_RUN = "; it will be tried again at the next run"
UNKNOWN_DETAIL = ("the connection dropped after the whole message was handed over and before the "
                  "server answered: it may have been delivered, so it is not sent again")


def pause_for_tests(stage: str) -> None:
    """Test hook: when ``$SHEETS_SYNC_TEST_PAUSE`` names ``stage``, say so on stderr and wait
    (up to a minute) to be killed. Does nothing otherwise."""
    if os.environ.get(PAUSE_ENV) != stage:
        return
    sys.stderr.write(f"PAUSED {stage}\n")
    sys.stderr.flush()
    time.sleep(60)


class _Watched:
    """Notes whether the message's final ``.<CRLF>`` reached the socket, so that a dropped
    connection can be told apart: before it, the server cannot have accepted the message
    (safe to retry); after it, the outcome is unknown.

    The message goes out as two writes, the text and then the final dot, and between them
    the socket is looked at (without waiting): a server that has already closed the
    connection, or spoken in the middle of DATA, is not waiting for our dot, so the dot is
    not sent and the message is retried. A local write succeeding says nothing about the
    server having read it (the kernel buffers it), hence the look."""

    payload_sent = False
    sock: Any

    def send(self, s: Any) -> None:
        if not (isinstance(s, bytes) and s.endswith(b"\r\n.\r\n")):
            super().send(s)  # type: ignore[misc]
            return
        # Without TCP_NODELAY the small second write would wait for the server's delayed ACK.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().send(s[:-3])  # type: ignore[misc]
        if _peer_gone(self.sock):
            raise _BeforeDot("the server closed the connection before the end of the message (so it was not accepted)")
        super().send(s[-3:])  # type: ignore[misc]
        self.payload_sent = True


class _BeforeDot(smtplib.SMTPServerDisconnected):
    """The connection was gone before the final dot: the server cannot have the message."""


def _peer_gone(sock: Any) -> bool:
    """True when the server has closed the connection, reset it or sent something (it should
    be silent during DATA). Looks without waiting."""
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    if not readable:
        return False
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        sock.recv(1)  # data, or b"" at the end: either way the server is not waiting for us
        return True
    except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
        return False  # e.g. a TLS session ticket, no data
    except OSError:
        return True
    finally:
        sock.settimeout(timeout)


class _WatchedSMTP(_Watched, smtplib.SMTP):
    pass


class _WatchedSMTPSSL(_Watched, smtplib.SMTP_SSL):
    pass


class _Yag(yagmail.SMTP):
    """yagmail's client with a watched connection class."""

    @property
    def connection(self) -> type[smtplib.SMTP]:
        return _WatchedSMTPSSL if self.ssl else _WatchedSMTP


def tls_context(settings: MailSettings) -> ssl.SSLContext:
    """A context that checks the server's certificate (smtplib's own default does not)."""
    return ssl.create_default_context(cafile=settings.ca_file or None)


class _Transient(Exception):
    """A failure worth retrying (4xx answer, connection lost before the message was complete)."""


class _Permanent(Exception):
    """A failure that retrying will not fix (5xx answer, refused recipient)."""


class _Unknown(Exception):
    """The server may or may not have the message."""


class _SenderRefused(Exception):
    """The server will not take mail from our sender address (or without a login)."""


class SmtpMailer:
    """Delivers messages over one SMTP session, at most once each (with a journal), most
    urgent first within the daily cap. Unreachable server or refused login: MailError."""

    def __init__(self, settings: MailSettings, *, journal: Journal | None = None,
                 daily_cap: int | None = None, retries: int = RETRIES,
                 backoff: float = BACKOFF_SECONDS, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.journal = journal
        self.daily_cap = daily_cap
        self.today: dt.date | None = None
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.clock = clock
        self.deadline = float("inf")  # set by deliver: the end of this run's sending phase
        self.description = f"mail server {settings.describe()}"
        self.sessions = 0  # SMTP sessions opened (one per run unless the server drops us)
        self._yag: _Yag | None = None
        self._tokens: TokenSource | None = None  # OAuth 2.0 only: made at the first sign-in
        self._token = ""  # the last access token sent, kept out of the server's answers we show
        self._renew = False  # the server refused the last token: ask for a new one

    def __repr__(self) -> str:
        return f"SmtpMailer({self.settings!r})"

    def prepare_run(self, journal: Journal | None, daily_cap: int | None, today: dt.date | None = None) -> None:
        """Attach this run's journal and the ``daily_email_cap`` from the Settings sheet."""
        self.journal, self.daily_cap, self.today = journal, daily_cap, today

    # -- the session ---------------------------------------------------------------------
    def _open(self) -> None:
        s = self.settings
        kwargs: dict[str, Any] = {"timeout": s.timeout}
        if s.security == "ssl":
            kwargs["context"] = tls_context(s)
        starttls: bool | dict[str, Any] = {"context": tls_context(s)} if s.security == "starttls" else False
        # A dict user keeps yagmail from appending "@gmail.com" to a login without "@".
        user = s.user or s.sender_address
        # With OAuth 2.0 yagmail only connects (TLS included); the XOAUTH2 sign-in follows.
        yag = _Yag(user={user: user}, password=s.password or None, host=s.host, port=s.port,
                   smtp_ssl=s.security == "ssl", smtp_starttls=starttls,
                   smtp_skip_login=not s.user or s.oauth2 is not None, soft_email_validation=False, **kwargs)
        yag.set_logging(None)
        where = f"{s.host}:{s.port}"
        try:
            yag.login()
            if s.oauth2 is not None:
                self._xoauth2(yag, s.oauth2)
        except smtplib.SMTPAuthenticationError as exc:
            _discard(yag)
            if s.oauth2 is not None and not self._renew and exc.smtp_code == 535 and not smtp_auth_off(_reply(exc)):
                self._renew = True  # a token that expired since it was cached: one new one, once
                self._open()
                return
            raise MailError(login_refused_line(s, self._said(exc))) from None
        except SignInError:
            _discard(yag)
            raise
        except smtplib.SMTPNotSupportedError:
            _discard(yag)
            raise MailError(UNREACHABLE.format(where=where, origin=self._origin(), why="the server does not offer STARTTLS or AUTH")) from None
        except ssl.SSLError as exc:
            _discard(yag)
            raise MailError(UNREACHABLE.format(where=where, origin=self._origin(), why=f"TLS failed: {exc.reason or exc}")) from None
        except smtplib.SMTPResponseException as exc:
            _discard(yag)
            raise _Transient(self._said(exc)) if 400 <= exc.smtp_code < 500 else MailError(
                UNREACHABLE.format(where=where, origin=self._origin(), why=self._said(exc))) from None
        except (OSError, smtplib.SMTPException) as exc:
            _discard(yag)
            raise _Transient(_os_reason(exc)) from None
        self._yag = yag
        self._renew = False
        self.sessions += 1

    def _xoauth2(self, yag: _Yag, oauth2: OAuthSettings) -> None:
        """``AUTH XOAUTH2`` on yagmail's connection (yagmail's own OAuth 2.0 login is for
        Gmail only and does not check the server's answer). smtplib encodes the response and
        raises SMTPAuthenticationError for a refusal; after a refusal's 334 challenge (the
        error details) it sends the empty response the mechanism asks for."""
        if self._tokens is None:
            self._tokens = token_source(oauth2)
        token = self._token = self._tokens.access_token(renew=self._renew)
        yag.smtp.ehlo_or_helo_if_needed()  # on an SSL session (port 465) nothing has said EHLO yet
        if not yag.smtp.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("no AUTH")

        def respond(challenge: bytes | None = None) -> str:
            return xoauth2(oauth2.user, token) if challenge is None else ""

        yag.smtp.auth("XOAUTH2", respond, initial_response_ok=True)

    def _said(self, exc: smtplib.SMTPResponseException) -> str:
        """The server's answer, without the password or token it may quote back."""
        return hide(_reply(exc), self.settings.password, self._token)

    def _origin(self) -> str:
        """Where the host and port came from (settings made in code say only that)."""
        return self.settings.origin or "host and port as given"

    def _alive(self) -> bool:
        conn = self._yag.smtp if self._yag else None
        return conn is not None and getattr(conn, "sock", None) is not None

    def _connect(self) -> None:
        """Open a session, retrying transient failures; MailError when it cannot be done."""
        why = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                self._open()
                return
            except _Transient as exc:
                why = str(exc)
        where = f"{self.settings.host}:{self.settings.port}"
        raise MailError(UNREACHABLE.format(where=where, origin=self._origin(), why=why))

    def close(self) -> None:
        """End the SMTP session (QUIT), if one is open."""
        if self._yag is not None:
            _discard(self._yag)
            self._yag = None

    # -- one message ---------------------------------------------------------------------
    def _transaction(self, sender: str, recipient: str, payload: bytes) -> None:
        assert self._yag is not None
        conn = self._yag.smtp
        conn.payload_sent = False
        try:
            conn.sendmail(sender, [recipient], payload)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            _raise_for(code, text)
        except smtplib.SMTPSenderRefused as exc:
            if self.settings.oauth2 is not None and exc.smtp_code in (530, 535) and not self._renew:
                self.close()  # the session's token expired: sign in again with a new one, once
                self._renew = True
                raise _Transient(f"the server asked to sign in again ({_reply(exc)})") from None
            if exc.smtp_code >= 500:  # our From or login, not this message: stop the run
                raise _SenderRefused(_reply(exc)) from None
            _raise_for(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPResponseException as exc:  # sender refused, data error, 421...
            _raise_for(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            if conn.payload_sent:
                raise _Unknown(UNKNOWN_DETAIL) from None
            raise _Transient(_os_reason(exc)) from None
        except smtplib.SMTPException as exc:  # e.g. the server lacks an extension we need
            raise _Permanent(f"not sent: {exc}") from None

    def _send_one(self, message: Message, recipient: str) -> Delivery:
        wire = email_bytes(dataclasses.replace(message, to=recipient), self.settings.sender,
                           self.settings.reply_to or message.headers.get("Reply-To", ""), linesep="\r\n")
        payload = wire.data
        sender = self.settings.sender_address
        if self.journal is not None:
            pause_for_tests("before-journal")
            self.journal.begin(message, wire.message_id, self.today)
            pause_for_tests("before-transaction")
        status, detail = "deferred", ""
        for attempt in range(self.retries + 1):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if self.clock() + pause >= self.deadline:  # no retry past the limit: next run
                    detail = f"{detail.removesuffix(NEXT_RUN)}; {self._time_limit()}"
                    break
                self.sleep(pause)
            try:
                if not self._alive():
                    self._open()
                self._transaction(sender, recipient, payload)
                status, detail = "sent", f"accepted by {self.settings.host}"
                break
            except _Transient as exc:
                status, detail = "deferred", f"{exc}{NEXT_RUN}"
            except _Permanent as exc:
                status, detail = "failed", str(exc)
                break
            except _Unknown as exc:
                status, detail = "unknown", str(exc)
                break
            except MailError as exc:  # reconnecting failed for good: keep it for the next run
                status, detail = "deferred", str(exc)
                break
            except _SenderRefused as exc:
                if self.journal is not None:
                    self.journal.finish(message.key, "deferred", str(exc))
                raise MailError(SENDER_REFUSED.format(where=f"{self.settings.host}:{self.settings.port}",
                                                      sender=sender, why=exc)) from None
        pause_for_tests("after-transaction")
        if self.journal is not None:
            self.journal.finish(message.key, status, detail)
        return Delivery(message.key, status, detail, dt.datetime.now(dt.UTC))  # type: ignore[arg-type]

    def _time_limit(self) -> str:
        return TIME_LIMIT.format(limit=self.settings.send_time_limit)

    # -- the batch -----------------------------------------------------------------------
    def deliver(self, messages: Sequence[Message]) -> list[Delivery]:
        """One Delivery per message, in order: sent, failed (bad address, 5xx), deferred (daily
        cap, the send time limit, the server kept answering 4xx or dropped the connection
        before the final dot), or unknown (connection lost after the final dot, before the
        server's answer). Each retry and each message after the first starts only before
        ``settings.send_time_limit`` has passed. Keys the journal says went out already are never sent again."""
        now = dt.datetime.now(dt.UTC)
        self.deadline = self.clock() + self.settings.send_time_limit
        results: dict[int, Delivery] = {}
        todo: list[tuple[int, Message, str]] = []
        for index, message in enumerate(messages):
            if self.journal is not None and not self.journal.may_send(message.key):
                entry = self.journal.get(message.key)
                status = "sent" if entry and entry.status == "sent" else "unknown"
                results[index] = Delivery(message.key, status, "already handed to the mail server; not sent again", now)  # type: ignore[arg-type]
                continue
            try:  # the reader's rule: an address it accepted is never refused here
                recipient = check_address(clean_header(message.to))
            except BadAddress as exc:
                results[index] = Delivery(message.key, "failed", str(exc), now)
                continue
            todo.append((index, message, recipient))
        room = len(todo)
        if self.daily_cap is not None:
            already = self.journal.sent_today(self.today) if self.journal is not None else 0
            room = max(0, self.daily_cap - already)
        todo.sort(key=lambda item: (item[1].urgency, item[0]))
        for index, message, _ in todo[room:]:
            results[index] = Delivery(message.key, "deferred", CAP_REACHED.format(cap=self.daily_cap), now)
        try:
            unreachable = ""
            for index, message, recipient in todo[:room]:
                if unreachable:
                    results[index] = Delivery(message.key, "deferred", unreachable, now)
                    continue
                if self.clock() >= self.deadline:
                    unreachable = self._time_limit()
                    results[index] = Delivery(message.key, "deferred", unreachable, now)
                    continue
                if self._yag is None and index == todo[0][0]:
                    self._connect()  # this run's session: MailError if the server is not there
                results[index] = self._send_one(message, recipient)
                if results[index].status == "deferred" and not self._alive():
                    unreachable = f"the mail server became unreachable ({results[index].detail})"
        finally:
            self.close()
        pause_for_tests("delivered")
        return [results[i] for i in range(len(messages))]


def _discard(yag: yagmail.SMTP) -> None:
    """QUIT if the connection still works, and close the socket in any case."""
    try:
        yag.close()
    except (OSError, smtplib.SMTPException):
        pass
    if yag.smtp is not None:
        yag.smtp.close()


def _raise_for(code: int, text: bytes | str) -> None:
    reason = f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}".strip()
    if 400 <= code < 500:
        raise _Transient(f"the server answered {reason}")
    raise _Permanent(f"the server refused it: {reason}")


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}".strip()


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, _BeforeDot):
        return str(exc)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


TEST_TEXT = """This is a test message from sheets-sync.

If you can read it, the mail setup works:
  server:   {server}
  sign-in:  {sign_in}
  sender:   {sender}
  reply to: {reply_to}

Nothing else was sent. Run "sheets-sync sync" to send the follow-ups that are due.
"""


def send_test_email(settings: MailSettings, to: str) -> Delivery:
    """Send one sample message to ``to`` over the configured server and say what happened.
    Raises MailError when the server cannot be reached or refuses the login."""
    now = dt.datetime.now(dt.UTC)
    text = TEST_TEXT.format(server=settings.describe(), sign_in=settings.sign_in(), sender=settings.sender,
                            reply_to=settings.reply_to or "(not set)")
    html = "<p>" + "<br>\n".join(_escape(line) for line in text.splitlines()) + "</p>"
    message = Message(key=f"test:{now:%Y%m%dT%H%M%S}", to=to, subject="sheets-sync test message",
                      text=text, html=html, kind="test", summary="test message")
    mailer = SmtpMailer(settings, retries=1, backoff=1.0)
    return mailer.deliver([message])[0]


def _escape(text: str) -> str:
    import html

    return html.escape(text)
