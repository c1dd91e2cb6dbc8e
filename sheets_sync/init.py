"""``sheets-sync init``: a new workbook with the template sheets, optionally with the sample."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheets_sync.backends.excel_create import create_workbook
from sheets_sync.errors import ConfigError
from sheets_sync.template import template_sheets


def create(path: Path, *, sample: bool = False, today: dt.date) -> Path:
    """Create a new Excel workbook at ``path`` with the template sheets and return its path.

    With ``sample`` the sheets hold the Harbor Lane Insurance sample, dated relative to
    ``today``. Never overwrites an existing file (ConfigError); only .xlsx files are created.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(f"{path.name}: init creates Excel workbooks; give the name an .xlsx ending")
    sheets = None
    if sample:
        from sheets_sync.sample import sample_sheets

        sheets = sample_sheets(today)
    create_workbook(path, template_sheets(include_sample=sheets))
    return path
