"""The file runs.json in the state folder: the last successful run, and the runs that could
not write the workbook, kept until a run that can puts them into the Sync Log."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sheets_sync.health.synclog import KEEP, RunRow

FILE_NAME = "runs.json"


@dataclass
class RunRecord:
    """What the state folder knows about earlier runs."""

    last_success: dt.date | None = None
    pending: list[RunRow] = field(default_factory=list)  # failed runs not yet in the Sync Log


def load_runs(state_dir: Path) -> RunRecord:
    """The record in ``state_dir``; an empty one when there is no file or it is unreadable."""
    try:
        raw = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))
        last = raw.get("last_success")
        return RunRecord(dt.date.fromisoformat(last) if last else None,
                         [RunRow.from_json(r) for r in raw.get("pending", [])])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return RunRecord()


def save_runs(state_dir: Path, record: RunRecord) -> None:
    """Write the record atomically (temp file, fsync, rename); at most ``KEEP`` pending runs."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    payload = {"last_success": record.last_success.isoformat() if record.last_success else None,
               "pending": [r.to_json() for r in record.pending[-KEEP:]]}
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
