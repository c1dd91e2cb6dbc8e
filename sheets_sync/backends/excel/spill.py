"""A rewritten big worksheet kept, deflated, in an anonymous temporary file until the
package is written.

A sync rewrites two big sheets (Clients and Tasks) and appends to a third (Touches):
holding them, on top of the rows read into the model, was the largest part of a big run's
peak memory. Each one is written, a piece at a time as it is patched, to a temporary file
beside the workbook (deleted when closed, and by the system if the process dies). A helper thread deflates each block while
the next one is patched (ISA-L and zlib, like the checksums, work without the GIL), so the file
already holds the zip member's compressed bytes and the package writer copies them as
they are.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

from sheets_sync.backends.excel import deflate

# Smaller parts stay in memory. A 1,000-client book's Clients and Tasks (400-600 KB) are
# spilled: held as bytes until the package is checked, they were a MiB of its peak.
SPILL_FROM = 256 << 10
BLOCK = 256 << 10


class SpilledPart:
    """A part's new bytes, deflated in a temporary file; ``raw_blocks`` gives the zip
    member's compressed bytes, ``read`` the bytes themselves."""

    def __init__(self, pieces: Iterable[bytes | memoryview], folder: Path | None = None) -> None:
        """Deflate ``pieces`` (consumed as they come: never all in memory) into the file."""
        self._file = tempfile.TemporaryFile(dir=folder, prefix=".~sheets-sync-")
        self._deflate = deflate.compressor()
        self.size = self.compress_size = self.crc = 0
        try:
            with ThreadPoolExecutor(1) as pool:
                # Started idle: a thread that a submit starts runs its work at once, and this
                # thread then waits a whole switch interval (5 ms) for the GIL.
                pool.submit(int).result()
                pending: Future[None] | None = None
                for block in _blocks(pieces):
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(self._add, block)
                if pending is not None:
                    pending.result()
            self._put(self._deflate.flush())
            self._file.flush()
        except BaseException:
            self._file.close()
            raise

    def _add(self, block: bytes | memoryview) -> None:
        self.crc = deflate.crc32(block, self.crc)
        self.size += len(block)
        self._put(self._deflate.compress(block))

    def _put(self, data: bytes) -> None:
        self._file.write(data)
        self.compress_size += len(data)

    def raw_blocks(self) -> Iterator[bytes]:
        """The deflated bytes (a zip member's data), a block at a time."""
        self._file.seek(0)
        yield from iter(lambda: self._file.read(BLOCK), b"")

    def read(self) -> bytes:
        """All the bytes (for an edit after the spill; the write itself never needs this)."""
        return deflate.decompressor().decompress(b"".join(self.raw_blocks()))

    def matches(self, stream: IO[bytes] | Checksummed) -> bool:
        """True when ``stream`` (the part read back from the new package; a Checksummed
        one may be partly read already) holds these bytes: the same size and CRC-32, the
        checksum zip itself relies on (any damage to the file, a bit flipped or a block
        lost, changes it; a SHA-256 found nothing more and cost a second of a big run)."""
        counted = stream if isinstance(stream, Checksummed) else Checksummed(stream)
        while counted.read(BLOCK):
            pass
        return counted.size == self.size and counted.crc == self.crc

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()


class Checksummed:
    """A stream that keeps the size and CRC-32 of what is read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.size = self.crc = 0

    def read(self, n: int = -1) -> bytes:
        """Read as from the stream, counting."""
        data = self._stream.read(n)
        self.crc = deflate.crc32(data, self.crc)
        self.size += len(data)
        return data


def _blocks(pieces: Iterable[bytes | memoryview]) -> Iterator[bytes | memoryview]:
    """``pieces`` regrouped into blocks of about ``BLOCK`` bytes; a big piece (a stretch of
    the original part, as a view) is passed on in views of it, never joined into a copy."""
    batch: list[bytes | memoryview] = []
    held = 0
    for piece in pieces:
        if len(piece) >= BLOCK:
            if batch:
                yield b"".join(batch)
                batch, held = [], 0
            view = memoryview(piece)
            for at in range(0, len(view), BLOCK):
                yield view[at:at + BLOCK]
            continue
        batch.append(piece)
        held += len(piece)
        if held >= BLOCK:
            yield b"".join(batch)
            batch, held = [], 0
    yield b"".join(batch)


def spilled(size: int) -> bool:
    """True when a part of about ``size`` bytes is written through a SpilledPart."""
    return size >= SPILL_FROM


def spill(pieces: Iterable[bytes | memoryview], size: int, folder: Path | None = None) -> bytes | SpilledPart:
    """The bytes of ``pieces`` when ``size`` (about what they add up to) is small, else a
    SpilledPart holding them."""
    return SpilledPart(pieces, folder) if spilled(size) else b"".join(pieces)
