"""Standard output that a reader may stop reading: `sheets-sync due book.xlsx | head`.

Once the reader is gone, a write fails with EPIPE (Python ignores SIGPIPE). That is no failure
of the run: the rest of the output is dropped, the command finishes as it would have, and
exits with its own code, instead of stopping halfway with "unexpected failure".
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO


class PipeSafe:
    """A text stream that forwards to ``stream`` until the reader goes away, then drops."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        """Write ``text``, or drop it once the reader has gone."""
        if not self.gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._leave()
        return len(text)

    def flush(self) -> None:
        """Flush, or nothing once the reader has gone."""
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._leave()

    def _leave(self) -> None:
        self.gone = True
        # Python flushes the real stdout again at exit: point its descriptor at devnull so
        # that last flush has somewhere to go ("Exception ignored ... BrokenPipeError").
        try:
            target = self._stream.fileno()
        except (OSError, ValueError, AttributeError):  # no real descriptor (a test's buffer)
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, target)
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def pipe_safe_stdout() -> Iterator[None]:
    """Within the block, ``sys.stdout`` drops what a gone reader can no longer read."""
    before = sys.stdout
    sys.stdout = PipeSafe(before)
    try:
        yield
    finally:
        sys.stdout = before
