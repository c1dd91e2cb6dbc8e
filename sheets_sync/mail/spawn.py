"""A child process with its standard streams piped to us, started by ``os.posix_spawn`` in a
session of its own: what ``subprocess.Popen`` does for the outbox's draft writer
(``mail.file_writer``), without importing subprocess, which a sync has no other use for
(2.5 ms and 0.8 MiB). POSIX only; ``spawn`` returns None where it cannot do the same.
"""

from __future__ import annotations

import os
import signal
from types import TracebackType


class Spawned:
    """A started child: ``stdin``, ``stdout``, ``stderr``, ``kill``, ``wait``, and as a context
    its pipes closed and the child waited for, as Popen's."""

    def __init__(self, pid: int, stdin: int, stdout: int, stderr: int) -> None:
        self.pid = pid
        self.stdin = os.fdopen(stdin, "wb")
        self.stdout = os.fdopen(stdout, "rb")
        self.stderr = os.fdopen(stderr, "rb")
        self.returncode: int | None = None

    def kill(self) -> None:
        """SIGKILL, unless the child was waited for already (its pid may be another's by then)."""
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait(self) -> int:
        """The exit code once the child has ended (minus the signal's number when one ended it)."""
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def __enter__(self) -> Spawned:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for pipe in (self.stdout, self.stderr, self.stdin):
            try:
                pipe.close()
            except OSError:
                pass
        self.wait()


def spawn(argv: list[str]) -> Spawned | None:
    """``argv`` started with its stdin, stdout and stderr piped to us, in a new session; None
    where posix_spawn cannot do that here (then Popen does). Raises OSError when the program
    cannot be started."""
    if not hasattr(os, "posix_spawn") or not hasattr(os, "POSIX_SPAWN_DUP2"):
        return None
    ends: list[int] = []
    pid = 0
    try:
        for _ in range(3):
            ends += os.pipe()
        # a standard stream of ours that was closed gives a pipe its number, and a dup2 onto
        # itself would not pass it on: Popen handles that
        if min(ends) > 2:
            stdin_r, stdin_w, stdout_r, stdout_w, stderr_r, stderr_w = ends
            actions = [(os.POSIX_SPAWN_DUP2, stdin_r, 0), (os.POSIX_SPAWN_DUP2, stdout_w, 1),
                       (os.POSIX_SPAWN_DUP2, stderr_w, 2)]
            try:
                pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions, setsid=True)
            except NotImplementedError:  # no POSIX_SPAWN_SETSID in this C library: Popen
                pid = 0
    finally:
        if not pid:
            for fd in ends:
                os.close(fd)
    if not pid:
        return None
    for fd in (stdin_r, stdout_w, stderr_w):
        os.close(fd)
    return Spawned(pid, stdin_w, stdout_r, stderr_r)
