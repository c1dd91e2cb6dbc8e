"""Attrition and retention figures, as pure functions of a Book and ``today``.

Who counts as a client, and when, is decided once, by ``client_spells``: each client row
becomes the spells during which that client was a client. Every period figure (S, N, L, E,
the rates, the value lost) is then a count over spells, which is what makes
S - L + N == E hold exactly. docs/stats.md gives every definition and edge case.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sheets_sync.errors import ConfigError, FitError
from sheets_sync.model.rows import Book, Client, Sale, Task, Touch
from sheets_sync.model.settings import Settings
from sheets_sync.rules import refs
from sheets_sync.rules.cadence import days_since_touch, is_real_touch, past_at_risk_limit
from sheets_sync.stats.bgnbd import BGNBDFit

PERIODS = ("month", "quarter", "year")
PERIOD_COUNT = 8
PERIOD_DAYS = {"month": 365.25 / 12, "quarter": 365.25 / 4, "year": 365.25}
REMINDER_BUCKETS = ("0", "1", "2", "3", "4+")
CONVERT_BUCKETS = ("0", "1", "2", "3", "4", "5", "6", "7", "8+")
P_ALIVE_AT_RISK = 0.5  # below this, the client is more likely gone than not
NO_OWNER = "(no owner)"
YEAR = dt.timedelta(days=365)
BAD_PERIOD = "unknown period {period!r}: choose month, quarter or year"


# ---------------------------------------------------------------- who is a client, when


@dataclass(frozen=True)
class Spell:
    """A stretch of time during which someone was a client.

    ``start`` is the Client Since date (None: a client since before the records begin);
    ``end`` is the Lost On date (None: still a client). A client is active at the end of
    every day d with start <= d < end: active on the day they join, gone on the day they
    are lost.
    """

    client_id: str
    start: dt.date | None
    end: dt.date | None

    def active_at(self, day: dt.date) -> bool:
        """True when the client is a client at the end of ``day``."""
        return (self.start is None or self.start <= day) and (self.end is None or self.end > day)


def client_spells(client: Client) -> list[Spell] | None:
    """The spells of one client row, or None when the row cannot be placed in time.

    Prospects and No Sale rows are not clients: no spells. An Active row is a client from
    Client Since (before the records when blank) until Lost On if that is filled (a
    departure dated ahead, or a Status not yet updated). A Lost On before Client Since on
    an Active row means the client came back: one spell up to Lost On, a new one from
    Client Since. A Lost row without Lost On, or with Client Since after Lost On, was lost
    on a date nobody wrote down: None, and the row is left out of the counts.
    """
    if client.status not in ("Active", "Lost"):
        return []
    since, lost = client.client_since, client.lost_on
    cid = client.client_id
    if client.status == "Lost":
        if lost is None or (since is not None and lost < since):
            return None
        return [Spell(cid, since, lost)]
    if lost is None:
        return [Spell(cid, since, None)]
    if since is None or lost >= since:
        return [Spell(cid, since, lost)]
    return [Spell(cid, None, lost), Spell(cid, since, None)]


def _spells(clients: Iterable[Client]) -> tuple[list[Spell], list[str]]:
    spells: list[Spell] = []
    unplaced: list[str] = []
    for client in clients:
        found = client_spells(client)
        if found is None:
            unplaced.append(client.client_id)
        else:
            spells.extend(found)
    return spells, unplaced


# ---------------------------------------------------------------- periods


def _period_start(day: dt.date, period: str) -> dt.date:
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == "year":
        return dt.date(day.year, 1, 1)
    raise ConfigError(BAD_PERIOD.format(period=period))


def _shift(start: dt.date, period: str, by: int) -> dt.date:
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
    current = _period_start(today, period)
    bounds = []
    for back in range(count - 1, -1, -1):
        start = _shift(current, period, -back)
        end = min(_shift(start, period, 1) - dt.timedelta(days=1), today)
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
            "retention_rate": _round(self.retention_rate),
            "attrition_rate": _round(self.attrition_rate),
            "joined_and_left": self.joined_and_left, "partial": self.partial,
            "lost_value": round(self.lost_value, 2),
            "replacement_cost": round(self.replacement_cost, 2),
            "lost_without_value": self.lost_without_value,
        }
        if self.previous_buyers is not None:
            out |= {"repeat_rate": _round(self.repeat_rate), "previous_buyers": self.previous_buyers,
                    "returned_buyers": self.returned_buyers}
        return out


def _round(value: float | None, digits: int = 4) -> float | None:
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


# ---------------------------------------------------------------- money


def client_value(client: Client, sales: Sequence[Sale], on: dt.date) -> float | None:
    """A client's yearly value as of ``on``: their Sales in the 365 days up to ``on`` when
    there are any, else the Annual Value column, else None (unknown)."""
    window = [s.amount for s in sales if s.amount is not None and on - YEAR < s.date <= on]
    if window:
        return float(sum(window))
    return client.annual_value


def _add_lost_value(fig: PeriodFigures, spells: Sequence[Spell], clients: dict[str, Client],
                    sales: dict[str, list[Sale]], multiplier: float) -> None:
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


# ---------------------------------------------------------------- repeat buying


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
            "returned": _round(self.returned), "previous_buyers": self.previous_buyers,
            "returned_buyers": self.returned_buyers, "two_or_more": _round(self.two_or_more),
            "buyers": self.buyers, "repeat_buyers": self.repeat_buyers,
        }


def _add_repeat(fig: PeriodFigures, sales: Sequence[Sale], period: str) -> None:
    prev_start = _shift(fig.start, period, -1)
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


# ---------------------------------------------------------------- does "one more" work


def reminders_before_close(task: Task, touches: Iterable[Touch]) -> int:
    """How many messages the tool sent for a closed task up to and including its Done On
    day: Touches rows whose Ref is a message about it, ``task:<id>:...`` (failed sends do not count)."""
    if task.done_on is None:
        return 0
    return sum(1 for t in touches if t.date <= task.done_on and is_real_touch(t)
               and refs.parse_ref(t.ref).is_message_about(task.task_id))


def _bucket(n: int, buckets: Sequence[str]) -> str:
    return buckets[min(n, len(buckets) - 1)]


def task_messages(touches: Iterable[Touch]) -> dict[str, list[Touch]]:
    """The tool's messages about each task (Touches rows with a Ref ``task:<id>:...``), by task ID."""
    by_task: dict[str, list[Touch]] = defaultdict(list)
    for touch in touches:
        if refs.is_task_ref(touch.ref):
            by_task[refs.parse_ref(touch.ref).task_id].append(touch)
    return by_task


def reminders_to_close(tasks: Iterable[Task], touches: Sequence[Touch], start: dt.date, end: dt.date, *,
                       by_task: Mapping[str, list[Touch]] | None = None) -> dict[str, int]:
    """Tasks marked Done with Done On in [start, end], by the number of messages it took:
    {"0": n, "1": n, "2": n, "3": n, "4+": n}. Cancelled tasks are not closes. ``by_task``:
    ``task_messages(touches)`` when the caller has it already."""
    by_task = task_messages(touches) if by_task is None else by_task
    out = dict.fromkeys(REMINDER_BUCKETS, 0)
    for task in tasks:
        if task.status == "Done" and task.done_on is not None and start <= task.done_on <= end:
            out[_bucket(reminders_before_close(task, by_task.get(task.task_id, [])), REMINDER_BUCKETS)] += 1
    return out


def touches_before_conversion(client: Client, touches: Iterable[Touch]) -> int | None:
    """Outbound touches before a client's Client Since, when the log shows them as a
    prospect first (any touch dated before Client Since); else None."""
    if client.status not in ("Active", "Lost"):
        return None
    before = prospect_phase(client, touches)
    if not before:
        return None
    return sum(1 for t in before if t.direction == "Out")


@dataclass
class Conversion:
    """Touches it took prospects who became clients in the window."""

    touches: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """Count, median, mean and the distribution over 0..7, 8+ touches."""
        dist = dict.fromkeys(CONVERT_BUCKETS, 0)
        for n in self.touches:
            dist[_bucket(n, CONVERT_BUCKETS)] += 1
        return {
            "clients": len(self.touches),
            "median": statistics.median(self.touches) if self.touches else None,
            "mean": round(statistics.fmean(self.touches), 2) if self.touches else None,
            "distribution": dist,
        }


def conversions(clients: Iterable[Client], by_client: dict[str, list[Touch]], start: dt.date, end: dt.date) -> Conversion:
    """Touches before converting, for clients whose Client Since is in [start, end]."""
    out = Conversion()
    for client in clients:
        if client.client_since is None or not start <= client.client_since <= end:
            continue
        n = touches_before_conversion(client, by_client.get(client.client_id, []))
        if n is not None:
            out.touches.append(n)
    return out


def prospect_phase(client: Client, touches: Iterable[Touch]) -> list[Touch]:
    """The touches (that really happened) from the time the client was a prospect, by date:
    all of them for a Prospect or No Sale row, those before Client Since for a client."""
    real = [t for t in touches if is_real_touch(t)]
    if client.status in ("Prospect", "No Sale"):
        phase = real
    elif client.client_since is not None:
        phase = [t for t in real if t.date < client.client_since]
    else:
        phase = []
    return sorted(phase, key=lambda t: t.date)


def response_by_touch(clients: Iterable[Client], by_client: dict[str, list[Touch]], start: dt.date,
                      end: dt.date) -> dict[int, tuple[int, int]]:
    """For each touch number k of the prospect phase, counting every outbound touch (tool
    emails and staff calls alike) in date order: (sent in [start, end], answered).

    Touch k is answered when the prospect's first inbound touch on or after it comes before
    touch k+1 (or at any time after, when k was the last). Inbound touches before the first
    outbound one (the prospect called us) answer nothing.
    """
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for client in clients:
        phase = prospect_phase(client, by_client.get(client.client_id, []))
        sent = [t.date for t in phase if t.direction == "Out"]
        if not sent:
            continue
        first_reply = min((t.date for t in phase if t.direction == "In" and t.date >= sent[0]), default=None)
        for k, day in enumerate(sent, start=1):
            if first_reply is not None and day > first_reply:
                break  # after the answer the sequence is no longer "asking"
            if not start <= day <= end:
                continue
            following = sent[k] if k < len(sent) else None
            out[k][0] += 1
            out[k][1] += first_reply is not None and (following is None or first_reply < following)
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


# ---------------------------------------------------------------- at risk now


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
                "reason": self.reason, "p_alive": _round(self.p_alive, 3)}


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
    for client in clients:
        spells = client_spells(client)
        if client.status != "Active" or not spells or not any(s.active_at(today) for s in spells):
            continue
        days = days_since_touch(client, by_client.get(client.client_id, []), today)
        reasons = [r for r in [touch_risk(client, days, settings)] if r]
        p = p_alive.get(client.client_id)
        if p is not None and p < P_ALIVE_AT_RISK:
            reasons.append(f"purchase history says {p:.0%} likely still active")
        if reasons:
            out.append(AtRiskClient(client.client_id, client.name, client.owner, client.tier, days, reasons, p))
    out.sort(key=lambda r: (_tier_rank(r.tier), -(r.days_since_touch if r.days_since_touch is not None else 10**6), r.client_id))
    return out


# ---------------------------------------------------------------- who is likely gone


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
    from sheets_sync.stats import bgnbd

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


# ---------------------------------------------------------------- per owner


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
                "retention_rate": _round(ytd.retention_rate), "attrition_rate": _round(ytd.attrition_rate),
                "lost_value": round(ytd.lost_value, 2), "at_risk": self.at_risk,
                "reminders_to_close": self.reminders_to_close}


# ---------------------------------------------------------------- the report


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
    response_by_touch: dict[int, tuple[int, int]]
    per_owner: list[OwnerFigures]
    window_start: dt.date
    currency: str = "$"
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
            "reminders_to_close_share": {k: _round(rate(v, closed)) for k, v in self.reminders_to_close.items()},
            "touches_to_convert": self.conversion.to_json(),
            "response_by_touch": {str(k): {"sent": s, "answered": a, "rate": _round(rate(a, s))}
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


def _figures(spells: Sequence[Spell], start: dt.date, end: dt.date, label: str, clients: dict[str, Client],
             sales: dict[str, list[Sale]], multiplier: float, full_end: dt.date) -> PeriodFigures:
    fig = period_figures(spells, start, end, label)
    fig.partial = end < full_end
    _add_lost_value(fig, spells, clients, sales, multiplier)
    return fig


def compute_stats(book: Book, today: dt.date, period: str = "month",
                  touches_by_client: Mapping[str, list[Touch]] | None = None) -> StatsReport:
    """Every figure of the stats report for ``book`` as of ``today``.

    The last 8 periods of the given length ('month', 'quarter' or 'year') up to today, the
    year to date, the at-risk list, the "one more" figures over the window those periods
    cover, per-owner figures and, when the book has a Sales sheet, repeat buying and the
    BG/NBD purchase model. ``touches_by_client``: ``book.touches`` grouped by client ID, when
    the caller has them grouped already (a plan has). Raises ConfigError for an unknown
    period; never for thin data.
    """
    if period not in PERIODS:
        raise ConfigError(BAD_PERIOD.format(period=period))
    settings = book.settings
    multiplier = float(settings.replacement_multiplier)
    clients = {c.client_id: c for c in book.clients}
    spells, unplaced = _spells(book.clients)
    sales_by: dict[str, list[Sale]] = defaultdict(list)
    for sale in book.sales:
        sales_by[sale.client_id].append(sale)
    by_client = touches_by_client if touches_by_client is not None else _by_client(book.touches)

    periods = []
    for start, end in period_bounds(today, period):
        full_end = _shift(start, period, 1) - dt.timedelta(days=1)
        fig = _figures(spells, start, end, period_label(start, period), clients, sales_by, multiplier, full_end)
        if book.has_sales:
            _add_repeat(fig, book.sales, period)
        periods.append(fig)
    year_start = dt.date(today.year, 1, 1)
    # The year to date is complete by definition: not flagged partial.
    ytd = _figures(spells, year_start, today, f"{today.year} to date", clients, sales_by, multiplier, today)
    window = periods[0].start

    fit: BGNBDFit | None = None
    outlook: list[ClientOutlook] = []
    reason = ""
    if book.has_sales:
        fit, outlook, reason = purchase_outlook(book.sales, today, period)
    p_alive = {o.client_id: o.p_alive for o in outlook}
    risky = at_risk(book.clients, by_client, settings, today, p_alive)

    per_owner = []
    messages = task_messages(book.touches)
    owners = sorted({c.owner or NO_OWNER for c in book.clients})
    for owner in owners:
        mine = [c for c in book.clients if (c.owner or NO_OWNER) == owner]
        ids = {c.client_id for c in mine}
        mine_spells = [s for s in spells if s.client_id in ids]
        per_owner.append(OwnerFigures(
            owner,
            _figures(mine_spells, year_start, today, ytd.label, clients, sales_by, multiplier, today),
            sum(1 for r in risky if r.client_id in ids),
            reminders_to_close([t for t in book.tasks if t.client_id in ids], book.touches, window, today,
                               by_task=messages),
        ))

    notes = [f"{cid}: Status is Lost but the date they left is unknown (Lost On blank or before "
             f"Client Since): left out of the counts; fill in Lost On" for cid in unplaced]
    notes += [f"{c.client_id}: Status is Active but Lost On is {c.lost_on.isoformat()}: counted as lost "
              f"on that day; set Status to Lost, or, if they came back, Client Since to their return"
              for c in book.clients if c.status == "Active" and c.lost_on is not None and c.lost_on <= today
              and (c.client_since is None or c.lost_on >= c.client_since)]
    return StatsReport(
        today=today, period=period, periods=periods, year_to_date=ytd, at_risk=risky,
        reminders_to_close=reminders_to_close(book.tasks, book.touches, window, today, by_task=messages),
        conversion=conversions(book.clients, by_client, window, today),
        response_by_touch=response_by_touch(book.clients, by_client, window, today),
        per_owner=per_owner, window_start=window, currency=str(settings.currency),
        replacement_multiplier=multiplier, has_sales=book.has_sales,
        repeat=repeat_figures(book.sales, periods[-1], today) if book.has_sales else None,
        bgnbd=fit, bgnbd_reason=reason, outlook=outlook, notes=notes,
    )
