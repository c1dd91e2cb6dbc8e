"""SmtpMailer against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, how many
sessions, and what happens when the server misbehaves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from smtp_server import PASSWORD, USER, MailServer, down_settings

from sheets_sync.errors import MailError
from sheets_sync.mail.journal import Journal
from sheets_sync.mail.message import Message
from sheets_sync.mail.smtp import SmtpMailer, send_test_email


@pytest.fixture
def start(tmp_path: Path) -> Iterator:
    """Start test servers; all are stopped at the end of the test."""
    servers: list[MailServer] = []

    def _start(**kwargs: object) -> MailServer:
        server = MailServer(tmp_path, **kwargs)  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.stop()


def msg(n: int, **changes: object) -> Message:
    values: dict[str, object] = {
        "key": f"task:T-{n:04d}:reminder:1", "to": f"client{n}@example.com", "to_name": f"Client {n}",
        "subject": f"Your balance, reminder {n}", "text": f"Dear Client {n},\n\nPlease pay.\n",
        "html": f"<p>Dear Client {n},</p><p>Please pay.</p>", "client_id": f"C-{n:04d}",
        "task_id": f"T-{n:04d}", "summary": f"reminder {n}",
    }
    values.update(changes)
    return Message(**values)  # type: ignore[arg-type]


def mailer(server: MailServer, **kwargs: object) -> SmtpMailer:
    return SmtpMailer(server.settings(**kwargs.pop("settings", {})), backoff=0.01, **kwargs)  # type: ignore[arg-type]


def test_a_batch_goes_out_in_one_session_with_every_header_and_both_parts(start):
    server = start()
    messages = [msg(n) for n in range(1, 6)]
    deliveries = mailer(server, settings={"reply_to": "Front Desk <desk@harbor.example>"}).deliver(messages)

    assert [d.status for d in deliveries] == ["sent"] * 5
    assert [d.key for d in deliveries] == [m.key for m in messages]
    assert server.sessions == 1
    assert [r.rcpt_tos for r in server.received] == [[f"client{n}@example.com"] for n in range(1, 6)]
    assert {r.mail_from for r in server.received} == {USER}
    first = server.received[0].parsed()
    assert first["From"] == "Harbor Insurance <office@harbor.example>"
    assert first["To"] == "Client 1 <client1@example.com>"
    assert first["Subject"] == "Your balance, reminder 1"
    assert first["Reply-To"] == "Front Desk <desk@harbor.example>"
    assert first["X-Sheets-Sync-Key"] == "task:T-0001:reminder:1"
    assert first["Message-ID"].endswith("@harbor.example>")
    assert len({r.parsed()["Message-ID"] for r in server.received}) == 5
    assert abs(first["Date"].datetime - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert first.get_content_type() == "multipart/alternative"
    assert first.get_body(("plain",)).get_content() == "Dear Client 1,\n\nPlease pay.\n"
    assert first.get_body(("html",)).get_content().strip() == "<p>Dear Client 1,</p><p>Please pay.</p>"
    assert list(first.iter_attachments()) == []


def test_a_text_only_message_is_one_plain_part(start):
    server = start()
    mailer(server).deliver([msg(1, html=None)])
    parsed = server.received[0].parsed()
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content() == "Dear Client 1,\n\nPlease pay.\n"


def test_the_owner_is_the_reply_to_when_none_is_configured(start):
    server = start()
    mailer(server).deliver([msg(1, headers={"Reply-To": "ann@harbor.example"})])
    assert server.received[0].parsed()["Reply-To"] == "ann@harbor.example"


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_login(start, security):
    server = start(security=security, auth=True)
    deliveries = mailer(server).deliver([msg(1), msg(2), msg(3)])
    assert [d.status for d in deliveries] == ["sent"] * 3
    assert server.logins == [USER]  # one login for the whole run, not one per message
    assert server.sessions == 1
    assert len(server.received) == 3


def test_plain_login_is_used_when_a_user_is_configured(start):
    server = start(auth=True)
    mailer(server).deliver([msg(1)])
    assert server.logins == [USER]


def test_an_untrusted_certificate_is_refused(start):
    server = start(security="starttls", auth=True)
    with pytest.raises(MailError, match="TLS failed") as caught:
        mailer(server, settings={"ca_file": ""}).deliver([msg(1)])
    assert server.received == []
    assert "\n" not in str(caught.value)


def test_a_refused_login_is_one_line_without_the_password(start):
    server = start(security="starttls", auth=True)
    with pytest.raises(MailError) as caught:
        mailer(server, settings={"password": "wrong-secret-xyz"}).deliver([msg(1)])
    text = str(caught.value)
    assert "refused the login for office@harbor.example" in text and "app password" in text
    assert "wrong-secret-xyz" not in text and PASSWORD not in text and "\n" not in text
    assert server.received == []


def test_a_server_that_is_down_is_a_mail_error_and_nothing_is_journaled(tmp_path):
    settings = down_settings()
    with Journal(tmp_path) as journal:
        sender = SmtpMailer(settings, journal=journal, backoff=0.01)
        with pytest.raises(MailError, match=f"cannot reach the mail server 127.0.0.1:{settings.port}"):
            sender.deliver([msg(1)])
        assert journal.entries() == []


def test_sheet_values_never_become_headers(start):
    server = start()
    evil = msg(1, subject="Invoice\r\nBcc: victim@evil.example", to_name="Ann\nCc: x@evil.example",
               to="client1@example.com\r\n")
    [delivery] = mailer(server).deliver([evil])
    assert delivery.status == "sent"
    parsed = server.received[0].parsed()
    assert parsed["Subject"] == "Invoice Bcc: victim@evil.example"
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert server.received[0].rcpt_tos == ["client1@example.com"]


def test_a_body_naming_an_existing_file_is_sent_as_text(start, tmp_path):
    secret = tmp_path / "notes.txt"
    secret.write_text("private file contents")
    server = start()
    mailer(server).deliver([msg(1, text=str(secret), html=str(secret))])
    parsed = server.received[0].parsed()
    assert list(parsed.iter_attachments()) == []
    assert parsed.get_body(("plain",)).get_content().strip() == str(secret)
    assert parsed.get_body(("html",)).get_content().strip() == str(secret)
    assert b"private file contents" not in server.received[0].content


def test_an_invalid_address_fails_with_a_reason_and_is_never_sent(start):
    server = start()
    deliveries = mailer(server).deliver([msg(1, to="ann@@example"), msg(2, to="")])
    assert [d.status for d in deliveries] == ["failed", "failed"]
    assert "'ann@@example' is not a valid email address" in deliveries[0].detail
    assert server.sessions == 0 and server.received == []


def test_a_421_answer_is_retried_on_a_new_session(start):
    server = start()
    server.faults.mail_421 = 1
    deliveries = mailer(server).deliver([msg(1), msg(2)])
    assert [d.status for d in deliveries] == ["sent", "sent"]
    assert server.sessions == 2
    assert server.keys() == {msg(1).key: 1, msg(2).key: 1}


def test_451_is_retried_with_backoff_then_sent_once(start):
    server = start()
    server.faults.data_451 = 2
    pauses: list[float] = []
    sender = SmtpMailer(server.settings(), backoff=0.5, sleep=pauses.append)
    [delivery] = sender.deliver([msg(1)])
    assert delivery.status == "sent"
    assert pauses == [0.5, 1.0]  # bounded, doubling
    assert server.keys() == {msg(1).key: 1} and server.sessions == 1


def test_451_every_time_defers_the_message_to_the_next_run(start, tmp_path):
    server = start()
    server.faults.data_451 = 10
    with Journal(tmp_path / "state") as journal:
        [delivery] = mailer(server, journal=journal, retries=2).deliver([msg(1)])
        assert delivery.status == "deferred" and "451" in delivery.detail
        assert journal.get(msg(1).key).status == "deferred"
        server.faults.data_451 = 0
        [again] = mailer(server, journal=journal).deliver([msg(1)])
    assert again.status == "sent"
    assert server.keys() == {msg(1).key: 1}


def test_a_refused_recipient_fails_alone_and_the_run_goes_on(start):
    server = start()
    server.faults.refuse = {"client2@example.com"}
    deliveries = mailer(server).deliver([msg(1), msg(2), msg(3)])
    assert [d.status for d in deliveries] == ["sent", "failed", "sent"]
    assert "550" in deliveries[1].detail and "No such user" in deliveries[1].detail
    assert server.sessions == 1
    assert sorted(server.keys()) == [msg(1).key, msg(3).key]


def test_a_message_rejected_after_data_fails(start):
    server = start()
    server.faults.data_554 = 1
    deliveries = mailer(server).deliver([msg(1), msg(2)])
    assert [d.status for d in deliveries] == ["failed", "sent"]
    assert "554" in deliveries[0].detail


def test_a_connection_dropped_at_data_is_retried_and_sent_once(start):
    server = start()
    server.faults.drop_at_data = 1
    deliveries = mailer(server).deliver([msg(1), msg(2)])
    assert [d.status for d in deliveries] == ["sent", "sent"]
    assert server.keys() == {msg(1).key: 1, msg(2).key: 1}
    assert server.sessions == 2


def test_a_connection_dropped_after_the_message_is_unknown_and_never_resent(start, tmp_path):
    server = start()
    server.faults.drop_after_data = 1
    with Journal(tmp_path / "state") as journal:
        deliveries = mailer(server, journal=journal).deliver([msg(1), msg(2)])
        assert [d.status for d in deliveries] == ["unknown", "sent"]
        assert "may have been delivered" in deliveries[0].detail
        assert journal.get(msg(1).key).status == "unknown"
        rerun = mailer(server, journal=journal).deliver([msg(1), msg(2)])
    assert [d.status for d in rerun] == ["unknown", "sent"]
    assert server.keys() == {msg(1).key: 1, msg(2).key: 1}


def test_a_refused_sender_stops_the_run_and_keeps_the_rest_for_later(start, tmp_path):
    server = start()
    with Journal(tmp_path / "state") as journal:
        sender = mailer(server, journal=journal)
        sender.deliver([msg(1)])
        server.faults.mail_553 = 1
        with pytest.raises(MailError, match=r"refused mail from office@harbor.example \(553 5.7.1 Sender address rejected"):
            sender.deliver([msg(2), msg(3)])
        assert {e.key: e.status for e in journal.entries()} == {msg(1).key: "sent", msg(2).key: "deferred"}
        assert journal.may_send(msg(2).key)
    assert server.keys() == {msg(1).key: 1}


def test_the_daily_cap_sends_the_most_urgent_first_and_defers_the_rest(start, tmp_path):
    server = start()
    messages = [msg(1, urgency=50), msg(2, urgency=10), msg(3, urgency=90), msg(4, urgency=10)]
    with Journal(tmp_path / "state") as journal:
        deliveries = mailer(server, journal=journal, daily_cap=2).deliver(messages)
        assert [d.status for d in deliveries] == ["deferred", "sent", "deferred", "sent"]
        assert "daily email cap (2)" in deliveries[0].detail
        # Later the same day: the cap counts what the journal says went out today.
        later = mailer(server, journal=journal, daily_cap=3).deliver([msg(1, urgency=50), msg(3, urgency=90)])
    assert [d.status for d in later] == ["sent", "deferred"]
    assert sorted(server.keys()) == [msg(1).key, msg(2).key, msg(4).key]


def test_a_journaled_key_is_never_sent_twice(start, tmp_path):
    server = start()
    with Journal(tmp_path / "state") as journal:
        mailer(server, journal=journal).deliver([msg(1), msg(2)])
        again = mailer(server, journal=journal).deliver([msg(1), msg(2), msg(3)])
        assert [e.status for e in journal.entries()] == ["sent", "sent", "sent"]
    assert [d.status for d in again] == ["sent", "sent", "sent"]
    assert "not sent again" in again[0].detail
    assert server.keys() == {msg(1).key: 1, msg(2).key: 1, msg(3).key: 1}


def test_send_test_email(start):
    server = start(security="starttls", auth=True)
    delivery = send_test_email(server.settings(), "me@harbor.example")
    assert delivery.status == "sent"
    [received] = server.received
    parsed = received.parsed()
    assert received.rcpt_tos == ["me@harbor.example"]
    assert parsed["Subject"] == "sheets-sync test message"
    body = parsed.get_body(("plain",)).get_content()
    assert f"127.0.0.1:{server.port} (starttls) as {USER}" in body
    assert PASSWORD not in received.content.decode()


def test_send_test_email_to_a_bad_address_says_why(start):
    server = start()
    delivery = send_test_email(server.settings(), "not-an-address")
    assert delivery.status == "failed" and "not a valid email address" in delivery.detail


def test_send_test_email_to_a_server_that_is_down():
    with pytest.raises(MailError, match="cannot reach the mail server"):
        send_test_email(down_settings(), "me@harbor.example")
