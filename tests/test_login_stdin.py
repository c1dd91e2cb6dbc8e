"""login on a headless box: the password given on standard input (no terminal, no keyring)
is stored in the 0600 environment file, with nothing on stderr: no Python warning that the
password may be echoed, no prompt (found trying the installed wheel over ssh without a terminal).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

PASSWORD = "s3cret pass word"
USER = "office@harborlane.example"


def test_a_password_piped_in_without_a_terminal_is_stored_quietly(tmp_path: Path, isolated_env: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env.update(SHEETS_SYNC_HOME=str(isolated_env), HOME=str(isolated_env),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               SHEETS_SYNC_SMTP_HOST="127.0.0.1", SHEETS_SYNC_SMTP_PORT="2525",
               SHEETS_SYNC_SMTP_SECURITY="none", SHEETS_SYNC_SMTP_USER=USER)
    env.pop("DISPLAY", None)
    # a new session has no controlling terminal, as under cron, ssh without -t or a container
    done = subprocess.run([sys.executable, "-m", "sheets_sync", "login", str(tmp_path / "clients.xlsx")],
                          env=env, cwd=tmp_path, input=f"{PASSWORD}\n", capture_output=True, text=True,
                          timeout=120, check=False, start_new_session=True)
    path = isolated_env / "env"
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (f"Stored the SMTP password for {USER} in {path} (mode 600; this machine has no "
                           "system keyring).\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == f"SHEETS_SYNC_SMTP_PASSWORD={PASSWORD}\n"
