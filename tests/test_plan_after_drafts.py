"""The write-back's second plan (``make_plan`` with ``base``: only what this run's touches
concern is worked out again) is the plan made afresh with those touches, for an outbox run
whose touches are drafts: no client rule counts a draft, a task's hand-set date does."""

from __future__ import annotations

import dataclasses
import datetime as dt

from test_due_check_render import bench_book

from sheets_sync.config import Config
from sheets_sync.mail.journal import delivery_touch
from sheets_sync.rules.plan import Plan, WrittenDates, make_plan
from sheets_sync.sync import by_client, load_book

TODAY = dt.date(2026, 11, 23)


def outcome(plan: Plan) -> tuple[object, ...]:
    return (plan.client_steps, plan.task_steps, plan.held, plan.email_statuses,
            sorted((r.client.client_id, r.days) for r in plan.at_risk))


def test_the_plan_after_an_outbox_runs_drafts_is_the_plan_made_afresh(tmp_path):
    book, _ = load_book(str(bench_book(tmp_path, 1000)), Config())
    # Dates typed by hand for today: the emails' tasks and clients hold them until a touch
    first = make_plan(book, TODAY, WrittenDates())
    emailed_tasks = {a.task.task_id for a in first.emails if a.task is not None}
    emailed_clients = {a.client.client_id for a in first.emails if a.task is None}
    book = dataclasses.replace(
        book,
        tasks=[dataclasses.replace(t, next_reminder=TODAY) if t.task_id in emailed_tasks else t for t in book.tasks],
        clients=[dataclasses.replace(c, next_action_date=TODAY) if c.client_id in emailed_clients else c
                 for c in book.clients])
    before = make_plan(book, TODAY, WrittenDates())
    assert before.held and {a.task.task_id for a in before.emails if a.task is not None}
    drafts = [delivery_touch(TODAY, a.client.client_id, a.task.task_id if a.task else "", "Hello", a.step.key,
                             "queued", "written to outbox/x.eml", "Ann") for a in before.emails]
    after = make_plan(book, TODAY, WrittenDates(), extra_touches=by_client(drafts), base=before)
    afresh = make_plan(dataclasses.replace(book, touches=book.touches + drafts), TODAY, WrittenDates())
    assert outcome(after) == outcome(afresh)
    assert after.task_steps != before.task_steps  # the drafted reminders used up the hand-set dates
    assert after.client_steps == before.client_steps  # no client rule counts a draft
