"""Public holidays from the ``holidays`` package: the Country (and Region) settings.

They are added to the Holidays staff type in the Settings sheet. The business-day rules, the
catch-up and the missed-run logic only ask whether a day is a holiday, and the package fills
in each year the first time it is asked about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sheets_sync.errors import BadValue

NOT_A_COUNTRY = ("'{text}' is not a country code the holidays package knows: write a two-letter code such as "
                 "US, GB, DE, FR, CA or AU")
NOT_A_REGION = ("'{text}' is not a region of {country}: write one of {some} (or leave Region blank for the "
                "country's holidays only)")


def country_code(text: str) -> str:
    """'us' -> 'US'. Raises BadValue for a code the package does not know."""
    import holidays

    code = text.strip().upper()
    if code not in holidays.list_supported_countries():
        raise BadValue(NOT_A_COUNTRY.format(text=text.strip()))
    return code


def region_problem(country: str, region: str) -> str:
    """Why ``region`` is no region of ``country`` ('' when it is, or when either is blank)."""
    import holidays

    if not country or not region:
        return ""
    known = holidays.list_supported_countries().get(country.upper(), [])
    if region.strip().upper() in (r.upper() for r in known):
        return ""
    return NOT_A_REGION.format(text=region, country=country.upper(), some=", ".join(known[:8]) or "none")


class Calendar:
    """The days off: the dates staff typed, and the public holidays of a country (and region)."""

    def __init__(self, typed: frozenset[dt.date], country: str = "", region: str = "") -> None:
        self.typed = typed
        self.public = _public(country.strip().upper(), region.strip().upper()) if country.strip() else None

    def __contains__(self, day: object) -> bool:
        if day in self.typed:
            return True
        return self.public is not None and isinstance(day, dt.date) and day in self.public

    def __iter__(self) -> Iterator[dt.date]:
        """The typed dates, then the public holidays of the years asked about so far."""
        yield from sorted(self.typed)
        if self.public is not None:
            yield from sorted(d for d in self.public if d not in self.typed)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@lru_cache(maxsize=16)
def _public(country: str, region: str) -> Any:
    """The package's holidays for a country, its years filled in as they are asked about (a
    region it does not know: the country's own holidays)."""
    import holidays

    if region_problem(country, region):
        region = ""
    return holidays.country_holidays(country, subdiv=region or None)
