"""The optional Staff sheet: one person a row, keyed by Email (compared in lower case, as
owners are), with the name, phone, job title and signature their emails and digests carry.

A bad cell is a Problem at its cell; a row whose Email cannot be used is left out (the
owner's name is then guessed from the address, as without a Staff sheet).
"""

from __future__ import annotations

import re

from sheets_sync.model import values as v
from sheets_sync.model.read._tables import Located, RowReader, table_rows
from sheets_sync.model.rows import Problem, StaffMember

_BREAKS = re.compile(r"\r\n|\r|\n")


def read_staff(loc: Located, problems: list[Problem], allow_special_use: bool = True) -> dict[str, StaffMember]:
    """Lower-case address -> staff member, for each usable row of the Staff sheet."""
    staff: dict[str, StaffMember] = {}
    for row, cells in table_rows(loc):
        r = RowReader(loc, problems, row, cells)
        try:
            email = v.parse_email(r.raw("email"), allow_special_use).lower()
        except v.BadValue as exc:
            r.problem("email", f"{exc}; this row is not used until then")
            continue
        if not email:
            r.problem("email", "Email is blank: type this person's address, as the Owner column of Clients "
                               "has it; this row is not used until then")
            continue
        if email in staff:
            r.problem("email", f"{email} is also on row {staff[email].row}: keep one row per person "
                               f"(row {staff[email].row} is used)")
            continue
        staff[email] = StaffMember(
            email=email, row=row, name=_one_line(r, "name", "the name"), phone=_one_line(r, "phone", "the phone number"),
            title=_one_line(r, "title", "the job title"), signature=_lines(v.text(r.raw("signature"))),
        )
    return staff


def _one_line(r: RowReader, field: str, what: str) -> str:
    """A cell meant for one line; a line break in it is a problem (the text is still used, joined)."""
    value = v.text(r.raw(field))
    if _BREAKS.search(value):
        r.problem(field, f"{what} runs over several lines: keep it on one line "
                         "(the Signature column takes several)")
        value = " ".join(value.split())
    return value


def _lines(value: str) -> str:
    """Multi-line text with its line breaks as \\n and no spaces at the ends of lines."""
    return "\n".join(line.rstrip() for line in _BREAKS.split(value)).strip("\n")
