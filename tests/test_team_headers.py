"""A team's own headers (issue 20 item 3): "Customer #" is the Client ID, not the Name; one
column is never two fields; no Client ID column is added beside the team's own identifier;
``init --into`` prints how each header was read; and a sync then writes to the right person."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import read_rows, write_workbook

from sheets_sync.cli import cli
from sheets_sync.model.header_match import is_identifier, match_columns
from sheets_sync.model.layout import CLIENTS, TASKS, TOUCHES

D = dt.date
TODAY = "2026-12-07"  # a Monday


def _customers(path: Path) -> Path:
    return write_workbook(path, {"Customers": [
        ["Customer #", "Full name", "E-mail address", "Rep", "Status", "Customer Since"],
        ["K100", "Ann Lee", "ann@lee.example", "sam@agency.example", "Active", D(2026, 11, 30)],
        ["K101", "Tom Baker", "tom@baker.example", "sam@agency.example", "Active", D(2026, 11, 23)],
    ]})


def test_customer_number_is_the_id_and_full_name_the_name() -> None:
    found = match_columns(["Customer #", "Full name", "E-mail address", "Rep"], CLIENTS)
    assert found == {"client_id": 0, "name": 1, "email": 2, "owner": 3}


@pytest.mark.parametrize("headers, expected", [
    (["Client No.", "Customer Name", "Email Address", "Account Manager"],
     {"client_id": 0, "name": 1, "email": 2, "owner": 3}),
    (["Account Number", "Client", "E-mail", "Sales Rep"], {"client_id": 0, "name": 1, "email": 2, "owner": 3}),
    (["Cust ID", "Contact Name", "Phone #", "Phone No"], {"client_id": 0, "name": 1, "phone": 2}),
    # the exact header wins over the alias, wherever it stands
    (["Customer", "Name", "ID"], {"name": 1, "client_id": 2}),
    (["#", "Customer", "Do Not Email", "No Email"], {"client_id": 0, "name": 1, "do_not_email": 2}),
])
def test_real_header_spellings(headers: list[str], expected: dict[str, int]) -> None:
    assert match_columns(headers, CLIENTS) == expected


def test_identifiers_on_the_other_tables() -> None:
    assert match_columns(["Job #", "Cust ID", "Status"], TASKS) == {"task_id": 0, "client_id": 1, "status": 2}
    assert match_columns(["Date", "Customer No", "Ref"], TOUCHES) == {"date": 0, "client_id": 1, "ref": 2}


@pytest.mark.parametrize("header, answer", [
    ("Customer #", True), ("Client No.", True), ("Account Number", True), ("Cust ID", True), ("Code", True),
    ("No Email", False), ("# of policies", False), ("Full name", False), ("Phone", False)])
def test_what_an_identifier_header_is(header: str, answer: bool) -> None:
    assert is_identifier(header) is answer


def test_one_column_is_never_two_fields_nor_two_columns_one_field() -> None:
    found = match_columns(["Name", "Full Name", "Client", "Email", "E-mail"], CLIENTS)
    assert found == {"name": 0, "email": 3}
    assert len(set(found.values())) == len(found)


def test_init_into_prints_the_mapping_then_sync_writes_to_tom(tmp_path: Path) -> None:
    path = _customers(tmp_path / "customers.xlsx")
    adopted = CliRunner().invoke(cli, ["init", "--into", str(path), "--today", TODAY])
    assert adopted.exit_code == 0, adopted.output
    lines = [" ".join(line.split()) for line in adopted.output.splitlines()]
    assert 'Customers!A "Customer #" -> Client ID' in lines
    assert 'Customers!B "Full name" -> Name' in lines
    assert 'Customers!C "E-mail address" -> Email' in lines
    assert 'Customers!D "Rep" -> Owner' in lines
    header = read_rows(path, "Customers")[0]
    added_at = header.index("Next Action Date")
    assert f'Customers!{chr(65 + added_at)} "Next Action Date" added: written by sheets-sync on every run' in lines
    assert "[layout.clients.columns]" in lines  # how to remap
    assert "Client ID" not in header and header.count("Customer #") == 1

    outbox = tmp_path / "outbox"
    synced = CliRunner().invoke(cli, ["sync", str(path), "--today", TODAY, "--outbox", str(outbox)])
    assert synced.exit_code == 0, synced.output
    # Tom joined on 23 Nov: his satisfaction check is due on the 7th; Ann is not due.
    [eml] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "tom@baker.example"
    assert message["To"].addresses[0].display_name == "Tom Baker"
    assert message.get_body(("plain",)).get_content().startswith("Dear Tom")
    rows = read_rows(path, "Customers")
    assert "Client ID" not in rows[0]
    assert [r[0] for r in rows[1:]] == ["K100", "K101"]
    touches = read_rows(path, "Touches")
    assert [r[1] for r in touches[1:]] == ["K101"]


def test_no_key_column_beside_an_identifier_it_does_not_know(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", {"Clients": [["Policy No", "Customer Name", "Email", "Status"]]})
    adopted = CliRunner().invoke(cli, ["init", "--into", str(path), "--today", TODAY])
    assert adopted.exit_code == 0, adopted.output
    assert "Client ID" not in read_rows(path, "Clients")[0]
    assert 'Clients!A "Policy No" looks like an identifier, so no Client ID column was added' in adopted.output
    assert 'client_id = "Policy No"' in adopted.output


def test_the_remap_hint_example_is_not_a_mapping_already_in_place(tmp_path: Path) -> None:
    """The trial's hint showed `client_id = "Customer #"`, which the tool had already done. The
    example names a field the sheet has no column for (Company: the first of Clients' fields
    that Customers lacks) and a placeholder header, never one of the sheet's own mappings."""
    path = _customers(tmp_path / "customers.xlsx")
    adopted = CliRunner().invoke(cli, ["init", "--into", str(path), "--today", TODAY])
    assert adopted.exit_code == 0, adopted.output
    lines = [line.strip() for line in adopted.output.splitlines()]
    start = lines.index("[layout.clients.columns]")
    assert lines[start + 1] == 'company = "Your column\'s header"'
    for header in ["Customer #", "Full name", "E-mail address", "Rep", "Status", "Customer Since"]:
        assert f'= "{header}"' not in adopted.output
