"""The keys the tool writes (Touches Refs, step keys, date keys): one constructor per kind,
one parser, and texts that never change (they are in users' sheets)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.rules import refs
from sheets_sync.rules.refs import Ref, parse_ref

D = dt.date
ids = st.text(min_size=1, max_size=12)
numbers = st.integers(0, 10**12)


def test_keys_are_the_texts_in_users_sheets():
    assert refs.task_reminder("T-0004", 2) == "task:T-0004:reminder:2"
    assert refs.task_final("T-0004") == "task:T-0004:final"
    assert refs.task_escalate("T-0004") == "escalate:T-0004"
    assert refs.prospect_touch("C-0012", 3) == "prospect:C-0012:touch:3"
    assert refs.prospect_replied("C-0012") == "replied:C-0012"
    assert refs.prospect_decide("C-0012") == "decide:C-0012"
    assert refs.satisfaction_check("C-0012") == "satisfaction:C-0012"
    assert refs.referral_request("C-0012") == "referral:C-0012"
    assert refs.checkin("C-0012", D(2026, 10, 1)) == "checkin:C-0012:2026-10-01"
    assert refs.digest("maria@harborlane.example", D(2026, 11, 23)) == "digest:maria@harborlane.example:2026-11-23"
    assert refs.client_date("C-0012") == "client:C-0012"
    assert refs.task_date("T-0004") == "task:T-0004"


@given(ids, numbers)
def test_task_reminder_round_trip(tid, n):
    assert parse_ref(refs.task_reminder(tid, n)) == Ref("task-reminder", task_id=tid, number=n)


@given(ids)
def test_task_final_and_escalate_round_trip(tid):
    assert parse_ref(refs.task_final(tid)) == Ref("task-final", task_id=tid)
    assert parse_ref(refs.task_escalate(tid)) == Ref("task-escalate", task_id=tid)


@given(ids, numbers)
def test_prospect_touch_round_trip(cid, n):
    assert parse_ref(refs.prospect_touch(cid, n)) == Ref("prospect", client_id=cid, number=n)


@given(ids)
def test_client_keys_round_trip(cid):
    assert parse_ref(refs.prospect_replied(cid)) == Ref("prospect-replied", client_id=cid)
    assert parse_ref(refs.prospect_decide(cid)) == Ref("prospect-decide", client_id=cid)
    assert parse_ref(refs.satisfaction_check(cid)) == Ref("satisfaction", client_id=cid)
    assert parse_ref(refs.referral_request(cid)) == Ref("referral", client_id=cid)
    assert parse_ref(refs.client_date(cid)) == Ref("client", client_id=cid)


@given(ids, st.dates())
def test_dated_keys_round_trip(name, day):
    assert parse_ref(refs.checkin(name, day)) == Ref("checkin", client_id=name, day=day)
    assert parse_ref(refs.digest(name, day)) == Ref("digest", owner=name, day=day)


@given(st.text(min_size=1, max_size=12).filter(lambda t: ":" not in t))
def test_task_date_key_round_trip(tid):
    # A task date key is looked up, never parsed: with a colon in the ID it reads as a
    # message about the task named before the colon (the module docstring says so).
    assert parse_ref(refs.task_date(tid)) == Ref("task", task_id=tid)


def test_ids_holding_a_colon_are_read_from_the_right():
    assert parse_ref("task:A:B:reminder:2") == Ref("task-reminder", task_id="A:B", number=2)
    assert parse_ref("checkin:X:2026-01-01:2026-10-01") == Ref("checkin", client_id="X:2026-01-01",
                                                                day=D(2026, 10, 1))


def test_messages_about_a_task():
    assert parse_ref("task:T-1:reminder:3").is_message_about("T-1")
    assert parse_ref("task:T-1:final").is_message_about("T-1")
    # a task: Ref of no known step is still a message about its task, as a prefix match was
    assert parse_ref("task:T-1:called").is_message_about("T-1")
    assert parse_ref("task:T-1:reminder:x") == Ref("task-other", task_id="T-1")
    assert not parse_ref("task:T-1").is_message_about("T-1")
    assert not parse_ref("task:T-10:reminder:1").is_message_about("T-1")
    assert not parse_ref("escalate:T-1").is_message_about("T-1")
    assert refs.is_task_ref("task:T-1") and not refs.is_task_ref("escalate:T-1")


def test_text_that_is_none_of_ours():
    for text in ("", "called her", "prospect:C-1", "prospect:C-1:touch:two", "checkin:C-1:someday",
                 "digest::2026-11-23", "checkin:C-1:2026-13-01", "replied:", "nonsense:C-1",
                 "prospect:C-1:touch:" + "9" * 5000):
        assert parse_ref(text).kind == "", text
