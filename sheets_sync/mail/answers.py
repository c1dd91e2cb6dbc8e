"""What a mail server's refusal of our sign-in means, in one line a person can act on.

Microsoft 365 and Gmail answer a refused sign-in with codes that say more than "wrong
password": SMTP AUTH turned off for the tenant, passwords (Basic authentication) no longer
accepted, a token that is not for this mailbox. Each known answer gets its own fix.
"""

from __future__ import annotations

from sheets_sync.mail.config import MailSettings

SMTP_AUTH_OFF = ("Authenticated SMTP is turned off for this mailbox: an admin can turn it on in the Microsoft "
                 "365 admin center (Mail > Manage email apps) [{where} said {reply}]")
BASIC_AUTH_OFF = ("Microsoft 365 no longer accepts passwords here: set auth = \"oauth2\" (docs/email.md) "
                  "[{where} said {reply}]")
TOKEN_REFUSED = ("the mail server {where} refused the OAuth 2.0 sign-in for {user} ({reply}): the mailbox must "
                 "be the account you signed in with, and the app needs the SMTP.Send permission (docs/email.md); "
                 "then sign in again: {login}")
PASSWORD_REFUSED = ("the mail server {where} refused the password for {user} ({reply}): check SHEETS_SYNC_SMTP_USER "
                    "and the password; Microsoft 365 and Google Workspace may refuse passwords altogether: then "
                    "set auth = \"oauth2\" (docs/email.md)")
LOGIN_REFUSED = ("the mail server {where} refused the login for {user} ({reply}): check "
                 "SHEETS_SYNC_SMTP_USER and the password (Gmail needs an app password)")


def smtp_auth_off(reply: str) -> bool:
    """True when the server says SMTP AUTH is off for the tenant (no new password or token fixes it)."""
    text = reply.lower()
    return "5.7.139" in text or "smtpclientauthentication is disabled" in text


def login_refused_line(settings: MailSettings, reply: str) -> str:
    """One line for a refused sign-in, given the server's ``reply`` ("535 5.7.3 ...")."""
    where = f"{settings.host}:{settings.port}"
    text = reply.lower()
    values = {"where": where, "user": settings.user, "reply": reply}
    if smtp_auth_off(reply):
        return SMTP_AUTH_OFF.format(**values)
    if "5.7.30" in text or "basic authentication is not supported" in text:
        return BASIC_AUTH_OFF.format(**values)
    if settings.oauth2 is not None:
        return TOKEN_REFUSED.format(**values, login=settings.oauth2.login_command())
    if "5.7.3" in text:  # Microsoft 365: the password was refused
        return PASSWORD_REFUSED.format(**values)
    return LOGIN_REFUSED.format(**values)
