"""The Excel read gives back what calamine freed (issue 21, round two, item 3).

calamine parses each sheet in malloc'd memory and frees it when the read is over, but glibc
keeps those pages, and the rest of the run (model, plan, write) stacked on them: at 10,000
clients about 20 MiB more for due and check. The read now ends with one malloc_trim. Seen
from a real process: right after ``backend.read()``, a further malloc_trim finds next to
nothing left to return (before: 20 MiB).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "scripts" / "bench_excel.py"

PROBE = """
import ctypes, json, os, sys
from sheets_sync.backends import open_source
from sheets_sync.config import Config

def resident():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

data = open_source(sys.argv[1], config=Config()).read()
before = resident()
ctypes.CDLL("libc.so.6").malloc_trim(0)
print(json.dumps({"rows": sum(len(s.rows) for s in data.sheets.values()), "returned": before - resident()}))
"""


ONE_HEAP = """
import ctypes, sys
from sheets_sync.backends import open_source
from sheets_sync.config import Config

open_source(sys.argv[1], config=Config()).read()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
report = libc.fopen(sys.argv[2].encode(), b"w")
libc.malloc_info(0, report)
libc.fclose(report)
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("xlsxwriter")
    spec = importlib.util.spec_from_file_location("bench_excel", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path_factory.mktemp("read_memory") / "clients.xlsx"
    bench.build(path, 10_000)
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_nothing_freed_is_left_held_after_the_read(book: Path) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, str(book)], capture_output=True, text=True,
                            timeout=300, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["rows"] > 50_000, seen  # the read really read the book
    assert seen["returned"] < 4 * 2**20, f"{seen['returned'] / 2**20:.1f} MiB freed by the read was still held"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_info")
def test_the_reads_helper_threads_allocate_from_the_one_heap(book: Path, tmp_path: Path) -> None:
    # A thread with an arena of its own keeps what it freed there, for the rest of the run
    # (heap.one_arena); the read starts the first helper threads of a run.
    report = tmp_path / "malloc_info.xml"
    subprocess.run([sys.executable, "-c", ONE_HEAP, str(book), str(report)], timeout=300, check=True)
    assert report.read_text().count("<heap nr=") == 1
