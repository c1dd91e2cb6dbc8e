"""A rewritten big worksheet kept in an anonymous temporary file until the package is written.

A sync rewrites two big sheets (Clients and Tasks): holding both, on top of the rows read
into the model, was the largest part of a big run's peak memory. Each one is written, a
piece at a time as it is patched, to a temporary file beside the workbook (deleted when
closed, and by the system if the process dies) and streamed into the new package from
there.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

SPILL_FROM = 4 << 20  # smaller parts stay in memory
BLOCK = 1 << 20


class SpilledPart:
    """A part's new bytes in a temporary file; ``write_to`` streams them into the package."""

    def __init__(self, pieces: Iterable[bytes | memoryview], folder: Path | None = None) -> None:
        """Write ``pieces`` (consumed as they come: never all in memory) to the file."""
        self._file = tempfile.TemporaryFile(dir=folder, prefix=".~sheets-sync-")
        digest, size = hashlib.sha256(), 0
        batch: list[bytes | memoryview] = []
        held = 0
        for piece in pieces:
            batch.append(piece)
            held += len(piece)
            if held >= BLOCK:
                size += self._put(b"".join(batch), digest)
                batch, held = [], 0
        size += self._put(b"".join(batch), digest)
        self._file.flush()
        self.size = size
        self.sha256 = digest.hexdigest()

    def _put(self, block: bytes, digest: Any) -> int:
        self._file.write(block)
        digest.update(block)
        return len(block)

    def blocks(self) -> Iterator[bytes]:
        """The bytes, a block at a time."""
        self._file.seek(0)
        yield from iter(lambda: self._file.read(BLOCK), b"")

    def stream(self) -> IO[bytes]:
        """The bytes as a file, from the start (one reader at a time)."""
        self._file.seek(0)
        return self._file

    def read(self) -> bytes:
        """All the bytes (for an edit after the spill; the write itself never needs this)."""
        return b"".join(self.blocks())

    def write_to(self, dest: IO[bytes]) -> None:
        """Write the part into ``dest`` (a zip member being written)."""
        for block in self.blocks():
            dest.write(block)

    def matches(self, stream: IO[bytes]) -> bool:
        """True when ``stream`` (the part read back from the new package) holds these bytes."""
        digest, size = hashlib.sha256(), 0
        for block in iter(lambda: stream.read(BLOCK), b""):
            digest.update(block)
            size += len(block)
        return size == self.size and digest.hexdigest() == self.sha256

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()


def spill(pieces: Iterable[bytes | memoryview], size: int, folder: Path | None = None) -> bytes | SpilledPart:
    """The bytes of ``pieces`` when ``size`` (about what they add up to) is small, else a
    SpilledPart holding them."""
    return SpilledPart(pieces, folder) if size >= SPILL_FROM else b"".join(pieces)
