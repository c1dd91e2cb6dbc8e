"""What composing a plan gives: the messages, the actions they came from, the failures.

Its own module so that a command that renders nothing (``due``) can hold an empty one
without importing the template engine (``mail.compose`` needs jinja2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sheets_sync.mail.message import Message
from sheets_sync.model.rows import Problem
from sheets_sync.rules.plan import Action


@dataclass
class Composed:
    """The messages to deliver, the actions they came from, and templates that failed."""

    messages: list[Message] = field(default_factory=list)
    actions: dict[str, Action] = field(default_factory=dict)  # key -> action (emails only)
    failed: list[Action] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
