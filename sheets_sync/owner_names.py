"""How an owner is shown in the terminal's tables: the Staff sheet's Name, else the address's
local part. An address is an owner's key (it stays whole in --json, the digests and the
sheet); in an 80-column table a full address was folded mid-word ("tom@office.exampl / e")."""

from __future__ import annotations

from collections.abc import Mapping

from sheets_sync.model.rows import Book

NO_OWNER = "(no owner)"


def owner_names(book: Book) -> dict[str, str]:
    """Lower-case owner address -> the Name on the Staff sheet, for the owners that have one."""
    return {address: member.name for address, member in (book.staff or {}).items() if member.name}


def owner_label(owner: str, names: Mapping[str, str]) -> str:
    """The Staff sheet's Name for ``owner``, else the part of the address before the @
    ("tom" for tom@office.example), else the Owner cell as typed; "(no owner)" for a blank."""
    owner = owner.strip()
    if not owner:
        return NO_OWNER
    named = names.get(owner.lower())
    if named:
        return named
    local, at, _ = owner.partition("@")
    return local if at and local else owner
