"""Outbox drafts: an email written to the outbox folder is a draft a person sends, not a send.

Its Touches row says so (Summary ``Email draft (outbox): <subject>``, Result ``draft: ...``)
and does not count as a touch. The rule for when it does: the first run that finds the
draft's file gone from the outbox folder takes it as sent that day and adds a second Touches
row (Result ``sent from the outbox``, the same Ref), which restarts the client's clock.
A person's edit wins: once the draft's row no longer says ``draft`` (staff typed ``sent``,
or ``failed: not sent``), that row is the record, and nothing is added when the file goes.
The draft's key stays in Touches, so it is never written to the outbox again.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sheets_sync.display import fmt_day
from sheets_sync.errors import BadAddress
from sheets_sync.model.addresses import check_address
from sheets_sync.model.rows import Touch
from sheets_sync.model.settings import Settings
from sheets_sync.rules.cadence import is_draft

DRAFT_SUMMARY = "Email draft (outbox): "
DRAFT_RESULT = "draft: in the outbox, not sent yet"
SENT_RESULT = "sent from the outbox"
WRITTEN_TO = "written to "  # the journal detail of an outbox write, before the file's path


def draft_refs(touches: Iterable[Touch]) -> set[str]:
    """The Refs in Touches whose rows all still say draft: emails no one has sent yet."""
    drafted: set[str] = set()
    other: set[str] = set()
    for touch in touches:
        if touch.ref:
            (drafted if is_draft(touch.result) else other).add(touch.ref)
    return drafted - other


def waiting_since(touches: Iterable[Touch]) -> dict[str, dt.date]:
    """Ref -> the day its draft was written, for the drafts no one has sent yet
    (``draft_refs``): the email is not due again, its draft waits in the outbox."""
    touches = list(touches)
    waiting = draft_refs(touches)
    days: dict[str, dt.date] = {}
    for touch in touches:
        if touch.ref in waiting:
            days[touch.ref] = min(touch.date, days.get(touch.ref, touch.date))
    return days


def draft_sender(settings: Settings, owner: str = "") -> str:
    """The From of an outbox draft when no mail server sender is configured: the Settings
    sheet's From address, else the owner who will send it, named by the Business name; ''
    when neither is known (the mail program then uses its own account)."""
    return _sender(str(settings.values.get("business_name") or "").strip(),
                   str(settings.values.get("from_address") or ""), owner)


@functools.lru_cache(maxsize=256)  # a run has a few owners and one From, and writes thousands of drafts
def _sender(name: str, from_address: str, owner: str) -> str:
    from email.utils import formataddr  # here: due reads this module's drafts and composes no From

    for candidate in (from_address, owner):
        if not candidate.strip():  # no address (the office's digest has no owner): not worth the full validator
            continue
        try:
            address = check_address(candidate.strip())
        except BadAddress:
            continue
        return formataddr((name, address))
    return ""


def draft_file(detail: str) -> Path | None:
    """The file an outbox write's journal ``detail`` names, or None when it names none."""
    if not detail.startswith(WRITTEN_TO):
        return None
    return Path(detail[len(WRITTEN_TO):])


def is_gone(detail: str) -> bool:
    """True when the outbox file named by ``detail`` is no longer in its folder (sent, moved
    or deleted by a person). A folder that is missing altogether (a network drive not
    mounted) proves nothing, so that is not 'gone'."""
    path = draft_file(detail)
    return path is not None and path.parent.is_dir() and not path.exists()


@dataclass(frozen=True)
class OutboxDrafts:
    """The outbox as a run finds it: drafts whose file is gone (counted as sent today) and
    drafts of earlier runs still waiting there (the oldest written on ``oldest``)."""

    found_sent: int = 0
    waiting: int = 0
    oldest: dt.date | None = None

    def line(self, today: dt.date) -> str:
        """One sentence for the run's summary, or '' when there is nothing to say."""
        parts = []
        if self.found_sent:
            parts.append(f"{self.found_sent} draft(s) found sent since the last run (their files left the "
                         "folder): counted as touches today")
        if self.waiting:
            since = f", the oldest written {fmt_day(self.oldest, today)}" if self.oldest else ""
            parts.append(f"{self.waiting} draft(s) still waiting to be sent{since}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, object]:
        """For --json: the counts, and the oldest waiting draft's day (ISO) or None."""
        return {"found_sent": self.found_sent, "waiting": self.waiting,
                "oldest_waiting": self.oldest.isoformat() if self.oldest else None}
