"""The Sync Log counts outbox drafts (issue 20 item 8 meets issue 19): a run with no mail
server writes its emails to the outbox as drafts, and its row says so under Emails drafted,
not Emails sent 0 as though nothing had gone anywhere. Both backends, through the CLI."""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sheets_sync import init as init_lib
from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.cli import cli
from sheets_sync.config import Config

MON = dt.date(2026, 11, 30)


def _open(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, Any]:
    if kind == "excel":
        path = init_lib.create(tmp_path / "clients.xlsx", sample=True, today=MON)
        return str(path), ExcelBackend(path)
    request.getfixturevalue("api")
    key = init_lib.create_google("Clients", config=Config(), sample=True, today=MON)
    return f"gsheet:{key}", GoogleBackend(key)


@pytest.mark.parametrize("kind", ["excel", "google"])
def test_drafts_are_counted_in_the_sync_log(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    source, backend = _open(kind, tmp_path, request)
    outbox = tmp_path / "out"
    result = CliRunner().invoke(cli, ["sync", source, "--today", MON.isoformat(), "--json", "--outbox", str(outbox)])
    assert result.exit_code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    # Hand count: the client emails are the .eml files addressed to a client, not an owner's digest.
    client_files = [p for p in outbox.glob("*.eml") if not p.name.startswith("digest_")]
    for path in client_files:
        assert email.message_from_bytes(path.read_bytes(), policy=policy.default)["X-Unsent"] == "1"
    assert client_files and report["emails_drafted"] == len(client_files) and report["emails_sent"] == 0

    sheet = backend.read().sheet("Sync Log")
    assert sheet is not None
    headers = [str(h) for h in sheet.rows[0]]
    assert headers.index("Emails drafted") == headers.index("Emails sent") + 1
    row = dict(zip(headers, sheet.rows[1], strict=False))
    assert int(row["Emails sent"]) == 0
    assert int(row["Emails drafted"]) == len(client_files)

    log_line = (backend.state_dir() / "sheets-sync.log").read_text(encoding="utf-8").splitlines()[-1]
    assert f"0 sent, {len(client_files)} drafted (outbox)" in log_line
