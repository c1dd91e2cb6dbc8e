"""Compiled templates kept between runs (issue 21, start-up): the code loaded from the cache
renders what the compiled template renders, under the same limits; an edited template, a
damaged file or a folder that cannot be used means compiling as before."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from jinja2.bccache import FileSystemBytecodeCache

from sheets_sync.errors import RenderError
from sheets_sync.mail.render import Rendered, Templates
from sheets_sync.mail.template_cache import CompiledTemplates

CUSTOM = ("Subject: Hello {{ name }}\n\n{% for i in range(3) %}{{ i }}{{ loop.last and '.' or ',' }}{% endfor %}\n"
          "{{ name ~ '!' }} {{ '%05d' % 42 }} {{ name|upper|center(12) }}\n")


def templates(folder: Path, cache: Path) -> Templates:
    """Templates from ``folder`` (then the built-in ones) with their compiled code kept in ``cache``."""
    made = Templates([folder])
    if cache.name == "cache":
        cache.mkdir(exist_ok=True)
    made.env.bytecode_cache = CompiledTemplates(str(cache))
    return made


def cached(made: Templates, filename: str) -> bool:
    """True when the cache holds code for ``filename`` as it is now."""
    source, path, _ = made.env.loader.get_source(made.env, filename)  # type: ignore[union-attr]
    cache = made.env.bytecode_cache
    assert cache is not None
    return cache.get_bucket(made.env, filename, path, source).code is not None


def render(made: Templates, name: str) -> Rendered:
    return made.render(name, {"name": "Ana"})


def test_a_cached_template_renders_as_the_compiled_one(tmp_path: Path) -> None:
    (tmp_path / "custom.txt").write_text(CUSTOM)
    first = templates(tmp_path, tmp_path / "cache")
    assert not cached(first, "custom.txt")
    compiled = render(first, "custom")
    again = templates(tmp_path, tmp_path / "cache")
    assert cached(again, "custom.txt")
    assert render(again, "custom") == compiled
    assert compiled.subject == "Hello Ana" and compiled.text.startswith("0,1,2.Ana! 00042 ")


@pytest.mark.parametrize(("source", "refused"), [
    ("{{ 'a' * 10**8 }}", "repeating 1 characters 100,000,000 times"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "characters (at most 1,000,000)"),  # ~ is checked by the sandbox's own code generator
])
def test_the_limits_hold_for_cached_code(tmp_path: Path, source: str, refused: str) -> None:
    (tmp_path / "custom.txt").write_text(f"Subject: x\n\n{source}\n")
    for _ in range(2):
        made = templates(tmp_path, tmp_path / "cache")
        with pytest.raises(RenderError, match=refused.replace("(", r"\(").replace(")", r"\)")):
            render(made, "custom")
    assert cached(made, "custom.txt")


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    (tmp_path / "custom.txt").write_text("Subject: x\n\nOne\n")
    assert render(templates(tmp_path, tmp_path / "cache"), "custom").text == "One\n"
    (tmp_path / "custom.txt").write_text("Subject: x\n\nTwo\n")
    assert render(templates(tmp_path, tmp_path / "cache"), "custom").text == "Two\n"


def test_a_damaged_cache_or_no_folder_means_compiling(tmp_path: Path) -> None:
    (tmp_path / "custom.txt").write_text(CUSTOM)
    expected = render(templates(tmp_path, tmp_path / "cache"), "custom")
    files = list((tmp_path / "cache").iterdir())
    assert files, "nothing was kept"
    for file, damage in zip(files, [b"", b"garbage"], strict=False):
        file.write_bytes(damage)
    assert render(templates(tmp_path, tmp_path / "cache"), "custom") == expected
    for file in (tmp_path / "cache").iterdir():  # right magic, then no checksum jinja2 can read
        file.write_bytes(file.read_bytes()[:8] + b"\x80\x04not a pickle")
    assert render(templates(tmp_path, tmp_path / "cache"), "custom") == expected
    assert render(templates(tmp_path, tmp_path / "no" / "such" / "folder"), "custom") == expected


def test_the_key_is_not_a_plain_jinja2_key(tmp_path: Path) -> None:
    """Code a plain Jinja2 environment kept for the same file, in the same folder, is never
    taken for the sandbox's: the key holds how the sandbox compiles."""
    ours, plain = CompiledTemplates(str(tmp_path)), FileSystemBytecodeCache(str(tmp_path))
    assert ours.get_cache_key("custom.txt", "/t/custom.txt") != plain.get_cache_key("custom.txt", "/t/custom.txt")


def test_another_build_of_python_has_keys_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jinja2's header names Python's major.minor only; a beta and its final release (same
    major.minor, other bytecode) must not share code."""
    here = CompiledTemplates(str(tmp_path)).get_cache_key("custom.txt", "/t/custom.txt")
    monkeypatch.setattr("sys.version", sys.version.replace(".", ".0", 1) + " (another build)")
    assert CompiledTemplates(str(tmp_path)).get_cache_key("custom.txt", "/t/custom.txt") != here
