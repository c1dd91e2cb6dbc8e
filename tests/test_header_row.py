"""The header row of a sheet is found one way everywhere: by the reader, by ``init --into``'s
list of missing columns, and by both backends when they append those columns.

A team's own headers named under ``[layout.<table>.columns]`` count on every path, so a
remapped workbook gets its tool columns on the same row on Excel as on Google.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner
from fake_sheets_api import FakeSheetsAPI
from openpyxl import Workbook, load_workbook

from sheets_sync.cli import cli
from sheets_sync.config import Config
from sheets_sync.model.headers import sheet_header_row
from sheets_sync.model.layout import CLIENTS
from sheets_sync.model.read import read_book
from sheets_sync.model.template import missing_parts, table_headers
from sheets_sync.workbook import SheetData, WorkbookData

# The office's own contact line sits above the list; the list's headers are the team's own.
# Without the remapping, row 1 looks like the header row ("Contact" is a known name for Name).
CONTACT_LINE = ["Contact", "Phone", "Email"]
TEAM_HEADERS = ["Cust #", "Insured", "Standing", "Email", "Phone"]
CLIENT_ROW = ["C-1", "Ann Lee", "Active", "ann@lee.example", "555 0101"]
LAYOUT = {"clients": {"columns": {"client_id": "Cust #", "name": "Insured", "status": "Standing"}}}
CONFIG_TOML = """
[layout.clients.columns]
client_id = "Cust #"
name = "Insured"
status = "Standing"
"""
ADDED = [h for h in table_headers(CLIENTS) if h not in ("Client ID", "Name", "Status", "Email", "Phone")]


def _trimmed(row: Sequence[object]) -> list[object]:
    """A row without its trailing blank cells (how each backend pads a row differs)."""
    cells = list(row)
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


def _clients_after_adopting(rows: list[list[object]]) -> None:
    """Row 1 untouched; the missing headers at the right of the team's header row (row 2)."""
    assert rows[0] == CONTACT_LINE
    assert rows[1] == TEAM_HEADERS + ADDED
    assert rows[2][:5] == CLIENT_ROW
    book = read_book(WorkbookData({"Clients": SheetData("Clients", rows),
                                   "Tasks": SheetData("Tasks", [["Task ID", "Client ID", "Status"]]),
                                   "Touches": SheetData("Touches", [["Date", "Client ID"]])}), LAYOUT)
    assert book.tables["clients"].header_row == 2
    assert book.missing_tool_columns["clients"] == []
    assert [c.client_id for c in book.clients] == ["C-1"]


def test_missing_parts_lists_what_the_remapped_header_row_lacks() -> None:
    data = WorkbookData({"Clients": SheetData("Clients", [CONTACT_LINE, TEAM_HEADERS, CLIENT_ROW])})
    _, columns = missing_parts(data, LAYOUT)
    assert columns == {"Clients": ADDED}


def test_excel_init_into_appends_to_the_remapped_header_row(tmp_path: Path) -> None:
    path = tmp_path / "ours.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Clients"
    for row in (CONTACT_LINE, TEAM_HEADERS, CLIENT_ROW):
        ws.append(row)
    wb.save(path)
    config = tmp_path / "sheets-sync.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", "--into", str(path), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert f"added to Clients: {', '.join(ADDED)}" in result.output
    clients = load_workbook(path)["Clients"]
    _clients_after_adopting([_trimmed(row) for row in clients.iter_rows(values_only=True)])


def test_google_init_into_appends_to_the_remapped_header_row(api: FakeSheetsAPI, tmp_path: Path) -> None:
    from sheets_sync import init as init_lib

    key = api.add_spreadsheet("Ours", {"Clients": [CONTACT_LINE, TEAM_HEADERS, CLIENT_ROW]}, cols=30)
    message = init_lib.adopt(f"gsheet:{key}", config=Config(data={"layout": LAYOUT}))
    assert f"added to Clients: {', '.join(ADDED)}" in message
    _clients_after_adopting([_trimmed(row) for row in api.values(key, "Clients")])


def test_a_line_of_known_words_above_the_table_is_not_its_header_row() -> None:
    # As many known headers on row 1 as on row 2, but only row 2 has the table's key columns:
    # the reader reads row 2, so init --into must list (and add to) what row 2 lacks.
    rows = [["Phone", "Email", "Company"], ["Client ID", "Name", "Status"], ["C-1", "Ann", "Active"]]
    data = WorkbookData({"Clients": SheetData("Clients", rows),
                         "Tasks": SheetData("Tasks", [["Task ID", "Client ID", "Status"]]),
                         "Touches": SheetData("Touches", [["Date", "Client ID"]])})
    assert read_book(data).tables["clients"].header_row == 2
    assert sheet_header_row(data.sheets["Clients"]) == 2
    _, columns = missing_parts(data)
    assert columns["Clients"] == [h for h in table_headers(CLIENTS) if h not in ("Client ID", "Name", "Status")]
