"""Every exception the library raises on purpose, in one place.

``SheetsSyncError`` and its subclasses end a run: the command line turns each into one line
on stderr and the exit code named here. The rest (``BadValue``, ``BadAddress``,
``RenderError``, ``FitError``) are caught inside the library and become a Problem at a cell
or a line in a report; they never reach the command line.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_SOURCE = 3


class SheetsSyncError(Exception):
    """Base of every error the library raises on purpose. ``exit_code`` is for the CLI."""

    exit_code = EXIT_USAGE


class ConfigError(SheetsSyncError):
    """Bad configuration, settings or command-line usage (exit 2)."""

    exit_code = EXIT_USAGE


class LayoutError(ConfigError):
    """A required sheet or column is missing (exit 2)."""


class SourceError(SheetsSyncError):
    """The source could not be read or written: missing, locked, corrupt, unreachable (exit 3)."""

    exit_code = EXIT_SOURCE

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class WorkbookLocked(SourceError):
    """Somebody has the workbook open (Excel owner file or LibreOffice lock)."""


class SourceChanged(SourceError):
    """The file changed between our read and our write."""


class RemoteError(SourceError):
    """A remote API failed (Google Sheets); carries the HTTP status when there is one."""

    def __init__(self, message: str, *, status: int | None = None, source: str | None = None) -> None:
        super().__init__(message, source=source)
        self.status = status


class RunLocked(SourceError):
    """Another run holds the lock on this source's state folder."""


class MailError(SheetsSyncError):
    """The mail server could not be reached or refused our login (exit 3)."""

    exit_code = EXIT_SOURCE


class SignInError(MailError):
    """No OAuth 2.0 access token could be had for the mail server (exit 3): sign in again, or
    the token command failed. The message never holds a token."""


class BadValue(ValueError):
    """A cell value that cannot be used; the message tells the person how to fix it."""


class BadAddress(ValueError):
    """An address no server takes (or a special-use one where those are refused); the
    message says why, in words a person can act on."""


class RenderError(Exception):
    """A template failed; ``where`` is 'templates/x.txt line 3'."""

    def __init__(self, template: str, line: int | None, message: str) -> None:
        self.template, self.line = template, line
        where = f"{template} line {line}" if line else template
        super().__init__(f"{where}: {message}")
        self.where = where
        self.detail = message


class FitError(Exception):
    """The BG/NBD model could not be fitted; the message says why, in one line."""
