"""The outbox: each message as a standard .eml file (RFC 5322), openable in any mail client,
marked as a draft (``X-Unsent: 1``): a person opens it and sends it (``mail.drafts``).

Used when no mail server is configured, and forced with ``--outbox DIR``. A file is named
after the message's key, so writing the same message again replaces it: a rerun can never
leave two copies. Once the files are written, the run's journal records them as queued,
exactly as the SMTP mailer records what it sent, so a run whose write-back fails never
queues the same email again.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from sheets_sync.errors import BadAddress
from sheets_sync.mail.drafts import WRITTEN_TO
from sheets_sync.mail.journal import Journal
from sheets_sync.mail.message import Delivery, Message
from sheets_sync.mail.mime import clean_header, email_bytes
from sheets_sync.model.addresses import check_address


def file_name(key: str) -> str:
    """A safe file name for a message key."""
    return re.sub(r"[^A-Za-z0-9@.-]+", "_", key).strip("_") + ".eml"


class OutboxMailer:
    """Writes messages to a folder instead of sending them."""

    def __init__(self, folder: Path, sender: str = "", reply_to: str = "") -> None:
        self.folder = folder
        self.sender = sender
        self.reply_to = reply_to
        self.description = f"outbox folder {folder}"
        self.journal: Journal | None = None
        self.today: dt.date | None = None

    def prepare_run(self, journal: Journal | None, daily_cap: int | None, today: dt.date | None = None) -> None:
        """Record this run's deliveries in ``journal``, dated ``today`` (the outbox has no cap)."""
        self.journal, self.today = journal, today

    def deliver(self, messages: Sequence[Message]) -> list[Delivery]:
        """Write each message as <key>.eml (atomically): 'queued', or 'failed' without a file
        when its address is one no server takes (``addresses.check_address``).

        Raises OSError when a file cannot be written (the run stops before anything is
        recorded; a rerun writes the same files again)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.UTC)
        deliveries = []
        batch: list[tuple[str, bytes]] = []
        writes: list[Future[None]] = []
        # The files are written by a helper thread (file calls release the GIL) while the
        # next messages are built: a big run writes tens of thousands.
        with ThreadPoolExecutor(1) as pool:
            for message in messages:
                try:  # the rule the SMTP mailer applies: an address it would refuse gets no file
                    check_address(clean_header(message.to))
                except BadAddress as exc:
                    deliveries.append(Delivery(message.key, "failed", str(exc), now))
                    continue
                sender = self.sender or message.headers.get("From", "")
                reply_to = self.reply_to or message.headers.get("Reply-To", "")
                path = self.folder / file_name(message.key)
                batch.append((str(path), email_bytes(message, sender, reply_to, now, draft=True).data))
                if len(batch) >= 256:
                    if len(writes) >= 2:  # at most two batches waiting; a failed write stops the run here
                        writes[-2].result()
                    writes.append(pool.submit(_write_files, batch))
                    batch = []
                deliveries.append(Delivery(message.key, "queued", f"{WRITTEN_TO}{path}", now))
            writes.append(pool.submit(_write_files, batch))
            for done in writes:
                done.result()
        if self.journal is not None:
            self.journal.record(list(zip(messages, deliveries, strict=True)), self.today or now.date())
        return deliveries


def _write_files(files: list[tuple[str, bytes]]) -> None:
    for path, data in files:
        tmp = path + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
