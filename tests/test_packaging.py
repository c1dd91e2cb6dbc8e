"""The package list in pyproject.toml names every package of the source tree.

It is written out by hand (the email templates are mapped in from the top-level templates/
folder, which automatic discovery cannot do), so a new sub-package left off the list would
be missing from the wheel: an installed sync failed that way once (sheets_sync.model.read).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_tree_is_in_the_wheel_list() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sheets_sync").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(found - listed)}"
    assert "sheets_sync.templates" in listed
