"""The one small interface every backend (Excel file, Google spreadsheet) fits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from sheets_sync.workbook import SheetContent, WorkbookData, WriteBatch, WriteResult


@runtime_checkable
class Backend(Protocol):
    """Reads a whole workbook as raw grids and applies one batch of keyed updates."""

    label: str  # how to name the source to a person ("clients.xlsx", "Client follow-ups")

    def read(self) -> WorkbookData:
        """Read every sheet's used range. Raises SourceError when the source cannot be read."""
        ...

    def write(self, batch: WriteBatch, before_commit: Callable[[], None] | None = None) -> WriteResult:
        """Apply the batch atomically: all of it or nothing. Rows are found by key afresh.
        The batch is used up (its row updates may be emptied): build a new one to write again.
        ``before_commit`` is called once the new content is ready and checked, just before it
        replaces the old (what it raises stops the write, nothing changed); an empty batch
        or one that changes nothing never calls it.

        Raises SourceError (or a subclass: WorkbookLocked, SourceChanged) when it cannot.
        """
        ...

    def ensure_writable(self) -> None:
        """Raise SourceError when the source is missing or may not be written (a read-only
        file): ``sync`` asks before it makes its state folder or sends anything."""
        ...

    def state_dir(self) -> Path:
        """A local folder for this source's journal, lock and memory of what we wrote."""
        ...

    def default_outbox(self) -> Path:
        """Where emails are written as .eml files when no mail server is configured."""
        ...

    def add_sheets(self, sheets: list[SheetContent], columns: dict[str, list[str]]) -> None:
        """Add missing template sheets, and missing columns at the right of existing tables.

        Used by ``init --into``; every existing cell, part and format stays as it was.
        ``columns`` maps an existing sheet title to the headers to append to its header row.
        """
        ...
