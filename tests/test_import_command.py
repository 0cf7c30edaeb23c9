"""`kanelbulle import` picks the reader by the file: exchange JSON, .ics, .vcf or a CSV preset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kanelbulle.customers.models import Contact, Customer
from kanelbulle.deals.models import Deal
from kanelbulle.gifts.models import Gift
from tests.cli import run
from tests.personas import Personas

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def test_a_csv_from_hubspot_imports_as_the_given_user(personas: Personas) -> None:
    result = run("import", str(FIXTURES / "csv" / "hubspot-companies.csv"), "--preset", "hubspot", "--as", "anna")
    assert result.code == 0, result.err
    assert result.out.startswith("created ")
    assert Customer.objects.filter(owner=personas.seller).count() == int(result.out.split()[1].rstrip(","))


def test_a_csv_needs_a_known_preset(personas: Personas) -> None:
    missing = run("import", str(FIXTURES / "csv" / "hubspot-companies.csv"), "--as", "anna")
    assert missing.code == 2
    assert missing.err_lines == ["--preset: a .csv file needs --preset hubspot|pipedrive|salesforce"]
    wrong = run("import", str(FIXTURES / "csv" / "hubspot-companies.csv"), "--preset", "excel", "--as", "anna")
    assert wrong.code == 2
    assert not Customer.objects.exists()


def test_every_broken_csv_row_is_reported_with_its_line_and_nothing_is_stored(personas: Personas) -> None:
    run("import", str(FIXTURES / "csv" / "hubspot-companies.csv"), "--preset", "hubspot", "--as", "anna")
    result = run("import", str(FIXTURES / "csv" / "hubspot-deals-broken.csv"), "--preset", "hubspot", "--as", "anna")
    assert result.code == 2
    assert result.err_lines[:3] == [
        "line 3: company 'No Such Company AB' is not a customer here (import the companies first)",
        "line 4: '12,3,4 kr' is not an amount",
        "line 5: 'the 32nd' is not a date (use 2025-09-01 or 9/1/2025)",
    ]
    assert not Deal.objects.exists()


def test_a_vcard_needs_its_customer(personas: Personas) -> None:
    vcf = str(FIXTURES / "vcard" / "iphone-3.0.vcf")
    assert run("import", vcf).err_lines == ["--customer: a .vcf file needs the ref of a customer that exists"]
    from kanelbulle.customers.actions import customer_create

    customer = customer_create(personas.seller, name="Norrbotten Stål AB", city="Luleå", country="SE")
    result = run("import", vcf, "--customer", customer.ref)
    assert result.code == 0, result.err
    assert Contact.objects.filter(customer=customer).exists()


def test_dry_run_and_presets_are_refused_where_they_do_not_apply(tmp_path: Path) -> None:
    ics = str(FIXTURES / "ics" / "outlook.ics")
    assert run("import", ics, "--dry-run").err_lines == [
        "--dry-run: only exchange documents (.json) can be tried without writing"
    ]
    doc = tmp_path / "book.json"
    doc.write_text(json.dumps({"format": "kanelbulle/1"}))
    assert run("import", str(doc), "--preset", "hubspot").err_lines == ["--preset: only a .csv file takes a preset"]


def test_imported_gifts_enter_the_register_with_a_verdict_and_policy(tmp_path: Path) -> None:
    doc = {
        "format": "kanelbulle/1",
        "users": [{"username": "anna", "name": "Anna Berg", "role": "seller"}],
        "customers": [{"ref": "c-1", "name": "Ningbo Precision", "country": "CN", "city": "Ningbo", "owner": "anna",
                       "potential": "low", "public_sector": False, "visit_minutes": 90}],
        "gifts": [{"ref": "g-1", "direction": "received", "customer": "c-1", "user": "anna", "date": "2025-12-16",
                   "description": "Chocolate and butter cookies", "category": "food",
                   "value": {"amount": "250.00", "currency": "SEK"}, "occasion": "christmas"}],
    }  # fmt: skip
    path = tmp_path / "book.json"
    path.write_text(json.dumps(doc))
    assert run("import", str(path)).code == 0
    gift = Gift.objects.get(ref="g-1")
    assert gift.policy is not None
    assert gift.verdict == "ok"
