"""The sample workbook's data: Harbor Lane Insurance's staff, clients and how they buy, and
the words of its touches. ``sample`` turns it into sheets, every date relative to ``today``.

Dates here are days before today; IDs are given by the generator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.model.settings import SPEC_BY_KEY

AGENCY = "Harbor Lane Insurance"
OFFICE_ADDRESS = "office@harborlane.example"  # Settings' From address: the sample needs no set-up
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
# The Staff sheet: Email, Name, Phone, Job title, Signature (James signs with his own lines;
# the others get the sign-off built from their row).
STAFF_ROWS: list[list[str | None]] = [
    ["maria@harborlane.example", "Maria Alvarez", "(207) 555-0101", "Account Manager", None],
    ["james@harborlane.example", "James O'Neill", "(207) 555-0102", "Senior Agent",
     "James O'Neill\nSenior Agent, Harbor Lane Insurance\nDirect line (207) 555-0102"],
    ["priya@harborlane.example", "Priya Raman", "(207) 555-0103", "Client Service Associate", None],
]
DAY = dt.timedelta(days=1)
YEAR_DAYS = dt.timedelta(days=365)
SALES_SEED = 48  # the Sales sheet has its own generator: the same purchases relative to any today


@dataclass
class SampleClient:
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


def roster_clients() -> list[SampleClient]:
    """The clients, before IDs: fixed relative dates that make the promised mix."""
    c = SampleClient
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
LATE_ROWS = (
    ("foster", SampleClient("copied", "Owen Bradley", "", "C", "Active", 20, "james", 1340, product="Auto")),
    ("", SampleClient("blank-1", "Chloe Bennett", "", "B", "Prospect", 0, "priya", None, notes="Walk-in; quote to follow")),
    ("", SampleClient("blank-2", "Ryan Walsh", "Walsh Electric", "B", "Prospect", 0, "maria", None,
                 notes="Referred by Tom Kessler")),
)

# How the roster's clients buy (the Sales sheet): (kind, mean weeks between add-ons, days
# since an irregular buyer's last purchase when they quietly stopped, add-ons they buy).
# Renewal-only clients are not listed. Okafor and Patel stopped buying while the Clients
# sheet still says Active, so the purchase model flags them (Foster too, but his row shares
# its ID with a copied row and is left out until that is fixed); see added_clients for more.
BUYING: dict[str, tuple[str, float, int | None, tuple[str, ...]]] = {
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


def added_clients() -> list[SampleClient]:
    """Clients added to the sheet after the rows above (IDs from C-0040 on, at the bottom):
    more buyers of every kind, and three prospects who converted after 5 to 7 touches."""
    c = SampleClient
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


ADDONS = ("Endorsement: coverage change", "Certificate of insurance", "Rider added")

INBOUND = {
    "Call": ["Called about adding a driver", "Called to ask about the renewal price",
             "Called to thank us for the quick claim", "Called about a claim for hail damage"],
    "Email": ["Emailed a change of address", "Emailed photos for a claim", "Asked by email about flood cover"],
    "Meeting": ["Dropped by with a question about coverage", "Came in to sign the renewal"],
}
OUTBOUND = {
    "Call": ["Check-in call: all fine, no changes", "Called: reviewed coverage, happy", "Left a voicemail",
             "Called about the renewal", "Called: asked whether they would refer us"],
    "Email": ["Sent the renewal documents", "Emailed coverage summary", "Sent a claim status update"],
    "Meeting": ["Annual review at their office", "Lunch", "Coverage review at our office"],
    "Text": ["Texted a reminder about the renewal", "Texted: card on file expiring"],
    "Letter": ["Handwritten thank-you card", "Sent the annual policy letter"],
    "Gift": ["Holiday gift basket", "Coffee gift card on the anniversary"],
}
CHANNEL_MIX = {"A": ["Call"] * 4 + ["Meeting"] * 3 + ["Email"] * 2 + ["Letter", "Gift", "Text"],
             "B": ["Call"] * 4 + ["Email"] * 4 + ["Text", "Letter"],
             "C": ["Call"] * 3 + ["Email"] * 4 + ["Text", "Letter"]}
CADENCE = {"A": (18, 34), "B": (30, 70), "C": (45, 120)}
