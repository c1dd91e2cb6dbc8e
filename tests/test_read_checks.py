"""read_workbook checks every part before a parser reads it: the worksheets in the same pass
as their extent (on the scanner thread), the other parts first. A damaged or hostile part is
refused with the message ``Package.check_all`` gives, the first one in the package's order."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xlsx_fixtures import simple

from sheets_sync.backends.excel.package import DtdGuard, Package
from sheets_sync.backends.excel.read import read_workbook
from sheets_sync.errors import SourceError


def _book(tmp_path: Path) -> Path:
    return simple(tmp_path / "book.xlsx", n=2000, touches=4000)


def _rezipped(source: Path, target: Path, edits: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            out.writestr(info.filename, edits.get(info.filename, z.read(info.filename)))
    return target


def _damaged(source: Path, target: Path, parts: list[str]) -> Path:
    """``source`` with one byte near the end of each of ``parts``' deflated data flipped."""
    raw = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        for part in parts:
            info = z.getinfo(part)
            name_len = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little")
            extra_len = int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
            raw[info.header_offset + 30 + name_len + extra_len + info.compress_size - 3] ^= 0x5A
    target.write_bytes(bytes(raw))
    return target


def _refusal(path: Path, read: bool) -> str:
    with Package(path) as pkg, pytest.raises(SourceError) as info:
        read_workbook(pkg) if read else pkg.check_all()
    return str(info.value)


def _sheet_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def test_a_damaged_worksheet_is_refused_as_check_all_refuses_it(tmp_path):
    book = _book(tmp_path)
    for part in _sheet_parts(book):
        bad = _damaged(book, tmp_path / "bad.xlsx", [part])
        said = _refusal(bad, read=True)
        assert "damaged" in said and part in said
        assert said == _refusal(bad, read=False)


def test_of_two_damaged_parts_the_first_in_the_package_is_named(tmp_path):
    book = _book(tmp_path)
    sheets = _sheet_parts(book)
    with zipfile.ZipFile(book) as z:
        order = z.namelist()
    biggest = max(sheets, key=lambda p: zipfile.ZipFile(book).getinfo(p).file_size)  # the one scanned first
    for other in ("xl/styles.xml", sheets[-1], sheets[0]):
        if other == biggest:
            continue
        bad = _damaged(book, tmp_path / "bad2.xlsx", [biggest, other])
        first = min((biggest, other), key=order.index)
        said = _refusal(bad, read=True)
        assert first in said, said
        assert said == _refusal(bad, read=False)


def test_a_dtd_after_the_root_of_a_worksheet_is_refused(tmp_path):
    book = _book(tmp_path)
    with zipfile.ZipFile(book) as z:
        for part in _sheet_parts(book):
            xml = z.read(part) + b"<!--" + b"z" * 6000 + b"-->" + b'<!DOCTYPE worksheet [<!ENTITY boom "boom">]>'
            bad = _rezipped(book, tmp_path / "dtd.xlsx", {part: xml})
            said = _refusal(bad, read=True)
            assert "declares a DTD" in said and part in said, said


def test_a_sound_book_reads_the_same_cells_as_before_the_checks_moved(tmp_path):
    book = _book(tmp_path)
    with Package(book) as pkg:
        data, _ = read_workbook(pkg)
    with zipfile.ZipFile(book) as z:
        assert z.testzip() is None
    assert len(data.sheet("Clients").rows) == 2001 and len(data.sheet("Touches").rows) == 4001


PIECES = [b"<", b"!", b"<!", b"DOCTYPE", b"ENTITY", b"<!--", b"-->", b"Thanks!", b"<c r=\"A1\"><v>1</v></c>", b"x" * 200]


# Blocks longer than the 64 bytes the guard also searches across a cut, and few or many "!"s.
@given(st.lists(st.sampled_from(PIECES), max_size=120), st.lists(st.integers(1, 4000), max_size=4))
def test_the_dtd_guard_finds_a_declaration_wherever_the_blocks_are_cut(pieces: list[bytes], cuts: list[int]) -> None:
    data = b"<?xml version=\"1.0\"?><worksheet>" + b"".join(pieces)
    blocks, at = [], 0
    for size in cuts:
        blocks.append(data[at:at + size])
        at += size
    blocks.append(data[at:])
    guard = DtdGuard()
    found = any(guard.found(block) for block in blocks if block)
    assert found is (b"<!DOCTYPE" in data or b"<!ENTITY" in data)
