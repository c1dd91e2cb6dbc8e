"""Package.open: a deflated part read by xlsx_member (ISA-L or zlib), exactly as zipfile
reads it, and every damage zipfile notices noticed too."""

from __future__ import annotations

import struct
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync.backends.excel import deflate
from sheets_sync.backends.excel import member as xlsx_member
from sheets_sync.backends.excel.package import Package
from sheets_sync.errors import SourceError

IMPLEMENTATIONS = ["zlib"] + (["isal"] if deflate._isal is not None else [])


@pytest.fixture(params=IMPLEMENTATIONS)
def implementation(request):
    before = deflate.name()
    deflate.use(request.param)
    yield request.param
    deflate.use(before)


def _zip(path: Path, parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED, level: int | None = None) -> Path:
    with zipfile.ZipFile(path, "w", method, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in parts.items():
            z.writestr(name, data)
    return path


texts = st.binary(max_size=5000) | st.text(max_size=3000).map(lambda t: (t * 50).encode())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=texts, read_size=st.integers(1, 70000), level=st.sampled_from([0, 1, 6, 9]),
       method=st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
def test_a_part_reads_as_zipfile_reads_it(tmp_path_factory, implementation, data, read_size, level, method,
                                          monkeypatch):
    monkeypatch.setattr(xlsx_member, "CHUNK", 97)  # many reads from the file, inflated in small steps
    path = _zip(tmp_path_factory.mktemp("m") / "a.zip", {"x.xml": data, "empty.xml": b""}, method, level)
    with Package(path) as pkg, zipfile.ZipFile(path) as z:
        for name in ("x.xml", "empty.xml"):
            with pkg.open(name) as fh:
                got = b"".join(iter(lambda: fh.read(read_size), b""))
                assert fh.read(read_size) == b""
            assert got == z.read(name)
            with pkg.open(name) as fh:
                assert fh.read() == z.read(name)  # all at once
            assert pkg.read(name, xml=False) == z.read(name)


def _member_data_offset(raw: bytes, name: str) -> int:
    at = raw.index(b"PK\x03\x04")  # the first local header
    while True:
        name_len, extra_len = struct.unpack("<HH", raw[at + 26:at + 30])
        if raw[at + 30:at + 30 + name_len] == name.encode():
            return at + 30 + name_len + extra_len
        at = raw.index(b"PK\x03\x04", at + 4)


def test_a_flipped_byte_is_damage(tmp_path, implementation):
    data = b"".join(b'<row r="%d"><c><v>%d</v></c></row>' % (i, i * 7) for i in range(20000))
    path = _zip(tmp_path / "a.zip", {"x.xml": data})
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        size = z.getinfo("x.xml").compress_size
    for where in (size // 3, size // 2, size - 3):
        damaged = bytearray(raw)
        damaged[_member_data_offset(bytes(raw), "x.xml") + where] ^= 0x5A
        bad = tmp_path / f"bad{where}.zip"
        bad.write_bytes(bytes(damaged))
        with Package(bad) as pkg, pytest.raises(SourceError) as info:
            pkg.read("x.xml")
        assert "damaged" in str(info.value)


def _rewrite_field(path: Path, name: str, local_at: int, central_at: int, value: int) -> None:
    """Rewrite one 4-byte field of ``name``'s entry in its local header (at ``local_at``)
    and in the central directory (at ``central_at``): 18/20 compressed, 22/24 uncompressed size."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    struct.pack_into("<I", raw, info.header_offset + local_at, value)
    central = raw.index(b"PK\x01\x02")
    while True:
        name_len, extra_len, comment_len = struct.unpack("<HHH", raw[central + 28:central + 34])
        if raw[central + 46:central + 46 + name_len] == name.encode():
            struct.pack_into("<I", raw, central + central_at, value)
            break
        central += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(raw))


def _declare_size(path: Path, name: str, size: int) -> None:
    _rewrite_field(path, name, 22, 24, size)


def test_a_part_bigger_than_declared_is_refused_quickly_without_unpacking_it(tmp_path, implementation):
    data = b"<a>" + b" " * (200 << 20) + b"</a>"  # compresses about 1000x: a bomb, declared small
    path = _zip(tmp_path / "a.zip", {"x.xml": data}, level=9)
    _declare_size(path, "x.xml", 5000)
    started = time.monotonic()
    with Package(path) as pkg, pytest.raises(SourceError) as info:
        pkg.check_all()
    assert "x.xml" in str(info.value) and time.monotonic() - started < 5


def test_a_part_smaller_than_declared_is_damage(tmp_path, implementation):
    data = b"".join(b"<r>%d</r>" % i for i in range(100000))
    path = _zip(tmp_path / "a.zip", {"x.xml": data})
    _declare_size(path, "x.xml", len(data) + 10)
    with Package(path) as pkg, pytest.raises(SourceError) as info:
        pkg.check_all()
    assert "x.xml" in str(info.value) and "damaged" in str(info.value)


def test_a_truncated_member_is_damage(tmp_path, implementation):
    data = b"".join(b"<r>%d</r>" % i for i in range(50000))
    path = _zip(tmp_path / "a.zip", {"x.xml": data})
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("x.xml")
    # the member's compressed size says a third less than it has: the stream ends early
    _rewrite_field(path, "x.xml", 18, 20, info.compress_size * 2 // 3)
    with Package(path) as pkg, pytest.raises(SourceError) as info_:
        pkg.read("x.xml")
    assert "damaged" in str(info_.value)


def test_a_workbook_written_and_read_back_with_each_implementation_is_sound(tmp_path, implementation, monkeypatch):
    """The whole write path (spilled and streamed parts, the read-back) with each implementation."""
    from xlsx_fixtures import simple

    from sheets_sync.backends.excel import append as xlsx_append
    from sheets_sync.backends.excel import spill as xlsx_spill
    from sheets_sync.backends.excel.backend import ExcelBackend
    from sheets_sync.workbook import RowUpdate, TableRef, WriteBatch

    monkeypatch.setattr(xlsx_spill, "SPILL_FROM", 0)
    for name, value in (("STREAM_FROM", 0), ("HEAD", 2048), ("WINDOW", 4096)):
        monkeypatch.setattr(xlsx_append, name, value)
    path = simple(tmp_path / "w.xlsx", n=300, touches=300)
    backend = ExcelBackend(path)
    backend.read()
    clients, touches = TableRef("Clients", 1, "Client ID"), TableRef("Touches", 1, None)
    backend.write(WriteBatch(tables={"Clients": clients, "Touches": touches},
                             updates=[RowUpdate(clients, f"C-{i}", i + 1, {"Notes": f"n{i}"}) for i in range(1, 301)],
                             appends={"Touches": [{"Client ID": "C-1", "Summary": "new"}]}))
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    data = ExcelBackend(path).read()
    assert data.sheet("Clients").rows[300][data.sheet("Clients").rows[0].index("Notes")] == "n300"
    assert data.sheet("Touches").rows[-1][1] == "C-1"
