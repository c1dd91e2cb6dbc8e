"""The whole read -> plan -> act -> write pipeline on an in-memory workbook (fast).

The same behaviours run end to end on real .xlsx files through the CLI in test_cli_sync.py.
"""

import datetime as dt
import email
import email.policy
from pathlib import Path

import pytest
from memory_backend import MemoryBackend

from sheets_sync.errors import LayoutError
from sheets_sync.sync import load, run_sync

D = dt.date
MON = D(2026, 11, 23)
CLIENT_HEADER = ["Client ID", "Name", "Company", "Email", "Phone", "Owner", "Tier", "Status", "Client Since",
                 "Lost On", "Do Not Email", "Notes"]
TASK_HEADER = ["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status", "Done On"]
TOUCH_HEADER = ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"]


def parse_eml(data):
    return email.message_from_bytes(data, policy=email.policy.default)


def client(cid, name, email_, tier="B", status="Active", since=D(2024, 1, 1), dne=None, owner="maria@agency.example"):
    return [cid, name, "", email_, "555-0100", owner, tier, status, since, None, dne, ""]


def book(clients, tasks=(), touches=()):
    return {
        "Clients": [["Harbor Lane Insurance: clients"], [], CLIENT_HEADER, *clients],
        "Tasks": [TASK_HEADER, *tasks],
        "Touches": [TOUCH_HEADER, *touches],
    }


@pytest.fixture
def run(tmp_path):
    def _run(backend, today=MON, **kw):
        return run_sync(backend, today, outbox=tmp_path / "outbox", **kw)
    return _run


def backend_for(sheets, tmp_path):
    return MemoryBackend(sheets, tmp_path / "state")


def column(backend, sheet, header, header_row):
    rows = backend.sheets[sheet]
    index = rows[header_row - 1].index(header)
    return [r[index] if index < len(r) else None for r in rows[header_row:]]


def test_payment_reminder_is_sent_once_and_logged(tmp_path, run):
    sheets = book(
        [client("C-1", "Bob Roe", "bob@example.com")],
        [["T-4", "C-1", "Payment", "Auto policy balance", 3323, D(2026, 12, 1), D(2026, 11, 13), "Open", None]],
        [[D(2026, 11, 13), "C-1", "T-4", "Email", "Out", "tool", "Payment", "task:T-4:reminder:1"]],
    )
    backend = backend_for(sheets, tmp_path)
    first = run(backend, today=D(2026, 11, 20))
    assert [a["key"] for a in first.to_json()["actions"] if a["kind"] == "email"] == ["task:T-4:reminder:2"]
    assert first.emails_drafted == 1 and first.emails_sent == 0
    eml = parse_eml((tmp_path / "outbox" / "task_T-4_reminder_2.eml").read_bytes())
    assert eml["To"] == "Bob Roe <bob@example.com>"
    assert "$3,323" in eml["Subject"]
    assert column(backend, "Touches", "Ref", 1)[-1] == "task:T-4:reminder:2"
    # a draft in the outbox is not sent: the reminder counts once a person sends it (test_drafts.py)
    assert column(backend, "Tasks", "Reminders Sent", 1) == [1]
    assert column(backend, "Tasks", "Next Reminder", 1) == [D(2026, 11, 20)]

    writes = backend.writes
    again = run(backend, today=D(2026, 11, 20))
    assert again.emails_drafted == 0 and again.digests_drafted == 0
    assert backend.writes == writes  # a rerun the same day changes nothing


def test_do_not_email_and_lost_clients_become_calls_not_emails(tmp_path, run):
    sheets = book(
        [client("C-1", "No Mail", "nomail@example.com", dne="Yes"),
         client("C-2", "Gone Away", "gone@example.com", status="Lost")],
        [["T-1", "C-1", "Signature", "Form", None, D(2026, 12, 15), MON, "Open", None],
         ["T-2", "C-2", "Payment", "Last bill", 120, D(2026, 12, 15), MON, "Open", None]],
    )
    report = run(backend_for(sheets, tmp_path))
    kinds = {(a["client_id"], a["kind"]) for a in report.to_json()["actions"]}
    assert ("C-1", "email") not in kinds and ("C-2", "email") not in kinds
    assert ("C-1", "call") in kinds and ("C-2", "call") in kinds
    assert report.emails_drafted == 0 and report.emails_skipped == 3  # two task requests + C-1's check-in
    assert not [m for m, _ in report.deliveries if m.to in ("nomail@example.com", "gone@example.com")]


def test_blank_ids_get_the_next_free_id(tmp_path, run):
    sheets = book([client("C-0007", "Old", "old@example.com"), client(None, "New One", "new@example.com")],
                  [[None, "C-0007", "Other", "Call back", None, None, MON, "Open", None]])
    backend = backend_for(sheets, tmp_path)
    run(backend)
    assert column(backend, "Clients", "Client ID", 3) == ["C-0007", "C-0008"]
    assert column(backend, "Tasks", "Task ID", 1) == ["T-0001"]


def test_bad_cells_are_reported_and_the_rest_goes_on(tmp_path, run):
    sheets = book([
        client("C-1", "Good", "good@example.com", tier="C", since=D(2026, 11, 1)),
        client("C-2", "Typo", "jane.doe@@example.com"),
        client("C-3", "Status", "s@example.com", status="Actve"),
        client("C-4", "Date", "d@example.com", since="next Tuesday"),
        client("C-1", "Twin", "twin@example.com"),
    ], [["T-1", "C-99", "Payment", "x", 1, None, MON, "Open", None]])
    report = run(backend_for(sheets, tmp_path))
    where = {p.where for p in report.problems}
    assert where == {"Clients!D5", "Clients!H6", "Clients!I7", "Clients!A4", "Clients!A8", "Tasks!B2"}
    assert any("C-99 is not on the Clients sheet" in p.message for p in report.problems)
    assert report.emails_drafted == 0  # C-1 is a duplicate ID: skipped, never guessed


def test_a_missing_required_column_is_one_clear_error(tmp_path):
    sheets = book([client("C-1", "A", "a@example.com")])
    sheets["Clients"][2] = [h for h in CLIENT_HEADER if h != "Status"]
    with pytest.raises(LayoutError, match="Clients: missing column 'Status'"):
        load(backend_for(sheets, tmp_path), MON)


def test_a_date_typed_by_staff_postpones_the_check_in(tmp_path, run):
    sheets = book([client("C-1", "Quiet", "q@example.com", tier="B")],
                  touches=[[D(2026, 8, 1), "C-1", None, "Call", "Out", "maria", "", None]])
    sheets["Clients"][2] = CLIENT_HEADER + ["Next Action Date"]
    sheets["Clients"][3] = sheets["Clients"][3] + [D(2026, 12, 4)]
    backend = backend_for(sheets, tmp_path)
    report = run(backend)
    assert report.emails_drafted == 0
    assert column(backend, "Clients", "Next Action Date", 3) == [D(2026, 12, 4)]  # the person's date stays
    on_the_day = run(backend, today=D(2026, 12, 4))
    assert [m.key for m, _ in on_the_day.deliveries if m.kind == "email"] == ["checkin:C-1:2026-08-01"]


def test_dry_run_sends_and_writes_nothing_but_explains(tmp_path, run):
    sheets = book([client("C-1", "Bob", "bob@example.com")],
                  [["T-4", "C-1", "Payment", "Balance", 3323, D(2026, 12, 1), D(2026, 11, 13), "Open", None]],
                  [[D(2026, 11, 13), "C-1", "T-4", "Email", "Out", "tool", "", "task:T-4:reminder:1"]])
    backend = backend_for(sheets, tmp_path)
    report = run(backend, dry_run=True)
    assert backend.writes == 0 and not (tmp_path / "outbox").exists()
    reasons = [a["reason"] for a in report.to_json()["actions"]]
    assert "Task T-4: 2nd reminder, opened 10 days ago, $3,323, due Tue 1 Dec" in reasons


def test_weekends_send_nothing_but_list_calls(tmp_path, run):
    sheets = book([client("C-1", "A client", "a@example.com", tier="A"), client("C-2", "B", "b@example.com")],
                  touches=[[D(2026, 8, 1), "C-1", None, "Call", "Out", "", "", None],
                           [D(2026, 8, 1), "C-2", None, "Call", "Out", "", "", None]])
    report = run(backend_for(sheets, tmp_path), today=D(2026, 11, 21))
    assert report.emails_drafted == 0 and not report.plan.business_day
    assert [a.client.client_id for a in report.plan.calls] == ["C-1"]


def test_digest_goes_to_each_owner_once_a_day(tmp_path, run):
    sheets = book([client("C-1", "A1", "a1@example.com", tier="A", owner="maria@agency.example"),
                   client("C-2", "A2", "a2@example.com", tier="A", owner="tom@agency.example"),
                   client("C-3", "A3", "a3@example.com", tier="A", owner="tom@agency.example")],
                  touches=[[D(2026, 9, 1), c, None, "Call", "Out", "", "", None] for c in ("C-1", "C-2", "C-3")])
    backend = backend_for(sheets, tmp_path)
    report = run(backend)
    digests = sorted(m.to for m, _ in report.deliveries if m.kind == "digest")
    assert digests == ["maria@agency.example", "tom@agency.example"]
    tom = parse_eml((tmp_path / "outbox" / "digest_tom@agency.example_2026-11-23.eml").read_bytes())
    body = tom.get_body(("plain",)).get_content()
    assert "A2" in body and "A3" in body and "A1" not in body and "555-0100" in body


def test_a_template_that_names_a_missing_value_is_a_problem_and_is_not_sent(tmp_path, run):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "checkin.txt").write_text("Subject: Hi {{ client.first_name }}\n\nYour {{ client.policy_numbr }}\n")
    from sheets_sync.config import Config

    sheets = book([client("C-1", "Jane", "j@example.com")], touches=[[D(2026, 8, 1), "C-1", None, "Call", "Out", "", "", None]])
    report = run(backend_for(sheets, tmp_path), config=Config({"templates": {"dir": str(folder)}}))
    assert report.emails_drafted == 0
    [problem] = report.problems
    assert problem.where == "templates/checkin.txt!line 3"
    assert "policy_numbr" in problem.message


def test_templates_can_use_any_staff_column(tmp_path, run):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "checkin.txt").write_text("Subject: Policy {{ client.policy_number }}\n\nHi\n")
    from sheets_sync.config import Config

    sheets = book([client("C-1", "Jane", "j@example.com")], touches=[[D(2026, 8, 1), "C-1", None, "Call", "Out", "", "", None]])
    sheets["Clients"][2] = CLIENT_HEADER + ["Policy Number"]
    sheets["Clients"][3] = sheets["Clients"][3] + ["HL-2231"]
    report = run(backend_for(sheets, tmp_path), config=Config({"templates": {"dir": str(folder)}}))
    assert [m.subject for m, _ in report.deliveries if m.kind == "email"] == ["Policy HL-2231"]


def test_header_names_are_matched_loosely_and_remapped_by_config(tmp_path, run):
    from sheets_sync.config import Config

    sheets = book([client("C-1", "Jane", "j@example.com")])
    sheets["Customers"] = sheets.pop("Clients")
    sheets["Customers"][2] = ["Cust #", "Full Name", "Company", "E-mail Address", "Phone", "Owner", "TIER", "status",
                              "Client Since", "Lost On", "DNE", "Notes"]
    config = Config({"layout": {"clients": {"sheet": "Customers", "columns": {"client_id": "Cust #"}}}})
    report = run(backend_for(sheets, tmp_path), config=config)
    assert not report.problems
    assert [m.to for m, _ in report.deliveries if m.kind == "email"] == ["j@example.com"]


def test_no_path_in_a_note_ever_becomes_an_attachment(tmp_path, run):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not send")
    sheets = book([client("C-1", "Jane", "j@example.com")], touches=[[D(2026, 8, 1), "C-1", None, "Call", "Out", "", "", None]])
    sheets["Clients"][3][11] = str(secret)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "checkin.txt").write_text("Subject: Hi\n\n{{ client.notes }}\n")
    from sheets_sync.config import Config

    run(backend_for(sheets, tmp_path), config=Config({"templates": {"dir": str(folder)}}))
    eml = parse_eml(next((tmp_path / "outbox").glob("checkin_*.eml")).read_bytes())
    assert not [p for p in eml.walk() if p.get_filename()]
    assert str(secret) in eml.get_body(("plain",)).get_content()


def test_outbox_is_next_to_the_state_folder_by_default(tmp_path):
    sheets = book([client("C-1", "Jane", "j@example.com")], touches=[[D(2026, 8, 1), "C-1", None, "Call", "Out", "", "", None]])
    backend = MemoryBackend(sheets, tmp_path / "work" / ".sheets-sync")
    report = run_sync(backend, MON)
    assert report.mailer == f"outbox folder {Path(tmp_path / 'work' / 'outbox')}"
    assert (tmp_path / "work" / "outbox" / "checkin_C-1_2026-11-23.eml").is_file()  # named by the day written
