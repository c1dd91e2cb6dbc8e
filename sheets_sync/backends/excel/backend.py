"""The Excel backend: a .xlsx/.xlsm file on disk, read fast and written back losslessly.

Reading goes through ``xlsx_read`` (python-calamine behind package checks). Writing patches
the XML of the worksheets that change and copies every other part byte for byte
(``xlsx_write``), into a temporary file that is verified and then swapped in; the previous
version is kept in ``.sheets-sync/backups/``. See docs/excel.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sheets_sync.backends.excel.lock import ensure_unlocked
from sheets_sync.backends.excel.package import (
    STATE_FOLDER,
    Fingerprint,
    Package,
    ensure_writable,
    fingerprint,
    open_regular,
)
from sheets_sync.backends.excel.read import read_workbook
from sheets_sync.config import Config
from sheets_sync.errors import SourceChanged, SourceError
from sheets_sync.workbook import SheetContent, WorkbookData, WriteBatch, WriteResult

CHANGED = ("{name} was saved by someone else after it was read; nothing was written "
           "(run again to work from their version)")


class ExcelBackend:
    """A workbook file. ``wait``: seconds to keep retrying while it is open in Excel or
    LibreOffice (0: fail at once with WorkbookLocked). ``config``: its ``[layout]`` tells where
    ``init --into`` finds a team's own header rows.

    ``path`` is resolved once, here: through a symbolic link, the real file is what is read,
    written (the link stays a link), backed up and given a state folder, whichever path
    names it. ``label`` keeps the name as given.
    """

    def __init__(self, path: Path, wait: float = 0, config: Config | None = None, **_ignored: object) -> None:
        self.given = Path(path)
        self.path = real_path(self.given)
        self.wait = float(wait or 0)
        self.config = config or Config()
        self.label = self.given.name
        self._seen: Fingerprint | None = None
        self._data: WorkbookData | None = None

    def state_dir(self) -> Path:
        """``.sheets-sync/<file name>/`` beside the workbook: journal, lock and memory.

        One folder per workbook, so two workbooks kept in the same folder never share a
        journal or a lock (their keys, like ``task:T-0001:reminder:1``, can be the same).
        """
        return self.path.absolute().parent / STATE_FOLDER / self.path.name

    def default_outbox(self) -> Path:
        """``outbox/<workbook name>/`` beside the workbook: where emails go without a mail server."""
        return self.path.absolute().parent / "outbox" / self.path.stem

    def ensure_writable(self) -> None:
        """Raise SourceError when the workbook is missing, not a file, or read-only; ``sync``
        asks before it makes its state folder or sends anything."""
        open_regular(self.path).close()  # opened, not hashed: the read fingerprints it
        ensure_writable(self.path)

    def _ensure_free(self) -> None:
        ensure_writable(self.path)
        # Excel or LibreOffice may have opened the file by its link's name or its real one.
        for path in dict.fromkeys((self.path, self.given)):
            ensure_unlocked(path, self.wait)

    def read(self) -> WorkbookData:
        """Every sheet's used range as raw values; remembers the file's fingerprint so a
        later write can tell whether someone saved in between."""
        seen = fingerprint_or_fail(self.path)
        with Package(self.path) as pkg:
            data, _ = read_workbook(pkg)
        if fingerprint_or_fail(self.path) != seen:
            raise SourceChanged(CHANGED.format(name=self.path.name), source=str(self.path))
        self._seen, self._data = seen, data
        return data

    def _current(self) -> WorkbookData:
        """The workbook as it is now: the last read when the file has not changed since."""
        if self._seen is None or self._data is None:
            return self.read()
        if fingerprint_or_fail(self.path) != self._seen:
            raise SourceChanged(CHANGED.format(name=self.path.name), source=str(self.path))
        return self._data

    def write(self, batch: WriteBatch, before_commit: Callable[[], None] | None = None) -> WriteResult:
        """Apply ``batch`` (see WriteBatch) in one atomic replacement of the file.

        Raises WorkbookLocked when the file is open in Excel/LibreOffice (after ``wait``),
        SourceChanged when it changed since ``read()``, SourceError when it cannot be written.
        """
        if batch.is_empty():
            return WriteResult()
        self._ensure_free()
        data = self._current()
        from sheets_sync.backends.excel.write import write_batch  # here: due and check never write

        result = write_batch(self.path, batch, data, expected=self._seen, before_commit=before_commit)
        self._seen, self._data = None, None  # the next write reads the new file afresh
        return result

    def add_sheets(self, sheets: list[SheetContent], columns: dict[str, list[str]]) -> None:
        """Add missing template sheets and missing headers (``init --into``); every existing
        part stays byte-identical except the package index parts that list the new sheets."""
        self._ensure_free()
        data = self._current()
        from sheets_sync.backends.excel.write import add_sheets

        add_sheets(self.path, sheets, columns, data, expected=self._seen, layout=self.config.section("layout"))
        self._seen, self._data = None, None


def real_path(path: Path) -> Path:
    """``path`` with every symbolic link in it resolved (then absolute; as given when it has
    none, so messages name it as the user did). A dangling link resolves as far as it can,
    and the read says the file is missing."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: cannot follow its symbolic links ({exc})", source=str(path)) from None
    return path if real == os.path.abspath(path) else Path(real)


def fingerprint_or_fail(path: Path) -> Fingerprint:
    """The file's fingerprint; SourceError when it cannot be read."""
    try:
        return fingerprint(path)
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file", source=str(path)) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot open ({exc.strerror})", source=str(path)) from None
