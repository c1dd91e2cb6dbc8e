"""The fake Sheets API answers as the real one did: the same requests as gspread's recorded
test traffic (../shared/reference/google-sheets-api) get the same JSON back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from conftest import shared_path
from fake_sheets_api import FakeSheetsAPI

TOKEN = "ya29.test"


def cassette(name: str) -> list[dict[str, Any]]:
    path = shared_path("reference", "google-sheets-api", f"{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))["interactions"]


def recorded(name: str, method: str, contains: str, nth: int = 0) -> tuple[dict[str, Any], Any]:
    """(request, response JSON) of the nth interaction matching ``method`` and a URL fragment."""
    found = [i for i in cassette(name) if i["request"]["method"] == method and contains in i["request"]["uri"]]
    interaction = found[nth]
    body = interaction["response"]["body"]["string"]
    return interaction["request"], json.loads(body) if body else None


@pytest.fixture
def api() -> Iterator[FakeSheetsAPI]:
    with FakeSheetsAPI() as fake:
        fake.tokens[TOKEN] = "someone@example.com"
        yield fake


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        yield session


def same_ids(payload: Any, real_key: str, fake_key: str) -> Any:
    return json.loads(json.dumps(payload).replace(fake_key, real_key))


def test_metadata_has_the_real_shape(api: FakeSheetsAPI, http: requests.Session) -> None:
    request, real = recorded("SpreadsheetTest.test_properties", "GET", "includeGridData")
    key = api.add_spreadsheet(real["properties"]["title"], {"Sheet1": []}, rows=1000)
    mine = http.get(f"{api.url}/v4/spreadsheets/{key}", params={"includeGridData": "false"}).json()
    mine = same_ids(mine, real["spreadsheetId"], key)
    real["properties"].pop("spreadsheetTheme")  # colours the tool never reads
    assert mine == real


def test_values_written_user_entered_read_back_as_recorded(api: FakeSheetsAPI, http: requests.Session) -> None:
    name = "WorksheetTest.test_get_all_values_date_time_render_options"
    put, _ = recorded(name, "PUT", "valueInputOption=USER_ENTERED")
    values = json.loads(put["body"])["values"]
    values[0][0], values[1][0] = "2", "1.5"  # the fake does not compute formulas (=4/2, =3/2)
    key = api.add_spreadsheet("t", {"Sheet1": []}, rows=2, cols=4)
    http.post(f"{api.url}/v4/spreadsheets/{key}/values:batchUpdate",
              json={"valueInputOption": "USER_ENTERED", "data": [{"range": "'Sheet1'!A1:D2", "values": values}]})
    for nth in range(4):
        request, real = recorded(name, "GET", "valueRenderOption", nth)
        query = request["uri"].split("?", 1)[1]
        mine = http.get(f"{api.url}/v4/spreadsheets/{key}/values:batchGet?ranges=%27Sheet1%27&{query}").json()
        assert mine["valueRanges"] == [real], query


def test_raw_batch_update_answers_and_stores_as_recorded(api: FakeSheetsAPI, http: requests.Session) -> None:
    name = "WorksheetTest.test_batch_update"
    request, real = recorded(name, "POST", "values:batchUpdate")
    real_key = request["uri"].split("/")[5]
    key = api.add_spreadsheet("t", {"Sheet1": []})
    mine = http.post(f"{api.url}/v4/spreadsheets/{key}/values:batchUpdate", data=request["body"],
                     headers={"Content-Type": "application/json"}).json()
    assert same_ids(mine, real_key, key) == real
    _, real_get = recorded(name, "GET", "values/%27Sheet1%27%21A1%3AD4")
    got = http.get(f"{api.url}/v4/spreadsheets/{key}/values:batchGet", params={"ranges": "'Sheet1'!A1:D4"}).json()
    assert got["valueRanges"] == [real_get]


def test_whole_column_ranges_are_clipped_to_the_grid(api: FakeSheetsAPI, http: requests.Session) -> None:
    name = "SpreadsheetTest.test_values_batch_get"
    request, real = recorded(name, "GET", "values:batchGet")
    put, _ = recorded(name, "PUT", "valueInputOption=RAW")
    title = "🌵 test_values_batch_get 1"
    key = api.add_spreadsheet("t", {"Sheet1": [], title: json.loads(put["body"])["values"]}, rows=10, cols=10)
    query = request["uri"].split("?", 1)[1]
    mine = http.get(f"{api.url}/v4/spreadsheets/{key}/values:batchGet?{query}").json()
    assert mine["valueRanges"] == real["valueRanges"]


@pytest.mark.parametrize(("name", "status"), [("ClientTest.test_access_non_existing_spreadsheet", 404),
                                              ("ClientTest.test_access_private_spreadsheet", 403)])
def test_error_bodies_are_the_real_ones(api: FakeSheetsAPI, http: requests.Session, name: str,
                                        status: int) -> None:
    found = [i for i in cassette(name) if i["response"]["status"]["code"] == status]
    real = json.loads(found[0]["response"]["body"]["string"])
    key = "test" if status == 404 else api.add_spreadsheet("private", {"Sheet1": []}, editors={"x@y.z"})
    answer = http.get(f"{api.url}/v4/spreadsheets/{quote(key)}", params={"includeGridData": "false"})
    assert answer.status_code == status and answer.json() == real

