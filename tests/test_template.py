"""The template sheets and what ``init --into`` must add to an existing workbook."""

from __future__ import annotations

from sheets_sync.model.layout import CLIENTS, TABLES, TASKS, TOUCHES
from sheets_sync.model.settings import SPECS, Settings, find_spec
from sheets_sync.model.template import missing_parts, setting_value, table_headers, template_sheets
from sheets_sync.workbook import SheetContent, SheetData, WorkbookData


def _book(**sheets: list[list[object]]) -> WorkbookData:
    return WorkbookData(sheets={title: SheetData(title, rows) for title, rows in sheets.items()})


def test_template_has_every_table_in_layout_order_with_tool_columns_last():
    sheets = template_sheets()
    assert [s.table for s in sheets] == [t.name for t in TABLES]
    assert [s.title for s in sheets] == ["Clients", "Tasks", "Touches", "Settings", "Sales", "Staff"]
    assert sheets[5].rows == [["Email", "Name", "Phone", "Job title", "Signature"]]
    clients = sheets[0].rows[0]
    assert clients[:3] == ["Client ID", "Name", "Company"]
    assert clients[-5:] == ["Touches", "Last Touch", "Next Action", "Next Action Date", "Days Since Touch"]
    assert sheets[1].rows[0][-3:] == ["Reminders Sent", "Last Reminder", "Next Reminder"]
    assert sheets[2].rows[0] == ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref", "Result"]
    for sheet in sheets:
        if sheet.table != "settings":
            assert len(sheet.rows) == 1


def test_settings_sheet_lists_every_setting_with_default_and_note():
    settings = template_sheets()[3]
    assert settings.rows[0] == ["Setting", "Value", "Notes"]
    assert len(settings.rows) == 1 + len(SPECS)
    by_label = {row[0]: row for row in settings.rows[1:]}
    assert by_label["Prospect touches (days after first contact)"][1] == "2, 5, 9, 14, 21, 30, 45"
    assert by_label["One more after (days)"][1] == 7
    assert by_label["Holidays"][1] is None
    for label, value, note in settings.rows[1:]:
        spec = find_spec(label)
        assert spec is not None and note == spec.note
        if value is not None:
            assert Settings().values[spec.key] == spec.default


def test_dates_in_a_setting_render_as_comma_separated_text():
    import datetime as dt

    from sheets_sync.model.settings import SettingSpec

    spec = SettingSpec("holidays", "Holidays", (dt.date(2026, 12, 25), dt.date(2027, 1, 1)), "dates", "")
    assert setting_value(spec) == "2026-12-25, 2027-01-01"


def test_missing_parts_of_an_empty_workbook_is_the_whole_template():
    sheets, columns = missing_parts(_book(Sheet1=[]))
    assert [s.title for s in sheets] == ["Clients", "Tasks", "Touches", "Settings", "Sales", "Staff"]
    assert columns == {}


def test_missing_parts_matches_sheets_by_alias_and_headers_below_a_title():
    data = _book(
        customers=[
            ["Our customers"],
            [],
            ["ID", "Client Name", "E-mail", "Status", "Favourite colour", "Touches"],
            ["C-1", "Ann", "ann@example.com", "Active", "blue", 3],
        ],
        TASKS=[table_headers(TASKS)],
        Touches=[table_headers(TOUCHES)[:-2]],
    )
    sheets, columns = missing_parts(data)
    assert [s.title for s in sheets] == ["Settings", "Sales", "Staff"]
    expected = [h for h in table_headers(CLIENTS) if h not in ("Client ID", "Name", "Email", "Status", "Touches")]
    assert columns == {"customers": expected, "Touches": ["Ref", "Result"]}


def test_missing_parts_honours_the_config_remap():
    data = _book(Book1=[["Cust #", "Name", "Status"]])
    layout = {"clients": {"sheet": "Book1", "columns": {"client_id": "Cust #"}}, "sales": {"sheet": "Renewals 2026"}}
    sheets, columns = missing_parts(data, layout)
    assert "Client ID" not in columns["Book1"] and "Email" in columns["Book1"]
    assert [s.title for s in sheets] == ["Tasks", "Touches", "Settings", "Renewals 2026", "Staff"]


def test_docs_describe_every_sheet_column_alias_and_setting():
    from pathlib import Path

    from sheets_sync.model.template import setting_value

    doc = (Path(__file__).resolve().parent.parent / "docs" / "workbook.md").read_text(encoding="utf-8")
    for table in TABLES:
        assert f"### {table.title}" in doc
        assert all(alias in doc for alias in table.aliases), table.name
        for column in table.columns:
            written = (f"| {column.header} (", f"| {column.header} |", f"**{column.header}**")
            assert any(w in doc for w in written), column.header
            assert f"`{column.field}`" in doc or table.name == "settings", column.field
            assert all(alias in doc for alias in column.aliases), column.header
    for spec in SPECS:
        value = setting_value(spec)
        assert f"| {spec.label} | {'' if value is None else value}" in doc or value is None, spec.label
        assert spec.note in doc
    assert '[layout.clients]\nsheet = "Customers"' in doc
    assert '[layout.clients.columns]\nclient_id = "Cust #"' in doc
    assert "2026-11-23" in doc


def test_content_header_row_finds_the_header_below_a_title():
    import datetime as dt

    from sheets_sync.model.sample import sample_sheets
    from sheets_sync.model.template import content_header_row

    rows = {s.table: content_header_row(s) for s in template_sheets(sample_sheets(dt.date(2026, 11, 23)))}
    assert rows == {"clients": 3, "tasks": 1, "touches": 1, "settings": 1, "sales": 1, "staff": 1}
    assert content_header_row(SheetContent("Stats", [["Month"]])) == 0


def test_missing_columns_are_exactly_the_ones_not_there():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    headers = table_headers(CLIENTS)

    @settings(max_examples=200, deadline=None)
    @given(
        kept=st.lists(st.sampled_from(headers), unique=True, min_size=3),
        extra=st.lists(st.sampled_from(["Policy #", "Birthday", "Agent notes", ""]), max_size=3),
        titles=st.integers(min_value=0, max_value=5),
        shout=st.booleans(),
        data=st.data(),
    )
    def check(kept, extra, titles, shout, data):
        row = data.draw(st.permutations([h.upper() if shout else h for h in kept] + extra))
        rows = [["Our clients, as of today"]] * titles + [row, ["C-1", "Ann"]]
        _, columns = missing_parts(_book(Clients=rows, Tasks=[table_headers(TASKS)],
                                         Touches=[table_headers(TOUCHES)]))
        # no Client ID beside "Policy #": an identifier the tool cannot place may be the team's key
        own_key = "Policy #" in extra
        assert columns.get("Clients", []) == [h for h in headers if h not in kept and not (own_key and h == "Client ID")]

    check()


def test_sheet_header_row_is_the_row_missing_headers_go_to():
    from sheets_sync.model.headers import sheet_header_row

    sheet = SheetData("Customers", [["Our customers"], ["ID", "Client Name", "E-mail", "Status"], ["C-1", "Ann"]])
    assert sheet_header_row(sheet) == 2
    assert sheet_header_row(SheetData("Empty", [])) == 1
    remapped = SheetData("Book1", [["Cust #", "Who"], ["Name", "Status"], ["Cust #", "Who", "Status"]])
    layout = {"clients": {"columns": {"client_id": "Cust #", "name": "Who"}}}
    assert sheet_header_row(remapped) == 2 and sheet_header_row(remapped, layout) == 3
