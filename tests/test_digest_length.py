"""An owner's digest lists at most DIGEST_ITEMS of each kind and says how many more there are:
a list of thousands is not read, and past 1,000,000 characters the digest was refused as too
costly, so the owner of a big book got none at all. The subject still counts every call."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli
from sheets_sync.mail.compose import DIGEST_ITEMS

TODAY = "2026-11-23"  # a Monday
OWNER = "tom@agency.example"
HEADER = ["Client ID", "Name", "Email", "Phone", "Owner", "Tier", "Status", "Client Since"]


def digest_of(tmp_path: Path, clients: int) -> str:
    """The owner's digest after the first sync of ``clients`` tier A clients nobody ever
    touched and who have no email address: each is a check-in call and at risk."""
    rows = [[f"C-{n}", f"Client {n}", None, f"555-{n:04d}", OWNER, "A", "Active", D(2024, 1, 1)]
            for n in range(1, clients + 1)]
    path = write_workbook(tmp_path / "book.xlsx", {"Clients": [HEADER, *rows], "Tasks": [TASK_HEADER],
                                                   "Touches": [TOUCH_HEADER], "Settings": [["Setting", "Value"], ["Business name", "Harbor Lane"]]})
    result = CliRunner().invoke(cli, ["sync", str(path), "--today", TODAY, "--outbox", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes((tmp_path / "out" / f"digest_{OWNER}_{TODAY}.eml").read_bytes(),
                                       policy=policy.default)
    assert f"{clients} calls" in message["Subject"]  # type: ignore[operator]
    part = message.get_body(("plain",))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content())


@pytest.mark.parametrize(("clients", "more_calls"), [
    (DIGEST_ITEMS, None),
    (DIGEST_ITEMS + 1, "... and 1 more call: the Next Action column of the Clients sheet has every one."),
    (DIGEST_ITEMS + 37, "... and 37 more calls: the Next Action column of the Clients sheet has every one."),
])
def test_the_digest_lists_the_first_calls_and_counts_the_rest(tmp_path: Path, clients: int,
                                                              more_calls: str | None) -> None:
    text = digest_of(tmp_path, clients)
    numbered = re.findall(r"^(\d+)\. Client (\d+)", text, flags=re.M)
    assert [int(n) for n, _ in numbered] == list(range(1, DIGEST_ITEMS + 1))
    at_risk = re.findall(r"^- Client \d+ \(tier A\), 555-\d{4}: never touched$", text, flags=re.M)
    assert len(at_risk) == DIGEST_ITEMS
    lines = text.splitlines()
    if more_calls is None:
        assert " more call" not in text and " more at risk" not in text
    else:
        assert more_calls in lines
        rest = clients - DIGEST_ITEMS
        assert f"... and {rest} more at risk: `sheets-sync stats` lists them all." in lines
        # the line comes right after the last listed call and its reason
        assert lines.index(more_calls) > lines.index(next(line for line in lines if line.startswith(f"{DIGEST_ITEMS}. ")))
