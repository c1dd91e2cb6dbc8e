"""Benchmark: a whole ``sync`` of 1,000 / 10,000 / 100,000-client spreadsheets on the local
fake Sheets API. Prints API requests per sync (token exchange apart) and seconds.

    .venv/bin/python scripts/bench_google.py            # 1000 10000 100000
    .venv/bin/python scripts/bench_google.py 1000 5000

Each spreadsheet has N clients, N/10 open tasks and N touches. The first sync writes every
tool column (the worst case: every row changes) and appends a Touches row per email; the
second sync right after writes only what changed. Emails go to a mailer that only counts
them (building .eml files is not what is measured here). "backend s" is the time spent in
``read`` and ``write`` (HTTP, the fake server's work and ours); "sync s" the whole run.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_sheets_api import FakeSheetsAPI  # noqa: E402

from sheets_sync.backends.google.backend import GoogleBackend  # noqa: E402
from sheets_sync.config import Config  # noqa: E402
from sheets_sync.mail.message import Delivery, Message  # noqa: E402
from sheets_sync.model.layout import CLIENTS, TASKS, TOUCHES  # noqa: E402
from sheets_sync.model.template import table_headers  # noqa: E402
from sheets_sync.sync import run_sync  # noqa: E402
from sheets_sync.workbook import WorkbookData, WriteBatch, WriteResult  # noqa: E402

TODAY = dt.date(2026, 11, 23)


def workbook(n: int) -> dict[str, list[list[object]]]:
    """N clients, N/10 tasks, N touches, as rows under the template's headers."""
    clients: list[list[object]] = [table_headers(CLIENTS)]
    tasks: list[list[object]] = [table_headers(TASKS)]
    touches: list[list[object]] = [table_headers(TOUCHES)]
    for i in range(1, n + 1):
        since = TODAY - dt.timedelta(days=30 + i % 700)
        clients.append([f"C-{i:06d}", f"Client {i}", f"Company {i % 97}", f"client{i}@example.com", "555-0100",
                        f"owner{i % 5}@agency.example", "ABC"[i % 3], "Active", since, None, "No",
                        "", 1000 + i % 5000])
        last = TODAY - dt.timedelta(days=i % 120)
        touches.append([last, f"C-{i:06d}", None, "Call", "Out", f"owner{i % 5}@agency.example", "check-in"])
        if i % 10 == 0:
            tasks.append([f"T-{i:06d}", f"C-{i:06d}", "Payment", "Renewal balance", 250 + i % 900,
                          TODAY + dt.timedelta(days=i % 30), TODAY - dt.timedelta(days=10), "Open"])
    return {"Clients": clients, "Tasks": tasks, "Touches": touches}


class CountingMailer:
    """Takes every message as queued, writes nothing."""

    description = "counting mailer"

    def prepare_run(self, journal: object, daily_cap: int | None, today: object = None) -> None:
        """Nothing to journal: the benchmark counts requests, not sends."""

    def deliver(self, messages: list[Message]) -> list[Delivery]:
        return [Delivery(m.key, "queued") for m in messages]


class TimedBackend(GoogleBackend):
    """The Google backend, timing its own read and write."""

    seconds = 0.0

    def read(self) -> WorkbookData:
        started = time.perf_counter()
        try:
            return super().read()
        finally:
            self.seconds += time.perf_counter() - started

    def write(self, batch: WriteBatch) -> WriteResult:
        started = time.perf_counter()
        try:
            return super().write(batch)
        finally:
            self.seconds += time.perf_counter() - started


def bench(n: int, folder: Path) -> list[tuple[str, int, int, float, float]]:
    """[(run, requests, token requests, backend seconds, sync seconds)] for two syncs."""
    results = []
    with FakeSheetsAPI() as api:
        os.environ["SHEETS_SYNC_GOOGLE_API_ENDPOINT"] = api.url
        os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = str(api.service_account_file(folder))
        os.environ["SHEETS_SYNC_HOME"] = str(folder / f"home{n}")
        key = api.add_spreadsheet(f"Bench {n}", workbook(n))
        for run in ("first sync", "second sync"):
            api.reset_counts()
            backend = TimedBackend(key, Config())
            started = time.perf_counter()
            report = run_sync(backend, TODAY, config=Config(), mailer=CountingMailer())
            seconds = time.perf_counter() - started
            backend.close()
            results.append((f"{run}: {report.write.rows_updated} rows updated, {report.write.rows_appended} added",
                            api.api_requests(), api.counts["token"], backend.seconds, seconds))
    return results


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1000, 10000, 100000]
    print(f"{'clients':>8}  {'run':<46} {'requests':>8} {'token':>5} {'backend s':>9} {'sync s':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for run, requests, tokens, backend_s, sync_s in bench(n, Path(tmp)):
                print(f"{n:>8}  {run:<46} {requests:>8} {tokens:>5} {backend_s:>9.2f} {sync_s:>7.2f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
