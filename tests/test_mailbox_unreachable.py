"""A mailbox nobody answers on says why in words ('Connection refused'), not the bare error
number '(111)' the socket gave (found running the installed inbox against a stopped server)."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from sheets_sync.cli import cli


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_named(tmp_path: Path, monkeypatch) -> None:
    book = tmp_path / "clients.xlsx"
    assert CliRunner().invoke(cli, ["init", str(book), "--sample", "--today", "2026-11-23"]).exit_code == 0
    port = free_port()
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "SECURITY": "none",
                        "USER": "office@harborlane.example", "PASSWORD": "x"}.items():
        monkeypatch.setenv(f"SHEETS_SYNC_IMAP_{name}", value)
    read = CliRunner().invoke(cli, ["inbox", str(book), "--today", "2026-11-23"])
    assert read.exit_code == 3, read.output
    assert read.stderr.startswith(f"Error: cannot reach the mailbox 127.0.0.1:{port} (none) (Connection refused): "
                                  "check SHEETS_SYNC_IMAP_HOST"), read.stderr
    assert len(read.stderr.splitlines()) == 1
