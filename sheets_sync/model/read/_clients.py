"""The Clients sheet: one client a row, keyed by Client ID.

A client whose ID is on two rows, or whose row has a problem that keeps it out, is left out
of the run; the rows naming it elsewhere say why (``client_ref_ok``).
"""

from __future__ import annotations

from operator import itemgetter

from sheets_sync.model import values as v
from sheets_sync.model.layout import CLIENT_STATUSES, TIERS
from sheets_sync.model.read._tables import Located, RowReader, cached, fill_ids, lenient, table_rows
from sheets_sync.model.rows import Client, Problem

STATUS_ALIASES = {
    "client": "Active", "customer": "Active", "current": "Active", "won": "Active",
    "lead": "Prospect", "quote": "Prospect", "quoted": "Prospect", "prospective": "Prospect",
    "nosale": "No Sale", "notinterested": "No Sale", "declined": "No Sale",
    "former": "Lost", "churned": "Lost", "inactive": "Lost", "cancelled": "Lost", "canceled": "Lost",
}
TIER_ALIASES = {"tiera": "A", "tierb": "B", "tierc": "C", "1": "A", "2": "B", "3": "C"}


def read_clients(loc: Located, problems: list[Problem], date,
                  allow_special_use: bool = True) -> tuple[list[Client], dict[str, str]]:
    """The usable clients, and for each client ID left out, why (to be said at the rows naming
    it). Email and Owner addresses by the one rule of ``addresses``."""
    clients: list[Client] = []
    first_row: dict[str, int] = {}
    rows_by_id: dict[str, list[int]] = {}
    status = cached(lambda raw: v.parse_choice(raw, CLIENT_STATUSES, STATUS_ALIASES))
    tier = cached(lambda raw: v.parse_choice(raw, TIERS, TIER_ALIASES))
    email = cached(lambda raw: v.parse_email(raw, allow_special_use))
    yes = cached(v.parse_bool)
    blank_id_rows = []
    fields_of = itemgetter(*(loc.slot[f] for f in (
        "client_id", "name", "company", "email", "phone", "owner", "tier", "status", "client_since", "lost_on",
        "do_not_email", "notes", "annual_value", "touches", "last_touch", "next_action", "next_action_date",
        "days_since_touch")))
    pad, text, number, whole = loc.pad, v.text, v.parse_number, v.parse_int
    for row, cells in table_rows(loc):
        ci, nm, co, em, ph, ow, ti, st, cs, lo, dn, no, av, to, lt, na, nd, ds = fields_of(cells + pad)
        client_id = ci.strip() if type(ci) is str else v.parse_id(ci)
        name = nm.strip() if type(nm) is str else text(nm)
        if client_id:
            rows_by_id.setdefault(client_id, []).append(row)
        if not name and not client_id:
            continue  # a note below the table, not a client
        extra = {k: text(cells[i]) if i < len(cells) else "" for k, i in loc.extra.items()}
        ok = True
        try:  # a clean row in one go; a row with a bad or missing value is read again cell by cell below
            client = Client(client_id, name or _no_name(), row, text(co), email(em), text(ph), email(ow),
                            tier(ti) or "C", status(st) or _no_status(), date(cs), date(lo), yes(dn), text(no),
                            number(av), whole(to), lenient(date, lt), text(na), date(nd), whole(ds), False, extra)
        except v.BadValue:
            r = RowReader(loc, problems, row, cells)
            if not name:
                r.fail("name", "Name is blank: type the client's name")
            state = r.get("status", status)
            if state == "":
                r.fail("status", "Status is blank: choose Prospect, Active, Lost or No Sale")
            client = Client(
                client_id=client_id, name=name, row=row,
                company=text(co),
                email=r.get("email", email, default=""),
                phone=text(ph),
                owner=r.get("owner", email, default=""),
                tier=r.get("tier", tier, fatal=False, default="C") or "C",
                status=state or "",
                client_since=r.get("client_since", date),
                lost_on=r.get("lost_on", date),
                do_not_email=r.get("do_not_email", yes, fatal=False, default=True),
                notes=text(no),
                annual_value=r.get("annual_value", number, fatal=False),
                touches=whole(to),
                last_touch=lenient(date, lt),
                next_action=text(na),
                next_action_date=r.get("next_action_date", date, fatal=False),
                days_since_touch=whole(ds),
                extra=extra,
            )
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
    fill_ids(blank_id_rows, [c for c in rows_by_id], "C-", "client_id")
    kept = {c.client_id for c in clients}
    bad = {cid: (f"client {cid} is on {_count(len(rows))} rows of {sheet}" if cid in duplicates
                 else f"client {cid} on row {rows[0]} of {sheet} has a problem to fix first")
           for cid, rows in rows_by_id.items() if cid not in kept}
    return clients, bad


def _count(n: int) -> str:
    return {2: "two", 3: "three"}.get(n, str(n))


def _no_status() -> str:
    raise v.BadValue("Status is blank")  # the careful reading of the row says where and how to fix it


def _no_name() -> str:
    raise v.BadValue("Name is blank")  # likewise
