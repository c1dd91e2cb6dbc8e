"""Microsoft 365 with MSAL (Microsoft's own library): the device code flow for the one-time
sign-in (it works on a server with no browser: the person opens the address on any device
and types the code), then a silent refresh from the cached refresh token on every run.

The authority is ``https://login.microsoftonline.com/<tenant>``; ``SHEETS_SYNC_OAUTH2_AUTHORITY``
replaces the host part (a national cloud, or the fake identity provider of the tests), and
then MSAL's instance discovery, a call to Microsoft's own host, is turned off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sheets_sync.errors import ConfigError, SignInError
from sheets_sync.signin.cache import TokenCache
from sheets_sync.signin.settings import OAuthSettings

AUTHORITY_HOST = "https://login.microsoftonline.com"
# MSAL adds offline_access (the refresh token), openid and profile itself, and refuses them here.
SCOPES = ["https://outlook.office.com/SMTP.Send", "https://outlook.office.com/IMAP.AccessAsUser.All"]
NO_CLIENT_ID = ("oauth2 = \"microsoft\" needs your app registration's Application (client) ID: set "
                "oauth2_client_id = \"...\" in [smtp] (docs/email.md shows the admin how to register it)")
SIGN_IN_AGAIN = "Sign in again: {login}"
# AADSTS codes a person can act on, from Microsoft's sign-in errors.
HINTS = {
    "AADSTS7000218": "the app registration must allow public client flows (Authentication > Allow public "
                     "client flows: Yes)",
    "AADSTS700016": "no app with this oauth2_client_id in this tenant: check the ID and oauth2_tenant",
    "AADSTS65001": "the app's API permissions (SMTP.Send, IMAP.AccessAsUser.All) need consent: an admin can "
                   "grant it under API permissions",
    "AADSTS50076": "the tenant requires multi-factor authentication",
    "AADSTS50194": "the app is registered for your organisation only: set oauth2_tenant to its Directory (tenant) ID",
    "AADSTS53003": "a Conditional Access policy of your organisation blocked it: ask your admin to allow it",
}


class MicrosoftTokens:
    """Access tokens for one Microsoft 365 mailbox, refreshed silently from the cache."""

    def __init__(self, settings: OAuthSettings) -> None:
        self.settings = settings
        self.description = settings.describe()
        self.cache = TokenCache(settings)

    def access_token(self, *, renew: bool = False) -> str:
        """The cached access token, or a new one from the refresh token (``renew``: always
        new). SignInError when nobody signed in, or the refresh token expired or was revoked."""
        import msal

        s = self.settings
        stored = self.cache.load()
        again = SIGN_IN_AGAIN.format(login=s.login_command())
        if not stored:
            raise SignInError(f"nobody has signed in to Microsoft 365 as {s.user} yet: {again}")
        cache = msal.SerializableTokenCache()
        cache.deserialize(stored)
        try:  # making the application already asks the authority for its configuration
            app = _application(s, cache)
            accounts = app.get_accounts(username=s.user)
            if not accounts:
                raise SignInError(f"the stored Microsoft 365 sign-in is not for {s.user}: {again}")
            result = app.acquire_token_silent_with_error(SCOPES, accounts[0], force_refresh=renew)
        except (OSError, ValueError) as exc:  # requests' errors are OSErrors; a bad discovery answer
            raise SignInError(f"cannot reach the Microsoft sign-in at {_authority(s)} ({_why(exc)}); "
                              "it will be tried again at the next run") from None
        if cache.has_state_changed:
            self.cache.save(cache.serialize())
        if not result or "access_token" not in result:
            code = _code(result or {})
            raise SignInError(f"the Microsoft 365 sign-in for {s.user} has expired or was revoked"
                              f"{f' ({code})' if code else ''}: {again}")
        return str(result["access_token"])


def device_code_sign_in(settings: OAuthSettings, say: Callable[[str], None]) -> str:
    """The one-time sign-in: show the code and the address (``say``), wait for the person to
    sign in, store the refresh token. Returns where it was stored."""
    import msal

    store = TokenCache(settings)
    store.check_writable()
    cache = msal.SerializableTokenCache()
    try:  # making the application already asks the authority for its configuration
        app = _application(settings, cache)
        flow = app.initiate_device_flow(scopes=SCOPES)
        if "user_code" not in flow:
            raise SignInError(f"Microsoft 365 did not start the sign-in: {_explain(flow)}")
        say(str(flow["message"]))
        result = app.acquire_token_by_device_flow(flow)
    except (OSError, ValueError) as exc:
        raise SignInError(f"cannot reach the Microsoft sign-in at {_authority(settings)} ({_why(exc)})") from None
    if "access_token" not in result:
        raise SignInError(f"the sign-in did not complete: {_explain(result)}")
    signed_in = str((result.get("id_token_claims") or {}).get("preferred_username", ""))
    if signed_in and signed_in.lower() != settings.user.lower():
        raise ConfigError(f"you signed in as {signed_in}, but [smtp] user is {settings.user}: sign in with "
                          f"that mailbox, or change user; nothing was stored")
    store.save(cache.serialize())
    return store.where


def _application(settings: OAuthSettings, cache: Any) -> Any:
    import msal

    if not settings.client_id:
        raise ConfigError(NO_CLIENT_ID)
    custom = bool(settings.authority)
    return msal.PublicClientApplication(settings.client_id, authority=_authority(settings), token_cache=cache,
                                        instance_discovery=False if custom else None, timeout=settings.timeout)


def _authority(settings: OAuthSettings) -> str:
    return f"{(settings.authority or AUTHORITY_HOST).rstrip('/')}/{settings.tenant}"


def _code(result: dict[str, Any]) -> str:
    """The AADSTS code of an error answer ('' when there is none)."""
    description = str(result.get("error_description", ""))
    first = description.split(":", 1)[0].strip()
    return first if first.startswith("AADSTS") else str(result.get("error", ""))


def _explain(result: dict[str, Any]) -> str:
    code = _code(result)
    hint = HINTS.get(code, "")
    text = " ".join(str(result.get("error_description") or result.get("error") or "no answer").split())
    first = text.split(". ")[0][:200]
    return f"{first}{f'; {hint}' if hint else ''}"


def _why(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__
