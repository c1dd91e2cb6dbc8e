"""The mailbox as a local Maildir folder (``[imap] maildir``, ``SHEETS_SYNC_IMAP_MAILDIR``),
end to end through the command line: emails go out over SMTP (aiosmtpd), the answers are
files in a Maildir, and ``inbox`` / ``sync`` read them into a real .xlsx (read back with
openpyxl) through the same matching and acting as over IMAP. The demo's mailbox part
(scripts/demo_mailbox.sh) runs on a copy of the bundled sample."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from inbound_mail import auto_reply, postfix_bounce, reply
from smtp_server import MailServer
from workbooks import (
    CLIENT_HEADER,
    TASK_HEADER,
    TOUCH_HEADER,
    as_date,
    column,
    read_rows,
    write_workbook,
)

from sheets_sync.cli import cli

D = dt.date
MON, TUE = D(2026, 11, 23), D(2026, 11, 24)
OWNER = "maria@agency.example"
ROOT = Path(__file__).resolve().parent.parent


def workbook(path: Path) -> Path:
    """Prospect C-1 (will answer); active clients with a payment reminder due MON: C-3
    (bounces), C-4 (away until 7 December)."""
    clients = [
        ["C-1", "Pat Prospect", "", "pat@example.com", "", OWNER, "B", "Prospect", D(2026, 11, 19), None, None, ""],
        ["C-3", "Bo Bounce", "", "bo@example.com", "", OWNER, "B", "Active", D(2024, 1, 1), None, None, ""],
        ["C-4", "Al Away", "", "al@example.com", "", OWNER, "B", "Active", D(2024, 1, 1), None, None, ""],
    ]
    tasks = [[f"T-{i}", f"C-{i}", "Payment", "Balance", 100 * i, D(2026, 12, 31), MON, "Open", None] for i in (3, 4)]
    touches = [[D(2026, 11, 1), f"C-{i}", None, "Call", "Out", OWNER, "Checked in", None] for i in (3, 4)]
    return write_workbook(path, {"Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER, *tasks],
                                 "Touches": [TOUCH_HEADER, *touches]})


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def maildir(path: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def deliver(box: Path, name: str, data: bytes, day: dt.date = MON) -> Path:
    """A file as a mail server delivers it: into new/, dated the day it came."""
    path = box / "new" / name
    path.write_bytes(data)
    stamp = dt.datetime(day.year, day.month, day.day, 15, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def snapshot(box: Path) -> dict[str, bytes]:
    return {str(p.relative_to(box)): p.read_bytes() for p in sorted(box.rglob("*")) if p.is_file()}


def inbound(path: Path) -> list[dict[str, object]]:
    rows = read_rows(path, "Touches")
    return [r for r in (dict(zip(rows[0], row, strict=False)) for row in rows[1:])
            if str(r["Ref"] or "").startswith("in:")]


def first_sync(tmp_path: Path, smtp: MailServer, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, str]]:
    book = workbook(tmp_path / "clients.xlsx")
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    code, out, err = run("sync", str(book), "--today", MON.isoformat())
    assert (code, err) == (0, ""), out
    return book, {r.key: r.parsed()["Message-ID"] for r in smtp.received}


def test_a_maildir_is_read_like_the_mailbox_never_changed_and_a_rerun_changes_nothing(tmp_path, smtp, monkeypatch):
    book, ids = first_sync(tmp_path, smtp, monkeypatch)
    box = maildir(tmp_path / "Mail")
    deliver(box, "1795446001.M1P1.host", reply("Pat Prospect <pat@example.com>", "Re: Your quote",
                                                "Yes please, call me on Thursday.\nPat", MON,
                                                answers=ids["prospect:C-1:touch:1"], quoted="Dear Pat,\nyour quote"))
    deliver(box, "1795446002.M2P1.host", auto_reply("al@example.com", "Payment", MON, D(2026, 12, 7), lang="de",
                                                    answers=ids["task:T-4:reminder:1"]))
    deliver(box, "1795446003.M3P1.host", postfix_bounce("bo@example.com", ids["task:T-3:reminder:1"], MON))
    deliver(box, "1795446004.M4P1.host", reply("stranger@elsewhere.example", "Hello", "Who are you?", MON))
    deliver(box, "1795446005.M5P1.host", b"\x00\x01 not a message at all \xff\n")
    (box / "new" / ".hidden").write_bytes(b"not a message: names starting with a dot are skipped")
    (box / "tmp" / "1795446006.M6P1.host").write_bytes(reply("pat@example.com", "half", "delivered", MON))
    before = snapshot(box)
    monkeypatch.setenv("SHEETS_SYNC_IMAP_MAILDIR", str(box))

    code, out, err = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert (code, err) == (0, ""), out
    report = json.loads(out)["inbox"]
    assert (report["messages_read"], report["unmatched"], report["unreadable"]) == (5, 1, 1)
    assert [(e["client_id"], e["task_id"], e["kind"]) for e in report["events"]] == [
        ("C-1", None, "reply"), ("C-4", "T-4", "auto_reply"), ("C-3", "T-3", "bounce")]
    assert snapshot(box) == before  # nothing moved, renamed, flagged or written
    logged = {t["Client ID"]: t for t in inbound(book)}
    assert logged["C-1"]["Summary"] == "Re: Your quote: Yes please, call me on Thursday. Pat"
    assert (logged["C-1"]["Direction"], as_date(logged["C-1"]["Date"])) == ("In", MON)
    assert logged["C-4"]["Result"] == "automatic reply: back 2026-12-07"
    status = dict(zip(column(book, "Clients", "Client ID"), column(book, "Clients", "Email Status"), strict=True))
    assert str(status["C-3"]).startswith("Bounced 2026-11-23 (bo@example.com): 550 5.1.1")

    code, out, _ = run("due", str(book), "--today", TUE.isoformat(), "--json")
    calls = {(a["client_id"], a["rule"]) for a in json.loads(out)["actions"] if a["kind"] == "call"}
    assert ("C-1", "prospect-replied") in calls

    written = book.read_bytes()
    code, out, err = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["inbox"] == {"messages_read": 0, "unmatched": 0, "unreadable": 0, "events": []}
    assert book.read_bytes() == written


def test_files_moved_flagged_or_removed_between_runs_and_a_lost_state_act_on_nothing_twice(tmp_path, smtp,
                                                                                           monkeypatch):
    book, ids = first_sync(tmp_path, smtp, monkeypatch)
    box = maildir(tmp_path / "Mail")
    pat = deliver(box, "1795446001.M1P1.host", reply("pat@example.com", "Re: quote", "Call me.", MON,
                                                     answers=ids["prospect:C-1:touch:1"]))
    stranger = deliver(box, "1795446002.M2P1.host", reply("stranger@elsewhere.example", "Hi", "?", MON))
    monkeypatch.setenv("SHEETS_SYNC_IMAP_MAILDIR", str(box))
    code, out, _ = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    assert code == 0 and json.loads(out)["inbox"]["messages_read"] == 2

    # A mail client reads one (new/ -> cur/ with its flags) and deletes the other; one more arrives.
    pat.rename(box / "cur" / (pat.name + ":2,S"))
    stranger.unlink()
    deliver(box, "1795446003.M3P1.host", postfix_bounce("bo@example.com", ids["task:T-3:reminder:1"], TUE), TUE)
    code, out, _ = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    report = json.loads(out)["inbox"]
    assert (report["messages_read"], [e["kind"] for e in report["events"]]) == (1, ["bounce"])
    state = json.loads((tmp_path / ".sheets-sync" / "clients.xlsx" / "maildir-state.json").read_text())
    assert sorted(state["seen"]) == ["1795446001.M1P1.host", "1795446003.M3P1.host"]  # the deleted one forgotten

    # The state is an optimisation: without it everything is read again, nothing acted on twice.
    (tmp_path / ".sheets-sync" / "clients.xlsx" / "maildir-state.json").unlink()
    code, out, _ = run("inbox", str(book), "--today", TUE.isoformat(), "--json")
    again = json.loads(out)
    assert (again["inbox"]["messages_read"], again["inbox"]["events"], again["rows_appended"]) == (2, [], 0)
    assert len(inbound(book)) == 2


def test_the_config_file_names_the_folder_and_a_folder_that_is_no_maildir_is_one_line(tmp_path, smtp, monkeypatch):
    book, ids = first_sync(tmp_path, smtp, monkeypatch)
    box = maildir(tmp_path / "Mail")
    deliver(box, "1795446001.M1P1.host", reply("pat@example.com", "Re: quote", "Call me.", MON,
                                               answers=ids["prospect:C-1:touch:1"]))
    old = deliver(box, "1700000000.M0P1.host", reply("al@example.com", "Re: long ago", "Old.", D(2026, 9, 1)),
                  D(2026, 9, 1))
    assert old.exists()
    config = tmp_path / "sheets-sync.toml"
    config.write_text('[imap]\nmaildir = "Mail-missing"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("inbox", str(book), "--today", TUE.isoformat())
    assert code == 3 and len(err.strip().splitlines()) == 1, (out, err)
    assert "Mail-missing is not a Maildir" in err and "Traceback" not in err
    # sync goes on without the inbox and says so once
    code, out, err = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    assert code == 1
    problems = [p for p in json.loads(out)["problems"] if "mailbox was not read" in p["message"]]
    assert len(problems) == 1

    config.write_text('[imap]\nmaildir = "Mail"\n', encoding="utf-8")  # relative to where it runs
    code, out, err = run("sync", str(book), "--today", TUE.isoformat(), "--json")
    assert (code, err) == (0, ""), out
    report = json.loads(out)
    # the first read covers the last 30 days, by the files' times: the September one is left
    assert (report["inbox"]["messages_read"], [e["client_id"] for e in report["inbox"]["events"]]) == (1, ["C-1"])
    assert ("C-1", "prospect-replied") in {(a["client_id"], a["rule"]) for a in report["actions"]}


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_demo_shows_replies_read_from_its_mailbox_folder(tmp_path):
    demo = tmp_path / "demo"
    demo.mkdir()
    shutil.copy(ROOT / "sample_workbook.xlsx", demo / "clients.xlsx")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env["SHEETS_SYNC_HOME"] = str(tmp_path / "no-config")
    sheets_sync = Path(sys.executable).parent / "sheets-sync"
    first = subprocess.run([str(sheets_sync), "sync", "demo/clients.xlsx", "--today", "2026-11-23"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 1, first.stderr  # the sample's deliberate mistakes
    shown = subprocess.run(["bash", str(ROOT / "scripts" / "demo_mailbox.sh"), "demo", "2026-11-23"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[:4] == [
        "== Mail arrives in demo/mailbox (a Maildir folder: [imap] maildir, or SHEETS_SYNC_IMAP_MAILDIR)",
        "  C-0038: olivia.grant@example.com: Re: Any questions about your quote?",
        "  C-0007: walter.huang@example.com: Abwesenheitsnotiz: How are we doing, Walter?",
        "  C-0030: MAILER-DAEMON@mail.harborlane.example (Mail Delivery System): Undelivered Mail Returned to Sender"]
    assert ["Inbox: 3 message(s) read; 0 from no known client, 0 unreadable.", "  Replies: 1 (C-0038)",
            "  Automatic replies: 1 (C-0007)", "  Bounces: 1 (C-0030)"] == lines[6:10]
    text = " ".join(shown.stdout.split())
    assert "Prospect C-0038 answered on Mon 23 Nov: the sequence stopped; follow up and set the Status" in text
    assert "Email Status: Bounced 2026-11-23, so call instead" in text
    # the reply answers the email the prospect got: its In-Reply-To is that email's Message-ID
    sent = (demo / "outbox" / "clients" / "prospect_C-0038_touch_3.eml").read_text()
    sent_id = next(line.split(":", 1)[1].strip() for line in sent.splitlines() if line.startswith("Message-ID:"))
    answer = next((demo / "mailbox" / "new").glob("*.sample1.*")).read_text()
    assert f"In-Reply-To: {sent_id}" in answer
    touches = inbound(demo / "clients.xlsx")
    assert sorted(str(t["Client ID"]) for t in touches) == ["C-0007", "C-0030", "C-0038"]
