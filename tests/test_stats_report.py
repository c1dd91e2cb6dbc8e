"""The report's two faces: the ``--json`` contract and the rich tables."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from sheets_sync.model.rows import Book, Client, Sale, Touch
from sheets_sync.stats.figures import compute_stats
from sheets_sync.stats.report import print_report

D = dt.date
TODAY = D(2026, 11, 30)
ROOT = Path(__file__).resolve().parents[1]


def make_book(clients, sales=(), touches=(), has_sales=False) -> Book:
    return Book(clients=list(clients), tasks=[], touches=list(touches), sales=list(sales), problems=[],
                tables={}, headers={}, missing_tool_columns={}, has_sales=has_sales)


def buying_book(n: int = 80, seed: int = 3) -> Book:
    """n clients since 2025, each buying at irregular (exponential) gaps averaging 3-12
    weeks; a third stop buying after a while, as lapsed clients do."""
    rng = random.Random(seed)
    clients, sales = [], []
    for i in range(n):
        cid = f"C-{i:04d}"
        since = D(2025, 1, 1) + dt.timedelta(days=rng.randrange(200))
        clients.append(Client(cid, f"Client {i}", i + 2, owner="ann" if i % 2 else "bob",
                              tier="ABC"[i % 3], client_since=since))
        stop = TODAY if rng.random() < 0.67 else since + dt.timedelta(days=rng.randrange(30, 300))
        day, mean_gap = since, rng.uniform(21, 84)
        while day <= stop:
            sales.append(Sale(day, cid, len(sales) + 2, round(rng.uniform(100, 900), 2)))
            day += dt.timedelta(days=max(1, int(rng.expovariate(1 / mean_gap))))
    touches = [Touch(TODAY - dt.timedelta(days=5), c.client_id, 2) for c in clients]
    return make_book(clients, sales, touches, has_sales=True)


def test_json_contract_without_sales_sheet():
    clients = [Client("C1", "Ann", 2, client_since=D(2026, 1, 5), tier="A", owner="ann@x")]
    out = json.loads(json.dumps(compute_stats(make_book(clients), TODAY).to_json()))  # as stats --json prints it
    assert {"periods", "at_risk", "reminders_to_close"} <= set(out)
    assert "repeat_rate" not in out and "bgnbd" not in out
    assert len(out["periods"]) == 8
    for p in out["periods"]:
        assert {"start", "end", "S", "N", "L", "E", "retention_rate", "attrition_rate"} <= set(p)
    assert out["periods"][-1] == out["periods"][-1] | {"start": "2026-11-01", "end": "2026-11-30", "S": 1, "E": 1,
                                                       "retention_rate": 1.0, "attrition_rate": 0.0}
    # Client since 5 Jan with no touch: 329 days of silence, past tier A's 30-day check-in.
    assert out["at_risk"] == [{"client_id": "C1", "name": "Ann", "owner": "ann@x", "tier": "A",
                               "days_since_touch": 329, "reason": "no touch for 329 days (tier A check-in every 30)",
                               "p_alive": None}]
    assert out["reminders_to_close"] == {"0": 0, "1": 0, "2": 0, "3": 0, "4+": 0}


def test_thin_sales_give_a_reason_not_a_crash():
    clients = [Client(f"C{i}", "x", 2, client_since=D(2026, 1, 1)) for i in range(5)]
    sales = [Sale(D(2026, 3, 1), f"C{i}", 2, 10.0) for i in range(5)]
    out = compute_stats(make_book(clients, sales, has_sales=True), TODAY).to_json()
    assert out["bgnbd"] is None and "needs 20" in out["bgnbd_reason"]
    assert out["repeat_rate"]["buyers"] == 5
    empty = compute_stats(make_book(clients, [], has_sales=True), TODAY).to_json()
    assert empty["bgnbd"] is None and empty["bgnbd_reason"] and empty["repeat_rate"]["two_or_more"] is None


def test_bgnbd_on_a_business_sales_sheet():
    pytest.importorskip("scipy")
    report = compute_stats(buying_book(), TODAY)
    out = report.to_json()
    fit = out["bgnbd"]
    assert fit is not None, out["bgnbd_reason"]
    assert set(fit) >= {"r", "alpha", "a", "b", "time_unit", "log_likelihood"}
    assert fit["time_unit"] == "weeks"  # under two years of history
    assert all(fit[k] > 0 for k in ("r", "alpha", "a", "b")) and fit["log_likelihood"] < 0
    outlook = out["clients_outlook"]
    assert len(outlook) == 80
    assert all(0 <= o["p_alive"] <= 1 and o["expected_purchases"] >= 0 for o in outlook)
    # Everyone was touched 5 days ago, so anyone on the at-risk list is there by P(alive).
    assert all(a["p_alive"] is not None and a["p_alive"] < 0.5 for a in out["at_risk"])
    assert out["at_risk"], "a third of the clients stopped buying; some must look gone"


def test_rich_report_shows_the_figures():
    report = compute_stats(buying_book(), TODAY, "quarter")
    console = Console(record=True, width=200)
    print_report(report, console)
    text = console.export_text()
    first = report.periods[0]
    assert "Clients per quarter" in text and first.label in text and "2026 Q4 (so far)" in text
    assert f"{report.year_to_date.label}" in text and "At risk now" in text
    assert "Does one more work?" in text and "Per owner" in text
    assert "Repeat buying:" in text and "Purchase model (BG/NBD" in text


def test_stats_without_numpy_says_what_to_install(tmp_path):
    """The core install has no numpy/scipy: the report still works and says the model needs
    the extra. A fresh interpreter with both imports blocked shows it."""
    script = tmp_path / "no_numpy.py"
    script.write_text(
        "import sys, datetime as dt\n"
        "sys.modules['numpy'] = None\nsys.modules['scipy'] = None\n"
        f"sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_stats_report import buying_book, TODAY\n"
        "from sheets_sync.stats.figures import compute_stats\n"
        "out = compute_stats(buying_book(), TODAY).to_json()\n"
        "assert out['bgnbd'] is None, out['bgnbd']\n"
        "print(out['bgnbd_reason'])\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install 'sheets-sync[stats]'" in done.stdout
