"""A whole sync over SMTP (in memory workbook, real local SMTP server): Touches rows, the
digest, the daily cap, failures, the journal's reconciliation and the run lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from memory_backend import MemoryBackend
from smtp_server import MailServer, down_settings

from sheets_sync.errors import MailError, RunLocked
from sheets_sync.mail.journal import Journal, run_lock
from sheets_sync.mail.smtp import SmtpMailer
from sheets_sync.sync import load, run_sync

D = dt.date
MON = D(2026, 11, 23)
OWNER = "maria@agency.example"
CLIENT_HEADER = ["Client ID", "Name", "Company", "Email", "Phone", "Owner", "Tier", "Status", "Client Since",
                 "Lost On", "Do Not Email", "Notes"]
TASK_HEADER = ["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status", "Done On"]
TOUCH_HEADER = ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"]
REMINDERS = [f"task:T-{i}:reminder:1" for i in range(1, 5)]
DIGEST = f"digest:{OWNER}:{MON.isoformat()}"


def workbook(cap: int | None = None, emails: dict[int, str] | None = None,
             digest: bool = True) -> dict[str, list[list[object]]]:
    """Four clients with a payment due (one reminder each) and an A client to call (a digest)."""
    emails = emails or {}
    clients = [[f"C-{i}", f"Client {i}", "", emails.get(i, f"c{i}@example.com"), "555-0100", OWNER, "B", "Active",
                D(2024, 1, 1), None, None, ""] for i in range(1, 5)]
    if digest:
        clients.append(["C-9", "Big Account", "", "big@example.com", "555-0199", OWNER, "A", "Active",
                        D(2024, 1, 1), None, None, ""])
    tasks = [[f"T-{i}", f"C-{i}", "Payment", "Balance", 100 * i, D(2026, 12, 15), MON, "Open", None]
             for i in range(1, 5)]
    touches = [[D(2026, 11, 20), f"C-{i}", "", "Call", "In", "maria", "chat", None] for i in range(1, 5)]
    touches.append([D(2026, 9, 1), "C-9", "", "Call", "In", "maria", "chat", None])
    sheets: dict[str, list[list[object]]] = {
        "Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER, *tasks], "Touches": [TOUCH_HEADER, *touches]}
    if cap is not None:
        sheets["Settings"] = [["Setting", "Value"], ["Daily email cap", cap]]
    return sheets


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailServer]:
    started = MailServer(tmp_path)
    yield started
    started.stop()


def touches(backend: MemoryBackend) -> dict[str, str]:
    """Ref -> Result of the Touches rows the tool wrote."""
    rows = backend.sheets["Touches"]
    header = rows[0]
    if "Result" not in header:
        return {}
    ref, result = header.index("Ref"), header.index("Result")
    return {r[ref]: r[result] for r in rows[1:] if len(r) > ref and r[ref]}


def mailer(server: MailServer) -> SmtpMailer:
    return SmtpMailer(server.settings(), backoff=0.01)


def test_a_sync_sends_each_email_and_the_digest_once_over_one_session(tmp_path, server):
    backend = MemoryBackend(workbook(), tmp_path / "state")
    report = run_sync(backend, MON, mailer=mailer(server))
    assert report.emails_sent == 4 and report.digests_sent == 1
    assert server.keys() == {key: 1 for key in [*REMINDERS, DIGEST]}
    assert server.sessions == 1
    assert touches(backend) == {key: "sent" for key in REMINDERS}  # digests are not touches
    digest = next(r for r in server.received if r.key == DIGEST).parsed()
    assert digest["To"].addresses[0].addr_spec == OWNER
    assert "Big Account" in digest.get_body(("plain",)).get_content()
    assert "555-0199" in digest.get_body(("plain",)).get_content()

    again = run_sync(backend, MON, mailer=mailer(server))
    assert again.deliveries == [] and again.problems == []
    assert server.keys() == {key: 1 for key in [*REMINDERS, DIGEST]}
    assert server.sessions == 1  # nothing to send: no session at all


def test_the_daily_cap_rolls_the_rest_to_the_next_run_most_urgent_first(tmp_path, server):
    backend = MemoryBackend(workbook(cap=3), tmp_path / "state")
    report = run_sync(backend, MON, mailer=mailer(server))
    statuses = {m.key: d.status for m, d in report.deliveries}
    assert statuses[DIGEST] == "sent"  # urgency 5: the owner's call list goes first
    assert sorted(statuses.values()) == ["deferred", "deferred", "sent", "sent", "sent"]
    assert len(touches(backend)) == 2  # deferred ones get no Touches row: they are still due
    tomorrow = run_sync(backend, MON + dt.timedelta(days=1), mailer=mailer(server))
    assert sorted(d.status for _, d in tomorrow.deliveries if _.kind == "email") == ["sent", "sent"]
    assert sorted(k for k in server.keys() if k.startswith("task")) == REMINDERS
    assert max(server.keys().values()) == 1


def test_a_refused_recipient_is_a_failed_touch_and_a_problem(tmp_path, server):
    server.faults.refuse = {"c2@example.com"}
    backend = MemoryBackend(workbook(), tmp_path / "state")
    report = run_sync(backend, MON, mailer=mailer(server))
    result = touches(backend)["task:T-2:reminder:1"]
    assert result.startswith("failed: the server refused it: 550")
    [problem] = report.problems
    assert problem.sheet == "Clients" and "c2@example.com (C-2)" in problem.message
    assert sorted(server.keys()) == sorted([DIGEST, *(k for k in REMINDERS if k != "task:T-2:reminder:1")])


def test_an_unknown_outcome_is_logged_reported_and_never_resent(tmp_path, server):
    server.faults.drop_after_data = 1
    backend = MemoryBackend(workbook(digest=False), tmp_path / "state")
    report = run_sync(backend, MON, mailer=mailer(server))
    unknown = [m.key for m, d in report.deliveries if d.status == "unknown"]
    assert len(unknown) == 1
    assert touches(backend)[unknown[0]].startswith("unknown: check by hand")
    assert any(unknown[0] in p.message and "not sent again" in p.message for p in report.problems)
    run_sync(backend, MON, mailer=mailer(server))
    assert max(server.keys().values()) == 1 and set(server.keys()) == set(REMINDERS)


def test_sends_journaled_by_a_run_that_died_before_its_write_back_are_reconciled(tmp_path, server):
    backend = MemoryBackend(workbook(), tmp_path / "state")
    loaded = load(backend, MON)
    first_two = loaded.composed.messages[:2]
    with Journal(backend.state_dir()) as journal:  # what a killed run leaves: sends, no write-back
        died = mailer(server)
        died.prepare_run(journal, 200, MON)
        assert [d.status for d in died.deliver(first_two)] == ["sent", "sent"]
    assert touches(backend) == {}

    report = run_sync(backend, MON, mailer=mailer(server))
    assert {m.key for m, d in report.deliveries} == {*REMINDERS[2:], DIGEST}
    assert touches(backend) == {key: "sent" for key in REMINDERS}
    rows = backend.sheets["Touches"]
    dates = {r[rows[0].index("Ref")]: r[0] for r in rows[1:]}
    assert dates[first_two[0].key] == MON  # dated the day of the run that sent it
    assert max(server.keys().values()) == 1 and len(server.keys()) == 5


def test_a_server_that_is_down_writes_nothing(tmp_path):
    backend = MemoryBackend(workbook(), tmp_path / "state")
    with pytest.raises(MailError, match="cannot reach the mail server"):
        run_sync(backend, MON, mailer=SmtpMailer(down_settings(), backoff=0.01))
    assert backend.writes == 0
    with Journal(backend.state_dir()) as journal:
        assert journal.entries() == []


def test_a_second_run_at_the_same_time_gives_up_with_a_clear_message(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SHEETS_SYNC_LOCK_WAIT", "0.2")
    backend = MemoryBackend(workbook(), tmp_path / "state")
    with run_lock(backend.state_dir()):
        with pytest.raises(RunLocked, match="another sheets-sync run is working on this workbook"):
            run_sync(backend, MON, mailer=mailer(server))
    assert server.received == [] and backend.writes == 0


def test_an_address_plain_smtp_cannot_carry_is_a_problem_with_its_cell_and_never_sent(tmp_path, server):
    # An international local part passes a lax syntax check but no ordinary server takes it.
    backend = MemoryBackend(workbook(emails={3: "jösé@example.com"}), tmp_path / "state")
    report = run_sync(backend, MON, mailer=mailer(server))
    [problem] = [p for p in report.problems if "jösé@example.com" in p.message]
    assert (problem.sheet, problem.cell) == ("Clients", "D4")
    assert "before the @-sign are not supported" in problem.message
    assert "task:T-3:reminder:1" not in server.keys() and "task:T-3:reminder:1" not in touches(backend)
    assert server.received  # the rest of the run went on


def test_do_not_email_and_lost_clients_get_no_email_but_are_in_the_owners_digest(tmp_path, server):
    sheets = workbook(digest=False)
    clients = sheets["Clients"]
    clients[2][CLIENT_HEADER.index("Do Not Email")] = "Yes"  # C-2
    clients[2][CLIENT_HEADER.index("Phone")] = "555-0122"
    clients[3][CLIENT_HEADER.index("Status")] = "Lost"  # C-3
    clients[3][CLIENT_HEADER.index("Lost On")] = D(2026, 11, 1)
    clients[3][CLIENT_HEADER.index("Phone")] = "555-0133"
    backend = MemoryBackend(sheets, tmp_path / "state")
    run_sync(backend, MON, mailer=mailer(server))
    recipients = {r.rcpt_tos[0] for r in server.received}
    assert "c2@example.com" not in recipients and "c3@example.com" not in recipients
    assert {"c1@example.com", "c4@example.com", OWNER} <= recipients
    [digest] = [r for r in server.received if r.key == DIGEST]
    body = digest.parsed().get_body(("plain",)).get_content()
    assert "Client 2" in body and "555-0122" in body
    assert "Client 3" in body and "555-0133" in body
