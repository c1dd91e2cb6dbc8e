"""A prospect walked through the whole sequence, day by day, from each kind of start.

The tool drafts the email touches (1, 3, 5, 7) in the outbox and staff send them (the file
leaves the folder); the calls (2, 4, 6) are on the owner's list until staff log them, as
they would. Whatever the start, the sequence must reach touch 7 and
then ask the owner to decide, each email once. A prospect with only a Client Since date used
to stall at touch 1 for ever: the tool took its own first email as the first contact.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from memory_backend import MemoryBackend

from sheets_sync.sync import run_sync

START = dt.date(2026, 11, 2)  # a Monday
CLIENT_HEADER = ["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since"]
TOUCH_HEADER = ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref", "Result"]
TASK_HEADER = ["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status"]

STARTS = {
    "client since only": (START, []),
    "a logged call": (None, [[START, "P-1", None, "Call", "Out", "sam", "sent the quote", None, None]]),
    "both, the call later": (START - dt.timedelta(days=20),
                             [[START, "P-1", None, "Call", "Out", "sam", "first call", None, None]]),
    "an inbound enquiry, then our call": (None, [[START, "P-1", None, "Email", "In", "", "asked for a quote", None, None]]),
}


@pytest.mark.parametrize("start", STARTS)
def test_a_prospect_reaches_all_seven_touches_and_then_a_decision(tmp_path: Path, start: str) -> None:
    since, touches = STARTS[start]
    backend = MemoryBackend({
        "Clients": [CLIENT_HEADER, ["P-1", "Pat Prospect", "pat@example.com", "sam@agency.example", "B", "Prospect", since]],
        "Tasks": [TASK_HEADER],
        "Touches": [TOUCH_HEADER, *touches],
    }, tmp_path / "state")
    seen: list[tuple[int, str]] = []
    emailed: list[str] = []
    day = START
    while day < START + dt.timedelta(days=120):
        report = run_sync(backend, day, outbox=tmp_path / "outbox")
        drafted = [(m, d) for m, d in report.deliveries if m.kind == "email" and d.status == "queued"]
        emailed += [m.key for m, _ in drafted]
        for _, draft in drafted:  # staff send each draft: its file leaves the outbox (docs/email.md)
            Path(draft.detail.removeprefix("written to ")).unlink()
        step = report.plan.client_steps["P-1"]
        assert step is not None
        if step.rule == "prospect-decide":
            break
        if step.rule == "prospect" and (not seen or seen[-1][0] != step.number):
            seen.append((step.number, step.kind))
        if step.kind == "call" and step.due <= day:  # staff make the call and log it
            backend.sheets["Touches"].append([day, "P-1", None, "Call", "Out", "sam", f"call {step.number}", None, None])
        day += dt.timedelta(days=1)
    else:
        raise AssertionError(f"stalled: touches seen {seen}")
    assert [n for n, _ in seen] == [1, 2, 3, 4, 5, 6, 7]
    assert [k for _, k in seen] == ["email", "call"] * 3 + ["email"]
    assert emailed == [f"prospect:P-1:touch:{n}" for n in (1, 3, 5, 7)]
