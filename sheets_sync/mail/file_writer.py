"""Writing many small files (the outbox's drafts) in a child process.

Creating a file is mostly kernel time, and each file is four system calls (open, write,
close, rename). A helper *thread* has to take the GIL back after every one of them, which
beside a busy main thread makes it slow and the main thread slower; a child Python process,
fed the files through a pipe in big blocks, runs beside the main thread without either
waiting on the other. Where no child Python can be started (a frozen executable), the files
are written here.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

BLOCK = 1 << 20  # bytes handed to the child per write

# Each file comes as: path length, data length (4 bytes each, little-endian), path, data.
# A file whose bytes did not all arrive (the parent died) is not written.
CHILD = r"""
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it waits for what it sent
read = sys.stdin.buffer.read
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
while True:
    head = read(8)
    if len(head) < 8:
        break
    n, m = int.from_bytes(head[:4], "little"), int.from_bytes(head[4:], "little")
    body = read(n + m)
    if len(body) < n + m:
        break
    path = os.fsdecode(body[:n])
    tmp = path + ".tmp"
    try:
        fd = os.open(tmp, flags, 0o666)
        try:
            view = memoryview(body)[n:]
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        sys.stdout.write(f"{exc.errno}\0{exc.strerror}\0{exc.filename}")
        sys.exit(1)
"""


def write_files(files: Iterable[tuple[str, bytes]]) -> None:
    """Write each ``(path, data)``: to ``path + '.tmp'``, then renamed to ``path``, in order.
    Returns when all are written; raises the OSError of the first that could not be (the
    ones after it are not written)."""
    child = _start_child()
    if child is None:
        _write_here(files)
        return
    with child:
        assert child.stdin is not None and child.stdout is not None
        try:
            _feed(child.stdin, files)
            child.stdin.close()
        except BrokenPipeError:  # the child stopped at a file it could not write: its answer says which
            _close_quietly(child.stdin)
        except BaseException:
            child.kill()
            _close_quietly(child.stdin)
            raise
        answer = child.stdout.read().decode("utf-8", "replace")
        code = child.wait()
    if code == 0:
        return
    number, _, rest = answer.partition("\0")
    strerror, _, filename = rest.partition("\0")
    if number.isdigit():
        raise OSError(int(number), strerror, filename)
    raise OSError(errno.EIO, f"the process writing the files stopped (exit code {code})")


def _start_child() -> subprocess.Popen[bytes] | None:
    if not sys.executable or getattr(sys, "frozen", False):
        return None
    import subprocess  # here: due and check, which import the outbox, never start one

    try:
        return subprocess.Popen([sys.executable, "-I", "-S", "-c", CHILD], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)
    except OSError:
        return None


def _feed(pipe: IO[bytes], files: Iterable[tuple[str, bytes]]) -> None:
    block: list[bytes] = []
    held = 0
    for path, data in files:
        name = os.fsencode(path)
        block += [len(name).to_bytes(4, "little") + len(data).to_bytes(4, "little"), name, data]
        held += len(name) + len(data)
        if held >= BLOCK:
            pipe.write(b"".join(block))
            block, held = [], 0
    pipe.write(b"".join(block))


def _close_quietly(pipe: IO[bytes]) -> None:
    try:
        pipe.close()
    except OSError:
        pass


def _write_here(files: Iterable[tuple[str, bytes]]) -> None:
    for path, data in files:
        tmp = path + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
