"""A sheet whose title is only an alias of one of ours (Orders, Customers...) is taken for
that table only when its header row holds one of the table's required headers. A team's own
"Orders" sheet of another shape is theirs: init --into leaves it alone and adds a Sales sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from sheets_sync.cli import cli


def test_an_orders_sheet_of_another_shape_is_not_taken_for_sales(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["Created on", "Customer", "Order #"])
    ws.append(["2015-12-15", "Bob", "4"])
    wb.save(path)

    result = CliRunner().invoke(cli, ["init", "--into", str(path)])
    assert result.exit_code == 0, result.output
    after = openpyxl.load_workbook(path)
    assert [list(r) for r in after["Orders"].iter_rows(values_only=True)] == [
        ["Created on", "Customer", "Order #"], ["2015-12-15", "Bob", "4"]]
    assert "Sales" in after.sheetnames
    check = CliRunner().invoke(cli, ["check", str(path), "--json"])
    assert check.exit_code == 0, check.output


def test_an_orders_sheet_that_is_a_sales_log_is_still_adopted(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["Order Date", "Client ID", "Total"])
    wb.save(path)
    result = CliRunner().invoke(cli, ["init", "--into", str(path)])
    assert result.exit_code == 0, result.output
    after = openpyxl.load_workbook(path)
    assert "Sales" not in after.sheetnames
    assert [c.value for c in after["Orders"][1]][:3] == ["Order Date", "Client ID", "Total"]

