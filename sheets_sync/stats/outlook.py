"""Who is likely gone: the BG/NBD purchase model fitted to the Sales sheet, and each
buying client's outlook under it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sheets_sync.errors import FitError
from sheets_sync.model.rows import Sale
from sheets_sync.stats import bgnbd
from sheets_sync.stats.bgnbd import BGNBDFit
from sheets_sync.stats.periods import PERIOD_DAYS


@dataclass
class ClientOutlook:
    """One buying client under the fitted purchase model."""

    client_id: str
    purchases: int  # distinct purchase days up to today
    p_alive: float
    expected_purchases: float  # in the next period of the report's length

    def to_json(self) -> dict[str, object]:
        """The client's outlook as ``stats --json`` names it."""
        return {"client_id": self.client_id, "purchases": self.purchases,
                "p_alive": round(self.p_alive, 4), "expected_purchases": round(self.expected_purchases, 4)}


def purchase_outlook(sales: Sequence[Sale], today: dt.date,
                     period: str) -> tuple[BGNBDFit | None, list[ClientOutlook], str]:
    """Fit BG/NBD to the Sales up to ``today``: (fit, outlooks, '') or (None, [], reason).

    The time unit is weeks unless the sales span more than three years (then months);
    expected purchases are for the next period of the report's length. Never raises.
    """
    past = [s for s in sales if s.date <= today]
    if not past:
        return None, [], "the Sales sheet has no purchases up to today"
    unit = bgnbd.choose_unit(min(s.date for s in past), today)
    unit_days = bgnbd.DAYS_PER_UNIT[unit]
    data = bgnbd.summarize(((s.client_id, s.date) for s in past), today, unit_days)
    try:
        fit = bgnbd.fit(data, unit)
    except ImportError:
        return None, [], bgnbd.NEEDS_EXTRA
    except FitError as exc:
        return None, [], str(exc)
    ahead = PERIOD_DAYS[period] / unit_days
    outlook = [ClientOutlook(c.customer_id, c.x + 1, bgnbd.p_alive(fit, c.x, c.t_x, c.T),
                             bgnbd.expected_purchases(fit, ahead, c.x, c.t_x, c.T)) for c in data]
    return fit, outlook, ""
