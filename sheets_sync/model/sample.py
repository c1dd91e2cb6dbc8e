"""The sample workbook: Harbor Lane Insurance, a small agency with about 55 clients.

Every date is relative to ``today``, so whatever day the demo runs it shows a realistic
spread of due, overdue and not-yet-due work: prospects mid-sequence, open tasks in every
state (a $3,323 balance among them), tier A clients gone quiet, new clients due a
satisfaction check or a referral request, prospects who converted after 5 to 7 touches,
lost clients, two years of touches and sales. The Sales sheet mixes yearly renewals,
irregular repeat buyers (add-ons, endorsements, riders; some stopped buying while still
Active, which the BG/NBD model in ``stats`` flags) and one-off buyers.
A few cells are wrong on purpose so ``check`` has something to show: a due date typed as
"next Tuesday", the address "jane.doe@@example.com", the Status "Actve", a task for a
client who does not exist (C-0099) and a Client ID used on two rows.
The content is fixed: the same ``today`` always gives the same workbook.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sheets_sync.model.layout import CLIENTS, SALES, TASKS, TOUCHES, Table
from sheets_sync.model.layout import STAFF as STAFF_TABLE
from sheets_sync.model.sample_data import (
    ADDONS,
    AGENCY,
    BUYING,
    CADENCE,
    CHANNEL_MIX,
    CHECKIN_DAYS,
    DAY,
    INBOUND,
    LATE_ROWS,
    OFFICE_ADDRESS,
    OUTBOUND,
    PROSPECT_DAYS,
    SALES_SEED,
    STAFF,
    STAFF_ROWS,
    TITLE,
    TOOL,
    TOOL_IN_USE_DAYS,
    YEAR_DAYS,
    SampleClient,
    added_clients,
    roster_clients,
)
from sheets_sync.model.settings import SPEC_BY_KEY
from sheets_sync.model.template import settings_rows, table_headers
from sheets_sync.rules import refs
from sheets_sync.rules.business_days import add_business_days, is_business_day, on_or_after
from sheets_sync.workbook import CellValue, SheetContent


class _Builder:
    def __init__(self, today: dt.date):
        self.today = today
        self.holidays = _holidays(today)
        self.rng = random.Random(20261123)
        self.tool_start = today - dt.timedelta(days=TOOL_IN_USE_DAYS)
        self.touches: list[dict[str, Any]] = []
        self.sales: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def bday(self, days: int) -> dt.date:
        """The business day on or before ``days`` before today."""
        day = self.ago(days)
        while not is_business_day(day, self.holidays):
            day -= DAY
        return day

    def after(self, day: dt.date, days: int) -> dt.date:
        return on_or_after(day + dt.timedelta(days=days), self.holidays)

    def touch(self, day: dt.date, client: SampleClient, channel: str, summary: str, *, direction: str = "Out",
              by: str | None = None, task: str = "", ref: str = "") -> None:
        if day >= self.today:  # today's work is the demo's to do
            return
        self.touches.append({
            "date": day, "client_id": client.client_id, "task_id": task or None, "channel": channel,
            "direction": direction, "by": TOOL if ref else (by or STAFF[client.owner][0]),
            "summary": summary, "ref": ref or None, "result": "sent" if ref else None,
        })

    # -- touches ------------------------------------------------------------------------

    def history(self, client: SampleClient, start: dt.date, last: dt.date, last_summary: str = "") -> None:
        """Touches from ``start`` to ``last`` at the tier's rhythm, the last one on ``last``;
        check-in emails after the tool came in carry its Ref."""
        low, high = CADENCE[client.tier]
        interval = CHECKIN_DAYS[client.tier]
        previous: dt.date | None = None
        while True:
            if previous is None:  # the window opens part-way through each client's rhythm
                day = on_or_after(start + dt.timedelta(days=self.rng.randint(0, low)), self.holidays)
            else:
                gap = self.rng.randint(low, high)
                day = previous + dt.timedelta(days=gap)
                if day >= last - dt.timedelta(days=low // 2):
                    break
                if client.tier != "A" and gap >= interval and day >= self.tool_start:
                    day = self.after(previous, interval)
                    self.touch(day, client, "Email", "Check-in: how are we doing?",
                               ref=refs.checkin(client.client_id, previous))
                    previous = day
                    continue
                day = self._weekday(day)
            if day >= last:
                break
            self._staff_touch(day, client)
            previous = day
        if last_summary:
            self.touch(last, client, "Meeting", last_summary)
        else:
            self._staff_touch(last, client, inbound=False)

    def _staff_touch(self, day: dt.date, client: SampleClient, *, inbound: bool | None = None) -> None:
        if inbound is None:
            inbound = self.rng.random() < 0.2
        if inbound:
            channel = self.rng.choice(["Call", "Call", "Email", "Meeting"])
            self.touch(day, client, channel, self.rng.choice(INBOUND[channel]), direction="In")
            return
        channel = self.rng.choice(CHANNEL_MIX[client.tier])
        self.touch(day, client, channel, self.rng.choice(OUTBOUND[channel]))

    def _weekday(self, day: dt.date) -> dt.date:
        while not is_business_day(day, self.holidays):
            day -= DAY
        return day

    def prospect(self, client: SampleClient, touches: int, *, reply_after: int | None = None,
                 first: dt.date | None = None) -> dt.date:
        """The first contact (``first``, else ``since`` days ago) and ``touches`` steps of the
        sequence, as the tool schedules them (odd steps are its emails, staff's own before the
        tool came in; even ones the owner's calls); returns the last date."""
        first = self._weekday(first or self.ago(client.since))
        self.touch(first, client, "Meeting" if client.company else "Call", f"First contact: {client.notes.lower()}")
        last = first
        for i in range(1, touches + 1):
            gap = PROSPECT_DAYS[i - 1] - (PROSPECT_DAYS[i - 2] if i > 1 else 0)
            day = on_or_after(max(first + dt.timedelta(days=PROSPECT_DAYS[i - 1]), last + dt.timedelta(days=gap)),
                              self.holidays)
            if i % 2:
                self.touch(day, client, "Email", f"Prospect follow-up {i}: any questions about the quote?",
                           ref=refs.prospect_touch(client.client_id, i) if day >= self.tool_start else "")
            else:
                self.touch(day, client, "Call", self.rng.choice(["Follow-up call: left a voicemail",
                                                                   "Follow-up call: still comparing quotes",
                                                                   "Follow-up call: asked to call back"]))
            last = day
        if reply_after is not None:
            self.touch(last + dt.timedelta(days=reply_after), client, "Email",
                       "Replied: would like to meet Thursday to go through the quote", direction="In")
        return last

    # -- tasks --------------------------------------------------------------------------

    def task(self, client: SampleClient, kind: str, description: str, *, opened: dt.date, due: Any = None,
             amount: float | None = None, status: str = "Open", done: dt.date | None = None,
             reminders: int | None = None, client_id: str | None = None) -> dict[str, Any]:
        """A task row; ``reminders`` caps the tool's emails logged for it (``task_touches``),
        which are otherwise all those its rules sent before ``done`` or today."""
        row = {"client": client, "client_id": client_id or client.client_id, "type": kind,
               "description": description, "amount": amount, "due_date": due, "opened_on": opened,
               "status": status, "done_on": done, "reminders": reminders}
        self.tasks.append(row)
        return row

    def task_touches(self, row: dict[str, Any]) -> None:
        client, task_id = row["client"], row["task_id"]
        if row["client_id"] != client.client_id:
            return
        due = row["due_date"] if isinstance(row["due_date"], dt.date) else None
        until = row["done_on"] or self.today
        what = row["type"].lower()
        for n, (day, ref) in enumerate(self._reminders(row["opened_on"], due, until), start=1):
            if row["reminders"] is not None and n > row["reminders"]:
                break
            summary = f"{'Final notice' if ref == 'final' else 'Reminder ' + str(n)}: {row['description']}"
            if n == 1:
                summary = f"Request: {row['description']}"
            key = refs.task_final(task_id) if ref == "final" else refs.task_reminder(task_id, n)
            self.touch(day, client, "Email", summary, task=task_id, ref=key)
        if due and due < self.today and row["status"] == "Open":
            self.touch(self._weekday(self.today - DAY), client, "Call",
                       f"Called about the {what}: left a voicemail", task=task_id)

    def _reminders(self, opened: dt.date, due: dt.date | None, until: dt.date) -> list[tuple[dt.date, str]]:
        """The tool's emails for a task, by its rules: day 0, one more after 7 days, every
        3 days, a final notice 2 business days before the due date; none after it."""
        sent = [(on_or_after(opened, self.holidays), "reminder:1")]
        final_sent = False
        while True:
            last = sent[-1][0]
            regular = self.after(last, 7 if len(sent) == 1 else 3)
            if due and not final_sent:
                final_day = add_business_days(due, -2, self.holidays)
                if last < final_day <= regular:
                    if final_day >= until:
                        break
                    sent.append((final_day, "final"))
                    final_sent = True
                    continue
            if (due and regular > due) or regular >= until:
                break
            sent.append((regular, f"reminder:{len(sent) + 1}"))
        return [s for s in sent if s[0] < until]

    # -- sales --------------------------------------------------------------------------

    def client_sales(self, client: SampleClient, rng: random.Random) -> None:
        """The client's purchases in the two years before today, by how they buy: the policy
        (new, then yearly renewals) and, for irregular buyers, add-ons at random gaps; none
        on or after Lost On, after an irregular buyer stopped, or on or after today. A lost
        client always has a purchase in the year before they left (the value at stake)."""
        window = self.ago(729)
        since = self.ago(client.since)
        if client.lost is not None:
            end = self.bday(client.lost)
        elif client.stopped is not None:
            end = self.ago(client.stopped)
        else:
            end = self.today
        value = client.value or 0.0
        share = 0.7 if client.buys == "irregular" else 1.0
        sales: list[tuple[dt.date, float, str]] = []
        year = since.year
        while True:
            day = self._weekday(_anniversary(since, year))
            if day >= end:
                break
            if day >= window:
                amount = value * share / 1.05 ** ((self.today - day).days / 365)
                sales.append((day, amount, f"{client.product}: {'new policy' if year == since.year else 'renewal'}"))
            if not client.renews or client.buys == "once":
                break
            year += 1
        if client.buys == "irregular":
            mean = client.gap * 7
            addons = client.addons or ADDONS
            day = since if since >= window else window - dt.timedelta(days=rng.uniform(0, mean))
            while True:
                day += dt.timedelta(days=max(4.0, rng.expovariate(1 / mean)))
                amount = value * (1 - share) * client.gap / 52 * rng.uniform(0.6, 1.4)
                what = rng.choice(addons)
                when = self._weekday(day)
                if when >= end:
                    break
                if when >= window:
                    sales.append((when, amount, what))
            if client.lost is not None and not any(end - YEAR_DAYS <= d for d, _, _ in sales):
                when = max(self._weekday(end - dt.timedelta(days=20)), on_or_after(window, self.holidays))
                sales.append((when, value * (1 - share) * client.gap / 52, addons[0]))
        for day, amount, what in sales:
            if window <= day < min(end, self.today):
                self.sales.append({"date": day, "client_id": client.client_id,
                                   "amount": round(max(amount, 25.0) / 5) * 5.0, "description": what})


def _anniversary(since: dt.date, year: int) -> dt.date:
    try:
        return since.replace(year=year)
    except ValueError:  # 29 February
        return dt.date(year, 2, 28)


def _holidays(today: dt.date) -> tuple[dt.date, ...]:
    """US Thanksgiving and Christmas of this year and New Year's Day of the next."""
    nov1 = dt.date(today.year, 11, 1)
    thanksgiving = nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7 + 21)
    return (thanksgiving, dt.date(today.year, 12, 25), dt.date(today.year + 1, 1, 1))


def _email(client: SampleClient) -> str:
    if client.email:
        return client.email
    first, *rest = client.name.lower().replace("'", "").split()
    if client.company:
        domain = "".join(ch for ch in client.company.lower().split()[0] if ch.isalnum())
        return f"{first}@{domain}.example"
    return f"{first}.{rest[-1]}@example.com"


def sample_sheets(today: dt.date) -> list[SheetContent]:
    """The Harbor Lane Insurance sample as template sheets (Clients, Tasks, Touches,
    Settings, Sales, Staff), dated relative to ``today``; deterministic for a given ``today``."""
    b = _Builder(today)
    roster = sorted(roster_clients(), key=lambda c: c.since, reverse=True)
    for number, client in enumerate(roster, start=1):
        client.client_id = f"C-{number:04d}"
    by_key = {c.key: c for c in roster}
    late = []
    for copied_from, client in LATE_ROWS:
        client.client_id = by_key[copied_from].client_id if copied_from else ""
        late.append(client)

    added = sorted(added_clients(), key=lambda c: c.since, reverse=True)
    for number, client in enumerate(added, start=len(roster) + 1):
        client.client_id = f"C-{number:04d}"
    for client in roster:
        client.buys, client.gap, client.stopped, client.addons = BUYING.get(client.key, ("renewal", 0, None, ()))

    _client_touches(b, roster, by_key)
    _tasks(b, by_key)
    _added_touches(b, added)
    rng = random.Random(SALES_SEED)
    for client in sorted(roster + added, key=lambda c: c.client_id):
        if client.status in ("Active", "Lost"):
            b.client_sales(client, rng)
    b.touches.sort(key=lambda t: t["date"])
    b.sales.sort(key=lambda s: (s["date"], s["client_id"]))
    return [
        _clients_sheet(b, roster + late + added),
        _table_sheet(TASKS, b.tasks),
        _table_sheet(TOUCHES, b.touches),
        _settings_sheet(b),
        _table_sheet(SALES, b.sales),
        _staff_sheet(),
    ]


def _staff_sheet() -> SheetContent:
    rows: list[list[CellValue]] = [list(table_headers(STAFF_TABLE))]
    rows += [list(row) for row in STAFF_ROWS]
    return SheetContent(title=STAFF_TABLE.title, rows=rows, table=STAFF_TABLE.name)


def _client_touches(b: _Builder, roster: list[SampleClient], by_key: dict[str, SampleClient]) -> None:
    for client in roster:
        since = b.ago(client.since)
        start = max(since, b.ago(760))
        if client.status == "Active" and client.last is not None:
            welcome = "Policy signed: welcome meeting" if client.since <= 30 else ""
            last = b.bday(client.last)
            if welcome:  # signed on Client Since, or the next business day: never before it
                last = max(last, on_or_after(since, b.holidays))
            b.history(client, start, last, welcome)
        elif client.status == "Lost":
            lost = b.bday(client.lost or 0)
            b.history(client, start, b._weekday(lost - dt.timedelta(days=20)))
            b.touch(lost, client, "Call", f"Called to cancel: {client.notes.lower()}", direction="In")
    # Clients whose recent touches come from their tasks or onboarding.
    nguyen, medina = by_key["nguyen"], by_key["medina"]
    b.history(nguyen, b.ago(760), b.bday(70))
    b.history(medina, b.ago(medina.since), on_or_after(b.ago(medina.since), b.holidays),
              "Policy signed: welcome meeting")
    b.touch(b.after(b.ago(medina.since), 14), medina, "Email", "Satisfaction check: how was getting started?",
            ref=refs.satisfaction_check(medina.client_id))
    b.touch(b.after(b.ago(medina.since), 33), medina, "Call", "Called about adding the delivery van",
            direction="In")
    # Prospects.
    b.prospect(by_key["no-sale"], 7)
    b.touch(b.bday(100), by_key["no-sale"], "Note", "Marked No Sale: chose her bank's insurer")
    b.prospect(by_key["seven"], 7)
    b.prospect(by_key["six"], 6)
    b.prospect(by_key["five"], 5)
    b.prospect(by_key["four"], 4)
    b.prospect(by_key["replied"], 2, reply_after=2)
    b.prospect(by_key["two"], 2)
    b.prospect(by_key["one"], 1)
    brooks = by_key["brooks"]
    brooks.extra["next_action_date"] = b.today + dt.timedelta(days=6)


def _added_touches(b: _Builder, added: list[SampleClient]) -> None:
    """The added clients' touches. A converted prospect's log starts with the sequence: the
    first contact and further touches (``converted`` outbound in all), their reply, the
    signing; then the new-client satisfaction check and referral request, and check-ins."""
    for client in added:
        since = b.ago(client.since)
        if not client.converted:
            b.history(client, max(since, b.ago(760)), b.bday(client.last or 0))
            continue
        steps = client.converted - 1
        reply, signed = 3, 9  # days from the last touch to their reply, from the reply to signing
        first = since - dt.timedelta(days=PROSPECT_DAYS[steps - 1] + reply + signed)
        last = b.prospect(client, steps, first=first)
        b.touch(last + dt.timedelta(days=reply), client, "Call",
                "Called back: ready to go ahead, asked for the paperwork", direction="In")
        b.touch(on_or_after(since, b.holidays), client, "Meeting", "Policy signed: welcome meeting")
        for key, days, summary in ((refs.satisfaction_check, 14, "Satisfaction check: how was getting started?"),
                                   (refs.referral_request, 60, "Referral request: would you recommend us?")):
            b.touch(b.after(since, days), client, "Email", summary, ref=key(client.client_id))
        if client.last is not None and client.last < client.since - 61:
            b.history(client, b.after(since, 61), b.bday(client.last))


def _tasks(b: _Builder, by_key: dict[str, SampleClient]) -> None:
    """Tasks in every state, numbered in the order they were opened."""
    t = b.task
    bday = b.bday
    # History: closed tasks from the tool's months, with the reminders it took.
    t(by_key["kessler"], "Payment", "Garage liability renewal balance", opened=bday(170), due=bday(150),
      amount=2150.0, status="Done", done=bday(158))
    t(by_key["webb"], "Signature", "Signed auto application", opened=bday(150), due=bday(125),
      status="Done", done=bday(139))
    t(by_key["liu"], "Paperwork", "Rental property inspection reports", opened=bday(130), due=bday(100),
      status="Done", done=bday(112))
    t(by_key["summers"], "Payment", "Renters premium (card declined)", opened=bday(120), due=bday(105),
      amount=287.5, status="Done", done=bday(110))
    t(by_key["lindqvist"], "Signature", "Signed fleet schedule change", opened=bday(95), due=bday(80),
      status="Done", done=bday(93))
    t(by_key["dunn"], "Payment", "Commercial auto renewal balance", opened=bday(70), due=bday(45),
      amount=1600.0, status="Cancelled", done=bday(40))
    t(by_key["vega"], "Paperwork", "Boat survey for the new policy", opened=bday(60), due=bday(30),
      status="Done", done=bday(52))
    t(by_key["oneill"], "Payment", "Contractor's liability down payment", opened=bday(45), due=bday(30),
      amount=1240.0, status="Done", done=bday(36))
    t(by_key["patel"], "Paperwork", "Alarm certificate for the store", opened=bday(90), due=bday(70),
      status="Cancelled", done=bday(76))
    # Open now.
    t(by_key["nguyen"], "Signature", "Signed home policy application", opened=bday(30), due=bday(4))
    t(by_key["whitaker"], "Payment", "Home policy balance (policy cancels if unpaid)", opened=bday(10),
      due=on_or_after(b.today + dt.timedelta(days=8), b.holidays), amount=3323.0, reminders=1)
    t(by_key["moreau"], "Paperwork", "Proof of roof replacement", opened=bday(1), due="next Tuesday",
      reminders=0)
    t(by_key["brightwater"], "Quote", "Inland marine quote for the new warehouse", opened=bday(5),
      due=b.after(b.today, 25))
    t(by_key["khan"], "Other", "Certificate of insurance for her landlord", opened=bday(4),
      client_id="C-0099")
    t(by_key["oneill"], "Payment", "Renewal premium balance", opened=bday(3), due=b.after(b.today, 25),
      amount=612.5)
    t(by_key["sato"], "Paperwork", "Signed proof of prior insurance", opened=b.today, due=b.after(b.today, 14))
    b.tasks.sort(key=lambda row: row["opened_on"])
    for number, row in enumerate(b.tasks, start=1):
        row["task_id"] = f"T-{number:04d}"
    for row in b.tasks:
        b.task_touches(row)


def _clients_sheet(b: _Builder, clients: list[SampleClient]) -> SheetContent:
    rows: list[list[CellValue]] = [[TITLE], [], table_headers(CLIENTS)]
    order = _fields(CLIENTS)
    for number, client in enumerate(clients, start=1):
        since: CellValue = b.ago(client.since)
        if client.key == "lindqvist":  # typed as text long ago, US style: still read fine
            since = f"{since.month}/{since.day}/{since.year}"
        elif client.key == "alvarez":
            since = f"{since.day} {since:%b} {since.year}"
        values = {
            "client_id": client.client_id or None, "name": client.name, "company": client.company or None,
            "email": _email(client), "phone": f"(207) 555-{100 + number:04d}" if client.phone else None,
            "owner": STAFF[client.owner][1], "tier": client.tier, "status": client.status,
            "client_since": since, "lost_on": b.bday(client.lost) if client.lost is not None else None,
            "do_not_email": None, "notes": client.notes or None, "annual_value": client.value,
        } | client.extra
        rows.append([values.get(f) for f in order])
    return SheetContent(title=CLIENTS.title, rows=rows, table=CLIENTS.name)


def _fields(table: Table) -> list[str]:
    """The table's fields in the template's column order (tool columns last)."""
    return [c.field for c in table.columns if not c.tool] + [c.field for c in table.tool_columns]


def _table_sheet(table: Table, records: list[dict[str, Any]]) -> SheetContent:
    rows: list[list[CellValue]] = [table_headers(table)]
    rows += [[record.get(f) for f in _fields(table)] for record in records]
    return SheetContent(title=table.title, rows=rows, table=table.name)


def _settings_sheet(b: _Builder) -> SheetContent:
    rows: list[list[CellValue]] = [["Setting", "Value", "Notes"]]
    for label, value, note in settings_rows():
        if label == SPEC_BY_KEY["business_name"].label:
            value = AGENCY
        elif label == SPEC_BY_KEY["from_address"].label:
            value = OFFICE_ADDRESS
        elif label == SPEC_BY_KEY["holidays"].label:
            value = ", ".join(d.isoformat() for d in b.holidays)
        rows.append([label, value, note])
    return SheetContent(title="Settings", rows=rows, table="settings")
