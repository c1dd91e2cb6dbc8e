"""The tool's memory of the dates it last wrote into its own date columns.

A date in Next Action Date / Next Reminder that differs from what we wrote was typed by a
person, and a person's edit wins. The memory is a small JSON file in the source's state
folder, replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from sheets_sync.rules.plan import Memory

FILE_NAME = "written-dates.json"


def load_memory(state_dir: Path) -> Memory:
    """The memory in ``state_dir``; an empty, unknown one when there is none or it is unreadable."""
    path = state_dir / FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        dates = {k: dt.date.fromisoformat(v) for k, v in raw.get("dates", {}).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return Memory()
    return Memory(dates=dates, known=True)


def save_memory(state_dir: Path, memory: Memory) -> None:
    """Write the memory atomically (temp file, fsync, rename)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    payload = {"dates": {k: v.isoformat() for k, v in sorted(memory.dates.items())}}
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
