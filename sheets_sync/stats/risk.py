"""Who is at risk now, by the touch log and, with a fitted purchase model, by the
probability of still being a buying client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sheets_sync.model.rows import Client, Touch
from sheets_sync.model.settings import Settings
from sheets_sync.rules.cadence import days_since_touch, past_at_risk_limit
from sheets_sync.stats.periods import rounded
from sheets_sync.stats.spells import client_spells

P_ALIVE_AT_RISK = 0.5  # below this, the client is more likely gone than not


@dataclass
class AtRiskClient:
    """An active client who may be slipping away, and why."""

    client_id: str
    name: str
    owner: str
    tier: str
    days_since_touch: int | None
    reasons: list[str] = field(default_factory=list)
    p_alive: float | None = None

    @property
    def reason(self) -> str:
        """The reasons in one line."""
        return "; ".join(self.reasons)

    def to_json(self) -> dict[str, object]:
        """The at-risk entry as the ``stats --json`` contract names it."""
        return {"client_id": self.client_id, "name": self.name, "owner": self.owner,
                "tier": self.tier, "days_since_touch": self.days_since_touch,
                "reason": self.reason, "p_alive": rounded(self.p_alive, 3)}


def touch_risk(client: Client, days: int | None, settings: Settings) -> str:
    """Why the client is at risk by the touch log, or '' when they are not.

    Wider than the owner's list (``cadence.is_at_risk``), which is the at-risk rule alone:
    the statistics review every tier, so past the tier's check-in interval, or the at-risk
    rule (``cadence.past_at_risk_limit``), or never touched at all.
    """
    if days is None:
        return "no touch on record"
    interval = settings.checkin_days(client.tier)
    if past_at_risk_limit(client.tier, days, settings) and days <= interval:
        return f"no touch for {days} days (at risk after {int(settings.at_risk_days)})"
    if days > interval:
        return f"no touch for {days} days (tier {client.tier or 'C'} check-in every {interval})"
    return ""


def _tier_rank(tier: str) -> int:
    return {"A": 0, "B": 1}.get(tier, 2)


def at_risk(clients: Iterable[Client], by_client: Mapping[str, list[Touch]], settings: Settings,
            today: dt.date, p_alive: dict[str, float] | None = None) -> list[AtRiskClient]:
    """Clients active today (status Active) at risk by the touch log or, when a purchase
    model was fitted, by a probability of being alive below ``P_ALIVE_AT_RISK``.
    A and B first, then the longest without a touch."""
    p_alive = p_alive or {}
    out = []
    said: dict[tuple[str, int | None], str] = {}  # touch_risk of a tier and a number of days
    for client in clients:
        if client.status != "Active":
            continue
        spells = client_spells(client)
        if not spells or not any(s.active_at(today) for s in spells):
            continue
        days = days_since_touch(client, by_client.get(client.client_id, []), today)
        risk = said.get((client.tier, days))
        if risk is None:
            risk = said[(client.tier, days)] = touch_risk(client, days, settings)
        reasons = [risk] if risk else []
        p = p_alive.get(client.client_id)
        if p is not None and p < P_ALIVE_AT_RISK:
            reasons.append(f"purchase history says {p:.0%} likely still active")
        if reasons:
            out.append(AtRiskClient(client.client_id, client.name, client.owner, client.tier, days, reasons, p))
    out.sort(key=lambda r: (_tier_rank(r.tier), -(r.days_since_touch if r.days_since_touch is not None else 10**6), r.client_id))
    return out
