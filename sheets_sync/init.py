"""``sheets-sync init``: a new workbook with the template sheets (optionally the sample), or
the missing sheets and columns added to a workbook a team already has."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sheets_sync.backends.base import Backend
from sheets_sync.backends.excel.create import create_workbook
from sheets_sync.config import Config
from sheets_sync.errors import ConfigError
from sheets_sync.health.synclog import missing_sync_log
from sheets_sync.model.adoption import mapping_lines, start_date_hint
from sheets_sync.model.template import missing_parts, template_sheets
from sheets_sync.workbook import SheetContent

NOTHING_TO_ADD = "nothing to add: every sheet and column is already there"


def create(path: Path, *, sample: bool = False, today: dt.date) -> Path:
    """Create a new Excel workbook at ``path`` with the template sheets and return its path.

    With ``sample`` the sheets hold the Harbor Lane Insurance sample, dated relative to
    ``today``; without, the Settings sheet's Start date is ``today``. Never overwrites an
    existing file (ConfigError); only .xlsx files are created.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(f"{path.name}: init creates Excel workbooks; give the name an .xlsx ending")
    create_workbook(path, _sheets(sample, today))
    return path


def create_google(title: str, *, config: Config | None = None, sample: bool = False, today: dt.date,
                  share_with: list[str] | None = None) -> str:
    """Create a new Google spreadsheet titled ``title`` with the template sheets (or the
    sample), shared with ``share_with`` (default: the config's); returns its key."""
    from sheets_sync.backends.google.backend import create_spreadsheet

    return create_spreadsheet(title, _sheets(sample, today), config=config or Config(), share_with=share_with)


@dataclass
class Adopted:
    """What ``init --into`` did: the sentence of what it added, and the lines saying how each
    header of the team's sheets is read (and what to check)."""

    added: str
    mapping: list[str] = field(default_factory=list)


def adopt(source: str | Backend, *, config: Config | None = None, today: dt.date | None = None) -> str:
    """Add the template sheets and columns an existing workbook lacks (``init --into``);
    nothing else in it changes. Returns what was added, in a sentence for the user. A
    Settings sheet added has ``today`` as its Start date."""
    backend, config = _backend(source, config)
    return _add_missing(backend, config, today)[0]


def adopt_and_map(source: str | Backend, *, config: Config | None = None, today: dt.date | None = None) -> Adopted:
    """``adopt``, and then how the workbook's own headers are read, column by column
    (``mapping_lines``, from the workbook read again), with a hint when its own Settings
    sheet has no Start date."""
    backend, config = _backend(source, config)
    added, sheets, columns = _add_missing(backend, config, today)
    layout = config.section("layout")
    data = backend.read()
    new = {s.title for s in sheets}
    lines = mapping_lines(data, layout, columns, new)
    hint = start_date_hint(data, layout, new, (today or dt.date.today()).isoformat())
    return Adopted(added, lines + ([hint] if hint else []) + [next_steps(source if isinstance(source, str) else backend.label)])


def _quoted(source: str) -> str:
    """``source`` as it can be pasted into a shell command."""
    return f'"{source}"' if any(c.isspace() for c in source) or "'" in source else source


def created_message(path: str, sample: bool) -> str:
    """What ``init PATH`` says: what was created and what to do next."""
    quoted = _quoted(path)
    if sample:
        return (f"Created {quoted} with the demo agency's clients. See today's calls and emails with sheets-sync due "
                f"{quoted}, and what a sync would send with sheets-sync sync {quoted} --dry-run.")
    return (f"Created {quoted}. Fill in the Clients sheet, and your office's name and From address on the Settings "
            f"sheet (sheets-sync check {quoted} lists what is left to set up). Then sheets-sync sync {quoted} "
            "--dry-run shows what the first sync would send.")


def next_steps(source: str) -> str:
    """What to do after adopting a workbook, as README's "Using it for your team" walks it."""
    quoted = _quoted(source)
    return (f"Next: run sheets-sync check {quoted}: it lists what is left to set up (your office's name and the "
            "From address on the Settings sheet, each owner's name on the Staff sheet). Then sheets-sync sync "
            f"{quoted} --dry-run shows what the first sync would send; the Start date on the Settings sheet spreads "
            "the steps already overdue that day over the next business days (docs/workbook.md, \"Going live\").")


def _backend(source: str | Backend, config: Config | None) -> tuple[Backend, Config]:
    config = config or Config()
    if isinstance(source, str):
        from sheets_sync.backends import open_source

        return open_source(source, config=config), config
    return source, config


def _add_missing(backend: Backend, config: Config, today: dt.date | None
                 ) -> tuple[str, list[SheetContent], dict[str, list[str]]]:
    data = backend.read()
    sheets, columns = missing_parts(data, config.section("layout"), start_date=today)
    sheets += missing_sync_log(data)  # the tool's own sheet for run health
    if not sheets and not columns:
        return NOTHING_TO_ADD, sheets, columns
    backend.add_sheets(sheets, columns)
    return describe_added(sheets, columns), sheets, columns


def describe_added(sheets: list[SheetContent], columns: dict[str, list[str]]) -> str:
    """'added the sheets Settings, Sales; added to Clients: Touches, Last Touch'."""
    parts = []
    if sheets:
        noun = "sheet" if len(sheets) == 1 else "sheets"
        parts.append(f"added the {noun} {', '.join(s.title for s in sheets)}")
    for title, headers in columns.items():
        parts.append(f"added to {title}: {', '.join(headers)}")
    return "; ".join(parts)


def _sheets(sample: bool, today: dt.date) -> list[SheetContent]:
    if not sample:
        return template_sheets(start_date=today) + missing_sync_log(None)
    from sheets_sync.model.sample import sample_sheets

    return template_sheets(include_sample=sample_sheets(today)) + missing_sync_log(None)
