"""New IDs written through anchors that move with their rows.

A row whose Client ID (or Task ID) was blank gets its new ID only while that key cell is
still blank. A values write by row number cannot promise it: staff may sort, insert or
delete rows between the tool's last read and its write. So each such row gets a developer
metadata tag (``createDeveloperMetadata`` on that one row) in the write's
``spreadsheets:batchUpdate``; the same atomic request returns the tagged rows' key and check
cells (``includeSpreadsheetInResponse``), so the tool sees which row each tag landed on at
that instant, and only a tag on a row whose key is still blank and whose checked cells (the
name) still hold is used. The values go in ``values:batchUpdateByDataFilter`` with a
``developerMetadataLookup`` per tag: Google writes them to the row the tag is on *then*,
wherever sorting or inserting moved it. A tagged row deleted meanwhile takes its tag with it
and gets nothing. Tags are only made for rows with a blank key (a handful a day), so the
limits on developer metadata are far away for any sheet of up to 100,000 rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.backends.google.values import a1, parse_range
from sheets_sync.model.values import text

ANCHOR_KEY = "sheets-sync.new-id"
NOT_ANCHORED = ("{sheet}: row {row} changed while the tool was running (a sort, insert or delete), so its "
                "new {header} {key} was not written; the next run gives it one")


@dataclass
class Anchor:
    """One row getting a new ID: where it was in the fresh read, what must still hold there,
    and the cells to write (column -> API value, the key cell included)."""

    title: str
    sheet_id: int
    row: int  # 1-based, in the fresh read
    key: str
    key_col: int
    header: str
    checks: dict[int, str]  # column -> text that must still be there
    cells: dict[int, Any] = field(default_factory=dict)
    metadata_id: int = 0
    ok: bool = False

    def create_request(self) -> dict[str, Any]:
        """createDeveloperMetadata tagging this row (visible to any project: the key names us)."""
        return {"createDeveloperMetadata": {"developerMetadata": {
            "metadataId": self.metadata_id, "metadataKey": ANCHOR_KEY, "metadataValue": self.key,
            "visibility": "DOCUMENT",
            "location": {"dimensionRange": {"sheetId": self.sheet_id, "dimension": "ROWS",
                                            "startIndex": self.row - 1, "endIndex": self.row}}}}}

    def watched(self) -> list[int]:
        return sorted({self.key_col, *self.checks})

    def response_range(self) -> str:
        cols = self.watched()
        return a1(self.title, self.row, cols[0], self.row, cols[-1])

    def value_range(self) -> dict[str, Any]:
        """A DataFilterValueRange: the row the tag is on now, from column A (null: left as is)."""
        width = max(self.cells)
        return {"dataFilter": {"developerMetadataLookup": {"metadataId": self.metadata_id}},
                "majorDimension": "ROWS", "values": [[self.cells.get(c) for c in range(1, width + 1)]]}

    def dropped(self) -> str:
        return NOT_ANCHORED.format(sheet=self.title, row=self.row, header=self.header, key=self.key)


def new_metadata_ids(anchors: list[Anchor]) -> None:
    """Give each anchor a random positive metadataId (spreadsheet-wide, so random, not 1, 2, 3)."""
    used: set[int] = set()
    for anchor in anchors:
        while anchor.metadata_id in used or anchor.metadata_id == 0:
            anchor.metadata_id = random.randint(1, 2**31 - 1)
        used.add(anchor.metadata_id)


def grid_cells(updated: dict[str, Any]) -> dict[str, dict[tuple[int, int], str]]:
    """Cell texts (title -> (row, col) -> text) from a batchUpdate reply's updatedSpreadsheet."""
    cells: dict[str, dict[tuple[int, int], str]] = {}
    for sheet in updated.get("sheets", []):
        title = sheet.get("properties", {}).get("title", "")
        target = cells.setdefault(title, {})
        for grid in sheet.get("data", []):
            r0, c0 = int(grid.get("startRow", 0)) + 1, int(grid.get("startColumn", 0)) + 1
            for dr, row in enumerate(grid.get("rowData", [])):
                for dc, cell in enumerate(row.get("values", [])):
                    entered = cell.get("userEnteredValue") or {}
                    if "formulaValue" in entered:
                        target[(r0 + dr, c0 + dc)] = str(entered["formulaValue"])
                        continue
                    value = next(iter((cell.get("effectiveValue") or {}).values()), None)
                    target[(r0 + dr, c0 + dc)] = text(value)
    return cells


def take_reply(anchors: list[Anchor], reply: dict[str, Any]) -> list[str]:
    """Mark the anchors whose tag landed on a row that still has a blank key and the checked
    values (from the batchUpdate's own reply: the same instant); the others' messages."""
    landed: dict[int, int] = {}
    for answer in reply.get("replies", []):
        meta = (answer or {}).get("createDeveloperMetadata", {}).get("developerMetadata")
        if meta:
            span = meta.get("location", {}).get("dimensionRange", {})
            landed[int(meta.get("metadataId", 0))] = int(span.get("startIndex", -1)) + 1
    cells = grid_cells(reply.get("updatedSpreadsheet") or {})
    dropped = []
    for anchor in anchors:
        row = landed.get(anchor.metadata_id, anchor.row)
        seen = cells.get(anchor.title, {})
        anchor.ok = (anchor.title in cells and seen.get((row, anchor.key_col), "") == ""
                     and all(seen.get((row, col), "") == want for col, want in anchor.checks.items()))
        if not anchor.ok:
            dropped.append(anchor.dropped())
    return dropped


def wrong_rows(anchors: list[Anchor], responses: list[dict[str, Any]]) -> list[str]:
    """Tagged rows whose written row does not show the new key and the checked values (a
    person typed in that very row at that instant): 'Clients!A44' for each."""
    by_id = {a.metadata_id: a for a in anchors if a.ok}
    wrong = []
    for response in responses:
        lookup = (response.get("dataFilter") or {}).get("developerMetadataLookup") or {}
        metadata_id = lookup.get("metadataId")
        anchor = by_id.get(metadata_id) if metadata_id is not None else None
        data = response.get("updatedData") or {}
        if anchor is None or not data.get("range"):
            continue
        _, row, c1, _, _ = parse_range(data["range"])
        values = (data.get("values") or [[]])[0]
        now = {c1 + i: text(v) for i, v in enumerate(values)}
        if now.get(anchor.key_col, "") != anchor.key or any(now.get(c, "") != w for c, w in anchor.checks.items()):
            wrong.append(f"{anchor.title} row {row}")
    return wrong
