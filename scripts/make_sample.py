"""Build sample_workbook.xlsx: the Harbor Lane Insurance demo workbook.

    python scripts/make_sample.py [--today YYYY-MM-DD] [--out PATH]

Every date in the sample is relative to an anchor day, so the demo shows the same spread of
due, overdue and not-yet-due work whatever day it is built for. The committed
sample_workbook.xlsx is built for the default anchor, Monday 2026-11-23: run
``sheets-sync sync sample_workbook.xlsx --today 2026-11-23 --dry-run`` to see it as
intended, or rebuild it for today with ``--today`` (``sheets-sync init demo.xlsx --sample``
does the same for today's date). The output file is this script's own: it is overwritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from sheets_sync.backends.excel.create import create_workbook
from sheets_sync.model.sample import sample_sheets
from sheets_sync.model.template import template_sheets

ANCHOR = dt.date(2026, 11, 23)
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "sample_workbook.xlsx"


def main(argv: list[str] | None = None) -> int:
    """Write the sample workbook; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=dt.date.fromisoformat, default=ANCHOR,
                        help=f"the day the sample is built for (default {ANCHOR})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write it (default {DEFAULT_OUT.name})")
    args = parser.parse_args(argv)
    out: Path = args.out
    tmp = out.with_name(f".{out.stem}.building.xlsx")
    tmp.unlink(missing_ok=True)
    create_workbook(tmp, template_sheets(include_sample=sample_sheets(args.today)))
    os.replace(tmp, out)
    print(f"wrote {out} (dated relative to {args.today:%a %Y-%m-%d})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
