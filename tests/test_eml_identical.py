"""The outbox's .eml files are the same bytes, run after run of the code (issue 21 round three:
rendering and MIME building made cheaper must not change a byte). The fixture holds the sample
sync's drafts and a digest of bench_excel.build(1000)'s first sync, both written by the code
before that work; only Date, Message-ID and the MIME boundary (a per-process token) may differ,
so they are normalised."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import cli

DATA = Path(__file__).parent / "data"
TODAY = "2026-11-23"
_TOKEN = re.compile(r"=_ss_[0-9a-f]+")
_ID = re.compile(r"^(Message-ID:\s+)<[0-9a-f]+\.", re.MULTILINE)  # folded when long
_DATE = re.compile(r"^Date: .*$", re.MULTILINE)


def normalised(outbox: Path) -> str:
    """Every .eml in ``outbox``, by name, with the per-run values replaced."""
    parts = []
    for path in sorted(outbox.glob("*.eml")):
        text = path.read_bytes().decode("ascii")
        text = _DATE.sub("Date: DATE", _ID.sub(r"\1<ID.", _TOKEN.sub("=_ss_TOKEN", text)))
        parts.append(f"==> {path.name}\n{text}")
    return "".join(parts)


def sync_outbox(tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHEETS_SYNC_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["sync", str(book), "--today", TODAY, "--outbox", str(tmp_path / "outbox")])
    assert result.exit_code in (0, 1), result.output
    return tmp_path / "outbox"


def test_the_sample_syncs_drafts_are_byte_for_byte_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETS_SYNC_HOME", str(tmp_path / "home"))
    book = tmp_path / "book.xlsx"
    made = CliRunner().invoke(cli, ["init", str(book), "--sample", "--today", TODAY])
    assert made.exit_code == 0, made.output
    got = normalised(sync_outbox(tmp_path, book, monkeypatch))
    assert got.count("==> ") >= 10
    assert got == (DATA / "sample_sync_eml.txt").read_text(encoding="ascii")


def test_a_1000_client_first_sync_writes_the_same_drafts_as_before(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
    try:
        import bench_excel
    finally:
        sys.path.pop(0)
    book = tmp_path / "book.xlsx"
    bench_excel.build(book, 1000)
    got = normalised(sync_outbox(tmp_path, book, monkeypatch))
    assert got.count("==> ") > 300
    expected = (DATA / "bench1000_sync_eml.sha256").read_text().split()
    assert [str(got.count("==> ")), hashlib.sha256(got.encode("ascii")).hexdigest()] == expected
