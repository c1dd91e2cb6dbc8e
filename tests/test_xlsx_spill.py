"""A spilled sheet: deflated into a temporary file while it is patched, copied into the
package as it is, and read back exactly."""

from __future__ import annotations

import zipfile
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.backends.excel import spill as xlsx_spill
from sheets_sync.backends.excel.package import Package, write_package
from sheets_sync.backends.excel.spill import Checksummed, SpilledPart

pieces = st.lists(st.binary(max_size=3000) | st.text(max_size=500).map(str.encode), max_size=40)


@settings(max_examples=60, deadline=None)
@given(parts=pieces)
def test_the_bytes_read_back_are_the_pieces(parts):
    whole = b"".join(parts)
    spilled = SpilledPart(iter(parts))
    try:
        assert spilled.read() == whole
        assert spilled.size == len(whole) and spilled.crc == zlib.crc32(whole)
        assert zlib.decompress(b"".join(spilled.raw_blocks()), -15) == whole
    finally:
        spilled.close()


@settings(max_examples=60, deadline=None)
@given(parts=pieces.filter(lambda p: sum(map(len, p)) > 0), at=st.integers(0, 10**6), flip=st.integers(1, 255))
def test_matches_only_the_same_bytes(parts, at, flip):
    import io

    whole = b"".join(parts)
    spilled = SpilledPart(iter(parts))
    try:
        assert spilled.matches(io.BytesIO(whole))
        damaged = bytearray(whole)
        damaged[at % len(whole)] ^= flip
        assert not spilled.matches(io.BytesIO(bytes(damaged)))
        assert not spilled.matches(io.BytesIO(whole[:-1]))
        assert not spilled.matches(io.BytesIO(whole + b" "))
        partly = Checksummed(io.BytesIO(whole))  # read partly by someone else first, as the read-back does
        assert partly.read(at % len(whole)) == whole[:at % len(whole)]
        assert spilled.matches(partly)
    finally:
        spilled.close()


def test_a_spilled_part_becomes_a_sound_zip_member(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_spill, "BLOCK", 1000)  # many blocks, each deflated in turn
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("keep.xml", b"<keep/>")
        z.writestr("sheet.xml", b"old")
    data = b"".join(b'<row r="%d"><c><v>%d</v></c></row>' % (i, i * i) for i in range(20000))
    spilled = SpilledPart([data[:7], memoryview(data)[7:]], tmp_path)
    with Package(tmp_path / "a.zip") as pkg:
        write_package(tmp_path / "a.zip", pkg, {"sheet.xml": spilled})
    spilled.close()
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert z.testzip() is None
        assert z.read("sheet.xml") == data and z.read("keep.xml") == b"<keep/>"
