"""The Email Status column: what the mailbox said about a client's Email address.

``Bounced 2026-12-03 (ann@x.example): 550 5.1.1 user unknown`` or ``Unsubscribed 2026-12-03
(ann@x.example)``. While it stands, no email goes to the client (the step becomes a call,
as for Do Not Email). The address in brackets is the one that bounced or unsubscribed: when
staff change the Email cell, the status no longer applies and the tool clears it. Staff may
also clear it by hand; a status typed without an address holds until cleared.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sheets_sync.model.rows import Client, Problem

BOUNCED_PROBLEM = ("this address bounced ({status}) and no email goes to it: correct the address (the Email "
                   "Status then clears itself), or clear the Email Status cell to try it again")

_STATUS = re.compile(r"\s*(?P<kind>bounced|unsubscribed)\b(?:\s+(?P<day>\d{4}-\d{2}-\d{2}))?"
                     r"(?:\s*\((?P<address>[^()\s]+@[^()\s]+)\))?", re.I)


@dataclass(frozen=True)
class EmailStatus:
    """An Email Status cell read back."""

    kind: str  # "bounced" | "unsubscribed" | "" (empty, or text that is none of ours)
    address: str = ""  # the address it was set for ('' when typed without one)


def bounced(day: dt.date, address: str, detail: str) -> str:
    """The cell for an address that bounced."""
    text = f"Bounced {day.isoformat()} ({address})"
    return f"{text}: {detail}" if detail else text


def unsubscribed(day: dt.date, address: str) -> str:
    """The cell for a client who asked to get no more email."""
    return f"Unsubscribed {day.isoformat()} ({address})"


def parse_status(text: str) -> EmailStatus:
    """What an Email Status cell says."""
    found = _STATUS.match(text or "")
    if not found:
        return EmailStatus("")
    return EmailStatus(found["kind"].lower(), (found["address"] or "").lower())


def status_now(client: Client) -> str:
    """The client's Email Status as it stands: '' once the Email cell names another address
    than the one that bounced or unsubscribed."""
    if not client.email_status:
        return ""
    status = parse_status(client.email_status)
    if status.kind and status.address and status.address != client.email.strip().lower():
        return ""
    return client.email_status


def blocks_email(status: str) -> str:
    """Why a status stops email ('' when it does not): 'Bounced 2026-12-03', 'Unsubscribed ...'."""
    parsed = parse_status(status)
    if not parsed.kind:
        return ""
    return status.split("(")[0].split(":")[0].strip()


def bounced_problems(clients: Iterable[Client], sheet: str, email_cell: Callable[[int], str]) -> list[Problem]:
    """A problem at the Email cell of each client whose address bounced (``check`` shows it):
    staff should correct the address. An unsubscribe is the client's wish, not a problem."""
    problems = []
    for client in clients:
        status = status_now(client)
        if parse_status(status).kind == "bounced":
            problems.append(Problem(sheet, email_cell(client.row),
                                    BOUNCED_PROBLEM.format(status=status)))
    return problems
