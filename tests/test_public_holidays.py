"""The Country and Region settings: public holidays from the holidays package, on top of the
Holidays staff type, in the business-day rules and the missed-run logic."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli
from sheets_sync.model.read import read_book
from sheets_sync.rules.business_days import add_business_days, is_business_day
from sheets_sync.workbook import SheetData, WorkbookData

THANKSGIVING = dt.date(2026, 11, 26)


def book(path: Path, *settings: list[Any]) -> Path:
    return write_workbook(path, {
        "Clients": [CLIENT_HEADER, ["C-1", "Ann Ash", "", "ann@example.com", "555-0101", "maria@agency.example", "B",
                                    "Active", D(2024, 1, 5), None, None, ""]],
        "Tasks": [TASK_HEADER, ["T-1", "C-1", "Payment", "Balance", 300, D(2026, 12, 20), D(2026, 11, 20), "Open", None]],
        "Touches": [TOUCH_HEADER],
        "Settings": [["Setting", "Value"], *settings],
    })


def sync(path: Path, day: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", day, "--json", "--outbox", str(path.parent / "out")])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_public_holiday_is_no_missed_business_day(tmp_path: Path) -> None:
    (tmp_path / "us").mkdir()
    (tmp_path / "none").mkdir()
    us = book(tmp_path / "us" / "clients.xlsx", ["Country", "us"])
    plain = book(tmp_path / "none" / "clients.xlsx")
    for path in (us, plain):
        assert sync(path, "2026-11-25")["missed_business_days"] == []
    assert sync(us, "2026-11-30")["missed_business_days"] == ["2026-11-27"]  # Thanksgiving was a day off
    assert sync(plain, "2026-11-30")["missed_business_days"] == ["2026-11-26", "2026-11-27"]
    assert sync(us, "2026-11-30")["problems"] == []


def test_nothing_is_sent_on_a_public_holiday(tmp_path: Path) -> None:
    path = book(tmp_path / "clients.xlsx", ["Country", "US"])
    report = sync(path, THANKSGIVING.isoformat())
    assert report["emails_sent"] + report.get("emails_drafted", 0) == 0 and report["planned_messages"] == []
    later = sync(path, "2026-11-27")
    assert later["planned_messages"] and later["problems"] == []


def settings_of(*rows: list[Any]) -> Any:
    data = WorkbookData({"Clients": SheetData("Clients", [CLIENT_HEADER]), "Tasks": SheetData("Tasks", [TASK_HEADER]),
                         "Touches": SheetData("Touches", [TOUCH_HEADER]),
                         "Settings": SheetData("Settings", [["Setting", "Value"], *rows])})
    read = read_book(data)
    return read.settings, read.problems


def test_country_and_region_and_typed_holidays_add_up() -> None:
    settings, problems = settings_of(["Country", "US"], ["Region", "CA"], ["Holidays", "2026-12-24"])
    assert problems == []
    days = settings.holiday_set()
    assert THANKSGIVING in days and dt.date(2026, 12, 24) in days and dt.date(2026, 12, 25) in days
    assert dt.date(2026, 3, 31) in days  # Cesar Chavez Day, California only
    assert dt.date(2031, 7, 4) in days  # any year, filled in when asked
    assert not is_business_day(THANKSGIVING, days)
    assert add_business_days(dt.date(2026, 11, 25), 1, days) == dt.date(2026, 11, 30)  # CA: the Friday too
    without_region, _ = settings_of(["Country", "US"])
    assert dt.date(2026, 3, 31) not in without_region.holiday_set()
    assert add_business_days(dt.date(2026, 11, 25), 1, without_region.holiday_set()) == dt.date(2026, 11, 27)


def test_an_unknown_country_is_a_problem_at_its_cell() -> None:
    settings, problems = settings_of(["Holidays", "2026-12-24"], ["Country", "Narnia"])
    assert [(p.sheet, p.cell) for p in problems] == [("Settings", "B3")]
    assert "'Narnia' is not a country code" in problems[0].message
    assert THANKSGIVING not in settings.holiday_set() and dt.date(2026, 12, 24) in settings.holiday_set()
