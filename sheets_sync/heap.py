"""Giving the memory a finished phase freed back to the system (glibc's malloc_trim).

calamine (Rust) parses a sheet in memory it allocates with malloc; when the read is done it
frees it, but glibc keeps the pages, and Python's own small-object arenas are new mappings
that never reuse them. So the rest of a run (model, plan, write) stacks on top of a read
that is over: at 10,000 clients about 20 MiB. One malloc_trim(0) after the read returns
them (0.3 ms). A no-op where the C library has no malloc_trim (macOS, Windows, musl).

The helper threads (the read's scanner, the outbox's draft writer) would each get a malloc
arena of their own, whose freed memory the main thread never reuses; ``one_arena`` keeps
every thread on the one heap.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
M_ARENA_MAX = -8
MAPPED_FROM = 128 << 10  # glibc's default threshold, before it moves


def _libc(name: str, *argtypes: type) -> Callable[..., int] | None:
    """glibc's function ``name`` taking ``argtypes`` and returning an int, or None off Linux
    or where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    function.argtypes = list(argtypes)
    function.restype = ctypes.c_int
    return function


@functools.cache
def _malloc_trim() -> Callable[..., int] | None:
    return _libc("malloc_trim", ctypes.c_size_t)


@functools.cache
def one_arena() -> bool:
    """Have every thread allocate from the main heap (glibc's M_ARENA_MAX = 1) from now on;
    True when the C library could. A helper thread otherwise gets an arena of its own, and
    memory freed there is not reused by the main thread. Set before the first helper starts."""
    mallopt = _libc("mallopt", ctypes.c_int, ctypes.c_int)
    return mallopt is not None and bool(mallopt(M_ARENA_MAX, 1))


@functools.cache
def map_big_blocks() -> bool:
    """Have every block of ``MAPPED_FROM`` bytes or more mapped on its own and unmapped when
    freed (glibc's M_MMAP_THRESHOLD, fixed); True when the C library could. glibc otherwise
    raises the threshold to the size of the first such block freed, and the write's big
    buffers (a sheet's XML, its new bytes, the blocks being deflated) then come from the
    heap, whose pages stay counted after they are freed: each buffer added to the peak."""
    mallopt = _libc("mallopt", ctypes.c_int, ctypes.c_int)
    return mallopt is not None and bool(mallopt(M_MMAP_THRESHOLD, MAPPED_FROM))


def give_back_freed_memory() -> bool:
    """Return the heap's free pages to the system; True when the C library could."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
