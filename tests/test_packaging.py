"""The package list in pyproject.toml names every package of the source tree.

It is written out by hand (the email templates are mapped in from the top-level templates/
folder, which automatic discovery cannot do), so a new sub-package left off the list would
be missing from the wheel: an installed sync failed that way once (sheets_sync.model.read).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_tree_is_in_the_wheel_list() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sheets_sync").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(found - listed)}"
    assert "sheets_sync.templates" in listed


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_library_the_code_imports_is_a_dependency_with_a_lower_bound() -> None:
    """A library imported by sheets_sync but missing from pyproject installs nowhere but here
    (the features of issues 17-19 brought imapclient, flufl.bounce, msal and holidays); each requirement names the oldest release it is known to work with."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["stats"]]
    declared = {}
    for requirement in requirements:
        spec = requirement.split(";")[0].strip()
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
        assert name is not None and re.search(r">=\s*\d", spec), f"{requirement}: give a lower bound (name>=x.y)"
        declared[_normal(name.group(0))] = spec
    imported = set()
    for path in (ROOT / "sheets_sync").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {name for name in imported if name not in sys.stdlib_module_names and name != "sheets_sync"}
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for name in sorted(third_party):
        owners = {_normal(d) for d in distributions.get(name, [name])}
        if not owners & declared.keys():
            missing[name] = sorted(owners)
    assert missing == {}, f"imported but not in pyproject's dependencies: {missing}"
    assert {"imapclient", "flufl-bounce", "msal", "holidays"} <= declared.keys()
