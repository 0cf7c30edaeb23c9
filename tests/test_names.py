"""Names that show nothing or turn text around are refused on every way in, naming the field.

Zero-width and other invisible characters make a name that looks empty on every page but is
not; a bidirectional override (U+202A–U+202E, U+2066–U+2069) makes the text after it read
backwards. One rule (``kanelbulle.core.text``) decides, for forms, the API, the importer and the
command alike; names in any script, with the joiners they need inside them, stay welcome.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kanelbulle.accounts.models import ApiToken, User
from kanelbulle.core.text import name_problem
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.exchange.importer import ImportProblems, import_document
from tests.cli import run
from tests.gifts_helpers import FAST_HASHERS, customer
from tests.personas import Personas

pytestmark = pytest.mark.django_db

INVISIBLE = ["\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", "\u3164", " \u200b ", "\u034f", "\u2800"]
OVERRIDES = ["Evil\u202eBA kpöS", "Anna\u202a Berg", "Ev\u2066il\u2069 AB", "\u202dLTR"]
REFUSED = INVISIBLE + OVERRIDES
WELCOME = ["Norrbotten Stål AB", "شركة النور", "می\u200cخواهم", "👩\u200d🔧 Verkstad", "宁波精密", "O'Brien & Søn"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.mark.parametrize("name", REFUSED)
def test_the_rule_refuses_invisible_and_overriding_names(name: str) -> None:
    assert name_problem(name)


@pytest.mark.parametrize("name", WELCOME)
def test_the_rule_welcomes_names_in_any_script(name: str) -> None:
    assert name_problem(name) is None


def api(user: User, path: str, body: dict[str, Any]) -> Any:
    _, raw = ApiToken.issue(user)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    return client.post("/api/v1" + path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("name", REFUSED)
def test_the_api_refuses_them_at_the_name(name: str, personas: Personas) -> None:
    made = api(personas.seller, "/customers", {"name": name, "country": "SE", "city": "Luleå"})
    assert made.status_code == 422
    assert [e["path"] for e in made.json()["errors"]] == ["name"]
    customer(personas.seller)
    contact = api(personas.seller, "/contacts", {"customer": "c-lulea-1", "name": name, "lawful_basis": "consent"})
    assert contact.status_code == 422
    assert [e["path"] for e in contact.json()["errors"]] == ["name"]
    assert Customer.objects.count() == 1 and not Contact.objects.exists()


def test_the_api_takes_a_name_with_a_joiner_inside(personas: Personas) -> None:
    made = api(personas.seller, "/customers", {"name": "👩\u200d🔧 Verkstad", "country": "SE", "city": "Luleå"})
    assert made.status_code == 201, made.content


@pytest.mark.parametrize("name", ["\u200b\u200b", "Kund\u202eBA"])
def test_the_customer_form_refuses_them_next_to_the_field(name: str, personas: Personas) -> None:
    browser = Client()
    browser.force_login(personas.seller)
    page = browser.post("/customers/new/", {
        "name": name, "country": "SE", "city": "Luleå", "lat": "65.58", "lon": "22.15", "potential": "high",
        "visit_minutes": "60", "owner": str(personas.seller.pk),
    })  # fmt: skip
    assert page.status_code == 400
    assert "name" in page.context["form"].errors
    assert not Customer.objects.exists()


def test_the_user_admin_refuses_them_for_a_users_full_name(personas: Personas) -> None:
    browser = Client()
    browser.force_login(personas.admin)
    page = browser.post("/users/", {"username": "newbie", "name": "\u200b", "role": "seller", "team": "north",
                                    "password": "a-Long-passphrase-42"})  # fmt: skip
    assert page.status_code == 400
    assert "name" in page.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()
    edit = browser.post("/users/anna/edit/", {"name": "Anna\u202eBerg", "role": "seller", "team": "north",
                                              "time_zone": "Europe/Stockholm", "is_active": "on"})  # fmt: skip
    assert edit.status_code == 400
    assert "name" in edit.context["form"].errors
    assert User.objects.get(username="anna").name == "Anna Berg"


def test_the_command_refuses_them_naming_the_field() -> None:
    made = run("user", "create", "zed", "--role", "seller", "--name", "\u2066\u2069")
    assert made.code == 2
    why = "must not contain text-direction override characters (U+202A–U+202E, U+2066–U+2069)"
    assert made.err_lines == [f"name: {why}"]
    assert not User.objects.filter(username="zed").exists()


def test_the_importer_refuses_them_at_their_paths(db: None) -> None:
    doc = {
        "format": "kanelbulle/1",
        "users": [{"username": "anna", "name": "\u200b", "role": "seller", "team": "north"}],
        "customers": [
            {
                "ref": "c-1",
                "name": "Kund\u202eBA",
                "country": "SE",
                "city": "Luleå",
                "owner": "anna",
                "potential": "high",
                "public_sector": False,
                "visit_minutes": 60,
            }
        ],
        "contacts": [{"ref": "p-1", "customer": "c-1", "name": "\u3164", "lawful_basis": "consent"}],
    }
    with pytest.raises(ImportProblems) as caught:
        import_document(doc)
    names = [p.path for p in caught.value.problems if p.path.endswith(".name")]
    assert names == ["users[0].name", "customers[0].name", "contacts[0].name"], caught.value.problems
    assert not Customer.objects.exists() and not User.objects.exists()
