"""A small IMAP server for the XOAUTH2 sign-in only (greeting, CAPABILITY, AUTHENTICATE
XOAUTH2, NOOP, LOGOUT), answering as Gmail and Microsoft 365 do: a token it knows is
``OK``; any other gets a ``+`` continuation holding the error as JSON, then ``NO
AUTHENTICATE failed``. It accepts exactly ``user=<user>\\x01auth=Bearer <token>\\x01\\x01``.
"""

from __future__ import annotations

import base64
import binascii
import json
import socketserver
import threading


class FakeImap:
    """The running server: ``tokens`` it accepts, ``logins`` (tokens that signed in), ``refused``."""

    def __init__(self, user: str, tokens: set[str]) -> None:
        self.user = user
        self.tokens = tokens
        self.logins: list[str] = []
        self.refused: list[bytes] = []
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self) -> None:
                self.send("* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR] ready")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    tag, _, rest = line.decode().strip().partition(" ")
                    command, _, argument = rest.partition(" ")
                    command = command.upper()
                    if command == "CAPABILITY":
                        self.send("* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR")
                        self.send(f"{tag} OK CAPABILITY completed")
                    elif command == "AUTHENTICATE" and argument.upper().startswith("XOAUTH2"):
                        fake._authenticate(self, tag, argument)
                    elif command == "NOOP":
                        self.send(f"{tag} OK NOOP completed")
                    elif command == "LOGOUT":
                        self.send("* BYE")
                        self.send(f"{tag} OK LOGOUT completed")
                        return
                    else:
                        self.send(f"{tag} BAD unknown command")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _authenticate(self, handler: socketserver.StreamRequestHandler, tag: str, argument: str) -> None:
        parts = argument.split()
        if len(parts) == 2:
            answer = parts[1].encode()
        else:
            handler.send("+ ")  # type: ignore[attr-defined]
            answer = handler.rfile.readline().strip()
        try:
            blob = base64.b64decode(answer, validate=True)
        except binascii.Error:
            blob = b""
        prefix, suffix = f"user={self.user}\x01auth=Bearer ".encode(), b"\x01\x01"
        token = blob[len(prefix):-len(suffix)].decode("ascii", "replace") if (
            blob.startswith(prefix) and blob.endswith(suffix)) else None
        if token is not None and token in self.tokens:
            self.logins.append(token)
            handler.send(f"{tag} OK AUTHENTICATE completed")  # type: ignore[attr-defined]
            return
        self.refused.append(blob)
        error = base64.b64encode(json.dumps({"status": "400", "schemes": "Bearer",
                                             "scope": "https://mail.google.com/"}).encode()).decode()
        handler.send(f"+ {error}")  # type: ignore[attr-defined]
        handler.rfile.readline()  # the client's answer to the error (empty, or anything)
        handler.send(f"{tag} NO AUTHENTICATE failed.")  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
