"""Period figures, value at stake, repeat buying and the at-risk list, against hand-worked
examples (the working is in each docstring) and the identities that must always hold."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.errors import ConfigError
from sheets_sync.model.rows import Book, Client, Sale, Touch
from sheets_sync.model.settings import Settings
from sheets_sync.stats.figures import compute_stats
from sheets_sync.stats.periods import (
    SpellCounts,
    client_value,
    period_bounds,
    period_figures,
    period_label,
)
from sheets_sync.stats.risk import at_risk
from sheets_sync.stats.spells import Spell, client_spells

D = dt.date
TODAY = D(2026, 11, 30)
NOV = (D(2026, 11, 1), D(2026, 11, 30))


def client(cid: str, status: str = "Active", since: dt.date | None = None, lost: dt.date | None = None,
           **kw) -> Client:
    return Client(client_id=cid, name=f"Name {cid}", row=2, status=status, client_since=since,
                  lost_on=lost, **kw)


def book(clients, touches=(), sales=(), tasks=(), has_sales=False) -> Book:
    return Book(clients=list(clients), tasks=list(tasks), touches=list(touches), sales=list(sales),
                problems=[], tables={}, headers={}, missing_tool_columns={}, has_sales=has_sales)


# The November example: each client's part in S, N, L, E is worked out beside it.
NOVEMBER = [
    client("C1", since=D(2026, 1, 10)),                                # S, E
    client("C2", since=D(2026, 11, 1)),                                # N (joined on the first day)
    client("C3", "Lost", D(2025, 5, 1), D(2026, 11, 1), annual_value=1200.0),  # S, L (lost on the first day)
    client("C4", "Lost", D(2026, 11, 5), D(2026, 11, 20)),            # joined and left: neither N nor L
    client("C5", "Prospect", D(2026, 11, 3)),                          # not a client
    client("C6", "Active", D(2026, 11, 10), D(2025, 6, 1)),            # came back: N
    client("C7", "Lost", D(2024, 1, 1)),                               # Lost, date unknown: left out
    client("C8", since=D(2026, 12, 1)),                                # joins after the period
    client("C9", "Lost", D(2026, 10, 31), D(2026, 11, 30), annual_value=500.0),  # S, L (lost on the last day)
    client("C10", "No Sale", D(2026, 11, 2)),                          # not a client
    client("C11"),                                                     # since before the records: S, E
]


def test_november_hand_worked():
    """S = C1, C3, C9, C11 = 4; N = C2, C6 = 2; L = C3, C9 = 2; E = C1, C2, C6, C11 = 4;
    joined and left: C4. Retention (E - N) / S = (4 - 2) / 4 = 0.5; attrition L / S = 0.5."""
    report = compute_stats(book(NOVEMBER), TODAY)
    nov = report.periods[-1]
    assert (nov.start, nov.end) == NOV
    assert (nov.S, nov.N, nov.L, nov.E, nov.joined_and_left) == (4, 2, 2, 4, 1)
    assert nov.retention_rate == 0.5 and nov.attrition_rate == 0.5
    assert not nov.partial  # today is the month's last day
    assert len(report.notes) == 1 and "C7" in report.notes[0]


def test_october_of_the_same_book():
    """October: S = C1, C3, C11 (C6's first spell ended 2025-06-01) = 3; C9 joined on
    31 Oct and is there at the end: N = 1; nobody lost; E = 4; retention (4 - 1) / 3 = 1."""
    octo = compute_stats(book(NOVEMBER), TODAY).periods[-2]
    assert octo.label == "Oct 2026"
    assert (octo.S, octo.N, octo.L, octo.E) == (3, 1, 0, 4)
    assert octo.retention_rate == 1.0 and octo.attrition_rate == 0.0


def test_spells_rules():
    assert client_spells(client("P", "Prospect", D(2026, 1, 1))) == []
    assert client_spells(client("X", "No Sale", D(2026, 1, 1))) == []
    assert client_spells(client("L", "Lost")) is None
    assert client_spells(client("L", "Lost", D(2026, 5, 1), D(2026, 4, 1))) is None
    assert client_spells(client("L", "Lost", None, D(2026, 4, 1))) == [Spell("L", None, D(2026, 4, 1))]
    assert client_spells(client("A", "Active", D(2026, 5, 1), D(2026, 4, 1))) == [
        Spell("A", None, D(2026, 4, 1)), Spell("A", D(2026, 5, 1), None)]
    # Active with a Lost On after Client Since: the date wins (a departure dated ahead).
    assert client_spells(client("A", "Active", D(2026, 1, 1), D(2026, 12, 15))) == [
        Spell("A", D(2026, 1, 1), D(2026, 12, 15))]


def test_active_row_with_a_past_lost_on_is_counted_lost_and_noted():
    """Active since 1 Jan 2026 with Lost On 10 Nov 2026: lost in November (S 1, L 1, E 0)
    and a note asks staff to fix the Status; a Lost On still ahead (15 Dec) is no note."""
    report = compute_stats(book([client("A", "Active", D(2026, 1, 1), D(2026, 11, 10)),
                                 client("B", "Active", D(2026, 1, 1), D(2026, 12, 15))]), TODAY)
    nov = report.periods[-1]
    assert (nov.S, nov.L, nov.E) == (2, 1, 1)
    assert len(report.notes) == 1 and report.notes[0].startswith("A: Status is Active but Lost On is 2026-11-10")


def test_active_on_the_day_they_join_gone_on_the_day_they_leave():
    spell = Spell("C", D(2026, 3, 10), D(2026, 3, 20))
    assert not spell.active_at(D(2026, 3, 9))
    assert spell.active_at(D(2026, 3, 10)) and spell.active_at(D(2026, 3, 19))
    assert not spell.active_at(D(2026, 3, 20))


def test_no_clients_at_the_start_is_not_a_rate():
    """S = 0: retention and attrition are n/a (None), not 0% and not a division error."""
    fig = period_figures([Spell("C", D(2026, 11, 5), None)], *NOV)
    assert (fig.S, fig.N, fig.E) == (0, 1, 1)
    assert fig.retention_rate is None and fig.attrition_rate is None
    assert compute_stats(book([]), TODAY).periods[-1].to_json()["retention_rate"] is None


def test_client_who_leaves_and_comes_back_in_one_period():
    """Client since 2025, lost 5 Nov, back 20 Nov (Status Active, Client Since 20 Nov, Lost
    On 5 Nov): one spell ends in November (L), a new one starts (N). S 1, L 1, N 1, E 1."""
    fig = period_figures(client_spells(client("C", "Active", D(2026, 11, 20), D(2026, 11, 5))), *NOV)
    assert (fig.S, fig.N, fig.L, fig.E) == (1, 1, 1, 1)


def test_periods_are_calendar_periods_up_to_today():
    months = period_bounds(D(2026, 2, 10), "month")
    assert len(months) == 8
    assert months[0] == (D(2025, 7, 1), D(2025, 7, 31))
    assert months[-2] == (D(2026, 1, 1), D(2026, 1, 31))
    assert months[-1] == (D(2026, 2, 1), D(2026, 2, 10))
    quarters = period_bounds(D(2026, 11, 22), "quarter")
    assert quarters[0] == (D(2025, 1, 1), D(2025, 3, 31)) and quarters[-1] == (D(2026, 10, 1), D(2026, 11, 22))
    years = period_bounds(D(2026, 11, 22), "year")
    assert years[0] == (D(2019, 1, 1), D(2019, 12, 31)) and years[-1] == (D(2026, 1, 1), D(2026, 11, 22))
    assert [period_label(s, p) for s, p in ((D(2026, 10, 1), "month"), (D(2026, 10, 1), "quarter"),
                                            (D(2026, 1, 1), "year"))] == ["Oct 2026", "2026 Q4", "2026"]


def test_unknown_period_is_a_usage_error():
    with pytest.raises(ConfigError, match="month, quarter or year"):
        compute_stats(book([]), TODAY, "week")


def test_year_to_date():
    """1 Jan to 30 Nov 2026: at the start C3 and C11 = 2 (C6's first spell ended in 2025);
    joined and still there at the end: C1, C2, C6 = 3; lost among the starters: C3 = 1;
    joined and left inside the year: C4 and C9 (31 Oct to 30 Nov) = 2; E = 2 - 1 + 3 = 4."""
    ytd = compute_stats(book(NOVEMBER), TODAY).year_to_date
    assert (ytd.start, ytd.end) == (D(2026, 1, 1), TODAY)
    assert (ytd.S, ytd.N, ytd.L, ytd.E, ytd.joined_and_left) == (2, 3, 1, 4, 2)


# ---------------------------------------------------------------- value at stake

SALES = [
    Sale(D(2025, 10, 1), "C3", 2, 900.0),   # more than a year before C3 left on 1 Nov 2026
    Sale(D(2026, 3, 1), "C3", 3, 1000.0),   # inside the year before
    Sale(D(2026, 10, 5), "C1", 4, 300.0),
    Sale(D(2026, 11, 2), "C1", 5, 300.0),
    Sale(D(2026, 11, 2), "C1", 6, 50.0),    # same day: one purchase day
    Sale(D(2026, 11, 15), "C2", 7, 400.0),
    Sale(D(2026, 10, 20), "C11", 8, None),  # no amount: still a purchase
]


def test_value_of_what_was_lost():
    """Lost in November: C3 (Sales in the year up to 1 Nov 2026: 1,000; the 900 of Oct
    2025 is older; Sales win over Annual Value 1,200), C9 (no Sales: Annual Value 500) and
    C4, who joined and left (no value: counted as unknown). Lost value 1,500; cost to
    replace at 5x: 7,500."""
    nov = compute_stats(book(NOVEMBER, sales=SALES, has_sales=True), TODAY).periods[-1]
    assert nov.lost_value == 1500.0 and nov.replacement_cost == 7500.0
    assert nov.lost_without_value == 1


def test_client_value_falls_back_to_annual_value():
    c = client("C", annual_value=800.0)
    assert client_value(c, [], D(2026, 1, 1)) == 800.0
    assert client_value(client("C"), [], D(2026, 1, 1)) is None
    # the window is the 365 days up to and including the day: 2 Jan 2025 .. 1 Jan 2026
    sales = [Sale(D(2025, 1, 1), "C", 2, 10.0), Sale(D(2025, 1, 2), "C", 3, 20.0), Sale(D(2026, 1, 1), "C", 4, 40.0)]
    assert client_value(c, sales, D(2026, 1, 1)) == 60.0


def test_replacement_multiplier_comes_from_settings():
    settings = Settings()
    settings.values["replacement_multiplier"] = 6.0
    b = book(NOVEMBER, sales=SALES, has_sales=True)
    b.settings = settings
    assert compute_stats(b, TODAY).periods[-1].replacement_cost == 9000.0


# ---------------------------------------------------------------- repeat buying


def test_repeat_rate_hand_worked():
    """October buyers: C1, C11. November buyers: C1, C2. Bought again in November: C1 of
    the 2 = 50%. Buying clients up to today: C1, C2, C3, C11 = 4; on two or more days: C1
    (5 Oct, 2 Nov) and C3 (Oct 2025, Mar 2026) = 50%."""
    report = compute_stats(book(NOVEMBER, sales=SALES, has_sales=True), TODAY)
    assert report.periods[-1].repeat_rate == 0.5
    rep = report.repeat.to_json()
    assert rep["returned"] == 0.5 and rep["previous_buyers"] == 2 and rep["returned_buyers"] == 1
    assert rep["two_or_more"] == 0.5 and rep["buyers"] == 4 and rep["repeat_buyers"] == 2


def test_repeat_rate_without_previous_buyers_is_na():
    report = compute_stats(book([client("C1", since=D(2026, 1, 1))], sales=[Sale(D(2026, 11, 3), "C1", 2, 1.0)],
                                has_sales=True), TODAY)
    assert report.periods[-1].repeat_rate is None
    assert report.repeat.two_or_more == 0.0


# ---------------------------------------------------------------- at risk


def touch(cid: str, day: dt.date, **kw) -> Touch:
    return Touch(date=day, client_id=cid, row=2, **kw)


def test_at_risk_hand_worked():
    """Today 30 Nov; at risk after 27 days (A and B); check-in every 30 (A), 60 (B), 90 (C).
    A1 touched 28 days ago (2 Nov): at risk (past 27). A2 touched 27 days ago: not yet.
    B1 61 days ago (30 Sep): past its 60-day check-in. C1 80 days ago: within 90. C2 91 days
    ago: past 90. N1 never touched, client since 10 days: fine. N2 no touch and no date:
    at risk. L1 is Lost. The inbound touch of A3 (1 Nov, 29 days) counts as contact; its
    future-dated touch does not."""
    clients = [
        client("A1", tier="A", owner="ann"), client("A2", tier="A"), client("A3", tier="A"),
        client("B1", tier="B", owner="bob"), client("C1", tier="C"), client("C2", tier="C"),
        client("N1", tier="A", since=D(2026, 11, 20)), client("N2", tier="B"),
        client("L1", "Lost", D(2025, 1, 1), D(2026, 1, 1), tier="A"),
    ]
    touches = [
        touch("A1", D(2026, 11, 2)), touch("A2", D(2026, 11, 3)),
        touch("A3", D(2026, 11, 1), direction="In"), touch("A3", D(2026, 12, 5)),
        touch("B1", D(2026, 9, 30)), touch("C1", D(2026, 9, 11)), touch("C2", D(2026, 8, 31)),
        touch("L1", D(2026, 1, 1)),
    ]
    b = book(clients, touches)
    risky = compute_stats(b, TODAY).at_risk
    got = [(r.client_id, r.days_since_touch) for r in risky]
    # A first, then B, then C; within a tier the longest silence first, and no touch on
    # record at all counts as the longest.
    assert got == [("A3", 29), ("A1", 28), ("N2", None), ("B1", 61), ("C2", 91)]
    by_id = {r.client_id: r for r in risky}
    assert by_id["A1"].reason == "no touch for 28 days (at risk after 27)"
    assert by_id["B1"].reason == "no touch for 61 days (tier B check-in every 60)"
    assert by_id["N2"].reason == "no touch on record"
    assert by_id["A1"].to_json() == {"client_id": "A1", "name": "Name A1", "owner": "ann", "tier": "A",
                                     "days_since_touch": 28, "reason": "no touch for 28 days (at risk after 27)",
                                     "p_alive": None}


def test_the_owners_list_is_the_at_risk_rule_of_the_stats_list():
    """Every client on the owner's list (the plan's at-risk, A and B past the limit) is on the
    statistics' at-risk list with the same days, for the hand-worked book above (A3 has a
    touch dated after today)."""
    from sheets_sync.rules.plan import make_plan

    clients = [client("A1", tier="A"), client("A2", tier="A"), client("A3", tier="A"),
               client("B1", tier="B"), client("C2", tier="C")]
    touches = [touch("A1", D(2026, 11, 2)), touch("A2", D(2026, 11, 3)),
               touch("A3", D(2026, 11, 1), direction="In"), touch("A3", D(2026, 12, 5)),
               touch("B1", D(2026, 9, 30)), touch("C2", D(2026, 8, 31))]
    b = book(clients, touches)
    owners = {r.client.client_id: r.days for r in make_plan(b, TODAY).at_risk}
    stats = {r.client_id: r.days_since_touch for r in compute_stats(b, TODAY).at_risk}
    assert owners == {"A1": 28, "A3": 29, "B1": 61}
    assert all(stats[cid] == days for cid, days in owners.items())


def test_failed_sends_are_not_contact():
    c = client("A1", tier="A", since=D(2025, 1, 1))
    touches = [touch("A1", D(2026, 10, 1)), touch("A1", D(2026, 11, 25), result="Failed: mailbox full")]
    assert [r.days_since_touch for r in at_risk([c], {"A1": touches}, Settings(), TODAY)] == [60]


def test_low_purchase_probability_adds_a_reason():
    c = client("B1", tier="B", since=D(2025, 1, 1))
    touches = {"B1": [touch("B1", D(2026, 11, 20))]}
    risky = at_risk([c], touches, Settings(), TODAY, p_alive={"B1": 0.2})
    assert [r.reason for r in risky] == ["purchase history says 20% likely still active"]
    assert at_risk([c], touches, Settings(), TODAY, p_alive={"B1": 0.6}) == []


# ---------------------------------------------------------------- identities

days = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31))
clients_strategy = st.lists(
    st.builds(lambda i, status, since, lost: client(f"C{i}", status, since, lost),
              st.integers(0, 10**6), st.sampled_from(["Active", "Lost", "Prospect", "No Sale"]),
              st.none() | days, st.none() | days),
    max_size=25,
)


@given(clients_strategy, st.sampled_from(["month", "quarter", "year"]),
       st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)))
def test_identities_hold_for_any_client_list(clients, period, today):
    """S - L + N == E in every period; rates are fractions in [0, 1] or None exactly when
    S == 0; retention + attrition == 1; consecutive periods chain (E of one is S of the next)."""
    report = compute_stats(book(clients), today, period)
    for fig in [*report.periods, report.year_to_date]:
        assert fig.S - fig.L + fig.N == fig.E
        for value in (fig.retention_rate, fig.attrition_rate):
            assert (value is None) == (fig.S == 0)
            assert value is None or 0.0 <= value <= 1.0
        if fig.S:
            assert fig.retention_rate + fig.attrition_rate == pytest.approx(1.0)
    for before, after in zip(report.periods, report.periods[1:], strict=False):
        assert before.E == after.S


_DAYS = st.one_of(st.none(), st.dates(min_value=D(2026, 9, 1), max_value=D(2027, 1, 31)))


@given(st.lists(st.tuples(_DAYS, _DAYS), max_size=30),
       st.dates(min_value=D(2026, 10, 1), max_value=D(2026, 12, 31)), st.integers(0, 60))
def test_spell_counts_are_period_figures(spans: list[tuple[dt.date | None, dt.date | None]], start: dt.date,
                                         length: int) -> None:
    spells = [Spell(f"C{i}", first, last) for i, (first, last) in enumerate(spans)]
    end = start + dt.timedelta(days=length)
    assert SpellCounts(spells).figures(start, end, "x") == period_figures(spells, start, end, "x")
