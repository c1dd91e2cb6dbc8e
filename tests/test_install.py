"""A normal install works: the package is built (sdist, then a wheel from the sdist, as pip and
pipx do from a repository), installed into a fresh virtual environment, and run from an empty
folder far from the checkout.

The editable install the other tests use reads the checkout, so it cannot see a file that the
wheel forgot (issue 14: the email templates were left out and every email failed).
Deselect with ``-m "not install"``; it needs the packages from PyPI or pip's cache.
"""

from __future__ import annotations

import email.parser
import email.policy
import os
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import sheets_sync

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[1]
DAY = "2026-11-23"  # the sample is dated around this Monday (docs/workbook.md)
# What pip says when it cannot reach an index and nothing in its cache will do.
OFFLINE = ("No matching distribution found", "Failed to establish a new connection",
           "Network is unreachable", "Temporary failure in name resolution")
SKIP_COPY = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                   ".pytest_cache", ".ruff_cache", ".hypothesis", "demo", "outbox",
                                   ".sheets-sync", "tests")


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _pip_or_skip(result: subprocess.CompletedProcess[str], what: str) -> None:
    """Fail on a broken build or install; skip only when the packages cannot be had."""
    output = result.stdout + result.stderr
    if result.returncode != 0 and any(sign in output for sign in OFFLINE):
        pytest.skip(f"{what}: no network and pip's cache lacks a package:\n{output[-1500:]}")
    assert result.returncode == 0, f"{what} failed:\n{output[-4000:]}"


def _clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that would put the checkout or another
    environment's packages on sys.path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")}
    env["PYTHONNOUSERSITE"] = "1"
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with sheets-sync installed from a wheel built from an sdist
    of a copy of the checkout (a copy: no build/ or egg-info folder is left in the work tree,
    and none left over from earlier builds can supply a file); returns its bin folder."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=SKIP_COPY)
    dist = base / "dist"
    built = _run([sys.executable, "-m", "build", "--outdir", dist, source], cwd=base, env=_clean_env())
    _pip_or_skip(built, "python -m build (sdist, then a wheel from it)")
    wheels = list(dist.glob("sheets_sync-*.whl"))
    assert len(wheels) == 1, built.stdout[-2000:]
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    install = _run([bin_dir / "python", "-m", "pip", "install", "--quiet", f"{wheels[0]}[stats]"],
                   cwd=base, env=_clean_env())
    _pip_or_skip(install, "pip install of the wheel into a fresh virtual environment")
    return bin_dir


@dataclass
class Place:
    """Where the installed tool runs: an empty folder, and its environment (not in a failure's
    report: it is the developer's environment)."""

    work: Path
    env: dict[str, str] = field(repr=False)


@pytest.fixture
def far_away(tmp_path_factory: pytest.TempPathFactory, isolated_env: Path) -> Place:
    """An empty working folder outside the checkout and an environment for the installed tool
    (its own config folder and home: no mail server configured, so emails go to the outbox)."""
    work = tmp_path_factory.mktemp("work")
    assert not work.resolve().is_relative_to(ROOT)
    return Place(work, _clean_env(HOME=str(isolated_env), SHEETS_SYNC_HOME=str(isolated_env)))


def test_the_installed_package_is_not_the_checkout(installed, far_away):
    work, env = far_away.work, far_away.env
    result = _run([installed / "python", "-c", "import sheets_sync; print(sheets_sync.__file__)"],
                  cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    where = Path(result.stdout.strip()).resolve()
    assert where.is_relative_to(installed.parent.resolve()), where
    assert not where.is_relative_to(ROOT), where


def test_every_template_is_installed(installed, far_away):
    work, env = far_away.work, far_away.env
    listing = "from sheets_sync.mail.render import built_in; print(*sorted(p.name for p in built_in().iterdir()))"
    result = _run([installed / "python", "-c", listing], cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    shipped = {name for name in result.stdout.split() if name.endswith(".txt")}
    assert shipped == {p.name for p in (ROOT / "templates").glob("*.txt")}


def test_version_is_printed(installed, far_away):
    work, env = far_away.work, far_away.env
    result = _run([installed / "sheets-sync", "--version"], cwd=work, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sheets-sync, version {sheets_sync.__version__}"
    metadata = _run([installed / "python", "-c", "import importlib.metadata as m; print(m.version('sheets-sync'))"],
                    cwd=work, env=env)
    assert metadata.stdout.strip() == sheets_sync.__version__, metadata.stderr


def test_the_sample_syncs_into_the_outbox_with_rendered_emails(installed, far_away):
    work, env = far_away.work, far_away.env
    tool = installed / "sheets-sync"

    created = _run([tool, "init", "clients.xlsx", "--sample", "--today", DAY], cwd=work, env=env)
    assert created.returncode == 0, created.stdout + created.stderr

    # 1, as from the editable install: the sample has bad rows on purpose (they are reported)
    synced = _run([tool, "sync", "clients.xlsx", "--today", DAY], cwd=work, env=env)
    out = synced.stdout + synced.stderr
    assert synced.returncode == 1, out
    assert "Clients!H17" in out  # the run went on past the deliberate bad cells
    assert "template not found" not in out
    assert "Traceback" not in out

    emls = sorted((work / "outbox" / "clients").glob("*.eml"))
    client_emails = [p for p in emls if not p.name.startswith("digest_")]
    assert len(client_emails) >= 5, [p.name for p in emls]
    assert any(p.name.startswith("digest_") for p in emls), [p.name for p in emls]
    for path in emls:
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
        assert str(message["Subject"]).strip(), path.name
        body = message.get_body(preferencelist=("plain",))
        assert body is not None and body.get_content().strip(), path.name
        assert "{{" not in body.get_content(), path.name

    stats = _run([tool, "stats", "clients.xlsx", "--today", DAY], cwd=work, env=env)
    out = stats.stdout + stats.stderr
    assert stats.returncode == 1, out  # the same bad rows, as from the editable install
    assert "Purchase model (BG/NBD" in out
    assert "Traceback" not in out
