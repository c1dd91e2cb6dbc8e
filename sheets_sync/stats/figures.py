"""Every figure of ``sheets-sync stats``, as pure functions of a Book and ``today``:
``compute_stats`` puts together the periods (stats.periods over stats.spells), repeat
buying, the at-risk list, the "one more" figures, the purchase model and the per-owner
table. docs/stats.md gives every definition and edge case.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sheets_sync.errors import ConfigError
from sheets_sync.model.rows import Book, Client, Sale, Touch
from sheets_sync.owner_names import owner_names
from sheets_sync.stats.bgnbd import BGNBDFit
from sheets_sync.stats.fit_cache import FitCache
from sheets_sync.stats.followup import (
    REMINDER_BUCKETS,
    Conversion,
    closes,
    conversions,
    response_by_touch,
    task_messages,
    touch_label,
)
from sheets_sync.stats.outlook import ClientOutlook, purchase_outlook
from sheets_sync.stats.periods import (
    BAD_PERIOD,
    PERIODS,
    PeriodFigures,
    SpellCounts,
    add_lost_value,
    period_bounds,
    period_label,
    rate,
    rounded,
    shift_period,
)
from sheets_sync.stats.repeat import RepeatFigures, add_repeat, repeat_figures
from sheets_sync.stats.risk import AtRiskClient, at_risk
from sheets_sync.stats.spells import Spell, spells_of

NO_OWNER = "(no owner)"


@dataclass
class OwnerFigures:
    """Key figures for the clients of one staff member, over the year to date."""

    owner: str
    year_to_date: PeriodFigures
    at_risk: int
    reminders_to_close: dict[str, int]

    def to_json(self) -> dict[str, object]:
        """The owner's figures as ``stats --json`` names them."""
        ytd = self.year_to_date
        return {"owner": self.owner, "S": ytd.S, "N": ytd.N, "L": ytd.L, "E": ytd.E,
                "retention_rate": rounded(ytd.retention_rate), "attrition_rate": rounded(ytd.attrition_rate),
                "lost_value": round(ytd.lost_value, 2), "at_risk": self.at_risk,
                "reminders_to_close": self.reminders_to_close}



@dataclass
class StatsReport:
    """Everything ``sheets-sync stats`` shows; ``to_json`` is the ``--json`` contract."""

    today: dt.date
    period: str
    periods: list[PeriodFigures]
    year_to_date: PeriodFigures
    at_risk: list[AtRiskClient]
    reminders_to_close: dict[str, int]
    conversion: Conversion
    response_by_touch: dict[int, tuple[int, int]]  # touch number -> (sent, answered); after the sequence pooled
    per_owner: list[OwnerFigures]
    window_start: dt.date
    currency: str = "$"
    owner_names: dict[str, str] = field(default_factory=dict)  # lower-case owner -> Staff Name (terminal only)
    prospect_touches: int = 0  # the sequence's length: touch numbers above it are "8+" (0: none)
    replacement_multiplier: float = 5.0
    has_sales: bool = False
    repeat: RepeatFigures | None = None
    bgnbd: BGNBDFit | None = None
    bgnbd_reason: str = ""
    outlook: list[ClientOutlook] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def tasks_closed(self) -> int:
        """Tasks closed in the window."""
        return sum(self.reminders_to_close.values())

    def to_json(self) -> dict[str, object]:
        """One JSON-ready object: periods, at_risk, reminders_to_close and, with a Sales
        sheet, repeat_rate and bgnbd (null with bgnbd_reason when it could not be fitted)."""
        closed = self.tasks_closed
        out: dict[str, object] = {
            "today": self.today.isoformat(), "period": self.period,
            "window_start": self.window_start.isoformat(),
            "periods": [p.to_json() for p in self.periods],
            "year_to_date": self.year_to_date.to_json(),
            "at_risk": [a.to_json() for a in self.at_risk],
            "reminders_to_close": dict(self.reminders_to_close),
            "reminders_to_close_share": {k: rounded(rate(v, closed)) for k, v in self.reminders_to_close.items()},
            "touches_to_convert": self.conversion.to_json(),
            "response_by_touch": {touch_label(k, self.prospect_touches): {"sent": s, "answered": a,
                                                                          "rate": rounded(rate(a, s))}
                                  for k, (s, a) in self.response_by_touch.items()},
            "per_owner": [o.to_json() for o in self.per_owner],
            "replacement_multiplier": self.replacement_multiplier,
            "notes": list(self.notes),
        }
        if self.has_sales:
            out["repeat_rate"] = self.repeat.to_json() if self.repeat else None
            out["bgnbd"] = self.bgnbd.to_json() if self.bgnbd is not None else None
            out["bgnbd_reason"] = self.bgnbd_reason or None
            out["clients_outlook"] = [o.to_json() for o in self.outlook]
        return out


def _by_client(touches: Iterable[Touch]) -> dict[str, list[Touch]]:
    grouped: dict[str, list[Touch]] = defaultdict(list)
    for touch in touches:
        grouped[touch.client_id].append(touch)
    return grouped


def _figures(spells: SpellCounts, start: dt.date, end: dt.date, label: str, clients: dict[str, Client],
             sales: dict[str, list[Sale]], multiplier: float, full_end: dt.date) -> PeriodFigures:
    fig = spells.figures(start, end, label)
    fig.partial = end < full_end
    add_lost_value(fig, spells.closed, clients, sales, multiplier)  # an open spell lost nothing
    return fig


def _owners_of(rows: Sequence[Client], by_id: Mapping[str, Client]) -> Callable[[str], Iterable[str]]:
    """The owners a client ID counts for: the owner of each row holding it (``by_id``: the
    rows by ID), none for an ID no row holds."""
    shared: dict[str, set[str]] = {}
    if len(by_id) < len(rows):  # an ID on several rows (a problem the check reports)
        count = Counter(c.client_id for c in rows)
        for client in rows:
            if count[client.client_id] > 1:
                shared.setdefault(client.client_id, set()).add(client.owner or NO_OWNER)

    def owners_of(client_id: str) -> Iterable[str]:
        if client_id in shared:
            return shared[client_id]
        client = by_id.get(client_id)
        return () if client is None else (client.owner or NO_OWNER,)

    return owners_of


def compute_stats(book: Book, today: dt.date, period: str = "month",
                  touches_by_client: Mapping[str, list[Touch]] | None = None,
                  fit_cache: FitCache | None = None) -> StatsReport:
    """Every figure of the stats report for ``book`` as of ``today``.

    The last 8 periods of the given length ('month', 'quarter' or 'year') up to today, the
    year to date, the at-risk list, the "one more" figures over the window those periods
    cover, per-owner figures and, when the book has a Sales sheet, repeat buying and the
    BG/NBD purchase model. ``touches_by_client``: ``book.touches`` grouped by client ID, when
    the caller has them grouped already (a plan has). ``fit_cache``: where the last BG/NBD
    fit is kept, so the same data is not fitted twice (the figures are the same). Raises ConfigError for an unknown
    period; never for thin data.
    """
    if period not in PERIODS:
        raise ConfigError(BAD_PERIOD.format(period=period))
    settings = book.settings
    prospect_days = tuple(settings.prospect_touch_days)
    multiplier = float(settings.replacement_multiplier)
    clients = {c.client_id: c for c in book.clients}
    spells, unplaced = spells_of(book.clients)
    counts = SpellCounts(spells)
    sales_by: dict[str, list[Sale]] = defaultdict(list)
    for sale in book.sales:
        sales_by[sale.client_id].append(sale)
    by_client = touches_by_client if touches_by_client is not None else _by_client(book.touches)

    periods = []
    for start, end in period_bounds(today, period):
        full_end = shift_period(start, period, 1) - dt.timedelta(days=1)
        fig = _figures(counts, start, end, period_label(start, period), clients, sales_by, multiplier, full_end)
        if book.has_sales:
            add_repeat(fig, book.sales, period)
        periods.append(fig)
    year_start = dt.date(today.year, 1, 1)
    # The year to date is complete by definition: not flagged partial.
    ytd = _figures(counts, year_start, today, f"{today.year} to date", clients, sales_by, multiplier, today)
    window = periods[0].start

    fit: BGNBDFit | None = None
    outlook: list[ClientOutlook] = []
    reason = ""
    if book.has_sales:
        fit, outlook, reason = purchase_outlook(book.sales, today, period, fit_cache)
    p_alive = {o.client_id: o.p_alive for o in outlook}
    risky = at_risk(book.clients, by_client, settings, today, p_alive)

    messages = task_messages(book.touches)
    closed = list(closes(book.tasks, window, today, messages))
    # One pass over the spells, the at-risk list and the closes, not one per owner.
    owners_of = _owners_of(book.clients, clients)
    owner_spells: dict[str, list[Spell]] = defaultdict(list)
    for spell in spells:
        for owner in owners_of(spell.client_id):
            owner_spells[owner].append(spell)
    owner_risky: dict[str, int] = defaultdict(int)
    for risk in risky:
        for owner in owners_of(risk.client_id):
            owner_risky[owner] += 1
    owner_closes: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(REMINDER_BUCKETS, 0))
    for task, bucket in closed:
        for owner in owners_of(task.client_id):
            owner_closes[owner][bucket] += 1
    per_owner = [OwnerFigures(
        owner,
        _figures(SpellCounts(owner_spells[owner]), year_start, today, ytd.label, clients, sales_by, multiplier, today),
        owner_risky[owner], owner_closes[owner],
    ) for owner in sorted({c.owner or NO_OWNER for c in book.clients})]
    all_closes = dict.fromkeys(REMINDER_BUCKETS, 0)
    for _, bucket in closed:
        all_closes[bucket] += 1

    # One note for all of them: a book kept for years has dozens
    notes = [f"{', '.join(unplaced)}: Status is Lost but the date they left is unknown (Lost On blank or before "
             f"Client Since): left out of the counts; fill in Lost On"] if unplaced else []
    notes += [f"{c.client_id}: Status is Active but Lost On is {c.lost_on.isoformat()}: counted as lost "
              f"on that day; set Status to Lost, or, if they came back, Client Since to their return"
              for c in book.clients if c.status == "Active" and c.lost_on is not None and c.lost_on <= today
              and (c.client_since is None or c.lost_on >= c.client_since)]
    return StatsReport(
        today=today, period=period, periods=periods, year_to_date=ytd, at_risk=risky,
        reminders_to_close=all_closes,
        conversion=conversions(book.clients, by_client, window, today),
        response_by_touch=response_by_touch(book.clients, by_client, window, today, len(prospect_days)),
        prospect_touches=len(prospect_days), owner_names=owner_names(book),
        per_owner=per_owner, window_start=window, currency=str(settings.currency),
        replacement_multiplier=multiplier, has_sales=book.has_sales,
        repeat=repeat_figures(book.sales, periods[-1], today) if book.has_sales else None,
        bgnbd=fit, bgnbd_reason=reason, outlook=outlook, notes=notes,
    )
