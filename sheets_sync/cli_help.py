"""Command help that ends with its examples.

Each command's docstring closes with a ``\\b`` ``Examples:`` block (kept together, as
written). click would print it above the options; these classes move it into the epilog,
so ``--help`` reads: what the command does, its options, then examples to copy.
"""

from __future__ import annotations

import inspect
from typing import Any

import click

MARK = "\b\nExamples:"


def split_examples(help_text: str | None) -> tuple[str | None, str | None]:
    """``help_text`` without its closing Examples block, and that block (None when none)."""
    if not help_text:
        return help_text, None
    text = inspect.cleandoc(help_text)
    at = text.find(MARK)
    if at < 0:
        return help_text, None
    return text[:at].rstrip(), text[at:]


class ExamplesLast(click.Command):
    """A command whose help's Examples block is printed last, after the options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.epilog is None:
            self.help, self.epilog = split_examples(self.help)


class ExamplesLastGroup(click.Group):
    """The top-level group: its own help and every command's end with their examples."""

    command_class = ExamplesLast

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.epilog is None:
            self.help, self.epilog = split_examples(self.help)
