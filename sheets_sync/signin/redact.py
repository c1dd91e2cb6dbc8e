"""Keeping a secret out of text we show: a server or a token command may say back what it was
sent (an IMAP ``NO`` quoting the password, an SMTP ``535`` naming the token, a token broker
logging the token on its error output), and that text goes into our one-line errors, the log
file and the Sync Log. ``hide`` blanks the secrets we know; ``hide_token_like`` blanks what
looks like a token when we cannot know it (a command's own output)."""

from __future__ import annotations

import base64
import re

HIDDEN = "[hidden]"
SHORTEST = 4  # shorter "secrets" (a blank, a PIN-like test value) would blank ordinary words
# A word of 24+ token characters with a letter and a digit in it: OAuth tokens, JWTs, API keys.
TOKEN_LIKE = re.compile(r"(?<![\w/.~+=-])(?![/~])(?=[\w.~+/=-]*\d)(?=[\w.~+/=-]*[A-Za-z])[\w.~+/=-]{24,}")


def _forms(secret: str) -> set[str]:
    """The ways a server may quote ``secret``: as is, IMAP-quoted, in a bytes repr, base64."""
    quoted = secret.replace("\\", "\\\\").replace('"', '\\"')
    forms = {secret, quoted, repr(secret.encode("utf-8"))[2:-1], repr(quoted.encode("utf-8"))[2:-1]}
    forms.add(base64.b64encode(secret.encode("utf-8")).decode("ascii"))
    return {form for form in forms if len(form) >= SHORTEST}


def hide(text: str, *secrets: str | None) -> str:
    """``text`` with every one of ``secrets`` (and its quoted forms) replaced by [hidden]."""
    forms = set().union(*(_forms(s) for s in secrets if s and len(s) >= SHORTEST)) if secrets else set()
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, HIDDEN)
    return text


def hide_token_like(text: str) -> str:
    """``text`` with every word that looks like a token replaced by [hidden] (paths kept)."""
    return TOKEN_LIKE.sub(HIDDEN, text)
