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
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.model.layout import CLIENTS, SALES, TASKS, TOUCHES, Table
from sheets_sync.model.settings import SPEC_BY_KEY
from sheets_sync.model.template import settings_rows, table_headers
from sheets_sync.rules import refs
from sheets_sync.rules.business_days import add_business_days, is_business_day, on_or_after
from sheets_sync.workbook import CellValue, SheetContent

AGENCY = "Harbor Lane Insurance"
TITLE = f"{AGENCY} — clients"
TOOL = "sheets-sync"
TOOL_IN_USE_DAYS = 180  # the agency started the tool this long ago: its emails carry a Ref
PROSPECT_DAYS = SPEC_BY_KEY["prospect_touch_days"].default
CHECKIN_DAYS = {"A": 30, "B": 60, "C": 90}
STAFF = {
    "maria": ("Maria", "maria@harborlane.example"),
    "james": ("James", "james@harborlane.example"),
    "priya": ("Priya", "priya@harborlane.example"),
}
DAY = dt.timedelta(days=1)
YEAR_DAYS = dt.timedelta(days=365)
SALES_SEED = 48  # the Sales sheet has its own generator: the same purchases relative to any today


@dataclass
class _Client:
    key: str  # a name for this row inside the builder
    name: str
    company: str
    tier: str
    status: str
    since: int  # days before today: Client Since, or the first contact for a prospect
    owner: str
    value: float | None = None
    last: int | None = None  # days before today of the last touch (active clients)
    lost: int | None = None  # days before today of Lost On
    email: str | None = None
    phone: bool = True
    notes: str = ""
    product: str = "Home + auto"
    renews: bool = True
    client_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # How the Sales sheet shows them buying: "renewal" (the policy, once a year), "irregular"
    # (the policy's renewals plus add-ons, endorsements and riders at random gaps averaging
    # ``gap`` weeks) or "once" (a single purchase).
    buys: str = "renewal"
    gap: float = 0.0
    stopped: int | None = None  # days before today after which an irregular buyer buys nothing
    addons: tuple[str, ...] = ()
    converted: int = 0  # outbound touches it took before this client signed (0: not logged)


def _roster() -> list[_Client]:
    """The clients, before IDs: fixed relative dates that make the promised mix."""
    c = _Client
    return [
        # Tier A, active: the agency's best clients.
        c("whitaker", "Harold Whitaker", "", "A", "Active", 3300, "maria", 6646, last=24,
          notes="Home, auto and boat; pays in two instalments"),
        c("brightwater", "Dana Reyes", "Brightwater Marine Supply", "A", "Active", 2600, "james", 12400, last=12,
          product="Business owner's policy"),
        c("okafor", "Chidi Okafor", "Okafor Family Dental", "A", "Active", 2200, "priya", 9200, last=38,
          product="Professional liability + property"),
        c("lindqvist", "Erik Lindqvist", "Lindqvist Builders", "A", "Active", 4000, "james", 15800, last=44,
          product="Commercial auto + general liability", notes="Three trucks; fleet grows in spring"),
        c("vega", "Marisol Vega", "", "A", "Active", 1850, "maria", 4900, last=49),
        c("kessler", "Tom Kessler", "Kessler Auto Body", "A", "Active", 1500, "priya", 8300, last=20,
          product="Garage liability"),
        c("liu", "Grace Liu", "Liu Family Trust", "A", "Active", 2950, "maria", 7450, last=28,
          product="Rental properties (4)"),
        # Tier B.
        c("nguyen", "Rachel Nguyen", "", "B", "Active", 1100, "james", 2780, last=None),
        c("patel", "Sam Patel", "Patel Convenience", "B", "Active", 2100, "priya", 3900, last=62,
          product="Business owner's policy"),
        c("carter", "Denise Carter", "", "B", "Active", 1700, "maria", 2450, last=75,
          notes="Asked not to be emailed; phone only", extra={"do_not_email": "Yes"}),
        c("oneill", "Frank O'Neill", "O'Neill Plumbing", "B", "Active", 1300, "james", 3350, last=20,
          product="Contractor's liability"),
        c("moreau", "Ines Moreau", "", "B", "Active", 900, "priya", 2200, last=45),
        c("doe", "Jane Doe", "", "B", "Active", 1250, "maria", 2050, last=30,
          email="jane.doe@@example.com"),
        c("sandoval", "Paul Sandoval", "Sandoval Catering", "B", "Active", 1600, "james", 3100, last=50,
          product="Business owner's policy", extra={"status": "Actve"}),
        c("brooks", "Kevin Brooks", "", "B", "Active", 1400, "priya", 2600, last=61,
          notes="Travelling; call when he is back (date set by hand)"),
        # Tier C.
        c("summers", "Alice Summers", "", "C", "Active", 1000, "maria", 1150, last=95, product="Renters"),
        c("huang", "Walter Huang", "", "C", "Active", 2400, "james", 1480, last=92, product="Auto"),
        c("cole", "Bethany Cole", "", "C", "Active", 800, "priya", 980, last=30, product="Renters", phone=False),
        c("webb", "Marcus Webb", "", "C", "Active", 1900, "maria", 1320, last=70, product="Auto"),
        c("quinn", "Nora Quinn", "", "C", "Active", 460, "james", 385, last=85,
          product="Event liability (one day)", renews=False, notes="Wedding policy"),
        c("tanaka", "Hiro Tanaka", "", "C", "Active", 300, "priya", 240, last=91,
          product="Travel policy", renews=False),
        c("romero", "Lucia Romero", "", "C", "Active", 1200, "maria", 1260, last=88, product="Auto"),
        c("foster", "Greg Foster", "Foster Antiques", "C", "Active", 1450, "james", 1700, last=55,
          product="Business property"),
        # New clients.
        c("sato", "Emily Sato", "", "B", "Active", 14, "priya", 2350, last=14),
        c("medina", "Carlos Medina", "Medina Coffee Roasters", "B", "Active", 60, "maria", 4100, last=None,
          product="Business owner's policy"),
        c("khan", "Aisha Khan", "", "C", "Active", 13, "james", 1090, last=13, product="Auto"),
        # Lost: Lost On spread over two years.
        c("dunn", "Robert Dunn", "Dunn Landscaping", "B", "Lost", 1800, "james", 3200, lost=40,
          product="Commercial auto", notes="Moved to a cheaper carrier"),
        c("park", "Sheila Park", "", "C", "Lost", 1300, "priya", 1050, lost=150, notes="Sold the car"),
        c("alvarez", "Victor Alvarez", "Alvarez Restaurant Group", "A", "Lost", 3000, "maria", 11000, lost=300,
          product="Restaurant package", notes="Went with a broker his new partner uses"),
        c("moss", "Tina Moss", "", "C", "Lost", 1500, "james", 900, lost=480, product="Renters",
          notes="Moved out of state"),
        c("pratt", "George Pratt", "", "B", "Lost", 2500, "priya", 2600, lost=700, notes="No reason given"),
        # Prospects: first contact ``since`` days ago, at different points of the sequence.
        c("no-sale", "Laura Bishop", "Bishop Yoga Studio", "B", "No Sale", 150, "maria", None,
          notes="Went with her bank's insurer"),
        c("seven", "Daniel Ortiz", "Ortiz Trucking", "A", "Prospect", 50, "james", None,
          notes="Quoted commercial auto, 5 trucks"),
        c("six", "Megan Foley", "", "B", "Prospect", 31, "priya", None, notes="Quoted home + auto"),
        c("five", "Ben Adler", "Adler Architects", "B", "Prospect", 33, "maria", None,
          notes="Quoted professional liability"),
        c("four", "Sophie Laurent", "", "C", "Prospect", 16, "james", None, notes="Quoted renters + auto"),
        c("replied", "Nathan Reid", "Reid Veterinary Clinic", "A", "Prospect", 12, "priya", None,
          notes="Quoted practice package"),
        c("two", "Olivia Grant", "", "B", "Prospect", 9, "maria", None, notes="Quoted home"),
        c("one", "Isaac Murphy", "", "C", "Prospect", 3, "james", None, notes="Quoted auto"),
    ]


# Rows staff added at the bottom: a copy of a row whose ID was not changed, and new prospects
# whose ID they left blank (the tool fills the next free one).
_LATE_ROWS = (
    ("foster", _Client("copied", "Owen Bradley", "", "C", "Active", 20, "james", 1340, product="Auto")),
    ("", _Client("blank-1", "Chloe Bennett", "", "B", "Prospect", 0, "priya", None, notes="Walk-in; quote to follow")),
    ("", _Client("blank-2", "Ryan Walsh", "Walsh Electric", "B", "Prospect", 0, "maria", None,
                 notes="Referred by Tom Kessler")),
)

# How the roster's clients buy (the Sales sheet): (kind, mean weeks between add-ons, days
# since an irregular buyer's last purchase when they quietly stopped, add-ons they buy).
# Renewal-only clients are not listed. Okafor and Patel stopped buying while the Clients
# sheet still says Active, so the purchase model flags them (Foster too, but his row shares
# its ID with a copied row and is left out until that is fixed); see _added for more.
_BUYING: dict[str, tuple[str, float, int | None, tuple[str, ...]]] = {
    "whitaker": ("irregular", 10, None, ("Rider: scheduled jewellery", "Boat: trailer added",
                                         "Endorsement: added a driver", "Umbrella limit increase")),
    "brightwater": ("irregular", 5, None, ("Inland marine: stock in transit", "Endorsement: new forklift",
                                           "Certificate of insurance for a marina", "Endorsement: delivery van")),
    "okafor": ("irregular", 8, 200, ("Endorsement: new hygienist", "Equipment breakdown: new X-ray unit",
                                     "Cyber liability add-on")),
    "lindqvist": ("irregular", 4, None, ("Endorsement: truck added", "Certificate of insurance for a job site",
                                         "Builder's risk for a new build", "Endorsement: added a driver")),
    "kessler": ("irregular", 6, None, ("Endorsement: tow truck added", "Garagekeepers limit increase",
                                       "Certificate of insurance for a dealer")),
    "liu": ("irregular", 9, None, ("Endorsement: tenant change", "Rental property added",
                                   "Loss of rents cover increase")),
    "patel": ("irregular", 7, 230, ("Endorsement: new cooler", "Spoilage cover", "Lottery terminal rider")),
    "oneill": ("irregular", 5, None, ("Certificate of insurance for a job site", "Tools floater: new equipment",
                                      "Endorsement: van added")),
    "sandoval": ("irregular", 6, None, ("Event liability: catered wedding", "Liquor liability for an event",
                                        "Endorsement: food truck")),
    "foster": ("irregular", 11, 260, ("Rider: consigned pieces", "Transit cover for an auction",
                                      "Endorsement: higher theft limit")),
    "medina": ("irregular", 5, None, ("Endorsement: delivery van",)),
    "dunn": ("irregular", 6, None, ("Endorsement: mower trailer added", "Certificate of insurance for a client",
                                    "Endorsement: added a seasonal driver")),
    "alvarez": ("irregular", 4, None, ("Liquor liability increase", "Event cover: private dining",
                                       "Endorsement: new location fit-out", "Equipment breakdown add-on")),
    "moss": ("irregular", 12, None, ("Rider: bicycle", "Rider: laptop")),
    "pratt": ("irregular", 8, None, ("Endorsement: added a driver", "Rider: scheduled jewellery")),
    "quinn": ("once", 0, None, ()),
    "tanaka": ("once", 0, None, ()),
    "sato": ("once", 0, None, ()),
    "khan": ("once", 0, None, ()),
}


def _added() -> list[_Client]:
    """Clients added to the sheet after the rows above (IDs from C-0040 on, at the bottom):
    more buyers of every kind, and three prospects who converted after 5 to 7 touches."""
    c = _Client
    return [
        c("delgado", "Rosa Delgado", "Delgado Events", "A", "Active", 1400, "james", 8800, last=22,
          product="Event liability (per event)", buys="irregular", gap=3,
          addons=("Event liability: wedding", "Event liability: corporate gala", "Event liability: festival stage",
                  "Liquor liability for an event")),
        c("hale", "Martin Hale", "Hale Property Management", "A", "Active", 2000, "maria", 10500, last=33,
          product="Rental dwellings (12 units)", buys="irregular", gap=5,
          addons=("Endorsement: unit added", "Certificate of insurance for a tenant", "Vacancy permit")),
        c("clarke", "Yvonne Clarke", "Clarke Courier Co.", "B", "Active", 1100, "priya", 5200, last=40,
          product="Commercial auto (vans)", buys="irregular", gap=4, stopped=190,
          addons=("Endorsement: van added", "Endorsement: added a driver", "Cargo limit increase")),
        c("volkov", "Dmitri Volkov", "", "B", "Active", 900, "james", 2100, last=58,
          product="Home + valuables", buys="irregular", gap=9,
          addons=("Rider: scheduled watch", "Rider: fine art", "Endorsement: added a driver")),
        c("price", "Hannah Price", "Greenleaf Florist", "B", "Active", 1600, "maria", 3600, last=56,
          product="Business owner's policy + delivery auto", buys="irregular", gap=6, stopped=230,
          addons=("Event cover: wedding flowers on site", "Endorsement: delivery van", "Spoilage cover")),
        c("osei", "Samuel Osei", "Osei Electrical", "B", "Active", 750, "priya", 4300, last=27,
          product="Contractor's liability + tools floater", buys="irregular", gap=5,
          addons=("Certificate of insurance for a job site", "Tools floater: new equipment",
                  "Endorsement: apprentice added")),
        c("fischer", "Lena Fischer", "", "C", "Active", 1300, "james", 1650, last=80,
          product="Auto + jewellery rider", buys="irregular", gap=10, stopped=300,
          addons=("Rider: scheduled jewellery", "Endorsement: replacement car", "Trip cancellation cover")),
        c("mehta", "Arjun Mehta", "Mehta Pharmacy", "B", "Active", 2300, "maria", 4700, last=47,
          product="Business owner's policy", buys="irregular", gap=8, stopped=270,
          addons=("Endorsement: new refrigeration unit", "Cyber liability add-on", "Delivery driver endorsement")),
        c("dubois", "Claire Dubois", "", "C", "Active", 1000, "priya", 1400, last=70,
          product="Home + scheduled art", buys="irregular", gap=6, stopped=300,
          addons=("Rider: fine art", "Transit cover for a loaned painting")),
        c("mensah", "Kofi Mensah", "Mensah Food Truck", "C", "Active", 620, "james", 2300, last=44,
          product="Food truck auto + liability", buys="irregular", gap=4,
          addons=("Event certificate: farmers market", "Event certificate: street fair",
                  "Event certificate: stadium lot")),
        c("long", "Patricia Long", "", "B", "Active", 1450, "maria", 2300, last=36),
        c("ibarra", "George Ibarra", "", "C", "Active", 560, "priya", 1100, last=66, product="Auto"),
        c("novak", "Helen Novak", "", "C", "Active", 980, "james", 950, last=40, product="Renters"),
        c("ellison", "Ruth Ellison", "", "C", "Active", 240, "maria", 420, last=75,
          product="Event liability (one day)", renews=False, buys="once", notes="Anniversary party"),
        c("bell", "Marcus Bell", "Bell & Sons Roofing", "A", "Active", 120, "james", 7600, last=9,
          product="Contractor's liability + commercial auto", buys="once", converted=7,
          notes="Quoted contractor's liability and two trucks"),
        c("santos", "Julia Santos", "", "B", "Active", 185, "maria", 2400, last=26, buys="once", converted=6,
          notes="Quoted home + auto"),
        c("petrova", "Elena Petrova", "Petrova Bakery", "B", "Active", 45, "priya", 3100, last=None,
          product="Business owner's policy", buys="once", converted=5, notes="Quoted business owner's policy"),
    ]


_ADDONS = ("Endorsement: coverage change", "Certificate of insurance", "Rider added")

_IN = {
    "Call": ["Called about adding a driver", "Called to ask about the renewal price",
             "Called to thank us for the quick claim", "Called about a claim for hail damage"],
    "Email": ["Emailed a change of address", "Emailed photos for a claim", "Asked by email about flood cover"],
    "Meeting": ["Dropped by with a question about coverage", "Came in to sign the renewal"],
}
_OUT = {
    "Call": ["Check-in call: all fine, no changes", "Called: reviewed coverage, happy", "Left a voicemail",
             "Called about the renewal", "Called: asked whether they would refer us"],
    "Email": ["Sent the renewal documents", "Emailed coverage summary", "Sent a claim status update"],
    "Meeting": ["Annual review at their office", "Lunch", "Coverage review at our office"],
    "Text": ["Texted a reminder about the renewal", "Texted: card on file expiring"],
    "Letter": ["Handwritten thank-you card", "Sent the annual policy letter"],
    "Gift": ["Holiday gift basket", "Coffee gift card on the anniversary"],
}
_CHANNELS = {"A": ["Call"] * 4 + ["Meeting"] * 3 + ["Email"] * 2 + ["Letter", "Gift", "Text"],
             "B": ["Call"] * 4 + ["Email"] * 4 + ["Text", "Letter"],
             "C": ["Call"] * 3 + ["Email"] * 4 + ["Text", "Letter"]}
_CADENCE = {"A": (18, 34), "B": (30, 70), "C": (45, 120)}


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

    def touch(self, day: dt.date, client: _Client, channel: str, summary: str, *, direction: str = "Out",
              by: str | None = None, task: str = "", ref: str = "") -> None:
        if day >= self.today:  # today's work is the demo's to do
            return
        self.touches.append({
            "date": day, "client_id": client.client_id, "task_id": task or None, "channel": channel,
            "direction": direction, "by": TOOL if ref else (by or STAFF[client.owner][0]),
            "summary": summary, "ref": ref or None, "result": "sent" if ref else None,
        })

    # -- touches ------------------------------------------------------------------------

    def history(self, client: _Client, start: dt.date, last: dt.date, last_summary: str = "") -> None:
        """Touches from ``start`` to ``last`` at the tier's rhythm, the last one on ``last``;
        check-in emails after the tool came in carry its Ref."""
        low, high = _CADENCE[client.tier]
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

    def _staff_touch(self, day: dt.date, client: _Client, *, inbound: bool | None = None) -> None:
        if inbound is None:
            inbound = self.rng.random() < 0.2
        if inbound:
            channel = self.rng.choice(["Call", "Call", "Email", "Meeting"])
            self.touch(day, client, channel, self.rng.choice(_IN[channel]), direction="In")
            return
        channel = self.rng.choice(_CHANNELS[client.tier])
        self.touch(day, client, channel, self.rng.choice(_OUT[channel]))

    def _weekday(self, day: dt.date) -> dt.date:
        while not is_business_day(day, self.holidays):
            day -= DAY
        return day

    def prospect(self, client: _Client, touches: int, *, reply_after: int | None = None,
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

    def task(self, client: _Client, kind: str, description: str, *, opened: dt.date, due: Any = None,
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

    def client_sales(self, client: _Client, rng: random.Random) -> None:
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
            addons = client.addons or _ADDONS
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


def _email(client: _Client) -> str:
    if client.email:
        return client.email
    first, *rest = client.name.lower().replace("'", "").split()
    if client.company:
        domain = "".join(ch for ch in client.company.lower().split()[0] if ch.isalnum())
        return f"{first}@{domain}.example"
    return f"{first}.{rest[-1]}@example.com"


def sample_sheets(today: dt.date) -> list[SheetContent]:
    """The Harbor Lane Insurance sample as template sheets (Clients, Tasks, Touches,
    Settings, Sales), dated relative to ``today``; deterministic for a given ``today``."""
    b = _Builder(today)
    roster = sorted(_roster(), key=lambda c: c.since, reverse=True)
    for number, client in enumerate(roster, start=1):
        client.client_id = f"C-{number:04d}"
    by_key = {c.key: c for c in roster}
    late = []
    for copied_from, client in _LATE_ROWS:
        client.client_id = by_key[copied_from].client_id if copied_from else ""
        late.append(client)

    added = sorted(_added(), key=lambda c: c.since, reverse=True)
    for number, client in enumerate(added, start=len(roster) + 1):
        client.client_id = f"C-{number:04d}"
    for client in roster:
        client.buys, client.gap, client.stopped, client.addons = _BUYING.get(client.key, ("renewal", 0, None, ()))

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
    ]


def _client_touches(b: _Builder, roster: list[_Client], by_key: dict[str, _Client]) -> None:
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


def _added_touches(b: _Builder, added: list[_Client]) -> None:
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


def _tasks(b: _Builder, by_key: dict[str, _Client]) -> None:
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


def _clients_sheet(b: _Builder, clients: list[_Client]) -> SheetContent:
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
        elif label == SPEC_BY_KEY["holidays"].label:
            value = ", ".join(d.isoformat() for d in b.holidays)
        rows.append([label, value, note])
    return SheetContent(title="Settings", rows=rows, table="settings")
