"""Writing many small files (the outbox's drafts) in a child process.

Creating a file is mostly kernel time, and each file is four system calls (open, write,
close, rename). A helper *thread* has to take the GIL back after every one of them, which
beside a busy main thread makes it slow and the main thread slower; a child Python process,
fed the files through a pipe in big blocks, runs beside the main thread without either
waiting on the other. Where no child Python can be started or none answers (a frozen app or
an embedding host in ``sys.executable``), the files are written here. Nothing counts as
written until the child has said how many files it wrote.
"""

from __future__ import annotations

import errno
import itertools
import os
import sys
import threading
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from sheets_sync.mail.spawn import Spawned, spawn

if TYPE_CHECKING:
    import subprocess

    Child = subprocess.Popen[bytes] | Spawned

BLOCK = 1 << 20  # bytes handed to the child per write
READY_WITHIN = 20.0  # seconds a child gets to say it runs; past that the files are written here

# The child says "ready" first: an executable that is no Python (a frozen app, an embedding host)
# never does, and the files are written here instead. Each file then comes as: path length, data
# length (4 bytes each, little-endian), path, data; a file whose bytes did not all arrive (the
# parent died) is not written. At the end the child answers "ok N" (N files written), or
# errno NUL strerror NUL file for the one it could not write, in UTF-8 whatever the locale.
CHILD = r"""
import os, sys
out = sys.stdout.buffer
out.write(b"ready\n")
out.flush()
read = sys.stdin.buffer.read
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
written = 0
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
    except OSError as exc:  # a failed write names no file: the file is the one being written
        out.write(b"%d\0%s\0%s" % (exc.errno or 0, (exc.strerror or "").encode("utf-8", "replace"),
                                   os.fsencode(exc.filename or tmp)))
        sys.exit(1)
    written += 1
out.write(b"ok %d" % written)
"""
READY = b"ready\n"


def write_files(files: Iterable[tuple[str, bytes]]) -> None:
    """Write each ``(path, data)``: to ``path + '.tmp'``, then renamed to ``path``, in order.
    Returns when all are written; raises the OSError of the first that could not be (the
    ones after it are not written), or one naming the first file's folder when the child
    stopped without saying it wrote every file."""
    pending = iter(files)
    first = next(pending, None)
    if first is None:
        return
    files = itertools.chain([first], pending)
    child = _start_child()
    if child is None:
        _write_here(files)
        return
    with child:
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        try:
            sent = _feed(child.stdin, files)
        except BaseException:
            child.kill()
            _close_quietly(child.stdin)
            raise
        _close_quietly(child.stdin)
        answer = child.stdout.read().strip()
        last = child.stderr.read().decode("utf-8", "replace").strip().rpartition("\n")[2]
        code = child.wait()
    if code == 0 and sent >= 0 and answer == b"ok %d" % sent:
        return
    number, _, rest = answer.partition(b"\0")
    strerror, _, filename = rest.partition(b"\0")
    if number.isdigit() and int(number):
        raise OSError(int(number), strerror.decode("utf-8", "replace"), os.fsdecode(filename) or None)
    said = f"wrote {answer[3:].decode('ascii', 'replace')} of {sent} files" if answer.startswith(b"ok ") and sent >= 0 \
        else f"stopped (exit code {code}{': ' + last[:200] if last else ''})"
    raise OSError(errno.EIO, f"the process writing the draft files {said}", os.path.dirname(first[0]))


def _start_child() -> Child | None:
    """A child Python that said it is ready, or None (no Python to start, or it did not answer)."""
    if not sys.executable or getattr(sys, "frozen", False):
        return None
    argv = [sys.executable, "-I", "-S", "-c", CHILD]
    child: Child | None
    if sys.platform != "win32":
        try:
            child = spawn(argv)
        except OSError:
            return None
        if child is not None:
            return _ready_or_stopped(child)
    import subprocess  # here: due and check, which import the outbox, never start one

    # In its own process group: a Ctrl-C in the terminal is the parent's to handle (it waits
    # for the files it handed over), and never kills the child mid-start.
    group: dict[str, Any]
    if sys.platform == "win32":
        group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    else:
        group = {"start_new_session": True}
    try:
        child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **group)
    except OSError:
        return None
    return _ready_or_stopped(child)


def _ready_or_stopped(child: Child) -> Child | None:
    if _says_ready(child):
        return child
    with child:  # closes its pipes and waits
        child.kill()
    return None


def _says_ready(child: Child) -> bool:
    assert child.stdout is not None
    late = threading.Event()

    def give_up() -> None:
        late.set()
        child.kill()

    timer = threading.Timer(READY_WITHIN, give_up)
    timer.start()
    try:
        line = child.stdout.readline(len(READY))
    finally:
        timer.cancel()
        timer.join()
    return line == READY and not late.is_set()


def _feed(pipe: IO[bytes], files: Iterable[tuple[str, bytes]]) -> int:
    """Hand the files over; the number sent whole, or -1 when the child stopped reading (its
    answer says why)."""
    block: list[bytes] = []
    held = counted = 0
    for path, data in files:
        name = os.fsencode(path)
        block += [len(name).to_bytes(4, "little") + len(data).to_bytes(4, "little"), name, data]
        held += len(name) + len(data)
        counted += 1
        if held >= BLOCK:
            if not _send(pipe, block):
                return -1
            block, held = [], 0
    if not _send(pipe, block):
        return -1
    return counted


def _send(pipe: IO[bytes], block: list[bytes]) -> bool:
    try:
        if hasattr(os, "writev"):
            _write_all(pipe.fileno(), block)
        else:
            pipe.write(b"".join(block))
            pipe.flush()
    except OSError:  # BrokenPipeError; EINVAL on Windows: the child stopped
        return False
    return True


def _write_all(fd: int, parts: list[bytes]) -> None:
    """``parts`` written to ``fd`` in order by writev: not joined into one more copy of the block."""
    views = [memoryview(part) for part in parts if part]
    first = 0
    while first < len(views):
        done = os.writev(fd, views[first:first + IOV_MAX])
        while first < len(views) and done >= len(views[first]):
            done -= len(views[first])
            first += 1
        if done:  # a write cut short (a signal): the rest of that part goes next
            views[first] = views[first][done:]


def _iov_max() -> int:
    """Buffers one writev takes (POSIX promises 16; Linux and macOS take 1024)."""
    try:
        return max(16, os.sysconf("SC_IOV_MAX"))
    except (AttributeError, ValueError, OSError):
        return 16


IOV_MAX = _iov_max()


def _close_quietly(pipe: IO[bytes]) -> None:
    try:
        pipe.close()
    except OSError:
        pass


def _write_here(files: Iterable[tuple[str, bytes]]) -> None:
    for path, data in files:
        tmp = path + ".tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
        except OSError as exc:  # a failed write names no file: the file is the one being written
            if exc.filename is None:
                exc.filename = tmp
            raise
        os.replace(tmp, path)
