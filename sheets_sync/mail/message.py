"""Messages the tool sends and what became of each: the interface between plan and mail
(the Mailer that delivers them is in ``mail.mailer``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

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
