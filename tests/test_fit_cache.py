"""The BG/NBD fit is kept in the state folder: a sync whose Sales data is unchanged reuses it
(numpy and scipy are not even imported) and the Stats sheet is the same as with a fresh fit;
changed Sales give a new key and a new fit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync.cli import cli
from sheets_sync.stats import bgnbd
from sheets_sync.stats.figures import compute_stats
from sheets_sync.stats.fit_cache import FILE_NAME, FitCache, fit_key
from sheets_sync.stats.sheet import build_stats_sheet
from sheets_sync.sync import load_book

pytest.importorskip("scipy")  # the fit itself needs the [stats] extra

ROOT = Path(__file__).resolve().parents[1]
MON = "2026-11-23"
# Runs the CLI in a fresh interpreter and says, on its last stderr line, whether numpy and
# scipy were imported by the end of the run.
RUN_CLI = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('IMPORTED', 'numpy' in sys.modules, 'scipy' in sys.modules, file=sys.stderr))\n"
    "from sheets_sync.cli import cli\n"
    "cli()\n"
)


def sample(tmp_path: Path) -> Path:
    book = tmp_path / "sample.xlsx"
    result = CliRunner().invoke(cli, ["init", str(book), "--sample", "--today", MON])
    assert result.exit_code == 0, result.output
    return book


def sync_imports(book: Path, today: str = MON) -> tuple[bool, bool]:
    """Sync ``book`` in a fresh process; (numpy imported, scipy imported)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, "sync", str(book), "--today", today, "--outbox", str(book.parent / "out")],
        capture_output=True, text=True, timeout=120, env=env, cwd=book.parent)
    assert done.returncode in (0, 1), done.stderr  # 1: the sample has bad cells on purpose
    last = done.stderr.strip().splitlines()[-1].split()
    assert last[0] == "IMPORTED", done.stderr
    return last[1] == "True", last[2] == "True"


def stored_key(book: Path) -> str:
    return json.loads((book.parent / ".sheets-sync" / book.name / FILE_NAME).read_text())["key"]


def test_an_unchanged_rerun_reuses_the_fit_without_importing_numpy(tmp_path):
    book = sample(tmp_path)
    assert sync_imports(book) == (True, True)  # the first sync fits
    first_key = stored_key(book)
    assert sync_imports(book) == (False, False)  # same Sales, same day: the kept fit
    assert stored_key(book) == first_key


def test_changed_sales_are_fitted_again(tmp_path):
    book = sample(tmp_path)
    sync_imports(book)
    first_key = stored_key(book)
    wb = openpyxl.load_workbook(book)
    sales = wb["Sales"]
    sales.append([dt.datetime(2026, 11, 20), sales.cell(2, 2).value, 250, "Extra cover"])
    wb.save(book)
    assert sync_imports(book) == (True, True)
    assert stored_key(book) != first_key


def test_a_new_day_is_a_new_fit(tmp_path):
    """T (time observed) grows each day, so the data the fit reads is not the same."""
    book = sample(tmp_path)
    sync_imports(book)
    first_key = stored_key(book)
    assert sync_imports(book, "2026-11-24") == (True, True)
    assert stored_key(book) != first_key


def test_the_stats_sheet_is_the_same_with_a_kept_fit_and_a_fresh_one(tmp_path):
    book_path = sample(tmp_path)
    book, _ = load_book(str(book_path))
    today = dt.date(2026, 11, 23)
    fresh = build_stats_sheet(compute_stats(book, today))
    cache = FitCache(tmp_path / "state")
    fitted_and_kept = build_stats_sheet(compute_stats(book, today, fit_cache=cache))
    assert (tmp_path / "state" / FILE_NAME).exists()
    reused = build_stats_sheet(compute_stats(book, today, fit_cache=FitCache(tmp_path / "state")))
    assert fresh.rows == fitted_and_kept.rows == reused.rows
    assert any(row and row[0] == "r" for row in fresh.rows)  # the sheet shows a fitted model
    assert compute_stats(book, today, fit_cache=cache).to_json() == compute_stats(book, today).to_json()


def test_the_kept_fit_is_what_the_sheet_shows(tmp_path):
    """A fit stored under the current key is used as it is (so a reused fit is not refitted)."""
    book_path = sample(tmp_path)
    book, _ = load_book(str(book_path))
    today = dt.date(2026, 11, 23)
    cache = FitCache(tmp_path)
    real = compute_stats(book, today, fit_cache=cache).bgnbd
    assert real is not None
    key = json.loads((tmp_path / FILE_NAME).read_text())["key"]
    cache.put(key, dataclasses.replace(real, r=1.25))
    assert compute_stats(book, today, fit_cache=cache).bgnbd == dataclasses.replace(real, r=1.25)
    cache.put("another key", dataclasses.replace(real, r=1.25))
    assert compute_stats(book, today, fit_cache=cache).bgnbd == real


def test_a_reason_is_kept_and_a_damaged_file_means_a_new_fit(tmp_path):
    data = bgnbd.summarize([(f"C-{i}", dt.date(2026, 1, 1)) for i in range(5)], dt.date(2026, 6, 1))
    cache = FitCache(tmp_path)
    key = fit_key(data, "weeks")
    assert cache.get(key) is None
    cache.put(key, "only 5 customers")
    assert cache.get(key) == "only 5 customers"
    (tmp_path / FILE_NAME).write_text("{not json")
    assert cache.get(key) is None


def test_the_key_follows_every_value_the_fit_reads():
    base = bgnbd.summarize([("A", dt.date(2026, 1, 1)), ("A", dt.date(2026, 3, 1)), ("B", dt.date(2026, 2, 1))],
                           dt.date(2026, 6, 1))
    key = fit_key(base, "weeks")
    assert fit_key(list(base), "weeks") == key
    assert fit_key(base, "months") != key
    assert fit_key([dataclasses.replace(base[0], x=2), base[1]], "weeks") != key
    assert fit_key([dataclasses.replace(base[0], t_x=base[0].t_x + 1e-9), base[1]], "weeks") != key
    assert fit_key([dataclasses.replace(base[0], T=base[0].T + 1e-9), base[1]], "weeks") != key
    assert fit_key(base[:1], "weeks") != key
