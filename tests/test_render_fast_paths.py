"""The shortcuts of issue 21 round three's rendering (a view's key taken directly, values without
line breaks left alone) give what the sandbox gave before: keys, dict methods, refused
attributes and line breaks inside values."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.errors import RenderError
from sheets_sync.mail.render import Templates, text_to_html


def render(tmp_path: Path, body: str, **context: object) -> tuple[str, str]:
    (tmp_path / "t.txt").write_text(body, encoding="utf-8")
    out = Templates([tmp_path]).render("t", context)
    return out.subject, out.text


def test_a_views_keys_and_a_dicts_own_methods(tmp_path: Path) -> None:
    view = {"first_name": "Ana", "items": "three boxes", "notes": ""}
    subject, text = render(tmp_path, "Subject: Hi {{ c.first_name }}\n\n{{ c.items is callable }} "
                                     "{{ c['items'] }} {{ c.get('tier', 'none') }} [{{ c.notes }}]\n", c=view)
    assert subject == "Hi Ana"
    assert text == "True three boxes none []\n"


@pytest.mark.parametrize("expression", ["c.__class__.__mro__", "c.missing", "c.copy.__globals__"])
def test_what_the_sandbox_refused_it_still_refuses(tmp_path: Path, expression: str) -> None:
    with pytest.raises(RenderError):
        render(tmp_path, f"Subject: x\n\n{{{{ {expression} }}}}\n", c={"first_name": "Ana"})


def test_line_breaks_in_values_stay_out_of_the_subject(tmp_path: Path) -> None:
    subject, text = render(tmp_path, "Subject: {{ a }} / {{ b }} / {{ d }}\n\n{{ a }}|{{ b }}|{{ d }}\n",
                           a="one\r\ntwo", b="x\ry", d="p\ufdd0q")
    assert subject == "One two / x y / pq"
    assert text == "one\ntwo|x\ny|pq\n"


def test_the_loop_variable_reads_as_the_sandbox_read_it(tmp_path: Path) -> None:
    body = ("Subject: x\n\n{% for i in items %}{{ loop.index }} {{ loop.index0 }} {{ loop.revindex }} "
            "{{ loop.revindex0 }} {{ loop.length }} {{ loop.depth }} {{ loop.first }} {{ loop.last }} "
            "{{ loop.previtem is defined }} {{ loop.cycle('a', 'b') }} {{ loop.changed(i) }};{% endfor %}\n")
    assert render(tmp_path, body, items=["p", "q"])[1] == ("1 0 2 1 2 1 True False False a True;"
                                                           "2 1 1 0 2 1 False True True b True;\n")


@pytest.mark.parametrize("expression", ["loop._after", "loop.__class__", "loop.index.__class__.__mro__"])
def test_what_the_sandbox_refused_of_the_loop_it_still_refuses(tmp_path: Path, expression: str) -> None:
    with pytest.raises(RenderError):
        render(tmp_path, f"Subject: x\n\n{{% for i in [1] %}}{{{{ {expression} }}}}{{% endfor %}}\n")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\t", "<", "&", '"', "'", ">", "\u00a0", "\u2028"]),
               max_size=40))
def test_html_made_of_text_is_what_escaping_each_paragraph_made(text: str) -> None:
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]  # the rule as it was
    before = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    assert text_to_html(text) == f"<html><body>{before}</body></html>"


def test_the_globals_are_the_sandboxs_own(tmp_path: Path) -> None:
    body = ("Subject: x\n\n{{ range(3)|list }} {{ dict(a=1) }} {% set ns = namespace(n=2) %}{{ ns.n }} "
            "{% set c = cycler('p', 'q') %}{{ c.next() }}{{ c.next() }} {{ lipsum is defined }}\n")
    (tmp_path / "t.txt").write_text(body, encoding="utf-8")
    templates = Templates([tmp_path])
    for _ in range(2):  # the second render uses the compiled template as the first left it
        assert templates.render("t", {}).text == "[0, 1, 2] {'a': 1} 2 pq False\n"
