"""How days, amounts and ordinals are written for people: in the reasons and labels the
rules give, the terminal reports, the stats and the email templates."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@lru_cache(maxsize=1 << 16)  # a big book names thousands of days, each many times
def fmt_day(day: dt.date, today: dt.date | None = None) -> str:
    """'Tue 1 Dec': weekday, day and month; with the year ('Mon 7 Mar 2022') when ``today``
    is given and falls in another year."""
    if today is not None and day.year != today.year:
        return f"{day:%a} {day.day} {day:%b} {day.year}"
    return f"{day:%a} {day.day} {day:%b}"


def money(amount: float | None, currency: str = "$") -> str:
    """'$3,323' or '$3,323.50'; '' when there is no amount."""
    if amount is None:
        return ""
    text = f"{amount:,.2f}"
    return f"{currency}{text[:-3] if text.endswith('.00') else text}"


def guessed_name(email: str) -> str:
    """A name from an address's local part ('tom.oneill@...' -> 'Tom Oneill'): what emails and
    digests carry for an owner the Staff sheet does not name."""
    local = email.split("@")[0] if email else ""
    return " ".join(p.capitalize() for p in re.split(r"[._-]+", local) if p) or "Your account manager"
