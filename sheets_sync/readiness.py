"""Is the office set up? What must be filled in before its emails read as its own: the
Business name, the From address and the owners' names (the Staff sheet). ``check`` reports
each at the cell to fix and exits 1 while any is left; sync and due do not count them, so a
scheduled run's exit code keeps meaning that the data or the run went wrong.
"""

from __future__ import annotations

from sheets_sync.config import Config
from sheets_sync.mail.config import given
from sheets_sync.model.rows import Book, Problem

FROM_HOW = ("the address the emails come from (e.g. office@harbor.example), or set from = \"...\" in the "
            "[smtp] table of the config file or SHEETS_SYNC_FROM; until then an outbox draft comes from its "
            "client's owner, and a digest from no one")


def set_up_problems(book: Book, config: Config) -> list[Problem]:
    """The set-up left to do, each at its cell: the Business name and the owners' names, as the
    workbook was read (``Book.setup``), and the From address."""
    return book.setup + from_address_problems(book, config)


def from_address_problems(book: Book, config: Config) -> list[Problem]:
    """[] when emails have a sender: the config's (flag, SHEETS_SYNC_FROM or ``from`` in
    [smtp]), the mail server's login when it is an address, or the From address setting;
    else one problem at that setting's cell (or the Settings sheet)."""
    if given("sender", config) or "@" in given("user", config) or book.settings.values.get("from_address"):
        return []
    sheet = book.tables["settings"].sheet if "settings" in book.tables else "Settings"
    cell = book.setting_cells.get("from_address", "")
    if cell:
        return [Problem(sheet, cell, f"From address is blank: type {FROM_HOW}")]
    return [Problem(sheet, "", f"From address is not set: add a From address row with {FROM_HOW}")]


def setup_lines(problems: list[Problem]) -> list[str]:
    """The set-up problems as check prints them, one line each ('Set-up: Settings!B16: ...')."""
    return [f"Set-up: {p}" for p in problems]
