"""A local fake identity provider over HTTPS (a throwaway trustme certificate) that answers
as Microsoft's does, for MSAL: the tenant's OpenID configuration, the device code, the token
endpoint (device code polled, refresh token grant, revocation answered with the real error
shape); and as Google's does, for google-auth-oauthlib: the consent page (``/o/oauth2/auth``,
which says yes at once and sends the browser back with a code) and ``/token``.

Access tokens it issues (at-1, at-2...) are added to ``issued`` (a dict shared with the
XOAUTH2 SMTP server, so the server accepts exactly what the IdP issued). ``revoke()`` makes
every refresh token it gave fail as Microsoft answers an expired or revoked one.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

REVOKED = {
    "error": "invalid_grant",
    "error_description": "AADSTS70008: The provided authorization code or refresh token has expired due to "
                         "inactivity. Send a new interactive authorization request for this user and resource. "
                         "Trace ID: 0 Correlation ID: 0 Timestamp: 2026-12-03 12:00:00Z",
    "error_codes": [70008], "timestamp": "2026-12-03 12:00:00Z", "suberror": "bad_token",
}
GOOGLE_REVOKED = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
PENDING = {"error": "authorization_pending",
           "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending."}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeIdP:
    """The running fake. ``url`` is its https root (the authority host)."""

    def __init__(self, folder: Path, user: str, issued: dict[str, int | None]) -> None:
        self.user = user
        self.issued = issued
        self.expires_in = 3600
        self.pending_polls = 1  # "authorization_pending" answers before the person has signed in
        self.requests: list[dict[str, str]] = []  # every token/devicecode form posted
        self.revoked = False
        self.device_error: dict[str, Any] | None = None  # the answer to the device code's poll, instead of a token
        self._count = 0
        self._lock = threading.Lock()
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = str(folder / "idp-ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def revoke(self) -> None:
        """Every refresh token given so far stops working (a password change, an admin's revocation)."""
        self.revoked = True

    def grants(self) -> list[str]:
        """The grant types posted to the token endpoint, in order."""
        return [r["grant_type"] for r in self.requests if "grant_type" in r]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _tokens(self, tenant: str) -> dict[str, Any]:
        with self._lock:
            self._count += 1
            n = self._count
        access = f"at-{n}"
        self.issued[access] = None
        now = int(time.time())
        claims = {"aud": "client", "iss": f"{self.url}/{tenant}/v2.0", "iat": now, "nbf": now, "exp": now + 3600,
                  "name": "Office", "oid": "oid-1", "preferred_username": self.user, "sub": "sub-1",
                  "tid": "tid-1", "ver": "2.0"}
        id_token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.sig"
        return {"token_type": "Bearer", "scope": "https://outlook.office.com/SMTP.Send "
                "https://outlook.office.com/IMAP.AccessAsUser.All openid profile offline_access",
                "expires_in": self.expires_in, "ext_expires_in": self.expires_in, "access_token": access,
                "refresh_token": f"rt-{n}", "id_token": id_token,
                "client_info": _b64({"uid": "oid-1", "utid": "tid-1"})}

    def _google_tokens(self) -> dict[str, Any]:
        with self._lock:
            self._count += 1
            n = self._count
        self.issued[f"at-{n}"] = None
        return {"access_token": f"at-{n}", "expires_in": self.expires_in, "refresh_token": f"rt-{n}",
                "scope": "https://mail.google.com/", "token_type": "Bearer"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                if path == "/o/oauth2/auth":  # Google's consent page: the person says yes at once
                    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                    idp.requests.append(query)
                    back = urllib.parse.urlencode({"state": query.get("state", ""), "code": "code-g1",
                                                   "scope": query.get("scope", "")})
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{back}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                parts = path.strip("/").split("/")
                if path.endswith("/v2.0/.well-known/openid-configuration"):
                    base = f"{idp.url}/{parts[0]}"
                    self._send(200, {
                        "issuer": f"{base}/v2.0", "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                        "token_endpoint": f"{base}/oauth2/v2.0/token",
                        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                        "response_types_supported": ["code"], "scopes_supported": ["openid"]})
                    return
                self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                idp.requests.append(form)
                path = urllib.parse.urlsplit(self.path).path
                tenant = path.strip("/").split("/")[0]
                if path.endswith("/devicecode"):
                    self._send(200, {
                        "user_code": "HBR-2026", "device_code": "device-1",
                        "verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900, "interval": 1,
                        "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin "
                                   "and enter the code HBR-2026 to authenticate."})
                    return
                if not path.endswith("/token"):
                    self._send(404, {"error": "not_found"})
                    return
                grant = form.get("grant_type", "")
                if path == "/token":  # Google's token endpoint
                    if grant == "refresh_token" and (idp.revoked or not form.get("refresh_token", "").startswith("rt-")):
                        self._send(400, GOOGLE_REVOKED)
                    elif grant in ("authorization_code", "refresh_token"):
                        self._send(200, idp._google_tokens())
                    else:
                        self._send(400, {"error": "unsupported_grant_type"})
                    return
                if grant == "urn:ietf:params:oauth:grant-type:device_code":
                    if idp.device_error is not None:
                        self._send(400 if "error" in idp.device_error else 200, idp.device_error)
                        return
                    if idp.pending_polls > 0:
                        idp.pending_polls -= 1
                        self._send(400, PENDING)
                        return
                    self._send(200, idp._tokens(tenant))
                elif grant == "refresh_token":
                    if idp.revoked or not form.get("refresh_token", "").startswith("rt-"):
                        self._send(400, REVOKED)
                        return
                    self._send(200, idp._tokens(tenant))
                else:
                    self._send(400, {"error": "unsupported_grant_type"})

        return Handler
