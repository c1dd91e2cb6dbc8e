"""The keys the tool writes and reads back: one constructor per kind, one parser.

A step's key is its idempotency key: once the email is sent it is the Ref of the Touches
row, and a Ref already in the sheet (or the journal) is never sent again. The date keys name
the dates the tool remembers writing (``written-dates.json``). These texts sit in users'
sheets and state files, so they never change:

==================  ====================================  ====================
kind                key                                   built by
==================  ====================================  ====================
task-reminder       ``task:T-0004:reminder:2``            ``task_reminder``
task-final          ``task:T-0004:final``                 ``task_final``
task-escalate       ``escalate:T-0004``                   ``task_escalate``
task-replied        ``answered:T-0004``                   ``task_replied``
prospect            ``prospect:C-0012:touch:3``           ``prospect_touch``
prospect-replied    ``replied:C-0012``                    ``prospect_replied``
prospect-decide     ``decide:C-0012``                     ``prospect_decide``
satisfaction        ``satisfaction:C-0012``               ``satisfaction_check``
referral            ``referral:C-0012``                   ``referral_request``
checkin             ``checkin:C-0012:2026-10-01``         ``checkin``
inbound             ``in:<id@mail.example>``              ``inbound``
digest              ``digest:maria@x.example:2026-11-23`` ``digest``
client              ``client:C-0012`` (a date key)        ``client_date``
task                ``task:T-0004`` (a date key)          ``task_date``
==================  ====================================  ====================

A step's kind is its rule (``Step.rule``). IDs are the sheet's own text and may hold a
colon: the parser reads the fixed tail (``:reminder:N``, ``:final``, ``:touch:N``, the
date) from the right, so every key a constructor builds reads back to what built it, but
for a task date key whose ID holds a colon (``task:A:B`` reads as a message about task A):
the date keys are looked up, never parsed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Refs about a task: every one starts "task:" (the escalation call's key does not).
TASK_MESSAGE_KINDS = frozenset({"task-reminder", "task-final", "task-other"})
TASK_KINDS = TASK_MESSAGE_KINDS | {"task"}
_TASK = "task:"
_CLIENT_ONLY = {"replied": "prospect-replied", "decide": "prospect-decide",
                "satisfaction": "satisfaction", "referral": "referral", "client": "client"}


@dataclass(frozen=True, slots=True)
class Ref:
    """A key read back: its kind ('' for text that is none of ours, such as a Ref a person
    typed) and what it names."""

    kind: str
    client_id: str = ""
    task_id: str = ""
    number: int = 0  # the reminder or prospect touch number
    day: dt.date | None = None  # the check-in's anchor, the digest's day
    owner: str = ""  # whose digest

    def is_message_about(self, task_id: str) -> bool:
        """True for a message the tool logged about task ``task_id`` (a reminder, the final
        notice, or another ``task:<id>:...`` Ref)."""
        return self.kind in TASK_MESSAGE_KINDS and self.task_id == task_id


def task_reminder(task_id: str, number: int) -> str:
    """The key of a task's request (number 1) or reminder ``number``."""
    return f"{_TASK}{task_id}:reminder:{number}"


def task_final(task_id: str) -> str:
    """The key of a task's final notice."""
    return f"{_TASK}{task_id}:final"


def task_escalate(task_id: str) -> str:
    """The key of the owner's call about an overdue task."""
    return f"escalate:{task_id}"


def task_replied(task_id: str) -> str:
    """The key of the owner's call once a client answered a task's email."""
    return f"answered:{task_id}"


def inbound(message_id: str) -> str:
    """The Ref of a Touches row logged from a message that came in (its Message-ID)."""
    return f"in:{message_id}"


def prospect_touch(client_id: str, number: int) -> str:
    """The key of a prospect's touch ``number`` of the sequence."""
    return f"prospect:{client_id}:touch:{number}"


def prospect_replied(client_id: str) -> str:
    """The key of the follow-up call once a prospect answered."""
    return f"replied:{client_id}"


def prospect_decide(client_id: str) -> str:
    """The key of the owner's decision after a prospect's last touch."""
    return f"decide:{client_id}"


def satisfaction_check(client_id: str) -> str:
    """The key of a new client's satisfaction check."""
    return f"satisfaction:{client_id}"


def referral_request(client_id: str) -> str:
    """The key of a new client's referral request."""
    return f"referral:{client_id}"


def checkin(client_id: str, anchor: dt.date) -> str:
    """The key of a check-in counted from the touch on ``anchor`` (one check-in per silence)."""
    return f"checkin:{client_id}:{anchor.isoformat()}"


def digest(owner: str, day: dt.date) -> str:
    """The key of an owner's digest of ``day``."""
    return f"digest:{owner}:{day.isoformat()}"


def client_date(client_id: str) -> str:
    """The key of the Next Action Date the tool wrote for a client."""
    return f"client:{client_id}"


def task_date(task_id: str) -> str:
    """The key of the Next Reminder the tool wrote for a task."""
    return f"{_TASK}{task_id}"


def is_task_ref(ref: str) -> bool:
    """True for a Ref about a task (``task:...``): not a contact with the client as such."""
    return ref.startswith(_TASK)


def parse_ref(ref: str) -> Ref:
    """What a key says: its kind and the client, task, number or day it names. Text that is
    none of the tool's keys gives kind ''; a ``task:<id>:...`` Ref of no known step gives
    kind 'task-other' with the ID before the first colon after ``task:``."""
    head, colon, rest = ref.partition(":")
    if not colon:
        return Ref("")
    if head == "task":
        return _task_ref(rest)
    if not rest:
        return Ref("")
    if head == "prospect":
        cid, number = _numbered(rest, ":touch:")
        return Ref("prospect", client_id=cid, number=number) if number is not None else Ref("")
    if head == "checkin":
        cid, day = _dated(rest)
        return Ref("checkin", client_id=cid, day=day) if day is not None else Ref("")
    if head == "digest":
        owner, day = _dated(rest)
        return Ref("digest", owner=owner, day=day) if day is not None else Ref("")
    if head == "escalate":
        return Ref("task-escalate", task_id=rest)
    if head == "answered":
        return Ref("task-replied", task_id=rest)
    if head == "in":
        return Ref("inbound")
    kind = _CLIENT_ONLY.get(head)
    return Ref(kind, client_id=rest) if kind else Ref("")


def _task_ref(rest: str) -> Ref:
    if rest.endswith(":final") and len(rest) > 6:
        return Ref("task-final", task_id=rest[:-6])
    tid, number = _numbered(rest, ":reminder:")
    if number is not None:
        return Ref("task-reminder", task_id=tid, number=number)
    tid, colon, _ = rest.partition(":")
    return Ref("task-other" if colon else "task", task_id=tid)


def _numbered(rest: str, marker: str) -> tuple[str, int | None]:
    name, found, digits = rest.rpartition(marker)
    if found and name and digits.isascii() and digits.isdigit() and len(digits) < 19:
        return name, int(digits)
    return "", None


def _dated(rest: str) -> tuple[str, dt.date | None]:
    name, colon, text = rest.rpartition(":")
    if not colon or not name or len(text) != 10:
        return "", None
    try:
        return name, dt.date.fromisoformat(text)
    except ValueError:
        return "", None
