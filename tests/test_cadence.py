"""The follow-up rules, worked by hand on a calendar (November 2026: the 23rd is a Monday)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.model.rows import Client, Task, Touch
from sheets_sync.model.settings import Settings
from sheets_sync.rules.business_days import is_business_day
from sheets_sync.rules.cadence import apply_override, client_step, is_at_risk, staff_date, task_step

D = dt.date
S = Settings()


def task(**kw):
    base = dict(task_id="T-1", client_id="C-1", row=2, type="Payment", amount=3323.0,
                due_date=D(2026, 12, 1), opened_on=D(2026, 11, 12), status="Open")
    base.update(kw)
    return Task(**base)


def sent(*dates, prefix="task:T-1:reminder:", final_on=None):
    touches = [Touch(date=d, client_id="C-1", row=0, task_id="T-1", channel="Email", ref=f"{prefix}{i}")
               for i, d in enumerate(dates, start=1)]
    if final_on:
        touches.append(Touch(date=final_on, client_id="C-1", row=0, task_id="T-1", ref="task:T-1:final"))
    return touches


def test_first_request_on_the_day_the_task_opens():
    step = task_step(task(), [], S, D(2026, 11, 12))
    assert (step.rule, step.kind, step.due, step.key) == ("task-reminder", "email", D(2026, 11, 12), "task:T-1:reminder:1")
    assert "$3,323" in step.reason and "due Tue 1 Dec" in step.reason


def test_one_more_after_seven_days():
    step = task_step(task(), sent(D(2026, 11, 12)), S, D(2026, 11, 12))
    assert (step.due, step.key) == (D(2026, 11, 19), "task:T-1:reminder:2")
    assert "2nd reminder" in step.reason


def test_then_every_three_days_on_business_days():
    # 19 Nov + 3 = Sun 22 Nov -> Mon 23 Nov
    step = task_step(task(), sent(D(2026, 11, 12), D(2026, 11, 19)), S, D(2026, 11, 19))
    assert (step.due, step.key) == (D(2026, 11, 23), "task:T-1:reminder:3")


def test_final_notice_two_business_days_before_the_due_date():
    # Due Tue 1 Dec: final notice Fri 27 Nov. Last reminder Thu 26 Nov; regular would be Mon 30.
    step = task_step(task(), sent(D(2026, 11, 12), D(2026, 11, 19), D(2026, 11, 23), D(2026, 11, 26)), S, D(2026, 11, 26))
    assert (step.rule, step.due, step.key) == ("task-final", D(2026, 11, 27), "task:T-1:final")


def test_after_the_final_notice_the_next_step_is_the_escalation_call():
    touches = sent(D(2026, 11, 12), D(2026, 11, 19), D(2026, 11, 23), D(2026, 11, 26), final_on=D(2026, 11, 27))
    step = task_step(task(), touches, S, D(2026, 11, 27))
    assert (step.rule, step.kind, step.due) == ("task-escalate", "call", D(2026, 12, 2))


def test_overdue_task_is_a_call_every_business_day():
    for today in (D(2026, 12, 2), D(2026, 12, 3), D(2026, 12, 7)):
        step = task_step(task(), sent(D(2026, 11, 12)), S, today)
        assert (step.rule, step.kind) == ("task-escalate", "call")
        assert step.due <= today


def test_missed_runs_give_one_catch_up_and_the_next_step_counts_from_today():
    touches = sent(D(2026, 11, 2))
    step = task_step(task(due_date=None), touches, S, D(2026, 11, 24))
    assert step.key == "task:T-1:reminder:2" and step.due == D(2026, 11, 9)  # overdue: one catch-up
    after = task_step(task(due_date=None), touches + sent(D(2026, 11, 24), prefix="task:T-1:catchup:"), S, D(2026, 11, 24))
    assert after.key == "task:T-1:reminder:3" and after.due == D(2026, 11, 27)


def test_closed_tasks_have_no_next_step():
    assert task_step(task(status="Done"), [], S, D(2026, 11, 20)) is None
    assert task_step(task(status="Cancelled"), [], S, D(2026, 11, 20)) is None


def test_failed_sends_do_not_count_as_reminders():
    touches = sent(D(2026, 11, 12))
    touches[0].result = "failed: 550 no such user"
    assert task_step(task(), touches, S, D(2026, 11, 13)).key == "task:T-1:reminder:1"


@given(st.lists(st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)), max_size=8),
       st.dates(min_value=D(2026, 1, 1), max_value=D(2027, 3, 1)))
def test_task_steps_fall_on_business_days_and_never_before_the_last_reminder(dates, today):
    dates = sorted(dates)
    step = task_step(task(opened_on=D(2026, 1, 5), due_date=D(2027, 1, 15)), sent(*dates), S, today)
    assert is_business_day(step.due)
    if dates and step.rule != "task-escalate":
        assert step.due > dates[-1]


def client(**kw):
    base = dict(client_id="C-1", name="Jane Doe", row=2, email="jane@example.com", owner="maria@agency.example",
                tier="B", status="Active", client_since=D(2024, 1, 1))
    base.update(kw)
    return Client(**base)


def touch(day, direction="Out", channel="Call", ref=""):
    return Touch(date=day, client_id="C-1", row=0, channel=channel, direction=direction, ref=ref)


def test_prospect_sequence_alternates_email_and_call_at_growing_gaps():
    first = D(2026, 11, 2)  # Monday
    prospect = client(status="Prospect")
    log = [touch(first, channel="Meeting")]
    # Day 2: Wed 4 Nov. Day 5: Sat 7 Nov -> Mon 9 Nov. Day 9 would be Wed 11 Nov, but the
    # gap from touch 2 to 3 is at least 4 days (9 - 5), counted from when touch 2 happened:
    # Mon 9 + 4 = Fri 13 Nov.
    expected = [(1, "email", D(2026, 11, 4)), (2, "call", D(2026, 11, 9)), (3, "email", D(2026, 11, 13))]
    for number, kind, due in expected:
        step = prospect_step_at(prospect, log, due)
        assert (step.number, step.kind, step.due) == (number, kind, due)
        log.append(touch(due, channel="Email" if kind == "email" else "Call"))


def prospect_step_at(prospect, log, today):
    return client_step(prospect, log, S, today)


def test_an_answer_stops_the_prospect_sequence():
    log = [touch(D(2026, 11, 2)), touch(D(2026, 11, 4), channel="Email"), touch(D(2026, 11, 6), direction="In")]
    step = client_step(client(status="Prospect"), log, S, D(2026, 11, 9))
    assert step.rule == "prospect-replied" and step.kind == "call"


def test_after_seven_touches_the_owner_decides():
    log = [touch(D(2026, 9, 1))] + [touch(D(2026, 9, 1) + dt.timedelta(days=d)) for d in (2, 5, 9, 14, 21, 30, 45)]
    step = client_step(client(status="Prospect"), log, S, D(2026, 11, 2))
    assert step.rule == "prospect-decide"
    assert "7 touches, no answer: keep, or mark No Sale?" in step.reason


def test_checkin_interval_by_tier_from_the_last_touch_of_any_kind():
    last = D(2026, 10, 1)
    for tier, days, kind in (("A", 30, "call"), ("B", 60, "email"), ("C", 90, "email")):
        step = client_step(client(tier=tier), [touch(last)], S, D(2026, 11, 20))
        assert step.rule == "checkin" and step.kind == kind
        assert step.due >= last + dt.timedelta(days=days) and step.key == f"checkin:C-1:{last.isoformat()}"


def test_a_logged_call_restarts_the_clock():
    before = client_step(client(tier="A"), [touch(D(2026, 10, 1))], S, D(2026, 11, 2))
    after = client_step(client(tier="A"), [touch(D(2026, 10, 1)), touch(D(2026, 10, 30))], S, D(2026, 11, 2))
    assert before.due <= D(2026, 11, 2) < after.due


def test_new_client_gets_a_satisfaction_check_then_a_referral_request():
    new = client(client_since=D(2026, 11, 2))
    step = client_step(new, [], S, D(2026, 11, 16))
    assert (step.rule, step.due, step.key) == ("satisfaction", D(2026, 11, 16), "satisfaction:C-1")
    log = [touch(D(2026, 11, 16), channel="Email", ref="satisfaction:C-1")]
    step = client_step(new, log, S, D(2026, 11, 16))
    assert (step.rule, step.due) == ("referral", D(2027, 1, 1))


def test_long_standing_clients_get_no_new_client_emails():
    step = client_step(client(client_since=D(2020, 1, 1)), [touch(D(2026, 11, 1))], S, D(2026, 11, 16))
    assert step.rule == "checkin"


def test_lost_and_no_sale_clients_get_nothing():
    assert client_step(client(status="Lost"), [], S, D(2026, 11, 16)) is None
    assert client_step(client(status="No Sale"), [], S, D(2026, 11, 16)) is None


def test_at_risk_after_27_days_for_a_and_b_only():
    log = [touch(D(2026, 10, 1))]
    assert is_at_risk(client(tier="A"), log, S, D(2026, 10, 28)) is None  # 27 days: not yet
    assert is_at_risk(client(tier="A"), log, S, D(2026, 10, 29)) == 28
    assert is_at_risk(client(tier="B"), log, S, D(2026, 11, 20)) == 50
    assert is_at_risk(client(tier="C"), log, S, D(2026, 11, 20)) is None
    assert is_at_risk(client(tier="A", status="Lost"), log, S, D(2026, 11, 20)) is None


def test_a_touch_dated_after_today_is_no_contact_yet():
    """An A client last touched 40 days ago, with a Touches row dated next week (a typo, or
    a call written down ahead): still at risk, as the statistics say (they count touches up
    to today only). Before, the future row made the days negative and hid the client from
    the owner's list for as long as the date was ahead."""
    today = D(2026, 11, 10)
    log = [touch(D(2026, 10, 1)), touch(D(2026, 11, 17))]
    assert is_at_risk(client(tier="A"), log, S, today) == 40
    assert is_at_risk(client(tier="A"), log, S, today, last=D(2026, 11, 17)) == 40
    assert is_at_risk(client(tier="A"), [touch(D(2026, 11, 17))], S, today) == (today - D(2024, 1, 1)).days


def test_a_date_typed_by_a_person_is_recognised():
    ours = D(2026, 12, 1)
    assert staff_date(ours, ours, known=True) is None
    assert staff_date(D(2026, 12, 5), ours, known=True) == D(2026, 12, 5)
    assert staff_date(D(2026, 12, 5), None, known=False) == D(2026, 12, 5)
    assert staff_date(None, ours, known=True) is None


def test_a_typed_future_date_wins_until_it_passes():
    step = client_step(client(tier="A"), [touch(D(2026, 10, 1))], S, D(2026, 11, 20))
    assert step.due <= D(2026, 11, 20)
    held = apply_override(step, D(2026, 11, 27), D(2026, 10, 1), D(2026, 11, 20))
    assert held.due == D(2026, 11, 27) and "set by hand" in held.reason
    assert apply_override(step, D(2026, 11, 27), D(2026, 10, 1), D(2026, 11, 27)).due == D(2026, 11, 27)
    assert apply_override(step, D(2026, 11, 27), D(2026, 10, 1), D(2026, 11, 30)) == step
    # A touch on or after the typed date uses it up.
    assert apply_override(step, D(2026, 11, 27), D(2026, 11, 27), D(2026, 11, 27)) == step


def test_a_check_in_email_sent_after_the_due_day_counts_as_the_satisfaction_check():
    new = client(client_since=D(2026, 10, 1), tier="B")
    log = [touch(D(2026, 11, 16), channel="Email", ref="checkin:C-1:2026-10-01")]
    step = client_step(new, log, S, D(2026, 11, 16))
    assert step.rule != "satisfaction"
    assert step.due > D(2026, 11, 16)


def test_a_task_reminder_does_not_count_as_the_satisfaction_check():
    new = client(client_since=D(2026, 11, 2))
    log = [touch(D(2026, 11, 16), channel="Email", ref="task:T-1:reminder:1")]
    assert client_step(new, log, S, D(2026, 11, 16)).rule == "satisfaction"


def test_a_failed_send_is_not_the_satisfaction_check_and_a_done_one_is_never_dated_again():
    new = client(client_since=D(2026, 11, 2))
    failed = Touch(date=D(2026, 11, 16), client_id="C-1", row=0, channel="Email", ref="satisfaction:C-1",
                   result="failed: mailbox unavailable")
    assert client_step(new, [failed], S, D(2026, 11, 16)).rule == "satisfaction"
    # Both new-client emails done: their windows are not worked out at all (a Client Since
    # date cell near the end of the calendar must not stop the plan).
    far = client(client_since=D(9999, 10, 20))
    log = [touch(D(2026, 11, 1), channel="Email", ref="satisfaction:C-1"),
           touch(D(2026, 11, 2), channel="Email", ref="referral:C-1")]
    assert client_step(far, log, S, D(2026, 11, 16)).rule == "checkin"


def test_the_referral_request_stays_due_until_the_last_day_of_its_window():
    # Referral request after 60 days, its window 30 days more: the 89th day it is still the
    # step, the 90th the check-in is (the rules skip clients past both windows early).
    since = D(2026, 8, 1)
    log = [touch(D(2026, 8, 15), channel="Email", ref="satisfaction:C-1")]
    last = client_step(client(tier="C", client_since=since), log, S, since + dt.timedelta(days=89))
    after = client_step(client(tier="C", client_since=since), log, S, since + dt.timedelta(days=90))
    assert (last.rule, after.rule) == ("referral", "checkin")
