"""The language switch is remembered on the account, so a new browser starts in it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_switching_language_is_remembered_for_a_new_browser(client: Client, personas: Personas) -> None:
    client.force_login(personas.seller)
    client.post("/i18n/setlang/", {"language": "sv", "next": "/home/"})
    personas.seller.refresh_from_db()
    assert personas.seller.language == "sv"
    phone = Client()
    phone.force_login(personas.seller)
    page = phone.get("/home/")
    assert "Öppna mötesförfrågningar" in page.content.decode()
    assert page.cookies["django_language"].value == "sv"


def test_the_cookie_still_decides_within_a_browser(client: Client, personas: Personas) -> None:
    personas.seller.language = "sv"
    personas.seller.save()
    client.force_login(personas.seller)
    client.cookies["django_language"] = "en"
    assert "Open meeting requests" in client.get("/home/").content.decode()


def test_an_anonymous_switch_changes_the_login_page_and_no_account(client: Client, personas: Personas) -> None:
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert response.status_code == 302
    assert "Logga in" in client.get("/").content.decode()
    personas.seller.refresh_from_db()
    assert personas.seller.language == ""


def test_an_unknown_language_is_not_stored(client: Client, personas: Personas) -> None:
    client.force_login(personas.seller)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/home/"})
    personas.seller.refresh_from_db()
    assert personas.seller.language == ""
