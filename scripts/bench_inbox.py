"""Benchmark: reading a 10,000-message mailbox from a real Dovecot on this machine.

    .venv/bin/python scripts/bench_inbox.py            # 10000 messages, 2000 clients
    .venv/bin/python scripts/bench_inbox.py 50000 5000

The mailbox holds a realistic mix: replies from known clients (quoting our email), mail from
strangers, out-of-office replies, Postfix bounces, and one message in a hundred with a 2 MB
attachment. ``read_inbox`` (connect, fetch, parse, classify, match, act; no workbook write) is
timed and its peak Python memory measured with tracemalloc (and the process's peak RSS), then a second read (nothing new)
is timed too. Needs Dovecot (Debian: dovecot-imapd).
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from imap_server import PASSWORD, USER, Dovecot  # noqa: E402
from inbound_mail import auto_reply, postfix_bounce, reply  # noqa: E402

from sheets_sync.inbox.act import InboxResult  # noqa: E402
from sheets_sync.inbox.run import read_inbox, save  # noqa: E402
from sheets_sync.mail.imap import ImapSettings  # noqa: E402
from sheets_sync.model.rows import Book, Client  # noqa: E402

DAY = dt.date(2026, 11, 23)


def mailbox(server: Dovecot, count: int, clients: int) -> int:
    """Deliver ``count`` messages; returns their total size in bytes."""
    total = 0
    attachment = b"QUFB" * 19 + b"\n"
    for n in range(count):
        who = f"client{n % clients}@example.com"
        kind = n % 10
        if kind < 6:
            data = reply(who, "Re: Your quote", f"Thanks, message {n}.\nBest", DAY, quoted="Dear client,\n" * 20)
        elif kind < 8:
            data = reply(f"stranger{n}@elsewhere.example", "Newsletter", "Hello " * 200, DAY)
        elif kind == 8:
            data = auto_reply(who, "Your quote", DAY, dt.date(2026, 12, 7), lang=("en", "de", "fr")[n % 3])
        else:
            data = postfix_bounce(who, f"<gone{n}@harbor.example>", DAY)
        if n % 100 == 50:
            head, _, body = data.partition(b"\n\n")
            data = (head.replace(b"Content-Type: text/plain", b'Content-Type: multipart/mixed; boundary="b"\nX-Was: t')
                    + b"\n\n--b\nContent-Type: text/plain\n\n" + body
                    + b"\n--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
                    + attachment * (2 * 1024 * 1024 // len(attachment)) + b"--b--\n")
        server.deliver(data)
        total += len(data)
    return total


def clients_book(clients: int) -> Book:
    """A book of ``clients`` clients, client{i}@example.com each, nothing else."""
    return Book(clients=[Client(f"C-{i}", f"Client {i}", i + 2, email=f"client{i}@example.com")
                         for i in range(clients)],
                tasks=[], touches=[], sales=[], problems=[], tables={}, headers={}, missing_tool_columns={})


def measure(read: Callable[[], InboxResult], state: Path) -> None:
    """Time ``read`` with its peak Python memory and the process's peak RSS, save what it read
    in ``state``, then time a second read (nothing new); prints each."""
    tracemalloc.start()
    started = time.perf_counter()
    result = read()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"first read: {result.messages_read} messages in {seconds:.1f} s = {result.messages_read / seconds:,.0f} "
          f"messages/s; peak Python memory {peak / 1e6:.1f} MB; {len(result.events)} events, "
          f"{result.unmatched} unmatched, {result.unreadable} unreadable; process peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    save(state, result)
    started = time.perf_counter()
    again = read()
    print(f"second read (nothing new): {again.messages_read} messages in {time.perf_counter() - started:.2f} s")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    server = Dovecot()
    try:
        started = time.perf_counter()
        size = mailbox(server, count, clients)
        print(f"delivered {count} messages ({size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
        book = clients_book(clients)
        settings = ImapSettings("127.0.0.1", server.port, "none", USER, PASSWORD)
        state = server.root / "state-dir"
        measure(lambda: read_inbox(settings, book, [], state, DAY), state)
    finally:
        server.stop(cleanup=True)

if __name__ == "__main__":
    main()
