#!/usr/bin/env python
"""Benchmark: send N messages (default 1,000) to a local aiosmtpd server through SmtpMailer,
with the exactly-once journal on disk, and report messages per second and SMTP sessions used.

    .venv/bin/python scripts/bench_smtp.py [--count 1000] [--security none|starttls|ssl] [--compare 100]

``--compare N`` also times yagmail's own ``send()`` for N messages (one login per message), to
show what keeping one session open buys. Needs the test extras (aiosmtpd, trustme).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from smtp_server import MailServer  # noqa: E402

from sheets_sync.mail.journal import Journal  # noqa: E402
from sheets_sync.mail.message import Message  # noqa: E402
from sheets_sync.mail.smtp import SmtpMailer, tls_context  # noqa: E402


def messages(count: int) -> list[Message]:
    return [Message(key=f"task:T-{n:05d}:reminder:1", to=f"client{n}@example.com", to_name=f"Client {n}",
                    subject=f"Reminder: your balance of ${n},00 is due", text=f"Dear Client {n},\n\nPlease pay.\n",
                    html=f"<p>Dear Client {n},</p><p>Please pay.</p>", client_id=f"C-{n:05d}",
                    task_id=f"T-{n:05d}") for n in range(count)]


def bench_mailer(folder: Path, count: int, security: str, journaled: bool = True) -> None:
    folder.mkdir(exist_ok=True)
    server = MailServer(folder, security=security, auth=security != "none")
    try:
        with Journal(folder / "state") as journal:
            mailer = SmtpMailer(server.settings(), journal=journal if journaled else None)
            batch = messages(count)
            start = time.perf_counter()
            deliveries = mailer.deliver(batch)
            elapsed = time.perf_counter() - start
        sent = sum(d.status == "sent" for d in deliveries)
        label = "journaled" if journaled else "no journal"
        print(f"SmtpMailer ({security}, {label}): {sent}/{count} sent in {elapsed:.2f} s = "
              f"{sent / elapsed:.0f} messages/s; SMTP sessions used: {server.sessions}; "
              f"received: {len(server.received)}")
    finally:
        server.stop()


def bench_yagmail_send(folder: Path, count: int, security: str) -> None:
    import yagmail

    server = MailServer(folder, security=security, auth=security != "none")
    try:
        s = server.settings()
        kwargs = {"context": tls_context(s)} if security == "ssl" else {}
        yag = yagmail.SMTP(user={s.sender_address: s.sender_address}, password=s.password or None, host=s.host,
                           port=s.port, smtp_ssl=security == "ssl",
                           smtp_starttls={"context": tls_context(s)} if security == "starttls" else False,
                           smtp_skip_login=not s.user, soft_email_validation=False, **kwargs)
        start = time.perf_counter()
        for m in messages(count):
            yag.send(to=m.to, subject=m.subject, contents=m.text, prettify_html=False)
            yag.smtp.close()  # send() opens a new connection each time; close the last one
        elapsed = time.perf_counter() - start
        yag.close()
        print(f"yagmail.send per message ({security}): {count} sent in {elapsed:.2f} s = "
              f"{count / elapsed:.0f} messages/s; SMTP sessions used: {server.sessions}")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--security", choices=["none", "starttls", "ssl"], default="none")
    parser.add_argument("--compare", type=int, default=0, metavar="N")
    parser.add_argument("--no-journal", action="store_true", help="also time SmtpMailer without the journal")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_mailer(Path(tmp), args.count, args.security)
        if args.no_journal:
            bench_mailer(Path(tmp) / "plain", args.count, args.security, journaled=False)
        if args.compare:
            (Path(tmp) / "yag").mkdir()
            bench_yagmail_send(Path(tmp) / "yag", args.compare, args.security)


if __name__ == "__main__":
    main()
