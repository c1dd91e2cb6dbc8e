"""A working keyring in a dict, for the tests that store secrets (the test machine has none)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict; ``use_keyring`` puts it in place for one test."""

    priority = 1  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]  # never chosen by keyring itself, only set by a test

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


def use_keyring(ring: KeyringBackend) -> Iterator[KeyringBackend]:
    """``ring`` as keyring's backend while the caller (a fixture or a loop) runs, then the
    previous one again."""
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)
