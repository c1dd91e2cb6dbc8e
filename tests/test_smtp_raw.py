"""SmtpMailer against raw socket SMTP servers that misbehave in ways aiosmtpd will not: a
connection dropped in the middle of DATA (before or after the final dot), and a greylisting
server that answers 451 to every recipient (the send time limit)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sheets_sync.mail.config import MailSettings
from sheets_sync.mail.journal import Journal
from sheets_sync.mail.message import Message
from sheets_sync.mail.smtp import SmtpMailer

SENDER = "Harbor Insurance <office@harbor.example>"


class RawServer:
    """A one-connection-at-a-time SMTP server on 127.0.0.1. ``behave(n)`` says what the n-th
    connection (from 1) does at DATA: "ok" (accept), "drop-before-dot" (answer 354 and close
    at once: the FIN rides with the 354, so the client knows before its dot), "drop-after-dot"
    (read the whole message, close without answering); ``rcpt`` is the answer to RCPT."""

    def __init__(self, behave: Callable[[int], str], rcpt: str = "250 OK") -> None:
        self.behave, self.rcpt = behave, rcpt
        self.connections = 0
        self.accepted: list[bytes] = []  # messages answered 250
        self.complete: list[bytes] = []  # messages whose final dot arrived
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def settings(self, **changes: object) -> MailSettings:
        values: dict[str, object] = {"host": "127.0.0.1", "port": self.port, "security": "none",
                                     "sender": SENDER, "timeout": 5.0}
        values.update(changes)
        return MailSettings(**values)  # type: ignore[arg-type]

    def _serve(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(10)
                try:
                    self._session(conn, self.behave(self.connections))
                except OSError:
                    pass

    def _session(self, conn: socket.socket, mode: str) -> None:
        lines = conn.makefile("rb")
        conn.sendall(b"220 raw.test ESMTP\r\n")
        while True:
            line = lines.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250 raw.test\r\n")
            elif verb == b"MAIL" or verb == b"RSET" or verb == b"NOOP":
                conn.sendall(b"250 OK\r\n")
            elif verb == b"RCPT":
                conn.sendall(self.rcpt.encode() + b"\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            elif verb == b"DATA":
                if mode == "drop-before-dot":
                    conn.send(b"354 go ahead\r\n", socket.MSG_MORE)
                    conn.shutdown(socket.SHUT_WR)  # the FIN in the same segment as the 354
                    return
                conn.sendall(b"354 go ahead\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = lines.readline()
                    if not chunk:
                        return
                    data += chunk
                self.complete.append(data)
                if mode == "drop-after-dot":
                    return
                self.accepted.append(data)
                conn.sendall(b"250 2.0.0 queued\r\n")
            else:
                conn.sendall(b"502 no\r\n")

    def keys(self) -> list[str]:
        """The X-Sheets-Sync-Key of each accepted message."""
        out = []
        for data in self.accepted:
            for line in data.split(b"\r\n"):
                if line.startswith(b"X-Sheets-Sync-Key: "):
                    out.append(line.split(b": ", 1)[1].decode())
        return out

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def raw() -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def _start(behave: Callable[[int], str], **kwargs: str) -> RawServer:
        servers.append(RawServer(behave, **kwargs))
        return servers[-1]

    yield _start
    for server in servers:
        server.stop()


def msg(n: int) -> Message:
    return Message(key=f"task:T-{n:04d}:reminder:1", to=f"client{n}@example.com", to_name=f"Client {n}",
                   subject=f"Reminder {n}", text=f"Dear Client {n},\n\nPlease pay.\n")


def test_a_drop_before_the_final_dot_is_retried_on_a_new_connection_and_sent_once(raw, tmp_path: Path):
    server = raw(lambda n: "drop-before-dot" if n == 1 else "ok")
    with Journal(tmp_path / "state") as journal:
        deliveries = SmtpMailer(server.settings(), journal=journal, backoff=0.01).deliver([msg(n) for n in (1, 2, 3)])
        assert [d.status for d in deliveries] == ["sent", "sent", "sent"], [d.detail for d in deliveries]
        assert {e.status for e in journal.entries()} == {"sent"}
    assert server.keys() == [msg(n).key for n in (1, 2, 3)]  # each once
    assert server.connections == 2  # one reconnect, then one session for the rest


def test_a_server_that_always_drops_before_the_dot_defers_after_bounded_retries(raw, tmp_path: Path):
    server = raw(lambda n: "drop-before-dot")
    pauses: list[float] = []
    with Journal(tmp_path / "state") as journal:
        sender = SmtpMailer(server.settings(), journal=journal, backoff=0.5, sleep=pauses.append)
        deliveries = sender.deliver([msg(n) for n in range(1, 6)])
        assert [d.status for d in deliveries] == ["deferred"] * 5  # never "unknown": nothing was accepted
        assert "closed the connection before the end of the message" in deliveries[0].detail
        assert "unreachable" in deliveries[1].detail
        assert all(journal.may_send(msg(n).key) for n in range(1, 6))  # the next run tries them
    assert pauses == [0.5, 1.0, 2.0]  # bounded, as for a 4xx answer
    assert server.connections == 4 and server.complete == []


def test_a_drop_after_the_final_dot_is_unknown_and_not_resent(raw, tmp_path: Path):
    server = raw(lambda n: "drop-after-dot" if n == 1 else "ok")
    with Journal(tmp_path / "state") as journal:
        deliveries = SmtpMailer(server.settings(), journal=journal, backoff=0.01).deliver([msg(1), msg(2)])
        assert [d.status for d in deliveries] == ["unknown", "sent"]
        assert "may have been delivered" in deliveries[0].detail
        assert not journal.may_send(msg(1).key)
    assert len(server.complete) == 2 and server.keys() == [msg(2).key]


def test_a_greylisting_server_is_bounded_by_the_send_time_limit(raw, tmp_path: Path):
    server = raw(lambda n: "ok", rcpt="451 4.7.1 Greylisted, try again later")
    limit = 1.0
    started = time.monotonic()
    with Journal(tmp_path / "state") as journal:
        sender = SmtpMailer(server.settings(send_time_limit=limit), journal=journal, backoff=0.3)
        deliveries = sender.deliver([msg(n) for n in range(1, 11)])
        elapsed = time.monotonic() - started
        assert [d.status for d in deliveries] == ["deferred"] * 10
        assert "451" in deliveries[0].detail and "send time limit (1 s" in deliveries[0].detail
        assert all("send time limit (1 s" in d.detail for d in deliveries[1:]), [d.detail for d in deliveries]
        assert all(journal.may_send(msg(n).key) for n in range(1, 11))
    # Without the limit: 10 x (0.3 + 0.6 + 1.2) s = 21 s of back-off.
    assert elapsed < limit + 2.0, elapsed
