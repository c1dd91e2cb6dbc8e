"""A draft waiting in the outbox is not 'due' (issue 20 item 8 meets due and the digest):
once a run has written an email to the outbox, due and the owner's digest say the draft is
waiting to be sent and since when, instead of listing the email as due again (a person
reading 'email due' would send it by hand, and then the draft too). Both backends, through
the CLI; the expected drafts are the keys of the .eml files the first run wrote."""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync import init as init_lib
from sheets_sync.cli import cli
from sheets_sync.config import Config

MON, TUE = dt.date(2026, 11, 30), dt.date(2026, 12, 1)
WALTER = "checkin:C-0007:2026-08-28"  # the sample's tier C check-in, due Fri 27 Nov, James's client


def _source(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "excel":
        return str(init_lib.create(tmp_path / "clients.xlsx", sample=True, today=MON))
    request.getfixturevalue("api")
    return "gsheet:" + init_lib.create_google("Clients", config=Config(), sample=True, today=MON)


def _read(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


def _text(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


@pytest.mark.parametrize("kind", ["excel", "google"])
def test_due_and_the_digest_say_the_draft_waits(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    source, outbox = _source(kind, tmp_path, request), tmp_path / "out"
    run = CliRunner().invoke(cli, ["sync", source, "--today", MON.isoformat(), "--outbox", str(outbox), "--yes"])
    assert run.exit_code in (0, 1), run.stderr
    drafted = {str(_read(p)["X-Sheets-Sync-Key"]): str(_read(p)["Reply-To"])
               for p in outbox.glob("*.eml") if not p.name.startswith("digest_")}
    assert WALTER in drafted and len(drafted) >= 5

    due = CliRunner().invoke(cli, ["due", source, "--today", TUE.isoformat(), "--json"])
    assert due.exit_code in (0, 1), due.stderr
    report = json.loads(due.stdout)
    waiting = {a["key"]: a for a in report["actions"] if a.get("draft_waiting_since")}
    assert set(waiting) == set(drafted)  # every draft of Monday, and nothing else
    assert {a["draft_waiting_since"] for a in waiting.values()} == {"2026-11-30"}
    for bucket in report["owners"].values():
        assert not {a["key"] for a in bucket["emails"]} & set(drafted)
    james = report["owners"]["james@harborlane.example"]
    assert WALTER in {a["key"] for a in james["drafts_waiting"]}

    text = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["due", source, "--today", TUE.isoformat(),
                                                         "--owner", "james@harborlane.example"]).stdout
    walter_lines = [line for line in text.splitlines() if "Walter Huang" in line]
    assert walter_lines == ["- Walter Huang (C-0007): written to the outbox Mon 30 Nov, not sent yet "
                            "(Client C-0007: tier C check-in every 90 days; last touch 95 days ago)"], text
    james_drafts = sum(1 for owner in drafted.values() if owner == "james@harborlane.example")
    assert {a["key"] for a in james["drafts_waiting"]} == {k for k, o in drafted.items() if o == "james@harborlane.example"}
    assert f"{james_drafts} draft(s) waiting in the outbox" in text

    run = CliRunner().invoke(cli, ["sync", source, "--today", TUE.isoformat(), "--outbox", str(outbox), "--yes"])
    assert run.exit_code in (0, 1), run.stderr
    assert not list(outbox.glob("checkin_C-0007_*2.eml"))  # not written again
    digest = _text(_read(outbox / f"digest_james@harborlane.example_{TUE.isoformat()}.eml"))
    section = digest.split("DRAFTS WAITING IN THE OUTBOX")[1]
    assert "- Walter Huang: written Mon 30 Nov, not sent yet" in section
