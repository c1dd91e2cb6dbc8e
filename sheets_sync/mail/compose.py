"""From planned actions to messages: one email per email action, one digest per owner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sheets_sync.errors import RenderError
from sheets_sync.mail.message import Message
from sheets_sync.mail.render import (
    Templates,
    client_view,
    long_day,
    owner_view,
    task_view,
)
from sheets_sync.model.rows import Problem
from sheets_sync.model.settings import Settings
from sheets_sync.rules import refs
from sheets_sync.rules.plan import Action, Plan


@dataclass
class Composed:
    """The messages to deliver, the actions they came from, and templates that failed."""

    messages: list[Message] = field(default_factory=list)
    actions: dict[str, Action] = field(default_factory=dict)  # key -> action (emails only)
    failed: list[Action] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def business_view(settings: Settings) -> dict[str, str]:
    """The business as templates see it."""
    return {"name": settings.business_name or "our office"}


def email_for(action: Action, templates: Templates, settings: Settings, today: dt.date) -> Message:
    """Render one email action. Raises RenderError when its template fails."""
    step = action.step
    context = {
        "client": client_view(action.client),
        "task": task_view(action.task, settings, today),
        "owner": owner_view(action.client.owner),
        "business": business_view(settings),
        "step": step.number, "final": step.rule == "task-final", "rule": step.rule,
        "today": long_day(today),
    }
    rendered = templates.render(step.template, context)
    return Message(
        key=step.key, to=action.client.email, to_name=action.client.name,
        subject=rendered.subject, text=rendered.text, html=rendered.html,
        client_id=action.client.client_id, task_id=action.task.task_id if action.task else "",
        rule=step.rule, kind="email", urgency=step.urgency, summary=rendered.subject,
        headers={"Reply-To": action.client.owner} if action.client.owner else {},
    )


def compose(plan: Plan, templates: Templates, settings: Settings, skip: set[str]) -> Composed:
    """Messages for the plan's email actions whose key is not in ``skip`` (already sent),
    plus one digest per owner who has calls or at-risk clients today (business days only)."""
    out = Composed()
    for action in plan.emails:
        if action.step.key in skip:
            continue
        try:
            message = email_for(action, templates, settings, plan.today)
        except RenderError as exc:
            out.failed.append(action)
            out.problems.append(Problem(exc.template, f"line {exc.line}" if exc.line else "",
                                        f"{exc.detail}; the {action.rule} email for {action.client.client_id} was not sent"))
            continue
        out.messages.append(message)
        out.actions[message.key] = action
    if plan.business_day:
        for digest in digests(plan, templates, settings, list(out.messages), out.problems):
            if digest.key in skip:
                continue
            out.messages.append(digest)
    return out


def digest_items(plan: Plan, sent: list[Message]) -> dict[str, dict[str, list[dict[str, object]]]]:
    """What each owner's digest lists, by owner: calls (most urgent first), at-risk clients,
    emails sent."""
    out: dict[str, dict[str, list[dict[str, object]]]] = {}

    def of(owner: str) -> dict[str, list[dict[str, object]]]:
        items = out.get(owner)
        if items is None:
            items = out[owner] = {"calls": [], "at_risk": [], "emails": []}
        return items

    for a in plan.calls:
        of(a.owner)["calls"].append({"client": a.client.name, "company": a.client.company, "phone": a.client.phone,
                                     "reason": a.reason, "client_id": a.client.client_id})
    for r in plan.at_risk:
        of(r.client.owner)["at_risk"].append({"client": r.client.name, "tier": r.client.tier,
                                              "phone": r.client.phone, "days": r.days,
                                              "client_id": r.client.client_id})
    for m in sent:
        owner = m.headers.get("Reply-To")
        if m.kind == "email" and owner in out:  # only owners with a digest
            out[owner]["emails"].append({"client": m.to_name, "reason": m.subject})
    return out


def digests(plan: Plan, templates: Templates, settings: Settings, sent: list[Message],
            problems: list[Problem]) -> list[Message]:
    """One digest email per owner with calls to make or clients at risk (a failing digest
    template is added to ``problems``)."""
    messages = []
    for owner, items in sorted(digest_items(plan, sent).items()):
        if not owner:
            continue
        context = {
            **items, "owner": owner_view(owner), "business": business_view(settings),
            "today": long_day(plan.today),
            "counts": {"calls": len(items["calls"]), "at_risk": len(items["at_risk"])},
        }
        try:
            rendered = templates.render("digest", context)
        except RenderError as exc:
            problems.append(Problem(exc.template, f"line {exc.line}" if exc.line else "",
                                    f"{exc.detail}; the digest for {owner} was not sent"))
            continue
        messages.append(Message(
            key=refs.digest(owner, plan.today), to=owner, to_name=owner_view(owner)["name"],
            subject=rendered.subject, text=rendered.text, html=rendered.html, kind="digest",
            urgency=5, summary=rendered.subject,
        ))
    return messages
