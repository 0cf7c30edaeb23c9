"""The gift pages: register with filters and totals, the form and its live check, approve, void,
CSV and print, the policy page; who may do what."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from kanelbulle.customers.models import Customer
from kanelbulle.gifts.actions import parse_input, record_gift
from kanelbulle.gifts.models import Gift, GiftPolicy
from tests.gifts_helpers import DAY, FAST_HASHERS, gift_book
from tests.personas import Personas, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def book(personas: Personas) -> Customer:
    return gift_book(personas.seller)


def form(**kw: str) -> dict[str, str]:
    out = {
        "customer": "c-lulea-1",
        "contact": "p-1",
        "direction": "given",
        "date": DAY.isoformat(),
        "description": "Chocolate and butter cookies",
        "category": "food",
        "amount": "250.00",
        "currency": "SEK",
        "occasion": "christmas",
        "action": "record",
    }
    out.update(kw)
    return out


def test_anonymous_visitors_go_to_the_login_page(client: Client) -> None:
    for path in ("/gifts/", "/gifts/new/", "/gifts/policy/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/?next=")


def test_record_approve_and_find_it_in_the_register(book: Customer, personas: Personas) -> None:
    anna = logged_in(personas.seller)
    r = anna.post("/gifts/new/", form(amount="312.00"))
    assert r.status_code == 302
    gift = Gift.objects.get()
    assert gift.status == "pending"
    page = anna.get(f"/gifts/{gift.ref}/").content.decode()
    assert "over_our_limit" in page and "SEK\xa0312 is above our limit" in page
    assert "/approve/" not in page  # a seller gets no approve button
    assert anna.post(f"/gifts/{gift.ref}/approve/").status_code == 403
    maria = logged_in(personas.manager)
    assert "/approve/" in maria.get(f"/gifts/{gift.ref}/").content.decode()
    assert maria.post(f"/gifts/{gift.ref}/approve/", {"note": "anniversary"}).status_code == 302
    gift.refresh_from_db()
    assert gift.approved_by == personas.manager
    register = maria.get("/gifts/", {"from": "2024-01-01", "to": "2024-12-31", "customer": "c-lulea-1"})
    html = register.content.decode()
    assert "Chocolate and butter cookies" in html and "Maria Lind" in html and "v1" in html


def test_a_stored_reason_is_written_in_the_readers_language(book: Customer, personas: Personas) -> None:
    anna = logged_in(personas.seller)
    assert anna.post("/gifts/new/", form(amount="312.00"), headers={"Accept-Language": "en"}).status_code == 302
    gift = Gift.objects.get()
    assert gift.reasons[0]["message"].startswith("SEK\xa0312 is above our limit")  # checked in English
    swedish = anna.get(f"/gifts/{gift.ref}/", headers={"Accept-Language": "sv"}).content.decode()
    assert "312\xa0kr är över vår gräns på 300\xa0kr per gåva" in swedish and "is above our limit" not in swedish
    english = anna.get(f"/gifts/{gift.ref}/", headers={"Accept-Language": "en"}).content.decode()
    assert "SEK\xa0312 is above our limit of SEK\xa0300" in english
    api = anna.get(f"/api/v1/gifts/{gift.ref}", headers={"Accept-Language": "sv"}).json()
    assert api["reasons"] == [{"code": "over_our_limit", "message": next(iter(_reasons_sv(swedish)))}]


def test_stored_etiquette_advice_is_written_in_the_readers_language(book: Customer, personas: Personas) -> None:
    Customer.objects.filter(pk=book.pk).update(country="CN")
    anna = logged_in(personas.seller)
    recorded = anna.post(
        "/gifts/new/",
        form(description="Table clock", category="object", amount="100.00"),
        headers={"Accept-Language": "en"},
    )
    assert recorded.status_code == 302
    gift = Gift.objects.get()
    assert "deathbed" in next(e["message"] for e in gift.etiquette if e["code"] == "cn_clock")  # given in English
    swedish = anna.get(f"/gifts/{gift.ref}/", headers={"Accept-Language": "sv"}).content.decode()
    assert "låter som att vaka vid en dödsbädd" in swedish and "deathbed" not in swedish
    api = anna.get(f"/api/v1/gifts/{gift.ref}", headers={"Accept-Language": "sv"}).json()
    assert "dödsbädd" in next(e["message"] for e in api["etiquette"] if e["code"] == "cn_clock")


def _reasons_sv(page: str) -> list[str]:
    import re

    return [m.strip() for m in re.findall(r"<code>over_our_limit</code>([^<]*)</li>", page)]


def test_a_refused_gift_shows_the_reasons_and_is_not_stored(book: Customer, personas: Personas) -> None:
    Customer.objects.filter(pk=book.pk).update(public_sector=True)
    r = logged_in(personas.seller).post("/gifts/new/", form(amount="150.00"))
    assert r.status_code == 400
    assert "public_sector" in r.content.decode() and "not recorded" in r.content.decode()
    assert Gift.objects.count() == 0


def test_bad_input_is_shown_and_nothing_stored(book: Customer, personas: Personas) -> None:
    r = logged_in(personas.seller).post("/gifts/new/", form(amount="-3", currency="XXY"))
    assert r.status_code == 400
    html = r.content.decode()
    assert "must not be negative" in html and "ISO 4217" in html
    assert Gift.objects.count() == 0


def test_check_only_without_javascript_and_the_live_preview(book: Customer, personas: Personas) -> None:
    Customer.objects.filter(pk=book.pk).update(country="CN")
    anna = logged_in(personas.seller)
    r = anna.post("/gifts/new/", form(action="check", description="Table clock"))
    assert r.status_code == 200 and "deathbed" in r.content.decode()
    preview = anna.post("/gifts/check/", form(description="Bordsklocka", amount="100"), HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert 'id="verdict"' in preview.content.decode() and "deathbed" in preview.content.decode()
    assert Gift.objects.count() == 0


def test_void_keeps_the_gift_and_a_colleague_cannot(book: Customer, personas: Personas) -> None:
    gift, _ = record_gift(
        personas.seller,
        parse_input(personas.seller, customer="c-lulea-1", amount="100", currency="SEK", description="Cake", date=DAY),
    )
    assert logged_in(personas.other_seller).post(f"/gifts/{gift.ref}/void/", {"reason": "x"}).status_code == 403
    assert logged_in(personas.seller).post(f"/gifts/{gift.ref}/void/", {"reason": "Entered twice"}).status_code == 302
    gift.refresh_from_db()
    assert gift.void_reason == "Entered twice"
    page = logged_in(personas.manager).get(f"/gifts/{gift.ref}/").content.decode()
    assert "Entered twice" in page and "void" in page


def test_the_outsider_sees_nothing(book: Customer, personas: Personas) -> None:
    gift, _ = record_gift(
        personas.seller,
        parse_input(personas.seller, customer="c-lulea-1", amount="100", currency="SEK", description="Cake", date=DAY),
    )
    olle = logged_in(personas.outsider)
    assert olle.get(f"/gifts/{gift.ref}/").status_code == 404
    assert "Cake" not in olle.get("/gifts/", {"from": "2024-01-01", "to": "2024-12-31"}).content.decode()


def test_csv_and_printable_report(book: Customer, personas: Personas) -> None:
    record_gift(
        personas.seller,
        parse_input(personas.seller, customer="c-lulea-1", amount="100", currency="SEK", description="Cake", date=DAY),
    )
    anna = logged_in(personas.seller)
    r = anna.get("/gifts/report.csv", {"from": "2024-12-01", "to": "2024-12-31"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert rows[0]["description"] == "Cake" and rows[-1]["row"] == "total"
    # The CSV is for machines: a plain decimal and its currency, in either language.
    assert (rows[0]["amount"], rows[0]["currency"]) == ("100.00", "SEK")
    page = anna.get("/gifts/report/", {"from": "2024-12-01", "to": "2024-12-31"}).content.decode()
    assert "Cake" in page and "Per seller" in page
    assert "SEK\xa0100" in page and "100.00" not in page  # pages: the one formatter
    swedish = anna.get("/gifts/report/", {"from": "2024-12-01", "to": "2024-12-31"}, headers={"Accept-Language": "sv"})
    assert "100\xa0kr" in swedish.content.decode() and "SEK\xa0100" not in swedish.content.decode()
    register = anna.get("/gifts/", {"from": "2024-12-01", "to": "2024-12-31"}, headers={"Accept-Language": "sv"})
    assert "100\xa0kr" in register.content.decode()


def test_the_policy_page_makes_a_new_version_for_admins_only(book: Customer, personas: Personas) -> None:
    GiftPolicy.current()
    assert logged_in(personas.manager).post("/gifts/policy/", {"per_gift_limit": "1"}).status_code == 403
    adam = logged_in(personas.admin)
    data = {"per_gift_limit": "250.00", "per_recipient_year_limit": "1000.00", "public_sector_token": "100.00",
            "never_categories": ["cash_equivalent"], "note": "stricter"}  # fmt: skip
    assert adam.post("/gifts/policy/", data).status_code == 302
    assert GiftPolicy.current().version == 2
    bad = adam.post("/gifts/policy/", data | {"per_gift_limit": "abc"})
    assert bad.status_code == 400 and GiftPolicy.current().version == 2
    assert "stricter" in adam.get("/gifts/policy/").content.decode()
