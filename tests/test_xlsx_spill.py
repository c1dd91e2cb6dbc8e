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


def _same_crc(data: bytes, changed_at: int) -> bytes:
    """``data`` with the byte at ``changed_at`` changed and its last 4 bytes chosen so that
    the size and CRC-32 stay those of ``data`` (CRC-32 is affine: solved over GF(2))."""
    forged = bytearray(data)
    forged[changed_at] ^= 0x20
    # crc32(P + x) = crc32(P + 0000) ^ L(x), L linear: find x with L(x) = wanted
    wanted = zlib.crc32(data) ^ zlib.crc32(bytes(forged[:-4]) + bytes(4))
    zero = zlib.crc32(bytes(4))
    rows = [(zlib.crc32((1 << bit).to_bytes(4, "little")) ^ zero, 1 << bit) for bit in range(32)]
    pivots: list[tuple[int, int]] = []  # Gaussian elimination: (image, x) with distinct top bits
    for image, x in rows:
        for p_image, p_x in pivots:
            if image ^ p_image < image:
                image, x = image ^ p_image, x ^ p_x
        if image:
            pivots.append((image, x))
            pivots.sort(reverse=True)
    solution = 0
    for p_image, p_x in pivots:
        if wanted ^ p_image < wanted:
            wanted, solution = wanted ^ p_image, solution ^ p_x
    assert wanted == 0
    forged[-4:] = solution.to_bytes(4, "little")
    assert zlib.crc32(forged) == zlib.crc32(data) and bytes(forged) != data
    return bytes(forged)


def test_a_part_that_stayed_in_memory_before_is_still_compared_byte_for_byte():
    """A part under a MiB was kept in memory and compared byte for byte with the new file;
    spilled now, it still is: bytes of the same size and CRC-32 are not taken for it."""
    import io
    import random

    rng = random.Random(1)  # values that compress as a sheet's do, not as a repeated pattern
    data = b"".join(b'<row r="%d"><c t="s"><v>%d</v></c><c><v>%f</v></c></row>'
                    % (i, rng.randrange(10**6), rng.random()) for i in range(9000))
    assert xlsx_spill.SPILL_FROM <= len(data) < xlsx_spill.EXACT_UP_TO
    forged = _same_crc(data, 1000)
    spilled = SpilledPart([data])
    try:
        assert spilled.matches(io.BytesIO(data))
        assert not spilled.matches(io.BytesIO(forged))
        partly = Checksummed(io.BytesIO(forged), spilled)  # partly read first, as the read-back does
        partly.read(5000)
        assert not spilled.matches(partly)
        partly = Checksummed(io.BytesIO(data), spilled)
        partly.read(70000)
        assert spilled.matches(partly)
    finally:
        spilled.close()
