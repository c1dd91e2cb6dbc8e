"""slim_for_write keeps every cell cells_for looks at."""

from __future__ import annotations

import copy
import datetime as dt

from sheets_sync.workbook import RowUpdate, SheetData, TableRef, WorkbookData, WriteBatch
from sheets_sync.write.cells import cells_for, slim_for_write

CLIENTS = TableRef("Clients", 2, "Client ID")
TOUCHES = TableRef("Touches", 1, None)


def _data() -> WorkbookData:
    clients = [
        ["Our clients"],
        ["Name", "Client ID", "Email", "Touches"],
        ["Ann", "C-1", "ann@example.com", 3],
        ["Bob", None, "bob@example.com"],
        [None, None, None, None, "a note"],
        ["Cy", "C-2", "cy@example.com"],
        ["Di", "C-2", None, 1],
        ["Ed", "C-3", "ed@example.com", 2],
    ]
    touches = [["Date", "Client ID", "Summary"], [dt.date(2026, 1, 2), "C-1", "call"], [], ["x"],
               [dt.date(2026, 1, 3), "C-3", "met"]]
    return WorkbookData({"Clients": SheetData("Clients", clients), "Touches": SheetData("Touches", touches)})


def _batch() -> WriteBatch:
    batch = WriteBatch(tables={"Clients": CLIENTS, "Touches": TOUCHES})
    batch.new_columns["Clients"] = ["Next Action"]
    for key in ("C-1", "C-2", "C-3", "C-9"):
        batch.updates.append(RowUpdate(CLIENTS, key, 0, {"Touches": 4, "Next Action": "Call"}))
    batch.updates.append(RowUpdate(CLIENTS, "C-4", 4, {"Touches": 0}, fill_key=True,
                                   check={"Name": "Bob", "Email": "bob@example.com"}))
    batch.updates.append(RowUpdate(CLIENTS, "C-5", 5, {"Touches": 0}, fill_key=True, check={"Name": "Zed"}))
    batch.updates.append(RowUpdate(CLIENTS, "C-6", 6, {"Touches": 0}, fill_key=True, check={"Name": "Cy"}))
    batch.appends["Touches"] = [{"Date": dt.date(2026, 2, 1), "Client ID": "C-1", "Summary": "sent"}]
    return batch


def test_a_slimmed_workbook_plans_the_same_cells() -> None:
    full = _data()
    slim = copy.deepcopy(full)
    slim_for_write(slim, {"clients": CLIENTS, "touches": TOUCHES})
    assert cells_for(_batch(), slim) == cells_for(_batch(), full)
    clients = slim.sheet("Clients")
    assert clients is not None
    assert clients.rows[:2] == full.sheets["Clients"].rows[:2]  # the title and header rows stay whole
    assert list(clients.rows[2]) == ["Ann", "C-1"]  # up to the key column
    assert clients.rows[3] == full.sheets["Clients"].rows[3]  # blank key: a key may be filled in there
    assert clients.rows[-1] == full.sheets["Clients"].rows[-1]  # the last used row
    assert [len(r) for r in slim.sheets["Touches"].rows] == [3, 0, 0, 0, 3]


def test_a_sheet_holding_two_tables_is_left_whole() -> None:
    data = _data()
    slim_for_write(data, {"clients": CLIENTS, "other": TableRef("Clients", 2, "Email")})
    assert data.sheets["Clients"].rows == _data().sheets["Clients"].rows


def test_one_resolver_says_where_each_update_goes_and_why_not() -> None:
    from sheets_sync.write.cells import Unplaced, key_rows, place

    grid = {3: {1: "C-1", 2: "Ann"}, 4: {1: None, 2: "Bob"}, 5: {1: "C-2"}, 6: {1: "C-2"}, 1: {1: "Client ID"}}
    by_key = key_rows((r, cols.get(1)) for r, cols in grid.items() if r > 1)
    assert by_key == {"C-1": [3], "C-2": [5, 6]}

    def cell(row: int, col: int) -> object:
        return grid.get(row, {}).get(col)

    def where(key: str, row: int = 0, fill: bool = False, check: dict[int | None, object] | None = None) -> object:
        update = RowUpdate(CLIENTS, key, row, {}, fill_key=fill)
        return place(update, by_key, 1, 1, (check or {}).items(), cell)

    assert where("C-1").row == 3
    assert (where("C-9").why, where("C-2").why, where("C-2").rows) == (Unplaced.GONE, Unplaced.SEVERAL, (5, 6))
    assert where("C-4", 4, True, {2: "Bob"}).row == 4
    assert where("C-4", 4, True, {2: "Zed"}).why is Unplaced.TAKEN
    assert where("C-4", 4, True, {None: "Bob"}).why is Unplaced.TAKEN  # a checked column not found
    assert where("C-4", 3, True, {2: "Ann"}).why is Unplaced.TAKEN  # its key cell is filled now
    assert where("C-1", 4, True, {2: "Bob"}).why is Unplaced.PRESENT


def test_a_new_key_already_in_the_sheet_is_not_written_again() -> None:
    """Google refused this; the Excel writer wrote the key a second time (two rows with one ID)."""
    batch = WriteBatch(tables={"Clients": CLIENTS})
    batch.updates.append(RowUpdate(CLIENTS, "C-3", 4, {"Touches": 0}, fill_key=True, check={"Name": "Bob"}))
    writes = cells_for(batch, _data())
    assert writes.cells == {}
    assert writes.dropped == ["Clients: C-3 is already in the Client ID column (rows 8); it was not written again in row 4"]


def test_updates_consumed_as_they_are_placed_plan_the_same_cells() -> None:
    """The Excel write takes each update out of the batch once placed (a big sync's updates
    are tens of megabytes): the same cells, and the batch's updates gone."""
    batch = _batch()
    consumed = cells_for(batch, _data(), consume=True)
    assert consumed == cells_for(_batch(), _data())
    assert batch.updates == [] and batch.appends and batch.new_columns  # only the updates go
