"""The rules' side of the inbox, as pure functions: what an inbound touch stops or moves, the
Email Status cell, reading the day an out-of-office reply names, and the statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.inbox.classify import back_date, is_unsubscribe
from sheets_sync.inbox.parse import new_text
from sheets_sync.model.rows import Client, Task, Touch
from sheets_sync.model.settings import Settings
from sheets_sync.rules.cadence import is_real_touch, prospect_step, task_step
from sheets_sync.rules.email_status import (
    blocks_email,
    bounced,
    parse_status,
    status_now,
    unsubscribed,
)
from sheets_sync.rules.inbound import away_until
from sheets_sync.stats.followup import response_by_touch

D = dt.date
MON = D(2026, 11, 23)


def touch(day: dt.date, direction: str = "In", result: str = "", ref: str = "", task_id: str = "") -> Touch:
    return Touch(date=day, client_id="C-1", row=0, task_id=task_id, channel="Email", direction=direction,
                 ref=ref, result=result)


def test_automatic_replies_and_bounces_are_logged_but_are_no_touch():
    assert is_real_touch(touch(MON, result="reply"))
    assert not is_real_touch(touch(MON, result="automatic reply: back 2026-12-07"))
    assert not is_real_touch(touch(MON, result="bounce: 550 5.1.1 user unknown"))
    assert not is_real_touch(touch(MON, result="soft bounce: 452 4.2.2 mailbox full"))
    assert is_real_touch(touch(MON, direction="Out", result="automatic reply"))  # only inbound rows are read so


def test_an_automatic_reply_does_not_stop_a_prospect_sequence_and_a_reply_does():
    client = Client("C-1", "Pat", 2, status="Prospect", client_since=D(2026, 11, 19))
    sent = touch(D(2026, 11, 23), "Out", "sent", "prospect:C-1:touch:1")
    auto = touch(D(2026, 11, 23), result="automatic reply")
    assert prospect_step(client, [sent, auto], Settings(), D(2026, 11, 24)).rule == "prospect"
    answer = touch(D(2026, 11, 24), result="reply")
    assert prospect_step(client, [sent, auto, answer], Settings(), D(2026, 11, 24)).rule == "prospect-replied"


def test_a_task_reply_pauses_the_chase_until_the_owner_logs_a_touch():
    task = Task("T-4", "C-1", 2, type="Payment", due_date=D(2026, 12, 31), opened_on=MON)
    first = touch(MON, "Out", "sent", "task:T-4:reminder:1", "T-4")
    answer = touch(D(2026, 11, 25), result="reply", task_id="T-4")
    step = task_step(task, [first, answer], Settings(), D(2026, 11, 30))
    assert (step.rule, step.kind, step.due) == ("task-replied", "call", D(2026, 11, 25))
    called = touch(D(2026, 11, 26), "Out", task_id="T-4")  # the owner called back and logged it
    step = task_step(task, [first, answer, called], Settings(), D(2026, 11, 30))
    assert (step.rule, step.kind) == ("task-reminder", "email")


def test_the_email_status_clears_itself_when_the_address_changes_and_a_typed_one_holds():
    cell = bounced(MON, "ann@example.com", "550 5.1.1 user unknown")
    assert cell == "Bounced 2026-11-23 (ann@example.com): 550 5.1.1 user unknown"
    client = Client("C-1", "Ann", 2, email="Ann@Example.com", email_status=cell)
    assert status_now(client) == cell and blocks_email(cell) == "Bounced 2026-11-23"
    client.email = "ann.new@example.com"
    assert status_now(client) == ""
    typed = Client("C-1", "Ann", 2, email="ann@example.com", email_status="unsubscribed")
    assert blocks_email(status_now(typed)) == "unsubscribed"
    assert parse_status(unsubscribed(MON, "ann@example.com")).kind == "unsubscribed"
    assert blocks_email("called, all fine") == ""  # text of the staff's own is no status


@pytest.mark.parametrize(("text", "back"), [
    ("I am out of the office and back on 7 December.", D(2026, 12, 7)),
    ("Back on Monday, January 4th", D(2027, 1, 4)),
    ("I will return on 12/01/2027.", D(2027, 1, 12)),
    ("Ich bin bis einschließlich 04.12. nicht im Büro", D(2026, 12, 4)),
    ("Je serai de retour le 3 décembre", D(2026, 12, 3)),
    ("Estaré fuera hasta el 2 de diciembre de 2026", D(2026, 12, 2)),
    ("Rientro in ufficio il 1° dicembre", D(2026, 12, 1)),
    ("Ik ben terug op 30 november", D(2026, 11, 30)),
    ("Estarei de volta em 2026-12-09", D(2026, 12, 9)),
    ("I am on leave with no access to email.", None),
])
def test_the_day_the_person_is_back(text, back):
    assert back_date(text, MON) == back


@given(st.text(max_size=400))
def test_reading_a_back_date_never_fails_and_stays_near_the_reply(text):
    found = back_date(text, MON)
    assert found is None or MON - dt.timedelta(days=7) <= found <= MON + dt.timedelta(days=366)


def test_away_until_takes_the_latest_automatic_reply_and_ignores_a_past_day():
    old = touch(D(2026, 11, 2), result="automatic reply: back 2026-11-09")
    new = touch(D(2026, 11, 20), result="automatic reply: back 2026-12-07")
    assert away_until([old, new], MON) == D(2026, 12, 7)
    assert away_until([old], MON) is None


def test_unsubscribe_words_and_the_new_text_of_a_reply():
    assert is_unsubscribe("Re: Your quote", "Please remove me from your list")
    assert is_unsubscribe("STOP", "")
    assert not is_unsubscribe("Re: Your quote", "Don't stop now, send the contract " + "x" * 400)
    assert new_text("Thanks!\n\nOn Mon, 23 Nov 2026, Office <o@x.example> wrote:\n> Dear Ann") == "Thanks!"
    assert new_text("Danke\nAm 23.11.2026 um 09:00 schrieb Office <o@x.example>:\n> Hallo") == "Danke"


def test_the_answered_by_touch_table_counts_real_replies_only():
    client = Client("C-1", "Pat", 2, status="Prospect", client_since=D(2026, 11, 19))
    sent = touch(MON, "Out", "sent", "prospect:C-1:touch:1")
    auto = touch(MON, result="automatic reply")
    assert response_by_touch([client], {"C-1": [sent, auto]}, D(2026, 11, 1), D(2026, 11, 30)) == {1: (1, 0)}
    answer = touch(D(2026, 11, 24), result="reply")
    assert response_by_touch([client], {"C-1": [sent, auto, answer]}, D(2026, 11, 1), D(2026, 11, 30)) == {1: (1, 1)}
