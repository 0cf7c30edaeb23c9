"""Editing a gift in the browser: who may, the check run again, a dropped approval said out loud,
errors next to their field in the user's language, and a voided gift left as it was."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kanelbulle.customers.models import Customer
from kanelbulle.gifts.actions import approve_gift, parse_input, record_gift, void_gift
from kanelbulle.gifts.models import Gift
from tests.gifts_helpers import DAY, FAST_HASHERS, gift_book
from tests.personas import Personas, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def book(personas: Personas) -> Customer:
    return gift_book(personas.seller)


def gift_of(personas: Personas, amount: str = "250.00", direction: str = "given") -> Gift:
    data = parse_input(
        None, customer="c-lulea-1", contact="p-1", amount=amount, currency="SEK", description="Cookies",
        category="food", date=DAY.isoformat(), direction=direction, occasion="christmas",
    )  # fmt: skip
    gift, _check = record_gift(None, data, user=personas.seller)
    return gift


def body(gift: Gift, **kw: str) -> dict[str, str]:
    gift.refresh_from_db()
    out = {
        "direction": gift.direction,
        "contact": gift.contact.ref if gift.contact else "",
        "description": gift.description,
        "category": gift.category,
        "occasion": gift.occasion,
        "amount": str(gift.value_amount),
        "currency": gift.value_currency,
        "date": gift.date.isoformat(),
        "version": str(gift.version),
        "action": "save",
    }
    out.update(kw)
    return out


def snapshot(gift: Gift) -> tuple[Any, ...]:
    g = Gift.objects.get(pk=gift.pk)
    return (g.description, g.value_amount, g.occasion, g.verdict, g.approved_at, g.version, g.voided_at)


def field_errors(html: str, name: str) -> str:
    """The error text shown inside the field block of ``name`` (empty when none)."""
    m = re.search(rf'id="id_{name}_errors"[^>]*>(.*?)</div>', html, re.S)
    return m.group(1) if m else ""


def test_the_owner_edits_a_gift_from_its_page(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas)
    anna = logged_in(personas.seller)
    assert f'href="/gifts/{gift.ref}/edit/"' in anna.get(f"/gifts/{gift.ref}/").content.decode()
    page = anna.get(f"/gifts/{gift.ref}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Cookies"' in html and 'value="250.00"' in html and 'value="christmas"' in html
    r = anna.post(f"/gifts/{gift.ref}/edit/", body(gift, description="Cinnamon buns", occasion="midsummer"))
    assert r.status_code == 302 and r["Location"] == f"/gifts/{gift.ref}/"
    gift.refresh_from_db()
    assert (gift.description, gift.occasion, gift.verdict) == ("Cinnamon buns", "midsummer", "ok")
    detail = anna.get(f"/gifts/{gift.ref}/").content.decode()
    assert "Saved" in detail and "Cookies → Cinnamon buns" in detail  # the history shows the change


def test_a_change_that_drops_the_approval_says_so(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas, amount="312.00")  # over our 300 per gift: ask
    approve_gift(personas.manager, gift)
    anna = logged_in(personas.seller)
    assert "drops this approval" in anna.get(f"/gifts/{gift.ref}/edit/").content.decode()
    r = anna.post(f"/gifts/{gift.ref}/edit/", body(gift, amount="320.00"), follow=True)
    gift.refresh_from_db()
    assert gift.approved_at is None and gift.verdict == "ask" and gift.status == "pending"
    assert "dropped the earlier approval" in r.content.decode()


def test_the_manager_may_edit_a_teammate_may_only_look_and_another_team_sees_nothing(
    book: Customer, personas: Personas, client: Client
) -> None:
    gift = gift_of(personas)
    before = snapshot(gift)
    url = f"/gifts/{gift.ref}/edit/"
    bertil, olle = logged_in(personas.other_seller), logged_in(personas.outsider)
    assert bertil.get(f"/gifts/{gift.ref}/").status_code == 200
    assert url not in bertil.get(f"/gifts/{gift.ref}/").content.decode()
    assert bertil.get(url).status_code == 403
    assert bertil.post(url, body(gift, description="Bertil's")).status_code == 403
    assert olle.get(url).status_code == 404
    assert olle.post(url, body(gift, description="Olle's")).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/?next=")
    assert client.post(url, body(gift, description="Nobody's")).status_code == 302
    assert snapshot(gift) == before
    for user in (personas.manager, personas.admin):
        r = logged_in(user).post(url, body(gift, occasion=f"by {user.username}"))
        assert r.status_code == 302
    gift.refresh_from_db()
    assert gift.occasion == "by adam"


def test_bad_input_is_shown_next_to_its_field_and_kept(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas)
    before = snapshot(gift)
    anna = logged_in(personas.seller)
    r = anna.post(
        f"/gifts/{gift.ref}/edit/",
        body(gift, amount="12,345.6.7", currency="XYZ", description="", date="2025-13-45", occasion="New year"),
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "12,345.6.7 is not an amount" in field_errors(html, "amount")
    assert "XYZ is not an ISO 4217 currency code" in field_errors(html, "currency")
    assert field_errors(html, "description") and field_errors(html, "date")
    assert not field_errors(html, "occasion")
    assert 'value="12,345.6.7"' in html and 'value="New year"' in html  # what was typed is kept
    assert snapshot(gift) == before


def test_errors_come_in_swedish_for_a_swedish_user(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas)
    anna = logged_in(personas.seller)
    anna.post("/i18n/setlang/", {"language": "sv", "next": "/home/"})
    r = anna.post(f"/gifts/{gift.ref}/edit/", body(gift, amount="mycket", description=""))
    assert r.status_code == 400
    html = r.content.decode()
    assert "mycket är inte ett belopp" in field_errors(html, "amount")
    assert "måste fyllas i" in field_errors(html, "description")
    assert "Spara ändringen" in html


def test_a_received_gift_in_the_future_is_refused_at_its_date(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas, direction="received")
    before = snapshot(gift)
    r = logged_in(personas.seller).post(f"/gifts/{gift.ref}/edit/", body(gift, date="2199-01-01"))
    assert r.status_code == 400
    assert "cannot be dated in the future" in field_errors(r.content.decode(), "date")
    assert snapshot(gift) == before


def test_a_change_the_check_says_no_to_is_not_saved(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas)
    before = snapshot(gift)
    r = logged_in(personas.seller).post(f"/gifts/{gift.ref}/edit/", body(gift, description="A gift card for the spa"))
    assert r.status_code == 400
    html = r.content.decode()
    assert "the change was not saved" in html and "cash_equivalent" in html
    assert 'value="A gift card for the spa"' in html
    assert snapshot(gift) == before


def test_check_only_shows_the_verdict_without_saving(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas)
    before = snapshot(gift)
    r = logged_in(personas.seller).post(f"/gifts/{gift.ref}/edit/", body(gift, amount="400.00", action="check"))
    assert r.status_code == 200
    assert "Needs a manager" in r.content.decode() and "over_our_limit" in r.content.decode()
    assert snapshot(gift) == before


def test_an_edit_from_a_stale_page_is_refused(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas)
    anna = logged_in(personas.seller)
    stale = body(gift, description="Old idea")
    assert anna.post(f"/gifts/{gift.ref}/edit/", body(gift, description="New idea")).status_code == 302
    r = anna.post(f"/gifts/{gift.ref}/edit/", stale)
    assert r.status_code == 409
    assert "Someone changed this gift" in r.content.decode()
    gift.refresh_from_db()
    assert gift.description == "New idea"


def test_a_voided_gift_cannot_be_edited_and_the_page_says_why(book: Customer, personas: Personas) -> None:
    gift = gift_of(personas)
    void_gift(personas.seller, gift, "entered twice")
    before = snapshot(gift)
    anna = logged_in(personas.seller)
    assert f"/gifts/{gift.ref}/edit/" not in anna.get(f"/gifts/{gift.ref}/").content.decode()
    for r in (
        anna.get(f"/gifts/{gift.ref}/edit/"),
        anna.post(f"/gifts/{gift.ref}/edit/", body(gift, description="Revived")),
    ):
        assert r.status_code == 409
        assert "is voided and cannot be edited" in r.content.decode()
    assert snapshot(gift) == before
