"""docs/configuration.md names every config key and environment variable the code reads, and
nothing the code does not: the two tables there are checked against ``config.SCHEMA`` and the
``SHEETS_SYNC_*`` names in the package's source."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from sheets_sync.config import SCHEMA

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "configuration.md"
# Not settings a user gives: a test hook, and the name of a GitHub Actions secret (docs/scheduling.md).
NOT_SETTINGS = {"SHEETS_SYNC_TEST_PAUSE", "SHEETS_SYNC_GOOGLE_KEY"}


def _rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("| ")]


def _documented_keys() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for cells in _rows(DOC.read_text(encoding="utf-8")):
        table = re.fullmatch(r"`\[([a-z_]+)\]`", cells[0])
        if table and len(cells) > 1:
            found |= {(table[1], key) for key in re.findall(r"`([a-z0-9_]+)`", cells[1])}
    return found


def _documented_env() -> set[str]:
    found: set[str] = set()
    for cells in _rows(DOC.read_text(encoding="utf-8")):
        names = re.findall(r"`(SHEETS_SYNC_[A-Z0-9_]+|GOOGLE_APPLICATION_CREDENTIALS|_[A-Z0-9_]+)`", cells[0])
        prefix = ""
        for name in names:
            if name.startswith("_"):
                found.add(prefix + name)
            else:
                found.add(name)
                prefix = prefix or name.rsplit("_", 1)[0]
    return found


def _env_in_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "sheets_sync").rglob("*.py"):
        names |= set(re.findall(r"[\"'](SHEETS_SYNC_[A-Z0-9_]+|GOOGLE_APPLICATION_CREDENTIALS)[\"']",
                                path.read_text(encoding="utf-8")))
    return names - NOT_SETTINGS


def test_every_config_key_is_in_the_table_of_keys():
    keys = {(table, key) for table, schema in SCHEMA.items() if table != "layout" for key in schema}
    assert keys - _documented_keys() == set()
    assert _documented_keys() - keys == set()


def test_every_environment_variable_is_in_the_table_of_variables():
    in_code = _env_in_code()
    assert "SHEETS_SYNC_SMTP_OAUTH2_CLIENT_ID" in in_code and "SHEETS_SYNC_IMAP_MAILDIR" in in_code
    assert in_code - _documented_env() == set()
    assert _documented_env() - in_code == set()


def test_the_settings_table_in_workbook_md_is_the_settings_sheet():
    from sheets_sync.model.layout import SETTINGS
    from sheets_sync.model.settings import SPECS

    doc = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    lines = doc.splitlines()
    start = lines.index("| Setting | Default | Meaning |")
    table = itertools.takewhile(lambda line: line.startswith("|"), lines[start + 2:])
    rows = [line.strip("|").split("|")[0].strip() for line in table]
    assert rows == [spec.label for spec in SPECS]
    assert all(f"`{column.field}`" in doc for column in SETTINGS.columns)
