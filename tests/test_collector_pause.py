"""A run pauses Python's cycle collector (its passes over a big run's objects cost a fifth
of the time and found nothing): that holds only while a run leaves no reference cycles."""

from __future__ import annotations

import datetime as dt
import gc

from xlsx_fixtures import simple

from sheets_sync.sync import collector_paused, run_sync


def test_a_sync_leaves_no_cycles_behind_and_the_collector_as_it_was(tmp_path):
    path = simple(tmp_path / "w.xlsx", n=1500, touches=3000)
    run_sync(str(path), dt.date(2026, 11, 23), outbox=tmp_path / "warm-up", dry_run=True)  # imports made
    assert gc.isenabled()
    gc.collect()
    gc.disable()  # so that nothing collects the run's garbage before we count it
    try:
        report = run_sync(str(path), dt.date(2026, 11, 23), outbox=tmp_path / "outbox")
        sent = report.emails_drafted
        del report
        found = gc.collect()
    finally:
        gc.enable()
    assert sent > 1500  # thousands of emails rendered, written and logged
    # a few parsers' worth (lxml keeps some in cycles); a cycle per email, row or cell
    # would be thousands
    assert found < 1000


def test_the_collector_is_left_off_when_it_was_off():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
