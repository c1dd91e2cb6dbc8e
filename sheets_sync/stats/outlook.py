"""Who is likely gone: the BG/NBD purchase model fitted to the Sales sheet, and each
buying client's outlook under it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from sheets_sync.errors import FitError
from sheets_sync.model.rows import Sale
from sheets_sync.stats import bgnbd
from sheets_sync.stats.bgnbd import RFM, BGNBDFit
from sheets_sync.stats.fit_cache import FitCache, fit_key
from sheets_sync.stats.periods import PERIOD_DAYS


@dataclass
class ClientOutlook:
    """One buying client under the fitted purchase model."""

    client_id: str
    purchases: int  # distinct purchase days up to today
    p_alive: float
    fit: BGNBDFit = field(repr=False)
    summary: RFM = field(repr=False)
    ahead: float = field(repr=False)  # the next period of the report's length, in the fit's unit

    @cached_property
    def expected_purchases(self) -> float:
        """Expected purchases in the next period of the report's length. Worked out when
        first asked for (it needs scipy; the Stats sheet does not show it)."""
        c = self.summary
        return bgnbd.expected_purchases(self.fit, self.ahead, c.x, c.t_x, c.T)

    def to_json(self) -> dict[str, object]:
        """The client's outlook as ``stats --json`` names it."""
        return {"client_id": self.client_id, "purchases": self.purchases,
                "p_alive": round(self.p_alive, 4), "expected_purchases": round(self.expected_purchases, 4)}


def purchase_outlook(sales: Sequence[Sale], today: dt.date, period: str, cache: FitCache | None = None
                     ) -> tuple[BGNBDFit | None, list[ClientOutlook], str]:
    """Fit BG/NBD to the Sales up to ``today``: (fit, outlooks, '') or (None, [], reason).

    The time unit is weeks unless the sales span more than three years (then months);
    expected purchases are for the next period of the report's length. With a ``cache``
    a fit of the very same data is reused (no numpy or scipy import) and a new one is
    kept. Never raises.
    """
    past = [s for s in sales if s.date <= today]
    if not past:
        return None, [], "the Sales sheet has no purchases up to today"
    unit = bgnbd.choose_unit(min(s.date for s in past), today)
    unit_days = bgnbd.DAYS_PER_UNIT[unit]
    data = bgnbd.summarize(((s.client_id, s.date) for s in past), today, unit_days)
    key = fit_key(data, unit) if cache is not None else ""
    found = cache.get(key) if cache is not None else None
    if found is None:
        try:
            found = bgnbd.fit(data, unit)
        except ImportError:
            return None, [], bgnbd.NEEDS_EXTRA
        except FitError as exc:
            found = str(exc)
        if cache is not None:
            cache.put(key, found)
    if isinstance(found, str):
        return None, [], found
    fit = found
    ahead = PERIOD_DAYS[period] / unit_days
    outlook = [ClientOutlook(c.customer_id, c.x + 1, bgnbd.p_alive(fit, c.x, c.t_x, c.T), fit, c, ahead)
               for c in data]
    return fit, outlook, ""
