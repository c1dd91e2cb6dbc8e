"""mail.file_writer writes the outbox's drafts in a child process: the same files, byte for
byte, as writing them here, and the same OSError for one that cannot be written."""

from __future__ import annotations

import errno

import pytest

from sheets_sync.mail.file_writer import BLOCK, write_files


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
