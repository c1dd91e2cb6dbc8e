"""A run whose write-back fails after it sent: the next runs plan from the send journal.

The write fails for real reasons: the workbook is open in Excel (its owner file beside it)
for three mornings, or the Sheets API refuses every values write. Each day's run still sends
what is due and journals it; nothing is sent twice, and the first run that can write brings
the sheet to exactly where a run that never failed would have left it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from fake_sheets_api import FakeSheetsAPI
from workbooks import read_rows

from sheets_sync import init as init_lib
from sheets_sync.cli import cli
from sheets_sync.config import Config
from sheets_sync.errors import RemoteError
from sheets_sync.sync import run_sync

DAYS = [dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 25), dt.date(2026, 11, 26)]
SHEETS = ("Clients", "Tasks", "Touches")


def sync(path: Path, day: dt.date) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", day.isoformat(), "--json"])
    return result.exit_code, result.stdout, result.stderr


def outbox_files(path: Path) -> dict[str, bytes]:
    folder = path.parent / "outbox" / path.stem
    return {p.name: p.read_bytes() for p in folder.glob("*.eml")} if folder.is_dir() else {}


def test_three_days_of_failed_writes_send_nothing_twice_and_the_sheet_catches_up(tmp_path: Path) -> None:
    (tmp_path / "calm").mkdir()
    (tmp_path / "locked").mkdir()
    calm = init_lib.create(tmp_path / "calm" / "clients.xlsx", sample=True, today=DAYS[0])
    locked = tmp_path / "locked" / "clients.xlsx"
    shutil.copyfile(calm, locked)
    owner_file = locked.parent / "~$clients.xlsx"  # Maria left it open in Excel
    owner_file.write_bytes(bytes([5]) + b"Maria" + bytes(60))

    for day in DAYS:
        code, _, _ = sync(calm, day)
        assert code in (0, 1)

    seen: dict[str, bytes] = {}
    untouched = {sheet: read_rows(locked, sheet) for sheet in SHEETS}
    for day in DAYS[:3]:
        code, out, err = sync(locked, day)
        assert code == 3, (out, err)
        assert "open in Excel (by Maria)" in err and "none of them will be sent again" in err
        files = outbox_files(locked)
        for name, data in seen.items():  # every email queued on an earlier day stays as it was
            assert files[name] == data, f"{name} was queued again on {day}"
        seen = files
        assert {sheet: read_rows(locked, sheet) for sheet in SHEETS} == untouched

    owner_file.unlink()  # Maria closed the workbook
    code, out, _ = sync(locked, DAYS[3])
    assert code in (0, 1)
    report = json.loads(out)
    assert "the write-back of 2026-11-25 failed" in report["sheet_behind"]
    assert "open in Excel" in report["sheet_behind"]
    assert set(outbox_files(locked)) == set(outbox_files(calm))
    for sheet in SHEETS:
        assert read_rows(locked, sheet) == read_rows(calm, sheet), sheet

    code, out, _ = sync(locked, DAYS[3])  # caught up: a rerun has nothing to say or send
    report = json.loads(out)
    assert report["sheet_behind"] == "" and report["emails_drafted"] == 0 and report["rows_appended"] == 0


def test_google_values_writes_refused_for_three_days_then_the_sheet_catches_up(
        api: FakeSheetsAPI, tmp_path: Path) -> None:
    calm = init_lib.create_google("Calm", config=Config(), sample=True, today=DAYS[0])
    busy = init_lib.create_google("Busy", config=Config(), sample=True, today=DAYS[0])
    for day in DAYS:
        run_sync(f"gsheet:{calm}", day, config=Config(), outbox=tmp_path / "calm")

    delivered: dict[str, int] = {}
    api.fail(500, times=-1, kind="valuesBatchUpdate")
    for day in DAYS[:3]:
        try:
            run_sync(f"gsheet:{busy}", day, config=Config(), outbox=tmp_path / "busy", time_limit=1, first_delay=0.01)
        except RemoteError as exc:
            assert "none of them will be sent again" in str(exc)
        else:
            raise AssertionError("the write should have failed")
        for eml in (tmp_path / "busy").glob("*.eml"):
            delivered.setdefault(eml.name, eml.stat().st_mtime_ns)
            assert eml.stat().st_mtime_ns == delivered[eml.name], f"{eml.name} was queued again on {day}"
    api._failures.clear()

    report = run_sync(f"gsheet:{busy}", DAYS[3], config=Config(), outbox=tmp_path / "busy")
    assert "the write-back of 2026-11-25 failed" in report.behind
    assert {p.name for p in (tmp_path / "busy").glob("*.eml")} == {p.name for p in (tmp_path / "calm").glob("*.eml")}
    for sheet in SHEETS:
        assert api.values(busy, sheet) == api.values(calm, sheet), sheet


def test_the_human_report_says_the_sheet_was_behind_and_why(tmp_path: Path) -> None:
    path = init_lib.create(tmp_path / "clients.xlsx", sample=True, today=DAYS[0])
    owner_file = tmp_path / "~$clients.xlsx"
    owner_file.write_bytes(bytes([3]) + b"Ann" + bytes(60))
    assert CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-23"]).exit_code == 3
    owner_file.unlink()
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", "2026-11-24"])
    assert result.exit_code in (0, 1)
    assert "Note: the sheet was behind: the write-back of 2026-11-23 failed (clients.xlsx is open in Excel (by Ann)" \
        in " ".join(result.stdout.split())


def test_an_update_the_write_had_to_leave_out_is_a_problem_at_its_place(api: FakeSheetsAPI, tmp_path: Path) -> None:
    key = init_lib.create_google("Busy", config=Config(), sample=True, today=DAYS[0])
    row = next(i for i, r in enumerate(api.values(key, "Clients"), start=1) if r and r[0] == "C-0002")
    # Between the sync's fresh read of the keys and its write, someone deletes C-0002's row.
    api.before("batchGet", lambda fake: fake.delete_rows(key, "Clients", row), nth=2)
    report = run_sync(f"gsheet:{key}", DAYS[0], config=Config(), outbox=tmp_path / "out")
    assert any("C-0002" in d for d in report.write.dropped), report.write.dropped
    left_out = [p for p in report.problems if "C-0002 is no longer in the sheet" in p.message]
    assert left_out and all(p.sheet == "Clients" and p.cell == "" for p in left_out), report.problems
