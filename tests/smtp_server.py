"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, plain, STARTTLS or SSL (with a
throwaway trustme certificate), optionally with AUTH, and with faults injected on request.

Faults are counters: ``server.faults.data_451 = 2`` answers 451 to the next two messages.
Everything the server accepted is in ``server.received``; ``server.sessions`` counts the SMTP
sessions (connections that said EHLO/HELO).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, Session

from sheets_sync.mail.config import MailSettings

USER, PASSWORD = "office@harbor.example", "app-password-123"
SENDER = "Harbor Insurance <office@harbor.example>"


@dataclass
class Received:
    """One message the server accepted."""

    session: int
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    def parsed(self) -> EmailMessage:
        """The message, parsed by the ``email`` package."""
        wire = self.content.replace(b"\r\n", b"\n")  # SMTP line ends; the parser wants \n
        return email.message_from_bytes(wire, policy=email.policy.default)  # type: ignore[return-value]

    @property
    def key(self) -> str:
        """The sheets-sync key header."""
        return str(self.parsed()["X-Sheets-Sync-Key"])


@dataclass
class Faults:
    """What to do wrong, and how many more times."""

    mail_421: int = 0  # answer "421 closing" to MAIL FROM
    mail_553: int = 0  # answer "553 sender not allowed" to MAIL FROM
    data_451: int = 0  # answer "451 try later" after the message
    data_554: int = 0  # answer "554 rejected" after the message
    drop_at_data: int = 0  # close the connection on DATA, before the message is sent
    drop_after_data: int = 0  # read the whole message, keep it, close without answering
    stall_data: float = 0.0  # keep each message, then wait this long before answering
    stalled: threading.Event = field(default_factory=threading.Event)  # set when a stall begins
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, name: str) -> bool:
        """True (and one fewer left) when fault ``name`` is still due."""
        with self.lock:
            left = getattr(self, name)
            if left > 0:
                setattr(self, name, left - 1)
                return True
            return False


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_EHLO(self, server: SMTP, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname  # a hook that replaces the default must do this itself
        self.server._greeted(server)
        return responses

    async def handle_HELO(self, server: SMTP, session: Any, envelope: Any, hostname: str) -> str:
        session.host_name = hostname
        self.server._greeted(server)
        return "250 127.0.0.1"

    async def handle_MAIL(self, server: SMTP, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if self.server.faults.take("mail_421"):
            return "421 4.3.2 Service shutting down, try later"
        if self.server.faults.take("mail_553"):
            return "553 5.7.1 Sender address rejected: not owned by user"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.server.faults.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        faults = self.server.faults
        if faults.take("data_451"):
            return "451 4.3.0 Temporary failure, try again"
        if faults.take("data_554"):
            return "554 5.7.1 Message rejected as spam"
        record = Received(self.server._session_of(server), envelope.mail_from, list(envelope.rcpt_tos),
                          bytes(envelope.original_content or envelope.content))
        with self.server._lock:
            self.server.received.append(record)
        if faults.stall_data:  # the message is queued here; the client waits for our answer
            faults.stalled.set()
            await asyncio.sleep(faults.stall_data)
        if faults.take("drop_after_data"):
            server.transport.close()
        return "250 2.0.0 OK: queued"


class _Session(Session):
    login_data = None  # aiosmtpd sets this deprecated property itself on every login


class _FaultySMTP(SMTP):
    def _create_session(self) -> Session:
        return _Session(self.loop)

    async def smtp_DATA(self, arg: str) -> None:
        if self.event_handler.server.faults.take("drop_at_data"):
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _FaultySMTP(self.handler, **self.SMTP_kwargs)


def free_port() -> int:
    """A TCP port nobody listens on (right now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    """A running test server. ``security``: none, starttls or ssl; ``auth``: require a login.
    A subclass may answer more (``handler_class``: its own hooks, e.g. an AUTH mechanism)."""

    handler_class: type[_Handler] = _Handler

    def __init__(self, folder: Path, *, security: str = "none", auth: bool = False) -> None:
        self.security = security
        self.auth = auth
        self.faults = Faults()
        self.received: list[Received] = []
        self.logins: list[str] = []
        self._lock = threading.Lock()
        self._sessions: dict[int, int] = {}
        self._servers: list[SMTP] = []
        self.port = free_port()
        self.ca_file = ""
        kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": self.port}
        if security != "none":
            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(context)
            self.ca_file = str(folder / "test-ca.pem")
            ca.cert_pem.write_to_path(self.ca_file)
            kwargs["ssl_context" if security == "ssl" else "tls_context"] = context
        if auth:
            # aiosmtpd only counts STARTTLS as TLS, and warns when AUTH is required without it.
            kwargs.update(authenticator=self._authenticate, auth_required=security == "starttls",
                          auth_require_tls=security == "starttls")
        self.controller = _Controller(self.handler_class(self), **kwargs)
        self.controller.start()

    def _authenticate(self, server: SMTP, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
              and auth_data.password.decode() == PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    def _greeted(self, server: SMTP) -> None:
        with self._lock:
            if id(server) not in self._sessions:
                self._servers.append(server)  # keeps id() unique while we count
                self._sessions[id(server)] = len(self._sessions) + 1

    def _session_of(self, server: SMTP) -> int:
        return self._sessions.get(id(server), 0)

    @property
    def sessions(self) -> int:
        """SMTP sessions opened so far (EHLO/HELO seen)."""
        return len(self._sessions)

    def settings(self, **changes: Any) -> MailSettings:
        """MailSettings pointing at this server."""
        values: dict[str, Any] = {
            "host": "127.0.0.1", "port": self.port, "security": self.security, "sender": SENDER,
            "user": USER if self.auth else "", "password": PASSWORD if self.auth else "",
            "ca_file": self.ca_file, "timeout": 5.0,
        }
        values.update(changes)
        return MailSettings(**values)

    def env(self) -> dict[str, str]:
        """Environment variables that point sheets-sync at this server."""
        values = {
            "SHEETS_SYNC_SMTP_HOST": "127.0.0.1", "SHEETS_SYNC_SMTP_PORT": str(self.port),
            "SHEETS_SYNC_SMTP_SECURITY": self.security, "SHEETS_SYNC_FROM": SENDER,
            "SHEETS_SYNC_SMTP_TIMEOUT": "5",
        }
        if self.ca_file:
            values["SHEETS_SYNC_SMTP_CA_FILE"] = self.ca_file
        if self.auth:
            values.update(SHEETS_SYNC_SMTP_USER=USER, SHEETS_SYNC_SMTP_PASSWORD=PASSWORD)
        return values

    def keys(self) -> Counter[str]:
        """How many times each sheets-sync key arrived."""
        return Counter(r.key for r in self.received)

    def stop(self) -> None:
        """Stop the server and close its sockets."""
        self.controller.stop()


def down_settings() -> MailSettings:
    """Settings for a server that is not there."""
    return MailSettings(host="127.0.0.1", port=free_port(), security="none", sender=SENDER, timeout=2.0)
