"""What was read already: per folder, the mailbox's UIDVALIDITY and the highest UID seen,
in ``inbox-state.json`` in the workbook's state folder.

This is an optimisation: each message is acted on once because its Message-ID is in the
Touches Ref. A lost or stale file only means a wider read; a changed UIDVALIDITY (the server
renumbered the folder) means the folder is read again over a bounded window of days.
A Maildir folder read instead of a server keeps the names of its files read, in
``maildir-state.json``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "inbox-state.json"


@dataclass(frozen=True)
class FolderState:
    """Where reading a folder stopped."""

    uidvalidity: int
    last_uid: int


def load_state(state_dir: Path) -> dict[str, FolderState]:
    """Folder -> what was read; empty when nothing was read or the file is unreadable."""
    try:
        raw = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))
        return {str(name): FolderState(int(v["uidvalidity"]), int(v["last_uid"])) for name, v in raw.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save_state(state_dir: Path, state: dict[str, FolderState]) -> None:
    """Write the state atomically (a crash leaves the old file or the new one)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    data = {name: {"uidvalidity": s.uidvalidity, "last_uid": s.last_uid} for name, s in sorted(state.items())}
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


MAILDIR_FILE = "maildir-state.json"


@dataclass(frozen=True)
class MaildirState:
    """The message files of a Maildir folder read already (their unique names, without the
    ``:2,flags`` a mail client adds), and the folder they belong to."""

    path: str
    seen: frozenset[str]


def load_maildir_state(state_dir: Path, path: str) -> MaildirState | None:
    """What was read of the Maildir ``path``; None when nothing was (or another folder was)."""
    try:
        raw = json.loads((state_dir / MAILDIR_FILE).read_text(encoding="utf-8"))
        if raw["path"] != path:
            return None
        return MaildirState(path, frozenset(str(name) for name in raw["seen"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save_maildir_state(state_dir: Path, state: MaildirState) -> None:
    """Write the Maildir state atomically."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / MAILDIR_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"path": state.path, "seen": sorted(state.seen)}, indent=0), encoding="utf-8")
    os.replace(tmp, path)
