"""Personal data: special categories flagged on entry, access export, erasure, retention review."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from kanelbulle.core.models import AuditEntry, Erasure
from kanelbulle.customers.actions import contact_create, customer_create, fact_add
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.meetings.actions import log_meeting
from kanelbulle.meetings.models import Meeting
from kanelbulle.privacy import sensitive
from tests.cli import run
from tests.personas import Personas

NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Har diabetes, undvik söta gåvor", "health_illness"),
        ("Sjukskriven i oktober", "health_illness"),
        ("Recovering from cancer surgery", "health_illness"),
        ("Nötallergi", "health_allergy_pregnancy"),
        ("She is pregnant, due in May", "health_allergy_pregnancy"),
        ("Muslim, fastar under ramadan", "religion"),
        ("Goes to church every Sunday", "religion"),
        ("Röstar på Moderaterna", "political_opinion"),
        ("Fackligt aktiv i IF Metall", "trade_union"),
        ("Shop steward at the plant", "trade_union"),
        ("Talks about his ethnic background", "ethnic_origin"),
        ("Är gay och gift med Johan", "sex_life_orientation"),
        ("Uses fingerprint login everywhere", "biometric_genetic"),
    ],
)
def test_each_rule_flags_its_special_category(text: str, code: str) -> None:
    assert code in [f.code for f in sensitive.findings(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Two schnauzers: Max and Moritz",
        "Prefers tea to coffee; no alcohol",
        "Daughter plays handball in Luleå",
        "Illustrator by training",  # 'ill' only as a whole word
        "Christiansen is his surname",  # 'christian' only as a whole word
    ],
)
def test_ordinary_facts_are_not_flagged(text: str) -> None:
    assert sensitive.findings(text) == []


def test_a_finding_explains_itself_in_swedish_too() -> None:
    from django.utils import translation

    finding = sensitive.findings("Har diabetes")[0]
    with translation.override("sv"):
        assert "särskild kategori" in finding.message
    assert "special category" in finding.message


@pytest.fixture
def li(personas: Personas) -> Contact:
    customer = customer_create(personas.seller, name="Norrbotten Stål AB", city="Luleå", country="SE")
    contact = contact_create(personas.seller, customer, name="Li Wei", email="li@example.com",
                             lawful_basis="legitimate_interest", source="business card, Elmia 2025")  # fmt: skip
    fact_add(personas.seller, contact, kind="pet", text="Two schnauzers: Max and Moritz")
    log_meeting(personas.seller, customer, start=NOON, contacts=[contact], notes="Li Wei showed the new press line",
                unsaid="Li seemed worried about the owners")  # fmt: skip
    return contact


@pytest.mark.django_db
def test_privacy_export_gives_everything_with_its_source(li: Contact) -> None:
    result = run("privacy", "export", "--contact", li.ref)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["person"]["source"] == "business card, Elmia 2025"
    assert document["person"]["lawful_basis"] == "legitimate_interest"
    assert [f["text"] for f in document["facts"]] == ["Two schnauzers: Max and Moritz"]
    assert document["meetings"][0]["notes"] == "Li Wei showed the new press line"
    assert document["shared_with"] == ["anna"]
    assert AuditEntry.objects.filter(action="privacy_export", ref=li.ref).exists()


@pytest.mark.django_db
def test_privacy_export_as_readable_html_escapes_text(li: Contact, tmp_path: object) -> None:
    li.name = "<script>alert(1)</script>"
    li.save()
    result = run("privacy", "export", "--contact", li.ref, "--html")
    assert result.code == 0
    assert "<script>alert(1)" not in result.out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.out


@pytest.mark.django_db
def test_erasure_removes_the_person_and_keeps_the_meeting_anonymised(li: Contact) -> None:
    ref, customer = li.ref, li.customer
    result = run("privacy", "erase", "--contact", ref, "--yes")
    assert result.code == 0, result.err
    assert not Contact.objects.filter(ref=ref).exists()
    meeting = Meeting.objects.get(customer=customer)
    assert meeting.notes == "[…] showed the new press line"
    assert meeting.unsaid == "[…] seemed worried about the owners"
    assert meeting.contacts.count() == 0
    assert Erasure.objects.filter(kind="contact", ref=ref).exists()
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.django_db
def test_erase_without_yes_off_a_terminal_refuses_and_keeps_the_person(li: Contact) -> None:
    result = run("privacy", "erase", "--contact", li.ref)
    assert result.code == 2
    assert result.err_lines == ["erase asks for confirmation: run it on a terminal or add --yes"]
    assert Contact.objects.filter(ref=li.ref).exists()


@pytest.mark.django_db
def test_an_unknown_contact_is_bad_input() -> None:
    result = run("privacy", "export", "--contact", "p-nobody")
    assert result.code == 2
    assert result.err_lines == ["--contact: no contact with ref 'p-nobody'"]


@pytest.mark.django_db
def test_retention_lists_idle_contacts_and_renewal_restarts_the_clock(li: Contact) -> None:
    long_ago = dt.datetime(2023, 6, 1, 12, 0, tzinfo=dt.UTC)
    Contact.objects.filter(pk=li.pk).update(created_at=long_ago)
    Meeting.objects.filter(customer=li.customer).update(start=long_ago)
    today = timezone.localdate().isoformat()
    due = run("privacy", "retention", "--today", today, "--json")
    assert due.code == 0, due.err
    assert [(d["contact"], d["last_interaction"]) for d in due.json["due"]] == [(li.ref, "2023-06-01")]
    assert due.json["months"] == 24
    # Within the period (a year after the meeting) nothing is due.
    assert run("privacy", "retention", "--today", "2024-06-01", "--json").json["due"] == []
    assert run("privacy", "renew", "--contact", li.ref).code == 0
    assert run("privacy", "retention", "--today", today, "--json").json["due"] == []


@pytest.mark.django_db
def test_retention_refuses_a_malformed_date() -> None:
    result = run("privacy", "retention", "--today", "2026-13-01")
    assert result.code == 2
    assert result.err_lines == ["--today: '2026-13-01' is not a date; use YYYY-MM-DD, e.g. 2026-01-31"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["seller", "manager", "outsider"])
def test_privacy_pages_do_not_exist_for_non_admins(client: Client, personas: Personas, li: Contact, who: str) -> None:
    client.force_login(getattr(personas, who))
    assert client.get("/privacy/").status_code == 404
    assert client.get(f"/privacy/contacts/{li.ref}/export/").status_code == 404
    assert client.post(f"/privacy/contacts/{li.ref}/erase/", {"confirm": li.ref}).status_code == 404
    assert client.get("/privacy/audit/").status_code == 404
    assert Contact.objects.filter(ref=li.ref).exists()


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client: Client, li: Contact) -> None:
    response = client.get("/privacy/")
    assert response.status_code == 302 and response["Location"].startswith("/?next=")


@pytest.mark.django_db
def test_an_admin_exports_and_erases_with_confirmation(client: Client, personas: Personas, li: Contact) -> None:
    client.force_login(personas.admin)
    assert li.name in client.get("/privacy/?q=li").content.decode()
    exported = client.post(f"/privacy/contacts/{li.ref}/export/", {"format": "json"}).json()
    assert exported["facts"][0]["text"] == "Two schnauzers: Max and Moritz"
    assert exported["meetings"][0]["unsaid"] == "Li seemed worried about the owners"  # the person's (Art. 15)
    readable = client.post(f"/privacy/contacts/{li.ref}/export/", {"format": "html"}).content.decode()
    assert "Two schnauzers" in readable
    client.post(f"/privacy/contacts/{li.ref}/erase/", {"confirm": "wrong"})
    assert Contact.objects.filter(ref=li.ref).exists()
    client.post(f"/privacy/contacts/{li.ref}/erase/", {"confirm": li.ref})
    assert not Contact.objects.filter(ref=li.ref).exists()
    log = client.get("/privacy/audit/?format=csv").content.decode()
    assert f"adam,erase,contact,{li.ref}" in log
    assert f"adam,privacy_export,contact,{li.ref}" in log
