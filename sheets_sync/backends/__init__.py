"""Open a source by what the user typed: a file path, a Google Sheets URL, or gsheet:<key>."""

from __future__ import annotations

import re
from pathlib import Path

from sheets_sync.backends.base import Backend
from sheets_sync.errors import SourceError

_GOOGLE_URL = re.compile(r"https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")


# What to do with the files people most often give instead of an .xlsx.
SAVE_AS = {
    ".xls": "; this is the old Excel format: open it in Excel and save it as .xlsx (Excel Workbook)",
    ".ods": "; open it in LibreOffice and save it as .xlsx (Excel 2007-365)",
    ".csv": "; a CSV file holds one sheet and no formats: open it in Excel or LibreOffice and save "
            "it as .xlsx, or start from sheets-sync init and paste the rows in",
    ".numbers": "; export it from Numbers as an Excel workbook (.xlsx)",
}


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
        hint = SAVE_AS.get(path.suffix.lower(), "")
        raise SourceError(
            f"{source}: not an Excel workbook (.xlsx or .xlsm) or a Google Sheets address{hint}",
            source=source,
        )
    from sheets_sync.backends.excel.backend import ExcelBackend

    return ExcelBackend(path, **options)  # type: ignore[arg-type]
