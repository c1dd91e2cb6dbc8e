"""Bounded retry and clear errors, against the fake API failing on purpose."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fake_sheets_api import FakeSheetsAPI
from google.oauth2 import service_account
from gspread.exceptions import APIError

from sheets_sync.backends.google.auth import SCOPES, EmulatorServiceAccount
from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.backends.google.http import RetryingHTTPClient, rewrite_url
from sheets_sync.errors import EXIT_SOURCE, RemoteError
from sheets_sync.workbook import RowUpdate, TableRef, WriteBatch

CLIENTS = TableRef("Clients", 1, "Client ID")
SHEETS = {"Clients": [["Client ID", "Name", "Touches"], ["C-1", "Ann"], ["C-2", "Bob"]]}



def raw_client(api: FakeSheetsAPI, **options: object) -> tuple[RetryingHTTPClient, list[float]]:
    """The HTTP client alone, on a simulated clock that only sleeping moves, and no jitter."""
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    creds = EmulatorServiceAccount.from_service_account_info(api.service_account_info(), scopes=SCOPES)
    client = RetryingHTTPClient(creds, endpoint=api.url, sleep=sleep, clock=lambda: now[0], jitter=lambda: 1.0,
                                **options)
    return client, slept


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_with_growing_delays(api: FakeSheetsAPI, status: int) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.fail(status, times=3)
    client, slept = raw_client(api, time_limit=60)
    assert client.fetch_sheet_metadata(key)["properties"]["title"] == "Book"
    assert api.counts["get"] == 4 and client.requests_made == 4
    assert slept == [0.5, 1.0, 2.0]
    client.session.close()


def test_dropped_connections_are_retried(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.drop_connections(times=2, kind="get")
    client, slept = raw_client(api)
    assert client.fetch_sheet_metadata(key)["spreadsheetId"] == key
    assert len(slept) == 2
    client.session.close()


def test_giving_up_tells_what_the_server_answered_even_when_the_last_try_was_cut(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.fail(503, times=2, kind="get")
    api.drop_connections(times=-1, kind="get")
    client, slept = raw_client(api, time_limit=20)
    with pytest.raises(RemoteError) as caught:
        client.fetch_sheet_metadata(key)
    assert "(HTTP 503, then cannot connect)" in str(caught.value) and caught.value.status == 503
    client.session.close()


def test_retry_after_is_honoured(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.fail(429, times=1, retry_after=3)
    client, slept = raw_client(api)
    client.fetch_sheet_metadata(key)
    assert slept == [3.0]
    client.session.close()


def test_a_server_that_always_says_429_is_given_up_on_in_time(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.fail(429, times=-1)
    client, slept = raw_client(api, time_limit=120)
    with pytest.raises(RemoteError) as caught:
        client.fetch_sheet_metadata(key)
    # Delays double up to the cap and stop before the 120 s budget: a few attempts, no recursion.
    assert sum(slept) < 120 and len(slept) <= 10
    assert caught.value.status == 429 and caught.value.exit_code == EXIT_SOURCE
    assert "\n" not in str(caught.value) and "nothing was written" in str(caught.value)
    client.session.close()


def test_the_time_limit_is_real_time_with_real_sleeps(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.fail(503, times=-1)
    gb = GoogleBackend(key, time_limit=0.6, first_delay=0.05)
    started = time.monotonic()
    with pytest.raises(RemoteError, match=r"HTTP 503"):
        gb.read()
    assert time.monotonic() - started < 1.5
    assert api.counts["get"] >= 3
    gb.close()


def test_a_slow_server_hits_the_request_timeout(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.delay(0.4, kinds={"get"})
    gb = GoogleBackend(key, time_limit=0.5, timeout=0.1, first_delay=0.05)
    started = time.monotonic()
    with pytest.raises(RemoteError, match="no answer in time"):
        gb.read()
    assert time.monotonic() - started < 1.5
    gb.close()


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(api: FakeSheetsAPI, status: int) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.fail(status, times=-1)
    client, slept = raw_client(api)
    with pytest.raises(APIError):
        client.fetch_sheet_metadata(key)
    assert slept == [] and client.requests_made == 1
    # google-auth itself signs in again on a 401 (an expired token), twice at most.
    assert api.counts["get"] == (3 if status == 401 else 1)
    client.session.close()


def test_not_shared_with_the_service_account_says_so(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS, editors={"owner@agency.com"})
    gb = GoogleBackend(key)
    with pytest.raises(RemoteError) as caught:
        gb.read()
    assert str(caught.value) == ("The service account sync@proj.iam.gserviceaccount.com cannot open this "
                                 "spreadsheet: share it with that address (Editor).")
    assert caught.value.status == 403 and api.counts["get"] == 1
    gb.close()


def test_an_unknown_key_says_check_the_address(api: FakeSheetsAPI) -> None:
    gb = GoogleBackend("nosuchkey")
    with pytest.raises(RemoteError, match="^No spreadsheet with key nosuchkey: check the address$"):
        gb.read()
    gb.close()


def test_an_html_error_page_gives_a_short_line(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.fail(400, body="<html><body>" + "x" * 5000 + "</body></html>")
    gb = GoogleBackend(key)
    with pytest.raises(RemoteError) as caught:
        gb.read()
    assert str(caught.value) == "Google Sheets refused the request (HTTP 400)"
    gb.close()


def test_a_revoked_key_fails_sign_in_without_retrying(api: FakeSheetsAPI, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    keyfile = api.service_account_file(tmp_path)
    api.service_account_info()  # the fake now knows another public key for the address: signature fails
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(keyfile))
    gb = GoogleBackend(key)
    with pytest.raises(RemoteError, match="^Google sign-in failed .*check that the key file is current"):
        gb.read()
    assert api.counts["get"] == 0
    gb.close()


def test_a_failing_write_writes_nothing(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    gb = GoogleBackend(key, time_limit=0.5, first_delay=0.05)
    gb.read()
    before = api.values(key, "Clients")
    api.fail(503, times=-1, kind="valuesBatchUpdate")
    with pytest.raises(RemoteError, match="nothing was written"):
        gb.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-1", 2, {"Touches": 1})]))
    assert api.values(key, "Clients") == before
    gb.close()


def test_a_retried_write_lands_in_the_same_cells(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", {"Clients": SHEETS["Clients"], "Touches": [["Date", "Client ID", "Ref"]]})
    gb = GoogleBackend(key, first_delay=0.01)
    gb.read()
    api.fail(502, times=2, kind="valuesBatchUpdate")
    gb.write(WriteBatch(tables={"Touches": TableRef("Touches", 1, None)},
                        appends={"Touches": [{"Client ID": "C-1", "Ref": "r1"}]}))
    assert api.values(key, "Touches") == [["Date", "Client ID", "Ref"], [None, "C-1", "r1"]]
    assert api.counts["valuesBatchUpdate"] == 3
    gb.close()


def test_urls_are_rewritten_only_for_another_endpoint() -> None:
    url = "https://sheets.googleapis.com/v4/spreadsheets/k/values:batchGet"
    assert rewrite_url(url, "https://sheets.googleapis.com") == url
    assert rewrite_url(url, "http://127.0.0.1:9") == "http://127.0.0.1:9/v4/spreadsheets/k/values:batchGet"
    drive = "https://www.googleapis.com/drive/v3/files/k/permissions"
    assert rewrite_url(drive, "http://127.0.0.1:9") == "http://127.0.0.1:9/drive/v3/files/k/permissions"
    assert rewrite_url("https://example.com/x", "http://127.0.0.1:9") == "https://example.com/x"


def test_google_credentials_are_plain_ones_without_an_emulator(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    from sheets_sync.backends.google.auth import load_identity

    with FakeSheetsAPI() as fake:
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(fake.service_account_file(tmp_path)))
        identity = load_identity()
    assert type(identity.credentials) is service_account.Credentials


def test_a_captive_portal_page_is_one_clear_line(api: FakeSheetsAPI) -> None:
    key = api.add_spreadsheet("Book", SHEETS)
    api.fail(200, body="<html>Please sign in to the hotel wifi</html>", kind="get")
    gb = GoogleBackend(key)
    with pytest.raises(RemoteError, match=r"^http://127\.0\.0\.1:\d+ answered with something that is not the Google"):
        gb.read()
    gb.close()


def test_through_the_command_line_giving_up_is_exit_3_and_one_line(api: FakeSheetsAPI, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheets_sync.cli import cli

    key = api.add_spreadsheet("Book", {"Clients": [["Client ID", "Name", "Status"], ["C-1", "Ann", "Active"]],
                                       "Tasks": [["Task ID", "Client ID", "Status"]],
                                       "Touches": [["Date", "Client ID", "Summary"]]})
    config = tmp_path / "config.toml"
    config.write_text("[google]\ntime_limit_seconds = 0.4\n", encoding="utf-8")
    before = api.values(key, "Clients")
    api.fail(503, times=-1, kind="valuesBatchUpdate")
    result = CliRunner().invoke(cli, ["sync", f"gsheet:{key}", "--today", "2026-11-23", "--config", str(config),
                                      "--outbox", str(tmp_path / "out")])
    assert result.exit_code == EXIT_SOURCE
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: Google Sheets kept failing (HTTP 503)")
    assert api.values(key, "Clients") == before
    api.fail(403, times=-1, kind="get")
    result = CliRunner().invoke(cli, ["check", f"gsheet:{key}"])
    assert result.exit_code == EXIT_SOURCE
    assert result.stderr == ("Error: The service account sync@proj.iam.gserviceaccount.com cannot open this "
                             "spreadsheet: share it with that address (Editor).\n")
