"""Progress of a sync, phase by phase (reading, planning, sending N emails, writing), for a
person at a terminal.

The library names its phases with ``phase``; nothing is shown unless the command line turned
the display on with ``shown`` (a terminal on stderr, not --json or --quiet). The display is a
rich spinner on stderr that is cleared when the run ends, so the summary reads as before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_live: ContextVar[Any] = ContextVar("sheets_sync_progress", default=None)


def phase(text: str) -> None:
    """The run is now doing ``text`` (shown at once, and only while a display is on)."""
    live = _live.get()
    if live is not None:
        from rich.spinner import Spinner

        live.update(Spinner("dots", text=f"{text}..."), refresh=True)


def wanted(as_json: bool, quiet: bool) -> bool:
    """True for an interactive run: stderr is a terminal, and neither --json nor --quiet."""
    return not (as_json or quiet) and sys.stderr.isatty()


@contextmanager
def shown(on: bool) -> Iterator[None]:
    """Show the phases of the run in the block on stderr when ``on``."""
    if not on:
        yield
        return
    from rich.console import Console
    from rich.live import Live
    from rich.spinner import Spinner

    with Live(Spinner("dots", text="Starting..."), console=Console(stderr=True), transient=True,
              refresh_per_second=8) as live:
        token = _live.set(live)
        try:
            yield
        finally:
            _live.reset(token)
