"""Who is a client, and when: each client row becomes the spells during which that client
was a client. Every period figure is a count over spells, which is what makes
S - L + N == E hold exactly (docs/stats.md gives every definition and edge case)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sheets_sync.model.rows import Client


@dataclass(frozen=True)
class Spell:
    """A stretch of time during which someone was a client.

    ``start`` is the Client Since date (None: a client since before the records begin);
    ``end`` is the Lost On date (None: still a client). A client is active at the end of
    every day d with start <= d < end: active on the day they join, gone on the day they
    are lost.
    """

    client_id: str
    start: dt.date | None
    end: dt.date | None

    def active_at(self, day: dt.date) -> bool:
        """True when the client is a client at the end of ``day``."""
        return (self.start is None or self.start <= day) and (self.end is None or self.end > day)


def client_spells(client: Client) -> list[Spell] | None:
    """The spells of one client row, or None when the row cannot be placed in time.

    Prospects and No Sale rows are not clients: no spells. An Active row is a client from
    Client Since (before the records when blank) until Lost On if that is filled (a
    departure dated ahead, or a Status not yet updated). A Lost On before Client Since on
    an Active row means the client came back: one spell up to Lost On, a new one from
    Client Since. A Lost row without Lost On, or with Client Since after Lost On, was lost
    on a date nobody wrote down: None, and the row is left out of the counts.
    """
    if client.status not in ("Active", "Lost"):
        return []
    since, lost = client.client_since, client.lost_on
    cid = client.client_id
    if client.status == "Lost":
        if lost is None or (since is not None and lost < since):
            return None
        return [Spell(cid, since, lost)]
    if lost is None:
        return [Spell(cid, since, None)]
    if since is None or lost >= since:
        return [Spell(cid, since, lost)]
    return [Spell(cid, None, lost), Spell(cid, since, None)]


def spells_of(clients: Iterable[Client]) -> tuple[list[Spell], list[str]]:
    """The spells of every client row, and the IDs of the rows that cannot be placed in time."""
    spells: list[Spell] = []
    unplaced: list[str] = []
    for client in clients:
        found = client_spells(client)
        if found is None:
            unplaced.append(client.client_id)
        else:
            spells.extend(found)
    return spells, unplaced
