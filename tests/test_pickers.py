"""Choosing a customer on the meeting log's first step and on the gift form: by search and from a
few of one's own customers, never from a list of the whole book; without JavaScript too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kanelbulle.customers import actions as customers
from kanelbulle.customers.actions import OWN_SHOWN
from kanelbulle.gifts.models import Gift
from tests.gifts_helpers import rates
from tests.personas import Personas, logged_in
from tests.test_workspace_book import Book, make_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas) -> Book:
    return make_book(personas)


def html(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def many_of_annas(personas: Personas, n: int) -> None:
    for i in range(n):
        customers.customer_create(
            None, name=f"Anna Kund {i:02d}", country="SE", city="Luleå", lat=65.58, lon=22.15, owner=personas.seller
        )


def test_the_log_page_offers_a_few_own_customers_and_says_how_to_find_the_rest(personas: Personas, book: Book) -> None:
    many_of_annas(personas, 20)
    page = html(logged_in(personas.seller), "/customers/log/")
    assert "<select" not in page  # no list of every customer
    assert len(re.findall(r"/customers/log/\?customer=", page)) == OWN_SHOWN
    assert "of your 21 customers" in page
    assert "Trollhättan Verk" not in page and "Malmö Mek" not in page  # a colleague's, another team's


def test_the_log_page_finds_customers_without_javascript(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    page = html(anna, "/customers/log/", q="lulea")
    assert f"/customers/log/?customer={book.lulea.ref}" in page
    assert "No customer matches." in html(anna, "/customers/log/", q="malmo")  # another team's: not found
    empty = html(anna, "/customers/log/", q="   ")
    assert "No customer matches." not in empty and "Norrbotten Stål AB" in empty  # her own, as a quick link
    admin = html(logged_in(personas.admin), "/customers/log/")
    assert "Norrbotten" not in admin and "Malmö" not in admin  # an admin owns none: nothing listed


def test_the_gift_form_finds_the_customer_by_search_without_javascript(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    first = html(anna, "/gifts/new/")
    assert 'name="customer" value=""' in first and "Li Wei" not in first
    assert "Trollhättan" not in first and "Malmö" not in first
    found = html(anna, "/gifts/new/", q="schnauzers")  # a fact finds the company
    assert f"/gifts/new/?customer={book.lulea.ref}" in found
    suggested = html(anna, "/customers/suggest/", q="lulea", **{"for": "gift"})
    assert f"/gifts/new/?customer={book.lulea.ref}" in suggested
    chosen = html(anna, "/gifts/new/", customer=book.lulea.ref)
    assert f'name="customer" value="{book.lulea.ref}"' in chosen and "Norrbotten Stål AB" in chosen
    assert f'<option value="{book.li.ref}"' in chosen  # her people, and only hers
    assert "Eva Öberg" not in chosen


def test_a_customer_the_user_may_not_see_is_treated_as_unknown(personas: Personas, book: Book) -> None:
    rates()
    anna = logged_in(personas.seller)
    hidden = html(anna, "/gifts/new/", customer=book.malmo.ref)
    unknown = html(anna, "/gifts/new/", customer="c-nobody")
    assert "Malmö Mek" not in hidden and 'name="customer" value=""' in hidden
    assert hidden.replace(book.malmo.ref, "X") == unknown.replace("c-nobody", "X").replace(
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', unknown)[1],  # type: ignore[index]
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', hidden)[1],  # type: ignore[index]
    )
    form = {"direction": "given", "description": "Cookies", "category": "food", "amount": "100", "currency": "SEK"}
    for ref in (book.malmo.ref, "c-nobody"):
        refused = anna.post("/gifts/new/", {**form, "customer": ref, "action": "record"})
        assert refused.status_code == 400
        assert f"no customer with ref {ref}" in refused.content.decode()
        assert "Malmö Mek" not in refused.content.decode()
    assert Gift.objects.count() == 0


def test_an_empty_or_unmatched_gift_search_lists_nobody(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    assert "No customer matches." in html(anna, "/gifts/new/", q="zzz")
    blank = html(anna, "/gifts/new/", q="")
    assert "No customer matches." not in blank
    assert "Norrbotten Stål AB" in blank  # her own, as a quick link
