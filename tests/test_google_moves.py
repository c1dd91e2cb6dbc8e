"""Rows that move while a Google sync writes (issue 16 items 1 and 4).

The sample is loaded into the fake Sheets API; staff sort, delete or insert Clients rows at
the worst moment: after the tool's fresh read of the key column, just before its values
write. Every existing Client ID must stay on its client, the blank IDs must go to the right
clients, every tool value must land where a calm run puts it, within the request budget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_sheets_api import FakeSheetsAPI

from sheets_sync import init as init_lib
from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.config import Config
from sheets_sync.errors import RemoteError, SourceError
from sheets_sync.model.read import read_book
from sheets_sync.sync import run_sync

TODAY = dt.date(2026, 11, 23)
HEADER = 3  # the sample's Clients header row (a title and a blank row above it)
BLANK_IDS = {"Chloe Bennett", "Ryan Walsh"}  # the sample's clients without an ID


def sample(api: FakeSheetsAPI, title: str) -> str:
    return init_lib.create_google(title, config=Config(), sample=True, today=TODAY)


def ids_by_name(api: FakeSheetsAPI, key: str) -> dict[str, list[str | None]]:
    found: dict[str, list[str | None]] = {}
    for row in api.values(key, "Clients")[HEADER:]:
        if len(row) > 1 and row[1]:
            found.setdefault(row[1], []).append(row[0])
    return found


def tool_values(key: str) -> dict[tuple[str, str], tuple[object, ...]]:
    book = read_book(GoogleBackend(key, time_limit=5).read())
    return {(c.client_id, c.name): (c.touches, c.last_touch, c.next_action, c.next_action_date, c.days_since_touch)
            for c in book.clients}


def sync(key: str, folder: Path) -> object:
    return run_sync(f"gsheet:{key}", TODAY, config=Config(), outbox=folder)


def sort_reversed(key: str) -> Callable[[FakeSheetsAPI], None]:
    return lambda fake: fake.sort_rows(key, "Clients", HEADER, 2, reverse=True)


def delete_one(key: str) -> Callable[[FakeSheetsAPI], None]:
    return lambda fake: fake.delete_rows(key, "Clients", HEADER + 6)  # George Pratt, C-0006


def insert_one(key: str) -> Callable[[FakeSheetsAPI], None]:
    return lambda fake: fake.insert_rows(key, "Clients", HEADER + 1, [["C-0900", "Walk-in Client"]])


def insert_and_sort(key: str) -> Callable[[FakeSheetsAPI], None]:
    def staff(fake: FakeSheetsAPI) -> None:
        insert_one(key)(fake)
        fake.sort_rows(key, "Clients", HEADER, 2)
    return staff


@pytest.fixture
def calm(api: FakeSheetsAPI, tmp_path: Path) -> dict[str, object]:
    key = sample(api, "Calm")
    api.reset_counts()
    sync(key, tmp_path / "calm")
    return {"key": key, "requests": api.api_requests(), "ids": ids_by_name(api, key), "values": tool_values(key)}


def test_a_calm_sync_with_blank_ids_takes_five_requests(calm: dict[str, object]) -> None:
    assert calm["requests"] <= 5
    ids = calm["ids"]
    assert isinstance(ids, dict)
    assert ids["Chloe Bennett"] == ["C-0057"] and ids["Ryan Walsh"] == ["C-0058"]


@pytest.mark.parametrize("move", [sort_reversed, delete_one, insert_one, insert_and_sort])
def test_rows_moving_just_before_the_write(api: FakeSheetsAPI, tmp_path: Path, calm: dict[str, object],
                                           move: Callable[[str], Callable[[FakeSheetsAPI], None]]) -> None:
    key = sample(api, "Busy")
    before = ids_by_name(api, key)
    api.reset_counts()
    api.before("valuesBatchUpdate", move(key))
    sync(key, tmp_path / "busy")
    assert api.api_requests() <= 8
    after = ids_by_name(api, key)
    for name, ids in before.items():
        if name in BLANK_IDS or (move is delete_one and name == "George Pratt"):
            continue
        assert after[name] == ids, name  # nobody's ID changed
    assert (after["Chloe Bennett"], after["Ryan Walsh"]) == (["C-0057"], ["C-0058"])
    values = tool_values(key)
    wanted = dict(calm["values"])  # type: ignore[call-overload]
    if move is delete_one:
        wanted = {k: v for k, v in wanted.items() if k[1] != "George Pratt"}
    if move in (insert_one, insert_and_sort):
        rows = api.values(key, "Clients")
        header = rows[HEADER - 1]
        walk_in = next(r for r in rows if r and r[0] == "C-0900")
        tool = [header.index(h) for h in ("Touches", "Last Touch", "Next Action", "Next Action Date")]
        assert [walk_in[i] if i < len(walk_in) else None for i in tool] == [None] * 4  # nothing of another's
    assert values == wanted


def test_an_id_is_never_written_on_a_row_whose_key_is_no_longer_blank(api: FakeSheetsAPI, tmp_path: Path) -> None:
    key = sample(api, "Busy")
    before = ids_by_name(api, key)
    api.before("batchUpdate", sort_reversed(key))  # after the fresh read, before the rows are tagged
    report = sync(key, tmp_path / "busy")
    after = ids_by_name(api, key)
    for name, ids in before.items():
        if name not in BLANK_IDS:
            assert after[name] == ids, name
    assert after["Chloe Bennett"] == [None] and after["Ryan Walsh"] == [None]  # next run
    problems = " ".join(str(p) for p in report.problems)  # type: ignore[attr-defined]
    assert "new Client ID C-0057 was not written" in problems


def test_rows_that_keep_moving_end_in_an_error_naming_them(api: FakeSheetsAPI, tmp_path: Path) -> None:
    key = sample(api, "Busy")
    for nth in (1, 2, 3):  # the write and both repairs
        api.before("valuesBatchUpdate", lambda fake, n=nth: fake.sort_rows(key, "Clients", HEADER, 2,
                                                                               reverse=n % 2 == 1), nth=nth)
    with pytest.raises(SourceError, match=r"rows kept moving .* after 2 repairs these still need a look: C-00"):
        sync(key, tmp_path / "busy")
    assert api.counts["valuesBatchUpdate"] == 3


def test_a_failed_write_takes_the_new_stats_sheet_away_again(api: FakeSheetsAPI, tmp_path: Path) -> None:
    key = sample(api, "Busy")
    api.fail(400, times=-1, kind="valuesBatchUpdate")
    with pytest.raises(RemoteError, match="new sheet.* Stats added just before were taken away again: nothing was "
                                          "written"):
        sync(key, tmp_path / "busy")
    assert [s.title for s in api.books[key].sheets if s.title == "Stats"] == []
    assert ids_by_name(api, key)["Chloe Bennett"] == [None]


def test_a_failed_write_whose_undo_fails_says_what_is_left(api: FakeSheetsAPI, tmp_path: Path) -> None:
    key = sample(api, "Busy")
    api.fail(400, times=-1, kind="valuesBatchUpdate")
    api.before("valuesBatchUpdate", lambda fake: fake.fail(400, times=-1, kind="batchUpdate"))
    with pytest.raises(RemoteError, match="Stats had been added and could not be taken away again: delete them by "
                                          "hand; no cell values were written"):
        sync(key, tmp_path / "busy")
    assert [s.title for s in api.books[key].sheets if s.title == "Stats"] == ["Stats"]
