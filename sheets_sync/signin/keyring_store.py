"""The system keyring, when this machine has one that works.

A headless Linux server usually has none: keyring then falls back to its ``fail`` backend,
whose every call raises ``NoKeyringError``. The messages that tell a person where to store a
secret ask ``keyring_usable`` first, so they never recommend ``keyring set`` on such a machine.
"""

from __future__ import annotations

SERVICE = "sheets-sync"


def keyring_usable() -> bool:
    """True when keyring has a real backend here (one it would store a secret in)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:  # a backend named in PYTHON_KEYRING_BACKEND that does not load
        return False
    return not isinstance(backend, fail.Keyring) and backend.priority > 0


def get_secret(name: str) -> str:
    """The secret stored under ``name`` (service ``sheets-sync``), or "" when there is none
    or no usable keyring."""
    if not keyring_usable():
        return ""
    import keyring

    try:
        return keyring.get_password(SERVICE, name) or ""
    except Exception:  # a locked or unreachable keyring daemon: as if nothing were stored
        return ""


def set_secret(name: str, value: str) -> None:
    """Store ``value`` under ``name`` (service ``sheets-sync``). Raises keyring's errors."""
    import keyring

    keyring.set_password(SERVICE, name, value)


def delete_secret(name: str) -> None:
    """Forget the secret stored under ``name``, if any."""
    if not keyring_usable():
        return
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        pass
