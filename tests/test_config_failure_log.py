"""A scheduled sync that stops on a bad config file (exit 2) leaves a trace: its line goes to
sheets-sync.log in the user config folder, as any failure before the run has a state folder
does. No alarm can be raised (the alarms are in the file that failed), and the line says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from sheets_sync import init as init_lib
from sheets_sync.cli import cli

MON = dt.date(2026, 11, 30)


def test_a_bad_config_file_is_logged_in_the_user_folder(tmp_path: Path, isolated_env: Path) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    book = init_lib.create(folder / "clients.xlsx", sample=True, today=MON)
    (folder / "sheets-sync.toml").write_text('[smtp]\nhots = "mail.example"\n', encoding="utf-8")  # a typo
    for _ in range(2):
        result = CliRunner().invoke(cli, ["sync", str(book), "--today", "2026-12-01", "--quiet"])
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.startswith("Error: ") and "hots" in result.stderr
    logged = (isolated_env / "sheets-sync.log").read_text(encoding="utf-8").splitlines()
    assert len(logged) == 2
    for line in logged:
        assert f" ERROR {book}: Failed: " in line and "hots" in line and "did you mean host" in line
        assert line.endswith("(no alarm raised: the alarms are set in the config file that failed)")
    assert not (folder / ".sheets-sync").exists()  # it stopped before the workbook was read


def test_a_good_config_file_logs_nothing_there(tmp_path: Path, isolated_env: Path) -> None:
    book = init_lib.create(tmp_path / "clients.xlsx", sample=True, today=MON)
    result = CliRunner().invoke(cli, ["sync", str(book), "--today", "2026-12-01", "--quiet",
                                      "--outbox", str(tmp_path / "out")])
    assert result.exit_code in (0, 1), result.stderr
    assert not (isolated_env / "sheets-sync.log").exists()  # the run's line is in its state folder
