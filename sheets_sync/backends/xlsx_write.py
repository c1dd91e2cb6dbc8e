"""Applying a batch to the workbook file (first cut: an openpyxl round trip, atomic)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import openpyxl

from sheets_sync.backends.xlsx_batch import plan_cells
from sheets_sync.backends.xlsx_package import Fingerprint, backup, fingerprint
from sheets_sync.errors import SourceChanged, SourceError
from sheets_sync.workbook import SheetContent, WorkbookData, WriteBatch, WriteResult

DATE_FORMAT = "yyyy-mm-dd"


def write_batch(path: Path, batch: WriteBatch, data: WorkbookData, expected: Fingerprint | None) -> WriteResult:
    """Apply ``batch`` to the file at ``path``, whose current content is ``data``."""
    plan = plan_cells(batch, data)
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    for title, rows in plan.cells.items():
        ws = wb[title]
        for r, cols in rows.items():
            for c, value in cols.items():
                cell = ws.cell(row=r, column=c)
                cell.value = value
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                if isinstance(value, (dt.date, dt.datetime)):
                    cell.number_format = DATE_FORMAT
    for content in batch.tool_sheets:
        if content.title in wb.sheetnames:
            ws = wb[content.title]
            ws.delete_rows(1, ws.max_row)
        else:
            ws = wb.create_sheet(content.title)
        _fill(ws, content)
    _save(wb, path, expected)
    return WriteResult(len(plan.updated_rows), plan.appended, plan.dropped)


def add_sheets(path: Path, sheets: list[SheetContent], columns: dict[str, list[str]], data: WorkbookData,
               expected: Fingerprint | None) -> None:
    """Add template sheets and header cells (first cut through openpyxl)."""
    batch = WriteBatch(new_columns=columns)
    plan = plan_cells(batch, data)
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    for title, rows in plan.cells.items():
        for r, cols in rows.items():
            for c, value in cols.items():
                wb[title].cell(row=r, column=c, value=value)
    for content in sheets:
        _fill(wb.create_sheet(content.title), content)
    _save(wb, path, expected)


def _fill(ws, content: SheetContent) -> None:
    for r, values in enumerate(content.rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None and value != "":
                ws.cell(row=r, column=c, value=value)


def _save(wb: openpyxl.Workbook, path: Path, expected: Fingerprint | None) -> None:
    tmp = path.parent / f".~{path.stem}.{secrets.token_hex(4)}.tmp"
    try:
        wb.save(tmp)
        if expected is not None and fingerprint(path) != expected:
            raise SourceChanged(f"{path.name} was saved by someone else meanwhile; nothing was written",
                                source=str(path))
        backup(path)
        os.replace(tmp, path)
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the workbook ({exc.strerror})", source=str(path)) from None
    finally:
        if tmp.exists():
            tmp.unlink()
