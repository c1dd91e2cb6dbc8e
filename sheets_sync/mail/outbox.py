"""The outbox: each message as a standard .eml file (RFC 5322), openable in any mail client,
marked as a draft (``X-Unsent: 1``): a person opens it and sends it (``mail.drafts``).

Used when no mail server is configured, and forced with ``--outbox DIR``. A file is named
after the message's key with the day it was written in place of the key's due date
(``checkin_K102_2026-12-07.eml``, not the 2026-08-26 the check-in fell due): the name a
person sees in the folder says when the draft was made. Writing the same message again
replaces its file, whatever day it was written (the file carries its key in
``X-Sheets-Sync-Key``), so a rerun can never leave two copies. Once the files are written, the run's journal records them as queued,
exactly as the SMTP mailer records what it sent, so a run whose write-back fails never
queues the same email again.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from sheets_sync.errors import BadAddress
from sheets_sync.mail.drafts import WRITTEN_TO
from sheets_sync.mail.durable import make_durable
from sheets_sync.mail.file_writer import write_files
from sheets_sync.mail.journal import Journal
from sheets_sync.mail.message import Delivery, Message
from sheets_sync.mail.mime import clean_header, email_bytes
from sheets_sync.model.addresses import check_address

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
KEY_HEADER = b"x-sheets-sync-key:"


def file_name(key: str) -> str:
    """A safe file name for a message key."""
    return re.sub(r"[^A-Za-z0-9@.-]+", "_", key).strip("_") + ".eml"


def draft_name(key: str, day: dt.date) -> str:
    """The file name of ``key``'s draft written on ``day``: the key's dates read ``day``."""
    return file_name(ISO_DAY.sub(day.isoformat(), key))


def _family(name: str) -> str:
    """A file name with its dates blanked: the drafts of one key, whatever day they were written."""
    return ISO_DAY.sub("*", name)


def _file_key(path: Path) -> str:
    """The X-Sheets-Sync-Key an outbox file carries, or ''."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16384)
    except OSError:
        return ""
    for line in head.split(b"\n\n", 1)[0].splitlines():
        if line.lower().startswith(KEY_HEADER):
            return line[len(KEY_HEADER):].strip().decode("utf-8", "replace")
    return ""


def draft_paths(folder: Path, keys: Sequence[str], day: dt.date) -> dict[str, Path]:
    """Key -> the file its draft goes to: the file already holding that key's draft (written
    on another day, or under the old name that carried the due date), else ``draft_name``;
    a name another key's draft holds falls back to the key's own ``file_name``."""
    wanted = {key: draft_name(key, day) for key in keys}
    families = {_family(name) for name in wanted.values()}
    on_disk: dict[str, list[str]] = {}
    if folder.is_dir():  # one listing for the run, not a look-up per message
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".eml") and (family := _family(entry.name)) in families:
                    on_disk.setdefault(family, []).append(entry.name)
    held: dict[str, str] = {}  # file name on disk -> the key it holds, read only where a key's family has files
    paths: dict[str, Path] = {}
    taken: set[str] = set()
    for key, name in wanted.items():
        for found in on_disk.get(_family(name), []):
            if found not in held:
                held[found] = _file_key(folder / found)
            if held[found] == key:
                name = found
                break
        else:
            if name in taken or name in held:  # held here: another key's draft has that name
                name = file_name(key)
        taken.add(name)
        paths[key] = folder / name
    return paths


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
        """Write each message as a draft file (``draft_paths``, atomically) and record it:
        'queued', or 'failed' without a file when its address is one no server takes
        (``addresses.check_address``). ``start`` and ``Drafts.commit`` in one call.

        Raises OSError when a file cannot be written (the run stops before anything is
        recorded; a rerun writes the same files again)."""
        drafts = self.start(messages)
        drafts.commit()
        return drafts.deliveries

    def start(self, messages: Sequence[Message], *, drop_bodies: bool = False) -> Drafts:
        """Start writing the messages' draft files in the background and return at once with
        what becomes of each ('queued', or 'failed' for an address no server takes); nothing
        counts as delivered until ``Drafts.commit``. ``drop_bodies``: each message's text and
        HTML are emptied once its file's bytes are built (a big run holds thousands)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.UTC)
        paths = draft_paths(self.folder, [m.key for m in messages], self.today or now.date())
        deliveries = []
        files: list[tuple[str, bytes]] = []
        for message in messages:
            try:  # the rule the SMTP mailer applies: an address it would refuse gets no file
                check_address(clean_header(message.to))
            except BadAddress as exc:
                deliveries.append(Delivery(message.key, "failed", str(exc), now))
                continue
            sender = self.sender or message.headers.get("From", "")
            reply_to = self.reply_to or message.headers.get("Reply-To", "")
            path = paths[message.key]
            # built here, not by the helper: a thread running Python beside the main one slows both
            files.append((str(path), email_bytes(message, sender, reply_to, now, draft=True).data))
            deliveries.append(Delivery(message.key, "queued", f"{WRITTEN_TO}{path}", now))
        if drop_bodies:
            for message in messages:
                message.text, message.html = "", None
        return Drafts(self.folder, files, list(zip(messages, deliveries, strict=True)), self.journal,
                      self.today or now.date())


class Drafts:
    """An outbox run's draft files, written while the run goes on (a helper thread hands them
    to ``file_writer.write_files``, then makes them durable). ``commit`` is the point where
    they count: it waits for that, then records them in the journal in the calling thread
    (SQLite stays in the thread that opened it)."""

    def __init__(self, folder: Path, files: list[tuple[str, bytes]], pairs: list[tuple[Message, Delivery]],
                 journal: Journal | None, day: dt.date) -> None:
        self.deliveries = [d for _, d in pairs]
        self._folder, self._pairs, self._journal, self._day = folder, pairs, journal, day
        self._paths = [path for path, _ in files]
        self._files: deque[tuple[str, bytes]] = deque(files)  # each file's bytes let go once written
        self._error: BaseException | None = None
        self._stop = False
        self._committed = False
        self._thread = threading.Thread(target=self._write, name="outbox-drafts")
        self._thread.start()

    def _take(self) -> Iterator[tuple[str, bytes]]:
        while self._files and not self._stop:
            yield self._files.popleft()

    def _write(self) -> None:
        try:
            write_files(self._take())
            if not self._stop:  # on disk before the journal counts them: a power cut after its commit loses none
                make_durable(self._folder, self._paths)
        except BaseException as exc:  # handed to the thread that commits
            self._error = exc

    def commit(self) -> None:
        """Wait for every file, then record the deliveries in the journal (once; later calls
        do nothing). Raises the OSError of a file that could not be written or made durable:
        then nothing is recorded."""
        if self._committed:
            return
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._journal is not None:
            self._journal.record(self._pairs, self._day)
        self._committed = True

    def close(self) -> None:
        """Stop writing files not yet started and wait for the helper thread (after a failed
        run: what was written is not recorded, and a rerun writes the same files again)."""
        self._stop = True
        self._thread.join()

