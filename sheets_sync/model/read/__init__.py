"""From raw grids to typed rows: find each table, match its headers, parse every row.

A bad cell becomes a Problem at that cell and (where the row cannot be used safely) the row
is skipped; the rest of the workbook is read. Every bad cell of a row is reported, also on a
row skipped for another reason, and a skipped row says why at the row: a task whose client
is on two rows of Clients says so at its Client ID cell. A missing required sheet or column is a
LayoutError: one clear error naming it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sheets_sync.a1 import cell_name
from sheets_sync.errors import LayoutError
from sheets_sync.model import values as v
from sheets_sync.model.headers import HEADER_SCAN_ROWS, find_sheet, header_row, sheet_titles
from sheets_sync.model.layout import (
    CLIENT_STATUSES,
    CLIENTS,
    SALES,
    SETTINGS,
    TASK_STATUSES,
    TASK_TYPES,
    TASKS,
    TIERS,
    TOUCHES,
    Table,
)
from sheets_sync.model.rows import Book, Client, Problem, Sale, Task, Touch
from sheets_sync.model.settings import Settings, find_spec
from sheets_sync.workbook import SheetData, TableRef, WorkbookData

STATUS_ALIASES = {
    "client": "Active", "customer": "Active", "current": "Active", "won": "Active",
    "lead": "Prospect", "quote": "Prospect", "quoted": "Prospect", "prospective": "Prospect",
    "nosale": "No Sale", "notinterested": "No Sale", "declined": "No Sale",
    "former": "Lost", "churned": "Lost", "inactive": "Lost", "cancelled": "Lost", "canceled": "Lost",
}
TASK_STATUS_ALIASES = {
    "closed": "Done", "complete": "Done", "completed": "Done", "paid": "Done", "signed": "Done",
    "received": "Done", "finished": "Done", "canceled": "Cancelled", "void": "Cancelled",
    "dropped": "Cancelled", "pending": "Open", "todo": "Open", "inprogress": "Open", "new": "Open",
}
TIER_ALIASES = {"tiera": "A", "tierb": "B", "tierc": "C", "1": "A", "2": "B", "3": "C"}
TYPE_ALIASES = {"balance": "Payment", "invoice": "Payment", "sign": "Signature",
                "documents": "Paperwork", "docs": "Paperwork", "proposal": "Quote", "generic": "Other"}
CHANNEL_ALIASES = {"phone": "Call", "phonecall": "Call", "sms": "Text", "visit": "Meeting",
                   "lunch": "Meeting", "card": "Letter", "mail": "Letter", "present": "Gift"}
DIRECTION_ALIASES = {"outbound": "Out", "inbound": "In", "incoming": "In", "outgoing": "Out",
                     "reply": "In", "received": "In", "sent": "Out"}


class _Located:
    """A table found in the workbook: its sheet, header row and column positions (0-based)."""

    def __init__(self, table: Table, sheet: SheetData, header_row: int, cols: dict[str, int]):
        self.table = table
        self.sheet = sheet
        self.header_row = header_row
        self.cols = cols
        # Rows are read padded with Nones, a field without a column pointing at the last
        # one: no length or presence check per field (millions of cells in a big book).
        self.pad: list[Any] = [None] * (max(cols.values(), default=-1) + 2)
        self.slot = {**{c.field: -1 for c in table.columns}, **cols}
        header = sheet.rows[header_row - 1]
        self.headers = {f: v.text(header[i]) for f, i in cols.items()}
        used = set(cols.values())
        # Staff columns the tool does not know, by snake_case header, for templates.
        self.extra = {
            re.sub(r"[^0-9a-z]+", "_", v.text(h).casefold()).strip("_"): i
            for i, h in enumerate(header) if i not in used and v.text(h)
        }

    def ref(self) -> TableRef:
        key = self.table.key
        return TableRef(self.sheet.title, self.header_row, self.headers.get(key) if key else None)

    def cell(self, field: str, row: int) -> str:
        return cell_name(self.cols[field] + 1, row)


def find_table(data: WorkbookData, table: Table, remap: dict[str, Any] | None = None) -> _Located | None:
    """Locate a table: its sheet (by remapped title, title or alias) and its header row."""
    remap = remap or {}
    sheet = find_sheet(data, table, remap.get("sheet"))
    if sheet is None:
        if remap.get("sheet") or table.required:
            wanted = " or ".join(f"'{t}'" for t in sheet_titles(table, remap.get("sheet"))[:2])
            raise LayoutError(
                f"{data.source}: no sheet named {wanted}: add it (sheets-sync init --into adds "
                f"the missing sheets) or name it in the config file under [layout.{table.name}]"
            )
        return None
    row, found = header_row(sheet.rows, table, remap.get("columns", {}))
    missing = [(remap.get("columns", {}).get(c.field) or c.header)
               for c in table.columns if c.required and c.field not in found]
    if missing:
        raise LayoutError(
            f"{sheet.title}: missing column {', '.join(repr(m) for m in missing)}: add it to the header "
            f"row (within the first {HEADER_SCAN_ROWS} rows) or map it in the config file under "
            f"[layout.{table.name}.columns]"
        )
    return _Located(table, sheet, row, found)


def _rows(loc: _Located):
    """(row number, cells) for each non-blank row below the header."""
    for row_number, cells in enumerate(loc.sheet.rows[loc.header_row:], start=loc.header_row + 1):
        for cell in cells:
            if cell is not None and cell != "":
                yield row_number, cells
                break


# What becomes of a row that cannot be used, said at the cell that stops it.
LEFT_OUT = {"clients": "this client is left out of the run until it is fixed",
            "tasks": "this task waits until it is fixed",
            "touches": "this touch is not counted until it is fixed",
            "sales": "this sale is not counted until it is fixed"}
WAITS = {"task": "waits", "touch": "is not counted", "sale": "is not counted"}


class _RowReader:
    """Reads one row's fields, collecting problems at their cells."""

    def __init__(self, loc: _Located, problems: list[Problem], row: int, cells: list[Any]):
        self.loc, self.problems, self.row = loc, problems, row
        self.cells, self.slot = cells + loc.pad, loc.slot
        self.ok = True

    def fail(self, field: str, message: str) -> None:
        """A problem that keeps the row out of the run, saying so."""
        self.problem(field, f"{message}; {LEFT_OUT[self.loc.table.name]}")
        self.ok = False

    def raw(self, field: str) -> Any:
        return self.cells[self.slot[field]]

    def get(self, field: str, parse: Callable[[Any], Any], *, fatal: bool = True, default: Any = None) -> Any:
        try:
            return parse(self.cells[self.slot[field]])
        except v.BadValue as exc:
            if fatal:
                self.fail(field, str(exc))
            else:
                self.problem(field, str(exc))
            return default

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.loc.sheet.title, self.loc.cell(field, self.row), message))


_MISSING = object()


def _cached(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Memoize a parser on hashable raw values: logs repeat the same few strings endlessly."""
    cache: dict[Any, Any] = {}

    def wrapper(raw: Any) -> Any:
        key = (type(raw), raw)  # 1, 1.0 and True are equal keys but not the same cell
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = cache[key] = parse(raw)
        return value

    return wrapper


def read_book(data: WorkbookData, layout: dict[str, Any] | None = None) -> Book:
    """Read the whole workbook into a Book. ``layout`` is the config file's [layout] table."""
    layout = layout or {}
    problems: list[Problem] = []
    located = {t.name: find_table(data, t, layout.get(t.name)) for t in (CLIENTS, TASKS, TOUCHES, SETTINGS, SALES)}
    settings = _read_settings(located["settings"], problems)
    ds, order = data.date_system, str(settings.date_order)

    def date(raw: Any):
        return v.parse_date(raw, ds, order)

    date = _cached(date)
    clients, bad_clients = _read_clients(located["clients"], problems, date, bool(settings.allow_special_use_domains))
    # each ID -> the client's own string: the many rows naming a client share it
    known = {c.client_id: c.client_id for c in clients}
    tasks = _read_tasks(located["tasks"], problems, date, known, bad_clients)
    touches = _read_touches(located["touches"], problems, date, known, bad_clients)
    sales = _read_sales(located["sales"], problems, date, known, bad_clients) if located["sales"] else []

    tables, headers, missing = {}, {}, {}
    for name, loc in located.items():
        if loc is None:
            continue
        tables[name] = loc.ref()
        headers[name] = dict(loc.headers)
        missing[name] = [c.header for c in loc.table.tool_columns if c.field not in loc.cols]
        for col in loc.table.tool_columns:
            headers[name].setdefault(col.field, col.header)
    problems.sort(key=lambda p: (p.sheet, _row_of(p.cell), p.cell))
    return Book(
        clients=clients, tasks=tasks, touches=touches, sales=sales, problems=problems,
        tables=tables, headers=headers, missing_tool_columns=missing,
        has_sales=located["sales"] is not None, settings=settings,
    )


def _row_of(cell: str) -> int:
    digits = re.sub(r"\D", "", cell)
    return int(digits) if digits else 0


def _read_settings(loc: _Located | None, problems: list[Problem]) -> Settings:
    settings = Settings()
    if loc is None:
        return settings
    for row, cells in _rows(loc):
        r = _RowReader(loc, problems, row, cells)
        name = v.text(r.raw("setting"))
        if not name:
            continue
        spec = find_spec(name)
        if spec is None:
            r.problem("setting", f"unknown setting '{name}': check the spelling, or delete the row")
            continue
        raw = r.raw("value")
        if raw is None or v.text(raw) == "":
            continue
        try:
            settings.values[spec.key] = _setting_value(spec.kind, raw)
        except v.BadValue as exc:
            default = ("Yes" if spec.default else "No") if isinstance(spec.default, bool) else spec.default
            r.problem("value", f"{spec.label}: {exc}; using the default ({default})")
    return settings


def _setting_value(kind: str, raw: Any) -> Any:
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
    if kind == "dates":
        if isinstance(raw, (int, float)) or v.is_date_like(raw):
            return (v.parse_date(raw),)
        return tuple(d for p in re.split(r"[,;]+", v.text(raw)) if p.strip() and (d := v.parse_date(p.strip())))
    return v.text(raw)


def _read_clients(loc: _Located, problems: list[Problem], date,
                  allow_special_use: bool = True) -> tuple[list[Client], dict[str, str]]:
    """The usable clients, and for each client ID left out, why (to be said at the rows naming
    it). Email and Owner addresses by the one rule of ``addresses``."""
    clients: list[Client] = []
    first_row: dict[str, int] = {}
    rows_by_id: dict[str, list[int]] = {}
    status = _cached(lambda raw: v.parse_choice(raw, CLIENT_STATUSES, STATUS_ALIASES))
    tier = _cached(lambda raw: v.parse_choice(raw, TIERS, TIER_ALIASES))
    email = _cached(lambda raw: v.parse_email(raw, allow_special_use))
    yes = _cached(v.parse_bool)
    blank_id_rows = []
    fields_of = itemgetter(*(loc.slot[f] for f in (
        "client_id", "name", "company", "email", "phone", "owner", "tier", "status", "client_since", "lost_on",
        "do_not_email", "notes", "annual_value", "touches", "last_touch", "next_action", "next_action_date",
        "days_since_touch")))
    pad, text, number, whole = loc.pad, v.text, v.parse_number, v.parse_int
    for row, cells in _rows(loc):
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
                            number(av), whole(to), _lenient(date, lt), text(na), date(nd), whole(ds), False, extra)
        except v.BadValue:
            r = _RowReader(loc, problems, row, cells)
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
                last_touch=_lenient(date, lt),
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
    _fill_ids(blank_id_rows, [c for c in rows_by_id], "C-", "client_id")
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


def _fill_ids(rows: list[Any], existing: list[str], prefix: str, field: str) -> None:
    """Give rows with a blank ID the next free IDs, in the style of the existing ones."""
    if not rows:
        return
    numbered = [m for i in existing if (m := re.fullmatch(r"(.*?)(\d+)", i))]
    if numbered:
        style = Counter((m.group(1), len(m.group(2))) for m in numbered).most_common(1)[0][0]
        prefix, width = style
        top = max(int(m.group(2)) for m in numbered if m.group(1) == prefix)
    else:
        width, top = 4, 0
    taken = set(existing)
    for row in rows:
        top += 1
        new = f"{prefix}{top:0{width}d}"
        while new in taken:
            top += 1
            new = f"{prefix}{top:0{width}d}"
        taken.add(new)
        setattr(row, field, new)


def _lenient(parse: Callable[[Any], Any], raw: Any) -> Any:
    try:
        return parse(raw)
    except v.BadValue:
        return None


def _client_ref_ok(r: _RowReader, client_id: str, known: dict[str, str], bad: dict[str, str], what: str,
                   held: dict[str, list[int]] | None = None) -> bool:
    """True when the row names a usable client; else a problem at its Client ID cell saying why
    the row waits. With ``held`` (the logs), the rows naming a client that is left out are
    gathered there instead, for one problem at the first of them (``report_held``)."""
    if client_id in known:
        return True
    if client_id in bad:
        if held is not None:
            held.setdefault(client_id, []).append(r.row)
        else:
            r.problem("client_id", f"{bad[client_id]}; this {what} {WAITS[what]} until that is fixed")
        return False
    if not client_id:
        why = f"Client ID is blank: type the ID of the client this {what} is for"
    else:
        why = f"Client ID {client_id} is not on the Clients sheet: correct the ID or add the client"
    r.problem("client_id", f"{why}; this {what} {WAITS[what]} until then")
    return False


def _report_held(loc: _Located, problems: list[Problem], held: dict[str, list[int]], bad: dict[str, str],
                 what: str) -> None:
    """One problem for each left-out client a log names, at the first row naming it: a client
    on two rows of Clients may have hundreds of touches, and one line says it for all."""
    for client_id, rows in held.items():
        more = len(rows) - 1
        which = f"this {what} is" if not more else \
            f"this {what} and {more} more row{'s' if more > 1 else ''} of {loc.sheet.title} naming it are"
        problems.append(Problem(loc.sheet.title, loc.cell("client_id", rows[0]),
                                f"{bad[client_id]}; {which} not counted until that is fixed"))


def _read_tasks(loc: _Located, problems: list[Problem], date, known: dict[str, str], bad_clients: dict[str, str]) -> list[Task]:
    tasks: list[Task] = []
    rows_by_id: dict[str, list[int]] = {}
    blank: list[Task] = []
    kind = _cached(lambda raw: v.parse_choice(raw, TASK_TYPES, TYPE_ALIASES))
    status = _cached(lambda raw: v.parse_choice(raw, TASK_STATUSES, TASK_STATUS_ALIASES))
    fields_of = itemgetter(*(loc.slot[f] for f in (
        "task_id", "client_id", "type", "description", "amount", "due_date", "opened_on", "status", "done_on",
        "reminders_sent", "last_reminder", "next_reminder")))
    pad, text, number = loc.pad, v.text, v.parse_number
    for row, cells in _rows(loc):
        tid, cid, ty, de, am, du, op, st, dn, rs, lr, nr = fields_of(cells + pad)
        task_id = tid.strip() if type(tid) is str else v.parse_id(tid)
        if task_id:
            rows_by_id.setdefault(task_id, []).append(row)
        client_id = cid.strip() if type(cid) is str else v.parse_id(cid)
        try:  # a clean row in one go; a row with a bad value or client is read again cell by cell below
            task = Task(task_id, known[client_id], row, kind(ty) or "Other", text(de), number(am), date(du),
                        date(op), status(st) or "Open", date(dn), v.parse_int(rs), _lenient(date, lr), date(nr))
        except (v.BadValue, KeyError):
            r = _RowReader(loc, problems, row, cells)
            if not _client_ref_ok(r, client_id, known, bad_clients, "task"):
                r.ok = False
            task = Task(
                task_id=task_id, client_id=known.get(client_id, client_id), row=row,
                type=r.get("type", kind) or "Other",
                description=text(de),
                amount=r.get("amount", number),
                due_date=r.get("due_date", date),
                opened_on=r.get("opened_on", date),
                status=r.get("status", status) or "Open",
                done_on=r.get("done_on", date),
                reminders_sent=v.parse_int(rs),
                last_reminder=_lenient(date, lr),
                next_reminder=r.get("next_reminder", date, fatal=False),
            )
            if not r.ok:
                continue
        if not task_id:
            task.id_was_blank = True
            blank.append(task)
        tasks.append(task)
    duplicates = {tid for tid, rows in rows_by_id.items() if len(rows) > 1}
    for tid in sorted(duplicates):
        for row in rows_by_id[tid]:
            others = ", ".join(str(x) for x in rows_by_id[tid] if x != row)
            problems.append(Problem(loc.sheet.title, loc.cell("task_id", row),
                                    f"Task ID {tid} is also used on row {others}: give each task its own ID"))
    _fill_ids(blank, list(rows_by_id), "T-", "task_id")
    return [t for t in tasks if t.task_id not in duplicates]


def _read_touches(loc: _Located, problems: list[Problem], date, known: dict[str, str], bad_clients: dict[str, str]) -> list[Touch]:
    # The log is the largest sheet (several rows per client): one tight loop, and a
    # _RowReader only for the rare row that has a problem.
    from sheets_sync.model.layout import CHANNELS, DIRECTIONS

    touches: list[Touch] = []
    held: dict[str, list[int]] = {}
    channel = _cached(lambda raw: v.parse_choice(raw, CHANNELS, CHANNEL_ALIASES))
    direction = _cached(lambda raw: v.parse_choice(raw, DIRECTIONS, DIRECTION_ALIASES))
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
    for row, cells in _rows(loc):
        d, c, t, ch, di, by, su, rf, rs = fields_of(cells + pad)
        client_id = c.strip() if type(c) is str else v.parse_id(c)
        kind = type(d)
        if kind is datetime_type or kind is date_type:
            when = days.get(d)
            if when is None:
                when = days[d] = d.date() if kind is datetime_type else d
        else:
            r = _RowReader(loc, problems, row, cells)
            when = r.get("date", date)
            if r.ok and when is None:
                r.fail("date", "Date is blank: type the day of the contact")
        usable = when is not None
        if client_id not in known:
            usable = _client_ref_ok(_RowReader(loc, problems, row, cells), client_id, known, bad_clients, "touch", held)
        chan = channels.get(ch) if type(ch) is str else None  # the few channels seen so far
        if chan is None:
            chan = _choice(ch, channel, "Note", channels, loc, problems, row, cells, "channel")
        way = ways.get(di) if type(di) is str else None
        if way is None:
            way = _choice(di, direction, "Out", ways, loc, problems, row, cells, "direction")
        if not usable:
            continue
        sender = by.strip() if type(by) is str else text(by)
        touches.append(Touch(
            when, known[client_id], row, "" if t is None else t.strip() if type(t) is str else v.parse_id(t),
            chan, way, names.setdefault(sender, sender), "" if su is None else text(su),
            "" if rf is None else text(rf), "" if rs is None else text(rs),
        ))
    _report_held(loc, problems, held, bad_clients, "touch")
    return touches


def _choice(raw: Any, parse: Callable[[Any], str], default: str, seen: dict[str, str], loc: _Located,
            problems: list[Problem], row: int, cells: list[Any], field: str) -> str:
    """A choice cell of the touch log the slow way: parsed, remembered when it is text, and
    reported at its cell (the default taken) when it is not one of the choices."""
    try:
        value = parse(raw) or default
    except v.BadValue as exc:
        _RowReader(loc, problems, row, cells).problem(field, str(exc))
        return default
    if type(raw) is str:
        seen[raw] = value
    return value


def _read_sales(loc: _Located, problems: list[Problem], date, known: dict[str, str], bad_clients: dict[str, str]) -> list[Sale]:
    sales: list[Sale] = []
    held: dict[str, list[int]] = {}
    for row, cells in _rows(loc):
        r = _RowReader(loc, problems, row, cells)
        client_id = v.parse_id(r.raw("client_id"))
        when = r.get("date", date)
        amount = r.get("amount", v.parse_number)
        if when is None and r.ok:
            r.fail("date", "Date is blank: type the day of the sale")
        if not _client_ref_ok(r, client_id, known, bad_clients, "sale", held) or not r.ok:
            continue
        sales.append(Sale(date=when, client_id=client_id, row=row, amount=amount,
                          description=v.text(r.raw("description"))))
    _report_held(loc, problems, held, bad_clients, "sale")
    return sales
