"""The ``command`` provider: a program that prints an access token (msmtp's ``passwordeval``,
git's credential helpers), for any other provider or an organisation's own token broker.

The command runs without a shell, with no input and a time limit; the first line it prints
is the token. When it fails, its own error output is shown (one line), never its output, and never a
token in it (``redact``).
"""

from __future__ import annotations

import subprocess

from sheets_sync.errors import SignInError
from sheets_sync.signin.redact import hide, hide_token_like
from sheets_sync.signin.settings import OAuthSettings

STDERR_SHOWN = 300  # characters of the command's error output shown in the one-line message


class CommandTokens:
    """Access tokens printed by ``settings.command``; each ``renew`` runs it again."""

    def __init__(self, settings: OAuthSettings) -> None:
        if not settings.command:
            raise SignInError("oauth2 = \"command\" needs oauth2_command = \"...\" in [smtp] (or "
                              "SHEETS_SYNC_SMTP_OAUTH2_COMMAND): the program that prints an access token")
        self.settings = settings
        self.description = settings.describe()
        self._token = ""

    def access_token(self, *, renew: bool = False) -> str:
        """The token the command printed (run again when ``renew`` or not run yet)."""
        if renew or not self._token:
            self._token = self._run()
        return self._token

    def _run(self) -> str:
        argv = list(self.settings.command)
        name = argv[0]
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=self.settings.timeout, check=False)
        except FileNotFoundError:
            raise SignInError(f"oauth2_command: {name} was not found; give the full path of the "
                              "program that prints an access token") from None
        except PermissionError:
            raise SignInError(f"oauth2_command: {name} cannot be run (not executable): chmod +x it") from None
        except subprocess.TimeoutExpired:
            raise SignInError(f"oauth2_command: {name} did not finish within {self.settings.timeout:g} s "
                              "(it must print the token and exit, without asking anything)") from None
        if done.returncode != 0:
            # A broker may log the token it failed with: neither what it printed nor a token-like word is shown.
            printed = done.stdout.decode("utf-8", "replace").split()
            said = hide_token_like(hide(" ".join(done.stderr.decode("utf-8", "replace").split()), *printed[:1]))
            said = said[:STDERR_SHOWN]
            raise SignInError(f"oauth2_command: {name} failed (exit code {done.returncode})"
                              + (f": {said}" if said else ""))
        lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
        token = lines[0].strip() if lines else ""
        if not token or any(c.isspace() for c in token):
            raise SignInError(f"oauth2_command: {name} printed no access token (it must print the token "
                              "alone on its first line)")
        return token
