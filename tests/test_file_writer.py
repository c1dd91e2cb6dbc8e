"""mail.file_writer writes the outbox's drafts in a child process: the same files, byte for
byte, as writing them here, and the same OSError for one that cannot be written."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sheets_sync.mail.file_writer import BLOCK, IOV_MAX, write_files


def test_each_file_is_written_whole_and_renamed_into_place(tmp_path):
    files = [(str(tmp_path / f"d{i}.eml"), bytes(range(256)) * i + b"\r\n\n\x00") for i in range(50)]
    files.append((str(tmp_path / "big.eml"), b"x" * (3 * BLOCK + 7)))
    files.append((str(tmp_path / "caf\u00e9 \u00fc.eml"), b"name outside ASCII"))
    write_files(iter(files))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {path.rsplit("/", 1)[1]: data for path, data in files}


def test_a_file_that_cannot_be_written_raises_its_oserror_and_stops_there(tmp_path):
    (tmp_path / "b.eml.tmp").mkdir()
    files = [(str(tmp_path / name), name.encode()) for name in ("a.eml", "b.eml", "c.eml")]
    with pytest.raises(OSError) as raised:
        write_files(files)
    assert raised.value.errno == errno.EISDIR and raised.value.filename == str(tmp_path / "b.eml.tmp")
    assert isinstance(raised.value, IsADirectoryError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.eml", "b.eml.tmp"]


INTERRUPTED = """
import os, signal, sys, time
from sheets_sync.mail.file_writer import write_files
signal.signal(signal.SIGINT, lambda *_: None)  # this process survives Ctrl-C; a handler is not inherited

def files():
    time.sleep(0.5)  # the child is running and waiting for its first file
    os.killpg(os.getpgid(0), signal.SIGINT)  # Ctrl-C in the terminal reaches the whole group
    time.sleep(0.2)
    for i in range(3):
        yield os.path.join(sys.argv[1], f"{i}.eml"), b"x"

write_files(files())
"""


# Ctrl-C is sent to the run's process group with killpg: Windows has no process groups of that kind
# (there the child is started with CREATE_NEW_PROCESS_GROUP, which these tests cannot signal)
needs_process_groups = pytest.mark.skipif(not hasattr(os, "killpg"), reason="Ctrl-C is sent with os.killpg (POSIX)")


def in_own_session(script: str, folder) -> subprocess.CompletedProcess[bytes]:
    """``script`` run by a new Python in a session of its own, so its Ctrl-C reaches only it."""
    return subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True,
                          start_new_session=True, timeout=60)


@needs_process_groups
def test_ctrl_c_leaves_the_child_writing_what_the_run_hands_it(tmp_path):
    done = in_own_session(INTERRUPTED, tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.eml", "1.eml", "2.eml"]


def _script(folder, name: str, body: str) -> str:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


posix_only = pytest.mark.skipif(os.name != "posix", reason="stands a #!/bin/sh script in for sys.executable (POSIX)")


@posix_only
@pytest.mark.parametrize("fake", ["true", "app"])
def test_an_executable_that_is_no_python_leaves_the_files_written_here(tmp_path, monkeypatch, fake):
    # a frozen build whose sys.executable is the app itself, or an embedding host: no child answers
    exe = "/bin/true" if fake == "true" else _script(tmp_path, "app", "echo \"Error: No such option '-I'\" >&2\nexit 2\n")
    monkeypatch.setattr(sys, "executable", exe)
    out = tmp_path / "out"
    out.mkdir()
    files = [(str(out / f"{i}.eml"), b"x" * i) for i in range(3)]
    write_files(iter(files))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {f"{i}.eml": b"x" * i for i in range(3)}


@posix_only
def test_a_child_that_does_not_confirm_every_file_is_an_oserror(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", _script(tmp_path, "liar", "echo ready\ncat >/dev/null\necho 'ok 1'\n"))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OSError) as raised:
        write_files([(str(out / f"{i}.eml"), b"x") for i in range(3)])
    assert raised.value.errno == errno.EIO and raised.value.filename == str(out)
    assert "1 of 3" in raised.value.strerror


@posix_only
def test_no_files_start_no_child(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", _script(tmp_path, "py", f"touch {tmp_path}/started\n"))
    write_files(iter([]))
    assert not (tmp_path / "started").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="a full disk is simulated by /dev/full (Linux, BSDs)")
@pytest.mark.parametrize("where", ["child", "here"])
def test_a_full_disk_names_the_file(tmp_path, monkeypatch, where):
    if where == "here":
        monkeypatch.setattr(sys, "executable", "")
    (tmp_path / "a.eml.tmp").symlink_to("/dev/full")  # every write to it: ENOSPC, an error without a filename
    with pytest.raises(OSError) as raised:
        write_files(iter([(str(tmp_path / "a.eml"), b"x" * 100)]))
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(tmp_path / "a.eml.tmp")


EVERY_STEP = """
import os, signal, sys
from sheets_sync.mail.file_writer import write_files
signal.signal(signal.SIGINT, lambda *_: None)  # this process survives Ctrl-C; a handler is not inherited

def files():
    for i in range(3):
        os.killpg(os.getpgid(0), signal.SIGINT)  # the first one as the child starts
        yield os.path.join(sys.argv[1], f"{i}.eml"), b"x"

write_files(files())
"""


@needs_process_groups
def test_ctrl_c_as_the_child_starts_does_not_reach_it(tmp_path):
    done = in_own_session(EVERY_STEP, tmp_path)
    assert (done.returncode, done.stderr) == (0, b"")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.eml", "1.eml", "2.eml"]


@posix_only
def test_a_child_that_dies_says_so_with_its_last_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", _script(tmp_path, "dies", "echo ready\necho 'a traceback\nMemoryError' >&2\nexit 1\n"))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OSError) as raised:
        write_files([(str(out / "a.eml"), b"x" * (4 * BLOCK))])
    assert (raised.value.errno, raised.value.filename) == (errno.EIO, str(out))
    assert raised.value.strerror == "the process writing the draft files stopped (exit code 1: MemoryError)"


@pytest.mark.skipif(not hasattr(os, "writev") or not hasattr(signal, "setitimer"), reason="os.writev and signal.setitimer are POSIX only (Windows sends each block joined, in one write)")
def test_a_block_of_more_buffers_than_one_writev_takes_arrives_whole_even_when_signals_cut_writes_short(tmp_path):
    # tiny files and empty ones: more buffers than IOV_MAX in one block; a timer signal every
    # millisecond while the child reads can cut a writev short
    files = [(str(tmp_path / f"d{i}.eml"), os.urandom(i % 7) * (i % 3)) for i in range(IOV_MAX + 500)]
    files += [(str(tmp_path / "big.eml"), os.urandom(BLOCK // 2))]
    old = signal.signal(signal.SIGALRM, lambda *_: None)
    signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
    try:
        write_files(files)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert all(Path(path).read_bytes() == data for path, data in files)


@pytest.mark.skipif(not hasattr(os, "posix_spawn"), reason="without os.posix_spawn (Windows) the child is started by subprocess")
def test_the_child_is_started_without_importing_subprocess(tmp_path):
    # in a fresh interpreter: subprocess costs a sync 2.5 ms and 0.8 MiB it has no other use for
    probe = ("import sys\n"
             "from sheets_sync.mail.file_writer import write_files\n"
             "write_files([(sys.argv[1] + f'/{i}.eml', b'x' * i) for i in range(5)])\n"
             "print('subprocess' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.stdout.split() == ["False"], done.stderr[-2000:]
    assert [(tmp_path / f"{i}.eml").read_bytes() for i in range(5)] == [b"x" * i for i in range(5)]
