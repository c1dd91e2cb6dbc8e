"""Rendering emails from the Jinja2 templates in ``templates/``.

The built-in templates travel inside the installed package as ``sheets_sync.templates`` (the
build maps the repository's ``templates/`` folder there, see pyproject.toml) and are read with
importlib.resources; a team's own folders come first and win, file by file.

A template is a text file: a ``Subject:`` line, a blank line, then the body. Templates run
sandboxed with StrictUndefined, so a template naming a missing column fails loudly with its
file and line instead of sending a half-empty email. Variables are plain, readable views:
``{{ client.first_name }}``, ``{{ task.amount }}`` (already formatted), ``{{ task.due_date }}``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2

from sheets_sync.display import guessed_name, money
from sheets_sync.errors import RenderError
from sheets_sync.mail.limits import MAX_OUTPUT, BoundedSandbox, RenderLimit
from sheets_sync.mail.template_cache import compiled_templates
from sheets_sync.model.rows import Client, StaffMember, Task
from sheets_sync.model.settings import Settings

BUILT_IN = "sheets_sync.templates"
# A line break inside a value stands as this noncharacter until the Subject line is split
# off: a value's breaks must not end the Subject line (the rest would start the body), only
# the template's own. In the body it becomes a line break again, in the Subject a space.
_BREAK = "\ufdd0"
_VALUE_BREAKS = re.compile(r"\r\n|\r|\n")
_SUBJECT_BREAKS = re.compile(r"[\r\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass
class Rendered:
    """A rendered email: subject, plain text body and an HTML body."""

    subject: str
    text: str
    html: str


def template_dirs(extra: list[Path] | None = None) -> list[Path]:
    """A team's own template folders that exist, in the order given; they are looked in
    before the templates shipped with the tool (see ``built_in``)."""
    return [d for d in (extra or []) if d.is_dir()]


def built_in() -> Traversable:
    """The templates shipped with the tool, inside the installed package."""
    return resources.files(BUILT_IN)


def _built_in_source(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """A FunctionLoader's answer for a built-in template: its text, its file name (for the
    line of an error) and 'always up to date'; None when there is no such file."""
    if "/" in name or "\\" in name:
        return None
    resource = built_in().joinpath(name)
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8"), str(resource), lambda: True


@functools.lru_cache(maxsize=1 << 16)  # a run names the same days thousands of times (a big book: thousands of days)
def long_day(day: dt.date | None) -> str:
    """'Tuesday 1 December 2026' ('' for None)."""
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""


@functools.lru_cache(maxsize=1024)  # a team has a few owners and a run renders thousands of emails
def owner_view(email: str, member: StaffMember | None = None) -> dict[str, str]:
    """The owner as templates see them: name, first name, address, phone, job title and
    signature from their row of the Staff sheet (``member``); without one, or with a blank
    Name, a name guessed from the address ('tom.oneill@...' -> 'Tom Oneill'). Shared
    between calls: the templates' sandbox cannot change it, nor may callers."""
    member = member or StaffMember(email=email, row=0)
    name = member.name or guessed_name(email)
    return {"name": name, "first_name": name.split()[0] if name.split() else name, "email": email,
            "phone": member.phone, "title": member.title, "signature": member.signature}


def sign_off(owner: dict[str, str], business_name: str) -> str:
    """The lines the built-in templates end with: the owner's Signature as typed on the Staff
    sheet, else their name, job title, the business (when named) and their phone, one a line."""
    if owner["signature"]:
        return owner["signature"]
    lines = [owner["name"], owner["title"], business_name, owner["phone"]]
    return "\n".join(line for line in lines if line)


def client_view(client: Client) -> dict[str, Any]:
    """The client as templates see them (every column of the row, by snake_case header)."""
    view: dict[str, Any] = dict(client.extra)
    view.update({
        "id": client.client_id, "name": client.name, "first_name": client.first_name,
        "company": client.company, "email": client.email, "phone": client.phone,
        "tier": client.tier, "status": client.status, "notes": client.notes,
        "client_since": long_day(client.client_since), "owner": client.owner,
    })
    return view


def task_view(task: Task | None, settings: Settings, today: dt.date) -> dict[str, Any]:
    """The task as templates see it, amounts and dates already formatted."""
    if task is None:
        return {}
    return {
        "id": task.task_id, "type": task.type, "description": task.description, "title": one_line(task.description),
        "amount": money(task.amount, settings.currency), "amount_value": task.amount,
        "due_date": long_day(task.due_date), "opened_on": long_day(task.opened_on),
        "days_open": (today - task.opened_on).days if task.opened_on else 0,
        "days_to_due": (task.due_date - today).days if task.due_date else None,
    }


def one_line(text: str) -> str:
    """A description as one line for a subject or a label: line breaks and runs of spaces
    folded, the full stops and spaces at its end dropped ('Signed renewal application.')."""
    return " ".join(text.split()).rstrip(" .")


class Templates:
    """The loaded template set."""

    def __init__(self, dirs: list[Path] | None = None) -> None:
        self.dirs = template_dirs(dirs)
        self.env = BoundedSandbox(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader([str(d) for d in self.dirs]),
                                        jinja2.FunctionLoader(_built_in_source)]),
            undefined=jinja2.StrictUndefined, autoescape=False,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            auto_reload=False,  # a run renders thousands of emails: no check of the file before each
            bytecode_cache=compiled_templates(),
        )
        self.env.value_hook = _mark_breaks
        # Each template compiled once a run: get_template's cache lookup (a loader key and a
        # weak-ref LRU) cost more than the jinja2 code of a short email (85 ms at 3,000).
        self._compiled: dict[str, jinja2.Template] = {}

    def template(self, filename: str) -> jinja2.Template:
        """The compiled template ``filename`` (jinja2 errors as ``get_template`` raises them)."""
        template = self._compiled.get(filename)
        if template is None:
            template = self._compiled[filename] = self.env.get_template(filename)
            # Its globals as one dict, not the ChainMap over the environment's (which nothing
            # changes once the set is loaded): each render's context walks them twice.
            template.globals = dict(template.globals)
        return template

    def many(self) -> contextlib.AbstractContextManager[None]:
        """A block of many renders: they share the time limit's alarm handler (``Clock.handling``)."""
        return self.env.clock.handling()

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        """Render ``name``.txt with ``context``; RenderError names the file and line."""
        filename = f"{name}.txt"
        try:
            template = self.template(filename)
            output = self._bounded_render(template, context)
        except RenderLimit as exc:
            raise RenderError(f"templates/{filename}", _template_line(exc, filename),
                              f"{exc}: the template is too costly, so this email was not sent") from None
        except jinja2.TemplateNotFound:
            raise RenderError(f"templates/{filename}", None, "template not found") from None
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"templates/{filename}", exc.lineno, exc.message or "syntax error") from None
        except Exception as exc:  # a failing template must never stop the run
            raise RenderError(f"templates/{filename}", _template_line(exc, filename), _describe(exc)) from None
        return split_message(output, filename)


    def _bounded_render(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        """The template's output, within the size cap and the time limit (RenderLimit)."""
        pieces: list[str] = []
        append, clock, now = pieces.append, self.env.clock, time.monotonic  # ~36 pieces an email, thousands of emails
        size = 0
        with clock.running():
            deadline = clock.deadline  # Clock.check written out, at every piece
            for piece in template.generate(context):
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise RenderLimit(f"the email came to more than {MAX_OUTPUT:,} characters")
                append(piece)
                if now() > deadline:
                    clock.check()
        return "".join(pieces)


def _mark_breaks(value: Any) -> Any:
    """A value with its line breaks marked (see _BREAK); other values as they are."""
    if isinstance(value, str):
        if "\n" not in value and "\r" not in value and _BREAK not in value:  # nearly every value: no regex pass
            return value
        return _VALUE_BREAKS.sub(_BREAK, value.replace(_BREAK, ""))
    return value


def _describe(exc: Exception) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"{exc.message}: the template names a value that does not exist (check the spelling)"
    return f"{type(exc).__name__}: {exc}"


def _template_line(exc: BaseException, filename: str) -> int | None:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(filename):
            line = frame.lineno
    return line


def split_message(output: str, filename: str) -> Rendered:
    """Split 'Subject: ...\\n\\nbody' into subject, text and a simple HTML version."""
    head, _, body = output.lstrip("\n").partition("\n")
    if not head.lower().startswith("subject:"):
        raise RenderError(f"templates/{filename}", 1, "the first line must be 'Subject: ...'")
    subject = capitalized(shorten(_SUBJECT_BREAKS.sub(" ", head[len("subject:"):]).replace(_BREAK, " ").strip()))
    body = body.replace(_BREAK, "\n")
    text = _BLANK_LINES.sub("\n\n", body.strip("\n")) + "\n"
    return Rendered(subject, text, text_to_html(text))


SUBJECT_LIMIT = 150  # mail programs show about 60-80; a pasted 30,000-character description is no subject


def shorten(subject: str, limit: int = SUBJECT_LIMIT) -> str:
    """``subject`` with runs of spaces folded, cut at a word before ``limit`` characters ('...')."""
    subject = " ".join(subject.split())
    if len(subject) <= limit:
        return subject
    cut = subject[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def capitalized(subject: str) -> str:
    """``subject`` starting with a capital: its first letter upper-cased when it is a lower-case
    one (a subject that opens with a description typed in lower case); the rest as it is."""
    for i, char in enumerate(subject):
        if char.isalpha():
            return subject[:i] + char.upper() + subject[i + 1:] if char.islower() else subject
        if char.isdigit():
            return subject
    return subject


def text_to_html(text: str) -> str:
    """Paragraphs of escaped text as minimal HTML (no remote content, no styling tricks)."""
    # escaped whole, then cut: escaping changes no white space, so the paragraphs are the same
    paragraphs = [p for p in html.escape(text.strip()).split("\n\n") if p.strip()]
    body = "".join(["<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs])
    return f"<html><body>{body}</body></html>"
