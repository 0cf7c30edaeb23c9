"""A small book of business for the workspace tests, made through the actions (as the operator).

Anna (north) owns Norrbotten Stål in Luleå, with Li Wei and his schnauzers, a meeting whose
unsaid is hers alone, an open request, a deal and an order. Bertil (north) owns a customer in
Trollhättan with a meeting of his own; Olle (south) owns one in Malmö that North never sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kanelbulle.core.money import Money
from kanelbulle.customers import actions as customers
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.deals import actions as deals
from kanelbulle.deals.models import Deal, Order
from kanelbulle.meetings import actions as meetings
from kanelbulle.meetings.models import Meeting, MeetingRequest
from tests.personas import Personas

ANNA_UNSAID = "He seemed worried about the new owners"
BERTIL_UNSAID = "Bertil's private hunch about the budget"


@dataclass
class Book:
    lulea: Customer
    li: Contact
    anna_meeting: Meeting
    request: MeetingRequest
    deal: Deal
    order: Order
    troll: Customer
    bertil_meeting: Meeting
    malmo: Customer
    olle_meeting: Meeting


def make_book(p: Personas) -> Book:
    now = timezone.now()
    lulea = customers.customer_create(
        None,
        name="Norrbotten Stål AB",
        country="SE",
        city="Luleå",
        lat=65.5848,
        lon=22.1547,
        time_zone="Europe/Stockholm",
        owner=p.seller,
        potential="high",
    )
    li = customers.contact_create(None, lulea, name="Li Wei", title="CEO", lawful_basis="legitimate_interest")
    customers.fact_add(None, li, kind="pet", text="Two schnauzers: Max and Moritz", learned=dt.date(2025, 12, 18))
    anna_meeting = meetings.log_meeting(
        p.seller,
        lulea,
        start=now - dt.timedelta(days=40),
        contacts=[li],
        notes="Talked about the spring order",
        unsaid=ANNA_UNSAID,
    )
    request = meetings.request_open(None, lulea, contact=li, requested_at=now - dt.timedelta(days=20))
    deal = deals.deal_create(None, lulea, seller=p.seller, title="Spring steel", value=Money(Decimal("1234.50"), "SEK"))
    order = deals.order_create(None, lulea, date=dt.date(2026, 1, 5), value=Money(Decimal("8000.00"), "EUR"))
    troll = customers.customer_create(
        None,
        name="Trollhättan Verk",
        country="SE",
        city="Trollhättan",
        lat=58.2837,
        lon=12.2886,
        time_zone="Europe/Stockholm",
        owner=p.other_seller,
        potential="low",
    )
    customers.contact_create(None, troll, name="Eva Öberg", lawful_basis="consent")
    bertil_meeting = meetings.log_meeting(
        p.other_seller, troll, start=now - dt.timedelta(days=3), modality="video", unsaid=BERTIL_UNSAID
    )
    malmo = customers.customer_create(
        None,
        name="Malmö Mek",
        country="SE",
        city="Malmö",
        lat=55.605,
        lon=13.0038,
        time_zone="Europe/Stockholm",
        owner=p.outsider,
        public_sector=True,
    )
    olle_meeting = meetings.log_meeting(p.outsider, malmo, start=now - dt.timedelta(days=2), unsaid="Olle's own")
    return Book(lulea, li, anna_meeting, request, deal, order, troll, bertil_meeting, malmo, olle_meeting)
