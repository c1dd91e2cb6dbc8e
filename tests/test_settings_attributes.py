"""model.settings.Settings: ``settings.<key>`` is the value in ``values`` as it stands, for
every setting; a key it lacks is an AttributeError; a method keeps its name."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.model.settings import SPECS, Settings


def test_each_setting_reads_as_its_value_now() -> None:
    settings = Settings()
    for spec in SPECS:
        assert getattr(settings, spec.key) == spec.default
        settings.values[spec.key] = ("changed", spec.key)
        assert getattr(settings, spec.key) == ("changed", spec.key)
    other = Settings()
    assert other.currency == "$"  # each instance its own values


def test_a_missing_setting_is_an_attribute_error() -> None:
    settings = Settings(values={"currency": "€"})
    assert settings.currency == "€"
    with pytest.raises(AttributeError):
        settings.daily_email_cap  # noqa: B018
    assert getattr(settings, "daily_email_cap", None) is None and not hasattr(settings, "no_such_setting")


def test_the_methods_are_methods() -> None:
    settings = Settings()
    settings.values["holidays"] = [dt.date(2026, 12, 25)]
    assert dt.date(2026, 12, 25) in settings.holiday_set()
    assert settings.checkin_days("A") == settings.checkin_days_a
