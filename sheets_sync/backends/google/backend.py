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

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError

from sheets_sync.backends.google import format as fmt
from sheets_sync.backends.google.anchors import take_reply, wrong_rows
from sheets_sync.backends.google.auth import Identity, load_identity
from sheets_sync.backends.google.errors import api_error, auth_error, status_of
from sheets_sync.backends.google.http import (
    DEFAULT_TIMEOUT,
    RetryingHTTPClient,
    host_of,
    spreadsheets_url,
)
from sheets_sync.backends.google.repair import GAVE_UP, MAX_REPAIRS
from sheets_sync.backends.google.values import a1, from_api
from sheets_sync.backends.google.write import (
    RENAMED,
    SheetMeta,
    SpreadsheetEdit,
    append_dimension,
    new_sheet_id,
    sheet_meta,
)
from sheets_sync.config import Config, user_dir
from sheets_sync.errors import RemoteError, SourceChanged, SourceError
from sheets_sync.model.headers import sheet_header_row
from sheets_sync.model.read import sheet_settings
from sheets_sync.model.settings import SPEC_BY_KEY
from sheets_sync.workbook import SheetContent, SheetData, WorkbookData, WriteBatch, WriteResult

META_FIELDS = (
    "spreadsheetId,properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,sheetType,gridProperties(rowCount,columnCount)),basicFilter)"
)
READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
               "majorDimension": "ROWS"}
FRESH_PARAMS = {"valueRenderOption": "FORMULA", "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS"}
DEFAULT_TIME_LIMIT = float(SPEC_BY_KEY["google_time_limit_seconds"].default)
NOT_JSON = ("{host} answered with something that is not the Google Sheets API (a proxy or captive "
            "portal page?); nothing was written. Check the internet connection and try again")


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
        except requests.JSONDecodeError:
            raise RemoteError(NOT_JSON.format(host=host_of(client.endpoint)), source=self.label) from None

    def close(self) -> None:
        """Close the HTTP connections (the backend can still be used: they reopen)."""
        if self._client is not None:
            self._client.session.close()

    def __enter__(self) -> GoogleBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ensure_writable(self) -> None:
        """Nothing to check ahead: the API says at the write whether we may (a read-only share
        is a clear error then, before the Touches rows could be lost)."""

    def state_dir(self) -> Path:
        """``<config folder>/google/<key>``: journal, lock and memory for this spreadsheet."""
        path = user_dir() / "google" / self.key
        path.mkdir(parents=True, exist_ok=True)
        return path

    def default_outbox(self) -> Path:
        """``outbox/`` in this spreadsheet's state folder: where emails go without a mail server."""
        return self.state_dir() / "outbox"

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
        self._sheet_limit = _sheet_time_limit(data, self.config.section("layout"))
        return data

    def _remember(self, meta: Mapping[str, Any]) -> None:
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
                                               int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0)),
                                               sheet.get("basicFilter"))
        if self._client is not None:
            self._client.source = self.label

    def _sheet_meta(self, title: str) -> SheetMeta | None:
        return sheet_meta(self._meta, title)

    # -- write ----------------------------------------------------------------------------

    def write(self, batch: WriteBatch, before_commit: Callable[[], None] | None = None) -> WriteResult:
        """Apply the batch: one fresh read, then at most one structural and one values request.

        Raises SourceChanged when columns moved or a sheet vanished since ``read`` (the caller
        reads again and retries), RemoteError when Google keeps failing (nothing written).
        """
        if batch.is_empty():
            return WriteResult()
        snapshot = self._snapshot or self.read()
        plan = SpreadsheetEdit(snapshot, self._meta, batch, self.label)
        with self._calls() as client:
            ranges = plan.fresh_ranges()
            try:
                answer = client.values_batch_get(self.key, ranges, params=dict(FRESH_PARAMS)) if ranges else {}
            except APIError as exc:
                if status_of(exc) == 400:
                    raise SourceChanged(f"{self.label}: {RENAMED}; run it again", source=self.label) from None
                raise
            plan.take_fresh(answer.get("valueRanges", []))
            result = plan.resolve()
            if before_commit is not None:  # the last moment before the first change is sent
                before_commit()
            added = self._structure(client, plan, result)
            try:
                self._values(client, plan, result)
            except (APIError, RemoteError, auth_exceptions.GoogleAuthError, requests.RequestException) as exc:
                if added:
                    raise self._undo(client, added, exc) from None
                raise
        self._snapshot = None  # what we wrote is not in it: the next write reads afresh
        return result

    def _structure(self, client: RetryingHTTPClient, plan: SpreadsheetEdit, result: WriteResult) -> list[SheetMeta]:
        """The one spreadsheets:batchUpdate (grow grids, add a tool sheet, tag rows getting a
        new ID, reading back at the same instant what the tags landed on). Returns the sheets
        it added, so a failed values write can take them away again."""
        if not plan.structure and not plan.anchors:
            return []
        body: dict[str, Any] = {"requests": plan.structure + [a.create_request() for a in plan.anchors]}
        if plan.anchors:
            body.update(includeSpreadsheetInResponse=True, responseIncludeGridData=True,
                        responseRanges=[a.response_range() for a in plan.anchors])
        try:
            reply = client.batch_update(self.key, body)
        except APIError as exc:
            # A Stats sheet someone (or our own timed-out, retried request) just added.
            if status_of(exc) == 400 and "already exists" in str(exc):
                raise SourceChanged(f"{self.label}: {RENAMED}; run it again", source=self.label) from None
            raise
        if plan.anchors:
            result.dropped += take_reply(plan.anchors, reply if isinstance(reply, dict) else {})
        added = []
        for answer in (reply.get("replies", []) if isinstance(reply, dict) else []):
            props = (answer or {}).get("addSheet", {}).get("properties")
            if props:
                added.append(SheetMeta(int(props.get("sheetId", 0)), str(props.get("title", "")), 0, 0))
        return added

    def _values(self, client: RetryingHTTPClient, plan: SpreadsheetEdit, result: WriteResult) -> None:
        """The one values write, then (only when rows moved in that instant) bounded repairs."""
        data = plan.value_ranges()
        if not data:
            return
        reply = self._write_values(client, data)
        wrong = wrong_rows(plan.anchored(), reply.get("responses", []))
        if wrong:
            raise SourceError(f"{self.label}: someone typed in {', '.join(wrong)} while the tool wrote its new ID "
                              "there; check those rows", source=self.label)
        repair = plan.repair()
        if repair.check(plan.cells, plan.expected, reply.get("responses", [])):
            return
        for _ in range(MAX_REPAIRS):
            answer = client.values_batch_get(self.key, plan.fresh_ranges(), params=dict(FRESH_PARAMS))
            data = repair.plan(plan.parse_fresh(answer.get("valueRanges", [])))
            reply = self._write_values(client, data) if data else {}
            if repair.check(repair.cells, repair.expected, reply.get("responses", [])) and not repair.left():
                result.dropped += repair.dropped
                return
        raise SourceError(GAVE_UP.format(label=self.label, n=MAX_REPAIRS, rows=", ".join(repair.left())),
                          source=self.label)

    def _write_values(self, client: RetryingHTTPClient, data: list[dict[str, Any]]) -> dict[str, Any]:
        """values:batchUpdate, or values:batchUpdateByDataFilter when rows go by tag (A1 blocks
        then go as a1Range filters in the same atomic request); values come back in the reply."""
        body: dict[str, Any] = {"valueInputOption": "USER_ENTERED", "includeValuesInResponse": True,
                                "responseValueRenderOption": "FORMULA",
                                "responseDateTimeRenderOption": "SERIAL_NUMBER"}
        if any("dataFilter" in d for d in data):
            body["data"] = [d if "dataFilter" in d else {"dataFilter": {"a1Range": d["range"]},
                                                          "majorDimension": d["majorDimension"], "values": d["values"]}
                            for d in data]
            url = f"{spreadsheets_url()}/{self.key}/values:batchUpdateByDataFilter"
            answer = client.request("post", url, json=body).json()
        else:
            body["data"] = data
            answer = client.values_batch_update(self.key, body)
        return answer if isinstance(answer, dict) else {}

    def _undo(self, client: RetryingHTTPClient, added: list[SheetMeta], exc: Exception) -> SourceError:
        """The values write failed after the batchUpdate added sheets: delete them again, and
        say exactly what is left when even that fails."""
        failure = self._failure(exc)
        names = ", ".join(m.title for m in added)
        try:
            client.batch_update(self.key, {"requests": [{"deleteSheet": {"sheetId": m.sheet_id}} for m in added]})
        except (APIError, RemoteError, auth_exceptions.GoogleAuthError, requests.RequestException):
            return RemoteError(f"{failure}; the new sheet(s) {names} had been added and could not be taken away "
                               "again: delete them by hand; no cell values were written", source=self.label)
        return RemoteError(f"{failure}; the new sheet(s) {names} added just before were taken away again: "
                           "nothing was written", source=self.label)

    def _failure(self, exc: Exception) -> str:
        if isinstance(exc, APIError):
            return str(api_error(exc, self.key, self._identity))
        if isinstance(exc, auth_exceptions.GoogleAuthError):
            return str(auth_error(exc, self._identity))
        return str(exc)

    # -- init --into ----------------------------------------------------------------------

    def add_sheets(self, sheets: list[SheetContent], columns: dict[str, list[str]]) -> None:
        """Add missing template sheets and header cells in ONE spreadsheets:batchUpdate.

        Existing cells, formats and sheets stay as they are; new headers go at the right of
        each named sheet's header row (bold, like the template's).
        """
        if not sheets and not any(columns.values()):
            return
        snapshot = self._snapshot or self.read()
        requests: list[dict[str, Any]] = []
        used = {m.sheet_id for m in self._meta.values()}
        for content in sheets:
            sheet_id = new_sheet_id(used)
            requests.append({"addSheet": {"properties": fmt.sheet_properties(sheet_id, content)}})
            requests += fmt.content_requests(sheet_id, content)
        for title, headers in columns.items():
            if not headers:
                continue
            meta = self._sheet_meta(title)
            sheet = snapshot.sheet(title)
            if meta is None or sheet is None:
                raise SourceError(f"{self.label}: no sheet named '{title}'", source=self.label)
            top = sheet_header_row(sheet, self.config.section("layout"))
            cells = sheet.rows[top - 1] if len(sheet.rows) >= top else []
            last = max((i + 1 for i, c in enumerate(cells) if c not in (None, "")), default=0)
            needed = last + len(headers)
            if needed > meta.cols:
                requests.append(append_dimension(meta.sheet_id, "COLUMNS", needed - meta.cols))
            requests.append(fmt.header_cells_request(meta.sheet_id, top, last + 1, list(headers)))
            requests += [fmt.date_column_request(meta.sheet_id, top, last + 1 + i, meta.rows)
                         for i, header in enumerate(headers) if fmt.is_date_header(header)]
            requests += fmt.new_columns_requests(meta.sheet_id, top, last + 1, list(headers), meta.basic_filter)
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


def _sheet_time_limit(data: WorkbookData, layout: dict[str, Any]) -> float | None:
    """The Settings sheet's 'Google time limit (seconds)', read as a run reads it, when it is
    set to more than 0."""
    limit = sheet_settings(data, layout).get("google_time_limit_seconds")
    return float(limit) if limit else None


__all__ = ["GoogleBackend", "SheetMeta", "create_spreadsheet"]
