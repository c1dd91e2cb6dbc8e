"""Python's cycle collector paused while a run builds what lives until its end."""

from __future__ import annotations

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
