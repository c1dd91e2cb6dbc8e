"""The exactly-once journal and the run lock, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time

import pytest

from sheets_sync.errors import RunLocked, SourceError
from sheets_sync.mail.journal import Journal, reconcile, run_lock
from sheets_sync.mail.message import Message


def msg(key: str, kind: str = "email") -> Message:
    return Message(key=key, to="ann@example.com", subject=f"subject {key}", text="hi", client_id="C-0001",
                   task_id="T-0001" if key.startswith("task") else "", kind=kind, summary=f"summary {key}")  # type: ignore[arg-type]


def test_each_step_is_on_disk_before_the_call_returns(tmp_path):
    journal = Journal(tmp_path)
    journal.begin(msg("task:T-0001:reminder:1"), "<id@x>")
    other = Journal(tmp_path)  # a second connection sees what a crash would leave behind
    assert other.get("task:T-0001:reminder:1").status == "sending"
    journal.finish("task:T-0001:reminder:1", "sent", "accepted")
    assert other.get("task:T-0001:reminder:1").status == "sent"
    assert other.get("task:T-0001:reminder:1").message_id == "<id@x>"
    journal.close()
    other.close()


def test_sends_left_mid_transaction_become_unknown_and_are_reported_once(tmp_path):
    with Journal(tmp_path) as journal:
        journal.begin(msg("task:T-0001:reminder:1"))
        journal.begin(msg("digest:ann@example.com:2026-11-23", kind="digest"))
        journal.begin(msg("client:C-0002:checkin:1"))
        journal.finish("client:C-0002:checkin:1", "sent")
        first = reconcile(journal, refs=set(), by="me")
        assert sorted(p.message.split()[2] for p in first.problems) == [
            "digest:ann@example.com:2026-11-23", "task:T-0001:reminder:1"]
        assert all("not sent again" in p.message and "delete its row from Touches" in p.message for p in first.problems)
        assert {t.ref: t.result for t in first.touches} == {
            "task:T-0001:reminder:1": "unknown: check by hand: the run stopped during the SMTP transaction",
            "client:C-0002:checkin:1": "sent"}
        assert first.settled == {"task:T-0001:reminder:1", "client:C-0002:checkin:1",
                                 "digest:ann@example.com:2026-11-23"}
        journal.mark_written(t.ref for t in first.touches)
        second = reconcile(journal, refs={t.ref for t in first.touches}, by="me")
        assert second.problems == [] and second.touches == []


def test_a_touch_row_comes_back_with_the_day_it_was_sent(tmp_path):
    with Journal(tmp_path) as journal:
        journal.begin(msg("task:T-0001:reminder:1"))
        journal.finish("task:T-0001:reminder:1", "sent")
        journal.begin(msg("task:T-0001:reminder:2"))
        journal.finish("task:T-0001:reminder:2", "failed", "550 no such user")
        journal.begin(msg("task:T-0001:reminder:3"))
        journal.finish("task:T-0001:reminder:3", "deferred", "451")
        [sent, failed] = reconcile(journal, refs=set(), by="sheets-sync").touches
    assert (sent.date, sent.client_id, sent.task_id, sent.channel, sent.direction, sent.by, sent.summary) == (
        dt.date.today(), "C-0001", "T-0001", "Email", "Out", "sheets-sync", "summary task:T-0001:reminder:1")
    assert failed.result == "failed: 550 no such user"


def test_a_person_deleting_the_row_decides_what_happens_next(tmp_path):
    with Journal(tmp_path) as journal:
        for key, status in (("k-unknown", "unknown"), ("k-sent", "sent"), ("k-failed", "failed")):
            journal.begin(msg(key))
            journal.finish(key, status)
        reconcile(journal, refs={"k-unknown", "k-sent", "k-failed"}, by="me")
        # Staff delete all three rows: unknown and failed may go again; sent never does.
        after = reconcile(journal, refs=set(), by="me")
        assert [t.ref for t in after.touches] == ["k-sent"]
        assert after.settled == {"k-sent"}
        assert journal.may_send("k-unknown") and journal.may_send("k-failed")
        assert not journal.may_send("k-sent")


def test_the_daily_count(tmp_path):
    with Journal(tmp_path) as journal:
        for key, status in (("a", "sent"), ("b", "unknown"), ("c", "failed"), ("d", "deferred")):
            journal.begin(msg(key))
            journal.finish(key, status)
        journal.begin(msg("e"))
        assert journal.sent_today() == 3  # sent, unknown and in flight may all have gone out
        assert journal.sent_today(dt.date.today() + dt.timedelta(days=1)) == 0


def test_a_second_run_waits_then_gives_up_with_a_clear_message(tmp_path):
    with run_lock(tmp_path, wait=5):
        started = time.monotonic()
        with pytest.raises(RunLocked, match=r"another sheets-sync run is working on this workbook \(process \d+"):
            with run_lock(tmp_path, wait=0.3):
                pass
        assert 0.25 < time.monotonic() - started < 3
    with run_lock(tmp_path, wait=0):
        pass  # free again


def test_a_second_run_gets_the_lock_when_the_first_finishes_in_time(tmp_path):
    release = threading.Event()
    held = threading.Event()

    def first() -> None:
        with run_lock(tmp_path, wait=1):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(5)
    threading.Timer(0.3, release.set).start()
    with run_lock(tmp_path, wait=5):
        assert release.is_set()
    thread.join()


def test_a_killed_run_leaves_no_stale_lock(tmp_path):
    code = (
        "import sys, time\nfrom pathlib import Path\nfrom sheets_sync.mail.journal import run_lock\n"
        "with run_lock(Path(sys.argv[1]), wait=1):\n    print('locked', flush=True)\n    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(RunLocked):
            with run_lock(tmp_path, wait=0.2):
                pass
        proc.kill()
        proc.wait(5)
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with run_lock(tmp_path, wait=0):
        pass


def test_a_damaged_journal_is_a_clear_error_not_a_fresh_start(tmp_path):
    (tmp_path / "journal.sqlite3").write_bytes(b"this is not a database, it was overwritten" * 100)
    with pytest.raises(SourceError, match="the send journal cannot be opened") as caught:
        Journal(tmp_path)
    assert "\n" not in str(caught.value)


def test_reconcile_reads_the_journal_once_and_finds_what_each_step_read_afresh_found(tmp_path):
    # one journal of every kind of entry, copied: reconcile on one copy, on the other the
    # steps it is made of, each reading the entries again as it did before (issue 21)
    import shutil

    from sheets_sync.mail.drafts import WRITTEN_TO
    from sheets_sync.mail.message import Delivery

    day = dt.date(2026, 11, 24)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "kept.eml").write_text("x")
    first = tmp_path / "a"
    with Journal(first) as journal:
        for key in ("k-sending", "k-sending-in-refs"):
            journal.begin(msg(key))
        for key, status in (("k-sent", "sent"), ("k-failed", "failed"), ("k-unknown", "unknown"),
                            ("k-sent-in-refs", "sent"), ("k-failed-in-refs", "failed"), ("k-deferred", "deferred")):
            journal.begin(msg(key))
            journal.finish(key, status, "detail")
        now = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
        journal.record([(msg(key), Delivery(key, "queued", f"{WRITTEN_TO}{outbox / name}", now))
                        for key, name in (("k-gone", "gone.eml"), ("k-kept", "kept.eml"), ("k-gone-drafted", "g2.eml"),
                                          ("k-kept-drafted", "kept.eml"))], dt.date(2026, 11, 23))
        journal.record([(msg("digest:x", kind="digest"), Delivery("digest:x", "queued", "elsewhere", now))],
                       dt.date(2026, 11, 23))
    second = tmp_path / "b"
    shutil.copytree(first, second)
    refs = {"k-sending-in-refs", "k-sent-in-refs", "k-failed-in-refs", "k-gone-drafted", "k-kept-drafted", "k-kept"}
    drafted = {"k-gone-drafted", "k-kept-drafted"}

    with Journal(first) as journal:
        once = reconcile(journal, refs, "me", day, drafted)
        after_once = [(e.key, e.status, e.day, e.written) for e in journal.entries()]
    with Journal(second) as journal:
        recovered = journal.recover()
        outbox_found = journal.check_drafts(day)
        journal.mark_written(refs - drafted)
        unwritten = journal.unwritten(refs)
        settled = journal.settled_keys()
        after_steps = [(e.key, e.status, e.day, e.written) for e in journal.entries()]

    assert len(once.problems) == len(recovered) == 2
    assert all(e.key in p.message for e, p in zip(recovered, once.problems, strict=True))
    assert once.outbox == outbox_found and outbox_found.found_sent == 2
    assert [t.ref for t in once.touches] == [e.key for e in unwritten] and unwritten
    assert [(t.ref, t.result, t.date) for t in once.touches] == \
        [(e.key, t.result, e.day) for e, t in zip(unwritten, once.touches, strict=True)]
    assert once.settled == settled | {e.key for e in unwritten}
    assert after_once == after_steps
