"""How days, amounts and ordinals are written for people."""

import datetime as dt

from sheets_sync.display import fmt_day, guessed_name, money, ordinal


def test_ordinal_teens_take_th():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112, 123)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th", "112th", "123rd"]


def test_fmt_day_never_writes_the_year():
    assert fmt_day(dt.date(2026, 12, 1)) == "Tue 1 Dec"
    assert fmt_day(dt.date(2031, 12, 1)) == "Mon 1 Dec"


def test_fmt_day_writes_the_year_only_when_it_is_not_todays():
    today = dt.date(2026, 11, 23)
    assert fmt_day(dt.date(2026, 12, 1), today) == "Tue 1 Dec"
    assert fmt_day(dt.date(2022, 3, 7), today) == "Mon 7 Mar 2022"
    assert fmt_day(dt.date(2027, 1, 4), today) == "Mon 4 Jan 2027"


def test_a_name_is_guessed_from_an_address_only_as_a_fallback():
    assert guessed_name("tom.oneill@agency.example") == "Tom Oneill"
    assert guessed_name("mary-jo_smith@x.example") == "Mary Jo Smith"
    assert guessed_name("") == "Your account manager"


def test_money_drops_zero_cents_only():
    assert money(3323) == "$3,323"
    assert money(3323.5) == "$3,323.50"
    assert money(0.0, "€") == "€0"
    assert money(None) == ""
