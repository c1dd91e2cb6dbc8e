"""What the tool writes for a message that came in (a reply, an automatic reply, a bounce,
an unsubscribe) and how the rules read it back.

An inbound message becomes a Touches row, Direction In, Ref ``in:<Message-ID>``; its Result
says what it was. An automatic reply or a bounce is logged but is no contact with a person:
it restarts no cadence and stops no sequence (``is_automatic``). An out-of-office reply that
says when the person is back carries the date in its Result (``automatic reply: back
2027-01-12``) and moves the client's next email to the business day after it (``away_until``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sheets_sync.model.rows import Touch

REPLY = "reply"
AUTO_REPLY = "automatic reply"
BOUNCE = "bounce"
SOFT_BOUNCE = "soft bounce"
UNSUBSCRIBE = "unsubscribe"
_AUTOMATIC = (AUTO_REPLY, BOUNCE, SOFT_BOUNCE)
_BACK = re.compile(r"\bback (\d{4}-\d{2}-\d{2})\b")


def auto_reply_result(back: dt.date | None) -> str:
    """The Result of an automatic reply, with the day the person is back when it said so."""
    return f"{AUTO_REPLY}: back {back.isoformat()}" if back else AUTO_REPLY


def is_automatic(touch: Touch) -> bool:
    """True for a touch logged from an automatic reply or a bounce: no person answered."""
    result = touch.result.lower()
    return touch.direction == "In" and result.startswith(_AUTOMATIC)


def is_soft_bounce(touch: Touch) -> bool:
    """True for a touch logged from a temporary (4.x.x) delivery failure."""
    return touch.direction == "In" and touch.result.lower().startswith(SOFT_BOUNCE)


def back_on(touch: Touch) -> dt.date | None:
    """The day an automatic reply said the person is back, or None."""
    if not touch.result.lower().startswith(AUTO_REPLY):
        return None
    found = _BACK.search(touch.result)
    if not found:
        return None
    try:
        return dt.date.fromisoformat(found[1])
    except ValueError:
        return None


def away_until(touches: Iterable[Touch], today: dt.date) -> dt.date | None:
    """The last day the client is away, from their latest automatic reply that names one,
    when that day is today or later; None otherwise."""
    latest: tuple[dt.date, dt.date] | None = None
    for touch in touches:
        back = back_on(touch) if touch.result else None  # most touches have no Result
        if back is not None and (latest is None or touch.date >= latest[0]):
            latest = (touch.date, back)
    if latest is None or latest[1] < today:
        return None
    return latest[1]
