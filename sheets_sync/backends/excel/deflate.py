"""Deflate, inflate and CRC-32 for the package's big parts: ISA-L when it is installed
(python-isal, a dependency), the standard library's zlib otherwise.

Both write and read the same format (raw deflate streams, zip's CRC-32). ISA-L's fastest
level makes files as small as zlib's level 1 several times faster, and inflates faster too
(docs/excel.md has the figures): a big sync deflates and inflates about a gigabyte.
"""

from __future__ import annotations

import zlib
from types import ModuleType
from typing import Any

# Typed as a plain module: isal's stub declares isal_zlib.error an instance (error: Exception),
# where it is the exception class ERRORS needs.
_isal: ModuleType | None
try:
    from isal import isal_zlib as _isal
except ImportError:  # a platform without its wheels: zlib does the same, slower
    _isal = None

_impl: Any = _isal or zlib
FAST_LEVEL = 1  # ISA-L 1 and zlib 1: the fastest level that still compresses XML ~10x
ERRORS: tuple[type[Exception], ...] = (zlib.error,) + ((_isal.error,) if _isal else ())


def name() -> str:
    """Which implementation is in use ('isal' or 'zlib')."""
    return "zlib" if _impl is zlib else "isal"


def use(implementation: str) -> None:
    """Switch implementation ('isal' or 'zlib'); for tests and benchmarks."""
    global _impl
    if implementation == "isal" and _isal is None:
        raise ValueError("python-isal is not installed")
    _impl = _isal if implementation == "isal" else zlib


def compressor() -> Any:
    """A raw deflate compressor (``compress``, ``flush``) at the fast level."""
    return _impl.compressobj(FAST_LEVEL, zlib.DEFLATED, -15)


def deflated(data: bytes) -> bytes:
    """``data`` as one raw deflate stream, for a part kept in memory: ISA-L's best level (3),
    4x faster than zlib's 6 and a tenth larger on sheet XML; zlib's 6 without ISA-L. Over
    4 MiB, the fast level (as the spilled parts)."""
    level = FAST_LEVEL if len(data) > (4 << 20) else 3 if _impl is not zlib else 6
    engine = _impl.compressobj(level, zlib.DEFLATED, -15)
    return engine.compress(data) + engine.flush()


def decompressor() -> Any:
    """A raw deflate decompressor (``decompress(data, max_length)``, ``unconsumed_tail``, ``eof``)."""
    return _impl.decompressobj(-15)


def crc32(data: bytes | memoryview, value: int = 0) -> int:
    """zip's CRC-32 of ``data``, continuing from ``value``."""
    return _impl.crc32(data, value)
