"""The file written-dates.json: the dates the tool last wrote into its own date columns.

A date in Next Action Date / Next Reminder that differs from what we wrote was typed by a
person, and a person's edit wins. The file is small JSON in the source's state folder,
replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from sheets_sync.rules.plan import WrittenDates

FILE_NAME = "written-dates.json"


def load_written_dates(state_dir: Path) -> WrittenDates:
    """The dates in ``state_dir``; an empty, unknown record when there is no file or it is unreadable."""
    path = state_dir / FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        dates = {k: dt.date.fromisoformat(v) for k, v in raw.get("dates", {}).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return WrittenDates()
    return WrittenDates(dates=dates, known=True)


def save_written_dates(state_dir: Path, written: WrittenDates) -> None:
    """Write the dates atomically (temp file, fsync, rename)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    iso = {day: day.isoformat() for day in set(written.dates.values())}  # 100,000 dates, a few hundred days
    payload = {"dates": {k: iso[v] for k, v in sorted(written.dates.items())}}
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(payload))  # the same text as json.dump, by the C encoder (dump's is Python)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
