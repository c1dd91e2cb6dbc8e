"""The Google backend against the local fake Sheets API: real gspread and google-auth code,
real HTTP on 127.0.0.1. Reads, keyed writes while staff edit, values, request counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fake_sheets_api import Cell, FakeSheetsAPI, Formula, Sheet

from sheets_sync.backends import open_source
from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.errors import SourceChanged
from sheets_sync.model.read import read_book
from sheets_sync.workbook import RowUpdate, SheetContent, TableRef, WriteBatch

CLIENT_HEADER = ["Client ID", "Name", "Email", "Status", "Client Since", "Notes", "Touches", "Last Touch",
                 "Next Action"]
TOUCH_HEADER = ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref", "Result"]
CLIENTS = TableRef("Clients", 1, "Client ID")
TOUCHES = TableRef("Touches", 1, None)



def client_rows(n: int) -> list[list[object]]:
    rows: list[list[object]] = [CLIENT_HEADER]
    for i in range(1, n + 1):
        rows.append([f"C-{i:03d}", f"Client {i}", f"c{i}@example.com", "Active", dt.date(2025, 1, 1) + dt.timedelta(days=i),
                     f"staff note {i}", None, None, None])
    return rows


def seed(api: FakeSheetsAPI, n: int = 5, **options: object) -> str:
    return api.add_spreadsheet("Harbor follow-ups", {
        "Clients": client_rows(n),
        "Touches": [TOUCH_HEADER, [dt.date(2026, 1, 5), "C-001", None, "Call", "Out", "amy", "hello"]],
        "Tasks": [["Task ID", "Client ID", "Status"]],
    }, **options)


def backend(key: str, **options: object) -> GoogleBackend:
    return GoogleBackend(key, time_limit=5, first_delay=0.01, **options)


def row_of(rows: list[list[object]], key: str) -> list[object]:
    matches = [r for r in rows if r and r[0] == key]
    assert len(matches) == 1, (key, matches)
    return matches[0]


def test_open_source_dispatches_urls_and_gsheet_keys(api: FakeSheetsAPI) -> None:
    key = seed(api)
    by_url = open_source(f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0")
    assert isinstance(by_url, GoogleBackend) and by_url.key == key
    assert open_source(f"gsheet:{key}").read().source == "Harbor follow-ups"


def test_read_is_two_requests_with_raw_values(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", {
        "Clients": [CLIENT_HEADER, ["C-1", "Ann", None, "Active", dt.date(2026, 3, 1), "typed 3/4/2026", 2, 1.5]],
        "Empty": [],
    })
    gb = backend(key)
    assert gb.label == key
    data = gb.read()
    assert gb.label == "Book" and data.source == "Book" and data.date_system == 1900
    assert data.sheets["Clients"].rows[1] == ["C-1", "Ann", None, "Active", 46082, "typed 3/4/2026", 2, 1.5]
    assert data.sheets["Empty"].rows == []
    assert api.counts == {"token": 1, "get": 1, "batchGet": 1}
    get = next(q for kind, _, _, q in api.log if kind == "get")
    assert "gridProperties" in get["fields"][0]
    batch_get = next(q for kind, _, _, q in api.log if kind == "batchGet")
    assert batch_get["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert batch_get["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
    gb.close()


def test_serials_become_dates_in_the_model(api: FakeSheetsAPI) -> None:
    key = seed(api, 3)
    book = read_book(backend(key).read())
    assert [c.client_since for c in book.clients] == [dt.date(2025, 1, 2), dt.date(2025, 1, 3), dt.date(2025, 1, 4)]
    assert book.touches[0].date == dt.date(2026, 1, 5)


def test_updates_follow_rows_that_staff_inserted_and_sorted(api: FakeSheetsAPI) -> None:
    key = seed(api, 5)
    gb = backend(key)
    gb.read()

    def staff(fake: FakeSheetsAPI) -> None:
        fake.insert_rows(key, "Clients", 2, [["C-100", "New one"], ["C-101", "Another"]])
        fake.sort_rows(key, "Clients", 1, 1, reverse=True)

    api.before("batchGet", staff)  # between our read and our write
    batch = WriteBatch(tables={"Clients": CLIENTS}, updates=[
        RowUpdate(CLIENTS, "C-002", 3, {"Touches": 2, "Next Action": "Call back"}),
        RowUpdate(CLIENTS, "C-004", 5, {"Touches": 4, "Last Touch": dt.date(2026, 2, 1)}),
    ])
    result = gb.write(batch)
    rows = api.values(key, "Clients")
    assert result.rows_updated == 2 and result.dropped == []
    assert row_of(rows, "C-002")[6:9] == [2, None, "Call back"]
    assert row_of(rows, "C-004")[6:8] == [4, dt.date(2026, 2, 1)]
    assert row_of(rows, "C-004")[1] == "Client 4"
    for other in ("C-001", "C-003", "C-005", "C-100", "C-101"):
        assert row_of(rows, other)[6:] == []


def test_a_vanished_key_is_dropped_and_reported(api: FakeSheetsAPI) -> None:
    key = seed(api, 4)
    gb = backend(key)
    gb.read()
    api.before("batchGet", lambda fake: fake.delete_rows(key, "Clients", 4))  # C-003
    result = gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[
        RowUpdate(CLIENTS, "C-003", 4, {"Touches": 9}),
        RowUpdate(CLIENTS, "C-004", 5, {"Touches": 4}),
    ]))
    rows = api.values(key, "Clients")
    assert len(result.dropped) == 1 and "C-003" in result.dropped[0]
    assert row_of(rows, "C-004")[6] == 4
    assert [r[6] if len(r) > 6 else None for r in rows[1:]] == [None, None, 4]


def test_fill_key_only_when_the_row_is_still_the_same(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", {"Clients": [CLIENT_HEADER, ["C-001", "Ann"], [None, "Bob"], [None, "Cy"]]})
    gb = backend(key)
    gb.read()
    api.before("batchGet", lambda fake: fake.insert_rows(key, "Clients", 4, [[None, "Dee"]]))
    result = gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[
        RowUpdate(CLIENTS, "C-002", 3, {"Touches": 0}, fill_key=True, check={"Name": "Bob"}),
        RowUpdate(CLIENTS, "C-003", 4, {"Touches": 0}, fill_key=True, check={"Name": "Cy"}),
    ]))
    rows = api.values(key, "Clients")
    assert rows[2][:2] == ["C-002", "Bob"] and rows[2][6] == 0
    assert rows[3] == [None, "Dee"] and rows[4] == [None, "Cy"]  # Cy moved down: no ID written anywhere
    assert len(result.dropped) == 1 and "C-003" in result.dropped[0]


def test_formulas_and_staff_cells_are_never_overwritten(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", {"Clients": [CLIENT_HEADER, ["C-001", "Ann", "a@x.com", "Active", None, "n",
                                                                   Formula("=COUNTIF(Touches!B:B,A2)", 3)]]})
    gb = backend(key)
    gb.read()
    result = gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[
        RowUpdate(CLIENTS, "C-001", 2, {"Touches": 5, "Next Action": "Email"})]))
    rows = api.values(key, "Clients")
    assert rows[1] == ["C-001", "Ann", "a@x.com", "Active", None, "n", "=COUNTIF(Touches!B:B,A2)", None, "Email"]
    assert result.dropped == ["Clients!G2 holds a formula, so the tool left it as it is"]


def test_text_that_looks_like_a_formula_stays_text(api: FakeSheetsAPI) -> None:
    key = seed(api, 1)
    gb = backend(key)
    gb.read()
    tricky = ["=HYPERLINK(\"http://evil\")", "+1 555 0100", "-5 days", "@home", "1/2", "TRUE", "00123"]
    gb.write(WriteBatch(
        tables={"Clients": CLIENTS, "Touches": TOUCHES},
        updates=[RowUpdate(CLIENTS, "C-001", 2, {"Next Action": "=SUM(A1:A9)"})],
        appends={"Touches": [{"Date": dt.date(2026, 3, 2), "Client ID": "C-001", "Summary": s} for s in tricky]},
    ))
    touches = api.sheet(key, "Touches")
    summaries = [touches.cells[(r, 7)] for r in range(3, 3 + len(tricky))]
    assert [c.value for c in summaries] == tricky
    assert all(c.formula is None for c in summaries)
    assert api.sheet(key, "Clients").cells[(2, 9)].value == "=SUM(A1:A9)"
    assert api.sheet(key, "Clients").cells[(2, 9)].formula is None


def test_dates_are_written_as_dates_and_none_clears(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", {"Clients": [CLIENT_HEADER, ["C-001", "Ann", None, None, None, None, 3,
                                                                   dt.date(2026, 1, 1), "Old action"]]})
    gb = backend(key)
    gb.read()
    gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[
        RowUpdate(CLIENTS, "C-001", 2, {"Last Touch": dt.date(2026, 11, 23), "Next Action": None})]))
    cell = api.sheet(key, "Clients").cells[(2, 8)]
    assert cell.date and cell.value == (dt.date(2026, 11, 23) - dt.date(1899, 12, 30)).days
    assert (2, 9) not in api.sheet(key, "Clients").cells
    again = backend(key).read().sheets["Clients"].rows[1]
    assert again[7] == 46349 and len(again) == 8


def test_appends_go_below_the_last_used_row_and_grow_the_grid(api: FakeSheetsAPI) -> None:
    key = seed(api, 2, rows=3)  # Touches: header, one row, one spare row in the grid
    gb = backend(key)
    gb.read()
    api.reset_counts()
    api.before("batchGet", lambda fake: fake.insert_rows(key, "Touches", 3, [[dt.date(2026, 1, 6), "C-002", None,
                                                                              "Note", "In", "bo", "typed by Bo"]]))
    new = [{"Date": dt.date(2026, 3, 2), "Client ID": f"C-00{i}", "Channel": "Email", "Ref": f"r{i}"} for i in (1, 2)]
    result = gb.write(WriteBatch(tables={"Touches": TOUCHES}, appends={"Touches": new}))
    rows = api.values(key, "Touches")
    assert result.rows_appended == 2
    assert [r[6] for r in rows[1:3]] == ["hello", "typed by Bo"]
    assert [(r[0], r[1], r[3], r[7]) for r in rows[3:]] == [
        (dt.date(2026, 3, 2), "C-001", "Email", "r1"), (dt.date(2026, 3, 2), "C-002", "Email", "r2")]
    grow = [body for kind, body in api.bodies if kind == "batchUpdate"]
    assert grow == [{"requests": [{"appendDimension": {"sheetId": 1007, "dimension": "ROWS", "length": 1}}]}]
    assert api.counts == {"batchGet": 1, "batchUpdate": 1, "valuesBatchUpdate": 1}


def test_new_columns_go_right_of_the_header_and_take_values(api: FakeSheetsAPI) -> None:
    header = ["Client ID", "Name", "Status"]
    key = api.add_spreadsheet("Book", {"Clients": [header, ["C-001", "Ann", "Active"]]}, cols=4)
    gb = backend(key)
    gb.read()
    gb.write(WriteBatch(tables={"Clients": CLIENTS}, new_columns={"Clients": ["Touches", "Next Action"]},
                        updates=[RowUpdate(CLIENTS, "C-001", 2, {"Touches": 1, "Next Action": "Call"})]))
    assert api.values(key, "Clients") == [header + ["Touches", "Next Action"], ["C-001", "Ann", "Active", 1, "Call"]]
    assert api.sheet(key, "Clients").cols == 5


def test_columns_moved_meanwhile_raise_source_changed_and_write_nothing(api: FakeSheetsAPI) -> None:
    key = seed(api, 2)
    gb = backend(key)
    gb.read()

    def rename(fake: FakeSheetsAPI) -> None:
        sheet = fake.sheet(key, "Clients")
        sheet.cells[(1, 7)], sheet.cells[(1, 8)] = sheet.cells[(1, 8)], sheet.cells[(1, 7)]

    api.before("batchGet", rename)
    with pytest.raises(SourceChanged, match="columns were moved"):
        gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-001", 2, {"Touches": 1})]))
    assert api.counts["valuesBatchUpdate"] == 0 and api.counts["batchUpdate"] == 0
    gb.read()  # what the sync does on SourceChanged: read again, then write
    gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-001", 2, {"Touches": 1})]))
    assert row_of(api.values(key, "Clients"), "C-001")[6:] == [None, 1]


def test_a_sheet_renamed_meanwhile_raises_source_changed(api: FakeSheetsAPI) -> None:
    key = seed(api, 2)
    gb = backend(key)
    gb.read()
    api.before("batchGet", lambda fake: setattr(fake.sheet(key, "Clients"), "title", "Customers"))
    with pytest.raises(SourceChanged, match="renamed or deleted"):
        gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-001", 2, {"Touches": 1})]))
    assert api.counts["valuesBatchUpdate"] == 0


def test_tool_sheet_is_created_with_its_chart_once_then_rewritten(api: FakeSheetsAPI) -> None:
    key = seed(api, 1)
    gb = backend(key)
    gb.read()
    chart = {"title": "Clients per month", "type": "bar", "anchor": (1, 4), "categories": (2, 4, 1),
             "series": [(1, 2)]}
    stats = SheetContent("Stats", [["Month", "Clients"], ["Jan", 3], ["Feb", 4], ["Mar", 5]], chart=chart)
    gb.write(WriteBatch(tool_sheets=[stats]))
    assert api.values(key, "Stats") == stats.rows
    assert len(api.sheet(key, "Stats").extra["charts"]) == 1
    gb.read()
    smaller = SheetContent("Stats", [["Month", "Clients"], ["Jan", 7]], chart=chart)
    gb.write(WriteBatch(tool_sheets=[smaller]))
    assert api.values(key, "Stats") == smaller.rows
    assert len(api.sheet(key, "Stats").extra["charts"]) == 1


@pytest.mark.parametrize("n", [10, 2000])
def test_a_whole_write_is_five_requests_at_most_whatever_the_size(api: FakeSheetsAPI, n: int) -> None:
    key = seed(api, n, rows=n + 2)
    gb = backend(key)
    gb.read()
    updates = [RowUpdate(CLIENTS, f"C-{i:03d}", i + 1, {"Touches": i, "Last Touch": dt.date(2026, 1, 1)})
               for i in range(1, n + 1, 2)]
    appends = {"Touches": [{"Date": dt.date(2026, 3, 2), "Client ID": f"C-{i:03d}"} for i in range(1, 40)]}
    result = gb.write(WriteBatch(tables={"Clients": CLIENTS, "Touches": TOUCHES}, updates=updates, appends=appends,
                                 new_columns={"Clients": ["Days Since Touch"]},
                                 tool_sheets=[SheetContent("Stats", [["a", 1]])]))
    assert result.rows_updated == len(updates) and result.rows_appended == 39
    assert api.api_requests() <= 5
    assert api.counts["valuesBatchUpdate"] == 1
    assert row_of(api.values(key, "Clients"), f"C-{n - 1:03d}")[6] == n - 1


def test_write_without_a_read_first_reads_itself(api: FakeSheetsAPI) -> None:
    key = seed(api, 2)
    gb = backend(key)
    gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-002", 3, {"Touches": 7})]))
    assert row_of(api.values(key, "Clients"), "C-002")[6] == 7


def test_an_empty_batch_makes_no_request(api: FakeSheetsAPI) -> None:
    key = seed(api, 2)
    gb = backend(key)
    gb.read()
    api.reset_counts()
    assert gb.write(WriteBatch()).rows_updated == 0
    assert api.api_requests() == 0


def test_state_dir_is_per_spreadsheet_in_the_config_folder(isolated_env: Path) -> None:
    folder = GoogleBackend("abc123").state_dir()
    assert folder == isolated_env / "google" / "abc123" and folder.is_dir()


def test_time_limit_comes_from_the_settings_sheet_unless_given(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", {"Clients": [CLIENT_HEADER],
                                       "Settings": [["Setting", "Value"], ["Google time limit (seconds)", 45]]})
    gb = GoogleBackend(key)
    assert gb.time_limit == 120
    gb.read()
    assert gb.time_limit == 45
    given = GoogleBackend(key, time_limit=3)
    given.read()
    assert given.time_limit == 3


def test_the_time_limit_is_read_from_the_settings_sheet_the_config_names(api: FakeSheetsAPI) -> None:
    # The Settings sheet is read one way, the model's: a team's own title and headers count
    # for the time limit as they do for a run.
    from sheets_sync.config import Config

    layout = {"settings": {"sheet": "Our rules", "columns": {"value": "Amount"}}}
    key = api.add_spreadsheet("Book", {"Clients": [CLIENT_HEADER], "Tasks": [["Task ID", "Client ID", "Status"]],
                                       "Touches": [["Date", "Client ID"]],
                                       "Our rules": [["Setting", "Amount"], ["Google time limit (seconds)", "45"]]})
    gb = GoogleBackend(key, Config(data={"layout": layout}))
    data = gb.read()
    assert read_book(data, layout).settings.google_time_limit_seconds == 45
    assert gb.time_limit == 45
    plain = GoogleBackend(key)  # without the config, "Our rules" is not the Settings sheet
    plain.read()
    assert plain.time_limit == 120


def test_a_renamed_staff_column_does_not_stop_the_write(api: FakeSheetsAPI) -> None:
    key = seed(api, 2)
    gb = backend(key)
    gb.read()
    api.before("batchGet", lambda fake: setattr(fake.sheet(key, "Clients").cells[(1, 6)], "value", "Comments"))
    gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-001", 2, {"Touches": 1})]))
    assert row_of(api.values(key, "Clients"), "C-001")[6] == 1


def swap_columns(fake: FakeSheetsAPI, key: str, title: str, a: int, b: int) -> None:
    """What dragging a column elsewhere does: every cell of the two columns trades places."""
    sheet = fake.sheet(key, title)
    moved = {}
    for (r, c), value in sheet.cells.items():
        moved[(r, b if c == a else a if c == b else c)] = value
    sheet.cells = moved


def tool_values(key: str) -> dict[str, tuple[object, ...]]:
    book = read_book(backend(key).read())
    return {c.client_id: (c.touches, c.last_touch, c.next_action, c.next_action_date, c.days_since_touch)
            for c in book.clients}


def test_a_sync_while_staff_insert_sort_and_move_columns(api: FakeSheetsAPI, tmp_path: Path) -> None:
    from sheets_sync.config import Config
    from sheets_sync.sync import run_sync

    calm = seed(api, 30)
    busy = seed(api, 30)
    today = dt.date(2026, 11, 23)
    run_sync(f"gsheet:{calm}", today, config=Config(), outbox=tmp_path / "calm")

    def staff(fake: FakeSheetsAPI) -> None:
        fake.insert_rows(busy, "Clients", 2, [["C-900", "Walk-in client", "w@example.com", "Active"]])
        fake.sort_rows(busy, "Clients", 1, 2, reverse=True)
        swap_columns(fake, busy, "Clients", 7, 8)  # Touches and Last Touch trade places

    api.reset_counts()
    api.before("batchGet", staff, nth=2)  # after the sync's read, before its write
    report = run_sync(f"gsheet:{busy}", today, config=Config(), outbox=tmp_path / "busy")
    # The moved column stopped the first write before it wrote anything; the sync read again.
    assert [kind for kind, *_ in api.log if kind != "token"] == [
        "get", "batchGet", "batchGet", "get", "batchGet", "batchGet", "batchUpdate", "valuesBatchUpdate"]
    after = tool_values(busy)
    walk_in = after.pop("C-900")  # the sync read again after the column move: it saw her too
    assert walk_in[0] == 0 and walk_in[2]
    assert after == tool_values(calm)
    assert report.write.rows_updated == 31 and report.write.dropped == []


def test_two_writes_in_a_row_each_see_the_other(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", {"Clients": [["Client ID", "Name"], ["C-001", "Ann"]]})
    gb = backend(key)
    gb.read()
    gb.write(WriteBatch(tables={"Clients": CLIENTS}, new_columns={"Clients": ["Touches"]}))
    gb.write(WriteBatch(tables={"Clients": CLIENTS}, new_columns={"Clients": ["Last Touch"]},
                        updates=[RowUpdate(CLIENTS, "C-001", 2, {"Touches": 1, "Last Touch": dt.date(2026, 1, 2)})]))
    assert api.values(key, "Clients") == [["Client ID", "Name", "Touches", "Last Touch"],
                                          ["C-001", "Ann", 1, dt.date(2026, 1, 2)]]
    (date_format,) = [r for r in api.sheet(key, "Clients").extra["repeatCell"]  # only the new date column
                      if "numberFormat" in r["cell"]["userEnteredFormat"]]
    assert date_format["range"]["startColumnIndex"] == 3 and date_format["range"]["startRowIndex"] == 1
    assert date_format["cell"]["userEnteredFormat"]["numberFormat"] == {"type": "DATE"}


def test_a_stats_sheet_added_meanwhile_means_read_again(api: FakeSheetsAPI) -> None:
    key = seed(api, 1)
    gb = backend(key)
    gb.read()
    api.before("batchGet", lambda fake: fake.books[key].sheets.append(Sheet(sheet_id=99, title="Stats")))
    with pytest.raises(SourceChanged, match="added, renamed or deleted"):
        gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-001", 2, {"Touches": 1})],
                            tool_sheets=[SheetContent("Stats", [["a", 1]])]))
    assert api.counts["valuesBatchUpdate"] == 0
    gb.read()
    gb.write(WriteBatch(tool_sheets=[SheetContent("Stats", [["a", 1]])]))
    assert api.values(key, "Stats") == [["a", 1]]


def test_rows_moving_at_the_instant_of_the_write_are_repaired(api: FakeSheetsAPI,
                                                                         tmp_path: Path) -> None:
    from sheets_sync.config import Config
    from sheets_sync.sync import run_sync

    calm = seed(api, 12)
    busy = seed(api, 12)
    for key in (calm, busy):  # a date a person typed by hand: it must survive
        api.sheet(key, "Clients").cells[(5, 10)] = Cell(46400, None, True)
        api.sheet(key, "Clients").cells[(1, 10)] = Cell("Next Action Date")
    today = dt.date(2026, 11, 23)
    run_sync(f"gsheet:{calm}", today, config=Config(), outbox=tmp_path / "calm")

    def staff(fake: FakeSheetsAPI) -> None:
        fake.insert_rows(busy, "Clients", 2, [["C-900", "Walk-in client", "w@example.com", "Active"]])

    api.reset_counts()
    api.before("valuesBatchUpdate", staff)  # after the fresh read: our cells land one row too high
    run_sync(f"gsheet:{busy}", today, config=Config(), outbox=tmp_path / "busy")
    assert api.counts["valuesBatchUpdate"] == 2  # the write, then one repair (put back and redone at once)
    assert api.api_requests() <= 8
    after = tool_values(busy)
    walk_in = after.pop("C-900")
    assert all(v in (None, "") for v in walk_in)  # new to this run: nothing of another client's left on it
    assert after == tool_values(calm)
    assert row_of(api.values(busy, "Clients"), "C-004")[9] == dt.date(1899, 12, 30) + dt.timedelta(days=46400)


def test_a_formula_overwritten_in_that_instant_is_put_back(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", {"Clients": [CLIENT_HEADER, ["C-001", "Ann"],
                                                   ["C-002", "Bob", None, None, None, None, Formula("=1+1", 2),
                                                    dt.date(2026, 1, 1)]]})
    gb = backend(key)
    gb.read()
    api.before("valuesBatchUpdate", lambda fake: fake.sort_rows(key, "Clients", 1, 1, reverse=True))
    gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[
        RowUpdate(CLIENTS, "C-001", 2, {"Touches": 5, "Last Touch": dt.date(2026, 3, 3)})]))
    rows = api.values(key, "Clients")
    assert row_of(rows, "C-002")[6:8] == ["=1+1", dt.date(2026, 1, 1)]
    assert row_of(rows, "C-001") == ["C-001", "Ann", None, None, None, None, 5, dt.date(2026, 3, 3)]
    assert api.counts["valuesBatchUpdate"] == 2
