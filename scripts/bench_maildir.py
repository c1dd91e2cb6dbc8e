"""Benchmark: reading a 10,000-message Maildir folder (``[imap] maildir``), no server.

    .venv/bin/python scripts/bench_maildir.py            # 10000 messages, 2000 clients
    .venv/bin/python scripts/bench_maildir.py 50000 5000

The same mix as scripts/bench_inbox.py (replies, strangers, out-of-office, bounces, one in a
hundred with a 2 MB attachment), written as files into new/. ``read_maildir`` (list, read,
parse, classify, match, act; no workbook write) is timed with its peak Python memory
(tracemalloc) and the process's peak RSS, then a second read (nothing new).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "scripts")]

from bench_inbox import DAY, clients_book, mailbox, measure  # noqa: E402

from sheets_sync.inbox.maildir import read_maildir  # noqa: E402


class Folder:
    """Delivers into a Maildir as a mail server does (one file per message in new/)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = itertools.count(1)
        for sub in ("cur", "new", "tmp"):
            (root / sub).mkdir(parents=True)

    def deliver(self, data: bytes) -> None:
        (self.root / "new" / f"1795446000.M{next(self.count)}P1.bench").write_bytes(data)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Folder(Path(tmp) / "Mail")
        size = mailbox(folder, count, clients)  # type: ignore[arg-type]
        print(f"wrote {count} messages ({size / 1e6:.0f} MB)")
        book = clients_book(clients)
        state = Path(tmp) / "state-dir"
        measure(lambda: read_maildir(str(folder.root), book, [], state, DAY), state)

if __name__ == "__main__":
    main()
