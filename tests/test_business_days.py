import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.rules.business_days import add_business_days, is_business_day, on_or_after

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
holiday_sets = st.frozensets(days, max_size=10)


def test_weekends_and_holidays_are_not_business_days():
    assert is_business_day(dt.date(2026, 11, 23))  # Monday
    assert not is_business_day(dt.date(2026, 11, 21))  # Saturday
    assert not is_business_day(dt.date(2026, 12, 25), {dt.date(2026, 12, 25)})


def test_two_business_days_before_a_tuesday_is_the_friday():
    assert add_business_days(dt.date(2026, 12, 1), -2) == dt.date(2026, 11, 27)


@given(days, holiday_sets)
def test_on_or_after_is_the_first_business_day_not_before(day, holidays):
    result = on_or_after(day, holidays)
    assert result >= day and is_business_day(result, holidays)
    assert all(not is_business_day(day + dt.timedelta(d), holidays) for d in range((result - day).days))


@given(days, st.integers(min_value=-40, max_value=40), holiday_sets)
def test_adding_business_days_counts_exactly_that_many(day, count, holidays):
    result = add_business_days(day, count, holidays)
    lo, hi = sorted((day, result))
    between = [lo + dt.timedelta(d) for d in range(1, (hi - lo).days + 1)]
    if count < 0:
        between = [lo + dt.timedelta(d) for d in range(0, (hi - lo).days)]
    assert sum(is_business_day(d, holidays) for d in between) == abs(count)
    assert count == 0 or is_business_day(result, holidays)
