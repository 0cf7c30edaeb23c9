"""The gifts API with the personas: who sees, creates, approves and voids what."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kanelbulle.accounts.models import ApiToken, User
from kanelbulle.customers.models import Customer
from kanelbulle.gifts.models import Gift
from tests.gifts_helpers import DAY, FAST_HASHERS, gift_book
from tests.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def book(personas: Personas) -> Customer:
    return gift_book(personas.seller)


class Api:
    def __init__(self, user: User) -> None:
        _token, raw = ApiToken.issue(user)
        self.client = Client(headers={"Authorization": f"Bearer {raw}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json")

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}")


def body(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "customer": "c-lulea-1",
        "contact": "p-1",
        "date": DAY.isoformat(),
        "description": "Chocolate and butter cookies",
        "category": "food",
        "value": {"amount": "250.00", "currency": "SEK"},
        "occasion": "christmas",
    }
    out.update(kw)
    return out


def test_check_answers_like_the_cli_and_stores_nothing(book: Customer, personas: Personas) -> None:
    Customer.objects.filter(pk=book.pk).update(country="CN")
    r = Api(personas.seller).post(
        "/gifts/check", body(description="Table clock", value={"amount": "312.00", "currency": "SEK"})
    )
    assert r.status_code == 200, r.content
    doc = r.json()
    assert set(doc) == {"verdict", "reasons", "etiquette"}
    assert doc["verdict"] == "ask" and doc["reasons"][0]["code"] == "over_our_limit"
    assert "cn_clock" in [e["code"] for e in doc["etiquette"]]
    assert Gift.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"value": {"amount": "10.00", "currency": "SEKK"}}, "value.currency"),
        ({"value": {"amount": "-1.00", "currency": "SEK"}}, "value.amount"),
        ({"customer": "c-nobody"}, "customer"),
        ({"direction": "received", "date": "2999-01-01"}, "date"),
        ({"category": "toys"}, "category"),
    ],
)
def test_bad_input_is_422_with_the_path_and_nothing_stored(
    book: Customer, personas: Personas, change: dict[str, Any], path: str
) -> None:
    api = Api(personas.seller)
    for endpoint in ("/gifts/check", "/gifts"):
        r = api.post(endpoint, body(**change))
        assert r.status_code == 422, r.content
        assert path in [e["path"] for e in r.json()["errors"]]
    assert Gift.objects.count() == 0


def test_a_refused_gift_is_422_with_the_reasons(book: Customer, personas: Personas) -> None:
    Customer.objects.filter(pk=book.pk).update(public_sector=True)
    r = Api(personas.seller).post("/gifts", body(value={"amount": "100.01", "currency": "SEK"}))
    assert r.status_code == 422
    doc = r.json()
    assert doc["verdict"] == "no" and doc["reasons"][0]["code"] == "public_sector"
    assert doc["errors"][0]["message"].startswith("public_sector:")
    assert Gift.objects.count() == 0


def test_an_ask_gift_is_stored_pending_and_only_a_team_manager_approves(book: Customer, personas: Personas) -> None:
    r = Api(personas.seller).post("/gifts", body(value={"amount": "312.00", "currency": "SEK"}))
    assert r.status_code == 201, r.content
    gift = r.json()
    assert gift["status"] == "pending" and gift["verdict"] == "ask" and gift["policy_version"] == 1
    assert gift["value_company"] == {"amount": "312.00", "currency": "SEK"}
    ref = gift["ref"]
    assert Api(personas.seller).post(f"/gifts/{ref}/approve").status_code == 403
    assert Api(personas.other_seller).post(f"/gifts/{ref}/approve").status_code == 403
    assert Api(personas.outsider).post(f"/gifts/{ref}/approve").status_code == 404
    r = Api(personas.manager).post(f"/gifts/{ref}/approve", {"note": "Anniversary"})
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc["status"] == "approved" and doc["approved_by"] == "maria" and doc["approved_at"]
    assert [h["action"] for h in doc["history"]] == ["create", "approve"]
    assert Api(personas.admin).post(f"/gifts/{ref}/approve").status_code == 409


def test_who_sees_what(book: Customer, personas: Personas) -> None:
    ref = Api(personas.seller).post("/gifts", body()).json()["ref"]
    for user in (personas.seller, personas.other_seller, personas.manager, personas.admin):
        assert Api(user).get(f"/gifts/{ref}").status_code == 200
        assert [g["ref"] for g in Api(user).get("/gifts").json()["items"]] == [ref]
    assert Api(personas.outsider).get(f"/gifts/{ref}").status_code == 404
    assert Api(personas.outsider).get("/gifts").json()["items"] == []
    assert Client().get("/api/v1/gifts").status_code == 401


def test_list_filters_by_customer_direction_and_dates(book: Customer, personas: Personas) -> None:
    api = Api(personas.seller)
    api.post("/gifts", body())
    api.post("/gifts", body(direction="received", date="2025-06-01"))
    assert api.get("/gifts", direction="received").json()["count"] == 1
    assert api.get("/gifts", **{"from": "2024-12-01", "to": "2024-12-31"}).json()["count"] == 1
    assert api.get("/gifts", customer="c-lulea-1").json()["count"] == 2
    assert api.get("/gifts", customer="c-other").json()["count"] == 0


def test_void_keeps_the_gift_and_delete_is_405(book: Customer, personas: Personas) -> None:
    ref = Api(personas.seller).post("/gifts", body()).json()["ref"]
    assert Api(personas.seller).delete(f"/gifts/{ref}").status_code == 405
    assert Api(personas.seller).post(f"/gifts/{ref}/void", {}).status_code == 422
    assert Api(personas.other_seller).post(f"/gifts/{ref}/void", {"reason": "x"}).status_code == 403
    r = Api(personas.seller).post(f"/gifts/{ref}/void", {"reason": "Entered twice"})
    assert r.status_code == 200
    doc = r.json()
    assert doc["status"] == "voided" and doc["voided_by"] == "anna" and doc["void_reason"] == "Entered twice"
    assert Gift.objects.filter(ref=ref).exists()
    assert Api(personas.seller).post(f"/gifts/{ref}/void", {"reason": "again"}).status_code == 409


def test_patch_keeps_history_and_checks_again(book: Customer, personas: Personas) -> None:
    api = Api(personas.seller)
    gift = api.post("/gifts", body()).json()
    r = api.patch(
        f"/gifts/{gift['ref']}", {"value": {"amount": "400.00", "currency": "SEK"}, "version": gift["version"]}
    )
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc["status"] == "pending"
    assert doc["history"][-1]["changes"]["value"][1] == {"amount": "400.00", "currency": "SEK"}
    assert api.patch(f"/gifts/{gift['ref']}", {"description": "x", "version": 1}).status_code == 409
    r = api.patch(f"/gifts/{gift['ref']}", {"category": "cash_equivalent"})
    assert r.status_code == 422


def test_policy_is_versioned_and_only_admins_change_it(book: Customer, personas: Personas) -> None:
    assert Api(personas.seller).get("/gift-policy").json()["per_gift_limit"] == "300.00"
    assert Api(personas.manager).post("/gift-policy", {"per_gift_limit": "200.00"}).status_code == 403
    r = Api(personas.admin).post("/gift-policy", {"per_gift_limit": "200.00", "note": "stricter"})
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 2 and r.json()["created_by"] == "adam"
