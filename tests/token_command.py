"""The ``command`` OAuth 2.0 provider's token program for the tests: a script that prints
tok-1, tok-2... one more on each run, counting its runs in a file."""

from __future__ import annotations

import sys
from pathlib import Path

TOKEN_SCRIPT = """\
import pathlib, sys
counter = pathlib.Path(sys.argv[1])
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
print(f"tok-{n}")
"""


def token_argv(tmp_path: Path, script: str = TOKEN_SCRIPT) -> tuple[str, ...]:
    """The command that runs ``script`` (written to tmp_path/token.py) with the counter file
    tmp_path/calls as its argument."""
    path = tmp_path / "token.py"
    path.write_text(script, encoding="utf-8")
    return (sys.executable, str(path), str(tmp_path / "calls"))


def calls(tmp_path: Path) -> int:
    """How many times the token script has run in tmp_path."""
    counter = tmp_path / "calls"
    return int(counter.read_text()) if counter.exists() else 0
