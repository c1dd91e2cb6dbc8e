"""The logs: the Touches sheet (every contact with a client) and the optional Sales sheet.

Each row names a client of the Clients sheet; the rows naming a client that is left out are
reported once, at the first of them (``report_held``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sheets_sync.model import values as v
from sheets_sync.model.layout import CHANNELS, DIRECTIONS
from sheets_sync.model.read._tables import (
    Located,
    RowReader,
    cached,
    client_ref_ok,
    report_held,
    table_rows,
)
from sheets_sync.model.rows import Problem, Sale, Touch

CHANNEL_ALIASES = {"phone": "Call", "phonecall": "Call", "sms": "Text", "visit": "Meeting",
                   "lunch": "Meeting", "card": "Letter", "mail": "Letter", "present": "Gift"}
DIRECTION_ALIASES = {"outbound": "Out", "inbound": "In", "incoming": "In", "outgoing": "Out",
                     "reply": "In", "received": "In", "sent": "Out"}


def read_touches(loc: Located, problems: list[Problem], date, known: dict[str, str], bad_clients: dict[str, str]) -> list[Touch]:
    """The usable touches; a row naming a client that is not usable is held back and said once."""
    # The log is the largest sheet (several rows per client): one tight loop, and a
    # RowReader only for the rare row that has a problem.
    touches: list[Touch] = []
    held: dict[str, list[int]] = {}
    channel = cached(lambda raw: v.parse_choice(raw, CHANNELS, CHANNEL_ALIASES))
    direction = cached(lambda raw: v.parse_choice(raw, DIRECTIONS, DIRECTION_ALIASES))
    text = v.text
    fields = ("date", "client_id", "task_id", "channel", "direction", "by", "summary", "ref", "result")
    fields_of = itemgetter(*(loc.slot[f] for f in fields))  # of a row padded with loc.pad
    pad = loc.pad
    datetime_type, date_type = dt.datetime, dt.date
    # A log repeats the same few days and senders endlessly: one object for each.
    days: dict[dt.date, dt.date] = {}
    names: dict[str, str] = {}
    channels: dict[str, str] = {}
    ways: dict[str, str] = {}
    for row, cells in table_rows(loc):
        d, c, t, ch, di, by, su, rf, rs = fields_of(cells + pad)
        client_id = c.strip() if type(c) is str else v.parse_id(c)
        kind = type(d)
        if kind is datetime_type or kind is date_type:
            when = days.get(d)
            if when is None:
                when = days[d] = d.date() if kind is datetime_type else d
        else:
            r = RowReader(loc, problems, row, cells)
            when = r.get("date", date)
            if r.ok and when is None:
                r.fail("date", "Date is blank: type the day of the contact")
        usable = when is not None
        if client_id not in known:
            usable = client_ref_ok(RowReader(loc, problems, row, cells), client_id, known, bad_clients, "touch", held)
        chan = channels.get(ch) if type(ch) is str else None  # the few channels seen so far
        if chan is None:
            chan = _choice(ch, channel, "Note", channels, loc, problems, row, cells, "channel")
        way = ways.get(di) if type(di) is str else None
        if way is None:
            way = _choice(di, direction, "Out", ways, loc, problems, row, cells, "direction")
        if not usable or when is None:
            continue
        sender = by.strip() if type(by) is str else text(by)
        touches.append(Touch(
            when, known[client_id], row, "" if t is None else t.strip() if type(t) is str else v.parse_id(t),
            chan, way, names.setdefault(sender, sender),
            su.strip() if type(su) is str else "" if su is None else text(su),
            "" if rf is None else rf.strip() if type(rf) is str else text(rf),
            "" if rs is None else rs.strip() if type(rs) is str else text(rs),
        ))
    report_held(loc, problems, held, bad_clients, "touch")
    return touches


def _choice(raw: Any, parse: Callable[[Any], str], default: str, seen: dict[str, str], loc: Located,
            problems: list[Problem], row: int, cells: list[Any], field: str) -> str:
    """A choice cell of the touch log the slow way: parsed, remembered when it is text, and
    reported at its cell (the default taken) when it is not one of the choices."""
    try:
        value = parse(raw) or default
    except v.BadValue as exc:
        RowReader(loc, problems, row, cells).problem(field, str(exc))
        return default
    if type(raw) is str:
        seen[raw] = value
    return value


def read_sales(loc: Located, problems: list[Problem], date, known: dict[str, str], bad_clients: dict[str, str]) -> list[Sale]:
    """The usable sales of the optional Sales sheet."""
    sales: list[Sale] = []
    held: dict[str, list[int]] = {}
    for row, cells in table_rows(loc):
        r = RowReader(loc, problems, row, cells)
        client_id = v.parse_id(r.raw("client_id"))
        when = r.get("date", date)
        amount = r.get("amount", v.parse_number)
        if when is None and r.ok:
            r.fail("date", "Date is blank: type the day of the sale")
        if not client_ref_ok(r, client_id, known, bad_clients, "sale", held) or not r.ok:
            continue
        sales.append(Sale(date=when, client_id=client_id, row=row, amount=amount,
                          description=v.text(r.raw("description"))))
    report_held(loc, problems, held, bad_clients, "sale")
    return sales
