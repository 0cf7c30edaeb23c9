"""Every record kind is created, changed and deleted through the pages by those allowed to, and
bad input is refused next to the field, in the user's language, with the input kept and nothing
stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.deals.models import Deal, Order
from kanelbulle.meetings.models import Meeting, MeetingRequest
from tests.personas import Personas, logged_in
from tests.test_workspace_book import ANNA_UNSAID, Book, make_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas) -> Book:
    return make_book(personas)


def field_error(html: str, field: str) -> str:
    """The error text shown right after the named field (empty when there is none)."""
    start = html.index(f'id="id_{field}_errors"')
    return html[start : html.index("</div>", start)]


CUSTOMER = {
    "name": "Hälsingland Trä AB",
    "country": "SE",
    "city": "Hudiksvall",
    "lat": "61.73",
    "lon": "17.10",
    "potential": "medium",
    "visit_minutes": "60",
    "gift_max_currency": "SEK",
}


def test_a_seller_creates_edits_and_deletes_a_customer(personas: Personas) -> None:
    anna = logged_in(personas.seller)
    response = anna.post("/customers/new/", CUSTOMER | {"owner": str(personas.seller.pk)})
    customer = Customer.objects.get(name="Hälsingland Trä AB")
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.ref}/"
    assert customer.owner == personas.seller and customer.time_zone
    edit = CUSTOMER | {"owner": str(personas.seller.pk), "potential": "high", "version": str(customer.version)}
    assert anna.post(f"/customers/{customer.ref}/edit/", edit).status_code == 302
    customer.refresh_from_db()
    assert customer.potential == "high"
    stale = anna.post(f"/customers/{customer.ref}/edit/", edit | {"potential": "low", "version": "1"})
    assert stale.status_code == 409 and "Someone changed this record" in stale.content.decode()
    assert anna.post(f"/customers/{customer.ref}/delete/").status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_a_seller_cannot_hand_a_customer_to_someone_else(personas: Personas) -> None:
    anna = logged_in(personas.seller)
    response = anna.post("/customers/new/", CUSTOMER | {"owner": str(personas.other_seller.pk)})
    assert response.status_code == 400
    assert "owner" in response.content.decode() and not Customer.objects.exists()


def test_a_bad_customer_is_refused_next_to_the_field_and_kept(personas: Personas) -> None:
    anna = logged_in(personas.seller)
    bad = CUSTOMER | {"owner": str(personas.seller.pk), "country": "XX", "visit_minutes": "lots"}
    html = anna.post("/customers/new/", bad).content.decode()
    assert "XX is not a country code" in field_error(html, "country")
    assert "whole number" in field_error(html, "visit_minutes")
    assert 'value="Hälsingland Trä AB"' in html
    assert not Customer.objects.exists()


def test_form_errors_speak_swedish(personas: Personas) -> None:
    anna = logged_in(personas.seller)
    anna.post("/i18n/setlang/", {"language": "sv", "next": "/customers/new/"})
    response = anna.post("/customers/new/", CUSTOMER | {"owner": str(personas.seller.pk), "country": "XX", "name": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "XX är ingen landskod" in field_error(html, "country")
    assert "Detta fält måste fyllas i" in field_error(html, "name")
    assert not Customer.objects.exists()


def test_an_unknown_place_without_coordinates_is_refused_on_the_city(personas: Personas) -> None:
    anna = logged_in(personas.seller)
    data = CUSTOMER | {"owner": str(personas.seller.pk), "city": "Nowhereville", "lat": "", "lon": ""}
    html = anna.post("/customers/new/", data).content.decode()
    assert "Nowhereville" in field_error(html, "city")
    assert not Customer.objects.exists()


def test_people_and_facts(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    c = book.lulea.ref
    response = anna.post(
        f"/customers/{c}/contacts/new/",
        {"name": "Karin Nilsson", "lawful_basis": "consent", "email": "karin@example.com"},
    )
    assert response.status_code == 302
    karin = Contact.objects.get(name="Karin Nilsson")
    bad = anna.post(f"/customers/{c}/contacts/new/", {"name": "Nils", "lawful_basis": "consent", "email": "nope"})
    assert bad.status_code == 400 and "valid email" in field_error(bad.content.decode(), "email")
    assert not Contact.objects.filter(name="Nils").exists()
    # The two-tap fact: kind and text; source and date default.
    assert (
        anna.post(f"/customers/{c}/contacts/{karin.ref}/facts/", {"kind": "interest", "text": "Sails"}).status_code
        == 302
    )
    fact = Fact.objects.get(contact=karin)
    assert (fact.source, fact.learned) == ("contact", timezone.localdate())
    fragment = anna.post(
        f"/customers/{c}/contacts/{karin.ref}/facts/",
        {"kind": "pet", "text": "A cat called Sixten"},
        headers={"HX-Request": "true"},
    )
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert html.index("A cat called Sixten") < html.index("Sails")  # newest first
    empty = anna.post(f"/customers/{c}/contacts/{karin.ref}/facts/", {"kind": "pet", "text": ""})
    assert empty.status_code == 400 and Fact.objects.filter(contact=karin).count() == 2
    assert anna.post(f"/customers/{c}/facts/{fact.pk}/delete/").status_code == 302
    assert not Fact.objects.filter(pk=fact.pk).exists()
    edit = {"name": "Karin Nilsson-Berg", "lawful_basis": "consent", "version": str(karin.version)}
    assert anna.post(f"/customers/{c}/contacts/{karin.ref}/edit/", edit).status_code == 302
    karin.refresh_from_db()
    assert karin.name == "Karin Nilsson-Berg"
    assert anna.post(f"/customers/{c}/contacts/{karin.ref}/delete/").status_code == 302
    assert not Contact.objects.filter(pk=karin.pk).exists()


def test_facts_show_newest_first_beside_the_person(personas: Personas, book: Book) -> None:
    from kanelbulle.customers.actions import fact_add

    fact_add(None, book.li, kind="family", text="Daughter started school", learned=dt.date(2026, 8, 20))
    html = logged_in(personas.seller).get(f"/customers/{book.lulea.ref}/").content.decode()
    person = html[html.index(f'id="{book.li.ref}"') :]
    assert person.index("Daughter started school") < person.index("Two schnauzers")


LOG = {"start": "2026-11-20T10:00", "modality": "in_person", "duration_minutes": "90", "notes": "Coffee and buns"}


def test_logging_a_meeting_with_people_facts_and_an_honoured_request(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    form = anna.get("/customers/log/", {"customer": book.lulea.ref, "request": book.request.ref}).content.decode()
    assert 'value="in_person"' in form and "checked" in form and "Li Wei" in form
    data = LOG | {
        "customer": book.lulea.ref,
        "contacts": [str(book.li.pk)],
        "honours": str(book.request.pk),
        "unsaid": "Tired eyes",
        "fact_contact_1": str(book.li.pk),
        "fact_kind_1": "pet",
        "fact_text_1": "Max bit Moritz",
        "next_step": "Send the offer",
        "next_step_date": "2026-11-27",
    }
    response = anna.post("/customers/log/", data)
    assert response.status_code == 302
    meeting = Meeting.objects.get(notes="Coffee and buns")
    assert meeting.user == personas.seller and meeting.unsaid == "Tired eyes" and meeting.requested_by_customer
    assert list(meeting.contacts.all()) == [book.li]
    assert meeting.start == dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 10:00 in Stockholm
    assert Fact.objects.filter(contact=book.li, text="Max bit Moritz", kind="pet").exists()
    book.request.refresh_from_db()
    assert book.request.status == "honoured" and book.request.honoured_by == meeting
    page = anna.get(response["Location"].split("#")[0]).content.decode()
    assert "Coffee and buns" in page and "Max bit Moritz" in page and "Tired eyes" in page


def test_a_bad_meeting_is_refused_next_to_the_field_with_the_input_kept(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    data = LOG | {
        "customer": book.lulea.ref,
        "start": "yesterday-ish",
        "duration_minutes": "0",
        "unsaid": "keep me",
        "fact_text_1": "A fact without a person",
        "fact_contact_1": "999999",
    }
    response = anna.post("/customers/log/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "valid date/time" in field_error(html, "start")
    assert "greater than or equal to 1" in field_error(html, "duration_minutes")
    assert field_error(html, "fact_contact_1")
    assert "Coffee and buns" in html and "keep me" in html and "A fact without a person" in html
    assert not Meeting.objects.filter(notes="Coffee and buns").exists()


def test_the_log_page_finds_customers_without_javascript(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    html = anna.get("/customers/log/", {"q": "lulea"}).content.decode()
    assert f"/customers/log/?customer={book.lulea.ref}" in html
    # Without JavaScript the search is a plain GET form; no select of every customer (issue 15).
    assert 'name="q"' in html and '<select id="id_customer"' not in html


def test_meetings_are_edited_and_deleted_by_author_or_manager(personas: Personas, book: Book) -> None:
    c, m = book.lulea.ref, book.anna_meeting
    anna = logged_in(personas.seller)
    data = {
        "start": "2026-10-01T09:30",
        "modality": "video",
        "duration_minutes": "30",
        "notes": "Changed",
        "unsaid": "New private",
        "version": str(m.version),
    }
    assert anna.post(f"/customers/{c}/meetings/{m.ref}/edit/", data).status_code == 302
    m.refresh_from_db()
    assert (m.modality, m.notes, m.unsaid) == ("video", "Changed", "New private")
    manager = logged_in(personas.manager)
    data = data | {"notes": "By the manager", "unsaid": "overwrite attempt", "version": str(m.version)}
    assert manager.post(f"/customers/{c}/meetings/{m.ref}/edit/", data).status_code == 302
    m.refresh_from_db()
    assert m.notes == "By the manager" and m.unsaid == "New private"
    bertil = logged_in(personas.other_seller)
    assert bertil.post(f"/customers/{c}/meetings/{m.ref}/delete/").status_code == 403
    assert anna.post(f"/customers/{c}/meetings/{m.ref}/delete/").status_code == 302
    assert not Meeting.objects.filter(pk=m.pk).exists()


def test_meeting_requests_are_recorded_and_declined(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    a_month_ago = timezone.localtime() - dt.timedelta(days=30)
    c = book.lulea.ref
    assert (
        anna.post(
            f"/customers/{c}/requests/new/",
            {"contact": str(book.li.pk), "requested_at": f"{a_month_ago:%Y-%m-%d}T08:00"},
        ).status_code
        == 302
    )
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    future = anna.post(f"/customers/{c}/requests/new/", {"requested_at": f"{tomorrow:%Y-%m-%dT%H:%M}"})
    assert future.status_code == 400 and "future" in field_error(future.content.decode(), "requested_at")
    assert MeetingRequest.objects.filter(customer=book.lulea).count() == 2
    assert anna.post(f"/customers/{c}/requests/{book.request.ref}/decline/").status_code == 302
    book.request.refresh_from_db()
    assert book.request.status == "declined"
    again = anna.post(f"/customers/{c}/requests/{book.request.ref}/decline/")
    assert again.status_code == 409


def test_deals_move_through_their_stages(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    c = book.lulea.ref
    data = {
        "title": "Autumn rails",
        "value_amount": "250000",
        "value_currency": "SEK",
        "stage": "open",
        "created": (timezone.localdate() - dt.timedelta(days=90)).isoformat(),
        "probability_pct": "40",
    }
    assert anna.post(f"/customers/{c}/deals/new/", data).status_code == 302
    deal = Deal.objects.get(title="Autumn rails")
    bad = anna.post(
        f"/customers/{c}/deals/new/", data | {"title": "Bad", "value_currency": "SEKK", "value_amount": "x"}
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and field_error(html, "value_currency") and field_error(html, "value_amount")
    assert not Deal.objects.filter(title="Bad").exists()
    won = anna.post(
        f"/customers/{c}/deals/{deal.ref}/stage/",
        {"stage": "won", "version": str(deal.version), "next": "/customers/deals/"},
    )
    assert won.status_code == 302 and won["Location"] == "/customers/deals/"
    deal.refresh_from_db()
    assert deal.stage == "won" and deal.closed == timezone.localdate()
    early = anna.post(
        f"/customers/{c}/deals/{deal.ref}/edit/",
        data
        | {
            "stage": "lost",
            "closed": (timezone.localdate() - dt.timedelta(days=200)).isoformat(),
            "version": str(deal.version),
        },
    )
    assert early.status_code == 400 and "before it was created" in field_error(early.content.decode(), "closed")
    assert anna.post(f"/customers/{c}/deals/{deal.ref}/delete/").status_code == 302
    assert not Deal.objects.filter(pk=deal.pk).exists()


def test_orders_are_recorded_changed_and_deleted(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    c = book.lulea.ref
    assert (
        anna.post(
            f"/customers/{c}/orders/new/", {"date": "2026-11-02", "value_amount": "5000.50", "value_currency": "NOK"}
        ).status_code
        == 302
    )
    order = Order.objects.get(value_currency="NOK")
    assert str(order.value_amount) == "5000.50"
    edit = {"date": "2026-11-03", "value_amount": "6000", "value_currency": "NOK", "version": str(order.version)}
    assert anna.post(f"/customers/{c}/orders/{order.ref}/edit/", edit).status_code == 302
    bad = anna.post(f"/customers/{c}/orders/new/", {"date": "not a date", "value_amount": "1", "value_currency": "SEK"})
    assert bad.status_code == 400 and field_error(bad.content.decode(), "date")
    assert anna.post(f"/customers/{c}/orders/{order.ref}/delete/").status_code == 302
    assert not Order.objects.filter(pk=order.pk).exists()


def test_the_manager_changes_the_teams_records_but_never_reads_the_unsaid(personas: Personas, book: Book) -> None:
    manager = logged_in(personas.manager)
    c = book.lulea.ref
    assert (
        manager.post(
            f"/customers/{c}/contacts/{book.li.ref}/facts/", {"kind": "date", "text": "Birthday 3 May"}
        ).status_code
        == 302
    )
    html = manager.get(f"/customers/{c}/").content.decode()
    assert "Birthday 3 May" in html and ANNA_UNSAID not in html and "Edit customer" in html
