"""Configuration: where the config file is found, and what it holds.

Lookup order for the file: ``--config FILE``; ``sheets-sync.toml`` next to the workbook;
``config.toml`` in the user's config folder (``click.get_app_dir("sheets-sync")``, or
``$SHEETS_SYNC_HOME`` when set). Values: command-line flag, then environment, then file,
then default (click's convention). Secrets never live in the file: see docs/configuration.md.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from sheets_sync.errors import ConfigError

CONFIG_NAME = "sheets-sync.toml"


def user_dir() -> Path:
    """The user's config folder (``$SHEETS_SYNC_HOME`` overrides)."""
    home = os.environ.get("SHEETS_SYNC_HOME")
    return Path(home) if home else Path(click.get_app_dir("sheets-sync"))


@dataclass
class Config:
    """The parsed config file (empty when there is none) and where it came from."""

    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def section(self, name: str) -> dict[str, Any]:
        """One table of the file (``[smtp]``, ``[google]``, ``[layout]``), or {}."""
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.path}: [{name}] must be a table")
        return value


def find_config(explicit: Path | None, source: str | None) -> Path | None:
    """The config file to use, or None."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} not found")
        return explicit
    candidates = []
    if source and not source.startswith(("gsheet:", "https://")):
        candidates.append(Path(source).resolve().parent / CONFIG_NAME)
    candidates.append(user_dir() / "config.toml")
    return next((c for c in candidates if c.is_file()), None)


def load_config(explicit: Path | None = None, source: str | None = None) -> Config:
    """Find and parse the config file. A malformed file is a ConfigError naming the line."""
    path = find_config(explicit, source)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix that line or remove the file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror})") from None
    return Config(data=data, path=path)
