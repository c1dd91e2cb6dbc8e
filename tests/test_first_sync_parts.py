"""The first sync of bench_excel.build(1000) writes, part for part, what the code wrote when
this fixture was made (docProps/core.xml, which carries the time, and the run's own log sheet
aside): a guard for work on the write's memory (issue 21 round three), which must not change
a byte of the file."""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import cli

DATA = Path(__file__).parent / "data"
VARYING = {"docProps/core.xml", "xl/worksheets/sheet5.xml"}  # the time of the run


def parts_hash(book: Path) -> str:
    with zipfile.ZipFile(book) as z:
        names = sorted(n for n in z.namelist() if n not in VARYING)
        return hashlib.sha256(b"".join(n.encode() + b"\0" + z.read(n) for n in names)).hexdigest()


def test_a_1000_client_first_sync_writes_the_same_parts_as_before(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
    try:
        import bench_excel
    finally:
        sys.path.pop(0)
    monkeypatch.setenv("SHEETS_SYNC_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    book = tmp_path / "book.xlsx"
    bench_excel.build(book, 1000)
    result = CliRunner().invoke(cli, ["sync", str(book), "--today", "2026-11-23", "--outbox", str(tmp_path / "out")])
    assert result.exit_code in (0, 1), result.output
    assert parts_hash(book) == (DATA / "bench1000_first_sync_parts.sha256").read_text().strip()
