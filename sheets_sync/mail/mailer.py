"""How a run delivers its messages: the Mailer protocol, and the one choice between the
mail server and the outbox folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sheets_sync.config import Config
from sheets_sync.mail.config import given, resolve_mail_settings
from sheets_sync.mail.journal import Journal
from sheets_sync.mail.message import Delivery, Message
from sheets_sync.mail.outbox import OutboxMailer

if TYPE_CHECKING:
    from sheets_sync.backends.base import Backend


class Mailer(Protocol):
    """Delivers messages: writes them to an outbox folder, or sends them over SMTP."""

    description: str  # e.g. "outbox folder ./outbox" or "smtp.gmail.com:587 as me@x"

    def prepare_run(self, journal: Journal | None, daily_cap: int | None, today: dt.date | None = None) -> None:
        """Journal this run's deliveries in ``journal`` (dated ``today``), within ``daily_cap``."""
        ...

    def deliver(self, messages: Sequence[Message]) -> list[Delivery]:
        """Deliver each message at most once; return one Delivery per message, in order."""
        ...


def mailer_for(config: Config, backend: Backend, outbox: Path | None = None) -> Mailer:
    """The SMTP mailer when a mail server is configured and no ``outbox`` folder was asked
    for; else the outbox (``outbox``, or the backend's own folder). Raises ConfigError for a
    bad mail setting."""
    if outbox is None:
        settings = resolve_mail_settings(config, source=str(getattr(backend, "given", "") or backend.label))
        if settings is not None:
            # smtplib, yagmail and keyring load only for a run that sends: check and due never do
            from sheets_sync.mail.smtp import SmtpMailer

            return SmtpMailer(settings)
    return OutboxMailer(outbox or backend.default_outbox(), sender=given("sender", config),
                        reply_to=given("reply_to", config))


def sender_name(config: Config) -> str:
    """Who the Touches rows say sent the emails: the configured sender, else the tool."""
    return given("sender", config) or "sheets-sync"
