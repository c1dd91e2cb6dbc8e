"""The bundled sample is set up: its Settings sheet has a From address
(office@harborlane.example), so `check` on it lists only its six deliberate mistakes and what
they hold back, no set-up line, and its outbox drafts come from the office. Both backends,
through the CLI; the shipped sample_workbook.xlsx too (it is built by scripts/make_sample.py)."""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync import init as init_lib
from sheets_sync.cli import cli
from sheets_sync.config import Config

MON = dt.date(2026, 11, 23)
SHIPPED = Path(__file__).resolve().parent.parent / "sample_workbook.xlsx"
# The sample's deliberate mistakes, at their cells: a Status typed 'Actve', Client ID C-0017
# on two rows, 'jane.doe@@example.com', a task for the unknown C-0099, a task due 'next Tuesday'.
MISTAKES = {"Clients!H17", "Clients!A20", "Clients!A43", "Clients!D24", "Tasks!B14", "Tasks!F15"}


def _check(source: str) -> tuple[int, dict, str]:
    as_json = CliRunner().invoke(cli, ["check", source, "--json"])
    text = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["check", source])
    return as_json.exit_code, json.loads(as_json.stdout), text.stdout


def _assert_only_the_mistakes(code: int, report: dict, text: str) -> None:
    assert code == 1
    assert report["setup"] == [] and "Set-up:" not in text and "From address" not in text
    cells = {f"{p['sheet']}!{p['cell']}" for p in report["problems"]}
    assert MISTAKES <= cells
    for problem in report["problems"]:
        if f"{problem['sheet']}!{problem['cell']}" not in MISTAKES:  # what the mistakes hold back
            assert problem["sheet"] in ("Sales", "Touches") and "until that is fixed" in problem["message"]


@pytest.mark.parametrize("kind", ["excel", "google"])
def test_the_sample_has_a_from_address_and_only_its_mistakes(kind: str, tmp_path: Path,
                                                             request: pytest.FixtureRequest) -> None:
    if kind == "excel":
        path = init_lib.create(tmp_path / "clients.xlsx", sample=True, today=MON)
        source = str(path)
        settings = {r[0]: r[1] for r in openpyxl.load_workbook(path)["Settings"].iter_rows(values_only=True)}
        assert settings["From address"] == "office@harborlane.example"
    else:
        request.getfixturevalue("api")
        source = "gsheet:" + init_lib.create_google("Clients", config=Config(), sample=True, today=MON)
    _assert_only_the_mistakes(*_check(source))

    outbox = tmp_path / "out"
    run = CliRunner().invoke(cli, ["sync", source, "--today", MON.isoformat(), "--outbox", str(outbox), "--yes"])
    assert run.exit_code == 1, run.stderr
    drafts = [p for p in outbox.glob("*.eml") if not p.name.startswith("digest_")]
    assert drafts
    for path in drafts:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert msg["From"] == "Harbor Lane Insurance <office@harborlane.example>"
        assert msg["Reply-To"].endswith("@harborlane.example") and msg["Reply-To"] != "office@harborlane.example"


def test_the_shipped_sample_too(tmp_path: Path) -> None:
    copy = tmp_path / "sample_workbook.xlsx"
    copy.write_bytes(SHIPPED.read_bytes())
    _assert_only_the_mistakes(*_check(str(copy)))
