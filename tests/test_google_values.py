"""Values and A1 ranges between Python and the Sheets API."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.a1 import col_index, col_letters
from sheets_sync.backends.google.values import (
    a1,
    column_range,
    extended_value,
    from_api,
    parse_range,
    row_range,
    serial,
    to_user_entered,
)
from sheets_sync.model.values import serial_to_date


@pytest.mark.parametrize(("value", "sent"), [
    (None, ""),
    ("", ""),
    ("=SUM(A1)", "'=SUM(A1)"),
    ("+1 555 0100", "'+1 555 0100"),
    ("-5", "'-5"),
    ("@home", "'@home"),
    ("'quoted", "''quoted"),
    ("Ann", "'Ann"),
    (True, True),
    (3, 3),
    (2.5, 2.5),
    (float("nan"), ""),
    (dt.date(2026, 11, 23), "2026-11-23"),
    (dt.datetime(2026, 11, 23), "2026-11-23"),
    (dt.datetime(2026, 11, 23, 9, 30, 5, 123), "2026-11-23 09:30:05"),
])
def test_values_for_user_entered_writes(value: object, sent: object) -> None:
    assert to_user_entered(value) == sent
    assert type(to_user_entered(value)) is type(sent)


def test_empty_cells_read_as_none() -> None:
    assert [from_api(v) for v in ["", 0, "x", False]] == [None, 0, "x", False]


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)))
def test_serials_round_trip_with_the_model(day: dt.date) -> None:
    assert serial_to_date(serial(day), 1900) == day


def test_extended_values_for_init_are_typed() -> None:
    assert extended_value("=x") == {"stringValue": "=x"}
    assert extended_value(dt.date(1899, 12, 31)) == {"numberValue": 1}
    assert extended_value(False) == {"boolValue": False}
    assert extended_value(None) is None


@given(st.integers(min_value=1, max_value=18278))
def test_column_letters_round_trip(col: int) -> None:
    assert col_index(col_letters(col)) == col


def test_ranges_are_quoted_and_parsed_back() -> None:
    assert a1("Client's list", 2, 3, 9, 28) == "'Client''s list'!C2:AB9"
    assert a1("Clients", 4, 1) == "'Clients'!A4"
    assert column_range("Clients", 3) == "'Clients'!C:C"
    assert row_range("Clients", 2) == "'Clients'!2:2"
    assert parse_range("'Client''s list'!C2:AB9") == ("Client's list", 2, 3, 9, 28)
    assert parse_range("Sheet1!A1:A10") == ("Sheet1", 1, 1, 10, 1)
    assert parse_range("Sheet1!B3") == ("Sheet1", 3, 2, 3, 2)
    with pytest.raises(ValueError):
        parse_range("not a range!!")
