"""Running a system's scheduling tool (systemctl, launchctl, schtasks)."""

from __future__ import annotations

import shutil
import subprocess

TIMEOUT = 60


def run_tool(program: str, *args: str) -> str:
    """Run ``program`` with ``args``; '' when it worked, else one line on why not."""
    found = shutil.which(program)
    if found is None:
        return f"{program} is not on this computer"
    try:
        done = subprocess.run([found, *args], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{program} could not run ({exc})"
    if done.returncode:
        said = " ".join((done.stderr or done.stdout).split())[:300]
        return f"{program} {' '.join(args[:2])} failed ({said or 'exit ' + str(done.returncode)})"
    return ""
