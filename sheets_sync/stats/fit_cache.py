"""The last BG/NBD fit of a workbook, kept in its state folder so a sync need not refit.

Fitting needs numpy and scipy, whose import alone costs a small book's sync most of its
time. The fit is a pure function of the customers' summaries (x, t_x, T) and the time unit,
so a fit is reused exactly when a hash of those is the one it was made from: a changed Sales
sheet or a new day (T grows) gives a new key and a new fit. The parameters are stored with
every digit (JSON floats round-trip exactly), so a reused fit gives the same figures as a
fresh one. A fit that failed for a reason in the data (too few customers, no repeat buying)
is kept with its reason; a missing numpy/scipy is not, so installing them takes effect.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from sheets_sync.stats.bgnbd import RFM, BGNBDFit

FILE_NAME = "bgnbd-fit.json"
# Bump when bgnbd.fit changes in a way that gives other parameters for the same data.
FIT_VERSION = 1


def fit_key(data: Sequence[RFM], time_unit: str) -> str:
    """A hash of exactly what ``bgnbd.fit`` reads: each customer's (x, t_x, T), and the unit."""
    digest = hashlib.sha256(f"bgnbd {FIT_VERSION} {time_unit} {len(data)}\n".encode())
    digest.update("\n".join(f"{c.x} {c.t_x!r} {c.T!r}" for c in data).encode())
    return digest.hexdigest()


class FitCache:
    """One workbook's last fit (or the reason it could not be fitted), by key."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME

    def get(self, key: str) -> BGNBDFit | str | None:
        """The fit (or the failure reason) stored under ``key``; None when there is none."""
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("key") != key:
                return None
            if "reason" in stored:
                return str(stored["reason"])
            return BGNBDFit(**stored["fit"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # missing, damaged or from another version: fit again

    def put(self, key: str, result: BGNBDFit | str) -> None:
        """Keep ``result`` under ``key`` (replacing the previous one). A folder that cannot be
        written only means the next run fits again."""
        entry: dict[str, object] = {"key": key}
        if isinstance(result, str):
            entry["reason"] = result
        else:
            entry["fit"] = asdict(result)
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(entry), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
