"""CSV presets match existing customers instead of duplicating them: by the tool's id, then the
organisation number, then the normalised name and place; every match is reported, an ambiguous
row is a problem (never a guess), and contacts and deals attach to the matched customer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kanelbulle.accounts.models import User
from kanelbulle.connectors import import_csv
from kanelbulle.connectors.crm_csv import import_csv_data, normal_name
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.deals.models import Deal
from kanelbulle.demo.generator import build_demo
from kanelbulle.exchange.importer import import_document
from tests.cli import run
from tests.personas import Personas

pytestmark = pytest.mark.django_db
CSV = Path(__file__).parent / "fixtures" / "csv"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_normalised_names() -> None:
    assert normal_name("Norrbotten Stål AB") == normal_name("NORRBOTTEN STÅL, AB.") == "norrbotten stål"
    assert normal_name("AB Volvo") == "volvo" and normal_name("Fjord Data AS") == "fjord data"
    assert normal_name("AB") == "ab"  # a name that is only a legal form keeps it


@pytest.mark.slow  # the demo book and the gazetteer take a few seconds
def test_pipedrive_and_salesforce_samples_into_the_demo_make_no_second_customer() -> None:
    import_document(build_demo(TODAY), actor_label="demo")
    anna = User.objects.get(username="anna")
    lulea = Customer.objects.get(ref="c-lulea-1")
    before = Contact.objects.filter(customer=lulea).count()
    orgs = import_csv(CSV / "pipedrive-organizations.csv", "pipedrive", actor=anna)
    assert orgs.problems == [] and (orgs.created, orgs.unchanged) == (1, 1)
    assert orgs.matched == [("line 2", "'Norrbotten Stål AB' is c-lulea-1 (matched by name and place)")]
    for name in ("pipedrive-persons.csv", "pipedrive-deals.csv"):
        assert import_csv(CSV / name, "pipedrive", actor=anna).problems == []
    li = Contact.objects.get(email="li@example.com")
    assert li.customer == lulea and li.ref == "p-pd-41"
    assert Deal.objects.get(ref="d-pd-301").customer == lulea

    accounts = import_csv(CSV / "salesforce-accounts.csv", "salesforce", actor=anna)
    assert accounts.problems == [] and accounts.created == 0
    assert accounts.matched == [
        ("line 2", "'Norrbotten Stål AB' is c-lulea-1 (matched by name and place)"),
        ("line 3", "'Göta Kanal AB' is c-pd-13 (matched by name and place)"),
    ]
    contacts = import_csv(CSV / "salesforce-contacts.csv", "salesforce", actor=anna)
    assert contacts.problems == [] and contacts.created == 0
    assert contacts.matched[0] == ("line 2", "'Li Wei' is p-pd-41 (matched by e-mail at c-lulea-1)")
    assert Contact.objects.get(ref="p-pd-41").title == "VD"  # filled in from Salesforce, nothing overwritten
    deals = import_csv(CSV / "salesforce-opportunities.csv", "salesforce", actor=anna)
    assert deals.problems == [] and deals.created == 0
    assert deals.matched[0] == ("line 2", "'Pumpstation 2026' is d-pd-301 (matched by title at c-lulea-1)")

    assert Customer.objects.filter(name="Norrbotten Stål AB").count() == 1
    assert Contact.objects.filter(customer=lulea).count() == before + 1  # Li Wei, once
    assert Deal.objects.filter(title="Pumpstation 2026").count() == 1
    # The same files again: the same matches, nothing new.
    again = import_csv(CSV / "salesforce-accounts.csv", "salesforce", actor=anna)
    assert (again.created, len(again.matched)) == (0, 2)
    assert Customer.objects.filter(name__in=["Norrbotten Stål AB", "Göta Kanal AB"]).count() == 2


def customer(owner: User, ref: str, name: str, city: str, org: str = "") -> Customer:
    return Customer.objects.create(
        ref=ref, name=name, org_number=org, country="SE", city=city, lat=65.58, lon=22.15,
        time_zone="Europe/Stockholm", owner=owner,
    )  # fmt: skip


ORGS = "Organization - ID;Organization - Name;Organization - Organisationsnummer;Organization - City;" + (
    "Organization - Country\n"
)


def test_the_organisation_number_matches_whatever_the_name(personas: Personas) -> None:
    customer(personas.seller, "c-stal", "Norrbottens Stålverk", "Luleå", org="556677-8899")
    rows = ORGS + "12;Norrbotten Stål AB;5566778899;Boden;Sverige\n"
    report = import_csv_data(rows.encode(), "pipedrive", actor=personas.seller)
    assert report.problems == [] and report.created == 0
    assert report.matched == [("line 2", "'Norrbotten Stål AB' is c-stal (matched by organisation number)")]
    assert Customer.objects.get().name == "Norrbottens Stålverk"  # ours is kept


def test_a_different_organisation_number_is_another_company(personas: Personas) -> None:
    customer(personas.seller, "c-stal", "Norrbotten Stål AB", "Luleå", org="556677-8899")
    rows = ORGS + "12;Norrbotten Stål AB;556000-0001;Luleå;Sverige\n"
    report = import_csv_data(rows.encode(), "pipedrive", actor=personas.seller)
    assert report.problems == [] and report.created == 1 and report.matched == []


def test_an_ambiguous_row_is_reported_not_guessed(personas: Personas) -> None:
    customer(personas.seller, "c-1", "Kiruna Gruv AB", "Kiruna")
    customer(personas.seller, "c-2", "KIRUNA GRUV", "Kiruna")
    rows = ORGS + "12;Kiruna Gruv AB;;Kiruna;Sverige\n"
    report = import_csv_data(rows.encode(), "pipedrive", actor=personas.seller)
    assert report.problems == [
        (
            "line 2",
            "'Kiruna Gruv AB' fits 2 customers by name and place: c-1 (Kiruna), c-2 (Kiruna); nothing was guessed",
        )
    ]
    assert not report.stored and Customer.objects.count() == 2
    persons = "Person - ID;Person - Name;Person - Organization;Person - Email - Work\n"
    persons += "41;Li Wei;Kiruna Gruv;li@example.com\n"
    report = import_csv_data(persons.encode(), "pipedrive", actor=personas.seller)
    assert report.problems[0][1].startswith("company 'Kiruna Gruv' fits 2 customers by name: c-1 (Kiruna), c-2")
    assert not Contact.objects.exists()


def test_the_command_prints_every_match(personas: Personas, tmp_path: Path) -> None:
    customer(personas.seller, "c-lulea-1", "Norrbotten Stål AB", "Luleå")
    path = tmp_path / "orgs.csv"
    path.write_text(ORGS + "12;Norrbotten Stål AB;;Luleå;Sverige\n", encoding="utf-8")
    result = run("import", str(path), "--preset", "pipedrive", "--as", "anna")
    assert result.code == 0, result.err
    assert "matched line 2: 'Norrbotten Stål AB' is c-lulea-1 (matched by name and place)" in result.out
    doc = run("import", str(path), "--preset", "pipedrive", "--as", "anna", "--json").json
    assert doc["matched"] == [
        {"location": "line 2", "message": "'Norrbotten Stål AB' is c-lulea-1 (matched by its pipedrive id 12)"}
    ]


def test_a_matched_customer_is_found_by_the_tools_id_next_time(personas: Personas) -> None:
    customer(personas.seller, "c-lulea-1", "Norrbotten Stål AB", "Luleå")
    rows = ORGS + "12;Norrbotten Stål AB;;Luleå;Sverige\n"
    first = import_csv_data(rows.encode(), "pipedrive", actor=personas.seller)
    assert first.matched == [("line 2", "'Norrbotten Stål AB' is c-lulea-1 (matched by name and place)")]
    Customer.objects.filter(ref="c-lulea-1").update(name="Norrbottens Stålverk", city="Boden")  # renamed here
    again = import_csv_data(rows.encode(), "pipedrive", actor=personas.seller)
    assert again.problems == [] and again.created == 0
    assert again.matched == [("line 2", "'Norrbotten Stål AB' is c-lulea-1 (matched by its pipedrive id 12)")]
    assert Customer.objects.count() == 1
    other = import_csv_data(rows.encode(), "pipedrive", actor=personas.outsider)  # another team's seller
    assert other.problems == [("line 2", "pipedrive id 12 belongs to a customer you may not see")]
