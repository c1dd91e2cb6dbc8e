"""Asking for a secret: hidden at a terminal, read as a line when it is piped in.

``getpass`` (behind click's hidden prompt) reads the controlling terminal, not a pipe, and
without one (ssh without -t, a container, a script) it falls back on standard input with a
Python warning that the password may be echoed. ``login`` on a headless box is given its
password on standard input, so that case reads the line itself, with no prompt or warning.
"""

from __future__ import annotations

import sys

import click


def ask_secret(label: str) -> str:
    """The secret typed at the terminal (hidden), or the first line of standard input when
    that is not a terminal; "" when there is none."""
    stdin = sys.stdin
    if stdin is not None and stdin.isatty():
        return str(click.prompt(label, hide_input=True, default="", show_default=False))
    line = stdin.readline() if stdin is not None else ""
    return line.rstrip("\r\n")
