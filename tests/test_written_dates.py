"""The file written-dates.json: its text, and a round trip."""

from __future__ import annotations

import datetime as dt
import json

from sheets_sync.rules.plan import WrittenDates
from sheets_sync.write.written_dates import FILE_NAME, load_written_dates, save_written_dates


def test_the_file_is_the_dates_as_iso_text_sorted_by_key(tmp_path):
    day, other = dt.date(2026, 11, 23), dt.date(2027, 1, 4)
    written = WrittenDates(dates={"task:T-2": day, "client:C-10": other, "client:C-9": day, "client:Ä": other},
                           known=True)
    save_written_dates(tmp_path, written)
    text = (tmp_path / FILE_NAME).read_text(encoding="utf-8")
    assert text == ('{"dates": {"client:C-10": "2027-01-04", "client:C-9": "2026-11-23", '
                    '"client:\\u00c4": "2027-01-04", "task:T-2": "2026-11-23"}}')
    assert json.loads(text)["dates"]["client:Ä"] == "2027-01-04"
    assert load_written_dates(tmp_path) == written
    assert not (tmp_path / "written-dates.tmp").exists()


def test_no_dates_is_an_empty_record_that_is_known(tmp_path):
    save_written_dates(tmp_path / "state", WrittenDates())
    assert load_written_dates(tmp_path / "state") == WrittenDates(known=True)
    assert load_written_dates(tmp_path / "nothing") == WrittenDates()
