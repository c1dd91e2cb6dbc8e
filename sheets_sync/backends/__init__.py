"""Open a source by what the user typed: a file path, a Google Sheets URL, or gsheet:<key>."""

from __future__ import annotations

import re
from pathlib import Path

from sheets_sync.backends.base import Backend
from sheets_sync.errors import SourceError

_GOOGLE_URL = re.compile(r"https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")


def google_key(source: str) -> str | None:
    """The spreadsheet key when ``source`` names a Google spreadsheet, else None."""
    if source.startswith("gsheet:"):
        return source[len("gsheet:"):].strip() or None
    match = _GOOGLE_URL.match(source.strip())
    return match.group(1) if match else None


def open_source(source: str, **options: object) -> Backend:
    """The backend for ``source``. Options are passed to the backend (config, wait, ...)."""
    key = google_key(source)
    if key is not None:
        from sheets_sync.backends.google.backend import GoogleBackend

        return GoogleBackend(key, **options)  # type: ignore[arg-type]
    path = Path(source)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise SourceError(
            f"{source}: not an Excel workbook (.xlsx or .xlsm) or a Google Sheets address",
            source=source,
        )
    from sheets_sync.backends.excel.backend import ExcelBackend

    return ExcelBackend(path, **options)  # type: ignore[arg-type]
