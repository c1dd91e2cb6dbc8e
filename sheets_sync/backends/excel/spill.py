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
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

from sheets_sync.backends.excel import deflate

# Smaller parts stay in memory. A 1,000-client book's Clients and Tasks (400-600 KB) are
# spilled: held as bytes until the package is checked, they were a MiB of its peak.
SPILL_FROM = 256 << 10
EXACT_UP_TO = 1 << 20  # a part this small was kept in memory and compared byte for byte: it still is
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
        lost, changes it; a SHA-256 found nothing more and cost a second of a big run).
        A part under ``EXACT_UP_TO`` is also compared byte for byte (through a Checksummed
        made with it), as when such parts were kept in memory."""
        counted = stream if isinstance(stream, Checksummed) else Checksummed(stream, self)
        while counted.read(BLOCK):
            pass
        return counted.size == self.size and counted.crc == self.crc and counted.same

    def inflating(self) -> Inflating:
        """The bytes, inflated from the file as they are asked for."""
        return Inflating(self.raw_blocks())

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()


class Checksummed:
    """A stream that keeps the size and CRC-32 of what is read through it and, made with a
    SpilledPart under ``EXACT_UP_TO`` (``expected``), whether it is that part's bytes (``same``)."""

    def __init__(self, stream: IO[bytes], expected: SpilledPart | None = None) -> None:
        self._stream = stream
        self.size = self.crc = 0
        self.same = True
        self._expected = expected.inflating() if expected is not None and expected.size < EXACT_UP_TO else None

    def read(self, n: int = -1) -> bytes:
        """Read as from the stream, counting (and comparing)."""
        data = self._stream.read(n)
        self.crc = deflate.crc32(data, self.crc)
        self.size += len(data)
        if self._expected is not None and data and not self._expected.continues_with(data):
            self.same, self._expected = False, None
        return data


class Inflating:
    """Deflated ``raw`` blocks, inflated a piece at a time as they are compared."""

    PIECE = 16 << 10  # inflated at a time: the comparison adds little to the write's peak

    def __init__(self, raw: Iterator[bytes]) -> None:
        self._raw = raw
        # zlib's, not ISA-L's: its state is half the size, and these parts are small
        self._engine = zlib.decompressobj(-15)
        self._tail = b""

    def continues_with(self, data: bytes) -> bool:
        """True when the next ``len(data)`` bytes are ``data`` (consumed either way)."""
        view = memoryview(data)
        at = 0
        while at < len(view):
            # the engine may hold output of input it has taken already: asked first, fed after
            piece = self._engine.decompress(self._tail, min(self.PIECE, len(view) - at))
            self._tail = self._engine.unconsumed_tail
            if not piece:
                more = next(self._raw, b"")
                if not more:
                    return False
                self._tail += more
                continue
            if view[at:at + len(piece)] != piece:
                return False
            at += len(piece)
        return True


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
