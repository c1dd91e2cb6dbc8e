"""The Settings sheet: each row names a setting (by label or key) and gives its value.

An unknown setting or a value that cannot be read is a Problem at its cell, and the setting
keeps its default.
"""

from __future__ import annotations

import re
from typing import Any

from sheets_sync.errors import LayoutError
from sheets_sync.model import values as v
from sheets_sync.model.layout import SETTINGS
from sheets_sync.model.public_holidays import country_code
from sheets_sync.model.read._tables import Located, RowReader, find_table, table_rows
from sheets_sync.model.rows import Problem
from sheets_sync.model.settings import Settings, find_spec
from sheets_sync.workbook import WorkbookData


def read_settings(loc: Located | None, problems: list[Problem], rows: dict[str, int] | None = None) -> Settings:
    """The settings in force: the defaults, and what the Settings sheet sets (``loc``; None
    when the workbook has none), each bad row a Problem at its cell. ``rows`` gets the row
    naming each setting (blank Value or not), for a problem about it at its cell."""
    settings = Settings()
    if loc is not None:
        settings.values.update(settings_set(loc, problems, rows))
    return settings


def sheet_settings(data: WorkbookData, layout: dict[str, Any] | None = None) -> dict[str, Any]:
    """Key -> value of each setting the Settings sheet sets, read as a run reads it (problems
    aside); {} when there is no Settings sheet the run could read. For a backend that needs a
    setting before any run (Google's time limit). ``layout`` is the config file's [layout]."""
    try:
        loc = find_table(data, SETTINGS, (layout or {}).get("settings"))
    except LayoutError:
        return {}
    return settings_set(loc, []) if loc is not None else {}


def settings_set(loc: Located, problems: list[Problem], rows: dict[str, int] | None = None) -> dict[str, Any]:
    """Key -> value of each setting a row of the Settings sheet gives, the last row winning
    (``rows``: key -> the row naming it, filled in when given)."""
    given: dict[str, Any] = {}
    for row, cells in table_rows(loc):
        r = RowReader(loc, problems, row, cells)
        name = v.text(r.raw("setting"))
        if not name:
            continue
        spec = find_spec(name)
        if spec is None:
            r.problem("setting", f"unknown setting '{name}': check the spelling, or delete the row")
            continue
        if rows is not None:
            rows[spec.key] = row
        raw = r.raw("value")
        if raw is None or v.text(raw) == "":
            continue
        try:
            given[spec.key] = setting_value(spec.kind, raw)
        except v.BadValue as exc:
            default = ("Yes" if spec.default else "No") if isinstance(spec.default, bool) else spec.default
            r.problem("value", f"{spec.label}: {exc}; using the default ({default})")
    return given


def setting_value(kind: str, raw: Any) -> Any:
    """A setting's value from its cell, by the setting's kind; BadValue when it is not one."""
    if kind == "int":
        number = v.parse_number(raw)
        if number is None or number < 0 or not float(number).is_integer():
            raise v.BadValue(f"'{v.text(raw)}' is not a whole number of zero or more")
        return int(number)
    if kind == "float":
        number = v.parse_number(raw)
        if number is None or number < 0:
            raise v.BadValue(f"'{v.text(raw)}' is not a number of zero or more")
        return number
    if kind == "days_list":
        parts = [p for p in re.split(r"[,;\s]+", v.text(raw)) if p]
        try:
            days = tuple(int(p) for p in parts)
        except ValueError:
            raise v.BadValue(f"'{v.text(raw)}' is not a list of days such as 2, 5, 9, 14") from None
        if not days or any(d <= 0 for d in days) or list(days) != sorted(set(days)):
            raise v.BadValue(f"'{v.text(raw)}' must be growing numbers of days such as 2, 5, 9, 14")
        return days
    if kind == "yes_no":
        return v.parse_bool(raw)
    if kind == "date":
        day = v.parse_date(raw)
        if day is None:
            raise v.BadValue(f"'{v.text(raw)}' is not a date such as 2026-12-07")
        return day
    if kind == "country":
        return country_code(v.text(raw))
    if kind == "dates":
        if isinstance(raw, (int, float)) or v.is_date_like(raw):
            return (v.parse_date(raw),)
        return tuple(d for p in re.split(r"[,;]+", v.text(raw)) if p.strip() and (d := v.parse_date(p.strip())))
    return v.text(raw)
