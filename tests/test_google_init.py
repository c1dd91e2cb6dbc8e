"""init --google (a new, formatted spreadsheet) and init --google-key (adopt an existing one)."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from fake_sheets_api import FakeSheetsAPI

from sheets_sync import init as init_lib
from sheets_sync.backends.google.backend import GoogleBackend, create_spreadsheet
from sheets_sync.cli import cli
from sheets_sync.config import Config
from sheets_sync.model.layout import CLIENT_STATUSES, CLIENTS, TABLES
from sheets_sync.model.read import read_book
from sheets_sync.model.template import table_headers, template_sheets
from sheets_sync.workbook import SheetContent, SheetData, WorkbookData

TODAY = dt.date(2026, 11, 23)



def test_a_new_spreadsheet_is_two_requests_and_fully_formatted(api: FakeSheetsAPI) -> None:
    key = init_lib.create_google("Client follow-ups", config=Config(), today=TODAY)
    assert api.counts == {"token": 1, "create": 1, "batchUpdate": 1}
    book = api.books[key]
    assert book.title == "Client follow-ups"
    assert [s.title for s in book.sheets] == [t.title for t in TABLES] + ["Sync Log"]
    for table in TABLES:
        sheet = api.sheet(key, table.title)
        assert api.values(key, table.title)[0] == table_headers(table)
        assert sheet.frozen == 1
        assert sheet.extra["basicFilter"]["range"]["startRowIndex"] == 0
    clients = api.sheet(key, "Clients")
    headers = table_headers(CLIENTS)
    since = headers.index("Client Since")
    date_formats = [r for r in clients.extra["repeatCell"]
                    if r["cell"]["userEnteredFormat"].get("numberFormat", {}).get("type") == "DATE"]
    assert since in [r["range"]["startColumnIndex"] for r in date_formats]
    status = headers.index("Status")
    rule = next(v["rule"] for v in clients.extra["setDataValidation"] if v["range"]["startColumnIndex"] == status)
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == list(CLIENT_STATUSES)
    assert rule["strict"] is False
    bold = [r for r in clients.extra["repeatCell"] if r["cell"]["userEnteredFormat"].get("textFormat", {}).get("bold")]
    assert sorted(r["range"]["startColumnIndex"] for r in bold) == list(range(len(headers)))
    settings = api.values(key, "Settings")
    assert ["Google time limit (seconds)", 120] == settings[-1][:2] or any(
        row[:2] == ["Google time limit (seconds)", 120] for row in settings)


def test_the_sample_reads_back_the_same_as_it_was_written(api: FakeSheetsAPI) -> None:
    from sheets_sync.model.sample import sample_sheets

    key = init_lib.create_google("Demo", config=Config(), sample=True, today=TODAY)
    on_google = read_book(GoogleBackend(key).read())
    sheets = template_sheets(include_sample=sample_sheets(TODAY))
    as_written = read_book(WorkbookData({s.title: SheetData(s.title, s.rows) for s in sheets}))
    assert on_google.problems == as_written.problems  # the sample's deliberate mistakes, no more
    assert on_google.clients == as_written.clients
    assert on_google.tasks == as_written.tasks
    assert on_google.touches == as_written.touches
    assert on_google.settings == as_written.settings


def test_a_service_account_shares_what_it_creates(api: FakeSheetsAPI) -> None:
    config = Config(data={"google": {"share_with": "owner@agency.com"}})
    key = create_spreadsheet("Shared", template_sheets(), config)
    assert api.books[key].permissions == [{"type": "user", "role": "writer", "withLink": False,
                                           "emailAddress": "owner@agency.com"}]
    assert "owner@agency.com" in (api.books[key].editors or set())


def test_init_google_on_the_command_line_shares_and_prints_the_address(api: FakeSheetsAPI) -> None:
    result = CliRunner().invoke(cli, ["init", "--google", "Follow-ups", "--share-with", "ann@agency.com",
                                      "--share-with", "bob@agency.com"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    [key] = api.books
    assert result.stdout == (f"Created Google spreadsheet {key}: https://docs.google.com/spreadsheets/d/{key}/edit\n"
                             f"Run: sheets-sync sync gsheet:{key}\n")
    assert [p["emailAddress"] for p in api.books[key].permissions] == ["ann@agency.com", "bob@agency.com"]


def test_share_with_needs_google(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x.xlsx"), "--share-with", "ann@agency.com"])
    assert result.exit_code == 2 and "--share-with goes with --google TITLE" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_a_chart_is_drawn_with_the_sheet(api: FakeSheetsAPI) -> None:
    stats = SheetContent("Stats", [["Month", "New"], ["Oct", 2], ["Nov", 3]],
                         chart={"title": "New clients", "type": "line", "anchor": (1, 4), "categories": (2, 3, 1),
                                "series": [(1, 2)]})
    key = create_spreadsheet("With chart", [stats], Config())
    (chart,) = api.sheet(key, "Stats").extra["charts"]
    basic = chart["spec"]["basicChart"]
    assert basic["chartType"] == "LINE" and basic["headerCount"] == 1
    assert basic["series"][0]["series"]["sourceRange"]["sources"][0]["startColumnIndex"] == 1


def test_adopting_adds_only_what_is_missing_in_one_request(api: FakeSheetsAPI) -> None:
    staff = [["Client ID", "Name", "Status", "Our own notes"], ["C-1", "Ann", "Active", "likes golf"]]
    key = api.add_spreadsheet("Ours", {"Clients": staff, "Touches": [["Date", "Client ID", "Summary"]]}, cols=5)
    message = init_lib.adopt(f"gsheet:{key}", config=Config())
    assert "Tasks" in message and "added to Clients" in message
    assert api.counts["batchUpdate"] == 1 and api.counts["get"] == 1 and api.counts["batchGet"] == 1
    clients = api.values(key, "Clients")
    assert clients[1] == staff[1]
    assert clients[0][:4] == staff[0]
    assert "Touches" in clients[0][4:] and "Next Action Date" in clients[0][4:]
    formatted = {r["range"]["startColumnIndex"] for r in api.sheet(key, "Clients").extra["repeatCell"]
                 if "numberFormat" in r["cell"]["userEnteredFormat"]}
    assert formatted == {clients[0].index("Client Since"), clients[0].index("Lost On"),
                         clients[0].index("Last Touch"), clients[0].index("Next Action Date")}
    assert [s.title for s in api.books[key].sheets] == ["Clients", "Touches", "Tasks", "Settings", "Sales", "Staff", "Sync Log"]
    assert api.values(key, "Tasks")[0] == table_headers(TABLES[1])
    assert init_lib.adopt(f"gsheet:{key}", config=Config()) == init_lib.NOTHING_TO_ADD


def test_init_google_through_the_command_line(api: FakeSheetsAPI) -> None:
    result = CliRunner().invoke(cli, ["init", "--google", "Client follow-ups"])
    assert result.exit_code == 0, result.output
    (key,) = api.books
    assert f"gsheet:{key}" in result.output
    adopted = CliRunner().invoke(cli, ["init", "--google-key", key])
    assert adopted.exit_code == 0, adopted.output
