"""A local fake of the Google Sheets API v4 (and the OAuth token endpoint), for tests.

It keeps state (spreadsheets, sheets, grid sizes, cell values, formulas, date formats),
answers with the shapes of the real API (recorded in ../shared/reference/google-sheets-api,
copied here, not read at run time), checks the bearer token and who the spreadsheet is
shared with, counts requests, and can inject failures, delays and concurrent edits.

    with FakeSheetsAPI() as api:
        key = api.add_spreadsheet("Clients", {"Clients": [["Client ID", "Name"], ["C-1", "Ann"]]})
        keyfile = api.service_account_file(tmp_path)   # token_uri points at the fake
        ...  # SHEETS_SYNC_GOOGLE_API_ENDPOINT=api.url

Request kinds (for counting, failures and hooks): "token", "get" (spreadsheets.get),
"create", "batchGet", "valuesBatchUpdate", "batchUpdate", "permissions".
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

EPOCH = dt.date(1899, 12, 30)
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")
_A1 = re.compile(r"^([A-Z]*)(\d*)$")

# Shapes copied from the recorded traffic (SpreadsheetTest.test_properties.json).
DEFAULT_FORMAT = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {"foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10,
                   "bold": False, "italic": False, "strikethrough": False, "underline": False,
                   "foregroundColorStyle": {"rgbColor": {}}},
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "BAD_GATEWAY", 503: "UNAVAILABLE",
                504: "DEADLINE_EXCEEDED"}
MESSAGES = {
    401: "Request is missing required authentication credential. Expected OAuth 2 access token, login "
         "cookie or other valid authentication credential.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'.",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The service is currently unavailable.",
}


@dataclass
class Formula:
    """A formula cell for seeding: its text and the value Google would show."""

    text: str
    value: Any = None


@dataclass
class Cell:
    value: Any = None  # effective value: str, int, float, bool
    formula: str | None = None
    date: bool = False  # has a date number format


@dataclass
class Sheet:
    sheet_id: int
    title: str
    rows: int = 1000
    cols: int = 26
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, col), 1-based
    frozen: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # basicFilter, charts, validations, formats


@dataclass
class Spreadsheet:
    key: str
    title: str
    sheets: list[Sheet]
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    editors: set[str] | None = None  # None: anyone with a token may edit
    permissions: list[dict[str, Any]] = field(default_factory=list)


class ApiFailure(Exception):
    def __init__(self, status: int, message: str | None = None, body: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message or MESSAGES.get(status, "error")
        self.body = body


def serial(value: dt.date | dt.datetime) -> float | int:
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime.combine(EPOCH, dt.time())
        return delta.days + delta.seconds / 86400
    return (value - EPOCH).days


def col_letters(col: int) -> str:
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def range_title(title: str) -> str:
    """Titles are quoted in replies only when they need it (as the real API does)."""
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


class FakeSheetsAPI:
    """The fake server. Use as a context manager; ``url`` is its root."""

    def __init__(self) -> None:
        self.books: dict[str, Spreadsheet] = {}
        self.lock = threading.RLock()
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str, str, dict[str, list[str]]]] = []  # (kind, method, path, query)
        self.bodies: list[tuple[str, Any]] = []  # (kind, JSON body) of writes
        self.tokens: dict[str, str] = {}  # access token -> client_email
        self.public_keys: dict[str, Any] = {}  # client_email -> RSA public key
        self._failures: list[dict[str, Any]] = []
        self._hooks: list[dict[str, Any]] = []
        self.delay_seconds = 0.0
        self.delay_kinds: set[str] | None = None
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> FakeSheetsAPI:
        api = self

        class Handler(_Handler):
            fake = api

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- credentials --------------------------------------------------------------------------

    def service_account_info(self, email: str = "sync@proj.iam.gserviceaccount.com") -> dict[str, Any]:
        """A throwaway service account key whose token_uri points at this fake."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        self.public_keys[email] = key.public_key()
        return {
            "type": "service_account", "project_id": "proj", "private_key_id": "fake-key-1",
            "private_key": pem, "client_email": email, "client_id": "1",
            "auth_uri": self.url + "/o/oauth2/auth", "token_uri": self.url + "/token",
        }

    def service_account_file(self, folder: Path, email: str = "sync@proj.iam.gserviceaccount.com") -> Path:
        """Write ``service_account_info`` to ``folder/key.json`` and return the path."""
        path = Path(folder) / "key.json"
        path.write_text(json.dumps(self.service_account_info(email)), encoding="utf-8")
        return path

    # -- seeding and reading back --------------------------------------------------------------

    def add_spreadsheet(self, title: str, sheets: dict[str, list[list[Any]]], *, key: str | None = None,
                        editors: set[str] | None = None, rows: int | None = None, cols: int = 26,
                        locale: str = "en_US") -> str:
        """Create a spreadsheet with these sheets (rows of Python values; dates get a date
        format, ``Formula`` cells hold formulas) and return its key."""
        with self.lock:
            key = key or f"fake{next(self._ids):04d}" + "x" * 36
            book = Spreadsheet(key, title, [], locale=locale, editors=set(editors) if editors is not None else None)
            for index, (name, values) in enumerate(sheets.items()):
                height = max(rows or 1000, len(values) + 1)
                width = max(cols, max((len(r) for r in values), default=0))
                sheet = Sheet(sheet_id=index * 1000 + 7 if index else 0, title=name, rows=height, cols=width)
                for r, row in enumerate(values, start=1):
                    for c, value in enumerate(row, start=1):
                        cell = _seed_cell(value)
                        if cell is not None:
                            sheet.cells[(r, c)] = cell
                book.sheets.append(sheet)
            self.books[key] = book
            return key

    def sheet(self, key: str, title: str) -> Sheet:
        """A sheet's state, for direct inspection."""
        book = self.books[key]
        return next(s for s in book.sheets if s.title == title)

    def values(self, key: str, title: str) -> list[list[Any]]:
        """A sheet's used range as Python values: dates as datetime.date, formulas as their
        text, empty cells as None; trailing empty cells and rows trimmed."""
        with self.lock:
            sheet = self.sheet(key, title)
            if not sheet.cells:
                return []
            height = max(r for r, _ in sheet.cells)
            width = max(c for _, c in sheet.cells)
            grid: list[list[Any]] = [[None] * width for _ in range(height)]
            for (r, c), cell in sheet.cells.items():
                grid[r - 1][c - 1] = _python_value(cell)
            for row in grid:
                while row and row[-1] is None:
                    row.pop()
            return grid

    # -- staff at work (concurrent edits) --------------------------------------------------

    def insert_rows(self, key: str, title: str, before: int, rows: list[list[Any]]) -> None:
        """Insert rows above 1-based row ``before`` (the grid grows), like a person would."""
        with self.lock:
            sheet = self.sheet(key, title)
            n = len(rows)
            moved = {((r + n) if r >= before else r, c): cell for (r, c), cell in sheet.cells.items()}
            for i, values in enumerate(rows):
                for c, value in enumerate(values, start=1):
                    cell = _seed_cell(value)
                    if cell is not None:
                        moved[(before + i, c)] = cell
            sheet.cells = moved
            sheet.rows += n
            _move_row_metadata(sheet, lambda r: r + n if r >= before else r)

    def delete_rows(self, key: str, title: str, first: int, count: int = 1) -> None:
        """Delete ``count`` rows from 1-based ``first``; rows below move up."""
        with self.lock:
            sheet = self.sheet(key, title)
            kept = {}
            for (r, c), cell in sheet.cells.items():
                if first <= r < first + count:
                    continue
                kept[((r - count) if r >= first + count else r, c)] = cell
            sheet.cells = kept
            sheet.rows -= count
            _move_row_metadata(sheet, lambda r: None if first <= r < first + count else r - count if r >= first + count
                               else r)

    def sort_rows(self, key: str, title: str, header_row: int, col: int, reverse: bool = False) -> None:
        """Sort the rows below the header by one column's value, like the Data > Sort menu."""
        with self.lock:
            sheet = self.sheet(key, title)
            last = max((r for r, _ in sheet.cells), default=header_row)
            rows = [(r, {c: cell for (r2, c), cell in sheet.cells.items() if r2 == r})
                    for r in range(header_row + 1, last + 1)]
            rows.sort(key=lambda item: str(item[1].get(col, Cell()).value or ""), reverse=reverse)
            kept = {(r, c): cell for (r, c), cell in sheet.cells.items() if r <= header_row}
            new_row = {}
            for offset, (old, cells) in enumerate(rows, start=header_row + 1):
                new_row[old] = offset
                for c, cell in cells.items():
                    kept[(offset, c)] = cell
            sheet.cells = kept
            _move_row_metadata(sheet, lambda r: new_row.get(r, r))

    # -- trouble --------------------------------------------------------------------------------

    def fail(self, status: int, *, times: int = 1, kind: str | None = None, body: str | None = None,
             retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests (of ``kind``, or any API request) with ``status``.
        ``times=-1`` fails for ever; ``body`` replaces the JSON error body (e.g. an HTML page)."""
        with self.lock:
            self._failures.append({"status": status, "times": times, "kind": kind, "body": body,
                                   "retry_after": retry_after})

    def drop_connections(self, *, times: int = 1, kind: str | None = None) -> None:
        """Close the connection without answering (a network failure) ``times`` times."""
        self.fail(0, times=times, kind=kind)

    def delay(self, seconds: float, kinds: set[str] | None = None) -> None:
        """Wait this long before answering each request (of these kinds)."""
        self.delay_seconds = seconds
        self.delay_kinds = kinds

    def before(self, kind: str, hook: Callable[[FakeSheetsAPI], None], *, nth: int = 1) -> None:
        """Run ``hook(self)`` just before serving the ``nth`` request of ``kind`` (counting
        from now): e.g. staff inserting rows between our read and our write."""
        with self.lock:
            self._hooks.append({"kind": kind, "at": self.counts[kind] + nth, "hook": hook})

    def api_requests(self) -> int:
        """Sheets API requests served (token exchanges not counted)."""
        return sum(n for kind, n in self.counts.items() if kind != "token")

    def reset_counts(self) -> None:
        with self.lock:
            self.counts.clear()
            self.log.clear()
            self.bodies.clear()

    # -- dispatch (called by the handler) --------------------------------------------------

    def _take_failure(self, kind: str) -> dict[str, Any] | None:
        with self.lock:
            for failure in self._failures:
                if failure["kind"] in (None, kind) and kind != "token" and failure["times"] != 0:
                    if failure["times"] > 0:
                        failure["times"] -= 1
                    return failure
        return None

    def _run_hooks(self, kind: str) -> None:
        with self.lock:
            due = [h for h in self._hooks if h["kind"] == kind and h["at"] == self.counts[kind]]
            self._hooks = [h for h in self._hooks if h not in due]
        for hook in due:
            hook["hook"](self)

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any,
               headers: Any) -> tuple[int, Any, dict[str, str]]:
        kind = _kind(method, path)
        with self.lock:
            self.counts[kind] += 1
            self.log.append((kind, method, path, query))
            if method in ("POST", "PUT"):
                self.bodies.append((kind, body))
        self._run_hooks(kind)
        if self.delay_seconds and (self.delay_kinds is None or kind in self.delay_kinds):
            time.sleep(self.delay_seconds)
        failure = self._take_failure(kind)
        if failure is not None:
            if failure["status"] == 0:
                raise ConnectionAbortedError
            extra = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            raise ApiFailure(failure["status"], body=failure["body"]) if not extra else _with_headers(
                ApiFailure(failure["status"], body=failure["body"]), extra)
        if kind == "token":
            return 200, self._token(body), {}
        email = self._caller(headers)
        with self.lock:
            if kind == "create":
                return 200, self._create(body, email), {}
            segment = 4 if kind == "permissions" else 3  # /drive/v3/files/<key>/... or /v4/spreadsheets/<key>
            key = unquote(path.split("/")[segment].split(":")[0])
            book = self.books.get(key)
            if book is None:
                raise ApiFailure(404)
            if book.editors is not None and email not in book.editors:
                raise ApiFailure(403)
            if kind == "get":
                return 200, _fields(self._metadata(book), query.get("fields", [""])[0]), {}
            if kind == "batchGet":
                return 200, self._batch_get(book, query), {}
            if kind == "valuesBatchUpdate":
                return 200, self._values_batch_update(book, body), {}
            if kind == "batchUpdate":
                return 200, self._batch_update(book, body), {}
            if kind == "permissions":
                book.permissions.append(dict(body))
                if book.editors is not None and body.get("emailAddress"):
                    book.editors.add(body["emailAddress"])
                return 200, {"kind": "drive#permission", "id": str(len(book.permissions)),
                             "type": body.get("type"), "role": body.get("role")}, {}
        raise ApiFailure(404)

    def _token(self, form: dict[str, list[str]]) -> dict[str, Any]:
        assertion = (form.get("assertion") or [""])[0]
        try:
            head, payload, signature = assertion.split(".")
            claims = json.loads(_b64(payload))
        except ValueError:
            raise ApiFailure(400, "invalid_grant") from None
        email = claims.get("iss", "")
        public = self.public_keys.get(email)
        if public is not None:
            try:
                public.verify(_b64(signature), f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
            except Exception:
                raise ApiFailure(400, "invalid_grant: Invalid JWT Signature.") from None
        token = f"ya29.fake-{next(self._ids)}"
        with self.lock:
            self.tokens[token] = email
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _caller(self, headers: Any) -> str:
        auth = headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self.lock:
            if token not in self.tokens:
                raise ApiFailure(401)
            return self.tokens[token]

    def _create(self, body: dict[str, Any], email: str) -> dict[str, Any]:
        key = f"new{next(self._ids):04d}" + "y" * 36
        title = body.get("properties", {}).get("title", "Untitled spreadsheet")
        sheets = []
        for index, spec in enumerate(body.get("sheets") or [{"properties": {"title": "Sheet1"}}]):
            props = spec.get("properties", {})
            grid = props.get("gridProperties", {})
            sheets.append(Sheet(sheet_id=int(props.get("sheetId", index)), title=props.get("title", f"Sheet{index + 1}"),
                                rows=int(grid.get("rowCount", 1000)), cols=int(grid.get("columnCount", 26)),
                                frozen=int(grid.get("frozenRowCount", 0))))
        book = Spreadsheet(key, title, sheets, editors={email})
        self.books[key] = book
        return self._metadata(book)

    def _metadata(self, book: Spreadsheet) -> dict[str, Any]:
        sheets = []
        for index, sheet in enumerate(book.sheets):
            grid: dict[str, Any] = {"rowCount": sheet.rows, "columnCount": sheet.cols}
            if sheet.frozen:
                grid["frozenRowCount"] = sheet.frozen
            entry: dict[str, Any] = {"properties": {"sheetId": sheet.sheet_id, "title": sheet.title, "index": index,
                                                    "sheetType": "GRID", "gridProperties": grid}}
            if "basicFilter" in sheet.extra:
                entry["basicFilter"] = sheet.extra["basicFilter"]
            if sheet.extra.get("charts"):
                entry["charts"] = sheet.extra["charts"]
            sheets.append(entry)
        return {
            "spreadsheetId": book.key,
            "properties": {"title": book.title, "locale": book.locale, "autoRecalc": "ON_CHANGE",
                           "timeZone": book.time_zone, "defaultFormat": DEFAULT_FORMAT},
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.key}/edit",
        }

    # -- values ---------------------------------------------------------------------------------

    def _range(self, book: Spreadsheet, text: str) -> tuple[Sheet, int, int, int, int, str]:
        """(sheet, r1, c1, r2, c2, shape) for an A1 range; shape: bare | bounded | open."""
        if "!" in text:
            title_part, cells = text.rsplit("!", 1)
        else:
            title_part, cells = text, ""
        if title_part.startswith("'") and title_part.endswith("'"):
            title = title_part[1:-1].replace("''", "'")
        else:
            title = title_part
        sheet = next((s for s in book.sheets if s.title == title), None)
        if sheet is None:
            raise ApiFailure(400, f"Unable to parse range: {text}")
        if not cells:
            return sheet, 1, 1, sheet.rows, sheet.cols, "bare"
        parts = cells.split(":")
        a = _A1.match(parts[0])
        b = _A1.match(parts[-1])
        if not a or not b:
            raise ApiFailure(400, f"Unable to parse range: {text}")
        c1 = col_number(a.group(1)) if a.group(1) else 1
        r1 = int(a.group(2)) if a.group(2) else 1
        c2 = col_number(b.group(1)) if b.group(1) else sheet.cols
        r2 = int(b.group(2)) if b.group(2) else sheet.rows
        open_ended = not (a.group(1) and a.group(2) and b.group(1) and b.group(2))
        if open_ended:
            r2, c2 = min(r2, sheet.rows), min(c2, sheet.cols)
        if r1 > sheet.rows or c1 > sheet.cols or r2 > sheet.rows or c2 > sheet.cols:
            raise ApiFailure(400, f"Range ({text}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}")
        return sheet, r1, c1, r2, c2, "open" if open_ended else "bounded"

    def _batch_get(self, book: Spreadsheet, query: dict[str, list[str]]) -> dict[str, Any]:
        render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        dates = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        out = []
        for text in query.get("ranges", []):
            sheet, r1, c1, r2, c2, shape = self._range(book, text)
            rows_by: dict[int, dict[int, Cell]] = {}
            if (r2 - r1 + 1) * (c2 - c1 + 1) < len(sheet.cells):  # a small range: look cells up
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        found = sheet.cells.get((r, c))
                        if found is not None:
                            rows_by.setdefault(r, {})[c] = found
            else:
                for (r, c), cell in sheet.cells.items():
                    if r1 <= r <= r2 and c1 <= c <= c2:
                        rows_by.setdefault(r, {})[c] = cell
            if shape == "bare":  # the used extent, as the real API answers
                r2 = max(rows_by, default=1)
                c2 = max((c for cols in rows_by.values() for c in cols), default=1)
            values = []
            last = max(rows_by, default=r1 - 1)
            for r in range(r1, last + 1):
                cols = rows_by.get(r, {})
                row = []
                for c in range(c1, max(cols, default=c1 - 1) + 1):
                    cell = cols.get(c)
                    row.append("" if cell is None else _render(cell, render, dates))
                values.append(row)
            entry: dict[str, Any] = {"range": f"{range_title(sheet.title)}!{col_letters(c1)}{r1}:{col_letters(c2)}{r2}",
                                     "majorDimension": "ROWS"}
            if values:
                entry["values"] = values
            out.append(entry)
        return {"spreadsheetId": book.key, "valueRanges": out}

    def _values_batch_update(self, book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        option = body.get("valueInputOption")
        if option not in ("RAW", "USER_ENTERED"):
            raise ApiFailure(400, "Invalid valueInputOption")
        planned = []
        for value_range in body.get("data", []):  # check everything first: the batch is atomic
            if "dataFilter" in value_range:
                found = self._filter_range(book, value_range["dataFilter"])
                if found is None:
                    continue  # a filter that matches nothing writes nothing
                value_range = dict(value_range, range=found)
            sheet, r1, c1, r2, c2, _ = self._range(book, value_range["range"])
            rows = value_range.get("values", [])
            if r1 + len(rows) - 1 > r2 or any(c1 + len(row) - 1 > c2 for row in rows):
                raise ApiFailure(400, f"Requested writing within range [{value_range['range']}], but tried "
                                      "writing to a cell outside it")
            planned.append((sheet, r1, c1, rows, value_range.get("dataFilter")))
        responses = []
        total = 0
        for sheet, r1, c1, rows, data_filter in planned:
            count = 0
            for dr, row in enumerate(rows):
                for dc, value in enumerate(row):
                    if value is None:
                        continue
                    _store(sheet, r1 + dr, c1 + dc, value, option)
                    count += 1
            total += count
            width = max((len(r) for r in rows), default=0)
            updated = (f"{range_title(sheet.title)}!{col_letters(c1)}{r1}:"
                       f"{col_letters(c1 + width - 1)}{r1 + len(rows) - 1}")
            response = {"spreadsheetId": book.key, "updatedRange": updated,
                        "updatedRows": len(rows), "updatedColumns": width, "updatedCells": count}
            if body.get("includeValuesInResponse"):
                rendered = self._batch_get(book, {
                    "ranges": [updated],
                    "valueRenderOption": [body.get("responseValueRenderOption", "FORMATTED_VALUE")],
                    "dateTimeRenderOption": [body.get("responseDateTimeRenderOption", "SERIAL_NUMBER")]})
                response["updatedData"] = rendered["valueRanges"][0]
            if data_filter is not None:
                response["dataFilter"] = data_filter
            responses.append(response)
        return {"spreadsheetId": book.key, "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
                "totalUpdatedCells": total, "totalUpdatedSheets": len({p[0].title for p in planned}),
                "responses": responses}

    def _batch_update(self, book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        # All or nothing, as the real API: apply to a copy, then swap in. Cells are replaced,
        # never changed in place, so copying the dicts is enough.
        work = Spreadsheet(book.key, book.title, [
            Sheet(s.sheet_id, s.title, s.rows, s.cols, dict(s.cells), s.frozen,
                  {k: (v.copy() if isinstance(v, (list, dict, set)) else v) for k, v in s.extra.items()})
            for s in book.sheets], book.locale, book.time_zone, book.editors, book.permissions)
        replies = [self._apply(work, request) for request in body.get("requests", [])]
        book.sheets = work.sheets
        book.title, book.locale, book.time_zone = work.title, work.locale, work.time_zone
        answer: dict[str, Any] = {"spreadsheetId": book.key, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            answer["updatedSpreadsheet"] = self._grid_data(book, body.get("responseRanges", []))
        return answer

    def _filter_range(self, book: Spreadsheet, data_filter: dict[str, Any]) -> str | None:
        """The A1 range a DataFilter names now: an a1Range, or the whole row a row's
        developer metadata (looked up by metadataId) is on; None when nothing matches."""
        if "a1Range" in data_filter:
            return str(data_filter["a1Range"])
        wanted = data_filter.get("developerMetadataLookup", {}).get("metadataId")
        for sheet in book.sheets:
            found = sheet.extra.get("rowMetadata", {}).get(wanted)
            if found is not None:
                return f"{range_title(sheet.title)}!A{found['row']}:{col_letters(sheet.cols)}{found['row']}"
        return None

    def _grid_data(self, book: Spreadsheet, ranges: list[str]) -> dict[str, Any]:
        """updatedSpreadsheet of a batchUpdate reply: GridData (effectiveValue, formula as
        userEnteredValue) of each response range, grouped by sheet."""
        sheets: dict[str, dict[str, Any]] = {}
        for text in ranges:
            sheet, r1, c1, r2, c2, _ = self._range(book, text)
            entry = sheets.setdefault(sheet.title, {"properties": {"sheetId": sheet.sheet_id, "title": sheet.title},
                                                    "data": []})
            rows = []
            for r in range(r1, r2 + 1):
                values = []
                for c in range(c1, c2 + 1):
                    cell = sheet.cells.get((r, c))
                    data: dict[str, Any] = {}
                    if cell is not None and cell.value not in (None, ""):
                        kind = ("boolValue" if isinstance(cell.value, bool) else "numberValue"
                                if isinstance(cell.value, (int, float)) else "stringValue")
                        data["effectiveValue"] = {kind: cell.value}
                        data["formattedValue"] = str(cell.value)
                    if cell is not None and cell.formula:
                        data["userEnteredValue"] = {"formulaValue": cell.formula}
                    values.append(data)
                rows.append({"values": values})
            entry["data"].append({"startRow": r1 - 1, "startColumn": c1 - 1, "rowData": rows})
        return {"spreadsheetId": book.key, "sheets": list(sheets.values())}

    def _apply(self, book: Spreadsheet, request: dict[str, Any]) -> dict[str, Any]:
        (name, spec), = request.items()

        def sheet_by_id(sheet_id: int) -> Sheet:
            found = next((s for s in book.sheets if s.sheet_id == sheet_id), None)
            if found is None:
                raise ApiFailure(400, f"Invalid requests[{name}]: No grid with id: {sheet_id}")
            return found

        if name == "addSheet":
            props = spec.get("properties", {})
            title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
            if any(s.title.casefold() == title.casefold() for s in book.sheets):
                raise ApiFailure(400, f"Invalid requests[0].addSheet: A sheet with the name \"{title}\" already "
                                      "exists. Please enter another name.")
            grid = props.get("gridProperties", {})
            sheet_id = int(props.get("sheetId", next(self._ids) * 7919))
            if any(s.sheet_id == sheet_id for s in book.sheets):
                raise ApiFailure(400, f"Invalid requests[0].addSheet: Sheet with id {sheet_id} already exists.")
            sheet = Sheet(sheet_id, title, int(grid.get("rowCount", 1000)), int(grid.get("columnCount", 26)),
                          frozen=int(grid.get("frozenRowCount", 0)))
            book.sheets.insert(int(props.get("index", len(book.sheets))), sheet)
            return {"addSheet": {"properties": {"sheetId": sheet.sheet_id, "title": title,
                                                "index": book.sheets.index(sheet), "sheetType": "GRID",
                                                "gridProperties": {"rowCount": sheet.rows,
                                                                   "columnCount": sheet.cols}}}}
        if name == "appendDimension":
            sheet = sheet_by_id(spec["sheetId"])
            if spec["dimension"] == "ROWS":
                sheet.rows += int(spec["length"])
            else:
                sheet.cols += int(spec["length"])
            return {}
        if name == "updateCells":
            start = spec["start"]
            sheet = sheet_by_id(start["sheetId"])
            r0, c0 = start.get("rowIndex", 0) + 1, start.get("columnIndex", 0) + 1
            for dr, row in enumerate(spec.get("rows", [])):
                for dc, cell in enumerate(row.get("values", [])):
                    r, c = r0 + dr, c0 + dc
                    if r > sheet.rows or c > sheet.cols:
                        raise ApiFailure(400, "Invalid requests[updateCells]: range exceeds grid limits")
                    if "note" in spec.get("fields", ""):
                        sheet.extra.setdefault("notes", {})[(r, c)] = cell.get("note", "")
                    ev = cell.get("userEnteredValue")
                    date = cell.get("userEnteredFormat", {}).get("numberFormat", {}).get("type") in ("DATE", "DATE_TIME")
                    if ev is None:
                        if "userEnteredValue" in spec.get("fields", ""):
                            sheet.cells.pop((r, c), None)
                        continue
                    value = ev.get("stringValue", ev.get("numberValue", ev.get("boolValue")))
                    formula = ev.get("formulaValue")
                    sheet.cells[(r, c)] = Cell(value, formula, date)
                    if "textFormat" in json.dumps(cell.get("userEnteredFormat", {})):
                        sheet.extra.setdefault("bold", set()).add((r, c))
            return {}
        if name in ("repeatCell", "setDataValidation", "updateDimensionProperties", "setBasicFilter"):
            grid = spec.get("range") or spec.get("filter", {}).get("range") or {}
            sheet = sheet_by_id(grid.get("sheetId", 0))
            if name == "setBasicFilter":
                sheet.extra["basicFilter"] = spec["filter"]
            else:
                sheet.extra.setdefault(name, []).append(spec)
            return {}
        if name == "updateSheetProperties":
            props = spec["properties"]
            sheet = sheet_by_id(props.get("sheetId", 0))
            grid = props.get("gridProperties", {})
            sheet.frozen = int(grid.get("frozenRowCount", sheet.frozen))
            return {}
        if name == "deleteSheet":
            book.sheets.remove(sheet_by_id(spec["sheetId"]))
            return {}
        if name == "createDeveloperMetadata":
            meta = dict(spec["developerMetadata"])
            span = meta["location"]["dimensionRange"]
            if span.get("dimension") != "ROWS" or span["endIndex"] - span["startIndex"] != 1:
                raise ApiFailure(400, "this fake keeps developer metadata on single rows only")
            sheet = sheet_by_id(span["sheetId"])
            meta_id = int(meta.get("metadataId") or next(self._ids))
            if any(meta_id in s.extra.get("rowMetadata", {}) for s in book.sheets):
                raise ApiFailure(400, f"Invalid requests[createDeveloperMetadata]: metadataId {meta_id} exists")
            sheet.extra["rowMetadata"] = {**sheet.extra.get("rowMetadata", {}),
                                          meta_id: {"row": span["startIndex"] + 1, "key": meta["metadataKey"]}}
            meta["metadataId"] = meta_id
            return {"createDeveloperMetadata": {"developerMetadata": meta}}
        if name == "addChart":
            chart = spec["chart"]
            anchor = chart["position"]["overlayPosition"]["anchorCell"]
            sheet = sheet_by_id(anchor["sheetId"])
            chart = dict(chart, chartId=next(self._ids))
            sheet.extra.setdefault("charts", []).append(chart)
            return {"addChart": {"chart": chart}}
        raise ApiFailure(400, f"Invalid JSON payload received. Unknown name \"{name}\" at 'requests[0]'")


# -- the HTTP side ----------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout) closed its end: not worth a traceback


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSheetsAPI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            body: Any = parse_qs(raw.decode())
        else:
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
        try:
            status, payload, extra = self.fake.handle(method, parts.path, parse_qs(parts.query), body, self.headers)
            data = json.dumps(payload, indent=2).encode()
            content_type = "application/json; charset=UTF-8"
        except ConnectionAbortedError:
            self.close_connection = True
            return
        except ApiFailure as failure:
            status = failure.status
            extra = getattr(failure, "headers", {})
            if failure.body is not None:
                data, content_type = failure.body.encode(), "text/html; charset=UTF-8"
            elif parts.path == "/token":
                data = json.dumps({"error": "invalid_grant", "error_description": failure.message}).encode()
                content_type = "application/json; charset=UTF-8"
            else:
                data = json.dumps({"error": {"code": status, "message": failure.message,
                                             "status": STATUS_NAMES.get(status, "UNKNOWN")}}, indent=2).encode()
                content_type = "application/json; charset=UTF-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")


def _with_headers(failure: ApiFailure, headers: dict[str, str]) -> ApiFailure:
    failure.headers = headers  # type: ignore[attr-defined]
    return failure


def _kind(method: str, path: str) -> str:
    if path == "/token":
        return "token"
    if path.startswith("/drive/v3/files/") and path.endswith("/permissions"):
        return "permissions"
    if path == "/v4/spreadsheets" and method == "POST":
        return "create"
    if path.endswith("/values:batchGet"):
        return "batchGet"
    if path.endswith("/values:batchUpdate") or path.endswith("/values:batchUpdateByDataFilter"):
        return "valuesBatchUpdate"  # the values write, by A1 ranges or by data filters
    if path.endswith(":batchUpdate"):
        return "batchUpdate"
    if path.startswith("/v4/spreadsheets/") and method == "GET":
        return "get"
    return "other"


def _move_row_metadata(sheet: Sheet, where: Callable[[int], int | None]) -> None:
    """Developer metadata on rows follows its row (and goes with a deleted one), as Google's does."""
    moved = {}
    for meta_id, meta in sheet.extra.get("rowMetadata", {}).items():
        row = where(meta["row"])
        if row is not None:
            moved[meta_id] = dict(meta, row=row)
    if moved or "rowMetadata" in sheet.extra:
        sheet.extra["rowMetadata"] = moved


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seed_cell(value: Any) -> Cell | None:
    if value is None or value == "":
        return None
    if isinstance(value, Formula):
        return Cell(value.value, value.text)
    if isinstance(value, (dt.date, dt.datetime)):
        return Cell(serial(value), None, True)
    return Cell(value)


def _python_value(cell: Cell) -> Any:
    if cell.formula is not None:
        return cell.formula
    if cell.date and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
        day = EPOCH + dt.timedelta(days=int(cell.value))
        fraction = cell.value - int(cell.value)
        if fraction:
            return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=round(fraction * 86400))
        return day
    return cell.value


def _render(cell: Cell, render: str, dates: str) -> Any:
    if render == "FORMULA" and cell.formula is not None:
        return cell.formula
    value = "" if cell.value is None else cell.value
    if cell.date and isinstance(value, (int, float)) and not isinstance(value, bool):
        if dates == "FORMATTED_STRING" or render == "FORMATTED_VALUE":
            return (EPOCH + dt.timedelta(days=int(value))).isoformat()
        return value
    if render == "FORMATTED_VALUE":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return value


def _store(sheet: Sheet, row: int, col: int, value: Any, option: str) -> None:
    """Write one cell as Google would for this valueInputOption."""
    old = sheet.cells.get((row, col))
    if value == "":
        sheet.cells.pop((row, col), None)
        return
    if isinstance(value, bool) or isinstance(value, (int, float)):
        sheet.cells[(row, col)] = Cell(value, None, bool(old and old.date))
        return
    text = str(value)
    if option == "RAW":
        sheet.cells[(row, col)] = Cell(text, None, bool(old and old.date))
        return
    if text.startswith("'"):
        sheet.cells[(row, col)] = Cell(text[1:], None, bool(old and old.date))
        return
    if NUMBER.match(text):
        number = float(text)
        sheet.cells[(row, col)] = Cell(int(number) if number.is_integer() and "." not in text else number,
                                       None, bool(old and old.date))
        return
    if text.startswith(("=", "+", "-", "@")):
        sheet.cells[(row, col)] = Cell("#ERROR!", text if text.startswith("=") else "=" + text[1:])
        return
    iso = ISO_DATE.match(text)
    if iso:
        y, m, d, hh, mm, ss = (int(g) if g else 0 for g in iso.groups())
        value = serial(dt.datetime(y, m, d, hh, mm, ss)) if iso.group(4) else serial(dt.date(y, m, d))
        if isinstance(value, float) and math.isclose(value, int(value)):
            value = int(value)
        sheet.cells[(row, col)] = Cell(value, None, True)
        return
    if text.upper() in ("TRUE", "FALSE"):
        sheet.cells[(row, col)] = Cell(text.upper() == "TRUE", None, bool(old and old.date))
        return
    sheet.cells[(row, col)] = Cell(text, None, bool(old and old.date))


def _fields(payload: dict[str, Any], mask: str) -> dict[str, Any]:
    """Apply a partial-response field mask such as 'a,b(c,d(e))' (what ``fields=`` does)."""
    if not mask:
        return payload
    return _prune(payload, _parse_mask(mask))


def _parse_mask(mask: str) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    stack = [tree]
    token = ""
    last: dict[str, Any] | None = None

    def flush() -> None:
        nonlocal token, last
        if token:
            node = stack[-1]
            for part in token.split("."):
                node = node.setdefault(part, {})
            last = node
        token = ""

    for ch in mask.replace(" ", ""):
        if ch == "(":
            flush()
            assert last is not None
            stack.append(last)
        elif ch == ")":
            flush()
            stack.pop()
        elif ch == ",":
            flush()
        else:
            token += ch
    flush()
    return tree


def _prune(value: Any, tree: dict[str, Any]) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [_prune(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: _prune(v, tree[k]) for k, v in value.items() if k in tree}
    return value
