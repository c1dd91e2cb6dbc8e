"""Alarms for runs nobody watches: ``[alerts]`` in the config file.

``email``: an admin address that gets a short message when a run fails with exit 2 or 3,
through the configured mail server (unless the mail server is what failed), at most once a
day for the same failure. ``heartbeat_url``: an HTTP GET on success and ``<url>/fail`` on
failure (the healthchecks.io convention), so a run that never happens raises the alarm on
their side. An alarm that cannot be raised is noted on stderr; it never changes the exit code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sheets_sync.config import Config, user_dir
from sheets_sync.errors import MailError, SheetsSyncError

DEFAULT_TIMEOUT = 10.0
SENT_FILE = "alerts-sent.json"
Warn = Callable[[str], None]


@dataclass(frozen=True)
class Alerts:
    """The ``[alerts]`` settings."""

    email: str = ""
    heartbeat_url: str = ""
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def of(cls, config: Config) -> Alerts:
        """The settings in ``config`` (none set: no alarms)."""
        table = config.section("alerts")
        return cls(str(table.get("email") or "").strip(), str(table.get("heartbeat_url") or "").strip(),
                   float(table.get("timeout") or DEFAULT_TIMEOUT))


def heartbeat(alerts: Alerts, ok: bool, warn: Warn) -> None:
    """GET the heartbeat URL (``/fail`` appended on failure); a failure to reach it is warned."""
    if not alerts.heartbeat_url:
        return
    import requests

    url = alerts.heartbeat_url.rstrip("/") + ("" if ok else "/fail")
    try:
        response = requests.get(url, timeout=alerts.timeout)
        response.raise_for_status()
    except requests.RequestException as exc:
        warn(f"the heartbeat at {_host(url)} could not be reached ({type(exc).__name__}); "
             "the run's result is as reported")


def _host(url: str) -> str:
    """Only the server of a URL: its path and query may hold the check's key."""
    from urllib.parse import urlsplit

    return urlsplit(url).netloc.rsplit("@", 1)[-1] or "(no server)"


def alert_failure(alerts: Alerts, config: Config, source: str, error: SheetsSyncError, day: dt.date,
                  warn: Warn) -> bool:
    """Email the admin about a failed run (exit 2 or 3), once a day per source and failure;
    True when it was sent."""
    if not alerts.email or error.exit_code not in (2, 3):
        return False
    line = " ".join(str(error).split())
    if isinstance(error, MailError):
        warn(f"no alert email to {alerts.email}: the mail server is what failed")
        return False
    fingerprint = hashlib.sha256(f"{source}\n{line}".encode()).hexdigest()[:16]
    sent = _load_sent()
    if sent.get(fingerprint) == day.isoformat():
        return False
    try:
        delivered = _send(alerts.email, config, source, line, error.exit_code, day)
    except SheetsSyncError as exc:
        warn(f"the alert email to {alerts.email} was not sent: {exc}")
        return False
    if not delivered:
        warn(f"the alert email to {alerts.email} was not sent: no mail server is configured")
        return False
    sent = {k: v for k, v in sent.items() if v >= (day - dt.timedelta(days=7)).isoformat()}
    sent[fingerprint] = day.isoformat()
    _save_sent(sent)
    return True


def _send(to: str, config: Config, source: str, line: str, code: int, day: dt.date) -> bool:
    from sheets_sync.mail.config import resolve_mail_settings
    from sheets_sync.mail.message import Message
    from sheets_sync.mail.smtp import SmtpMailer

    settings = resolve_mail_settings(config)
    if settings is None:
        return False
    text = (f"The sheets-sync run for {source} on {day:%a %d %b %Y} failed (exit {code}) on "
            f"{platform.node()}:\n\n{line}\n\nNothing more is sent about this failure today. The state "
            "folder's sheets-sync.log has every run; the Sync Log sheet shows the failed run once a run "
            "can write the workbook again.\n")
    message = Message(key=f"alert:{day.isoformat()}", to=to, subject=f"sheets-sync failed: {source}",
                      text=text, kind="test", summary="run failure alert")
    delivery = SmtpMailer(settings, retries=1, backoff=1.0).deliver([message])[0]
    if delivery.status != "sent":
        raise MailError(f"{delivery.status} {delivery.detail}".strip())
    return True


def _sent_path() -> Path:
    return user_dir() / SENT_FILE


def _load_sent() -> dict[str, str]:
    try:
        raw = json.loads(_sent_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _save_sent(sent: dict[str, str]) -> None:
    path = _sent_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sent), encoding="utf-8")
    os.replace(tmp, path)
