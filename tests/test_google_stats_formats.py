"""The Google Stats sheet gets the money and date formats Excel's has (issue 20 item 10 on
Google): repeatCell requests over exactly the cells written, in the same batchUpdate, after
one request that clears the number formats of the whole area the sheet held, so a block that
moved down a row between runs leaves no money format on the cell it used to hold. Through
the CLI, against the fake Sheets API; the expected cells are worked out from the sheet's
own values (dates, and numbers under a Lost value / Cost to replace header)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from click.testing import CliRunner
from fake_sheets_api import FakeSheetsAPI

from sheets_sync import init as init_lib
from sheets_sync.cli import cli
from sheets_sync.config import Config

MONEY = {"type": "CURRENCY", "pattern": '"$"#,##0.00'}
DATE = {"type": "DATE", "pattern": "yyyy-mm-dd"}


def _formats(api: FakeSheetsAPI, key: str) -> dict[tuple[int, int], Any]:
    """(row, col), 1-based -> the number format the Stats cell has after every repeatCell so far."""
    out: dict[tuple[int, int], Any] = {}
    for spec in api.sheet(key, "Stats").extra.get("repeatCell", []):
        grid, fmt = spec["range"], spec["cell"].get("userEnteredFormat", {}).get("numberFormat")
        assert spec["fields"] == "userEnteredFormat.numberFormat"
        for r in range(grid["startRowIndex"] + 1, grid["endRowIndex"] + 1):
            for c in range(grid["startColumnIndex"] + 1, grid["endColumnIndex"] + 1):
                out[(r, c)] = fmt
    return {k: v for k, v in out.items() if v is not None}


def _expected(api: FakeSheetsAPI, key: str) -> dict[tuple[int, int], Any]:
    """Hand rule: a cell holding a date is a date; a number under 'Lost value' or 'Cost to
    replace' (in the nearest header row above) is money; nothing else has a format."""
    sheet = api.sheet(key, "Stats")
    want: dict[tuple[int, int], Any] = {}
    money_cols: set[int] = set()
    for r in range(1, sheet.rows + 1):
        values = {c: sheet.cells[(r, c)] for c in range(1, sheet.cols + 1) if (r, c) in sheet.cells}
        texts = [cell.value for cell in values.values()]
        if len(texts) > 1 and all(isinstance(v, str) for v in texts):
            money_cols = {c for c, cell in values.items() if cell.value in ("Lost value", "Cost to replace")}
        for c, cell in values.items():
            if cell.date:
                want[(r, c)] = DATE
            elif c in money_cols and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                want[(r, c)] = MONEY
    return want


def test_google_stats_has_excels_formats_and_they_follow_the_blocks(api: FakeSheetsAPI, tmp_path) -> None:
    key = init_lib.create_google("Clients", config=Config(), sample=True, today=dt.date(2026, 11, 23))
    for day in ("2026-11-23", "2026-12-01"):  # December adds a period row: every block below moves down
        result = CliRunner().invoke(cli, ["sync", f"gsheet:{key}", "--today", day, "--outbox", str(tmp_path / "o")])
        assert result.exit_code == 1, result.stderr  # the sample's deliberate mistakes
        want = _expected(api, key)
        assert len([f for f in want.values() if f == MONEY]) >= 10 and DATE in want.values()
        assert _formats(api, key) == want, day
        assert (2, 2) in want  # the 'as of' day
