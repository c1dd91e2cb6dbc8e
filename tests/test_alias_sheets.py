"""A sheet whose title is only an alias of one of ours (Orders, Customers...) is taken for
that table only when its header row holds one of the table's required headers. A team's own
"Orders" sheet of another shape is theirs: init --into leaves it alone and adds a Sales sheet."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from sheets_sync.cli import cli


def adopted_orders(tmp_path: Path, *rows: list[str]) -> tuple[Path, openpyxl.Workbook]:
    """A workbook whose one sheet is 'Orders' holding ``rows``, after init --into."""
    path = tmp_path / "orders.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    for row in rows:
        ws.append(row)
    wb.save(path)
    result = CliRunner().invoke(cli, ["init", "--into", str(path)])
    assert result.exit_code == 0, result.output
    return path, openpyxl.load_workbook(path)


def test_an_orders_sheet_of_another_shape_is_not_taken_for_sales(tmp_path: Path) -> None:
    path, after = adopted_orders(tmp_path, ["Created on", "Customer", "Order #"], ["2015-12-15", "Bob", "4"])
    assert [list(r) for r in after["Orders"].iter_rows(values_only=True)] == [
        ["Created on", "Customer", "Order #"], ["2015-12-15", "Bob", "4"]]
    assert "Sales" in after.sheetnames
    check = CliRunner().invoke(cli, ["check", str(path), "--json"])
    assert json.loads(check.stdout)["problems"] == [], check.output  # the set-up left to do aside


def test_an_orders_sheet_that_is_a_sales_log_is_still_adopted(tmp_path: Path) -> None:
    _, after = adopted_orders(tmp_path, ["Order Date", "Client ID", "Total"])
    assert "Sales" not in after.sheetnames
    assert [c.value for c in after["Orders"][1]][:3] == ["Order Date", "Client ID", "Total"]

