"""A team's own template cannot burn the machine (issue 16 item 16): each hostile template
renders in a child process under a 1 GB address-space cap and a 60 s timeout (the caps are
the assertion); it must come back as a RenderError, quickly, and the sync must go on."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MEMORY_CAP = 1 << 30

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from sheets_sync.errors import RenderError
    from sheets_sync.errors import RenderError
    from sheets_sync.mail.render import Templates
    started = time.process_time()
    templates = Templates([Path(sys.argv[1])])
    try:
        if sys.argv[2:] == ["many"]:  # as compose renders: one alarm handler for all the emails
            with templates.many():
                templates.render("fine", {{}})
                rendered = templates.render("custom", {{"n": 10}})
        else:
            rendered = templates.render("custom", {{"n": 10}})
        out = {{"rendered": len(rendered.text)}}
    except RenderError as exc:
        out = {{"template": exc.template, "line": exc.line, "detail": exc.detail}}
    out["cpu"] = time.process_time() - started
    print(json.dumps(out))
""").format(cap=MEMORY_CAP)

HOSTILE = {
    "power": ("{{ n ** (n ** 7) }}", "too big a number"),
    "repeat": ("{{ 'a' * 10**8 }}", "repeating 1 characters 100,000,000 times"),
    "list-repeat": ("{{ ([1] * 10**8)|length }}", "repeating"),
    "percent-width": ("{{ '%0100000000d' % 1 }}", "too wide a field"),
    "format-width": ("{{ '{:>100000000}'.format(1) }}", "too wide a field"),
    "format-filter": ("{{ '%0100000000d'|format(1) }}", "too wide a field"),
    "center": ("{{ 'a'|center(100000000) }}", "center filter"),
    "method": ("{{ 'a'.ljust(100000000) }}", "ljust(100,000,000)"),
    "replace": ("{{ ('x' * 100000)|replace('x', 'y' * 1000) }}", "replace would make"),
    "join": ("{{ (['x' * 1000000] * 1000)|join }}", "joining"),
    "doubling": ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
                 "{% endfor %}{{ ns.s|length }}", "characters (at most 1,000,000)"),
    "plus-doubling": ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}"
                      "{% endfor %}{{ ns.s|length }}", "characters (at most 1,000,000)"),
    "output": ("{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxx{% endfor %}{% endfor %}",
               "came to more than 1,000,000 characters"),
    "silent-loop": ("{% macro m() %}{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                    "{% endfor %}{% endmacro %}{{ m() }}", "rendering took more than 2 s"),
}


def render_in_child(folder: Path, body: str, *args: str) -> dict:
    (folder / "custom.txt").write_text(f"Subject: Hello\n\nDear client,\n{body}\n", encoding="utf-8")
    (folder / "fine.txt").write_text("Subject: Hi\n\nfine\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder), *args], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_costly_template_is_a_render_error_within_the_caps(tmp_path: Path, name: str):
    body, reason = HOSTILE[name]
    out = render_in_child(tmp_path, body)
    assert out.get("template") == "templates/custom.txt", out
    # The line that went too far; the size of the whole email belongs to no one line.
    assert out["line"] == (None if name == "output" else 4), out
    assert reason in out["detail"] and "not sent" in out["detail"], out
    assert out["cpu"] < 5.0, out


def test_an_ordinary_template_still_renders(tmp_path: Path):
    out = render_in_child(tmp_path, "{{ n * 2 }} {{ '%.2f' % 3.14159 }} {{ 'ab'|center(10) }} {{ 2 ** 10 }} "
                                    "{{ '{:>8}'.format('x') }} {{ 'a-b'|replace('-', ' ') }}")
    assert out.get("rendered") and "detail" not in out, out


def test_a_costly_template_fails_its_email_and_the_run_goes_on(tmp_path: Path):
    from sheets_sync.errors import RenderError
    from sheets_sync.mail.render import Templates

    (tmp_path / "custom.txt").write_text("Subject: Hi\n\n{{ 'a' * 10**8 }}\n", encoding="utf-8")
    (tmp_path / "fine.txt").write_text("Subject: Hi\n\nfine\n", encoding="utf-8")
    templates = Templates([tmp_path])
    with pytest.raises(RenderError, match="repeating"):
        templates.render("custom", {})
    assert templates.render("fine", {}).text == "fine\n"  # the same set renders the next email


@pytest.mark.parametrize("name", ["silent-loop", "output", "power"])
def test_renders_sharing_one_alarm_handler_keep_the_limits(tmp_path: Path, name: str):
    body, reason = HOSTILE[name]
    out = render_in_child(tmp_path, body, "many")
    assert out.get("template") == "templates/custom.txt", out
    assert reason in out["detail"] and "not sent" in out["detail"], out
    assert out["cpu"] < 5.0, out


def test_the_alarm_handler_is_the_callers_again_after_many_renders(tmp_path: Path):
    import signal

    from sheets_sync.mail.render import Templates

    (tmp_path / "fine.txt").write_text("Subject: Hi\n\nfine\n", encoding="utf-8")
    templates = Templates([tmp_path])
    before = signal.getsignal(signal.SIGALRM)
    with templates.many():
        assert templates.render("fine", {}).text == "fine\n"
        signal.raise_signal(signal.SIGALRM)  # an alarm that comes between two renders stops nothing
        assert templates.render("fine", {}).text == "fine\n"
    assert signal.getsignal(signal.SIGALRM) == before
