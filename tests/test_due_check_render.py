"""due renders no email and check renders only to find the templates that fail (issue 21,
round two): their output stays what it was.

``due`` prints the plan, so it composes nothing (``load(render=False)``); its --json must be
the very JSON of a load that rendered every email. ``check`` still renders, because a
template that fails for one client is one of the problems it lists.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync import due_list
from sheets_sync.cli import cli
from sheets_sync.sync import load

TODAY = dt.date(2026, 11, 23)
BENCH = Path(__file__).resolve().parents[1] / "scripts" / "bench_excel.py"


def sample(tmp_path: Path) -> Path:
    book = tmp_path / "clients.xlsx"
    made = CliRunner().invoke(cli, ["init", str(book), "--sample", "--today", TODAY.isoformat()])
    assert made.exit_code == 0, made.output
    return book


def bench_book(tmp_path: Path, n: int) -> Path:
    pytest.importorskip("xlsxwriter")
    spec = importlib.util.spec_from_file_location("bench_excel", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    book = tmp_path / f"bench{n}.xlsx"
    bench.build(book, n)
    return book


def due_json_cli(book: Path, today: dt.date) -> dict:
    result = CliRunner().invoke(cli, ["due", str(book), "--today", today.isoformat(), "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.mark.parametrize("which", ["sample", "bench1000"])
def test_due_json_is_that_of_a_run_that_rendered_every_email(tmp_path: Path, which: str) -> None:
    book = sample(tmp_path) if which == "sample" else bench_book(tmp_path, 1000)
    for today in (TODAY, TODAY + dt.timedelta(days=1)):
        rendered = load(str(book), today)
        assert rendered.composed.messages, "the rendering run composed nothing: the comparison would be empty"
        expected = json.loads(json.dumps(due_list.due_json(rendered, None), default=str))
        assert due_json_cli(book, today) == expected


def test_due_leaves_the_emails_unrendered(tmp_path: Path) -> None:
    loaded = load(str(sample(tmp_path)), TODAY, render=False)
    assert loaded.plan.emails and not loaded.composed.messages and not loaded.composed.problems


def test_check_lists_a_template_that_fails_for_one_client(tmp_path: Path) -> None:
    book = sample(tmp_path)
    # check plans for the real date; a sample client untouched for months stays due on every later day
    emails = [a for a in load(str(book), dt.date.today()).plan.emails if a.step.template == "checkin"]
    assert emails, "the sample has a check-in email due on every day after its anchor (Mon 23 Nov 2026)"
    victim = emails[0].client.client_id
    own = tmp_path / "templates"
    own.mkdir()
    built_in = Path(__file__).resolve().parents[1] / "templates" / "checkin.txt"
    (own / "checkin.txt").write_text(
        built_in.read_text(encoding="utf-8").replace(
            "Dear {{ client.first_name }},",
            f'Dear {{{{ client.first_name }}}},{{% if client.id == "{victim}" %}}{{{{ no_such_value }}}}{{% endif %}}', 1),
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(book), "--json"])
    assert result.exit_code == 1, result.output
    failing = [p for p in json.loads(result.output)["problems"] if p["sheet"] == "templates/checkin.txt"]
    assert len(failing) == 1, failing
    assert "no_such_value" in failing[0]["message"] and victim in failing[0]["message"]
