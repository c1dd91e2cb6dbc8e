"""The sample workbook: the promised mix of work whatever day it is built for, and exactly the
bad cells planted for ``check``."""

from __future__ import annotations

import datetime as dt
import re
import runpy
import statistics
from itertools import pairwise
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sheets_sync.a1 import cell_name
from sheets_sync.init import create
from sheets_sync.model.read import read_book
from sheets_sync.model.rows import Book
from sheets_sync.model.sample import sample_sheets
from sheets_sync.rules.business_days import is_business_day, on_or_after
from sheets_sync.rules.cadence import client_step, is_at_risk, last_touch, task_step
from sheets_sync.rules.plan import group_touches
from sheets_sync.stats.figures import compute_stats
from sheets_sync.workbook import SheetData, WorkbookData

MONDAY, SATURDAY, YEAR_END, LEAP_DAY = (dt.date(2026, 11, 23), dt.date(2026, 11, 28),
                                        dt.date(2026, 12, 31), dt.date(2028, 2, 29))
TODAYS = [MONDAY, SATURDAY, YEAR_END, LEAP_DAY]
ROOT = Path(__file__).resolve().parent.parent


def _build(tmp_path: Path, today: dt.date) -> tuple[Path, WorkbookData, Book]:
    path = create(tmp_path / f"sample-{today}.xlsx", sample=True, today=today)
    wb = load_workbook(path)
    data = WorkbookData(
        sheets={ws.title: SheetData(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb},
        source=path.name,
    )
    return path, data, read_book(data)


@pytest.fixture(scope="module", params=TODAYS, ids=str)
def built(request, tmp_path_factory):
    today = request.param
    path, data, book = _build(tmp_path_factory.mktemp("sample"), today)
    return today, path, data, book


def _find(sheet: SheetData, value: object) -> list[str]:
    return [cell_name(c, r) for r, row in enumerate(sheet.rows, start=1)
            for c, v in enumerate(row, start=1) if v == value]


def test_exactly_the_planted_bad_cells_are_problems(built):
    _, _, data, book = built
    clients, tasks = data.sheets["Clients"], data.sheets["Tasks"]
    header = clients.rows[2]
    id_col = header.index("Client ID")
    ids = [row[id_col] for row in clients.rows[3:] if row[id_col]]
    assert sum(ids.count(i) > 1 for i in set(ids)) == 1
    duplicate = next(i for i in ids if ids.count(i) > 1)
    expected = {
        ("Clients", _find(clients, "Actve")[0]),
        ("Clients", _find(clients, "jane.doe@@example.com")[0]),
        ("Tasks", _find(tasks, "next Tuesday")[0]),
        ("Tasks", _find(tasks, "C-0099")[0]),
    } | {("Clients", cell) for cell in _find(clients, duplicate) if cell.startswith("A")}
    assert len(expected) == 6
    assert {(p.sheet, p.cell) for p in book.problems if not _log_row_waits(p)} == expected
    # each log names each left-out client once (the duplicate and the two with a bad cell)
    told = [(p.sheet, p.message.split()[1]) for p in book.problems if _log_row_waits(p)]
    assert len(told) == len(set(told)) and {s for s, _ in told} <= {"Touches", "Sales"}


def _log_row_waits(problem) -> bool:
    """A touch or sale of a client left out of the run (said once, at the first such row)."""
    return problem.message.endswith("not counted until that is fixed")


def test_clients_sheet_has_a_title_above_the_header_and_blank_ids_to_fill(built):
    _, _, data, book = built
    assert data.sheets["Clients"].rows[0][0] == "Harbor Lane Insurance — clients"
    assert book.tables["clients"].header_row == 3
    blank = [c for c in book.clients if c.id_was_blank]
    assert 1 <= len(blank) <= 2
    assert 50 <= len(book.clients) + 4 <= 65  # 4 rows are unusable on purpose (3 clients + a copy)


def test_prospects_are_at_every_point_of_the_sequence(built):
    today, _, _, book = built
    by_client, _ = group_touches(book.touches)
    steps = {c.client_id: client_step(c, by_client.get(c.client_id, []), book.settings, today)
             for c in book.clients if c.status == "Prospect"}
    rules = [s.rule for s in steps.values()]
    assert rules.count("prospect-replied") == 1
    assert rules.count("prospect-decide") == 1
    counts = {s.number - 1 for s in steps.values() if s.rule == "prospect"}
    assert len(counts - {0}) >= 3 and max(counts) <= 6, counts
    assert any(s.due <= today for s in steps.values() if s.rule == "prospect")
    assert any(s.due > today for s in steps.values() if s.rule == "prospect")
    assert [c.status for c in book.clients].count("No Sale") == 1


def test_tasks_are_in_every_state(built):
    today, _, _, book = built
    _, by_task = group_touches(book.touches)
    steps = {t.task_id: task_step(t, by_task.get(t.task_id, []), book.settings, today) for t in book.tasks}
    statuses = {t.status for t in book.tasks}
    assert statuses == {"Open", "Done", "Cancelled"}
    assert all(t.done_on for t in book.tasks if t.status != "Open")
    assert {t.type for t in book.tasks} == {"Payment", "Signature", "Paperwork", "Quote"}
    payment = next(t for t in book.tasks if t.amount == 3323)
    assert payment.status == "Open" and payment.type == "Payment"
    assert 10 <= (today - payment.opened_on).days <= 12
    assert 8 <= (payment.due_date - today).days <= 10 and is_business_day(payment.due_date)
    assert [t.ref for t in by_task[payment.task_id]] == [f"task:{payment.task_id}:reminder:1"]
    assert steps[payment.task_id].rule == "task-reminder" and steps[payment.task_id].number == 2
    rules = [s.rule for s in steps.values() if s]
    assert "task-escalate" in rules  # an overdue signature
    just_opened = [t for t in book.tasks if t.opened_on == today]
    assert just_opened and not by_task.get(just_opened[0].task_id)
    assert any(s.due > today for s in steps.values() if s)


def test_existing_clients_have_quiet_a_clients_due_check_ins_and_new_clients(built):
    today, _, _, book = built
    by_client, _ = group_touches(book.touches)
    active = [c for c in book.clients if c.status == "Active"]

    def quiet(c):
        return (today - last_touch(by_client[c.client_id])).days

    assert len([c for c in active if c.tier == "A" and 35 <= quiet(c) <= 52]) >= 3
    assert any(is_at_risk(c, by_client[c.client_id], book.settings, today) for c in active)
    steps = [client_step(c, by_client.get(c.client_id, []), book.settings, today) for c in active]
    checkins = [s for s, c in zip(steps, active, strict=True) if s.rule == "checkin" and c.tier in "BC"]
    assert len([s for s in checkins if s.due <= today]) >= 3
    assert len([s for s in checkins if s.due > today]) >= 3
    rules = {s.rule for s in steps}
    assert {"satisfaction", "referral"} <= rules
    assert {(today - c.client_since).days for c in active} >= {14, 60}
    assert any(c.do_not_email for c in active)


def test_lost_clients_are_spread_over_two_years_with_no_sales_after(built):
    today, _, _, book = built
    lost = [c for c in book.clients if c.status == "Lost"]
    ages = sorted((today - c.lost_on).days for c in lost)
    assert len(lost) >= 4 and ages[0] <= 60 and 365 <= ages[-1] <= 730
    lost_on = {c.client_id: c.lost_on for c in lost}
    assert all(s.date < lost_on[s.client_id] for s in book.sales if s.client_id in lost_on)
    assert all(today - dt.timedelta(days=731) <= s.date < today for s in book.sales)
    per_client = {}
    for sale in book.sales:
        per_client[sale.client_id] = per_client.get(sale.client_id, 0) + 1
    assert len([n for n in per_client.values() if n >= 2]) >= 10
    assert len([n for n in per_client.values() if n == 1]) >= 3


def _purchase_days(book: Book) -> dict[str, list[dt.date]]:
    days: dict[str, set[dt.date]] = {}
    for sale in book.sales:
        days.setdefault(sale.client_id, set()).add(sale.date)
    return {cid: sorted(d) for cid, d in days.items()}


def test_sales_mix_renewals_irregular_repeat_buyers_and_one_offs(built):
    today, _, _, book = built
    days = _purchase_days(book)
    assert len(days) >= 40 and all(today - dt.timedelta(days=731) <= d[0] for d in days.values())
    assert all(d[-1] < today for d in days.values())
    yearly = [d for d in days.values() if len(d) >= 2 and all(340 <= (b - a).days <= 390 for a, b in pairwise(d))]
    irregular = [d for d in days.values() if len(d) >= 4]
    assert len(yearly) >= 10 and len(irregular) >= 20 and len([d for d in days.values() if len(d) == 1]) >= 6
    gaps = [(d[-1] - d[0]).days / (len(d) - 1) for d in irregular]
    assert 21 <= statistics.median(gaps) <= 84, gaps
    active = {c.client_id for c in book.clients if c.status == "Active"}
    stopped = [cid for cid, d in days.items() if cid in active and len(d) >= 4 and (today - d[-1]).days >= 180]
    assert len(stopped) >= 5, stopped
    for client in (c for c in book.clients if c.status == "Lost"):  # value at stake from their sales
        assert any(client.lost_on - dt.timedelta(days=365) < d < client.lost_on for d in days[client.client_id])


def test_stats_fit_the_purchase_model_and_flag_who_stopped_buying(built):
    pytest.importorskip("numpy")
    pytest.importorskip("scipy")
    today, _, _, book = built
    report = compute_stats(book, today)
    assert report.bgnbd is not None, report.bgnbd_reason
    assert report.bgnbd.time_unit == "weeks" and report.bgnbd.customers >= 40
    gone = {r.client_id for r in report.at_risk if r.p_alive is not None and r.p_alive < 0.5}
    assert len(gone) >= 5
    days = _purchase_days(book)
    assert all((today - days[cid][-1]).days >= 150 for cid in gone)  # only those who stopped buying
    yearly = compute_stats(book, today, "year")
    assert yearly.bgnbd is not None and sum(p.lost_value for p in yearly.periods) > 0


def test_stats_show_prospects_who_converted_after_five_to_seven_touches(built):
    today, _, _, book = built
    report = compute_stats(book, today)
    assert 2 <= len(report.conversion.touches) <= 3
    assert all(5 <= n <= 7 for n in report.conversion.touches)
    converted = [c for c in book.clients if c.status == "Active" and (today - c.client_since).days <= 240
                 and any(t.client_id == c.client_id and t.date < c.client_since for t in book.touches)]
    assert len(converted) == len(report.conversion.touches)
    assert any(answered for _, answered in report.response_by_touch.values())


def test_touches_are_a_consistent_two_year_log(built):
    today, _, _, book = built
    dates = [t.date for t in book.touches]
    assert max(dates) < today and (today - min(dates)).days >= 700
    assert {"Email", "Call", "Meeting"} <= {t.channel for t in book.touches}
    assert len([t for t in book.touches if t.direction == "In"]) >= 20
    tool = [t for t in book.touches if t.ref]
    assert tool and all(t.by == "sheets-sync" and t.channel == "Email" and t.result == "sent" for t in tool)
    pattern = re.compile(r"(task:T-\d{4}:(reminder:\d+|final)|prospect:C-\d{4}:touch:[1357]"
                         r"|checkin:C-\d{4}:\d{4}-\d\d-\d\d|satisfaction:C-\d{4}|referral:C-\d{4})")
    assert all(pattern.fullmatch(t.ref) for t in tool), [t.ref for t in tool if not pattern.fullmatch(t.ref)]
    assert len({t.ref for t in tool}) == len(tool)


def test_people_and_addresses_are_fictional(built):
    _, _, _, book = built
    assert {c.owner for c in book.clients} == {
        "maria@harborlane.example", "james@harborlane.example", "priya@harborlane.example"}
    assert all(c.email.endswith((".example", "@example.com")) for c in book.clients)
    phones = [c.phone for c in book.clients if c.phone]
    assert len(phones) >= 30 and all(re.fullmatch(r"\(\d{3}\) 555-01\d\d", p) for p in phones)
    assert all(c.annual_value for c in book.clients if c.status in ("Active", "Lost"))
    assert book.settings.business_name == "Harbor Lane Insurance"


def test_the_sample_file_is_formatted(built):
    _, path, _, _ = built
    wb = load_workbook(path)
    clients = wb["Clients"]
    assert clients.freeze_panes == "A4"
    assert clients.auto_filter.ref.startswith("A3:R")
    assert clients["A3"].font.bold and clients["A1"].font.bold
    validations = {str(dv.sqref): dv.formula1 for dv in clients.data_validations.dataValidation}
    assert validations["H4:H5000"] == '"Prospect,Active,Lost,No Sale"'
    touches = wb["Touches"]
    assert isinstance(touches["A2"].value, dt.datetime) and touches["A2"].number_format == "yyyy-mm-dd"


def test_same_day_same_sample():
    assert sample_sheets(MONDAY) == sample_sheets(MONDAY)
    assert sample_sheets(MONDAY) != sample_sheets(SATURDAY)


def test_make_sample_script_writes_and_overwrites_its_output(tmp_path, monkeypatch, capsys):
    out = tmp_path / "demo.xlsx"
    for _ in range(2):
        monkeypatch.setattr("sys.argv", ["make_sample.py", "--today", "2026-12-31", "--out", str(out)])
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(str(ROOT / "scripts" / "make_sample.py"), run_name="__main__")
        assert exit_info.value.code == 0
    assert "Thu 2026-12-31" in capsys.readouterr().out
    assert load_workbook(out)["Clients"]["A1"].value == "Harbor Lane Insurance — clients"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.xlsx"]


def test_committed_sample_is_built_for_the_documented_anchor():
    wb = load_workbook(ROOT / "sample_workbook.xlsx")
    tasks = wb["Tasks"]
    header = [c.value for c in tasks[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in tasks.iter_rows(min_row=2)]
    payment = next(r for r in rows if r["Amount"] == 3323)
    assert payment["Due Date"].date() == dt.date(2026, 12, 1)


def test_any_day_gives_the_planted_problems_and_work_to_do():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None)
    @given(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2035, 12, 31)))
    def check(today):
        sheets = sample_sheets(today)
        book = read_book(WorkbookData({s.title: SheetData(s.title, s.rows) for s in sheets}))
        assert len([p for p in book.problems if not _log_row_waits(p)]) == 6, [str(p) for p in book.problems]
        lost_on = {c.client_id: c.lost_on for c in book.clients if c.status == "Lost"}
        assert all(s.date < lost_on[s.client_id] for s in book.sales if s.client_id in lost_on)
        assert all(t.date < today for t in book.touches)
        assert all(today - dt.timedelta(days=731) <= s.date < today for s in book.sales)
        by_client, by_task = group_touches(book.touches)
        steps = [client_step(c, by_client.get(c.client_id, []), book.settings, today) for c in book.clients]
        steps += [task_step(t, by_task.get(t.task_id, []), book.settings, today) for t in book.tasks]
        # On a weekend or holiday the work waits for the next business day.
        horizon = on_or_after(today, book.settings.holiday_set())
        due = [s for s in steps if s and s.due <= horizon]
        assert len(due) >= 8 and len([s for s in steps if s and s.due > horizon]) >= 8
        assert {"task-escalate", "task-reminder", "prospect", "checkin"} <= {s.rule for s in due}

    check()
