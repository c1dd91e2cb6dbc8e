"""The line about missed runs that starts every owner's digest.

Put into the rendered digest rather than its template, so a team's own digest template
has it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from sheets_sync.mail.message import Message

_BODY = re.compile(r"<body\b[^>]*>", re.I)


def lead_digests(messages: Iterable[Message], line: str) -> None:
    """Start each digest in ``messages`` with ``line`` (nothing when it is '')."""
    if not line:
        return
    for message in messages:
        if message.kind == "digest":
            message.text = f"{line}.\n\n{message.text}"
            if message.html:
                message.html = with_first_line(message.html, line + ".")


def with_first_line(html: str, line: str) -> str:
    """``html`` with ``line`` as its first paragraph (just after <body> when there is one)."""
    paragraph = f"<p><strong>{escape(line)}</strong></p>"
    match = _BODY.search(html)
    if match is None:
        return paragraph + html
    return html[: match.end()] + paragraph + html[match.end():]
