"""Runs nobody watches, through the command line: --quiet output, the heartbeat (a local HTTP
server started here) and the admin's alert email (aiosmtpd). An alarm never changes the exit code."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import MailServer, free_port

from sheets_sync import init as init_lib
from sheets_sync.cli import cli

MON = dt.date(2026, 11, 30)


class Pings:
    """A local HTTP server that records the paths it was asked for."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        pings = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                pings.paths.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pings() -> Iterator[Pings]:
    server = Pings()
    yield server
    server.stop()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def workbook(tmp_path: Path, config: str = "") -> Path:
    path = init_lib.create(tmp_path / "clients.xlsx", sample=True, today=MON)
    if config:
        (tmp_path / "sheets-sync.toml").write_text(config, encoding="utf-8")
    return path


def test_quiet_prints_nothing_but_one_line_per_problem_on_stderr(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    code, out, err = run("sync", str(path), "--today", MON.isoformat(), "--quiet", "--outbox", str(tmp_path / "out"))
    assert code == 1 and out == ""
    problems = json.loads(run("sync", str(path), "--today", MON.isoformat(), "--json", "--dry-run")[1])["problems"]
    assert problems
    assert err.splitlines() == [" ".join(f"{p['sheet']}!{p['cell']}: {p['message']}".split()) if p["cell"]
                                else " ".join(f"{p['sheet']}: {p['message']}".split()) for p in problems]


def test_a_clean_quiet_run_prints_nothing_at_all(tmp_path: Path) -> None:
    path = init_lib.create(tmp_path / "empty.xlsx", today=MON)
    assert run("sync", str(path), "--today", MON.isoformat(), "--quiet", "--outbox", str(tmp_path / "out")) == (0, "", "")


def test_the_heartbeat_is_pinged_on_success_and_fail_on_failure(tmp_path: Path, pings: Pings) -> None:
    path = workbook(tmp_path, f'[alerts]\nheartbeat_url = "{pings.url}/ping/abc"\n')
    code, _, _ = run("sync", str(path), "--today", MON.isoformat(), "--quiet", "--outbox", str(tmp_path / "out"))
    assert code == 1 and pings.paths == ["/ping/abc"]
    (tmp_path / "~$clients.xlsx").write_bytes(bytes([5]) + b"Maria" + bytes(60))  # open in Excel: the write fails
    code, out, err = run("sync", str(path), "--today", "2026-12-01", "--quiet", "--outbox", str(tmp_path / "out"))
    assert code == 3 and out == "" and "open in Excel" in err
    assert pings.paths == ["/ping/abc", "/ping/abc/fail"]


def test_a_heartbeat_nobody_answers_changes_nothing_but_a_warning(tmp_path: Path) -> None:
    port = free_port()
    path = workbook(tmp_path, f'[alerts]\nheartbeat_url = "http://127.0.0.1:{port}/check-uuid-1?key=secret"\ntimeout = 2\n')
    code, out, err = run("sync", str(path), "--today", MON.isoformat(), "--quiet", "--outbox", str(tmp_path / "out"))
    assert code == 1 and out == ""
    warning = [line for line in err.splitlines() if line.startswith("Warning:")]
    assert warning == [f"Warning: the heartbeat at 127.0.0.1:{port} could not be reached (ConnectionError); "
                       "the run's result is as reported"]
    assert "secret" not in err and "uuid" not in err  # the check's key stays out of the output


def test_a_failed_run_emails_the_admin_once_a_day(tmp_path: Path, isolated_env: Path) -> None:
    server = MailServer(tmp_path)
    try:
        folder = tmp_path / "office"
        folder.mkdir()
        (folder / "sheets-sync.toml").write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\nfrom = "Office <office@harbor.example>"\n'
            '[alerts]\nemail = "admin@harbor.example"\n', encoding="utf-8")
        missing = folder / "clients.xlsx"  # moved away by someone: exit 3
        for day in ("2026-12-01", "2026-12-01"):
            code, out, err = run("sync", str(missing), "--today", day, "--quiet")
            assert code == 3 and out == "" and err.startswith("Error: ")
        alerts = [r.parsed() for r in server.received if r.rcpt_tos == ["admin@harbor.example"]]
        assert len(alerts) == 1  # the same failure the same day: one email
        logged = (isolated_env / "sheets-sync.log").read_text(encoding="utf-8").splitlines()
        assert len(logged) == 2 and all(f" ERROR {missing}: Failed: " in line for line in logged)
        assert not (folder / ".sheets-sync").exists()  # a missing workbook leaves nothing beside it
        assert alerts[0]["Subject"] == f"sheets-sync failed: {missing}"
        body = alerts[0].get_body(("plain",)).get_content()
        assert "(exit 3)" in body and "clients.xlsx" in body
        assert run("sync", str(missing), "--today", "2026-12-02", "--quiet")[0] == 3
        assert len([r for r in server.received if r.rcpt_tos == ["admin@harbor.example"]]) == 2  # next day: again
    finally:
        server.stop()


def test_an_unknown_alerts_key_is_a_config_error(tmp_path: Path) -> None:
    path = workbook(tmp_path, '[alerts]\nemial = "admin@harbor.example"\n')
    code, out, err = run("sync", str(path), "--today", MON.isoformat())
    assert code == 2 and "email" in err
