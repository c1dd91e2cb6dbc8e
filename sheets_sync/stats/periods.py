"""Calendar periods and the client counts of each (S, N, L, E, the rates), with the value
of the clients lost."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sheets_sync.errors import ConfigError
from sheets_sync.model.rows import Client, Sale
from sheets_sync.stats.spells import Spell

PERIODS = ("month", "quarter", "year")
PERIOD_COUNT = 8
PERIOD_DAYS = {"month": 365.25 / 12, "quarter": 365.25 / 4, "year": 365.25}
YEAR = dt.timedelta(days=365)
BAD_PERIOD = "unknown period {period!r}: choose month, quarter or year"


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the month, quarter or year holding ``day``; ConfigError for another period."""
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == "year":
        return dt.date(day.year, 1, 1)
    raise ConfigError(BAD_PERIOD.format(period=period))


def shift_period(start: dt.date, period: str, by: int) -> dt.date:
    """The first day of the period ``by`` periods after the one starting on ``start`` (before it when negative)."""
    months = {"month": 1, "quarter": 3, "year": 12}[period] * by
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_label(start: dt.date, period: str) -> str:
    """'Nov 2026', '2026 Q4' or '2026'."""
    if period == "month":
        return f"{start:%b %Y}"
    if period == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def period_bounds(today: dt.date, period: str = "month", count: int = PERIOD_COUNT) -> list[tuple[dt.date, dt.date]]:
    """The last ``count`` calendar periods up to ``today``, oldest first, as inclusive
    (first day, last day). The last one is the period holding ``today`` and ends at it."""
    current = period_start(today, period)
    bounds = []
    for back in range(count - 1, -1, -1):
        start = shift_period(current, period, -back)
        end = min(shift_period(start, period, 1) - dt.timedelta(days=1), today)
        bounds.append((start, end))
    return bounds


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None (shown "n/a") when whole is 0."""
    return part / whole if whole else None


@dataclass
class PeriodFigures:
    """The client counts of one period and what follows from them.

    S active at the start, N joined and still there at the end, L there at the start and
    lost, E active at the end (so E = S - L + N); joined_and_left counts spells that began
    and ended inside the period (in neither N nor L).
    """

    start: dt.date
    end: dt.date
    label: str
    S: int
    N: int
    L: int
    E: int
    joined_and_left: int = 0
    partial: bool = False
    lost_value: float = 0.0
    replacement_cost: float = 0.0
    lost_without_value: int = 0
    repeat_rate: float | None = None
    previous_buyers: int | None = None
    returned_buyers: int | None = None

    @property
    def retention_rate(self) -> float | None:
        """(E - N) / S: the share of the clients at the start still there at the end."""
        return rate(self.E - self.N, self.S)

    @property
    def attrition_rate(self) -> float | None:
        """L / S: the share of the clients at the start lost during the period."""
        return rate(self.L, self.S)

    def to_json(self) -> dict[str, object]:
        """The period as the ``stats --json`` contract names it."""
        out: dict[str, object] = {
            "start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label,
            "S": self.S, "N": self.N, "L": self.L, "E": self.E,
            "retention_rate": rounded(self.retention_rate),
            "attrition_rate": rounded(self.attrition_rate),
            "joined_and_left": self.joined_and_left, "partial": self.partial,
            "lost_value": round(self.lost_value, 2),
            "replacement_cost": round(self.replacement_cost, 2),
            "lost_without_value": self.lost_without_value,
        }
        if self.previous_buyers is not None:
            out |= {"repeat_rate": rounded(self.repeat_rate), "previous_buyers": self.previous_buyers,
                    "returned_buyers": self.returned_buyers}
        return out


def rounded(value: float | None, digits: int = 4) -> float | None:
    """``value`` rounded for the JSON report; None stays None."""
    return None if value is None else round(value, digits)


def period_figures(spells: Sequence[Spell], start: dt.date, end: dt.date, label: str = "") -> PeriodFigures:
    """S, N, L, E and joined_and_left for the inclusive period [start, end]."""
    before = start - dt.timedelta(days=1)
    S = N = L = E = both = 0
    for spell in spells:  # Spell.active_at written out: a big book has 100,000 spells and 14 periods
        first, last = spell.start, spell.end
        was = (first is None or first <= before) and (last is None or last > before)
        now = (first is None or first <= end) and (last is None or last > end)
        began = first is not None and start <= first <= end
        ended = last is not None and start <= last <= end
        S += was
        E += now
        N += began and now
        L += was and ended
        both += began and ended
    return PeriodFigures(start, end, label, S, N, L, E, both)


class SpellCounts:
    """``period_figures`` of many periods over the same spells. A spell still open (no end)
    only counts by its start, so those are bisected in their sorted starts; the closed ones
    (the clients lost, a few of a book) are counted one by one as ``period_figures`` does."""

    def __init__(self, spells: Sequence[Spell]) -> None:
        self.closed = [s for s in spells if s.end is not None]
        starts = [s.start for s in spells if s.end is None]
        self.undated = starts.count(None)  # a client since before the records: active at every start
        self.starts = sorted(d for d in starts if d is not None)

    def figures(self, start: dt.date, end: dt.date, label: str = "") -> PeriodFigures:
        """``period_figures(spells, start, end, label)``."""
        fig = period_figures(self.closed, start, end, label)
        by_end = bisect.bisect_right(self.starts, end)
        fig.S += self.undated + bisect.bisect_right(self.starts, start - dt.timedelta(days=1))
        fig.E += self.undated + by_end
        fig.N += by_end - bisect.bisect_left(self.starts, start)
        return fig


def client_value(client: Client, sales: Sequence[Sale], on: dt.date) -> float | None:
    """A client's yearly value as of ``on``: their Sales in the 365 days up to ``on`` when
    there are any, else the Annual Value column, else None (unknown)."""
    window = [s.amount for s in sales if s.amount is not None and on - YEAR < s.date <= on]
    if window:
        return float(sum(window))
    return client.annual_value


def add_lost_value(fig: PeriodFigures, spells: Sequence[Spell], clients: dict[str, Client],
                    sales: dict[str, list[Sale]], multiplier: float) -> None:
    """Add to ``fig`` the yearly value of the spells ending in its period (``client_value``
    on the day they left; unknown ones counted apart) and the cost of replacing it."""
    for spell in spells:
        if spell.end is None or not fig.start <= spell.end <= fig.end:
            continue
        client = clients.get(spell.client_id)
        value = client_value(client, sales.get(spell.client_id, []), spell.end) if client else None
        if value is None:
            fig.lost_without_value += 1
        else:
            fig.lost_value += value
    fig.replacement_cost = fig.lost_value * multiplier
