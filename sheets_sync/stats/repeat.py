"""Repeat buying from the Sales sheet: who bought again in the latest period, and who ever
bought on two or more days."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sheets_sync.model.rows import Sale
from sheets_sync.stats.periods import PeriodFigures, rate, rounded, shift_period


def _buyers(sales: Iterable[Sale], start: dt.date, end: dt.date) -> set[str]:
    return {s.client_id for s in sales if start <= s.date <= end}


@dataclass
class RepeatFigures:
    """Repeat buying from the Sales sheet.

    ``returned``: of the clients who bought in the period before the latest one, the share
    who bought again in the latest one. ``two_or_more``: of all clients who ever bought (up
    to today), the share who bought on two or more different days.
    """

    start: dt.date
    end: dt.date
    previous_buyers: int
    returned_buyers: int
    buyers: int
    repeat_buyers: int

    @property
    def returned(self) -> float | None:
        """returned_buyers / previous_buyers, None without previous buyers."""
        return rate(self.returned_buyers, self.previous_buyers)

    @property
    def two_or_more(self) -> float | None:
        """repeat_buyers / buyers, None without buyers."""
        return rate(self.repeat_buyers, self.buyers)

    def to_json(self) -> dict[str, object]:
        """The ``repeat_rate`` object of the ``stats --json`` contract."""
        return {
            "period_start": self.start.isoformat(), "period_end": self.end.isoformat(),
            "returned": rounded(self.returned), "previous_buyers": self.previous_buyers,
            "returned_buyers": self.returned_buyers, "two_or_more": rounded(self.two_or_more),
            "buyers": self.buyers, "repeat_buyers": self.repeat_buyers,
        }


def add_repeat(fig: PeriodFigures, sales: Sequence[Sale], period: str) -> None:
    """Add to ``fig`` the buyers of the period before it and how many of them bought again in it."""
    prev_start = shift_period(fig.start, period, -1)
    previous = _buyers(sales, prev_start, fig.start - dt.timedelta(days=1))
    again = previous & _buyers(sales, fig.start, fig.end)
    fig.previous_buyers, fig.returned_buyers = len(previous), len(again)
    fig.repeat_rate = rate(len(again), len(previous))


def repeat_figures(sales: Sequence[Sale], latest: PeriodFigures, today: dt.date) -> RepeatFigures:
    """Repeat buying for the latest period and over all purchase history up to ``today``."""
    days: dict[str, set[dt.date]] = defaultdict(set)
    for sale in sales:
        if sale.date <= today:
            days[sale.client_id].add(sale.date)
    return RepeatFigures(
        latest.start, latest.end, latest.previous_buyers or 0, latest.returned_buyers or 0,
        len(days), sum(1 for d in days.values() if len(d) >= 2),
    )
