"""``sheets-sync init``: a new workbook with the template sheets (optionally the sample), or
the missing sheets and columns added to a workbook a team already has."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheets_sync.backends.base import Backend
from sheets_sync.backends.excel.create import create_workbook
from sheets_sync.config import Config
from sheets_sync.errors import ConfigError
from sheets_sync.model.template import missing_parts, template_sheets
from sheets_sync.workbook import SheetContent

NOTHING_TO_ADD = "nothing to add: every sheet and column is already there"


def create(path: Path, *, sample: bool = False, today: dt.date) -> Path:
    """Create a new Excel workbook at ``path`` with the template sheets and return its path.

    With ``sample`` the sheets hold the Harbor Lane Insurance sample, dated relative to
    ``today``. Never overwrites an existing file (ConfigError); only .xlsx files are created.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(f"{path.name}: init creates Excel workbooks; give the name an .xlsx ending")
    create_workbook(path, _sheets(sample, today))
    return path


def create_google(title: str, *, config: Config | None = None, sample: bool = False, today: dt.date,
                  share_with: list[str] | None = None) -> str:
    """Create a new Google spreadsheet titled ``title`` with the template sheets (or the
    sample), shared with ``share_with`` (default: the config's); returns its key."""
    from sheets_sync.backends.google.backend import create_spreadsheet

    return create_spreadsheet(title, _sheets(sample, today), config=config or Config(), share_with=share_with)


def adopt(source: str | Backend, *, config: Config | None = None) -> str:
    """Add the template sheets and columns an existing workbook lacks (``init --into``);
    nothing else in it changes. Returns what was added, in a sentence for the user."""
    config = config or Config()
    if isinstance(source, str):
        from sheets_sync.backends import open_source

        backend = open_source(source, config=config)
    else:
        backend = source
    sheets, columns = missing_parts(backend.read(), config.section("layout"))
    if not sheets and not columns:
        return NOTHING_TO_ADD
    backend.add_sheets(sheets, columns)
    return describe_added(sheets, columns)


def describe_added(sheets: list[SheetContent], columns: dict[str, list[str]]) -> str:
    """'added the sheets Settings, Sales; added to Clients: Touches, Last Touch'."""
    parts = []
    if sheets:
        noun = "sheet" if len(sheets) == 1 else "sheets"
        parts.append(f"added the {noun} {', '.join(s.title for s in sheets)}")
    for title, headers in columns.items():
        parts.append(f"added to {title}: {', '.join(headers)}")
    return "; ".join(parts)


def _sheets(sample: bool, today: dt.date) -> list[SheetContent]:
    if not sample:
        return template_sheets()
    from sheets_sync.model.sample import sample_sheets

    return template_sheets(include_sample=sample_sheets(today))
