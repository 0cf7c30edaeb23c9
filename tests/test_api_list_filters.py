"""Every API list of records at customers filters by seller and by team (issue 15), the same way.

The filters only narrow what the caller may already see: a seller naming another team's seller or
team gets a 422 that says no more than a name nobody has, and none of their records.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kanelbulle.accounts.models import User
from kanelbulle.api import api
from kanelbulle.core.money import Money
from kanelbulle.customers import actions as customer_actions
from kanelbulle.customers.models import Customer
from kanelbulle.deals import actions as deal_actions
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings import actions as meeting_actions
from tests.personas import Personas
from tests.test_api import Api, make_customer

pytestmark = pytest.mark.django_db

# (list path, its seller parameter, the field of an item naming its customer)
LISTS = [
    ("/customers", "owner", "ref"),
    ("/contacts", "owner", "customer"),
    ("/meetings", "user", "customer"),
    ("/meeting-requests", "owner", "customer"),
    ("/deals", "user", "customer"),
    ("/orders", "owner", "customer"),
    ("/gifts", "user", "customer"),
]
ANNA, BERTIL, OLLE = "c-anna", "c-bertil", "c-olle"
NORTH = {ANNA, BERTIL}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _records(seller: User, ref: str) -> Customer:
    """A customer of ``seller`` with one of everything each list shows, all by that seller."""
    customer = make_customer(seller, f"Kund {seller.username}", ref)
    contact = customer_actions.contact_create(
        None, customer, ref=f"p-{seller.username}", name="Li Wei", lawful_basis="legitimate_interest"
    )
    meeting_actions.log_meeting(seller, customer, start=timezone.now() - dt.timedelta(days=2), contacts=[contact])
    meeting_actions.request_open(seller, customer, contact=contact)
    deal_actions.deal_create(seller, customer, title="Valsar", value=Money(Decimal("1000"), "SEK"))
    deal_actions.order_create(seller, customer, date=dt.date(2024, 5, 2), value=Money(Decimal("500"), "SEK"))
    Gift.objects.create(
        ref=f"g-{seller.username}", direction="given", customer=customer, contact=contact, user=seller,
        date=dt.date(2024, 12, 18), description="Kanelbullar", category="food",
        value_amount=Decimal("150.00"), value_currency="SEK",
    )  # fmt: skip
    return customer


@pytest.fixture
def book(personas: Personas) -> None:
    _records(personas.seller, ANNA)
    _records(personas.other_seller, BERTIL)
    _records(personas.outsider, OLLE)


def customers_of(caller: Api, path: str, field: str, **params: str) -> set[str]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = caller.call("GET", f"{path}?{query}")
    assert response.status_code == 200, response.content
    return {item[field] for item in response.payload["items"]}


def refused(caller: Api, path: str, **params: str) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = caller.call("GET", f"{path}?{query}")
    assert response.status_code == 422, response.content
    assert OLLE not in response.content.decode() and "Kund olle" not in response.content.decode()
    return response.payload["errors"]


@pytest.mark.parametrize(("path", "seller", "field"), LISTS)
def test_a_manager_narrows_the_team_by_team_and_by_seller(
    personas: Personas, book: None, path: str, seller: str, field: str
) -> None:
    maria = Api(personas.manager)
    assert customers_of(maria, path, field) == NORTH
    assert customers_of(maria, path, field, team="north") == NORTH
    assert customers_of(maria, path, field, **{seller: "bertil"}) == {BERTIL}
    assert customers_of(maria, path, field, **{seller: "anna", "team": "north"}) == {ANNA}
    assert customers_of(maria, path, field, **{seller: "maria"}) == set()  # a teammate with none: nothing


@pytest.mark.parametrize(("path", "seller", "field"), LISTS)
def test_an_admin_picks_any_team_or_seller(personas: Personas, book: None, path: str, seller: str, field: str) -> None:
    adam = Api(personas.admin)
    assert customers_of(adam, path, field) == {ANNA, BERTIL, OLLE}
    assert customers_of(adam, path, field, team="south") == {OLLE}
    assert customers_of(adam, path, field, team="north") == NORTH
    assert customers_of(adam, path, field, **{seller: "olle"}) == {OLLE}
    assert customers_of(adam, path, field, **{seller: "olle", "team": "north"}) == set()


@pytest.mark.parametrize(("path", "seller", "field"), LISTS)
def test_a_seller_gets_nothing_of_another_teams_seller_or_team(
    personas: Personas, book: None, path: str, seller: str, field: str
) -> None:
    anna = Api(personas.seller)
    assert customers_of(anna, path, field, team="north") == NORTH
    assert customers_of(anna, path, field, **{seller: "bertil"}) == {BERTIL}
    # Naming Olle (team south) answers as a name nobody has: nothing tells he exists.
    assert refused(anna, path, **{seller: "olle"}) == [{"path": seller, "message": "there is no user 'olle'"}]
    assert refused(anna, path, team="south") == [{"path": "team", "message": "there is no team 'south'"}]
    assert refused(Api(personas.outsider), path, team="north") == [
        {"path": "team", "message": "there is no team 'north'"}
    ]
    assert refused(Api(personas.outsider), path, **{seller: "anna"})[0]["path"] == seller


@pytest.mark.parametrize(("path", "seller", "field"), LISTS)
def test_an_unknown_seller_or_team_answers_422_naming_the_parameter(
    personas: Personas, book: None, path: str, seller: str, field: str
) -> None:
    for who in (personas.manager, personas.admin):
        caller = Api(who)
        assert refused(caller, path, **{seller: "nobody"}) == [{"path": seller, "message": "there is no user 'nobody'"}]
        assert refused(caller, path, team="nowhere") == [{"path": "team", "message": "there is no team 'nowhere'"}]
    # Too long for a username or a team: the usual 422 for a bad parameter, never a 500.
    assert refused(Api(personas.admin), path, team="x" * 101)[0]["path"] == "team"
    assert refused(Api(personas.admin), path, **{seller: "x" * 151})[0]["path"] == seller


def test_the_errors_speak_the_callers_language(personas: Personas, book: None) -> None:
    maria = Api(personas.manager)
    response = maria.call("GET", "/orders?team=south", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 422
    assert response.payload == {"errors": [{"path": "team", "message": "det finns inget team 'south'"}]}
    response = maria.call("GET", "/gifts?user=olle", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.payload == {"errors": [{"path": "user", "message": "det finns ingen användare 'olle'"}]}


def test_a_seller_of_another_team_may_be_named_where_the_caller_sees_their_records(
    personas: Personas, book: None
) -> None:
    # Olle's deal at Anna's customer (made before the customer changed teams): Anna sees it, with
    # his name on it, so filtering by him finds it rather than pretending he does not exist.
    anna_c = Customer.objects.get(ref=ANNA)
    deal_actions.deal_create(
        None, anna_c, seller=personas.outsider, ref="d-old", title="Gammal", value=Money(Decimal("9"), "SEK")
    )
    anna = Api(personas.seller)
    response = anna.call("GET", "/deals?user=olle")
    assert response.status_code == 200
    assert [d["ref"] for d in response.payload["items"]] == ["d-old"]
    assert refused(anna, "/meetings", user="olle")  # no meeting of his she may see: as unknown


def test_each_list_documents_its_seller_and_team_parameters() -> None:
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, seller, _field in LISTS:
        parameters = {p["name"]: p for p in document["paths"][f"/api/v1{path}"]["get"]["parameters"]}
        for name in (seller, "team"):
            assert name in parameters, (path, name)
            assert parameters[name]["in"] == "query" and not parameters[name].get("required")
            assert parameters[name].get("description"), (path, name)
        assert "422" in document["paths"][f"/api/v1{path}"]["get"]["responses"]
