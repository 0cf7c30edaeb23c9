"""The access export (GDPR Art. 15): the command and the admin page hand the person the same copy,
and the page makes it only on a CSRF-protected POST."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.actions import contact_create, customer_create, fact_add
from kanelbulle.customers.models import Contact
from kanelbulle.meetings.actions import log_meeting
from tests.cli import run
from tests.personas import Personas

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def li(personas: Personas) -> Contact:
    customer = customer_create(personas.seller, name="Norrbotten Stål AB", city="Luleå", country="SE")
    li = contact_create(personas.seller, customer, name="Li Wei", lawful_basis="legitimate_interest")
    karin = contact_create(personas.seller, customer, name="Karin Ek", email="karin@example.com",
                           lawful_basis="legitimate_interest")  # fmt: skip
    fact_add(personas.seller, li, kind="pet", text="Two schnauzers: Max and Moritz")
    log_meeting(personas.seller, customer, start=NOON, contacts=[li, karin], notes="Li and Karin Ek showed the line",
                unsaid="Li seemed worried; Karin (karin@example.com) did not")  # fmt: skip
    return li


def test_the_command_and_the_page_give_the_person_the_same_copy(
    client: Client, personas: Personas, li: Contact
) -> None:
    by_command = run("privacy", "export", "--contact", li.ref)
    assert by_command.code == 0, by_command.err
    client.force_login(personas.admin)
    by_page = client.post(f"/privacy/contacts/{li.ref}/export/", {"format": "json"}).json()
    cli = json.loads(by_command.out)
    for doc in (cli, by_page):
        del doc["generated_at"], doc["access_log"]
    assert cli == by_page
    (meeting,) = by_page["meetings"]
    # Every author's unsaid about the person is theirs to read; another person there is not.
    assert meeting["unsaid"] == "Li seemed worried; […] ([…]) did not"
    assert meeting["notes"] == "Li and […] showed the line"


def test_the_page_asks_first_and_only_a_post_exports_and_is_logged(
    client: Client, personas: Personas, li: Contact
) -> None:
    client.force_login(personas.admin)
    form = client.get(f"/privacy/contacts/{li.ref}/export/")
    assert form.status_code == 200
    page = form.content.decode()
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page and "Max and Moritz" not in page
    assert not AuditEntry.objects.filter(action="privacy_export").exists()
    readable = client.post(f"/privacy/contacts/{li.ref}/export/", {"format": "html"})
    assert "Max and Moritz" in readable.content.decode()
    assert AuditEntry.objects.filter(action="privacy_export", ref=li.ref, actor=personas.admin).count() == 1


def test_an_export_without_the_csrf_token_is_refused(personas: Personas, li: Contact) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin)
    assert client.post(f"/privacy/contacts/{li.ref}/export/", {"format": "json"}).status_code == 403
    assert not AuditEntry.objects.filter(action="privacy_export").exists()
