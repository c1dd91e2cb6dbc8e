"""What an office must fill in before its emails read as its own, found while reading: a blank
Business name, owners the Staff sheet does not name. Each is a Problem at the cell to fix; the
From address, which may also come from the config file, is checked by ``sheets_sync.readiness``.
"""

from __future__ import annotations

from sheets_sync.a1 import cell_name
from sheets_sync.display import guessed_name
from sheets_sync.model.read._tables import Located
from sheets_sync.model.rows import Client, Problem, StaffMember

BUSINESS_NAME_BLANK = "Business name is blank: type your office's name, it signs every email"
NO_STAFF_SHEET = ("there is no Staff sheet, so emails and digests carry names guessed from the owners' "
                  "addresses ({example}): run sheets-sync init --into with this workbook to add one listing "
                  "each owner, then type their names")


def business_name_problem(settings_at: Located | None, rows: dict[str, int], name: str) -> Problem | None:
    """The Business name setting left blank, at its Value cell (or the Settings sheet when it has
    no such row, or the workbook has no Settings sheet); None once it is typed."""
    if name:
        return None
    if settings_at is None:
        return Problem("Settings", "", f"there is no Settings sheet: add it (sheets-sync init --into adds it); "
                                       f"{BUSINESS_NAME_BLANK}")
    row = rows.get("business_name")
    if row is None:
        return Problem(settings_at.sheet.title, "", "there is no Business name row: add one (Setting: Business "
                                                    "name, Value: your office's name); it signs every email")
    return Problem(settings_at.sheet.title, settings_at.cell("value", row), BUSINESS_NAME_BLANK)


def owner_problems(clients_at: Located, clients: list[Client], staff_at: Located | None,
                   staff: dict[str, StaffMember] | None) -> list[Problem]:
    """Owners the Staff sheet does not name: each owner with no row, at the Email cell of the
    next free row, and each row with a blank Name, at that cell; one problem when there is no
    Staff sheet at all (and owners to name)."""
    first: dict[str, Client] = {}
    for client in clients:
        if client.owner and client.owner not in first:
            first[client.owner] = client
    if not first:
        return []
    if staff_at is None or staff is None:
        owner = min(first)
        return [Problem("Staff", "", NO_STAFF_SHEET.format(example=f"{owner} signs as '{guessed_name(owner)}'"))]
    sheet = staff_at.sheet.title
    out = []
    free = max([staff_at.header_row, *(r for r, cells in enumerate(staff_at.sheet.rows, start=1)
                                         if r > staff_at.header_row and any(c not in (None, "") for c in cells))]) + 1
    for owner in sorted(first):
        if owner in staff:
            continue
        where = clients_at.cell("owner", first[owner].row)
        out.append(Problem(sheet, cell_name(staff_at.cols["email"] + 1, free),
                           f"{owner} owns clients ({clients_at.sheet.title}!{where}) but has no row on {sheet}: "
                           f"type their address here and their name beside it, so their emails and digest "
                           f"carry it"))
        free += 1
    for member in sorted(staff.values(), key=lambda m: m.row):
        if not member.name:
            cell = cell_name(staff_at.cols["name"] + 1, member.row) if "name" in staff_at.cols \
                else cell_name(staff_at.cols["email"] + 1, member.row)
            out.append(Problem(sheet, cell, f"Name is blank: type the name clients should see for {member.email} "
                                            f"(it signs their emails; until then '{guessed_name(member.email)}')"))
    return out

