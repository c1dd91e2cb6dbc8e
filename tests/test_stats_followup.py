"""Does "one more" work here? Messages it took to close tasks, touches before prospects
converted, answers by touch number, and the per-owner figures."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.model.rows import Book, Client, Task, Touch
from sheets_sync.stats.figures import compute_stats
from sheets_sync.stats.followup import (
    conversions,
    reminders_to_close,
    response_by_touch,
    touches_before_conversion,
)

D = dt.date
NOV = (D(2026, 11, 1), D(2026, 11, 30))


def task(tid: str, status: str = "Done", done: dt.date | None = None, cid: str = "C1") -> Task:
    return Task(task_id=tid, client_id=cid, row=2, status=status, done_on=done)


def touch(cid: str, day: dt.date, ref: str = "", direction: str = "Out", result: str = "") -> Touch:
    return Touch(date=day, client_id=cid, row=2, ref=ref, direction=direction, result=result)


def sent(tid: str, n: int, day: dt.date, result: str = "") -> Touch:
    return touch("C1", day, f"task:{tid}:reminder:{n}", result=result)


TASKS = [
    task("T1", done=D(2026, 11, 10)),  # request 1 Nov, one more 8 Nov; the 12 Nov one is after: 2
    task("T2", done=D(2026, 11, 3)),   # request sent the morning it was paid: 1
    task("T3", done=D(2026, 11, 20)),  # closed before any message: 0
    task("T4", "Cancelled", D(2026, 11, 5)),  # not a close
    task("T5", done=D(2026, 10, 15)),  # closed before the window
    task("T6", done=D(2026, 11, 25)),  # five messages, one failed: 4 -> "4+"
    task("T10", done=D(2026, 11, 12)),  # T1's refs must not count for T10: 3 of its own
    task("T7", "Open"),
    task("T8", "Done", None),          # Done without a date: cannot be placed in a period
]
TASK_TOUCHES = [
    sent("T1", 1, D(2026, 11, 1)), sent("T1", 2, D(2026, 11, 8)), sent("T1", 3, D(2026, 11, 12)),
    sent("T2", 1, D(2026, 11, 3)),
    sent("T4", 1, D(2026, 11, 1)),
    sent("T5", 1, D(2026, 10, 1)),
    *[sent("T6", n, D(2026, 11, n)) for n in range(1, 5)],
    sent("T6", 5, D(2026, 11, 6), result="Failed: mailbox full"),
    touch("C1", D(2026, 11, 9), "task:T6:final"),
    *[sent("T10", n, D(2026, 11, n)) for n in (2, 5, 9)],
    touch("C1", D(2026, 11, 9)),  # a staff note without a ref is not a reminder
]


def test_reminders_it_took_hand_worked():
    """Closed in November: T3 took 0, T2 1, T1 2, T10 3, T6 4 (reminders 1-4 and the final
    notice, the failed fifth not counted) -> "4+". T4 was cancelled, T5 closed in October,
    T8 has no Done On date."""
    assert reminders_to_close(TASKS, TASK_TOUCHES, *NOV) == {"0": 1, "1": 1, "2": 1, "3": 1, "4+": 1}


def test_reminder_share_in_the_json():
    book = Book(clients=[Client("C1", "Ann", 2)],
                tasks=TASKS, touches=TASK_TOUCHES, sales=[], problems=[], tables={}, headers={},
                missing_tool_columns={})
    out = compute_stats(book, D(2026, 11, 30)).to_json()
    # The window is the 8 months Apr-Nov 2026, so T5 (closed 15 Oct after 1 message) counts.
    assert out["reminders_to_close"] == {"0": 1, "1": 2, "2": 1, "3": 1, "4+": 1}
    assert out["reminders_to_close_share"] == {"0": 0.1667, "1": 0.3333, "2": 0.1667, "3": 0.1667, "4+": 0.1667}


def test_touches_before_converting():
    """Client since 15 Nov; outbound touches 1, 3 and 6 Oct, an inbound reply 7 Oct, a
    failed send 8 Oct, and the signing meeting on 15 Nov itself: 3 touches before."""
    c = Client("C1", "Ann", 2, status="Active", client_since=D(2026, 11, 15))
    log = [touch("C1", D(2026, 10, d)) for d in (1, 3, 6)] + [
        touch("C1", D(2026, 10, 7), direction="In"),
        touch("C1", D(2026, 10, 8), result="Failed: bounced"),
        touch("C1", D(2026, 11, 15)),
    ]
    assert touches_before_conversion(c, log) == 3
    # Never seen as a prospect (no touch before Client Since): not a conversion.
    assert touches_before_conversion(c, [touch("C1", D(2026, 11, 16))]) is None
    # Still a prospect: not converted.
    assert touches_before_conversion(Client("P", "P", 2, status="Prospect", client_since=D(2026, 11, 15)), log) is None


def test_conversion_summary():
    """Converted in November after 3, 5 and 7 touches: median 5, mean 5; one client
    converted in September is outside the window."""
    clients, by_client = [], {}
    for cid, n, since in (("A", 3, D(2026, 11, 10)), ("B", 5, D(2026, 11, 20)), ("C", 7, D(2026, 11, 25)),
                          ("D", 2, D(2026, 9, 1))):
        clients.append(Client(cid, cid, 2, status="Active", client_since=since))
        by_client[cid] = [touch(cid, since - dt.timedelta(days=i + 1)) for i in range(n)]
    out = conversions(clients, by_client, *NOV).to_json()
    assert out["clients"] == 3 and out["median"] == 5 and out["mean"] == 5.0
    assert out["distribution"]["3"] == 1 and out["distribution"]["5"] == 1 and out["distribution"]["7"] == 1


def test_answers_by_touch_number():
    """Touch k is the prospect's k-th outbound touch, tool email or staff call alike.
    P1: touches 2 Nov (email) and 5 Nov (a staff call, no Ref), reply 6 Nov: touch 2
    answered, touch 1 not; an email on 8 Nov after the reply is not asking any more.
    P2: touch on 2 Nov, reply the same day: touch 1 answered. P3: three touches, no reply.
    P4 called us on 1 Nov before our only touch (3 Nov): that touch is unanswered.
    C5 became a client on 20 Nov: touches 3 and 10 Nov, reply 12 Nov, and the 20 Nov
    meeting is after converting. Active client C6 was never a prospect in the log.
    Touch 1: P1, P2, P3, P4, C5 = 5 sent, P2 answered = 1.
    Touch 2: P1, P3, C5 = 3 sent, P1 and C5 answered = 2. Touch 3: P3 = 1 sent, 0."""
    clients = [Client(cid, cid, 2, status="Prospect") for cid in ("P1", "P2", "P3", "P4")] + [
        Client("C5", "C5", 2, status="Active", client_since=D(2026, 11, 20)),
        Client("C6", "C6", 2, status="Active", client_since=D(2025, 1, 1)),
    ]
    log = [
        touch("P1", D(2026, 11, 2), "prospect:P1:touch:1"), touch("P1", D(2026, 11, 5)),
        touch("P1", D(2026, 11, 6), direction="In"), touch("P1", D(2026, 11, 8), "prospect:P1:touch:2"),
        touch("P2", D(2026, 11, 2), "prospect:P2:touch:1"), touch("P2", D(2026, 11, 2), direction="In"),
        *[touch("P3", D(2026, 11, 2 + 3 * k), f"prospect:P3:touch:{k + 1}") for k in range(3)],
        touch("P4", D(2026, 11, 1), direction="In"), touch("P4", D(2026, 11, 3), "prospect:P4:touch:1"),
        touch("C5", D(2026, 11, 3)), touch("C5", D(2026, 11, 10)), touch("C5", D(2026, 11, 12), direction="In"),
        touch("C5", D(2026, 11, 20)),
        touch("C6", D(2026, 11, 4)), touch("C6", D(2026, 11, 5), direction="In"),
    ]
    by_client: dict[str, list[Touch]] = {}
    for t in log:
        by_client.setdefault(t.client_id, []).append(t)
    assert response_by_touch(clients, by_client, *NOV) == {1: (5, 1), 2: (3, 2), 3: (1, 0)}
    # Only touches sent inside the window count: from 4 Nov, P1's and C5's second touches
    # and P3's second and third remain.
    assert response_by_touch(clients, by_client, D(2026, 11, 4), D(2026, 11, 30)) == {2: (3, 2), 3: (1, 0)}


def test_per_owner_figures():
    """Ann: C1 (since 2025) and C2 (lost 10 Mar 2026) -> S 2, L 1, N 0, E 1; Bob: C3
    joined 1 Jun -> S 0, N 1, E 1, rates n/a. Clients without an owner are grouped."""
    clients = [
        Client("C1", "a", 2, owner="ann", client_since=D(2025, 1, 1)),
        Client("C2", "b", 3, owner="ann", status="Lost", client_since=D(2025, 1, 1), lost_on=D(2026, 3, 10)),
        Client("C3", "c", 4, owner="bob", client_since=D(2026, 6, 1)),
        Client("C4", "d", 5, client_since=D(2025, 6, 1)),
    ]
    book = Book(clients=clients, tasks=[], touches=[], sales=[], problems=[], tables={}, headers={},
                missing_tool_columns={})
    owners = {o["owner"]: o for o in compute_stats(book, D(2026, 11, 30)).to_json()["per_owner"]}
    assert set(owners) == {"ann", "bob", "(no owner)"}
    ann, bob = owners["ann"], owners["bob"]
    assert (ann["S"], ann["N"], ann["L"], ann["E"]) == (2, 0, 1, 1)
    assert ann["retention_rate"] == 0.5 and ann["attrition_rate"] == 0.5
    assert (bob["S"], bob["N"], bob["E"], bob["retention_rate"]) == (0, 1, 1, None)


def test_a_client_id_on_two_owners_rows_counts_for_both():
    """C1 is on a row of Ann's and a row of Bob's: its closed task and its at-risk row count
    for each of them (a task of an ID no row holds counts for no owner, only in the total)."""
    clients = [Client("C1", "a", 2, owner="ann", tier="A", client_since=D(2025, 1, 1)),
               Client("C1", "a", 3, owner="bob", tier="A", client_since=D(2025, 1, 1)),
               Client("C2", "b", 4, owner="bob", client_since=D(2025, 1, 1))]
    tasks = [task("T1", done=D(2026, 11, 10), cid="C1"), task("T2", done=D(2026, 11, 12), cid="C9")]
    book = Book(clients=clients, tasks=tasks, touches=[sent("T1", 1, D(2026, 11, 2))], sales=[], problems=[],
                tables={}, headers={}, missing_tool_columns={})
    report = compute_stats(book, D(2026, 11, 30)).to_json()
    owners = {o["owner"]: o for o in report["per_owner"]}
    assert report["reminders_to_close"]["0"] == 1 and report["reminders_to_close"]["1"] == 1
    assert owners["ann"]["reminders_to_close"]["1"] == owners["bob"]["reminders_to_close"]["1"] == 1
    assert owners["ann"]["reminders_to_close"]["0"] == owners["bob"]["reminders_to_close"]["0"] == 0
    assert owners["ann"]["at_risk"] == 2 and owners["bob"]["at_risk"] == 3  # both C1 rows; and C2


_OWNER_DAYS = st.dates(min_value=D(2025, 6, 1), max_value=D(2026, 11, 30))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["ann", "bob", ""]),
                          st.sampled_from(["Active", "Lost", "Prospect"]), st.none() | _OWNER_DAYS,
                          st.none() | _OWNER_DAYS), max_size=20, unique_by=lambda r: r[0]),
       st.lists(st.tuples(st.integers(0, 35), st.sampled_from(["Done", "Open", "Cancelled"]),
                          st.none() | _OWNER_DAYS), max_size=15),
       st.lists(st.tuples(st.integers(0, 14), st.integers(1, 5), _OWNER_DAYS), max_size=30))
def test_each_owners_figures_are_those_of_their_rows_alone(rows, task_rows, reminders):
    """With unique IDs, an owner's figures (year to date, at risk, reminders to close) are
    the figures of a book holding only their rows and those rows' tasks."""
    clients = [Client(f"C{i}", f"n{i}", i + 2, owner=owner, status=status, tier="AB"[i % 2],
                      client_since=since, lost_on=lost) for i, owner, status, since, lost in rows]
    tasks = [Task(task_id=f"T{n}", client_id=f"C{i}", row=n + 2, status=status, done_on=done)
             for n, (i, status, done) in enumerate(task_rows)]
    touches = [Touch(date=day, client_id=f"C{n % 31}", row=2, ref=f"task:T{n}:reminder:{k}", direction="Out")
               for n, k, day in reminders]
    today = D(2026, 11, 30)

    def of(cs: list[Client], ts: list[Task]) -> Book:
        return Book(clients=cs, tasks=ts, touches=touches, sales=[], problems=[], tables={}, headers={},
                    missing_tool_columns={})

    report = compute_stats(of(clients, tasks), today)
    for figures in report.per_owner:
        mine = [c for c in clients if (c.owner or "(no owner)") == figures.owner]
        ids = {c.client_id for c in mine}
        alone = compute_stats(of(mine, [t for t in tasks if t.client_id in ids]), today)
        assert figures.year_to_date == alone.year_to_date
        assert figures.at_risk == len(alone.at_risk)
        assert figures.reminders_to_close == alone.reminders_to_close
    assert [f.owner for f in report.per_owner] == sorted({c.owner or "(no owner)" for c in clients})
