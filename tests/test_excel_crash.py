"""Crash safety: a write killed at any moment leaves the old file or the new one, never a
damaged one; a write that does not read back is never swapped in; backups rotate."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import struct
import time
import zipfile
from pathlib import Path

import pytest
from xlsx_fixtures import simple

from sheets_sync.backends.excel import append as xlsx_append
from sheets_sync.backends.excel import spill as xlsx_spill
from sheets_sync.backends.excel import verify as xlsx_verify
from sheets_sync.backends.excel import write as xlsx_write
from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.backends.excel.package import BACKUPS_KEPT, backups_dir
from sheets_sync.errors import SourceError
from sheets_sync.workbook import RowUpdate, TableRef, WriteBatch


def _batch(backend: ExcelBackend) -> WriteBatch:
    """5 tool-like columns on every client, 200 Touches rows: a write that takes a while."""
    data = backend.read()
    ref = TableRef("Clients", 1, "Client ID")
    batch = WriteBatch(tables={"Clients": ref, "Touches": TableRef("Touches", 1, None)},
                       new_columns={"Clients": ["Touches", "Last Touch"]})
    for row in data.sheet("Clients").rows[1:]:
        batch.updates.append(RowUpdate(ref, row[0], 0, {"Touches": 3, "Last Touch": dt.date(2026, 11, 23)}))
    batch.appends["Touches"] = [{"Date": dt.date(2026, 11, 23), "Client ID": "C-1", "Ref": f"r{i}"} for i in range(200)]
    return batch


def _restore(path: Path, content: bytes, stat: os.stat_result) -> None:
    path.write_bytes(content)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same fingerprint as when read


def _write_in_child(backend: ExcelBackend, batch: WriteBatch) -> int:
    """Fork (the modules and the read are already in memory) and write in the child."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            backend.write(batch)
            code = 0
        finally:
            os._exit(code)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_killed_write_leaves_the_old_or_the_new_file(tmp_path):
    path = simple(tmp_path / "w.xlsx", n=3000, touches=3000)
    old, stat = path.read_bytes(), path.stat()
    backend = ExcelBackend(path)
    batch = _batch(backend)
    durations = []
    for _ in range(2):  # the slower of two whole writes: a busy machine's speed varies
        _restore(path, old, stat)
        started = time.monotonic()
        pid = _write_in_child(backend, batch)
        assert os.waitpid(pid, 0)[1] == 0
        durations.append(time.monotonic() - started)
    duration = max(durations)
    new = path.read_bytes()
    assert new != old
    rng = random.Random(6)
    outcomes = {"old": 0, "new": 0}
    deadline = time.monotonic() + 60  # bounded: 50 trials or a minute
    for _trial in range(50):
        if time.monotonic() > deadline:
            break
        _restore(path, old, stat)
        pid = _write_in_child(backend, batch)
        time.sleep(rng.uniform(0, duration * 1.4))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        now = path.read_bytes()
        assert now in (old, new), "the workbook is neither the old nor the new version"
        outcomes["old" if now == old else "new"] += 1
        ExcelBackend(path).read()  # and it opens
    assert sum(outcomes.values()) >= 20
    assert outcomes["old"] > 0 and outcomes["new"] > 0  # the kills landed before, during and after


def test_a_write_that_does_not_read_back_is_not_swapped_in(tmp_path):
    path = simple(tmp_path / "w.xlsx")
    before = path.read_bytes()
    with pytest.raises(SourceError) as info:
        xlsx_verify.verify(path, path.name, {"Clients": {(2, 1): "C-not-there"}})
    assert "did not read back" in str(info.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("kept_as", ["bytes", "spilled", "streamed"])
@pytest.mark.parametrize("sheet", ["Clients", "Touches"])
def test_a_written_sheet_damaged_on_disk_is_not_swapped_in(tmp_path, monkeypatch, kept_as, sheet):
    """A byte of a written sheet flipped in the new file before the check (a disk or a
    filesystem error): the check reads it back, refuses it, and the old file stays."""
    if kept_as == "spilled":
        monkeypatch.setattr(xlsx_spill, "SPILL_FROM", 0)
    if kept_as == "streamed":  # appended rows streamed onto a part that is never loaded whole
        for name, value in (("STREAM_FROM", 0), ("HEAD", 2048), ("WINDOW", 4096)):
            monkeypatch.setattr(xlsx_append, name, value)
    path = simple(tmp_path / "w.xlsx", n=300, touches=300)
    before = path.read_bytes()
    backend = ExcelBackend(path)
    batch = _batch(backend)
    part = f"xl/worksheets/sheet{1 if sheet == 'Clients' else 3}.xml"
    real = xlsx_write.write_package
    kinds = []

    def damaging(target, source, changed, *, verify=None, order=None):
        kinds.append(type(changed[part]).__name__)

        def damage_then_verify(tmp: Path) -> None:
            with zipfile.ZipFile(tmp) as z:
                info = z.getinfo(part)
            with open(tmp, "r+b") as fh:
                fh.seek(info.header_offset + 26)
                name_len, extra_len = struct.unpack("<HH", fh.read(4))
                at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
                fh.seek(at)
                byte = fh.read(1)
                fh.seek(at)
                fh.write(bytes([byte[0] ^ 0x55]))
            verify(tmp)

        return real(target, source, changed, verify=damage_then_verify, order=order)

    monkeypatch.setattr(xlsx_write, "write_package", damaging)
    with pytest.raises(SourceError) as info:
        backend.write(batch)
    assert "did not read back" in str(info.value)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".~*.tmp"))
    expected = {"bytes": "bytes", "spilled": "SpilledPart", "streamed": "StreamedPart" if sheet == "Touches" else "bytes"}
    assert kinds == [expected[kept_as]]


def test_backups_keep_the_previous_versions(tmp_path):
    path = simple(tmp_path / "w.xlsx")
    ref = TableRef("Clients", 1, "Client ID")
    versions = [path.read_bytes()]
    for i in range(BACKUPS_KEPT + 2):
        backend = ExcelBackend(path)
        backend.read()
        backend.write(WriteBatch(tables={"Clients": ref}, updates=[RowUpdate(ref, "C-1", 2, {"Notes": f"v{i}"})]))
        versions.append(path.read_bytes())
        os.utime(path, ns=(time.time_ns(), time.time_ns() + i))
    kept = sorted(backups_dir(path).iterdir())
    assert len(kept) == BACKUPS_KEPT
    contents = {p.read_bytes() for p in kept}
    assert versions[-2] in contents and versions[0] not in contents
    assert not list(tmp_path.glob(".~*.tmp"))
