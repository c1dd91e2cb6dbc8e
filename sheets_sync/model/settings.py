"""Business rules as settings: defaults, the plain-English note staff see, and parsing.

Each setting has a key (used in code and in the config file) and a label (what the Settings
sheet shows). The sheet may name a setting by either; rows that are missing take the default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sheets_sync.model.layout import normalize_header


@dataclass(frozen=True)
class SettingSpec:
    """One setting: key, label shown in the sheet, default, kind and the note for staff."""

    key: str
    label: str
    default: Any
    kind: str  # int | float | days_list | date | dates | yes_no | country | text
    note: str


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("first_reminder_days", "One more after (days)", 7, "int",
                "Days after a task's first request before the tool sends one more."),
    SettingSpec("repeat_reminder_days", "Then every (days)", 3, "int",
                "After that, days between reminders while the task stays open."),
    SettingSpec("final_notice_business_days", "Final notice before due (business days)", 2, "int",
                "A last notice goes out this many business days before the Due Date."),
    SettingSpec("prospect_touch_days", "Prospect touches (days after first contact)", (2, 5, 9, 14, 21, 30, 45), "days_list",
                "Days after first contact for each prospect touch; they alternate email and call."),
    SettingSpec("checkin_days_a", "Check-in every (days), tier A", 30, "int",
                "Tier A clients: days without any touch before a check-in call is due."),
    SettingSpec("checkin_days_b", "Check-in every (days), tier B", 60, "int",
                "Tier B clients: days without any touch before a check-in email is due."),
    SettingSpec("checkin_days_c", "Check-in every (days), tier C", 90, "int",
                "Tier C clients: days without any touch before a check-in email is due."),
    SettingSpec("satisfaction_check_days", "Satisfaction check after (days)", 14, "int",
                "Days after Client Since for the new-client satisfaction check."),
    SettingSpec("referral_request_days", "Referral request after (days)", 60, "int",
                "Days after Client Since for the referral request."),
    SettingSpec("at_risk_days", "At risk after (days without touch)", 27, "int",
                "Active A and B clients without any touch for longer than this are at risk."),
    SettingSpec("holidays", "Holidays", (), "dates",
                "Dates the tool sends nothing, separated by commas (e.g. 2026-12-25, 2027-01-01)."),
    SettingSpec("country", "Country", "", "country",
                "Two-letter code (US, GB, DE...): its public holidays are days off too, on top of Holidays."),
    SettingSpec("region", "Region", "", "text",
                "Optional, with Country: a state or region code (e.g. CA for California) for its holidays too."),
    SettingSpec("date_order", "Date order for typed dates", "MDY", "text",
                "How to read dates typed as numbers with slashes: MDY (12/1/2026 is 1 Dec) or DMY."),
    SettingSpec("daily_email_cap", "Daily email cap", 200, "int",
                "At most this many emails a day; the rest wait for the next run, most urgent first."),
    SettingSpec("start_date", "Start date", None, "date",
                "The day the team started using sheets-sync. Steps already overdue then are spread "
                "over the next business days, or dropped when too late. Blank: none."),
    SettingSpec("catch_up_per_day", "Catch-up emails a day per owner", 5, "int",
                "From the Start date: at most this many overdue emails per owner each business day, "
                "longest overdue first."),
    SettingSpec("catch_up_calls_per_day", "Catch-up calls a day per owner", 10, "int",
                "From the Start date: at most this many catch-up calls (reconnect calls, quiet prospects, "
                "check-in calls overdue then) on each owner's list each business day, longest overdue first."),
    SettingSpec("replacement_multiplier", "Cost to replace a client (x yearly value)", 5, "float",
                "How many times a client's yearly value it costs to win a new one."),
    SettingSpec("business_name", "Business name", "", "text",
                "Signs the emails (e.g. Harbor Insurance Agency)."),
    SettingSpec("from_address", "From address", "", "text",
                "The office address the emails come from (e.g. office@harbor.example); outbox drafts "
                "carry it. A mail server's sender ([smtp] from) comes first."),
    SettingSpec("currency", "Currency symbol", "$", "text",
                "Put before amounts in emails and reports."),
    SettingSpec("google_time_limit_seconds", "Google time limit (seconds)", 120, "int",
                "How long to keep retrying Google Sheets before giving up."),
    SettingSpec("allow_special_use_domains", "Email .local and .test addresses", True, "yes_no",
                "Yes: addresses such as sam@agency.local (an office's own mail server) are emailed. "
                "No: they are reported at their cell and never emailed."),
)

SPEC_BY_KEY = {s.key: s for s in SPECS}
_SPEC_BY_NAME = {normalize_header(s.label): s for s in SPECS} | {
    normalize_header(s.key): s for s in SPECS
}


def find_spec(name: object) -> SettingSpec | None:
    """The setting a sheet row names, by label or key, or None when unknown."""
    return _SPEC_BY_NAME.get(normalize_header(name))


@dataclass
class Settings:
    """The settings in force for one run."""

    values: dict[str, Any] = field(default_factory=lambda: {s.key: s.default for s in SPECS})

    def __getattr__(self, key: str) -> Any:
        try:
            return self.__dict__["values"][key]
        except KeyError:
            raise AttributeError(key) from None

    def checkin_days(self, tier: str | None) -> int:
        """Check-in interval for a tier (C when the tier is blank or unknown)."""
        return int(self.values.get(f"checkin_days_{(tier or 'C').lower()}", self.values["checkin_days_c"]))

    def holiday_set(self) -> Collection[dt.date]:
        """The days off: the Holidays typed, and the Country's (and Region's) public holidays."""
        return _calendar(tuple(self.values["holidays"]), str(self.values.get("country") or ""),
                         str(self.values.get("region") or ""))


class _Setting:
    """``settings.<key>``: the setting's value in ``values``, found on the class, so an attribute
    lookup need not fail first (the plan reads a few settings for each of many clients). A
    value set on the instance still wins, as before (no __set__)."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, settings: Settings | None, owner: type | None = None) -> Any:
        if settings is None:
            return self
        try:
            return settings.values[self.key]
        except KeyError:
            raise AttributeError(self.key) from None


for _spec in SPECS:
    if not hasattr(Settings, _spec.key):  # a method's name stays the method, as before
        setattr(Settings, _spec.key, _Setting(_spec.key))


@lru_cache(maxsize=8)
def _calendar(days: tuple[dt.date, ...], country: str, region: str) -> Collection[dt.date]:
    # asked for once per client and task: a big book asks hundreds of thousands of times
    if not country:
        return frozenset(days)
    from sheets_sync.model.public_holidays import Calendar

    return Calendar(frozenset(days), country, region)
