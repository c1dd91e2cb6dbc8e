"""Run health, the same on both backends through the command line: the Sync Log sheet (one
row per run, newest first; a failed run's row added by the next run that can write), missed
business days (--json, the Sync Log, the first line of every digest), and the log file."""

from __future__ import annotations

import datetime as dt
import email
import json
import shutil
from email import policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fake_sheets_api import FakeSheetsAPI

from sheets_sync import init as init_lib
from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.cli import cli
from sheets_sync.config import Config
from sheets_sync.health.synclog import HEADERS, KEEP, RunRow, build_sync_log, last_success
from sheets_sync.workbook import SheetData

MON, THU, FRI, NEXT_MON, NEXT_WED = (dt.date(2026, 11, 30), dt.date(2026, 12, 3), dt.date(2026, 12, 4),
                                     dt.date(2026, 12, 7), dt.date(2026, 12, 9))


class Source:
    """One sample workbook on one backend, with a way to make its write fail."""

    def __init__(self, kind: str, tmp_path: Path, api: FakeSheetsAPI | None) -> None:
        self.kind, self.api, self.outbox = kind, api, tmp_path / "out"
        if kind == "excel":
            self.path = init_lib.create(tmp_path / "clients.xlsx", sample=True, today=MON)
            self.source = str(self.path)
            self.backend: Any = ExcelBackend(self.path)
        else:
            self.key = init_lib.create_google("Clients", config=Config(), sample=True, today=MON)
            self.source = f"gsheet:{self.key}"
            self.backend = GoogleBackend(self.key)

    def sync(self, day: dt.date) -> tuple[int, dict[str, Any], str]:
        result = CliRunner().invoke(cli, ["sync", self.source, "--today", day.isoformat(), "--json",
                                          "--outbox", str(self.outbox)])
        return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}, result.stderr

    def log(self) -> list[dict[str, Any]]:
        sheet = self.backend.read().sheet("Sync Log")
        assert sheet is not None and [str(h) for h in sheet.rows[0][:len(HEADERS)]] == list(HEADERS)
        return [dict(zip(HEADERS, row, strict=False)) for row in sheet.rows[1:] if any(v not in (None, "") for v in row)]

    def refuse_writes(self) -> None:
        if self.kind == "excel":  # Maria has it open in Excel
            (self.path.parent / "~$clients.xlsx").write_bytes(bytes([5]) + b"Maria" + bytes(60))
        else:
            assert self.api is not None
            self.api.fail(403, times=-1, kind="valuesBatchUpdate")

    def allow_writes(self) -> None:
        if self.kind == "excel":
            (self.path.parent / "~$clients.xlsx").unlink()
        else:
            assert self.api is not None
            self.api._failures.clear()


@pytest.fixture(params=["excel", "google"])
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Source:
    api = request.getfixturevalue("api") if request.param == "google" else None
    return Source(request.param, tmp_path, api)


def first_lines(outbox: Path, day: dt.date) -> dict[str, str]:
    """The first line of each digest of ``day``, plain text and HTML, by owner."""
    out = {}
    for path in sorted(outbox.glob(f"digest_*_{day.isoformat()}.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        assert text is not None and html is not None
        out[path.name] = text.get_content().splitlines()[0]
        if out[path.name].startswith("No run"):
            assert "<body><p><strong>" + out[path.name] + "</strong></p>" in html.get_content()
    return out


def test_every_run_is_logged_newest_first_and_missed_days_are_told(source: Source) -> None:
    code, report, err = source.sync(MON)
    assert code in (0, 1), err
    assert report["missed_business_days"] == []
    rows = source.log()
    assert len(rows) == 1
    first = rows[0]
    assert first["Day"] == "2026-11-30" and first["Result"] == ("OK with problems" if report["problems"] else "OK")
    assert int(first["Emails sent"]) == report["emails_sent"]
    assert int(first["Emails skipped"]) == report["emails_skipped"] and int(first["Emails failed"]) == 0
    assert int(first["Problems"]) == len(report["problems"])
    assert first["Version"] and first["Computer"] and first["Missed business days"] in (None, "")
    started = dt.datetime.fromisoformat(first["Started"])
    assert started <= dt.datetime.fromisoformat(first["Finished"])

    assert source.sync(MON)[0] in (0, 1)  # a rerun that sends and changes nothing adds no row
    assert len(source.log()) == 1

    code, report, err = source.sync(THU)  # nobody ran it on Tuesday or Wednesday
    assert code in (0, 1), err
    assert report["missed_business_days"] == ["2026-12-01", "2026-12-02"]
    rows = source.log()
    assert [r["Day"] for r in rows] == ["2026-12-03", "2026-11-30"]
    assert rows[0]["Missed business days"] == "2026-12-01, 2026-12-02"
    lines = first_lines(source.outbox, THU)
    assert lines and set(lines.values()) == {
        "No run on Tue 1 Dec and Wed 2 Dec; one catch-up message per client was sent today."}
    assert first_lines(source.outbox, MON) and not any("No run" in v for v in first_lines(source.outbox, MON).values())

    log_file = source.backend.state_dir() / "sheets-sync.log"
    lines_logged = log_file.read_text(encoding="utf-8").splitlines()
    assert len(lines_logged) == 3 and "missed 2026-12-01, 2026-12-02" in lines_logged[-1]


def test_a_run_that_could_not_write_is_logged_by_the_next_one(source: Source) -> None:
    assert source.sync(MON)[0] in (0, 1)
    source.refuse_writes()
    code, _, err = source.sync(FRI)
    assert code == 3, err
    assert len(source.log()) == 1  # the workbook could not take the row
    source.allow_writes()

    code, report, err = source.sync(NEXT_MON)
    assert code in (0, 1), err
    rows = source.log()
    assert [r["Day"] for r in rows] == ["2026-12-07", "2026-12-04", "2026-11-30"]
    failed = rows[1]["Result"]
    assert failed.startswith("Failed: ") and "\n" not in failed
    assert ("open in Excel (by Maria)" if source.kind == "excel" else "cannot open this spreadsheet") in failed
    # Friday's run failed: no successful run since Thursday... Monday the 30th here.
    assert report["missed_business_days"] == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    log_file = (source.backend.state_dir() / "sheets-sync.log").read_text(encoding="utf-8")
    assert " ERROR day 2026-12-04: Failed: " in log_file

    # A new state folder (another computer): the last success is read from the Sync Log.
    shutil.rmtree(source.backend.state_dir())
    code, report, err = source.sync(NEXT_WED)
    assert code in (0, 1), err
    assert report["missed_business_days"] == ["2026-12-08"]


def test_the_sheet_keeps_the_last_runs_newest_first() -> None:
    start = dt.datetime(2026, 1, 1, 7, 30)
    old = [RunRow(start + dt.timedelta(days=i), start + dt.timedelta(days=i, seconds=9),
                  (start + dt.timedelta(days=i)).date(), "OK") for i in range(KEEP + 20)]
    sheet = build_sync_log(None, old[:KEEP - 1][::-1])
    assert len(sheet.rows) == KEEP  # header + 499
    grown = build_sync_log(SheetData("Sync Log", sheet.rows), old[KEEP - 1:][::-1])
    assert len(grown.rows) == KEEP + 1
    days = [row[HEADERS.index("Day")] for row in grown.rows[1:]]
    assert days == sorted(days, reverse=True) and days[0] == old[-1].day.isoformat()
    assert grown.rows[1][HEADERS.index("Seconds")] == 9.0
    assert last_success(SheetData("Sync Log", grown.rows)) == old[-1].day
    failed = build_sync_log(SheetData("Sync Log", grown.rows),
                            [RunRow(start + dt.timedelta(days=900), start + dt.timedelta(days=900), dt.date(2028, 6, 1),
                                    "Failed: the server is down")])
    assert last_success(SheetData("Sync Log", failed.rows)) == old[-1].day


def test_the_later_of_the_state_folder_and_the_sheet_counts(tmp_path: Path) -> None:
    from sheets_sync.health.run import RunHealth
    from sheets_sync.health.runs import RunRecord, save_runs
    from sheets_sync.workbook import WorkbookData

    save_runs(tmp_path, RunRecord(last_success=dt.date(2026, 11, 23)))  # this computer's last run
    when = dt.datetime(2026, 12, 2, 7, 30)
    other = build_sync_log(None, [RunRow(when, when, dt.date(2026, 12, 2), "OK")])  # another computer's, later
    health = RunHealth(tmp_path, dt.date(2026, 12, 4))
    health.see(WorkbookData({"Sync Log": SheetData("Sync Log", other.rows)}), ())
    assert health.missed == [dt.date(2026, 12, 3)]


def test_the_summary_says_which_mornings_were_missed(tmp_path: Path) -> None:
    path = init_lib.create(tmp_path / "clients.xlsx", sample=True, today=MON)
    for day in (MON, THU):
        result = CliRunner().invoke(cli, ["sync", str(path), "--today", day.isoformat(), "--outbox", str(tmp_path / "o")])
        assert result.exit_code in (0, 1), result.output
    text = " ".join(result.stdout.split())
    assert ("Note: no successful run on Tue 1 Dec and Wed 2 Dec (the Sync Log sheet and sheets-sync.log say why); "
            "what was due then is sent now.") in text
