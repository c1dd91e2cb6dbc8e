"""Finding a table and reading its rows: the sheet and header row, the rows below it, one
row's cells with their problems, and the rows that name a client.

A bad cell becomes a Problem at that cell, said with what becomes of its row (``LEFT_OUT``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from sheets_sync.a1 import cell_name
from sheets_sync.errors import LayoutError
from sheets_sync.model import values as v
from sheets_sync.model.headers import HEADER_SCAN_ROWS, find_sheet, header_row, sheet_titles
from sheets_sync.model.layout import Table
from sheets_sync.model.rows import Problem
from sheets_sync.workbook import SheetData, TableRef, WorkbookData


class Located:
    """A table found in the workbook: its sheet, header row and column positions (0-based)."""

    def __init__(self, table: Table, sheet: SheetData, header_row: int, cols: dict[str, int]):
        self.table = table
        self.sheet = sheet
        self.header_row = header_row
        self.cols = cols
        # Rows are read padded with Nones, a field without a column pointing at the last
        # one: no length or presence check per field (millions of cells in a big book).
        self.pad: list[Any] = [None] * (max(cols.values(), default=-1) + 2)
        # A row with no key whose label says Total, Sum or Count sums the rows above it:
        # left alone, and said once (``summary_rows``), not reported as a client without a Status.
        self.key_slot = cols.get(table.key or "client_id")
        self.summary_rows: list[int] = []
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
        """Where the table is, for the write-back."""
        key = self.table.key
        return TableRef(self.sheet.title, self.header_row, self.headers.get(key) if key else None)

    def cell(self, field: str, row: int) -> str:
        """The A1 name of ``field``'s cell on ``row``."""
        return cell_name(self.cols[field] + 1, row)


def find_table(data: WorkbookData, table: Table, remap: dict[str, Any] | None = None) -> Located | None:
    """Locate a table: its sheet (by remapped title, title or alias) and its header row."""
    remap = remap or {}
    sheet = find_sheet(data, table, remap.get("sheet"), remap.get("columns"))
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
    return Located(table, sheet, row, found)


def table_rows(loc: Located):
    """(row number, cells) for each non-blank row below the header that is not a summary row
    (those go to ``loc.summary_rows``)."""
    key = loc.key_slot
    # A summary row's key cell holds no ID: it is blank, or the row's own label (offices
    # often type "TOTAL" in column A, which is their ID column).
    for row_number, cells in enumerate(loc.sheet.rows[loc.header_row:], start=loc.header_row + 1):
        for cell in cells:
            if cell is not None and cell != "":
                if key is not None:
                    k = cells[key] if key < len(cells) else None
                    if (k is None or k == "" or (isinstance(k, str) and _is_label(k))) and is_summary_row(cells):
                        loc.summary_rows.append(row_number)
                        break
                yield row_number, cells
                break


# The label's letters, whatever stands between them ("T-O-T-A-L", "Sub total:"): each letter
# may be followed by anything but a letter, so one match of the casefolded text tells.
_SUMMARY_LABEL = re.compile("[^a-z]*" + re.sub("([a-z])", r"(?:\1[^a-z]*)", "(grand|sub)?(totals?|sum|count|average)+"))


def _is_label(text: str) -> bool:
    folded = text.casefold()
    # Each label ends in total(s), sum, count or average, and each of those words holds an o,
    # a u or an a: without a t, m or v, or without an o, u or a (IDs like C-26 and T-26), the
    # regex cannot match, and a few searches of the text cost less than it.
    return (("t" in folded or "m" in folded or "v" in folded) and ("o" in folded or "u" in folded or "a" in folded)
            and _SUMMARY_LABEL.fullmatch(folded) is not None)


def is_summary_row(cells: list[Any]) -> bool:
    """True when a row's first text says it sums the rows above: Total, TOTAL / COUNT,
    Grand total, Subtotal, Sum, Count, Average (the whole text, so "Total Fitness Ltd", a
    client, is not one)."""
    first = next((c for c in cells if isinstance(c, str) and c.strip()), None)
    return first is not None and _is_label(first)


# What becomes of a row that cannot be used, said at the cell that stops it.
LEFT_OUT = {"clients": "this client is left out of the run until it is fixed",
            "tasks": "this task waits until it is fixed",
            "touches": "this touch is not counted until it is fixed",
            "sales": "this sale is not counted until it is fixed"}
WAITS = {"task": "waits", "touch": "is not counted", "sale": "is not counted"}


class RowReader:
    """Reads one row's fields, collecting problems at their cells."""

    def __init__(self, loc: Located, problems: list[Problem], row: int, cells: list[Any]):
        self.loc, self.problems, self.row = loc, problems, row
        self.cells, self.slot = cells + loc.pad, loc.slot
        self.ok = True

    def fail(self, field: str, message: str) -> None:
        """A problem that keeps the row out of the run, saying so."""
        self.problem(field, f"{message}; {LEFT_OUT[self.loc.table.name]}")
        self.ok = False

    def raw(self, field: str) -> Any:
        """The cell as it is (None for a column the table lacks)."""
        return self.cells[self.slot[field]]

    def get(self, field: str, parse: Callable[[Any], Any], *, fatal: bool = True, default: Any = None) -> Any:
        """The cell parsed; when ``parse`` refuses it, a problem (``fatal``: the row is left
        out) and ``default``."""
        try:
            return parse(self.cells[self.slot[field]])
        except v.BadValue as exc:
            if fatal:
                self.fail(field, str(exc))
            else:
                self.problem(field, str(exc))
            return default

    def problem(self, field: str, message: str) -> None:
        """A problem at the cell that does not keep the row out."""
        self.problems.append(Problem(self.loc.sheet.title, self.loc.cell(field, self.row), message))


_MISSING = object()


def cached(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Memoize a parser on hashable raw values: logs repeat the same few strings endlessly."""
    cache: dict[Any, Any] = {}
    texts: dict[str, Any] = {}

    def wrapper(raw: Any) -> Any:
        if type(raw) is str:  # most cells; a text equals no value of another type: it is its own key
            value = texts.get(raw, _MISSING)
            if value is _MISSING:
                value = texts[raw] = parse(raw)
            return value
        key = (type(raw), raw)  # 1, 1.0 and True are equal keys but not the same cell
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = cache[key] = parse(raw)
        return value

    return wrapper


def fill_ids(rows: list[Any], existing: list[str], prefix: str, field: str) -> None:
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


def lenient(parse: Callable[[Any], Any], raw: Any) -> Any:
    """``parse(raw)``, or None when it refuses (a tool column: rewritten anyway)."""
    try:
        return parse(raw)
    except v.BadValue:
        return None


def row_of(cell: str) -> int:
    """The row number of an A1 cell name (0 for none), to sort problems by row."""
    digits = re.sub(r"\D", "", cell)
    return int(digits) if digits else 0


def client_ref_ok(r: RowReader, client_id: str, known: dict[str, str], bad: dict[str, str], what: str,
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


def report_held(loc: Located, problems: list[Problem], held: dict[str, list[int]], bad: dict[str, str],
                 what: str) -> None:
    """One problem for each left-out client a log names, at the first row naming it: a client
    on two rows of Clients may have hundreds of touches, and one line says it for all."""
    for client_id, rows in held.items():
        more = len(rows) - 1
        which = f"this {what} is" if not more else \
            f"this {what} and {more} more row{'s' if more > 1 else ''} of {loc.sheet.title} naming it are"
        problems.append(Problem(loc.sheet.title, loc.cell("client_id", rows[0]),
                                f"{bad[client_id]}; {which} not counted until that is fixed"))
