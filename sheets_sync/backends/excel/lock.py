"""Is somebody working in the workbook? Excel and LibreOffice leave a lock file beside it.

Excel writes an owner file ``~$name.xlsx`` (for long names it replaces the first two
characters: ``~$ients.xlsx`` for ``clients.xlsx``) holding the user's name; LibreOffice
writes ``.~lock.name.xlsx#`` holding ``name,host,...``. While one exists we do not write.
"""

from __future__ import annotations

import time
from pathlib import Path

from sheets_sync.errors import WorkbookLocked

LOCKED = ("{name} is open in {app}{who}; close it there (or wait until they do) and run again, "
          "or pass --wait SECONDS to retry")
POLL_SECONDS = 0.5


def lock_holder(path: Path) -> str | None:
    """A sentence part naming who has ``path`` open ("Excel (by Maria)"), or None."""
    folder = path.parent
    name = path.name
    for candidate in dict.fromkeys((f"~${name}", f"~${name[2:]}")):
        owner = folder / candidate
        if owner.is_file():
            return _described("Excel", _excel_user(owner))
    office = folder / f".~lock.{name}#"
    if office.is_file():
        return _described("LibreOffice", _libreoffice_user(office))
    return None


def _described(app: str, user: str) -> str:
    return f"{app} (by {user})" if user else app


def _excel_user(owner: Path) -> str:
    try:
        raw = owner.read_bytes()[:165]
    except OSError:
        return ""
    if not raw:
        return ""
    length = raw[0]
    name = raw[1:1 + length].decode("latin-1", "replace").strip("\x00 ")
    return name if name.isprintable() else ""


def _libreoffice_user(lock: Path) -> str:
    try:
        text = lock.read_text("utf-8", "replace")
    except OSError:
        return ""
    user = text.split(",", 1)[0].strip()
    return user if user.isprintable() else ""


def ensure_unlocked(path: Path, wait: float = 0) -> None:
    """Return when nobody has ``path`` open; raise WorkbookLocked naming the app and user
    when somebody still has after ``wait`` seconds."""
    deadline = time.monotonic() + max(wait, 0)
    while True:
        holder = lock_holder(path)
        if holder is None:
            return
        if time.monotonic() >= deadline:
            app, _, who = holder.partition(" ")
            raise WorkbookLocked(LOCKED.format(name=path.name, app=app, who=f" {who}" if who else ""),
                                 source=str(path))
        time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.01)))
