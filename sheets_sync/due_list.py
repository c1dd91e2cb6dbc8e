"""What ``due`` lists, as data: its --json, and the check of ``--owner``.

Apart from ``report`` (which prints the same lists as tables) so that ``due --json`` does
not import rich.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sheets_sync.mail.drafts import waiting_since

if TYPE_CHECKING:
    from sheets_sync.load import Loaded


def unknown_owner(loaded: Loaded, owner: str) -> str | None:
    """Why ``due --owner`` has nothing to show when no client has that owner (naming the
    owners there are), or None when some client has it (in any capitals)."""
    owners: dict[str, str] = {}
    for client in loaded.book.clients:
        if client.owner:
            owners.setdefault(client.owner.lower(), client.owner)
    if owner.lower() in owners:
        return None
    sheet = loaded.book.tables["clients"].sheet if "clients" in loaded.book.tables else "Clients"
    if not owners:
        return f"no client in {sheet} has the owner {owner}: no client there has an owner yet (fill in the Owner column)"
    listed = ", ".join(sorted(owners.values(), key=str.lower))
    return f"no client in {sheet} has the owner {owner}; the owners are: {listed}"


def drafts_waiting(loaded: Loaded) -> dict[str, dt.date]:
    """Action key -> the day its email was written to the outbox as a draft nobody sent yet."""
    return waiting_since(loaded.book.touches)


def _bucket() -> dict[str, list[Any]]:
    """One owner's lists in due's JSON, empty."""
    return {"calls": [], "emails": [], "drafts_waiting": [], "at_risk": []}


def due_json(loaded: Loaded, owner: str | None) -> dict[str, Any]:
    """The due command's JSON: actions and at-risk clients, per owner. An email whose outbox
    draft waits to be sent carries ``draft_waiting_since`` and is listed under the owner's
    ``drafts_waiting``, not ``emails``."""
    plan = loaded.plan
    waiting = drafts_waiting(loaded)
    actions = [a for a in plan.actions if owner is None or a.owner.lower() == owner.lower()]
    at_risk = [r for r in plan.at_risk if owner is None or r.client.owner.lower() == owner.lower()]
    owners: dict[str, dict[str, list[Any]]] = {}
    listed = []
    for action in actions:
        bucket = owners.setdefault(action.owner, _bucket())
        since = waiting.get(action.step.key) if action.kind == "email" else None
        entry = {**action.to_json(), "draft_waiting_since": since.isoformat() if since else None}
        listed.append(entry)
        bucket["calls" if action.kind == "call" else "drafts_waiting" if since else "emails"].append(entry)
    for risk in at_risk:
        bucket = owners.setdefault(risk.client.owner, _bucket())
        bucket["at_risk"].append({"client_id": risk.client.client_id, "name": risk.client.name,
                                  "days_since_touch": risk.days, "tier": risk.client.tier})
    dropped = [d for d in plan.dropped() if owner is None or d.client.owner.lower() == owner.lower()]
    return {
        "source": loaded.backend.label, "today": plan.today.isoformat(), "business_day": plan.business_day,
        "actions": listed, "owners": owners, "dropped": [d.to_json() for d in dropped],
        "problems": [p.to_json() for p in loaded.book.problems],
    }
