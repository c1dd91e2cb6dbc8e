"""The Clients sheet: one client a row, keyed by Client ID.

A client whose ID is on two rows, or whose row has a problem that keeps it out, is left out
of the run; the rows naming it elsewhere say why (``client_ref_ok``).
"""

from __future__ import annotations

from operator import call, itemgetter

from sheets_sync.model import values as v
from sheets_sync.model.layout import CLIENT_STATUSES, TIERS
from sheets_sync.model.read._fields import Field, Parser, quick_parsers, read_field
from sheets_sync.model.read._tables import Located, RowReader, cached, fill_ids, table_rows
from sheets_sync.model.rows import Client, Problem
from sheets_sync.rules.email_status import bounced_problems

STATUS_ALIASES = {
    "client": "Active", "customer": "Active", "current": "Active", "won": "Active",
    "lead": "Prospect", "quote": "Prospect", "quoted": "Prospect", "prospective": "Prospect",
    "nosale": "No Sale", "notinterested": "No Sale", "declined": "No Sale",
    "former": "Lost", "churned": "Lost", "inactive": "Lost", "cancelled": "Lost", "canceled": "Lost",
}
QUOTED = {"quote", "quoted", "quotesent"}  # Status words that read as Prospect and say a quote is out
TIER_ALIASES = {"tiera": "A", "tierb": "B", "tierc": "C", "1": "A", "2": "B", "3": "C"}


# What each column of Clients becomes, in the order of Client's attributes after ``row``
# (the row's identity, Client ID and Name, is read first in read_clients).
CLIENT_FIELDS = (
    Field("company", "text"),
    Field("email", "email"),
    Field("phone", "text"),
    Field("owner", "owner"),
    Field("tier", "tier", refused="noted", default="C", blank="C"),
    Field("status", "status", blank_fails="Status is blank: choose Prospect, Active, Lost or No Sale"),
    Field("client_since", "date"),
    Field("lost_on", "date"),
    Field("do_not_email", "yes_no", refused="noted", default=True),
    Field("notes", "text"),
    Field("annual_value", "number", refused="noted"),
    # the tool columns, as they were (to spot a person's edit and to avoid no-op writes)
    Field("touches", "whole"),
    Field("last_touch", "date", refused="ignored"),
    Field("next_action", "text"),
    Field("next_action_date", "date", refused="noted"),
    Field("days_since_touch", "whole"),
    Field("email_status", "text"),
)


def read_clients(loc: Located, problems: list[Problem], date: Parser,
                 allow_special_use: bool = True) -> tuple[list[Client], dict[str, str]]:
    """The usable clients, and for each client ID left out, why (to be said at the rows naming
    it). Email and Owner addresses by the one rule of ``addresses``."""
    clients: list[Client] = []
    first_row: dict[str, int] = {}
    rows_by_id: dict[str, list[int]] = {}
    parsers: dict[str, Parser] = {
        "text": v.text, "date": date, "number": v.parse_number, "whole": v.parse_int,
        "email": cached(lambda raw: v.parse_email(raw, allow_special_use)), "yes_no": cached(v.parse_bool),
        # staff are people, not spellings: Maria@Agency.example and maria@agency.example are one owner
        "owner": cached(lambda raw: v.parse_email(raw, allow_special_use).lower()),
        "tier": cached(lambda raw: v.parse_choice(raw, TIERS, TIER_ALIASES)),
        "status": cached(lambda raw: v.parse_choice(raw, CLIENT_STATUSES, STATUS_ALIASES)),
    }
    quick = quick_parsers(CLIENT_FIELDS, parsers)
    blank_id_rows = []
    identity_of = itemgetter(loc.slot["client_id"], loc.slot["name"])
    status_slot = loc.slot["status"]
    fields_of = itemgetter(*(loc.slot[f.name] for f in CLIENT_FIELDS))
    pad, text = loc.pad, v.text
    for row, cells in table_rows(loc):
        padded = cells + pad
        raw_id, raw_name = identity_of(padded)
        client_id = raw_id.strip() if type(raw_id) is str else v.parse_id(raw_id)
        name = raw_name.strip() if type(raw_name) is str else text(raw_name)
        if client_id:
            rows_by_id.setdefault(client_id, []).append(row)
        if not name and not client_id:
            continue  # a note below the table, not a client
        extra = {k: text(cells[i]) if i < len(cells) else "" for k, i in loc.extra.items()}
        typed = padded[status_slot]
        if type(typed) is str and typed.casefold().replace(" ", "") in QUOTED:
            extra["status_as_typed"] = typed.strip()  # a Prospect the row says was quoted (compose.quote_sent)
        ok = True
        # CLIENT_FIELDS are Client's fields from company to days_since_touch, in order; mypy
        # takes a starred argument to fill every parameter after it, hence call-arg below.
        try:  # a clean row in one go; a row with a bad or missing value is read again field by field
            client = Client(  # type: ignore[call-arg]
                client_id, name or _no_name(), row, *map(call, quick, fields_of(padded)), False, extra)
        except v.BadValue:
            r = RowReader(loc, problems, row, cells)
            if not name:
                r.fail("name", "Name is blank: type the client's name")
            client = Client(client_id, name, row, *[read_field(r, f, parsers) for f in CLIENT_FIELDS], False, extra)  # type: ignore[call-arg]
            ok = r.ok
        if not ok or client_id in first_row:
            continue
        if client_id:
            first_row[client_id] = row
        else:
            client.id_was_blank = True
            blank_id_rows.append(client)
        clients.append(client)
    duplicates = {cid for cid, rows in rows_by_id.items() if len(rows) > 1}
    sheet = loc.sheet.title
    for cid in sorted(duplicates):
        rows = rows_by_id[cid]
        for row in rows:
            others = ", ".join(str(r) for r in rows if r != row)
            problems.append(Problem(sheet, loc.cell("client_id", row),
                                    f"Client ID {cid} is also used on row {others}: give each client its own ID; "
                                    f"every row with this ID is left out of the run until then"))
    clients = [c for c in clients if c.client_id not in duplicates]
    if "email_status" in loc.cols and "email" in loc.cols:
        problems += bounced_problems(clients, sheet, lambda row: loc.cell("email", row))
    fill_ids(blank_id_rows, [c for c in rows_by_id], "C-", "client_id")
    kept = {c.client_id for c in clients}
    bad = {cid: (f"client {cid} is on {_count(len(rows))} rows of {sheet}" if cid in duplicates
                 else f"client {cid} on row {rows[0]} of {sheet} has a problem to fix first")
           for cid, rows in rows_by_id.items() if cid not in kept}
    return clients, bad


def _count(n: int) -> str:
    """2 -> 'two': how many rows hold one client ID."""
    return {2: "two", 3: "three"}.get(n, str(n))


def _no_name() -> str:
    raise v.BadValue("Name is blank")  # the careful reading of the row says where and how to fix it
