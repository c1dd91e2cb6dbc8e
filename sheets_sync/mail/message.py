"""Messages the tool sends and what became of each: the interface between plan and mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from sheets_sync.mail.journal import Journal

DeliveryStatus = Literal["sent", "queued", "failed", "unknown", "deferred"]


@dataclass
class Message:
    """One rendered email. ``key`` is its idempotency key: the Ref in the Touches sheet."""

    key: str
    to: str
    subject: str
    text: str
    html: str | None = None
    to_name: str = ""
    client_id: str = ""
    task_id: str = ""
    rule: str = ""
    kind: Literal["email", "digest", "test"] = "email"
    urgency: int = 50  # lower is more urgent: what goes first under the daily cap
    summary: str = ""  # one line for the Touches log
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Delivery:
    """What happened to one message."""

    key: str
    status: DeliveryStatus  # sent (SMTP accepted), queued (outbox), failed, unknown, deferred (cap)
    detail: str = ""
    when: dt.datetime | None = None


class Mailer(Protocol):
    """Delivers messages: writes them to an outbox folder, or sends them over SMTP."""

    description: str  # e.g. "outbox folder ./outbox" or "smtp.gmail.com:587 as me@x"

    def prepare_run(self, journal: Journal | None, daily_cap: int | None, today: dt.date | None = None) -> None:
        """Journal this run's deliveries in ``journal`` (dated ``today``), within ``daily_cap``."""
        ...

    def deliver(self, messages: Sequence[Message]) -> list[Delivery]:
        """Deliver each message at most once; return one Delivery per message, in order."""
        ...
