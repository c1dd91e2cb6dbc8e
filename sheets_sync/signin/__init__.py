"""Signing in to the mail server without a password in the sheet, the repository or the logs.

``env_file``: the 0600 environment file every run reads (the headless server's way to hold
the SMTP password). ``keyring_store``: whether this machine has a usable system keyring.
``settings``: how the mail server is signed in to (password or OAuth 2.0, and which provider).
``tokens`` and the providers ``command``, ``microsoft`` and ``google``: an OAuth 2.0 access
token for SMTP and IMAP ``XOAUTH2`` (``imap``: the mailbox's sign-in); ``cache``: where the
providers keep their refresh tokens. ``login``: the one-time ``sheets-sync login``.
"""
