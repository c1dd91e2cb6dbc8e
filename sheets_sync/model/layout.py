"""The workbook's layout: which sheets and columns the tool knows, and how headers are matched.

Headers match case-insensitively, ignoring spaces and punctuation, and through a few aliases
("E-mail", "Email Address"). Configuration can remap sheet titles and column headers so a team
keeps the sheet it already has (``[layout]`` in the config file, see docs/configuration.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def normalize_header(text: object) -> str:
    """The form headers are compared in: lower case, letters and digits only."""
    if text is None:
        return ""
    return re.sub(r"[^0-9a-z]+", "", str(text).casefold())


@dataclass(frozen=True)
class Column:
    """One column the tool knows about."""

    field: str  # attribute name in the model, e.g. "client_id"
    header: str  # the header the template writes, e.g. "Client ID"
    aliases: tuple[str, ...] = ()
    required: bool = False
    tool: bool = False  # written by the tool (created when missing, at the right of the table)
    kind: str = "text"  # text | date | number | int | email | bool | choice | id
    choices: tuple[str, ...] = ()  # for kind == "choice": the dropdown values
    width: int = 14  # template column width, in characters
    on_demand: bool = False  # a tool column made only when the tool has something to write in it

    def names(self) -> set[str]:
        """Every normalized header text that means this column."""
        return {normalize_header(self.header), normalize_header(self.field)} | {
            normalize_header(a) for a in self.aliases
        }


@dataclass(frozen=True)
class Table:
    """One sheet the tool reads: its default title and its columns."""

    name: str  # internal name: clients, tasks, touches, settings, sales
    title: str  # default sheet title
    columns: tuple[Column, ...]
    key: str | None = None  # field of the key column
    required: bool = True
    aliases: tuple[str, ...] = field(default=())

    def column(self, field_name: str) -> Column:
        """The column for a model field."""
        for col in self.columns:
            if col.field == field_name:
                return col
        raise KeyError(field_name)

    @property
    def tool_columns(self) -> tuple[Column, ...]:
        """Columns the tool owns and writes, made when missing (not the on-demand ones)."""
        return tuple(c for c in self.columns if c.tool and not c.on_demand)

    @property
    def on_demand_columns(self) -> tuple[Column, ...]:
        """Tool columns made only once the tool has a value for them (Email Status)."""
        return tuple(c for c in self.columns if c.tool and c.on_demand)


TIERS = ("A", "B", "C")
CLIENT_STATUSES = ("Prospect", "Active", "Lost", "No Sale")
TASK_TYPES = ("Payment", "Signature", "Paperwork", "Quote", "Other")
TASK_STATUSES = ("Open", "Done", "Cancelled")
CHANNELS = ("Email", "Call", "Text", "Meeting", "Letter", "Gift", "Note")
DIRECTIONS = ("Out", "In")
YES_NO = ("Yes", "No")

CLIENTS = Table(
    name="clients",
    title="Clients",
    key="client_id",
    aliases=("Customers", "Client List"),
    columns=(
        Column("client_id", "Client ID", ("ID", "Client No", "Client Number", "Customer ID"), required=True, kind="id", width=11),
        Column("name", "Name", ("Client Name", "Contact", "Contact Name", "Full Name", "Client", "Customer"), required=True, width=24),
        Column("company", "Company", ("Business", "Organisation", "Organization", "Company Name"), width=24),
        Column("email", "Email", ("E-mail", "Email Address", "E-mail Address", "Mail"), kind="email", width=30),
        Column("phone", "Phone", ("Telephone", "Tel", "Phone Number", "Phone No", "Tel No", "Mobile", "Cell"), width=16),
        Column("owner", "Owner", ("Account Owner", "Account Manager", "Staff", "Assigned To", "Rep", "Sales Rep", "Agent"), kind="email", width=26),
        Column("tier", "Tier", ("Class", "Grade", "Segment", "Rating"), kind="choice", choices=TIERS, width=6),
        Column("status", "Status", ("Stage", "Client Status"), required=True, kind="choice", choices=CLIENT_STATUSES, width=11),
        Column("client_since", "Client Since", ("Since", "Customer Since", "Start Date", "Joined", "First Contact"), kind="date", width=13),
        Column("lost_on", "Lost On", ("Lost Date", "Date Lost", "Left On", "Churned On"), kind="date", width=13),
        Column("do_not_email", "Do Not Email", ("DNE", "No Email", "Opt Out", "Unsubscribed", "Do Not Contact By Email"), kind="bool", choices=YES_NO, width=8),
        Column("notes", "Notes", ("Note", "Comments", "Comment"), width=30),
        Column("annual_value", "Annual Value", ("Value", "Annual Revenue", "Premium", "Annual Premium"), kind="number", width=12),
        Column("touches", "Touches", tool=True, kind="int", width=9),
        Column("last_touch", "Last Touch", tool=True, kind="date", width=12),
        Column("next_action", "Next Action", tool=True, width=40),
        Column("next_action_date", "Next Action Date", tool=True, kind="date", width=13),
        Column("days_since_touch", "Days Since Touch", tool=True, kind="int", width=9),
        # what the mailbox said about the Email address (inbox: bounces, unsubscribes)
        Column("email_status", "Email Status", tool=True, width=40, on_demand=True),
    ),
)

TASKS = Table(
    name="tasks",
    title="Tasks",
    key="task_id",
    aliases=("Open Items", "To Do"),
    columns=(
        Column("task_id", "Task ID", ("ID", "Task No", "Item ID"), required=True, kind="id", width=10),
        Column("client_id", "Client ID", ("Client", "Customer ID"), required=True, kind="id", width=11),
        Column("type", "Type", ("Task Type", "Kind"), kind="choice", choices=TASK_TYPES, width=11),
        Column("description", "Description", ("Task", "Item", "What"), width=34),
        Column("amount", "Amount", ("Balance", "Amount Due", "Sum"), kind="number", width=11),
        Column("due_date", "Due Date", ("Due", "Deadline", "Due By"), kind="date", width=12),
        Column("opened_on", "Opened On", ("Opened", "Created", "Start", "Date Opened"), kind="date", width=12),
        Column("status", "Status", ("Task Status", "State"), required=True, kind="choice", choices=TASK_STATUSES, width=11),
        Column("done_on", "Done On", ("Closed On", "Completed", "Date Done", "Completed On"), kind="date", width=12),
        Column("reminders_sent", "Reminders Sent", tool=True, kind="int", width=10),
        Column("last_reminder", "Last Reminder", tool=True, kind="date", width=12),
        Column("next_reminder", "Next Reminder", tool=True, kind="date", width=12),
    ),
)

TOUCHES = Table(
    name="touches",
    title="Touches",
    aliases=("Touch Log", "Contact Log", "Log"),
    columns=(
        Column("date", "Date", ("Touch Date", "When"), required=True, kind="date", width=12),
        Column("client_id", "Client ID", ("Client", "Customer ID"), required=True, kind="id", width=11),
        Column("task_id", "Task ID", ("Task",), kind="id", width=10),
        Column("channel", "Channel", ("Type", "Medium", "How"), kind="choice", choices=CHANNELS, width=10),
        Column("direction", "Direction", ("In/Out", "Dir"), kind="choice", choices=DIRECTIONS, width=9),
        Column("by", "By", ("Staff", "Who", "User"), width=24),
        Column("summary", "Summary", ("Notes", "Note", "Subject", "What"), width=44),
        Column("ref", "Ref", ("Reference", "Key"), tool=True, width=36),
        Column("result", "Result", ("Outcome", "Delivery"), tool=True, width=22),
    ),
)

SETTINGS = Table(
    name="settings",
    title="Settings",
    required=False,
    aliases=("Rules", "Config"),
    columns=(
        Column("setting", "Setting", ("Name", "Rule"), required=True, width=38),
        Column("value", "Value", (), required=True, width=18),
        Column("notes", "Notes", ("Note", "Description", "Meaning"), width=80),
    ),
)

SALES = Table(
    name="sales",
    title="Sales",
    required=False,
    aliases=("Purchases", "Orders", "Renewals"),
    columns=(
        Column("date", "Date", ("Sale Date", "Order Date"), required=True, kind="date", width=12),
        Column("client_id", "Client ID", ("Client", "Customer ID"), required=True, kind="id", width=11),
        Column("amount", "Amount", ("Value", "Total", "Premium"), kind="number", width=12),
        Column("description", "Description", ("Product", "Item", "Policy"), width=30),
    ),
)

STAFF = Table(
    name="staff",
    title="Staff",
    required=False,
    aliases=("Team", "Staff List", "People"),
    columns=(
        Column("email", "Email", ("E-mail", "Email Address", "E-mail Address", "Owner", "Address"),
               required=True, kind="email", width=30),
        Column("name", "Name", ("Full Name", "Display Name", "Staff Name", "Signs As"), width=24),
        Column("phone", "Phone", ("Telephone", "Tel", "Phone Number", "Direct Line", "Mobile", "Cell"), width=18),
        Column("title", "Job title", ("Title", "Job", "Position", "Role"), width=24),
        Column("signature", "Signature", ("Email Signature", "Sign-off", "Sign Off"), width=44),
    ),
)

TABLES: tuple[Table, ...] = (CLIENTS, TASKS, TOUCHES, SETTINGS, SALES, STAFF)
STATS_SHEET = "Stats"
ID_PREFIX = {"clients": "C-", "tasks": "T-"}
# header -> the layout's column it names; a tool column wins where two tables share a name
_BY_HEADER = {name: c for t in TABLES for c in sorted(t.columns, key=lambda c: c.tool) for name in c.names()}


def layout_column(header: object) -> Column | None:
    """The layout's column that ``header`` names (as the reader matches headers), or None."""
    return _BY_HEADER.get(normalize_header(header))
