"""One part of the package read as a stream, inflated by ``deflate`` (ISA-L when installed).

zipfile inflates with zlib; a big sync inflates about a gigabyte of worksheet XML, so its
deflated parts are read here instead: the compressed bytes straight from the file, inflated
a block at a time, never more than asked for (a lying size cannot make a block grow), and
checked at the end as zipfile checks them: the declared size and CRC-32, else BadZipFile.
"""

from __future__ import annotations

import threading
import zipfile
from typing import IO

from sheets_sync.backends.excel import deflate

CHUNK = 1 << 18  # compressed bytes read from the file at a time


class Member:
    """A deflated zip member as a readable stream (``read(n)``, a context manager)."""

    def __init__(self, fh: IO[bytes], lock: threading.RLock, info: zipfile.ZipInfo) -> None:
        self._fh, self._lock, self._info = fh, lock, info
        with lock:
            fh.seek(info.header_offset)
            header = fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
        self._pos = info.header_offset + 30 + name_len + extra_len
        self._left = info.compress_size  # compressed bytes not read from the file yet
        self._input = b""  # read, not inflated yet
        self._inflate = deflate.decompressor()
        self._crc = self._size = 0
        self._eof = False

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all the rest when ``n`` < 0); fewer only at the end."""
        # One byte more than declared may come out: that is how a longer stream shows.
        room = self._info.file_size + 1 - self._size
        want = room if n is None or n < 0 else min(n, room)
        out: list[bytes] = []
        got = 0
        while got < want and not self._eof:
            if not self._input and self._left:
                size = min(self._left, CHUNK)
                with self._lock:
                    self._fh.seek(self._pos)
                    self._input = self._fh.read(size)
                if len(self._input) != size:
                    raise zipfile.BadZipFile(f"{self._info.filename} is truncated")
                self._pos += size
                self._left -= size
            chunk = self._inflate.decompress(self._input, want - got)
            self._input = self._inflate.unconsumed_tail
            out.append(chunk)
            got += len(chunk)
            self._eof = self._inflate.eof
            if not chunk and not self._input and not self._left and not self._eof:
                raise zipfile.BadZipFile(f"{self._info.filename} is truncated")
        data = b"".join(out)
        self._crc = deflate.crc32(data, self._crc)
        self._size += len(data)
        if self._size > self._info.file_size:
            raise zipfile.BadZipFile(f"{self._info.filename} is larger than its declared size")
        if self._eof and (self._size != self._info.file_size or self._crc != self._info.CRC):
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {self._info.filename!r}")
        return data

    def close(self) -> None:
        """Nothing to release (the package owns the file)."""

    def __enter__(self) -> Member:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
