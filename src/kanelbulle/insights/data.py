"""The book of business as the insights read it: plain dataclasses, no database.

``book.py`` fills these from the database in a few bulk queries; tests build them by hand. Every
amount is already in the company currency (``value`` is None when it could not be converted, and
then it is left out of sums and counted in ``unconverted``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

IN_PERSON = "in_person"
REMOTE = ("video", "phone", "email")


@dataclass(frozen=True, slots=True)
class CustomerIn:
    ref: str
    name: str
    owner: str  # username of the seller who owns it
    potential: str = "unknown"  # unknown | low | medium | high
    created: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ContactIn:
    ref: str
    customer: str
    name: str


@dataclass(frozen=True, slots=True)
class FactIn:
    customer: str
    contact: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class MeetingIn:
    customer: str
    start: dt.datetime
    modality: str = IN_PERSON
    requested_by_customer: bool = False
    contacts: tuple[str, ...] = ()
    notes: str = ""
    status: str = ""  # planned | held | cancelled; "" follows from the start

    def held_by(self, today: dt.date) -> bool:
        """Took place on or before ``today`` (a stored status wins)."""
        if self.status:
            return self.status == "held" and self.start.date() <= today
        return self.start.date() <= today


@dataclass(frozen=True, slots=True)
class RequestIn:
    customer: str
    requested_at: dt.datetime
    status: str = "open"  # open | honoured | declined
    contact: str = ""
    ref: str = ""


@dataclass(frozen=True, slots=True)
class DealIn:
    ref: str
    customer: str
    title: str
    stage: str  # open | won | lost
    created: dt.date
    closed: dt.date | None = None
    updated: dt.date | None = None  # last change to the deal
    value: Decimal | None = None  # company currency


@dataclass(frozen=True, slots=True)
class OrderIn:
    customer: str
    date: dt.date
    value: Decimal | None  # company currency; None: could not be converted
    margin_pct: Decimal | None = None


@dataclass(frozen=True)
class TeamNorms:
    """What is usual for the team, computed over the whole team even when the list is one seller's.

    Left out, ``attention`` computes them from the book it is given.
    """

    in_person_share: float | None = None  # over held meetings in the last 12 months
    deal_cycle_days: int | None = None  # median days from creation to close
    closed_deals: int = 0


@dataclass
class Book:
    """One scope of the book of business (a seller's, a team's or all of it) as of loading."""

    customers: list[CustomerIn]
    contacts: list[ContactIn] = field(default_factory=list)
    facts: list[FactIn] = field(default_factory=list)
    meetings: list[MeetingIn] = field(default_factory=list)
    requests: list[RequestIn] = field(default_factory=list)
    deals: list[DealIn] = field(default_factory=list)
    orders: list[OrderIn] = field(default_factory=list)
    currency: str = "SEK"
    norms: TeamNorms | None = None
    #: Orders whose amount could not be converted to the company currency (left out of sums).
    unconverted: int = 0

    @cached_property
    def index(self) -> BookIndex:
        return BookIndex(self)


class BookIndex:
    """The book grouped by customer once (linear), so nothing later scans it per customer."""

    def __init__(self, book: Book) -> None:
        self.contacts: dict[str, list[ContactIn]] = defaultdict(list)
        self.contact_names: dict[str, str] = {}
        self.facts: dict[str, list[FactIn]] = defaultdict(list)
        self.meetings: dict[str, list[MeetingIn]] = defaultdict(list)
        self.requests: dict[str, list[RequestIn]] = defaultdict(list)
        self.deals: dict[str, list[DealIn]] = defaultdict(list)
        self.orders: dict[str, list[OrderIn]] = defaultdict(list)
        for c in book.contacts:
            self.contacts[c.customer].append(c)
            self.contact_names[c.ref] = c.name
        for f in book.facts:
            self.facts[f.customer].append(f)
        for m in book.meetings:
            self.meetings[m.customer].append(m)
        for lst in self.meetings.values():
            lst.sort(key=lambda m: m.start)
        for r in book.requests:
            self.requests[r.customer].append(r)
        for d in book.deals:
            self.deals[d.customer].append(d)
        for o in book.orders:
            self.orders[o.customer].append(o)
