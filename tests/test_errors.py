"""The library's exceptions live in sheets_sync.errors, keep their bases and exit codes, and
are the ones the modules raise."""

import pytest

from sheets_sync import errors
from sheets_sync.mail.render import Templates
from sheets_sync.model.addresses import check_address
from sheets_sync.model.values import parse_number
from sheets_sync.stats import bgnbd


@pytest.mark.parametrize(("name", "base", "exit_code"), [
    ("ConfigError", errors.SheetsSyncError, errors.EXIT_USAGE),
    ("LayoutError", errors.ConfigError, errors.EXIT_USAGE),
    ("SourceError", errors.SheetsSyncError, errors.EXIT_SOURCE),
    ("WorkbookLocked", errors.SourceError, errors.EXIT_SOURCE),
    ("SourceChanged", errors.SourceError, errors.EXIT_SOURCE),
    ("RemoteError", errors.SourceError, errors.EXIT_SOURCE),
    ("RunLocked", errors.SourceError, errors.EXIT_SOURCE),
    ("MailError", errors.SheetsSyncError, errors.EXIT_SOURCE),
])
def test_run_ending_errors_keep_their_base_and_exit_code(name, base, exit_code):
    cls = getattr(errors, name)
    assert issubclass(cls, base)
    assert cls.exit_code == exit_code


@pytest.mark.parametrize(("name", "base"), [
    ("BadValue", ValueError), ("BadAddress", ValueError), ("RenderError", Exception), ("FitError", Exception),
])
def test_caught_inside_errors_are_not_run_ending(name, base):
    cls = getattr(errors, name)
    assert issubclass(cls, base)
    assert not issubclass(cls, errors.SheetsSyncError)


def test_the_modules_raise_the_errors_module_classes(tmp_path):
    with pytest.raises(errors.BadValue):
        parse_number("lots")
    with pytest.raises(errors.BadAddress):
        check_address("a@@b")
    (tmp_path / "broken.txt").write_text("Subject: hi\n\n{{ client.nope }}\n", encoding="utf-8")
    with pytest.raises(errors.RenderError):
        Templates([tmp_path]).render("broken.txt", {"client": {}})
    with pytest.raises(errors.FitError):
        bgnbd.fit([])
