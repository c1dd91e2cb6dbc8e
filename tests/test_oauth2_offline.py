"""Microsoft's sign-in server out of reach (no network, a proxy down, DNS failing): ``login``
and a run that needs a token say so in one line, exit 3, instead of 'unexpected failure
(ConnectionError ...) please report it' (issue 18 item 5). MSAL asks the authority for its
OpenID configuration as soon as the application object is made, before any token call."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from test_oauth2_microsoft import no_keyring, setup  # noqa: F401 (fixtures)

from sheets_sync.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_login_and_a_run_with_the_sign_in_server_out_of_reach(tmp_path: Path, setup, isolated_env) -> None:  # noqa: F811
    idp, server = setup
    book = str(tmp_path / "clients.xlsx")
    assert run("login", book)[0] == 0
    url = idp.url
    idp.stop()  # the sign-in server is gone: nothing answers at its address

    code, out, err = run("test-email", book, "--to", "me@harbor.example")
    assert (code, out) == (3, "")
    assert err.startswith(f"Error: cannot reach the Microsoft sign-in at {url}/") and len(err.splitlines()) == 1
    assert "unexpected" not in err and server.received == []

    code, out, err = run("login", book)
    assert code == 3 and len(err.splitlines()) == 1
    assert err.startswith(f"Error: cannot reach the Microsoft sign-in at {url}/") and "unexpected" not in err
