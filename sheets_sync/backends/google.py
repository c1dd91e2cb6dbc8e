"""The Google Sheets backend: a whole sync in a handful of requests, whatever the row count.

- ``read``: one ``spreadsheets.get`` (titles, ids, grid sizes, locale, time zone) and one
  ``values:batchGet`` over every sheet (unformatted values, dates as serial numbers).
- ``write``: one ``values:batchGet`` of the header rows, key columns and target columns
  of the tables written (formulas visible), then at most one ``spreadsheets:batchUpdate``
  (grow a grid, add a tool sheet and its chart) and one ``values:batchUpdate`` holding every
  value (appended rows included, at fixed rows: so a retried write lands in the same cells).
  Rows are found by key in that fresh read, so an update follows its row when staff insert,
  delete or sort rows, and is dropped (and reported) when its key is gone.

Every request goes through ``RetryingHTTPClient`` (bounded retry, one overall deadline).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError

from sheets_sync.backends import google_format as fmt
from sheets_sync.backends.google_auth import Identity, load_identity, token_path
from sheets_sync.backends.google_http import DEFAULT_TIMEOUT, RetryingHTTPClient, spreadsheets_url
from sheets_sync.backends.google_values import (
    a1,
    column_range,
    from_api,
    parse_range,
    quote_title,
    row_range,
    to_user_entered,
)
from sheets_sync.config import Config, user_dir
from sheets_sync.errors import ConfigError, RemoteError, SourceChanged, SourceError
from sheets_sync.layout import SETTINGS, TABLES, normalize_header
from sheets_sync.model import cell_name
from sheets_sync.settings import SPEC_BY_KEY, find_spec
from sheets_sync.template import column_names, find_sheet, header_row
from sheets_sync.values import text
from sheets_sync.workbook import (
    CellValue,
    SheetContent,
    SheetData,
    TableRef,
    WorkbookData,
    WriteBatch,
    WriteResult,
)

META_FIELDS = (
    "spreadsheetId,properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,sheetType,gridProperties(rowCount,columnCount)))"
)
READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
               "majorDimension": "ROWS"}
FRESH_PARAMS = {"valueRenderOption": "FORMULA", "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS"}
DEFAULT_TIME_LIMIT = float(SPEC_BY_KEY["google_time_limit_seconds"].default)

MOVED = "{sheet}: columns were moved or renamed while the tool was running"
RENAMED = "a sheet was renamed or deleted while the tool was running"


@dataclass
class SheetMeta:
    """One grid sheet as spreadsheets.get described it."""

    sheet_id: int
    title: str
    rows: int
    cols: int


@dataclass
class _Fresh:
    """What the fresh read before a write saw of one sheet (values as FORMULA)."""

    title: str
    header: list[Any] = field(default_factory=list)
    cells: dict[int, dict[int, Any]] = field(default_factory=dict)  # row -> col -> value (1-based)
    row_count: int = 0  # the grid's rows now (0 when not learned)
    col_count: int = 0

    def get(self, row: int, col: int) -> Any:
        return self.cells.get(row, {}).get(col)

    def last_used_row(self, at_least: int) -> int:
        used = [r for r, cols in self.cells.items() if any(v not in (None, "") for v in cols.values())]
        return max([at_least, *used])


class GoogleBackend:
    """A Google spreadsheet, addressed by its key. See the module docstring for the requests."""

    def __init__(
        self,
        key: str,
        config: Config | None = None,
        *,
        time_limit: float | None = None,
        timeout: float | None = None,
        credentials: Any = None,
        first_delay: float | None = None,
        **_ignored: object,
    ) -> None:
        self.key = key
        self.config = config or Config()
        self.label = key
        self.locale = ""
        self.time_zone = ""
        self._explicit_limit = time_limit
        self._sheet_limit: float | None = None
        self._timeout = timeout
        self._credentials = credentials
        self._first_delay = first_delay
        self._identity: Identity | None = None
        self._client: RetryingHTTPClient | None = None
        self._meta: dict[str, SheetMeta] = {}
        self._snapshot: WorkbookData | None = None

    # -- plumbing -------------------------------------------------------------------------

    @property
    def time_limit(self) -> float:
        """Seconds to keep retrying: the constructor's, the Settings sheet's, the config's, 120."""
        if self._explicit_limit is not None:
            return float(self._explicit_limit)
        if self._sheet_limit is not None:
            return self._sheet_limit
        configured = self.config.section("google").get("time_limit_seconds")
        return float(configured) if configured is not None else DEFAULT_TIME_LIMIT

    @property
    def requests_made(self) -> int:
        """API requests sent so far by this backend (retries included)."""
        return self._client.requests_made if self._client else 0

    def client(self) -> RetryingHTTPClient:
        """The HTTP client, created (and credentials loaded) on first use."""
        if self._client is None:
            if self._credentials is not None:
                self._identity = Identity(self._credentials, "adc", origin="the given credentials")
            else:
                self._identity = load_identity(self.config)
            timeout = self._timeout or float(self.config.section("google").get("timeout_seconds", DEFAULT_TIMEOUT))
            self._client = RetryingHTTPClient(
                self._identity.credentials, time_limit=self.time_limit, timeout=timeout, source=self.label)
            if self._first_delay is not None:
                self._client.first_delay = self._first_delay
        self._client.time_limit = self.time_limit
        return self._client

    @contextmanager
    def _calls(self) -> Iterator[RetryingHTTPClient]:
        """One operation: a shared deadline, and API failures turned into clear errors."""
        client = self.client()
        try:
            with client.deadline():
                yield client
        except APIError as exc:
            raise api_error(exc, self.key, self._identity) from None
        except auth_exceptions.GoogleAuthError as exc:
            raise auth_error(exc, self._identity) from None

    def close(self) -> None:
        """Close the HTTP connections (the backend can still be used: they reopen)."""
        if self._client is not None:
            self._client.session.close()

    def __enter__(self) -> GoogleBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def state_dir(self) -> Path:
        """``<config folder>/google/<key>``: journal, lock and memory for this spreadsheet."""
        path = user_dir() / "google" / self.key
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- read -----------------------------------------------------------------------------

    def read(self) -> WorkbookData:
        """Every grid sheet's values: two requests (metadata, one batchGet)."""
        with self._calls() as client:
            meta = client.fetch_sheet_metadata(self.key, params={"includeGridData": "false", "fields": META_FIELDS})
            self._remember(meta)
            ranges = [a1(m.title, 1, 1, max(m.rows, 1), max(m.cols, 1)) for m in self._meta.values()]
            answer = client.values_batch_get(self.key, ranges, params=dict(READ_PARAMS)) if ranges else {}
        sheets: dict[str, SheetData] = {}
        for meta_sheet, value_range in zip(self._meta.values(), answer.get("valueRanges", []), strict=False):
            rows = [[from_api(v) for v in row] for row in value_range.get("values", [])]
            sheets[meta_sheet.title] = SheetData(meta_sheet.title, rows)
        data = WorkbookData(sheets, date_system=1900, source=self.label)
        self._snapshot = data
        self._sheet_limit = _sheet_time_limit(data)
        return data

    def _remember(self, meta: dict[str, Any]) -> None:
        props = meta.get("properties", {})
        self.label = props.get("title") or self.key
        self.locale = props.get("locale", "")
        self.time_zone = props.get("timeZone", "")
        self._meta = {}
        for sheet in meta.get("sheets", []):
            p = sheet.get("properties", {})
            if p.get("sheetType", "GRID") != "GRID":
                continue
            grid = p.get("gridProperties", {})
            self._meta[p["title"]] = SheetMeta(int(p.get("sheetId", 0)), p["title"],
                                               int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0)))
        if self._client is not None:
            self._client.source = self.label

    def _sheet_meta(self, title: str) -> SheetMeta | None:
        if title in self._meta:
            return self._meta[title]
        wanted = title.strip().casefold()
        return next((m for t, m in self._meta.items() if t.strip().casefold() == wanted), None)

    # -- write ----------------------------------------------------------------------------

    def write(self, batch: WriteBatch) -> WriteResult:
        """Apply the batch: one fresh read, then at most one structural and one values request.

        Raises SourceChanged when columns moved or a sheet vanished since ``read`` (the caller
        reads again and retries), RemoteError when Google keeps failing (nothing written).
        """
        if batch.is_empty():
            return WriteResult()
        if self._snapshot is None:
            self.read()
        plan = _WritePlan(self, batch)
        with self._calls() as client:
            ranges = plan.fresh_ranges()
            try:
                answer = client.values_batch_get(self.key, ranges, params=dict(FRESH_PARAMS)) if ranges else {}
            except APIError as exc:
                if _status(exc) == 400:
                    raise SourceChanged(f"{self.label}: {RENAMED}; run it again", source=self.label) from None
                raise
            plan.take_fresh(answer.get("valueRanges", []))
            result = plan.resolve()
            if plan.structure:
                client.batch_update(self.key, {"requests": plan.structure})
            data = plan.value_ranges()
            if data:
                client.values_batch_update(self.key, {"valueInputOption": "USER_ENTERED", "data": data})
        return result

    # -- init --into ----------------------------------------------------------------------

    def add_sheets(self, sheets: list[SheetContent], columns: dict[str, list[str]]) -> None:
        """Add missing template sheets and header cells in ONE spreadsheets:batchUpdate.

        Existing cells, formats and sheets stay as they are; new headers go at the right of
        each named sheet's header row (bold, like the template's).
        """
        if not sheets and not any(columns.values()):
            return
        if self._snapshot is None:
            self.read()
        assert self._snapshot is not None
        requests: list[dict[str, Any]] = []
        used = {m.sheet_id for m in self._meta.values()}
        for content in sheets:
            sheet_id = _new_sheet_id(used)
            requests.append({"addSheet": {"properties": fmt.sheet_properties(sheet_id, content)}})
            requests += fmt.content_requests(sheet_id, content)
        for title, headers in columns.items():
            if not headers:
                continue
            meta = self._sheet_meta(title)
            sheet = self._snapshot.sheet(title)
            if meta is None or sheet is None:
                raise SourceError(f"{self.label}: no sheet named '{title}'", source=self.label)
            top = _header_row_of(sheet)
            cells = sheet.rows[top - 1] if len(sheet.rows) >= top else []
            last = max((i + 1 for i, c in enumerate(cells) if c not in (None, "")), default=0)
            needed = last + len(headers)
            if needed > meta.cols:
                requests.append(_append_dimension(meta.sheet_id, "COLUMNS", needed - meta.cols))
            requests.append(fmt.header_cells_request(meta.sheet_id, top, last + 1, list(headers)))
        with self._calls() as client:
            client.batch_update(self.key, {"requests": requests})
        self._snapshot = None  # the next write reads afresh


def create_spreadsheet(title: str, sheets: list[SheetContent], config: Config | None = None, *,
                       share_with: list[str] | None = None, credentials: Any = None) -> str:
    """Create a Google spreadsheet holding ``sheets`` (formatted) and return its key.

    Requests: spreadsheets.create, ONE spreadsheets:batchUpdate (values, formats, dropdowns,
    filters, charts), and with a service account one Drive permission per address in
    ``share_with`` (default: ``[google] share_with`` in the config), since a spreadsheet a
    service account creates is otherwise visible to nobody else.
    """
    backend = GoogleBackend("new", config, credentials=credentials)
    config = backend.config
    if share_with is None:
        configured = config.section("google").get("share_with", [])
        share_with = [configured] if isinstance(configured, str) else list(configured)
    with backend._calls() as client:
        properties = [fmt.sheet_properties(i, content, i) for i, content in enumerate(sheets)]
        body = {"properties": {"title": title}, "sheets": [{"properties": p} for p in properties]}
        created = client.request("post", spreadsheets_url(), json=body).json()
        key = str(created["spreadsheetId"])
        backend.key = key
        requests = [r for i, content in enumerate(sheets) for r in fmt.content_requests(i, content)]
        try:
            if requests:
                client.batch_update(key, {"requests": requests})
            for address in share_with:
                client.insert_permission(key, address, perm_type="user", role="writer", notify=True)
        except (APIError, RemoteError) as exc:
            detail = exc if isinstance(exc, RemoteError) else api_error(exc, key, backend._identity)
            raise RemoteError(
                f"Created spreadsheet {key} but could not finish it ({detail}); delete it in Google "
                "Drive and run init again", source=title) from None
    return key


# -- the write plan ---------------------------------------------------------------------------


class _WritePlan:
    """Turns a WriteBatch into ranges to read afresh, then into requests, for one write."""

    def __init__(self, backend: GoogleBackend, batch: WriteBatch) -> None:
        assert backend._snapshot is not None
        self.backend = backend
        self.batch = batch
        self.snapshot = backend._snapshot
        self.structure: list[dict[str, Any]] = []
        self.cells: dict[str, dict[int, dict[int, Any]]] = {}  # title -> row -> col -> API value
        self.fresh: dict[str, _Fresh] = {}
        self.sheets: dict[str, _SheetPlan] = {}
        self._kinds: list[tuple[str, str, str]] = []  # (title, header|columns, range) asked afresh
        for ref in self._refs():
            if ref.sheet not in self.sheets:
                self.sheets[ref.sheet] = self._sheet_plan(ref)
                self.sheets[ref.sheet].add_new_columns(batch.new_columns.get(ref.sheet, []))

    def _refs(self) -> Iterator[TableRef]:
        names = set(self.batch.new_columns) | set(self.batch.appends)
        for update in self.batch.updates:
            yield update.table
        for name in sorted(names):
            ref = self.batch.tables.get(name)
            if ref is None:
                raise SourceError(f"{name}: the batch does not say where this table's header row is")
            yield ref

    def _sheet_plan(self, ref: TableRef) -> _SheetPlan:
        sheet = self.snapshot.sheet(ref.sheet)
        meta = self.backend._sheet_meta(ref.sheet)
        if sheet is None or meta is None:
            raise SourceChanged(f"{self.backend.label}: {RENAMED}; run it again", source=self.backend.label)
        header = sheet.rows[ref.header_row - 1] if len(sheet.rows) >= ref.header_row else []
        return _SheetPlan(ref, meta, list(header))

    def fresh_ranges(self) -> list[str]:
        """Header rows, key, check and target columns (whole sheets where rows are appended)."""
        self._kinds = []
        for name, plan in self.sheets.items():
            title = plan.meta.title
            self._kinds.append((title, "header", row_range(title, plan.ref.header_row)))
            if self.batch.appends.get(name):
                self._kinds.append((title, "columns", column_range(title, 1, max(plan.meta.cols, plan.width()))))
                continue
            wanted: set[int] = set()
            for update in self.batch.updates:
                if update.table.sheet != name:
                    continue
                if update.table.key_header:
                    wanted.add(plan.col(update.table.key_header))
                wanted.update(plan.col(h) for h in update.values)
                wanted.update(plan.col(h) for h in update.check)
            for start, end in _runs(sorted(wanted)):
                self._kinds.append((title, "columns", column_range(title, start, end)))
        return [rng for _, _, rng in self._kinds]

    def take_fresh(self, value_ranges: list[dict[str, Any]]) -> None:
        """Record the fresh read, per sheet (replies come in the order of the ranges asked)."""
        for (title, kind, _), value_range in zip(self._kinds, value_ranges, strict=False):
            _, r1, c1, r2, c2 = parse_range(value_range.get("range", ""))
            fresh = self.fresh.setdefault(title, _Fresh(title))
            values = value_range.get("values", [])
            if kind == "header":
                fresh.header = list(values[0]) if values else []
                fresh.col_count = max(fresh.col_count, c2)
            else:
                fresh.row_count = max(fresh.row_count, r2)
            for dr, row in enumerate(values):
                target = fresh.cells.setdefault(r1 + dr, {})
                for dc, value in enumerate(row):
                    target[c1 + dc] = value

    def resolve(self) -> WriteResult:
        """Place every update, new header and appended row; build the structural requests."""
        result = WriteResult()
        touched: set[tuple[str, int]] = set()
        for name, plan in self.sheets.items():
            fresh = self.fresh.get(plan.meta.title) or _Fresh(plan.meta.title)
            plan.check_header(fresh, self.backend.label)
            for offset, header in enumerate(plan.new_headers):
                self._put(plan, plan.ref.header_row, plan.new_at + offset, header)
            plan.need_cols = max(plan.need_cols, plan.width())
            if name in self.batch.appends:
                self._appends(plan, fresh, self.batch.appends[name], result)
        for update in self.batch.updates:
            plan = self.sheets[update.table.sheet]
            fresh = self.fresh.get(plan.meta.title) or _Fresh(plan.meta.title)
            row = self._find_row(plan, fresh, update, result)
            if row is None:
                continue
            values = dict(update.values)
            if update.fill_key and update.table.key_header:
                values[update.table.key_header] = update.key
            wrote = False
            for header, value in values.items():
                col = plan.col(header)
                current = fresh.get(row, col)
                if isinstance(current, str) and current.startswith("="):
                    result.dropped.append(
                        f"{plan.meta.title}!{cell_name(col, row)} holds a formula, so the tool left it as it is")
                    continue
                self._put(plan, row, col, to_user_entered(value))
                wrote = True
            if wrote:
                touched.add((plan.meta.title, row))
        result.rows_updated = len(touched)
        for plan in self.sheets.values():
            fresh = self.fresh.get(plan.meta.title)
            rows_now = fresh.row_count if fresh and fresh.row_count else plan.meta.rows
            cols_now = fresh.col_count if fresh and fresh.col_count else plan.meta.cols
            if plan.need_rows > rows_now:
                self.structure.append(_append_dimension(plan.meta.sheet_id, "ROWS", plan.need_rows - rows_now))
            if plan.need_cols > cols_now:
                self.structure.append(_append_dimension(plan.meta.sheet_id, "COLUMNS", plan.need_cols - cols_now))
        for content in self.batch.tool_sheets:
            self._tool_sheet(content)
        return result

    def _find_row(self, plan: _SheetPlan, fresh: _Fresh, update: Any, result: WriteResult) -> int | None:
        key_header = update.table.key_header
        where = f"{plan.meta.title}: {key_header or 'row'} {update.key}"
        if not key_header:
            result.dropped.append(f"{where}: this table has no key column, so the update was dropped")
            return None
        key_col = plan.col(key_header)
        rows = plan.key_rows(fresh, key_col)
        if update.fill_key:
            row = update.row_hint
            if rows.get(update.key):
                result.dropped.append(f"{where} is already in the sheet; the ID was not written again")
                return None
            same = all(text(fresh.get(row, plan.col(h))) == text(v) for h, v in update.check.items())
            if text(fresh.get(row, key_col)) or not same:
                result.dropped.append(
                    f"{where}: row {row} changed while the tool was running, so its new ID was not written")
                return None
            return row
        found = rows.get(update.key, [])
        if not found:
            result.dropped.append(f"{where} is no longer in the sheet, so its update was dropped")
            return None
        if len(found) > 1:
            listed = ", ".join(str(r) for r in found)
            result.dropped.append(f"{where} is on several rows ({listed}): fix the duplicate; nothing written there")
            return None
        return found[0]

    def _appends(self, plan: _SheetPlan, fresh: _Fresh, rows: list[dict[str, CellValue]],
                 result: WriteResult) -> None:
        start = fresh.last_used_row(plan.ref.header_row) + 1
        for offset, values in enumerate(rows):
            for header, value in values.items():
                if value is None:
                    continue
                self._put(plan, start + offset, plan.col(header), to_user_entered(value))
        result.rows_appended += len(rows)
        plan.need_rows = max(plan.need_rows, start + len(rows) - 1)

    def _put(self, plan: _SheetPlan, row: int, col: int, value: Any) -> None:
        self.cells.setdefault(plan.meta.title, {}).setdefault(row, {})[col] = value
        plan.need_cols = max(plan.need_cols, col)

    def _tool_sheet(self, content: SheetContent) -> None:
        meta = self.backend._sheet_meta(content.title)
        width = max((len(r) for r in content.rows), default=0)
        height = len(content.rows)
        title = content.title
        if meta is None:
            used = {m.sheet_id for m in self.backend._meta.values()}
            sheet_id = _new_sheet_id(used)
            props = fmt.sheet_properties(sheet_id, content)
            self.structure.append({"addSheet": {"properties": props}})
            if content.chart:
                self.structure.append(fmt.chart_request(sheet_id, content.chart))
            old_height = old_width = 0
        else:
            title = meta.title
            old = self.snapshot.sheet(meta.title)
            old_height = len(old.rows) if old else 0
            old_width = max((len(r) for r in old.rows), default=0) if old else 0
            if height > meta.rows:
                self.structure.append(_append_dimension(meta.sheet_id, "ROWS", height - meta.rows))
            if width > meta.cols:
                self.structure.append(_append_dimension(meta.sheet_id, "COLUMNS", width - meta.cols))
        grid = self.cells.setdefault(title, {})
        for r in range(1, max(height, old_height) + 1):
            values = content.rows[r - 1] if r <= height else []
            row = grid.setdefault(r, {})
            for c in range(1, max(width, old_width) + 1):
                row[c] = to_user_entered(values[c - 1] if c <= len(values) else None)

    def value_ranges(self) -> list[dict[str, Any]]:
        """ValueRanges for values:batchUpdate: one block per run of consecutive rows."""
        data = []
        for title, rows in self.cells.items():
            numbers = sorted(r for r, cols in rows.items() if cols)
            for first, last in _runs(numbers):
                block = [rows[r] for r in range(first, last + 1)]
                left = min(min(cols) for cols in block)
                right = max(max(cols) for cols in block)
                values = [[cols.get(c) for c in range(left, right + 1)] for cols in block]
                data.append({"range": a1(title, first, left, last, right), "majorDimension": "ROWS",
                             "values": values})
        return data


class _SheetPlan:
    """One written table: its header as read, and where new columns go."""

    def __init__(self, ref: TableRef, meta: SheetMeta, header: list[Any]) -> None:
        self.ref = ref
        self.meta = meta
        self.header = header
        self.positions: dict[str, int] = {}
        for index, cell in enumerate(header, start=1):
            self.positions.setdefault(normalize_header(cell), index)
        self.positions.pop("", None)
        self.new_headers: list[str] = []
        self.new_at = max((i + 1 for i, c in enumerate(header) if c not in (None, "")), default=0) + 1
        self.need_rows = 0
        self.need_cols = 0
        self._keys: dict[str, list[int]] | None = None

    def add_new_columns(self, headers: list[str]) -> None:
        for header in headers:
            norm = normalize_header(header)
            if norm and norm not in self.positions:
                self.positions[norm] = self.new_at + len(self.new_headers)
                self.new_headers.append(header)

    def width(self) -> int:
        return max(self.positions.values(), default=0)

    def col(self, header: str) -> int:
        position = self.positions.get(normalize_header(header))
        if position is None:
            raise SourceChanged(MOVED.format(sheet=self.meta.title) + f" (no column '{header}')",
                                source=self.meta.title)
        return position

    def check_header(self, fresh: _Fresh, label: str) -> None:
        """The columns we address must be where the first read saw them."""
        now: dict[str, int] = {}
        for index, cell in enumerate(fresh.header, start=1):
            now.setdefault(normalize_header(cell), index)
        for norm, position in self.positions.items():
            if position >= self.new_at:
                continue  # a column we add: its cell must still be free
            if now.get(norm) != position:
                raise SourceChanged(MOVED.format(sheet=self.meta.title) + "; run it again", source=label)
        for offset in range(len(self.new_headers)):
            if text(fresh.header[self.new_at - 1 + offset] if len(fresh.header) >= self.new_at + offset else None):
                raise SourceChanged(MOVED.format(sheet=self.meta.title) + "; run it again", source=label)

    def key_rows(self, fresh: _Fresh, key_col: int) -> dict[str, list[int]]:
        if self._keys is None:
            self._keys = {}
            for row, cols in fresh.cells.items():
                if row <= self.ref.header_row:
                    continue
                key = text(cols.get(key_col))
                if key:
                    self._keys.setdefault(key, []).append(row)
            for rows in self._keys.values():
                rows.sort()
        return self._keys


# -- helpers ----------------------------------------------------------------------------------


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs in sorted numbers: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _append_dimension(sheet_id: int, dimension: str, length: int) -> dict[str, Any]:
    return {"appendDimension": {"sheetId": sheet_id, "dimension": dimension, "length": length}}


def _new_sheet_id(used: set[int]) -> int:
    while True:
        candidate = random.randint(1, 2**31 - 1)
        if candidate not in used:
            used.add(candidate)
            return candidate


def _header_row_of(sheet: SheetData) -> int:
    best_row, best = 1, 0
    for table in TABLES:
        row, found = header_row(sheet.rows, column_names(table))
        if len(found) > best:
            best_row, best = row, len(found)
    return best_row


def _sheet_time_limit(data: WorkbookData) -> float | None:
    """The 'Google time limit (seconds)' row of the Settings sheet, when it holds a number."""
    sheet = find_sheet(data, SETTINGS)
    if sheet is None:
        return None
    for row in sheet.rows[:200]:
        for index, cell in enumerate(row[:-1]):
            spec = find_spec(cell) if isinstance(cell, str) else None
            if spec is not None and spec.key == "google_time_limit_seconds":
                value = row[index + 1]
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                    return float(value)
                return None
    return None


def _status(exc: APIError) -> int:
    try:
        return int(exc.response.status_code)
    except (AttributeError, TypeError, ValueError):
        return int(exc.code) if isinstance(exc.code, int) else 0


def _message(exc: APIError) -> str:
    if not isinstance(exc.error, dict) or exc.error.get("code") == -1:
        return ""  # not a JSON error (an HTML page from a proxy): nothing worth showing
    message = exc.error.get("message", "")
    return " ".join(str(message).split())[:200]


def api_error(exc: APIError, key: str, identity: Identity | None) -> SourceError:
    """A Google API error as one line that says what to do (never a token or key)."""
    status = _status(exc)
    message = _message(exc)
    who = identity.who() if identity else "Your Google account"
    if status == 401:
        fix = (f"create a new key for {identity.email} in the Google Cloud console"
               if identity and identity.kind == "service_account" and identity.email
               else f"delete {token_path()} and sign in again")
        return RemoteError(f"Google did not accept the credentials (401): {fix}", status=status, source=key)
    if status == 403:
        if "has not been used" in message or "is disabled" in message or "SERVICE_DISABLED" in str(exc.error):
            return RemoteError(
                "The Google Sheets API is not enabled for the Cloud project of these credentials: enable "
                "it at https://console.cloud.google.com/apis/library/sheets.googleapis.com", status=status, source=key)
        if identity and identity.kind == "service_account" and identity.email:
            return RemoteError(
                f"{who} cannot open this spreadsheet: share it with that address (Editor).", status=status, source=key)
        return RemoteError(
            f"{who} cannot open this spreadsheet: ask its owner to share it with you (Editor).",
            status=status, source=key)
    if status == 404:
        return RemoteError(f"No spreadsheet with key {key}: check the address", status=status, source=key)
    detail = f": {message}" if message else ""
    return RemoteError(f"Google Sheets refused the request (HTTP {status}){detail}", status=status, source=key)


def auth_error(exc: auth_exceptions.GoogleAuthError, identity: Identity | None) -> SourceError:
    """A sign-in failure as one line (google-auth's messages can be long; keep the first part)."""
    first = exc.args[0] if exc.args else type(exc).__name__
    detail = " ".join(str(first).split())[:160]
    if identity and identity.kind == "service_account":
        fix = "check that the key file is current (keys deleted in the Cloud console stop working)"
    elif isinstance(exc, auth_exceptions.DefaultCredentialsError):
        return ConfigError(f"Google credentials problem: {detail}")
    else:
        fix = f"delete {token_path()} and sign in again"
    return RemoteError(f"Google sign-in failed ({detail}): {fix}")


__all__ = ["GoogleBackend", "create_spreadsheet", "SheetMeta", "quote_title"]
