"""Python's cycle collector paused while a run builds what lives until its end."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block, as it was after it.

    A run builds millions of small objects (cells, rows, touches) that live until its end
    and hold no reference cycles: the collector's passes over them found nothing and cost
    a large share of a big run's time (figures in docs/excel.md). Everything is still freed
    by reference counting as usual.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if not gc.get_freeze_count():  # freeze + unfreeze: what survives joins the oldest generation unscanned
                gc.freeze()
                gc.unfreeze()
            gc.enable()


_registered = False


def frozen_at_exit() -> None:
    """Freeze what is alive when the process ends (``gc.freeze`` at exit), so that the full
    collections Python makes while it shuts down do not walk a run's objects one last time
    (for a small book, a tenth of the run). Python still frees them as it clears its
    modules; only what sits in a reference cycle is left to the operating system. For a
    command line whose process ends with its command; registered once."""
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True
