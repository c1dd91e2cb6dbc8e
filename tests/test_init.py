"""``init``: a new, formatted workbook; never overwriting an existing file."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from sheets_sync.backends.excel.create import create_workbook
from sheets_sync.errors import ConfigError
from sheets_sync.init import create
from sheets_sync.model.settings import SPECS
from sheets_sync.workbook import SheetContent

TODAY = dt.date(2026, 11, 23)


def _validations(ws):
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_init_writes_the_template_with_headers_filters_and_frozen_panes(tmp_path):
    path = create(tmp_path / "clients.xlsx", today=TODAY)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Clients", "Tasks", "Touches", "Settings", "Sales", "Staff", "Sync Log"]
    clients = wb["Clients"]
    assert clients["A1"].value == "Client ID" and clients["A1"].font.bold
    assert clients.freeze_panes == "A2"
    assert clients.auto_filter.ref == "A1:R1"
    assert clients.max_row == 1
    assert wb["Settings"].max_row == 1 + len(SPECS)
    assert not list(tmp_path.glob(".*tmp")), "no temporary file is left behind"


def test_tool_columns_have_a_distinct_header_fill(tmp_path):
    wb = load_workbook(create(tmp_path / "c.xlsx", today=TODAY))
    ws = wb["Clients"]
    headers = {c.value: c for c in ws[1]}
    tool, staff = headers["Next Action"].fill.fgColor.rgb, headers["Name"].fill.fgColor.rgb
    assert tool != staff
    assert headers["Touches"].fill.fgColor.rgb == tool
    assert wb["Touches"]["H1"].value == "Ref" and wb["Touches"]["H1"].fill.fgColor.rgb == tool


def test_date_columns_are_formatted_and_choice_columns_have_dropdowns(tmp_path):
    wb = load_workbook(create(tmp_path / "c.xlsx", today=TODAY))
    clients = wb["Clients"]
    assert clients.column_dimensions["I"].number_format == "yyyy-mm-dd"  # Client Since
    assert clients.column_dimensions["J"].number_format == "yyyy-mm-dd"  # Lost On
    assert clients.column_dimensions["B"].width == 24
    dv = _validations(clients)
    assert dv["G2:G5000"].formula1 == '"A,B,C"'
    assert dv["H2:H5000"].formula1 == '"Prospect,Active,Lost,No Sale"'
    assert dv["K2:K5000"].formula1 == '"Yes,No"'
    tasks = _validations(wb["Tasks"])
    assert tasks["C2:C5000"].formula1 == '"Payment,Signature,Paperwork,Quote,Other"'
    assert tasks["H2:H5000"].formula1 == '"Open,Done,Cancelled"'
    touches = _validations(wb["Touches"])
    assert touches["D2:D5000"].formula1 == '"Email,Call,Text,Meeting,Letter,Gift,Note"'
    assert touches["E2:E5000"].formula1 == '"Out,In"'
    assert wb["Touches"].column_dimensions["A"].number_format == "yyyy-mm-dd"
    assert wb["Settings"].column_dimensions["C"].alignment.wrap_text
    assert wb["Settings"]["C2"].alignment.wrap_text


def test_init_refuses_to_overwrite(tmp_path):
    path = tmp_path / "clients.xlsx"
    path.write_bytes(b"precious")
    with pytest.raises(ConfigError, match="clients.xlsx already exists; choose another name or use --into"):
        create(path, today=TODAY)
    assert path.read_bytes() == b"precious"


def test_init_refuses_other_file_types_and_missing_folders(tmp_path):
    with pytest.raises(ConfigError, match=r"\.xlsx"):
        create(tmp_path / "clients.ods", today=TODAY)
    with pytest.raises(ConfigError, match="does not exist"):
        create(tmp_path / "nowhere" / "clients.xlsx", today=TODAY)


def test_rows_below_a_title_are_formatted_from_the_header_row(tmp_path):
    sheet = SheetContent(
        title="Tasks",
        table="tasks",
        rows=[["Open items"], [], ["Task ID", "Client ID", "Due Date", "Status"],
              ["T-1", "C-1", dt.date(2026, 12, 1), "Open"]],
    )
    path = tmp_path / "t.xlsx"
    create_workbook(path, [sheet])
    ws = load_workbook(path)["Tasks"]
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:D4"
    assert ws["A1"].font.bold and ws["A3"].font.bold and not ws["A4"].font.bold
    assert ws["C4"].value == dt.datetime(2026, 12, 1) and ws["C4"].number_format == "yyyy-mm-dd"
    assert _validations(ws)["D4:D5000"].formula1 == '"Open,Done,Cancelled"'


def test_a_sheet_with_a_chart_spec_gets_a_native_chart(tmp_path):
    stats = SheetContent(
        title="Stats",
        rows=[["Month", "New", "Lost"], ["Jan", 3, 1], ["Feb", 2, 0], ["Mar", 4, 2]],
        chart={"title": "Clients per month", "type": "bar", "anchor": (1, 5),
               "categories": (2, 4, 1), "series": [(1, 2), (1, 3)]},
    )
    path = tmp_path / "stats.xlsx"
    create_workbook(path, [stats])
    ws = load_workbook(path)["Stats"]
    assert ws["B2"].value == 3 and ws.freeze_panes is None
    [chart] = ws._charts
    assert len(chart.series) == 2 and chart.anchor._from.col == 4


class _FakeBackend:
    """Just enough of a backend for ``adopt``: a workbook in memory that records additions."""

    label = "fake.xlsx"

    def __init__(self, sheets):
        from sheets_sync.workbook import SheetData, WorkbookData

        self.data = WorkbookData({t: SheetData(t, rows) for t, rows in sheets.items()})
        self.added = None

    def read(self):
        return self.data

    def add_sheets(self, sheets, columns):
        self.added = (sheets, columns)


def test_adopt_adds_only_what_is_missing_and_says_what():
    from sheets_sync.init import adopt

    backend = _FakeBackend({
        "Clients": [["Client ID", "Name", "Email", "Status", "Owner", "Tier", "Phone", "Company",
                     "Client Since", "Lost On", "Do Not Email", "Notes", "Annual Value"]],
        "Tasks": [["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On",
                   "Status", "Done On", "Reminders Sent", "Last Reminder", "Next Reminder"]],
    })
    message = adopt(backend)
    sheets, columns = backend.added
    assert [s.title for s in sheets] == ["Touches", "Settings", "Sales", "Staff", "Sync Log"]
    assert columns == {"Clients": ["Touches", "Last Touch", "Next Action", "Next Action Date", "Days Since Touch"]}
    assert message == ("added the sheets Touches, Settings, Sales, Staff, Sync Log; added to Clients: Touches, Last Touch, "
                       "Next Action, Next Action Date, Days Since Touch")


def test_adopt_a_complete_workbook_changes_nothing():
    from sheets_sync.init import NOTHING_TO_ADD, adopt
    from sheets_sync.model.template import template_sheets

    backend = _FakeBackend({**{s.title: s.rows for s in template_sheets()}, "Sync Log": [["Started"]]})
    assert adopt(backend) == NOTHING_TO_ADD
    assert backend.added is None


def test_fill_sheet_formats_a_sheet_added_to_an_existing_workbook(tmp_path):
    from openpyxl import Workbook

    from sheets_sync.backends.excel.create import fill_sheet
    from sheets_sync.model.template import template_sheets

    wb = Workbook()
    fill_sheet(wb.create_sheet("Tasks"), template_sheets()[1])
    wb.save(tmp_path / "w.xlsx")
    ws = load_workbook(tmp_path / "w.xlsx")["Tasks"]
    assert ws["A1"].value == "Task ID" and ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert _validations(ws)["H2:H5000"].formula1 == '"Open,Done,Cancelled"'
