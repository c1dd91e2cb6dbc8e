"""Property: whatever the book, a second sync on the same day sends nothing and writes nothing."""

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from memory_backend import MemoryBackend
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER

from sheets_sync.sync import run_sync

TODAY = dt.date(2026, 11, 23)
days_ago = st.integers(min_value=0, max_value=400).map(lambda n: TODAY - dt.timedelta(days=n))
clients = st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from(["Active", "Prospect", "Lost", "No Sale"]),
                             st.one_of(st.none(), days_ago), st.booleans()), min_size=1, max_size=12)


@st.composite
def books(draw):
    rows = draw(clients)
    client_rows = [[f"C-{i}", f"Client {i}", "", f"c{i}@example.com", "555", f"o{i % 2}@agency.example",
                    tier, status, since, None, "Yes" if dne else None, ""]
                   for i, (tier, status, since, dne) in enumerate(rows)]
    n = len(rows)
    touches = [[draw(days_ago), f"C-{draw(st.integers(0, n - 1))}", None, draw(st.sampled_from(["Call", "Email"])),
                draw(st.sampled_from(["Out", "In"])), "", "", None] for _ in range(draw(st.integers(0, 15)))]
    tasks = [[f"T-{j}", f"C-{draw(st.integers(0, n - 1))}", draw(st.sampled_from(["Payment", "Quote", "Other"])), "",
              100, draw(st.one_of(st.none(), days_ago.map(lambda d: d + dt.timedelta(days=40)))), draw(days_ago),
              draw(st.sampled_from(["Open", "Open", "Done"])), None] for j in range(draw(st.integers(0, 6)))]
    return {"Clients": [CLIENT_HEADER, *client_rows], "Tasks": [TASK_HEADER, *tasks], "Touches": [TOUCH_HEADER, *touches]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), st.integers(min_value=0, max_value=6))
def test_a_second_run_the_same_day_sends_and_writes_nothing(sheets, offset):
    today = TODAY + dt.timedelta(days=offset)
    with tempfile.TemporaryDirectory() as tmp:
        backend = MemoryBackend(sheets, Path(tmp) / "state")
        run_sync(backend, today, outbox=Path(tmp) / "out")
        writes = backend.writes
        again = run_sync(backend, today, outbox=Path(tmp) / "out")
        assert again.emails_drafted == 0 and again.digests_drafted == 0
        assert backend.writes == writes
