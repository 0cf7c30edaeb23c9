from __future__ import annotations

import pytest
from django.test import Client

from kanelbulle.accounts.models import ApiToken
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_anonymous_users_get_the_login_page_at_root(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_the_home_page_sends_anonymous_users_to_log_in(client: Client) -> None:
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=/home/")


def test_a_seller_logs_in_and_sees_home(client: Client, personas: Personas) -> None:
    response = client.post("/", {"username": "anna", "password": "kanelbulle-test-pw-1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/home/"
    assert "Hello, Anna Berg" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client: Client, personas: Personas) -> None:
    response = client.post("/", {"username": "anna", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_language_switch_turns_the_page_swedish(client: Client, personas: Personas) -> None:
    client.force_login(personas.seller)
    client.post("/i18n/setlang/", {"language": "sv", "next": "/home/"})
    page = client.get("/home/").content.decode()
    assert "Hej, Anna Berg" in page
    assert "Öppna mötesförfrågningar" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/home/"})
    assert "Open meeting requests" in client.get("/home/").content.decode()


def test_health_names_the_database(client: Client) -> None:
    from django.db import connection

    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "postgresql" if connection.vendor == "postgresql" else "sqlite",
    }


def test_the_openapi_document_is_served(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/health" in document["paths"]


def test_bearer_tokens_authenticate_and_bad_ones_are_401(client: Client, personas: Personas) -> None:
    assert client.get("/api/v1/me").status_code == 401
    token, raw = ApiToken.issue(personas.seller)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json() == {
        "username": "anna", "name": "Anna Berg", "role": "seller", "team": "north",
        "ref_prefix": f"u{personas.seller.pk}-",
    }  # fmt: skip
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}x"}).status_code == 401
    token.revoked_at = token.last_used_at
    token.save()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
