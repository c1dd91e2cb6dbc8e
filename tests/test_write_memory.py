"""The Excel write gives its big buffers back as it frees them (issue 21, the first sync's peak).

glibc moves its mmap threshold up to the size of the first big block a process frees, after
which big blocks come from the heap, whose pages stay counted once freed: a sheet's XML, its
new bytes and the blocks being deflated each added to a small sync's peak. The write fixes
the threshold (heap.map_big_blocks); seen from a real process, a big block freed after a
write goes back to the system at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from xlsx_fixtures import simple

PROBE = """
import json, os, sys
from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.workbook import RowUpdate, TableRef, WriteBatch

def resident():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

big = bytearray(8 << 20)
del big  # glibc's threshold now past 8 MiB, as after a run's first big free
if sys.argv[2] == "write":
    backend = ExcelBackend(sys.argv[1])
    backend.read()
    clients = TableRef("Clients", 1, "Client ID")
    backend.write(WriteBatch(tables={"Clients": clients}, updates=[RowUpdate(clients, "C-1", 2, {"Notes": "x"})]))
blocks = [bytearray(1 << 20) for _ in range(16)]
before = resident()
del blocks[::2]  # holes below the last block: only unmapping gives them back
print(json.dumps({"returned": before - resident()}))
"""


def _returned(book: Path, step: str) -> int:
    result = subprocess.run([sys.executable, "-c", PROBE, str(book), step], capture_output=True, text=True,
                            timeout=120, check=True)
    return int(json.loads(result.stdout.strip().splitlines()[-1])["returned"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_big_blocks_freed_after_a_write_go_back_to_the_system(tmp_path: Path) -> None:
    book = simple(tmp_path / "w.xlsx", n=4)
    assert _returned(book, "none") < 2 << 20  # glibc's own way: kept (the probe is sound)
    assert _returned(book, "write") >= 7 << 20


def test_a_mid_size_sheet_is_not_held_in_memory_until_the_commit(tmp_path: Path) -> None:
    """A sheet of a few hundred KB (a 1,000-client book's Clients) is spilled as it is patched:
    its new bytes, kept until the package is checked, are not part of the write's peak."""
    import tracemalloc
    import zipfile

    from sheets_sync.backends.excel.backend import ExcelBackend
    from sheets_sync.workbook import RowUpdate, TableRef, WriteBatch

    book = simple(tmp_path / "w.xlsx", n=1500)
    with zipfile.ZipFile(book) as z:
        size = z.getinfo("xl/worksheets/sheet1.xml").file_size
    assert 300 << 10 < size < 1 << 20  # the sizes this is about
    backend = ExcelBackend(str(book))
    backend.read()
    clients = TableRef("Clients", 1, "Client ID")
    backend.write(WriteBatch(tables={"Clients": clients}, updates=[RowUpdate(clients, "C-2", 3, {"Notes": "y"})]))
    backend.read()  # the writer's modules imported: what the next write holds is its own
    held: list[int] = []
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        backend.write(WriteBatch(tables={"Clients": clients}, updates=[RowUpdate(clients, "C-1", 2, {"Notes": "x"})]),
                      before_commit=lambda: held.append(tracemalloc.get_traced_memory()[0] - start))
    finally:
        tracemalloc.stop()
    assert held and held[0] < size // 2
