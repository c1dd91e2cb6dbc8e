"""From raw grids to typed rows: find each table, match its headers, parse every row.

A bad cell becomes a Problem at that cell and (where the row cannot be used safely) the row
is skipped; the rest of the workbook is read. Every bad cell of a row is reported, also on a
row skipped for another reason, and a skipped row says why at the row: a task whose client
is on two rows of Clients says so at its Client ID cell. A missing required sheet or column is a
LayoutError: one clear error naming it.

The face of this package is ``read_book`` (and ``sheet_settings``, the Settings sheet alone); its private modules read one concept each:
``_tables`` (finding a table, reading a row), ``_clients``, ``_tasks``, ``_logs`` (Touches
and Sales), ``_settings`` and ``_staff``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sheets_sync.errors import LayoutError
from sheets_sync.model import values as v
from sheets_sync.model.layout import CLIENTS, SALES, SETTINGS, STAFF, TASKS, TOUCHES
from sheets_sync.model.read._clients import read_clients
from sheets_sync.model.read._logs import read_sales, read_touches
from sheets_sync.model.read._settings import read_settings, sheet_settings
from sheets_sync.model.read._setup import business_name_problem, owner_problems
from sheets_sync.model.read._staff import read_staff
from sheets_sync.model.read._tables import cached, find_table, row_of
from sheets_sync.model.read._tasks import read_tasks
from sheets_sync.model.rows import Book, Problem
from sheets_sync.workbook import WorkbookData


def read_book(data: WorkbookData, layout: dict[str, Any] | None = None) -> Book:
    """Read the whole workbook into a Book. ``layout`` is the config file's [layout] table."""
    layout = layout or {}
    problems: list[Problem] = []
    located = {t.name: find_table(data, t, layout.get(t.name)) for t in (CLIENTS, TASKS, TOUCHES, SETTINGS, SALES, STAFF)}
    clients_at, tasks_at, touches_at = located["clients"], located["tasks"], located["touches"]
    if clients_at is None or tasks_at is None or touches_at is None:  # find_table raised LayoutError first
        raise LayoutError(f"{data.source}: the Clients, Tasks and Touches sheets are required")
    setting_rows: dict[str, int] = {}
    settings = read_settings(located["settings"], problems, setting_rows)
    ds, order = data.date_system, str(settings.date_order)

    def parse_date(raw: Any) -> dt.date | None:
        return v.parse_date(raw, ds, order)

    parse_other = cached(parse_date)
    day = dt.date

    def date(raw: Any) -> dt.date | None:
        # most date cells hold a date already (or nothing): that is the parse
        return raw if raw is None or type(raw) is day else parse_other(raw)
    clients, bad_clients = read_clients(clients_at, problems, date, bool(settings.allow_special_use_domains))
    # each ID -> the client's own string: the many rows naming a client share it
    known = {c.client_id: c.client_id for c in clients}
    tasks = read_tasks(tasks_at, problems, date, known, bad_clients)
    touches = read_touches(touches_at, problems, date, known, bad_clients)
    sales = read_sales(located["sales"], problems, date, known, bad_clients) if located["sales"] else []
    staff_at = located["staff"]
    staff = read_staff(staff_at, problems, bool(settings.allow_special_use_domains)) if staff_at else None
    setup = [p for p in [business_name_problem(located["settings"], setting_rows, str(settings.business_name))] if p]
    setup += owner_problems(clients_at, clients, staff_at, staff)
    settings_at = located["settings"]
    setting_cells = {key: settings_at.cell("value", row) for key, row in setting_rows.items()} if settings_at else {}

    tables, headers, missing = {}, {}, {}
    on_demand: dict[str, list[str]] = {}
    for name, loc in located.items():
        if loc is None:
            continue
        tables[name] = loc.ref()
        headers[name] = dict(loc.headers)
        missing[name] = [c.header for c in loc.table.tool_columns if c.field not in loc.cols]
        for col in loc.table.tool_columns:
            headers[name].setdefault(col.field, col.header)
        for col in loc.table.on_demand_columns:
            if col.field not in loc.cols:
                on_demand.setdefault(name, []).append(col.field)
            headers[name].setdefault(col.field, col.header)
    problems.sort(key=lambda p: (p.sheet, row_of(p.cell), p.cell))
    notes = [Problem(loc.sheet.title, f"A{row}", "a total or count row, not a client, task or touch")
             for loc in located.values() if loc is not None for row in loc.summary_rows]
    return Book(
        clients=clients, tasks=tasks, touches=touches, sales=sales, problems=problems,
        tables=tables, headers=headers, missing_tool_columns=missing, absent_on_demand=on_demand,
        has_sales=located["sales"] is not None, settings=settings, notes=notes, staff=staff,
        setup=setup, setting_cells=setting_cells,
    )


__all__ = ["read_book", "sheet_settings"]
