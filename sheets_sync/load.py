"""The common start of ``check``, ``due`` and ``sync``: read the source, model it, plan today
(and, unless told not to, compose the emails).

Apart from ``sync`` (which sends and writes) so that the read-only commands do not import the
mailers, the journal, the writer or the Stats sheet: at a thousand clients a ``due`` is mostly
the start of a Python process and its imports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.backends import open_source
from sheets_sync.backends.base import Backend
from sheets_sync.collector import collector_paused
from sheets_sync.config import Config
from sheets_sync.health.progress import phase
from sheets_sync.mail.composed import Composed
from sheets_sync.model.read import read_book
from sheets_sync.model.rows import Book, Touch
from sheets_sync.rules.plan import Plan, WrittenDates, make_plan
from sheets_sync.workbook import WorkbookData
from sheets_sync.write.cells import slim_for_write
from sheets_sync.write.written_dates import load_written_dates

if TYPE_CHECKING:
    from sheets_sync.health.run import RunHealth
    from sheets_sync.inbox.act import InboxResult
    from sheets_sync.mail.journal import Journal, Reconciled


@dataclass
class Loaded:
    """A source read and planned, before anything is sent or written."""

    backend: Backend
    data: WorkbookData
    book: Book
    written_dates: WrittenDates
    plan: Plan
    composed: Composed
    journaled: Reconciled | None = None  # what the journal added (sync; None without a journal)
    inbox: InboxResult | None = None  # what came in (sync, with a mailbox configured)


def template_dirs_for(backend: Backend, config: Config) -> list[Path]:
    """A team's own templates: [templates] dir in the config, or templates/ beside the workbook."""
    dirs = []
    configured = config.section("templates").get("dir")
    if configured:
        dirs.append(Path(str(configured)).expanduser())
    path = getattr(backend, "path", None)
    if isinstance(path, Path):
        dirs.append(path.resolve().parent / "templates")
    return dirs


@collector_paused()
def load_book(source: str, config: Config | None = None, **options: object) -> tuple[Book, str]:
    """Read a source into a Book, without planning (for stats); returns the book and its label."""
    config = config or Config()
    backend = open_source(source, config=config, **options)
    return read_book(backend.read(), config.section("layout")), backend.label


@collector_paused()
def load(source: str | Backend, today: dt.date, config: Config | None = None, *,
         journal: Journal | None = None, inbox: bool = False, health: RunHealth | None = None, drafts: bool = False,
         render: bool = True, **options: object) -> Loaded:
    """Read the source and plan ``today``: the common start of check, due and sync.

    With a ``journal`` (sync) the plan also counts the emails the journal knows were
    delivered but the sheet does not show yet (a run whose write-back failed), so none of
    them is sent again and the next steps follow from them. With ``health`` (sync) the
    missed business days are worked out and each digest starts with a line about them.
    ``drafts``: the emails go to the outbox, and the digests say they are not sent yet.
    ``render=False`` (due, which prints the plan): no email is rendered, ``composed`` is empty.
    """
    config = config or Config()
    backend = open_source(source, config=config, **options) if isinstance(source, str) else source
    phase(f"Reading {backend.label}")
    data = backend.read()
    book = read_book(data, config.section("layout"))
    slim_for_write(data, book.tables)  # the model holds the rows now; the write needs little of the grids
    written = load_written_dates(backend.state_dir())
    refs = {t.ref for t in book.touches if t.ref}
    # The journal, the mailbox, the template engine and the digests' first line are imported
    # only by the runs that use them (check and due read, plan and print).
    journaled = None
    if journal is not None:
        from sheets_sync.mail.drafts import draft_refs
        from sheets_sync.mail.journal import reconcile
        from sheets_sync.mail.mailer import sender_name

        journaled = reconcile(journal, refs, sender_name(config), today, draft_refs(book.touches))
    # with ``inbox`` (sync): what came in since the last run counts before the plan is made
    came_in = None
    if inbox and journal is not None:
        from sheets_sync.inbox.hook import read_mailbox
        came_in = read_mailbox(config, backend, book, journal, today)
    arrived = came_in.touches if came_in is not None else []
    phase("Planning")
    plan = make_plan(book, today, written,
                     extra_touches=by_client((journaled.touches if journaled else []) + arrived),
                     statuses=came_in.statuses if came_in is not None else None)
    if health is not None:
        health.see(data, book.settings.holiday_set())
    if not render:
        return Loaded(backend, data, book, written, plan, Composed(), journaled, came_in)
    from sheets_sync.mail.compose import Office, compose
    from sheets_sync.mail.render import Templates
    templates = Templates(template_dirs_for(backend, config))
    composed = compose(plan, templates, book.settings, skip=refs | (journaled.settled if journaled else set()),
                       office=Office.of(book), drafts=drafts)
    if health is not None:
        from sheets_sync.health.digest_line import lead_digests

        lead_digests(composed.messages, health.notice)
    return Loaded(backend, data, book, written, plan, composed, journaled, came_in)


def by_client(touches: list[Touch]) -> dict[str, list[Touch]]:
    """Touches grouped by client ID, in order."""
    grouped: dict[str, list[Touch]] = {}
    for touch in touches:
        grouped.setdefault(touch.client_id, []).append(touch)
    return grouped
