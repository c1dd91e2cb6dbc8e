"""The read-back after a write: the new file is reopened and read as any reader would, and
it must hold what we meant to write before it replaces the old one.

Every part's checksum is checked, every part we wrote is compared byte for byte, and the
values of the cells we wrote are decoded again by an XML parser (all of them on small
sheets; on big ones an even sample: the serializer is the same for every row).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from sheets_sync.backends.excel.extract import extract_rows, extract_rows_from
from sheets_sync.backends.excel.package import Package
from sheets_sync.backends.excel.read import WorkbookInfo, workbook_info
from sheets_sync.backends.excel.read_lxml import date_styles, iter_rows
from sheets_sync.backends.excel.spill import Checksummed, SpilledPart
from sheets_sync.errors import SourceError
from sheets_sync.workbook import CellValue, SheetContent

VERIFY_FAILED = "{name}: the new version did not read back as written ({detail}); the file was left as it was"


def cells_to_check(cells: dict[str, dict[int, dict[int, CellValue]]],
                   sheets: list[SheetContent]) -> dict[str, dict[tuple[int, int], object]]:
    """The cells the read-back checks, per sheet: all of them on small sheets, an even
    sample of the rows on big ones (see ``verify``), never a copy of every cell written:
    ``cells`` (sheet -> row -> column -> value) and the tool ``sheets`` written whole."""
    grids: dict[str, dict[int, dict[int, object]]] = dict(cells)
    tool_titles = {content.title for content in sheets}
    for content in sheets:
        grid = {r: dict(cols) for r, cols in grids.get(content.title, {}).items()}  # ``cells`` stays as it is
        for r, values in enumerate(content.rows, start=1):
            row = grid.setdefault(r, {})
            for c, value in enumerate(values, start=1):
                row[c] = value
        grids[content.title] = grid
    checks: dict[str, dict[tuple[int, int], object]] = {}
    for title, grid in grids.items():
        rows = _sample({r: cols for r, cols in grid.items() if cols})
        if rows or title in tool_titles:
            checks[title] = {(r, c): value for r, cols in rows.items() for c, value in cols.items()}
    return checks


def _norm(value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value.replace(microsecond=0)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        return None if value != value or value in (float("inf"), float("-inf")) else round(float(value), 9)
    return str(value)


def verify(tmp: Path, name: str, checks: dict[str, dict[tuple[int, int], object]],
            written: Mapping[str, bytes | SpilledPart] | None = None) -> None:
    """Reopen the new file and read it back: every part's checksum, every part we wrote
    byte for byte as we meant it (``written``), and the values of the cells we wrote, decoded
    by an XML parser (``checks``: all of them on small sheets; on big ones the first ten and
    last 500 rows written and an even sample of ``VERIFY_ROWS`` others, as ``cells_to_check``
    picks them: the serializer is the same for every row)."""
    try:
        with Package(tmp) as pkg:
            info = workbook_info(pkg)
            # Every part we wrote is read whole below (its CRC checked on the way): the rest here.
            pkg.check_all(skip=set(written or {}))
            views: dict[str, bytes] = {}
            spilled: dict[str, SpilledPart] = {}  # checked as their values are read back, or after
            for part, data in (written or {}).items():
                if isinstance(data, SpilledPart):
                    spilled[part] = data
                elif not _holds(pkg, part, data):
                    raise ValueError(f"part {part} does not hold what was written")
                else:
                    views[part] = data  # proven the same: read the values back from it, not a second copy
            dates = date_styles(pkg, info) if checks else set()
            for title, cells in checks.items():
                wanted: dict[int, dict[int, object]] = {}
                for (r, c), value in cells.items():
                    wanted.setdefault(r, {})[c] = value
                for r, row in _read_back(pkg, info, title, {r: set(cols) for r, cols in wanted.items()}, dates,
                                         views, spilled):
                    for c, want in wanted.pop(r).items():
                        got = row[c - 1] if c - 1 < len(row) else None
                        if got == want and type(got) is type(want):  # what _norm would make equal too
                            continue
                        if _norm(got) != _norm(want):
                            raise ValueError(f"{title} row {r} column {c}: {got!r} instead of {want!r}")
                for r, cols in wanted.items():  # rows that read back empty
                    for c, want in cols.items():
                        if _norm(want) is not None:
                            raise ValueError(f"{title} row {r} column {c}: empty instead of {want!r}")
            for part, data in spilled.items():
                _check_spilled(pkg, part, data)
    except SourceError as exc:
        raise SourceError(VERIFY_FAILED.format(name=name, detail=str(exc)), source=name) from None
    except Exception as exc:  # any failure to read back means we must not swap the file in
        raise SourceError(VERIFY_FAILED.format(name=name, detail=str(exc)[:200]), source=name) from None


def _holds(pkg: Package, part: str, data: bytes) -> bool:
    """True when ``part`` in ``pkg`` holds exactly ``data``, compared a block at a time
    (``check_all`` has checked its size and checksum already)."""
    if not pkg.has(part):
        return False
    view = memoryview(data)
    pos = 0
    with pkg.open(part) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            if view[pos:pos + len(block)] != block:
                return False
            pos += len(block)
    return pos == len(data)


VERIFY_ROWS = 2000  # the serializer is the same for every row: an even sample of this many catches its faults


def _sample(wanted: dict[int, dict[int, object]]) -> dict[int, dict[int, object]]:
    if len(wanted) <= VERIFY_ROWS:
        return wanted
    rows = sorted(wanted)
    step = len(rows) / VERIFY_ROWS
    keep = {rows[int(i * step)] for i in range(VERIFY_ROWS)} | set(rows[:10]) | set(rows[-500:])
    return {r: wanted[r] for r in keep}


def _check_spilled(pkg: Package, part: str, data: SpilledPart) -> None:
    """The new package's ``part`` read whole: it must be ``data``'s bytes."""
    if not pkg.has(part):
        raise ValueError(f"part {part} is missing")
    with pkg.open(part) as fh:
        _must_match(part, data, fh)


def _must_match(part: str, data: SpilledPart, stream: IO[bytes] | Checksummed) -> None:
    if not data.matches(stream):
        raise ValueError(f"part {part} does not hold what was written")


def _read_back(pkg: Package, info: WorkbookInfo, title: str, rows: dict[int, set[int]], dates: set[int],
               views: dict[str, bytes] | None = None,
               spilled: dict[str, SpilledPart] | None = None) -> Iterator[tuple[int, list[object]]]:
    """The rows ``rows`` (1-based) of sheet ``title`` as an XML parser reads them from
    ``pkg``, ``dates`` being its date styles: the part's structure and those rows are
    parsed; the rows in between are the original's bytes, which the read before the write
    parsed already. A part in ``views`` is read from there (proven the same already); one
    in ``spilled`` is checked against it in the same pass over the new file, and taken out
    of ``spilled``."""
    sheet = info.sheet(title)
    if sheet is None or not pkg.has(sheet.part):
        raise ValueError(f"sheet {title} is missing")
    xml = (views or {}).get(sheet.part)
    if xml is not None:
        mini = extract_rows(xml, rows)
    else:
        copy = (spilled or {}).pop(sheet.part, None)
        with pkg.open(sheet.part) as fh:
            stream = Checksummed(fh, copy) if copy is not None else fh  # counted only to compare
            mini = extract_rows_from(stream, rows)  # type: ignore[arg-type]
            if copy is not None:
                _must_match(sheet.part, copy, stream)
    yield from iter_rows(pkg, sheet.part, [], dates, info.date_system, only=rows, source=io.BytesIO(mini))
