"""Where Google credentials come from, and what the user is told when they are wrong."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from fake_sheets_api import FakeSheetsAPI
from google.oauth2 import credentials as user_credentials

from sheets_sync.backends.google.auth import (
    NO_CREDENTIALS,
    credentials_path,
    load_identity,
    save_token,
    token_path,
)
from sheets_sync.config import Config
from sheets_sync.errors import ConfigError

AUTHORIZED_USER = {"type": "authorized_user", "client_id": "cid.apps.googleusercontent.com",
                   "client_secret": "not-a-real-secret", "refresh_token": "1//refresh"}


@pytest.fixture
def no_adc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No gcloud login and no metadata server: Application Default Credentials find nothing."""
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")


def test_a_service_account_key_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with FakeSheetsAPI() as api:
        monkeypatch.setenv("SHEETS_SYNC_GOOGLE_API_ENDPOINT", api.url)
        keyfile = api.service_account_file(tmp_path, email="robot@agency.iam.gserviceaccount.com")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(keyfile))
    identity = load_identity(Config(data={"google": {"credentials": "/elsewhere/key.json"}}))
    assert identity.kind == "service_account"
    assert identity.who() == "The service account robot@agency.iam.gserviceaccount.com"
    assert identity.credentials._token_uri == api.url + "/token"  # as written in the file


def test_the_config_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = Config(data={"google": {"credentials": "keys/sa.json"}}, path=tmp_path / "sheets-sync.toml")
    assert credentials_path(config) == tmp_path / "keys" / "sa.json"
    assert credentials_path(Config()) is None


@pytest.mark.parametrize(("content", "message"), [
    (None, "not found: check the path"),
    ("{not json", "is not JSON"),
    (json.dumps({"type": "external_account"}), "not a service account key or an OAuth client file"),
    (json.dumps({"type": "service_account", "client_email": "x@y"}), "incomplete or damaged"),
])
def test_bad_credential_files_get_one_clear_line(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    config = Config(data={"google": {"credentials": str(path)}})
    with pytest.raises(ConfigError, match=message) as caught:
        load_identity(config)
    assert "\n" not in str(caught.value)


def test_an_authorized_user_file_acts_as_a_person(tmp_path: Path) -> None:
    path = tmp_path / "user.json"
    path.write_text(json.dumps(AUTHORIZED_USER), encoding="utf-8")
    identity = load_identity(Config(data={"google": {"credentials": str(path)}}))
    assert identity.kind == "user" and identity.who() == "Your Google account"


def test_an_oauth_client_file_needs_a_sign_in_first(tmp_path: Path) -> None:
    path = tmp_path / "client_secret.json"
    path.write_text(json.dumps({"installed": {"client_id": "cid", "client_secret": "s",
                                              "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                                              "token_uri": "https://oauth2.googleapis.com/token"}}),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="Not signed in to Google yet"):
        load_identity(Config(data={"google": {"credentials": str(path)}}), interactive=False)
    save_token(user_credentials.Credentials.from_authorized_user_info(AUTHORIZED_USER))
    assert load_identity(Config(data={"google": {"credentials": str(path)}}), interactive=False).kind == "user"


def test_the_token_is_cached_for_its_owner_only(isolated_env: Path) -> None:
    path = token_path()
    assert path == isolated_env / "google-token.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o644)
    save_token(user_credentials.Credentials.from_authorized_user_info(AUTHORIZED_USER))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))["refresh_token"] == "1//refresh"


def test_a_cached_token_is_used_when_nothing_is_configured(isolated_env: Path, no_adc: None) -> None:
    save_token(user_credentials.Credentials.from_authorized_user_info(AUTHORIZED_USER))
    assert load_identity(Config()).kind == "user"


def test_nothing_anywhere_says_how_to_set_it_up(no_adc: None) -> None:
    with pytest.raises(ConfigError) as caught:
        load_identity(Config())
    assert str(caught.value) == NO_CREDENTIALS


def test_application_default_credentials_are_the_last_resort(no_adc: None, tmp_path: Path) -> None:
    adc = tmp_path / "gcloud" / "application_default_credentials.json"
    adc.parent.mkdir(parents=True)
    adc.write_text(json.dumps(AUTHORIZED_USER), encoding="utf-8")
    identity = load_identity(Config())
    assert identity.origin == "ADC" and identity.who() == "Your Google account"
