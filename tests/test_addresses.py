"""One rule for email addresses (issue 14 item 5): what ``check`` accepts is what the SMTP
mailer and the outbox send to; .local and .test addresses are accepted unless the Settings
sheet says no, and then they are reported at their cell and never attempted. Real .xlsx
files, the real SMTP path to a local aiosmtpd server, and ``check --json``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from smtp_server import MailServer
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli
from sheets_sync.config import Config
from sheets_sync.errors import BadAddress, ConfigError
from sheets_sync.mail.config import resolve_mail_settings
from sheets_sync.mail.message import Message
from sheets_sync.mail.outbox import OutboxMailer
from sheets_sync.mail.smtp import SmtpMailer
from sheets_sync.model import addresses
from sheets_sync.model.addresses import check_address
from sheets_sync.sync import run_sync

MON = D(2026, 11, 23)
OWNER = "maria@agency.local"
SPECIAL = {"C-1": "sam@agency.local", "C-2": "bob@baker.test"}
NO_SERVER_TAKES = ["a@@b", "x@", "bob@exa mple.com"]
SETTING = "Email .local and .test addresses"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailServer]:
    started = MailServer(tmp_path)
    yield started
    started.stop()


def workbook(path: Path, emails: dict[str, str], allow: str | None = None) -> Path:
    """A payment reminder due for each client, and an A client to call (the owner's digest)."""
    ids = [*emails, "C-3"]
    clients = [[cid, f"Client {cid}", "", emails.get(cid, "c3@example.com"), "555-0100", OWNER, "B", "Active",
                D(2024, 1, 1), None, None, ""] for cid in ids]
    clients.append(["C-9", "Big Account", "", "big@example.com", "555-0199", OWNER, "A", "Active",
                    D(2024, 1, 1), None, None, ""])
    tasks = [[f"T-{cid[2:]}", cid, "Payment", "Balance", 100, D(2026, 12, 15), MON, "Open", None] for cid in ids]
    touches = [[D(2026, 11, 20), cid, "", "Call", "In", "maria", "chat", None] for cid in ids]
    touches.append([D(2026, 9, 1), "C-9", "", "Call", "In", "maria", "chat", None])
    sheets = {"Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER, *tasks], "Touches": [TOUCH_HEADER, *touches]}
    if allow is not None:
        sheets["Settings"] = [["Setting", "Value"], [SETTING, allow]]
    return write_workbook(path, sheets)


def check_json(path: Path) -> tuple[int, dict[str, str]]:
    """check's exit code and problems, the set-up left to do (Business name, From address,
    owners' names: these books leave them blank) aside."""
    result = CliRunner().invoke(cli, ["check", str(path), "--json"], catch_exceptions=False)
    report = json.loads(result.stdout)
    assert report["setup"] and result.exit_code == 1
    code = 1 if report["problems"] else 0
    return code, {f"{p['sheet']}!{p['cell']}": p["message"] for p in report["problems"]}


def test_local_and_test_addresses_pass_check_and_are_delivered_over_smtp(tmp_path, server):
    path = workbook(tmp_path / "book.xlsx", SPECIAL)
    assert check_json(path) == (0, {})
    # From and Reply-To on the office's own .local domain too
    settings = server.settings(sender="Agency <office@agency.local>", reply_to="desk@agency.local")
    report = run_sync(str(path), MON, mailer=SmtpMailer(settings, backoff=0.01))
    assert {m.to: d.status for m, d in report.deliveries} == {
        "sam@agency.local": "sent", "bob@baker.test": "sent", "c3@example.com": "sent", OWNER: "sent"}
    assert sorted(to for r in server.received for to in r.rcpt_tos) == sorted(
        ["sam@agency.local", "bob@baker.test", "c3@example.com", OWNER])
    assert {r.mail_from for r in server.received} == {"office@agency.local"}
    assert not report.problems


def test_with_the_setting_off_they_are_refused_at_their_cell_and_never_attempted(tmp_path, server):
    path = workbook(tmp_path / "book.xlsx", SPECIAL, allow="No")
    code, found = check_json(path)
    assert code == 1
    # the owner's .local address is refused too, on every row naming it
    assert {"Clients!D2", "Clients!D3", "Clients!F2", "Clients!F3", "Clients!F4", "Clients!F5"} <= set(found)
    assert found["Clients!D2"] == (
        "'sam@agency.local' is not an address to email here (.local is a special-use name, and the Settings "
        f"sheet says '{SETTING}: No'): correct it or clear the cell; this client is left out of the run until it "
        "is fixed")
    assert ".test is a special-use name" in found["Clients!D3"]
    report = run_sync(str(path), MON, mailer=SmtpMailer(server.settings(), backoff=0.01))
    assert report.deliveries == [] and server.received == [] and server.sessions == 0
    assert not any("not sent" in p.message for p in report.problems)
    assert {"Clients!D2", "Clients!D3"} <= {p.where for p in report.problems}


def test_the_setting_takes_yes_and_no_and_a_bad_value_is_reported(tmp_path):
    assert check_json(workbook(tmp_path / "yes.xlsx", SPECIAL, allow="Yes")) == (0, {})
    code, found = check_json(workbook(tmp_path / "bad.xlsx", SPECIAL, allow="perhaps"))
    assert code == 1 and list(found) == ["Settings!B2"] and "'perhaps' is not Yes or No" in found["Settings!B2"]
    assert found["Settings!B2"].endswith("using the default (Yes)")


@pytest.mark.parametrize("address", NO_SERVER_TAKES)
def test_an_address_no_server_takes_is_refused_the_same_way_everywhere(tmp_path, server, address):
    with pytest.raises(BadAddress) as refused:
        check_address(address)
    reason = str(refused.value)
    assert reason.startswith(f"'{address}' is not a valid email address (")
    # the reader, through check: at the cell, with that reason
    code, found = check_json(workbook(tmp_path / "book.xlsx", {"C-1": address}))
    assert code == 1 and found["Clients!D2"].startswith(f"{reason}: correct it or clear the cell")
    # the SMTP mailer and the outbox: failed with that reason, nothing handed over or written
    message = Message(key="task:T-1:reminder:1", to=address, subject="s", text="t")
    (sent,) = SmtpMailer(server.settings(), backoff=0.01).deliver([message])
    assert (sent.status, sent.detail) == ("failed", reason)
    assert server.sessions == 0 and server.received == []
    (queued,) = OutboxMailer(tmp_path / "outbox").deliver([message])
    assert (queued.status, queued.detail) == ("failed", reason)
    assert not list((tmp_path / "outbox").glob("*.eml"))


@pytest.mark.parametrize("variable", ["SHEETS_SYNC_FROM", "SHEETS_SYNC_REPLY_TO"])
def test_from_and_reply_to_follow_the_same_rule(monkeypatch, variable):
    monkeypatch.setenv("SHEETS_SYNC_SMTP_HOST", "smtp.agency.local")
    monkeypatch.setenv("SHEETS_SYNC_FROM", "Agency <office@agency.local>")
    monkeypatch.setenv(variable, "Agency <x@>")
    with pytest.raises(ConfigError, match="'x@' is not a valid email address"):
        resolve_mail_settings(Config())
    monkeypatch.setenv(variable, "Agency <office@agency.local>")
    settings = resolve_mail_settings(Config())
    assert settings.sender_address == "office@agency.local"


def test_reserved_never_to_exist_and_dotless_domains_are_refused():
    for address in ("bob@example.invalid", "sam@gmailcom", "zoë@agency.local"):
        with pytest.raises(BadAddress):
            check_address(address)
    assert check_address("Sam@Agency.LOCAL") == "Sam@agency.local"
    assert check_address("bob@bücher.local") == "bob@xn--bcher-kva.local"
    with pytest.raises(BadAddress, match="special-use"):
        check_address("bob@bücher.local", allow_special_use=False)


def test_plain_addresses_do_not_load_the_full_validator():
    """email_validator (~20 ms to import) is loaded only for an address the plain rule does
    not settle: a run over a sheet of ordinary addresses never pays for it."""
    script = (
        "import sys\n"
        "from sheets_sync.model.addresses import check_address\n"
        "assert check_address('Maria.Lopez@Harborlane.Example.com') == 'Maria.Lopez@harborlane.example.com'\n"
        "assert 'email_validator' not in sys.modules\n"
        "from sheets_sync.errors import BadAddress\n"
        "try:\n"
        "    check_address('jos\u00e9@example.com')\n"
        "except BadAddress:\n"
        "    pass\n"
        "assert 'email_validator' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@given(st.lists(st.sampled_from(["local", "LOCAL", "test", "arpa", "home", "onion", "invalid", "localhost", "xlocal",
                                 "example", "", " ", "."]), max_size=5).map(".".join) | st.text(max_size=20))
def test_special_use_is_the_name_the_domain_is_under(domain: str) -> None:
    name = domain.strip().lower()
    under = [r for r in (*addresses.SPECIAL_USE, *addresses.NEVER) if name == r or name.endswith("." + r)]
    assert addresses.special_use(domain) == (under[0] if under else "")
