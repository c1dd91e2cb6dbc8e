"""gspread's HTTP client with a bounded retry and an overridable API root.

gspread's own ``BackOffHTTPClient`` retries forever on a server that keeps answering 429
(and recurses while doing so). This client retries 429, 500, 502, 503, 504 and connection
errors with exponential back-off and full jitter, inside one overall deadline, with a
timeout on every request, and then gives up with one clear ``RemoteError``. Other errors
(401, 403, 404, 400) are not retried: they surface at once as gspread's ``APIError``, which
the backend turns into a message that says what to do.

``SHEETS_SYNC_GOOGLE_API_ENDPOINT`` (e.g. ``http://127.0.0.1:8765``) replaces the host of
every Google API URL gspread builds, so the tool can talk to a local emulator.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError
from gspread.http_client import FileType, HTTPClient, ParamsType
from gspread.urls import SPREADSHEETS_API_V4_BASE_URL

from sheets_sync.errors import RemoteError

ENDPOINT_VARIABLE = "SHEETS_SYNC_GOOGLE_API_ENDPOINT"
DEFAULT_ENDPOINT = "https://sheets.googleapis.com"
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_TIME_LIMIT = 120.0
DEFAULT_TIMEOUT = 60.0
FIRST_DELAY = 0.5
MAX_DELAY = 32.0

GAVE_UP = (
    "Google Sheets kept failing ({reason}) for {seconds:.0f} s, so the tool gave up; nothing was "
    "written. Try again in a few minutes (the limit is the setting 'Google time limit (seconds)')."
)


def api_endpoint() -> str:
    """The API root: ``$SHEETS_SYNC_GOOGLE_API_ENDPOINT`` or https://sheets.googleapis.com."""
    return (os.environ.get(ENDPOINT_VARIABLE) or DEFAULT_ENDPOINT).rstrip("/")


def spreadsheets_url() -> str:
    """The spreadsheets collection URL (for spreadsheets.create) on the current endpoint."""
    return rewrite_url(SPREADSHEETS_API_V4_BASE_URL, api_endpoint())


def rewrite_url(url: str, endpoint: str) -> str:
    """``url`` with a Google API host replaced by ``endpoint`` (unchanged for the default)."""
    if endpoint == DEFAULT_ENDPOINT:
        return url
    for host in GOOGLE_HOSTS:
        if url.startswith(host + "/"):
            return endpoint + url[len(host):]
    return url


def describe(exc: BaseException) -> str:
    """A short, secret-free name for a transport failure."""
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection broken mid-answer"
    return type(exc).__name__


class RetryingHTTPClient(HTTPClient):
    """gspread's ``HTTPClient`` whose every request is bounded in time and retried sensibly.

    ``time_limit`` bounds all attempts of a request, or of every request made inside
    ``with client.deadline():``; ``timeout`` bounds each single attempt. ``sleep``,
    ``clock`` and ``jitter`` are injectable so tests run in milliseconds.
    """

    def __init__(
        self,
        auth: Any,
        session: requests.Session | None = None,
        *,
        endpoint: str | None = None,
        time_limit: float = DEFAULT_TIME_LIMIT,
        timeout: float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        first_delay: float = FIRST_DELAY,
        source: str | None = None,
    ) -> None:
        super().__init__(auth, session)
        self.endpoint = (endpoint or api_endpoint()).rstrip("/")
        self.time_limit = time_limit
        self.timeout: float = timeout  # one number (gspread's set_timeout, never called here, takes a tuple too)
        self.first_delay = first_delay
        self.source = source
        self.requests_made = 0  # attempts, retries included (for benchmarks and reports)
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._deadline: float | None = None

    @contextmanager
    def deadline(self, seconds: float | None = None) -> Iterator[None]:
        """Share one overall time limit among all requests made inside the block."""
        outer = self._deadline
        if outer is None:
            self._deadline = self._clock() + (self.time_limit if seconds is None else seconds)
        try:
            yield
        finally:
            self._deadline = outer

    def request(
        self,
        method: str,
        endpoint: str,
        params: ParamsType | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: FileType = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one API request; retry transient failures until the deadline, then give up."""
        url = rewrite_url(endpoint, self.endpoint)
        deadline = self._deadline if self._deadline is not None else self._clock() + self.time_limit
        started = self._clock()
        attempt = 0
        answered = ""  # the last HTTP error the server answered with, if any
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise self._gave_up("no time left", started, answered)
            reason: str
            retry_after: float | None = None
            try:
                self.requests_made += 1
                response = self.session.request(
                    method=method, url=url, json=json, params=params, data=data, files=files,
                    headers=headers, timeout=min(self.timeout, remaining),
                )
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                reason = describe(exc)
            except auth_exceptions.TransportError as exc:
                reason = f"sign-in service unreachable ({describe(exc.__cause__ or exc)})"
            except auth_exceptions.RefreshError as exc:
                if not getattr(exc, "retryable", False):
                    raise
                reason = "sign-in service busy"
            else:
                if response.ok:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise APIError(response)
                reason = answered = f"HTTP {response.status_code}"
                retry_after = _retry_after(response)
                response.close()
            delay = min(MAX_DELAY, self.first_delay * 2 ** min(attempt, 16)) * self._jitter()
            if retry_after is not None:
                delay = max(delay, retry_after)
            attempt += 1
            if self._clock() + delay >= deadline:
                raise self._gave_up(reason, started, answered)
            self._sleep(delay)

    def _gave_up(self, reason: str, started: float, answered: str = "") -> RemoteError:
        # What the server said is worth more than how the last try ended (a connection
        # dropped, our own deadline cutting it short): both are told.
        if answered and answered != reason:
            reason = f"{answered}, then {reason}"
        status = int(answered[5:]) if answered else None
        seconds = max(self._clock() - started, 0.0)
        return RemoteError(GAVE_UP.format(reason=reason, seconds=seconds), status=status, source=self.source)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def host_of(url: str) -> str:
    """The scheme and host of a URL, for messages (never a path or query)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
