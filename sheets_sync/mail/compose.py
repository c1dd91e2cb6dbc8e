"""From planned actions to messages: one email per email action, one digest per owner."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

from sheets_sync.display import fmt_day
from sheets_sync.errors import RenderError
from sheets_sync.mail.composed import Composed
from sheets_sync.mail.drafts import draft_sender, waiting_since
from sheets_sync.mail.message import Message
from sheets_sync.mail.render import (
    Templates,
    client_view,
    long_day,
    owner_view,
    sign_off,
    task_view,
)
from sheets_sync.model.layout import TABLES
from sheets_sync.model.rows import Book, Problem, StaffMember, Touch
from sheets_sync.model.settings import Settings
from sheets_sync.rules import refs
from sheets_sync.rules.cadence import is_real_touch
from sheets_sync.rules.plan import Action, Plan

# A digest lists at most this many of each kind (calls, at risk, emails...) and says how many
# more: a list of thousands is not read, and past the 1,000,000 characters an email may have
# the digest would not go out at all.
DIGEST_ITEMS = 100


@dataclass(frozen=True)
class Office:
    """What the emails know of the office besides its settings: the Staff sheet's people, the
    titles the team gave its sheets, and the clients a quote was made for."""

    staff: Mapping[str, StaffMember] = field(default_factory=dict)  # lower-case address -> member
    sheets: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SHEETS))  # table -> title
    quoted: frozenset[str] = frozenset()  # client IDs with a Quote task

    @classmethod
    def of(cls, book: Book) -> Office:
        """The office as ``book`` shows it."""
        return cls(staff=book.staff or {}, sheets={**DEFAULT_SHEETS, **{n: t.sheet for n, t in book.tables.items()}},
                   quoted=frozenset(t.client_id for t in book.tasks if t.type == "Quote"))

    def owner(self, email: str) -> dict[str, str]:
        """The owner as templates see them (``render.owner_view``)."""
        return owner_view(email, self.staff.get(email.lower()))


DEFAULT_SHEETS: dict[str, str] = {t.name: t.title for t in TABLES}
_QUOTE = re.compile(r"\bquot(e|es|ed|ing|ation)\b", re.IGNORECASE)


def business_view(settings: Settings) -> dict[str, str]:
    """The business as templates see it (its name, or "our office" while the setting is blank)."""
    return {"name": settings.business_name or "our office"}


def quote_sent(action: Action, office: Office, touches: Sequence[Touch]) -> bool:
    """True when the sheet says a quote was made for this client: a Status typed Quote or
    Quoted, a Quote task, a quote named in the client's Notes, or a logged touch whose Summary
    names one (the tool's own prospect emails aside). The first prospect email mentions a
    quote only then."""
    client = action.client
    if client.client_id in office.quoted or "status_as_typed" in client.extra or _QUOTE.search(client.notes):
        return True
    return any(_QUOTE.search(t.summary) for t in touches if not t.ref.startswith("prospect:"))


def email_for(action: Action, templates: Templates, settings: Settings, today: dt.date,
              office: Office | None = None, touches: Sequence[Touch] = ()) -> Message:
    """Render one email action (``touches``: the client's, for what a prospect email may
    assume). Raises RenderError when its template fails."""
    office = office or Office()
    step = action.step
    owner, business = office.owner(action.client.owner), business_view(settings)
    context = {
        "client": client_view(action.client),
        "task": task_view(action.task, settings, today),
        "owner": owner, "business": business,
        "sign_off": sign_off(owner, settings.business_name or ""),
        "quote_sent": step.rule == "prospect" and quote_sent(action, office, touches),
        "step": step.number, "final": step.rule == "task-final", "rule": step.rule,
        "today": long_day(today),
    }
    rendered = templates.render(step.template, context)
    text, html = with_opt_out(rendered.text, rendered.html)
    return Message(
        key=step.key, to=action.client.email, to_name=action.client.name,
        subject=rendered.subject, text=text, html=html,
        client_id=action.client.client_id, task_id=action.task.task_id if action.task else "",
        rule=step.rule, kind="email", urgency=step.urgency, summary=rendered.subject,
        headers=_headers(action.client.owner, settings),
    )


OPT_OUT = "To get no more emails from us, reply with the word unsubscribe."


def with_opt_out(text: str, html: str | None) -> tuple[str, str | None]:
    """A client email's text and HTML with the line saying how to opt out at the end (the
    inbox reads such a reply as an unsubscribe; List-Unsubscribe says the same to mail
    programs). Added here, not in the templates, so a team's own templates have it too."""
    text = f"{text.rstrip()}\n\n{OPT_OUT}\n"
    if html is not None:
        line = f'<p style="font-size:smaller;color:#666666">{OPT_OUT}</p>'
        end = html.lower().rfind("</body>")
        html = html[:end] + line + html[end:] if end >= 0 else html + line
    return text, html


def _headers(owner: str, settings: Settings) -> dict[str, str]:
    """Reply-To the owner; From for an outbox draft (a mail server's sender replaces it)."""
    headers = {"Reply-To": owner} if owner else {}
    sender = draft_sender(settings, owner)
    return headers | {"From": sender} if sender else headers


def compose(plan: Plan, templates: Templates, settings: Settings, skip: set[str],
            office: Office | None = None, drafts: bool = False) -> Composed:
    """Messages for the plan's email actions whose key is not in ``skip`` (already sent),
    plus one digest per owner who has calls or at-risk clients today (business days only).
    ``office``: the Staff sheet's people and the sheets' titles (``Office.of(book)``);
    ``drafts``: the emails go to the outbox for staff to send, and the digests say so."""
    with templates.many():
        return _compose(plan, templates, settings, skip, office or Office(), drafts)


def _compose(plan: Plan, templates: Templates, settings: Settings, skip: set[str], office: Office,
             drafts: bool) -> Composed:
    out = Composed()
    for action in plan.emails:
        if action.step.key in skip:
            continue
        try:
            message = email_for(action, templates, settings, plan.today, office,
                                plan.touches_by_client.get(action.client.client_id, ()))
        except RenderError as exc:
            out.failed.append(action)
            out.problems.append(Problem(exc.template, f"line {exc.line}" if exc.line else "",
                                        f"{exc.detail}; the {action.rule} email for {action.client.client_id} was not sent"))
            continue
        out.messages.append(message)
        out.actions[message.key] = action
    if plan.business_day:
        for digest in digests(plan, templates, settings, list(out.messages), out.problems, office, drafts):
            if digest.key in skip:
                continue
            out.messages.append(digest)
    return out


def digest_items(plan: Plan, sent: list[Message]) -> dict[str, dict[str, list[dict[str, object]]]]:
    """What each owner's digest lists, by owner: calls (most urgent first), at-risk clients
    (``touched``: whether any touch is logged; ``days`` counts from Client Since otherwise),
    emails sent, the steps the Start date dropped, and the emails whose outbox draft still
    waits for a person to send it (``waiting``: not due again, so no one sends it by hand)."""
    out: dict[str, dict[str, list[dict[str, object]]]] = {}

    def of(owner: str) -> dict[str, list[dict[str, object]]]:
        items = out.get(owner)
        if items is None:
            items = out[owner] = {"calls": [], "at_risk": [], "emails": [], "dropped": [], "waiting": []}
        return items

    for a in plan.calls:
        of(a.owner)["calls"].append({"client": a.client.name, "company": a.client.company, "phone": a.client.phone,
                                     "reason": a.reason, "client_id": a.client.client_id})
    for r in plan.at_risk:
        touched = any(is_real_touch(t) and t.date <= plan.today
                      for t in plan.touches_by_client.get(r.client.client_id, ()))
        of(r.client.owner)["at_risk"].append({"client": r.client.name, "tier": r.client.tier,
                                              "phone": r.client.phone, "days": r.days, "touched": touched,
                                              "client_id": r.client.client_id})
    for d in plan.dropped():  # steps the Start date dropped (rules.go_live), while the owner's list names them
        of(d.client.owner)["dropped"].append({"client": d.client.name, "client_id": d.client.client_id,
                                              "reason": d.reason})
    drafts = waiting_since(chain.from_iterable(plan.touches_by_client.values()))
    for a in plan.actions:
        # a draft of today is in today's digest already, with the day's other drafts (a rerun adds none)
        if a.kind == "email" and a.step.key in drafts and drafts[a.step.key] < plan.today:
            of(a.owner)["waiting"].append({"client": a.client.name, "client_id": a.client.client_id,
                                           "since": fmt_day(drafts[a.step.key], plan.today), "reason": a.reason})
    for m in sent:
        owner = m.headers.get("Reply-To")
        if m.kind == "email" and owner in out:  # only owners with a digest
            out[owner]["emails"].append({"client": m.to_name, "reason": m.subject})
    return out


def _calls_waiting(plan: Plan, owner: str) -> dict[str, object] | None:
    """The owner's catch-up calls spread to later days (rules.go_live): how many, and the last
    one's day; None when none wait."""
    days = plan.catch_ups.calls_waiting(plan.today, owner) if plan.catch_ups is not None else []
    return {"count": len(days), "last": fmt_day(days[-1], plan.today)} if days else None


def digests(plan: Plan, templates: Templates, settings: Settings, sent: list[Message],
            problems: list[Problem], office: Office | None = None, drafts: bool = False) -> list[Message]:
    """One digest email per owner with calls to make or clients at risk (a failing digest
    template is added to ``problems``), addressed to the owner by their Staff sheet name.
    Each list holds its first ``DIGEST_ITEMS`` items; ``more`` counts the rest, ``counts`` all.
    ``drafts``: the emails it lists were written to the outbox, not sent."""
    office = office or Office()
    messages = []
    for owner, items in sorted(digest_items(plan, sent).items()):
        if not owner:
            continue
        person = office.owner(owner)
        context = {
            **{name: listed[:DIGEST_ITEMS] for name, listed in items.items()},
            "more": {name: max(0, len(listed) - DIGEST_ITEMS) for name, listed in items.items()},
            "owner": person, "business": business_view(settings),
            "today": long_day(plan.today), "sheets": dict(office.sheets), "drafts": drafts,
            "counts": {"calls": len(items["calls"]), "at_risk": len(items["at_risk"])},
            "calls_waiting": _calls_waiting(plan, owner),
        }
        try:
            rendered = templates.render("digest", context)
        except RenderError as exc:
            problems.append(Problem(exc.template, f"line {exc.line}" if exc.line else "",
                                    f"{exc.detail}; the digest for {owner} was not sent"))
            continue
        messages.append(Message(
            key=refs.digest(owner, plan.today), to=owner, to_name=person["name"],
            subject=rendered.subject, text=rendered.text, html=rendered.html, kind="digest",
            urgency=5, summary=rendered.subject, headers=_headers("", settings),
        ))
    return messages
