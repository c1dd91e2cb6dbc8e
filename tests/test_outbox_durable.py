"""The outbox's drafts are on disk before the journal records them as queued (issue 21).

Watched from outside with strace: in a real process, after the last draft is renamed into
the outbox there must be a flush of those files (syncfs of their file system, or an fsync of
each and of the folder) before the first fsync of the journal's database that commits them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("strace") is None or not sys.platform.startswith("linux"),
                                reason="needs strace on Linux")

SCRIPT = textwrap.dedent("""
    import datetime as dt, sys
    from pathlib import Path
    from sheets_sync.mail.journal import Journal
    from sheets_sync.mail.message import Message
    from sheets_sync.mail.outbox import OutboxMailer
    base = Path(sys.argv[1])
    with Journal(base / "state") as journal:
        mailer = OutboxMailer(base / "outbox")
        mailer.prepare_run(journal, None, dt.date(2026, 11, 23))
        mailer.deliver([Message(f"checkin:K{i}:2026-11-23", f"c{i}@example.com", "Hello", "Hi\\n")
                        for i in range(5)])
        assert [e.status for e in journal.entries()] == ["queued"] * 5
""")


def trace(tmp_path: Path) -> list[str]:
    log = tmp_path / "strace.log"
    subprocess.run(["strace", "-f", "-y", "-qq", "-o", str(log),
                    "-e", "trace=rename,renameat,renameat2,fsync,fdatasync,syncfs,sync",
                    sys.executable, "-c", SCRIPT, str(tmp_path)], check=True, timeout=120)
    return log.read_text().splitlines()


def test_drafts_are_flushed_before_the_journal_commits_them(tmp_path):
    lines = trace(tmp_path)
    renames = [i for i, line in enumerate(lines) if re.search(r"rename\w*\(.*\.eml\.tmp", line)]
    assert len(renames) == 5, lines
    after = lines[renames[-1] + 1:]
    commit = next(i for i, line in enumerate(after) if re.search(r"f(data)?sync\(\d+<[^>]*journal\.sqlite3", line))
    flushes = after[:commit]
    synced_fs = any(re.search(r"\bsyncfs\(\d+<[^>]*outbox>\) = 0", line) or re.search(r"\bsync\(\) ", line)
                    for line in flushes)
    synced_each = (sum(bool(re.search(r"fsync\(\d+<[^>]*\.eml>\) = 0", line)) for line in flushes) == 5
                   and any(re.search(r"fsync\(\d+<[^>]*outbox>\) = 0", line) for line in flushes))
    assert synced_fs or synced_each, "\n".join(lines)
