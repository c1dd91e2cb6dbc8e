"""A GitHub Actions workflow that runs the sync for a Google Sheets source.

GitHub runs cron in UTC: the local time is turned into UTC with this computer's offset today
(said in the file: after a daylight-saving change the run moves by an hour; edit the line).
The service-account key and the mail settings come from the repository's secrets; the state
folder (send journal, last run) is kept between runs with actions/cache, and one run at a
time (concurrency), so no email is sent twice.
"""

from __future__ import annotations

import datetime as dt
import json

from sheets_sync import __version__
from sheets_sync.errors import ConfigError
from sheets_sync.schedule.cron import cron_days
from sheets_sync.schedule.job import Job, day_list

KEY_SECRET = "SHEETS_SYNC_GOOGLE_KEY"
MAIL_SECRETS = ("SHEETS_SYNC_SMTP_HOST", "SHEETS_SYNC_SMTP_PORT", "SHEETS_SYNC_SMTP_USER",
                "SHEETS_SYNC_SMTP_PASSWORD", "SHEETS_SYNC_FROM")
NOT_GOOGLE = ("a GitHub workflow runs on GitHub's computers, which cannot open {source}: "
              "schedule it on this computer instead (leave out --print github), or use a Google Sheets source")
FILE = ".github/workflows/sheets-sync.yml"


def utc_schedule(job: Job, today: dt.date) -> tuple[dt.time, tuple[int, ...]]:
    """The job's local time and days as UTC (days shift when the time crosses midnight)."""
    local = dt.datetime.combine(today, job.at).astimezone()
    utc = local.astimezone(dt.UTC)
    shift = (utc.date() - local.date()).days
    return utc.time().replace(second=0, microsecond=0), tuple(sorted((d + shift) % 7 for d in job.days))


def render(job: Job, today: dt.date | None = None) -> str:
    """The workflow file's text (``FILE`` in the repository)."""
    if not job.source.startswith("gsheet:") and "docs.google.com" not in job.source:
        raise ConfigError(NOT_GOOGLE.format(source=job.source))
    at, days = utc_schedule(job, today or dt.date.today())
    offset = dt.datetime.combine(today or dt.date.today(), job.at).astimezone().strftime("%z")
    env = "\n".join(f"          {name}: ${{{{ secrets.{name} }}}}" for name in MAIL_SECRETS)
    source = json.dumps(job.source)  # a YAML double-quoted string is a JSON string
    return f"""# {job.marker}
# Save as {FILE} in a private repository. Secrets (Settings > Secrets and variables > Actions):
# {KEY_SECRET} (the service account's JSON key) and {', '.join(MAIL_SECRETS)}.
name: sheets-sync
on:
  schedule:
    # {job.at:%H:%M} {day_list(job.days)} at UTC{offset} is {at:%H:%M} UTC (GitHub's cron is UTC; move it after a clock change)
    - cron: "{at.minute} {at.hour} * * {cron_days(days)}"
  workflow_dispatch: {{}}
concurrency:
  group: sheets-sync
  cancel-in-progress: false
jobs:
  sync:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      SHEETS_SYNC_HOME: ${{{{ github.workspace }}}}/.sheets-sync
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Keep the state folder (send journal, last run) between runs
        uses: actions/cache@v4
        with:
          path: .sheets-sync
          key: sheets-sync-state-${{{{ github.run_id }}}}
          restore-keys: sheets-sync-state-
      - name: Install sheets-sync
        run: pipx install "sheets-sync=={__version__}"
      - name: Sync
        env:
          {KEY_SECRET}: ${{{{ secrets.{KEY_SECRET} }}}}
{env}
        run: |
          umask 077
          printf '%s' "${KEY_SECRET}" > "$RUNNER_TEMP/google-key.json"
          export GOOGLE_APPLICATION_CREDENTIALS="$RUNNER_TEMP/google-key.json"
          sheets-sync sync {source} --quiet
"""


def install(job: Job) -> str:
    """There is nothing to install on this computer."""
    raise ConfigError(f"a workflow is not installed here: save the text of --print github as {FILE} in the repository")


def installed() -> list[str]:
    """Nothing is installed on this computer."""
    return []


def remove(job: Job) -> list[str]:
    """Nothing is installed on this computer."""
    return []
