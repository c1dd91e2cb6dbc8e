"""A run pauses Python's cycle collector (its passes over a big run's objects cost a fifth
of the time and found nothing): that holds only while a run leaves no reference cycles."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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


def test_what_a_paused_block_leaves_alive_is_not_scanned_again_at_once():
    # Re-enabled as it was, the collector's next pass would walk every object the block made
    # and kept (millions in a big run: over a second, finding nothing): they join the oldest
    # generation instead, which a full collection still looks at.
    gc.collect()
    with collector_paused():
        kept = [[i] for i in range(50_000)]
    first = kept[0]
    assert not any(o is first for g in (0, 1) for o in gc.get_objects(generation=g))
    assert any(o is first for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0
    kept.append(kept)  # a cycle among them is still found by a full collection
    del kept
    assert gc.collect() >= 1


def test_objects_someone_froze_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            _ = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


COUNT_PROBE = """
import gc, json, os, sys
from sheets_sync.cli import cli
passes = []
CLI = os.path.join("sheets_sync", "cli.py")

def counted(phase, info):
    # only a pass made while the command's own body runs: click's parsing before it is not
    # the command's (whether a pass falls there depends on the paths and the environment)
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in ("sync", "due", "check") and frame.f_code.co_filename.endswith(CLI):
            if phase == "start":
                passes.append(info["generation"])
            return
        frame = frame.f_back

gc.callbacks.append(counted)
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps({"passes": passes, "enabled": gc.isenabled()}))
"""


def each_command(probe: str, tmp_path: Path) -> Iterator[tuple[list[str], subprocess.CompletedProcess[str]]]:
    """``probe`` run in a new interpreter for sync, due and check of a small book."""
    simple(tmp_path / "w.xlsx", n=50, touches=100)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env.update(SHEETS_SYNC_HOME=str(tmp_path / "home"), HOME=str(tmp_path / "home"))
    for args in (["sync", "w.xlsx", "--today", "2026-11-23", "--outbox", "outbox", "--quiet"],
                 ["due", "w.xlsx", "--today", "2026-11-23"], ["check", "w.xlsx"]):
        yield args, subprocess.run([sys.executable, "-c", probe, *args], cwd=tmp_path, env=env,
                                   capture_output=True, text=True, timeout=300, check=False)


def test_sync_due_and_check_pause_it_from_their_imports_on(tmp_path):
    # The commands import most of the package after the command line is parsed: made while
    # collecting, those imports cost a dozen young passes at every start.
    for args, done in each_command(COUNT_PROBE, tmp_path):
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        assert seen == {"passes": [], "enabled": True}, (args, seen, done.stderr[-2000:])


EXIT_PROBE = """
import atexit, gc, os, sys
from sheets_sync.cli import cli
# atexit runs the last registered first: this runs after whatever the command registered
atexit.register(lambda: os.write(1, b"\\nfrozen at exit: %d\\n" % gc.get_freeze_count()))
cli(sys.argv[1:])
"""


def test_the_process_ends_without_walking_the_run_again(tmp_path):
    # Python's last full collections at exit walked every object a run left (a tenth of a
    # small sync): frozen, they are out of their reach.
    for args, done in each_command(EXIT_PROBE, tmp_path):
        last = done.stdout.strip().splitlines()[-1]
        assert last.startswith("frozen at exit: ") and int(last.rpartition(" ")[2]) > 10_000, (args, last, done.stderr)
