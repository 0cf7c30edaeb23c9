"""One rule for a deal's, order's or gift's value on every way in (core/values.py): not negative
(an order may be: a credit note), and in a currency the company has rates for. Each way in names
the field; nothing is stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kanelbulle.accounts.models import ApiToken
from kanelbulle.connectors.crm_csv import import_csv_data
from kanelbulle.core.values import value_problems
from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Order, Stage
from kanelbulle.exchange.importer import ImportProblems, import_document
from kanelbulle.gifts.models import Gift
from tests.personas import Personas

pytestmark = pytest.mark.django_db
NEGATIVE = "must not be negative"
NO_RATES = "the company has no exchange rates for this currency"


@pytest.fixture
def lulea(personas: Personas) -> Customer:
    return Customer.objects.create(
        ref="c-lulea-1", name="Norrbotten Stål AB", country="SE", city="Luleå", lat=65.58, lon=22.15,
        time_zone="Europe/Stockholm", owner=personas.seller,
    )  # fmt: skip


def api(personas: Personas) -> Client:
    token = ApiToken.issue(personas.seller)[1]
    return Client(headers={"authorization": f"Bearer {token}"})


def errors(response: Any) -> dict[str, str]:
    return {e["path"]: e["message"] for e in response.json()["errors"]}


def test_the_rule() -> None:
    assert value_problems(Decimal("-5.00"), "SEK") == [("amount", NEGATIVE)]
    assert value_problems(Decimal("-2000.00"), "SEK", credit=True) == []
    assert value_problems(Decimal("5.00"), "USD") == []  # the ECB publishes it: rates can be loaded
    for code in ("XXX", "XTS", "XAU"):
        [(part, message)] = value_problems(Decimal("5.00"), code)
        assert part == "currency" and code in message and NO_RATES in message


# -- a negative deal --------------------------------------------------------------------------


def test_the_api_refuses_a_negative_deal_on_post_and_patch(personas: Personas, lulea: Customer) -> None:
    client = api(personas)
    body = {"customer": lulea.ref, "title": "Credit?", "value": {"amount": "-5.00", "currency": "SEK"}}
    response = client.post("/api/v1/deals", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert errors(response) == {"value.amount": NEGATIVE}
    assert not Deal.objects.exists()
    body["value"]["amount"] = "5.00"  # type: ignore[index]
    ref = client.post("/api/v1/deals", body, content_type="application/json").json()["ref"]
    patch = {"value": {"amount": "-5.00", "currency": "SEK"}, "version": 1}
    response = client.patch(f"/api/v1/deals/{ref}", patch, content_type="application/json")
    assert response.status_code == 422 and errors(response) == {"value.amount": NEGATIVE}
    assert Deal.objects.get(ref=ref).value_amount == Decimal("5.00")


def test_the_deal_form_refuses_a_negative_value_next_to_the_field(personas: Personas, lulea: Customer) -> None:
    client = Client()
    client.force_login(personas.seller)
    form = {"title": "Credit?", "value_amount": "-5", "value_currency": "SEK", "stage": "open", "created": "2026-11-02"}
    response = client.post(f"/customers/{lulea.ref}/deals/new/", form)
    assert response.status_code == 400
    assert response.context["form"].errors == {"value_amount": [NEGATIVE]}
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("preset", "header", "row", "column"),
    [
        (
            "pipedrive",
            "Deal - ID;Deal - Title;Deal - Organization;Deal - Value;Deal - Currency;Deal - Status",
            "301;Credit;Norrbotten Stål AB;-5 000,00;SEK;open",
            "Deal - Value",
        ),
        (
            "hubspot",
            "Record ID,Deal Name,Deal Stage,Amount,Associated Company",
            "7001,Credit,appointmentscheduled,-5000,Norrbotten Stål AB",
            "Amount",
        ),
        (
            "salesforce",
            '"Opportunity ID","Opportunity Name","Account Name","Amount Currency","Amount","Stage"',
            '"0065g1","Credit","Norrbotten Stål AB","SEK","-5,000.00","Prospecting"',
            "Amount",
        ),
    ],
)
def test_each_csv_preset_refuses_a_negative_deal_naming_the_column(
    personas: Personas, lulea: Customer, preset: str, header: str, row: str, column: str
) -> None:
    report = import_csv_data(f"{header}\n{row}\n".encode(), preset, actor=personas.seller)
    assert report.problems == [("line 2", f"{column}: {NEGATIVE}")]
    assert not report.stored and not Deal.objects.exists()


def book(value: dict[str, str], kind: str = "deals") -> dict[str, Any]:
    record: dict[str, Any] = {"ref": "x-1", "customer": "c-lulea-1", "value": value}
    if kind == "deals":
        record |= {"user": "anna", "title": "Credit?", "stage": "open", "created": "2026-11-02"}
    elif kind == "orders":
        record |= {"date": "2026-11-02"}
    else:
        record |= {"user": "anna", "direction": "given", "date": "2026-11-02", "description": "Buns",
                   "category": "food"}  # fmt: skip
    return {"format": "kanelbulle/1", kind: [record]}


def test_the_exchange_importer_refuses_a_negative_deal_and_gift_but_takes_a_credit_note(
    personas: Personas, lulea: Customer
) -> None:
    for kind in ("deals", "gifts"):
        with pytest.raises(ImportProblems) as caught:
            import_document(book({"amount": "-5.00", "currency": "SEK"}, kind))
        assert [p.line() for p in caught.value.problems] == [f"{kind}[0].value.amount: {NEGATIVE}"]
    import_document(book({"amount": "-2000.00", "currency": "SEK"}, "orders"))
    assert Order.objects.get().value_amount == Decimal("-2000.00")


def test_a_credit_note_is_an_order_on_the_api_and_the_form_too(personas: Personas, lulea: Customer) -> None:
    body = {"customer": lulea.ref, "date": "2026-11-02", "value": {"amount": "-2000.00", "currency": "SEK"}}
    assert api(personas).post("/api/v1/orders", body, content_type="application/json").status_code == 201
    client = Client()
    client.force_login(personas.seller)
    form = {"date": "2026-11-03", "value_amount": "-150", "value_currency": "SEK"}
    assert client.post(f"/customers/{lulea.ref}/orders/new/", form).status_code == 302
    assert sorted(Order.objects.values_list("value_amount", flat=True)) == [Decimal("-2000.00"), Decimal("-150.00")]


# -- a currency without rates -----------------------------------------------------------------


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU"])
def test_a_currency_without_rates_is_refused_on_every_way_in(personas: Personas, lulea: Customer, code: str) -> None:
    client = api(personas)
    value = {"amount": "100.00", "currency": code}
    deal = {"customer": lulea.ref, "title": "Gold", "value": value}
    order = {"customer": lulea.ref, "date": "2026-11-02", "value": value}
    gift = {"customer": lulea.ref, "description": "Gold bar", "category": "object", "value": value}
    for path, body in (("/api/v1/deals", deal), ("/api/v1/orders", order), ("/api/v1/gifts", gift)):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 422, (path, response.content)
        assert list(errors(response)) == ["value.currency"] and NO_RATES in errors(response)["value.currency"]
    browser = Client()
    browser.force_login(personas.seller)
    form = {"title": "Gold", "value_amount": "100", "value_currency": code, "stage": "open", "created": "2026-11-02"}
    page = browser.post(f"/customers/{lulea.ref}/deals/new/", form)
    assert list(page.context["form"].errors) == ["value_currency"]
    csv = f"Deal - ID;Deal - Title;Deal - Organization;Deal - Value;Deal - Currency\n1;Gold;{lulea.name};100;{code}\n"
    report = import_csv_data(csv.encode(), "pipedrive", actor=personas.seller)
    assert len(report.problems) == 1 and report.problems[0][1].startswith(f"Deal - Currency: {code}: ")
    for kind in ("deals", "orders", "gifts"):
        with pytest.raises(ImportProblems) as caught:
            import_document(book(value, kind))
        assert [p.path for p in caught.value.problems] == [f"{kind}[0].value.currency"]
    assert not (Deal.objects.exists() or Order.objects.exists() or Gift.objects.exists())


def test_a_currency_with_stored_rates_is_accepted(personas: Personas, lulea: Customer) -> None:
    from kanelbulle.core.rates import store_rates

    store_rates([(dt.date(2026, 11, 2), "XAU", Decimal("0.000300"))])
    Deal.objects.create(
        ref="d-gold", customer=lulea, user=personas.seller, title="Gold", value_amount=Decimal("1"),
        value_currency="XAU", stage=Stage.OPEN, created=dt.date(2026, 11, 2),
    )  # fmt: skip
    import_document(book({"amount": "1.00", "currency": "XAU"}))
    assert Deal.objects.filter(value_currency="XAU").count() == 2
