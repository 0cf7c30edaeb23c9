"""Searching customers by their stored folded text (customers/search.py): the text follows every
kind of write, and the SQL search finds exactly what reading the whole book in Python found."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db.models import QuerySet

from kanelbulle.core import gazetteer
from kanelbulle.customers import actions, search
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.exchange.importer import import_document
from kanelbulle.privacy.erase import erase_contact
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def old_matching(customers: QuerySet[Customer], query: str) -> list[int]:
    """The Python scan the search replaced, kept as the oracle."""
    terms = gazetteer.fold(query).split()
    texts: dict[int, list[str]] = {}
    for pk, name, city in customers.values_list("pk", "name", "city"):
        texts[pk] = [name, city]
    for pk, name in Contact.objects.filter(customer__in=customers).values_list("customer_id", "name"):
        texts[pk].append(name)
    for pk, text in Fact.objects.filter(contact__customer__in=customers).values_list("contact__customer_id", "text"):
        texts[pk].append(text)
    return [pk for pk, parts in texts.items() if all(t in gazetteer.fold(" ".join(parts)) for t in terms)]


def found(personas: Personas, query: str) -> set[str]:
    return set(actions.find_customers(personas.admin, query=query).values_list("name", flat=True))


def make(owner: Any, name: str, city: str = "Luleå", country: str = "SE", **kw: Any) -> Customer:
    return actions.customer_create(None, name=name, country=country, city=city, owner=owner, **kw)


@pytest.fixture
def book(personas: Personas) -> dict[str, Any]:
    steel = make(personas.seller, "Norrbotten Stål AB")
    li = actions.contact_create(None, steel, name="Li Wei", lawful_basis="consent")
    fact = actions.fact_add(None, li, kind="pet", text="Two schnauzers: Max and Moritz", learned=dt.date(2025, 1, 2))
    verk = make(personas.other_seller, "Trollhättan Verk", city="Trollhättan")
    eva = actions.contact_create(None, verk, name="Eva Öberg", lawful_basis="consent")
    actions.fact_add(None, eva, kind="interest", text="Sings in a choir in Göteborg", learned=dt.date(2025, 1, 3))
    make(personas.outsider, "Åre Ski & Lift", city="Åre", lat=63.4, lon=13.08)
    make(personas.outsider, "ÉCOLE 100% Ünïcode_Test", city="Malmö")
    return {"steel": steel, "li": li, "fact": fact, "verk": verk, "eva": eva}


def test_the_search_text_follows_every_kind_of_write(personas: Personas, book: dict[str, Any]) -> None:
    steel: Customer = book["steel"]
    assert found(personas, "lulea stal") == {"Norrbotten Stål AB"}
    actions.customer_update(None, steel, name="Kiruna Järn AB")
    assert found(personas, "norrbotten") == set() and found(personas, "jarn lulea") == {"Kiruna Järn AB"}
    actions.customer_update(None, Customer.objects.get(pk=steel.pk), city="Kiruna", country="SE")
    assert found(personas, "lulea") == set() and found(personas, "kiruna") == {"Kiruna Järn AB"}

    sara = actions.contact_create(None, steel, name="Sára Öhman", lawful_basis="consent")
    assert found(personas, "sara ohman") == {"Kiruna Järn AB"}
    actions.contact_update(None, sara, name="Sára Nyström")
    assert found(personas, "ohman") == set() and found(personas, "nystrom") == {"Kiruna Järn AB"}
    actions.contact_delete(None, sara)
    assert found(personas, "nystrom") == set()

    fact = actions.fact_add(None, book["li"], kind="interest", text="Collects Ölands stamps")
    assert found(personas, "olands stamps") == {"Kiruna Järn AB"}
    actions.fact_delete(None, fact)
    assert found(personas, "olands") == set()

    assert found(personas, "schnauzers") == {"Kiruna Järn AB"}
    erase_contact(Contact.objects.get(pk=book["li"].pk))
    assert found(personas, "schnauzers") == set() and found(personas, "li wei") == set()
    assert found(personas, "kiruna") == {"Kiruna Järn AB"}  # the company itself is still found


def test_an_erasure_redacts_the_person_from_other_customers_search_words(
    personas: Personas, book: dict[str, Any]
) -> None:
    actions.fact_add(None, book["eva"], kind="other", text="Old friend of Li Wei")
    assert found(personas, "friend wei") == {"Trollhättan Verk"}
    erase_contact(Contact.objects.get(pk=book["li"].pk))
    for pk, (stored, wanted) in search.compute(Customer.objects.values_list("pk", flat=True)).items():
        assert stored == wanted, pk
    assert found(personas, "friend") == {"Trollhättan Verk"}


MUST = {"potential": "low", "public_sector": False, "visit_minutes": 60}


def test_an_import_fills_the_search_words(personas: Personas) -> None:
    doc = {
        "format": "kanelbulle/1",
        "users": [{"username": "anna", "name": "Anna Berg", "role": "seller"}],
        "customers": [
            {"ref": "c-1", "name": "Umeå Trä", "country": "SE", "city": "Umeå", "owner": "anna", **MUST},
            {"ref": "c-2", "name": "Gävle Glas", "country": "SE", "city": "Gävle", "owner": "anna", **MUST},
        ],
        "contacts": [
            {"ref": "p-1", "customer": "c-1", "name": "Jöns Åkesson", "lawful_basis": "consent",
             "facts": [{"kind": "pet", "text": "A tabby called Mjölner"}]},
        ],
    }  # fmt: skip
    import_document(json.loads(json.dumps(doc)))
    assert found(personas, "mjolner") == {"Umeå Trä"} and found(personas, "gavle") == {"Gävle Glas"}
    doc["contacts"][0]["customer"] = "c-2"  # type: ignore[index]
    doc["contacts"][0]["facts"] = [{"kind": "pet", "text": "A dog called Fenris"}]  # type: ignore[index]
    import_document(doc)
    assert found(personas, "mjolner") == set() and found(personas, "jons") == {"Gävle Glas"}
    assert found(personas, "fenris") == {"Gävle Glas"}


@pytest.mark.parametrize(
    "query",
    ["lulea", "LULEÅ", "stal ab", "li wei", "schnauzers max", "öberg", "oberg choir", "goteborg", "are", "å",
     "100%", "unicode_test", "_", "%", "ecole", "trollhattan eva", "nobody", "max moritz luleå", "ab verk"],
)  # fmt: skip
def test_the_sql_search_finds_what_the_python_scan_found(personas: Personas, book: dict[str, Any], query: str) -> None:
    everyone = Customer.objects.all()
    assert set(actions.find_customers(personas.admin, query=query).values_list("pk", flat=True)) == set(
        old_matching(everyone, query)
    )


def test_a_seller_finds_only_the_customers_they_may_see(personas: Personas, book: dict[str, Any]) -> None:
    seen = set(actions.find_customers(personas.outsider, query="a").values_list("name", flat=True))
    assert seen == {"Åre Ski & Lift", "ÉCOLE 100% Ünïcode_Test"}
    assert set(actions.find_customers(personas.outsider, query="   ").values_list("name", flat=True)) == seen
