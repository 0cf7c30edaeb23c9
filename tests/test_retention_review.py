"""The retention review from SQL (privacy/retention.py): the same contacts, dates and order as the
computation it replaced (every contact read and compared in Python), on a small book with the edge
cases; and the admin page shows one page of them whatever the number due."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.actions import contact_create, customer_create
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings.models import Meeting, MeetingRequest
from kanelbulle.privacy.jobs import retention_review
from kanelbulle.privacy.retention import Due, cutoff_of, due_for_review
from tests.cli import run
from tests.personas import Personas, logged_in

TODAY = dt.date(2026, 11, 24)
CUTOFF = cutoff_of(TODAY, 24)  # the first day still recent
BEFORE = CUTOFF - dt.timedelta(days=1)
counter = itertools.count()


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def reference(today: dt.date, months: int) -> list[Due]:
    """The computation the SQL replaced, kept here as the rule's reference (the whole book in Python)."""
    cutoff = today - dt.timedelta(days=round(months * 30.44))
    renewals = {
        r["ref"]: r["last"]
        for r in AuditEntry.objects.filter(kind="contact", action="retention_renewed")
        .values("ref")
        .annotate(last=Max("at"))
    }
    by_hand = set(AuditEntry.objects.filter(kind="contact", action="create").values_list("ref", flat=True))
    due = []
    for contact in Contact.objects.select_related("customer"):
        meetings = contact.meetings.aggregate(m=Max("start"))["m"]
        request = contact.requests.aggregate(m=Max("requested_at"))["m"]
        gift = contact.gifts.aggregate(m=Max("date"))["m"]
        entered = contact.created_at if contact.ref in by_hand else None
        dates = [d.date() for d in (meetings, request, renewals.get(contact.ref), entered) if d]
        dates += [gift] if gift else []
        last = max(dates) if dates else None
        if last is None:
            due.append(Due(contact, None, None))
        elif last < cutoff:
            due.append(Due(contact, last, (today - last).days))
    return sorted(due, key=lambda d: (d.idle_days is not None, -(d.idle_days or 0), d.contact.ref))


def imported(customer: Customer, ref: str, name: str) -> Contact:
    """A contact as an import leaves it: no ``create`` entry, so its entry date never counts."""
    return Contact.objects.create(ref=ref, customer=customer, name=name, lawful_basis="legitimate_interest")


def meeting(customer: Customer, user: object, start: dt.datetime, *contacts: Contact) -> None:
    m = Meeting.objects.create(ref=f"m-{next(counter)}", customer=customer, user=user, start=start)
    m.contacts.set(contacts)


def request(customer: Customer, contact: Contact, when: dt.datetime) -> None:
    MeetingRequest.objects.create(ref=f"r-{next(counter)}", customer=customer, contact=contact, requested_at=when)


def gift(customer: Customer, contact: Contact, user: object, day: dt.date) -> None:
    Gift.objects.create(
        ref=f"g-{next(counter)}", direction="given", customer=customer, contact=contact, user=user, date=day,
        description="Kanelbullar", category="food", value_amount=Decimal("150.00"), value_currency="SEK",
    )  # fmt: skip


def edge_book(personas: Personas) -> Customer:
    """One contact per way of being last touched, on both sides of the boundary day."""
    seller = personas.seller
    c = customer_create(seller, name="Umeå Trä AB", city="Umeå", country="SE")
    old = at(CUTOFF - dt.timedelta(days=400))
    imported(c, "p-none", "Ingen Alls")  # nothing at all: due, first
    gift_old, gift_edge = imported(c, "p-gift-old", "Gåva Före"), imported(c, "p-gift-edge", "Gåva Gränsen")
    meeting(c, seller, old, gift_old, gift_edge)
    gift(c, gift_old, seller, BEFORE)  # the gift is the last touch, a day too old: due
    gift(c, gift_edge, seller, CUTOFF)  # on the boundary day: not due
    req_old, req_edge = imported(c, "p-req-old", "Begäran Före"), imported(c, "p-req-edge", "Begäran Gränsen")
    request(c, req_old, at(BEFORE, 23, 59))
    request(c, req_edge, at(CUTOFF, 0, 0))
    meet_old, meet_edge = imported(c, "p-meet-old", "Möte Före"), imported(c, "p-meet-edge", "Möte Gränsen")
    meeting(c, seller, at(BEFORE, 23, 30), meet_old)  # 00:30 in Stockholm the next day; the UTC date counts
    meeting(c, seller, at(CUTOFF, 0, 0), meet_edge)
    both = imported(c, "p-both", "Båda Två")  # same last day as p-meet-old: the ref breaks the tie
    meeting(c, seller, at(BEFORE, 8), both)
    request(c, both, old)
    renewed, renewed_old = imported(c, "p-renewed", "Förnyad Nyss"), imported(c, "p-renewed-old", "Förnyad Förr")
    meeting(c, seller, old, renewed, renewed_old)
    AuditEntry.objects.create(action="retention_renewed", kind="contact", ref=renewed.ref)
    entry = AuditEntry.objects.create(action="retention_renewed", kind="contact", ref=renewed_old.ref)
    AuditEntry.objects.filter(pk=entry.pk).update(at=at(BEFORE - dt.timedelta(days=30)))
    contact_create(seller, c, name="För Hand", lawful_basis="consent")  # entered today: not due
    by_hand_old = contact_create(seller, c, name="För Hand Förr", lawful_basis="consent")
    Contact.objects.filter(pk=by_hand_old.pk).update(created_at=at(BEFORE - dt.timedelta(days=3)))
    imported(c, "p-imported-today", "Importerad Idag")  # entered today by an import: still due (no touch)
    return c


@pytest.mark.django_db
def test_the_sql_review_lists_what_the_old_computation_did(personas: Personas) -> None:
    edge_book(personas)
    got = [(d.contact.ref, d.last_interaction) for d in due_for_review(TODAY, 24)]
    assert got[:2] == [("p-imported-today", None), ("p-none", None)]
    assert ("p-gift-old", BEFORE) in got and ("p-req-old", BEFORE) in got and ("p-meet-old", BEFORE) in got
    assert got.index(("p-both", BEFORE)) < got.index(("p-gift-old", BEFORE))  # same day: by ref
    refs = {ref for ref, _ in got}
    assert not refs & {"p-gift-edge", "p-req-edge", "p-meet-edge", "p-renewed"}
    assert "p-renewed-old" in refs and any(d.contact.name == "För Hand Förr" for d in due_for_review(TODAY, 24))
    for today, months in itertools.product(
        [TODAY - dt.timedelta(days=1), TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=400)], [1, 24]
    ):
        fast = [(d.contact.ref, d.last_interaction, d.idle_days) for d in due_for_review(today, months)]
        slow = [(d.contact.ref, d.last_interaction, d.idle_days) for d in reference(today, months)]
        assert fast == slow, (today, months)


@pytest.mark.django_db
def test_the_command_and_the_daily_job_list_the_same_contacts(personas: Personas) -> None:
    edge_book(personas)
    expected = [d.contact.ref for d in reference(TODAY, 24)]
    listed = run("privacy", "retention", "--today", TODAY.isoformat(), "--json").json["due"]
    assert [d["contact"] for d in listed] == expected
    assert retention_review(TODAY.isoformat())["due"] == expected


def many_due(personas: Personas, n: int) -> Customer:
    c = customer_create(personas.seller, name="Luleå Stål AB", city="Luleå", country="SE")
    for i in range(n):
        meeting(c, personas.seller, at(BEFORE - dt.timedelta(days=i)), imported(c, f"p-{i:03}", f"Person {i:03}"))
    return c


@pytest.mark.django_db
def test_the_admin_page_shows_one_page_of_the_review(personas: Personas) -> None:
    many_due(personas, 60)
    admin = logged_in(personas.admin)
    first = admin.get("/privacy/", {"today": TODAY.isoformat()}).content.decode()
    assert "1–50 of 60" in first and "Person 059" in first and "Person 009" not in first  # longest idle first
    second = admin.get("/privacy/", {"today": TODAY.isoformat(), "page": "2"}).content.decode()
    assert "51–60 of 60" in second and "Person 009" in second and "Person 059" not in second
    for bad in ["x", "-3", "0"]:  # a bad page number opens page 1
        assert "1–50 of 60" in admin.get("/privacy/", {"today": TODAY.isoformat(), "page": bad}).content.decode()
    assert "51–60 of 60" in admin.get("/privacy/", {"today": TODAY.isoformat(), "page": "99"}).content.decode()


@pytest.mark.django_db
def test_the_review_page_asks_the_same_number_of_queries_for_10_or_60_due(personas: Personas) -> None:
    admin = logged_in(personas.admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get("/privacy/", {"today": TODAY.isoformat()}).status_code == 200
        return len(captured)

    many_due(personas, 10)
    ten = queries()
    Contact.objects.all().delete()
    Meeting.objects.all().delete()
    many_due(personas, 60)
    assert queries() == ten
