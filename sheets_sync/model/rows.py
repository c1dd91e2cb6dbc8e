"""Typed rows read from the workbook, each remembering the cell its values came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sheets_sync.model.settings import Settings
from sheets_sync.workbook import TableRef


@dataclass(frozen=True)
class Problem:
    """Something wrong with one cell (or sheet), told so a person can fix it."""

    sheet: str
    cell: str  # "E14", or "" for a whole sheet
    message: str  # what is wrong and how to fix it

    @property
    def where(self) -> str:
        """'Clients!E14' (or just the sheet)."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def to_json(self) -> dict[str, str]:
        """The problem in every --json report: {"sheet", "cell", "message"}."""
        return {"sheet": self.sheet, "cell": self.cell, "message": self.message}


@dataclass(slots=True)  # one per row: no __dict__ each
class Client:
    """One row of the Clients sheet."""

    client_id: str
    name: str
    row: int
    company: str = ""
    email: str = ""
    phone: str = ""
    owner: str = ""
    tier: str = "C"
    status: str = "Active"
    client_since: dt.date | None = None
    lost_on: dt.date | None = None
    do_not_email: bool = False
    notes: str = ""
    annual_value: float | None = None
    # What the tool columns held when read (to spot a person's edit and to avoid no-op writes).
    touches: int | None = None
    last_touch: dt.date | None = None
    next_action: str = ""
    next_action_date: dt.date | None = None
    days_since_touch: int | None = None
    email_status: str = ""  # "Bounced 2026-12-03 (ann@x.example): ...", "Unsubscribed 2026-12-03 (...)"
    id_was_blank: bool = False
    extra: dict[str, object] = field(default_factory=dict)  # every cell by header, for templates

    @property
    def first_name(self) -> str:
        """The first word of the name, for greetings."""
        return self.name.split()[0] if self.name.split() else self.name


@dataclass(slots=True)
class Task:
    """One row of the Tasks sheet."""

    task_id: str
    client_id: str
    row: int
    type: str = "Other"
    description: str = ""
    amount: float | None = None
    due_date: dt.date | None = None
    opened_on: dt.date | None = None
    status: str = "Open"
    done_on: dt.date | None = None
    reminders_sent: int | None = None
    last_reminder: dt.date | None = None
    next_reminder: dt.date | None = None
    id_was_blank: bool = False
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class Touch:
    """One row of the Touches log."""

    date: dt.date
    client_id: str
    row: int
    task_id: str = ""
    channel: str = "Note"
    direction: str = "Out"
    by: str = ""
    summary: str = ""
    ref: str = ""
    result: str = ""


@dataclass(slots=True)
class Sale:
    """One row of the optional Sales sheet."""

    date: dt.date
    client_id: str
    row: int
    amount: float | None = None
    description: str = ""


@dataclass(frozen=True)
class StaffMember:
    """One row of the optional Staff sheet: how an owner signs the emails and digests."""

    email: str  # lower case, as owners are compared
    row: int
    name: str = ""
    phone: str = ""
    title: str = ""
    signature: str = ""  # several lines, as typed


@dataclass
class Book:
    """Everything read from one workbook: the typed rows, the settings, and the problems."""

    clients: list[Client]
    tasks: list[Task]
    touches: list[Touch]
    sales: list[Sale]
    problems: list[Problem]
    tables: dict[str, TableRef]  # table name -> where it is
    headers: dict[str, dict[str, str]]  # table name -> field -> header text as in the sheet
    missing_tool_columns: dict[str, list[str]]  # table name -> headers to create
    absent_on_demand: dict[str, list[str]] = field(default_factory=dict)  # table -> on-demand fields with no column yet
    has_sales: bool = False
    settings: Settings = field(default_factory=Settings)
    notes: list[Problem] = field(default_factory=list)  # rows left alone on purpose (total rows): said, not problems
    staff: dict[str, StaffMember] | None = None  # lower-case address -> member; None: no Staff sheet
    setup: list[Problem] = field(default_factory=list)  # set-up left to do (Business name, owners' names): check says so
    setting_cells: dict[str, str] = field(default_factory=dict)  # setting key -> the Value cell of its row
