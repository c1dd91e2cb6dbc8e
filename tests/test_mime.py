"""The bytes of an email: what any mail program reads back exactly, and what the standard
library's email generator writes for the same message."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.charset import QP, Charset
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.mail.message import Message
from sheets_sync.mail.mime import _address, _header, clean_header, email_bytes, list_unsubscribe

WHEN = dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)
UTF8_QP = Charset("utf-8")
UTF8_QP.body_encoding = QP


def read_back(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def reference(message: Message, sender: str, reply_to: str, message_id: str, boundary: str, linesep: str) -> bytes:
    """The same message built with the email package's classes and flattened by its generator."""
    def part(body: str, subtype: str) -> MIMEText:
        short_ascii = body.isascii() and all(len(line) <= 998 for line in body.splitlines())
        return MIMEText(body, subtype, "us-ascii" if short_ascii else UTF8_QP)

    mime: MIMEBase
    if message.html:
        parts = [part(message.text, "plain"), part(message.html, "html")]
        for p in parts:
            del p["MIME-Version"]
        mime = MIMEMultipart("alternative", boundary=boundary, _subparts=parts)
    else:
        mime = part(message.text, "plain")
    name, address = email.utils.parseaddr(clean_header(sender))
    mime["From"] = _address(name, address) if address else "sheets-sync <sheets-sync@localhost>"
    mime["To"] = _address(clean_header(message.to_name), clean_header(message.to))
    mime["Subject"] = _header(clean_header(message.subject))
    mime["Date"] = email.utils.format_datetime(WHEN)
    mime["Message-ID"] = message_id
    if reply_to:
        reply_name, reply_address = email.utils.parseaddr(clean_header(reply_to))
        mime["Reply-To"] = _address(reply_name, reply_address) if reply_address else _header(clean_header(reply_to))
    mime["X-Sheets-Sync-Key"] = _header(clean_header(message.key))
    if message.kind == "email" and list_unsubscribe(address):  # the sender's address, in ASCII
        mime["List-Unsubscribe"] = list_unsubscribe(address)
    return mime.as_bytes(policy=email.policy.compat32.clone(linesep=linesep))


words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
ascii_words = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=90)
bodies = st.lists(st.one_of(ascii_words, words, st.text(st.sampled_from("ab é\r\n="), max_size=1200)),
                  max_size=6).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(text=bodies, html=st.one_of(st.none(), bodies), subject=st.one_of(ascii_words, words),
       to_name=st.one_of(ascii_words, words), key=st.one_of(ascii_words, st.just("task:T-1:reminder:2")),
       reply_to=st.sampled_from(["", "Desk <desk@harbor.example>", "Zoë <zoe@bücher.example>", "not an address"]),
       sender=st.sampled_from(["", "Harbor <office@harbor.example>", "Harbor Läne <office@bücher.example>"]),
       message_id=st.sampled_from(["<1.checkin.C-1@harbor.example>", "<" + "x" * 80 + "@harbor.example>"]),
       linesep=st.sampled_from(["\n", "\r\n"]))
def test_the_bytes_are_those_the_standard_generator_writes(text, html, subject, to_name, key, reply_to, sender,
                                                           message_id, linesep):
    message = Message(key, "client@example.com", subject, text, html, to_name=to_name)
    boundary = "=_ss_0123456789abcdef01234567"
    wire = email_bytes(message, sender, reply_to, WHEN, linesep=linesep, message_id=message_id, boundary=boundary)
    assert wire.data == reference(message, sender, reply_to, message_id, boundary, linesep)
    assert wire.message_id == message_id


def test_non_ascii_names_subject_and_body_round_trip():
    body = "Bonjour Zoë,\n\nVotre solde de 3 323,00 € est dû.\n" + "x" * 1200 + "\n"
    message = Message("task:T-1:reminder:2", "zoe@example.com", "Règlement — facture n°12 " * 4, body,
                      "<p>Bonjour Zoë</p>\n", to_name="Zoë Ünal, Jr.")
    wire = email_bytes(message, "Harbor Läne <office@bücher.example>", "Desk <desk@harbor.example>", WHEN)
    data = wire.data
    assert data.isascii() and max(len(line) for line in data.splitlines()) <= 998
    parsed = read_back(data)
    assert str(parsed["To"]) == '"Zoë Ünal, Jr." <zoe@example.com>'
    assert str(parsed["Subject"]) == message.subject.strip()
    assert str(parsed["From"]) == "Harbor Läne <office@xn--bcher-kva.example>"
    assert str(parsed["Reply-To"]) == "Desk <desk@harbor.example>"
    assert str(parsed["Message-ID"]) == wire.message_id and wire.message_id.endswith("@xn--bcher-kva.example>")
    assert parsed["Date"].datetime == WHEN
    assert parsed["MIME-Version"] == "1.0" and parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content() == body
    assert parsed.get_body(("html",)).get_content() == message.html


def test_a_plain_ascii_message_is_one_readable_7bit_part():
    message = Message("checkin:C-1:2026-08-01", "bob@example.com", "Checking in", "Hi Bob,\nHow are things?\n")
    data = email_bytes(message, "", when=WHEN).data
    parsed = read_back(data)
    assert parsed.get_content_type() == "text/plain" and parsed["Content-Transfer-Encoding"] == "7bit"
    assert b"Hi Bob,\nHow are things?\n" in data
    assert str(parsed["From"]) == "sheets-sync <sheets-sync@localhost>"
    assert parsed["X-Sheets-Sync-Key"] == "checkin:C-1:2026-08-01"


def test_each_message_has_its_own_id_and_boundary_and_headers_fit_one_line():
    message = Message("task:T-100000:reminder:3", "bob@example.com", "Invoice", "text\n", "<p>html</p>\n")
    first, second = (email_bytes(message, "Harbor <office@harbor.example>", when=WHEN) for _ in range(2))
    assert first.message_id != second.message_id
    header = first.data.split(b"\n\n")[0].decode()
    assert all(len(line) <= 78 for line in header.splitlines())  # nothing needed folding
    assert read_back(first.data).get_boundary() != read_back(second.data).get_boundary()


def test_a_header_cannot_be_smuggled_in_through_a_sheet_value():
    message = Message("k", "bob@example.com", "Hello\r\nBcc: all@example.com", "text\n", to_name="Bob\u2028Cc: x@y.z\x1e")
    parsed = read_back(email_bytes(message, "", when=WHEN).data)
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert parsed["Subject"] == "Hello Bcc: all@example.com"


def test_a_non_ascii_subject_is_encoded_not_raw():
    data = email_bytes(Message("k", "a@example.com", "Zoë", "x\n"), "", when=WHEN).data
    assert b"Subject: =?utf-8?" in data and str(read_back(data)["Subject"]) == "Zoë"
    assert isinstance(_header("Zoë"), Header)


def test_headers_around_the_folding_width_match_the_generator():
    for length in range(60, 100):
        for subject in ("s" * length, ("word " * 30)[:length]):
            message = Message("k", "a@example.com", subject, "x\n")
            for linesep in ("\n", "\r\n"):
                wire = email_bytes(message, "", "", WHEN, linesep=linesep, message_id="<1@x>", boundary="b")
                assert wire.data == reference(message, "", "", "<1@x>", "b", linesep), (length, subject)


def test_a_line_break_in_a_task_description_stays_in_the_subject(tmp_path):
    """Issue 16 item 15: the value's break must not end the template's Subject line, or the
    rest ("Bcc: spy@evil.test") would start the body."""
    from sheets_sync.mail.render import Templates

    (tmp_path / "reminder.txt").write_text("Subject: About {{ task.description }}\n\nDear {{ name }},\n"
                                           "{{ task.description }}\n")
    rendered = Templates([tmp_path]).render(
        "reminder", {"task": {"description": "Renewal\nBcc: spy@evil.test\r\nSubject: pwned"}, "name": "Ann"})
    assert rendered.subject == "About Renewal Bcc: spy@evil.test Subject: pwned"
    assert rendered.text == "Dear Ann,\nRenewal\nBcc: spy@evil.test\nSubject: pwned\n"  # the body keeps its lines
    message = Message(key="task:T-0001:reminder:1", to="ann@example.com", to_name="Ann\nBcc: x@evil.test",
                      subject=rendered.subject, text=rendered.text)
    parsed = read_back(email_bytes(message, "Office <office@harbor.example>", when=WHEN).data)
    assert parsed["Subject"] == "About Renewal Bcc: spy@evil.test Subject: pwned"
    assert parsed["Bcc"] is None and parsed.get_all("Subject") == [parsed["Subject"]]
    assert parsed["To"].addresses[0].addr_spec == "ann@example.com"
    assert parsed.get_content().startswith("Dear Ann,\n")


def test_an_encoded_word_typed_in_a_value_reads_back_as_typed():
    """Issue 16 item 15: '=?utf-8?b?...?=' typed into a Name must not be decoded by the mail
    program into other text."""
    typed = "=?utf-8?b?UGF5IG5vdyB0byBldmlsLnRlc3Q=?="  # "Pay now to evil.test"
    message = Message(key="task:T-0001:reminder:1", to="ann@example.com", to_name=f"{typed} Ann",
                      subject=f"Hello {typed}", text="Hi\n")
    parsed = read_back(email_bytes(message, f"{typed} <office@harbor.example>", f"{typed} <desk@harbor.example>",
                                   when=WHEN).data)
    assert parsed["Subject"] == f"Hello {typed}"
    assert parsed["To"].addresses[0].display_name == f"{typed} Ann"
    assert parsed["From"].addresses[0].display_name == typed
    assert parsed["Reply-To"].addresses[0].display_name == typed
    assert "Pay now" not in str(parsed["Subject"]) + str(parsed["To"]) + str(parsed["From"])


def test_a_client_email_says_how_to_unsubscribe_and_a_digest_does_not():
    email_msg = Message(key="task:T-1:reminder:2", to="ann@example.com", subject="Balance", text="Dear Ann\n")
    digest = Message(key="digest:maria@x.example:2026-11-23", to="maria@x.example", subject="Today", text="Calls\n",
                     kind="digest")
    sent = read_back(email_bytes(email_msg, "Harbor <office@harbor.example>").data)
    assert sent["List-Unsubscribe"] == "<mailto:office@harbor.example?subject=unsubscribe>"
    assert read_back(email_bytes(digest, "Harbor <office@harbor.example>").data)["List-Unsubscribe"] is None
    idn = read_back(email_bytes(email_msg, "Läne <office@bücher.example>").data)
    assert idn["List-Unsubscribe"] == "<mailto:office@xn--bcher-kva.example?subject=unsubscribe>"
