"""Admins change users in the browser: name, role, team, home place (looked up offline), time zone,
and deactivation, which is how a user with records is "deleted": no log-in, tokens revoked,
records kept. Nobody else may, and an admin cannot lock themselves out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kanelbulle.accounts.models import ApiToken, User
from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.models import Customer
from tests.personas import PASSWORD, Personas, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def body(user: User, **kw: Any) -> dict[str, Any]:
    user.refresh_from_db()
    out: dict[str, Any] = {
        "name": user.name,
        "role": user.role,
        "team": user.team,
        "home_city": user.home_city,
        "home_country": user.home_country,
        "home_lat": "" if user.home_lat is None else repr(user.home_lat),
        "home_lon": "" if user.home_lon is None else repr(user.home_lon),
        "time_zone": user.time_zone,
    }
    if user.is_active:
        out["is_active"] = "on"
    out.update(kw)
    return {k: v for k, v in out.items() if v is not None}


def field_errors(html: str, name: str) -> str:
    m = re.search(rf'id="id_{name}_errors"[^>]*>(.*?)</div>', html, re.S)
    return m.group(1) if m else ""


def row(user: User) -> tuple[Any, ...]:
    u = User.objects.get(pk=user.pk)
    return (u.name, u.role, u.team, u.home_city, u.home_country, u.home_lat, u.home_lon, u.time_zone, u.is_active)


def test_an_admin_moves_a_seller_to_lulea_and_the_place_is_looked_up(personas: Personas) -> None:
    adam = logged_in(personas.admin)
    users = adam.get("/users/").content.decode()
    assert 'href="/users/anna/edit/"' in users and 'href="/users/anna/active/"' in users
    page = adam.get("/users/anna/edit/")
    assert page.status_code == 200 and 'value="Anna Berg"' in page.content.decode()
    r = adam.post(
        "/users/anna/edit/", body(personas.seller, name="Anna Nord", team="south", role="manager", home_city="lulea")
    )
    assert r.status_code == 302 and r["Location"] == "/users/"
    anna = User.objects.get(username="anna")
    assert (anna.name, anna.team, anna.role) == ("Anna Nord", "south", "manager")
    assert (anna.home_city, anna.home_country) == ("Luleå", "SE")
    assert anna.home_lat is not None and anna.home_lon is not None
    assert abs(anna.home_lat - 65.58) < 0.1 and abs(anna.home_lon - 22.15) < 0.1  # Luleå, not Stockholm
    assert anna.time_zone == "Europe/Stockholm"
    entry = AuditEntry.objects.filter(action="user_update").get()
    assert entry.actor == personas.admin and entry.detail["username"] == "anna"
    assert entry.detail["changes"]["team"] == ["north", "south"]


def test_explicit_coordinates_place_a_home_the_gazetteer_does_not_know(personas: Personas) -> None:
    r = logged_in(personas.admin).post(
        "/users/bertil/edit/",
        body(personas.other_seller, home_city="Lillbyn", home_lat="65.9", home_lon="21.5", time_zone="Europe/Oslo"),
    )
    assert r.status_code == 302
    bertil = User.objects.get(username="bertil")
    assert (bertil.home_city, bertil.home_lat, bertil.home_lon, bertil.time_zone) == (
        "Lillbyn", 65.9, 21.5, "Europe/Oslo"
    )  # fmt: skip


def test_a_bad_home_place_names_the_field_and_nothing_is_stored(personas: Personas) -> None:
    before = row(personas.seller)
    adam = logged_in(personas.admin)
    r = adam.post("/users/anna/edit/", body(personas.seller, name="Anna Ny", home_city="Atlantis"))
    assert r.status_code == 400
    html = r.content.decode()
    assert "Atlantis in SE is not in the offline gazetteer" in field_errors(html, "home_city")
    assert 'value="Anna Ny"' in html and 'value="Atlantis"' in html  # what was typed is kept
    r = adam.post("/users/anna/edit/", body(personas.seller, home_country="XX", time_zone="Mars/Olympus"))
    html = r.content.decode()
    assert r.status_code == 400 and "XX is not a country code" in field_errors(html, "home_country")
    assert "Mars/Olympus is not a time zone" in field_errors(html, "time_zone")
    r = adam.post("/users/anna/edit/", body(personas.seller, home_lat="95", home_lon="18"))
    assert r.status_code == 400 and field_errors(r.content.decode(), "home_lat")
    assert row(personas.seller) == before


def test_a_bad_home_place_is_reported_in_swedish(personas: Personas) -> None:
    adam = logged_in(personas.admin)
    adam.post("/i18n/setlang/", {"language": "sv", "next": "/home/"})
    r = adam.post("/users/anna/edit/", body(personas.seller, home_city="Atlantis"))
    assert r.status_code == 400
    assert "finns inte i" in field_errors(r.content.decode(), "home_city")


def test_nobody_but_an_admin_may_change_users(personas: Personas, client: Client) -> None:
    before = row(personas.seller)
    for who in (personas.seller, personas.other_seller, personas.manager, personas.outsider):
        c = logged_in(who)
        assert c.get("/users/anna/edit/").status_code == 403
        assert c.post("/users/anna/edit/", body(personas.seller, team="south")).status_code == 403
        assert c.get("/users/anna/active/").status_code == 403
        assert c.post("/users/anna/active/", {"active": "no"}).status_code == 403
    r = client.post("/users/anna/active/", {"active": "no"})
    assert r.status_code == 302 and r["Location"].startswith("/?next=")
    assert logged_in(personas.admin).get("/users/nobody/edit/").status_code == 404
    assert row(personas.seller) == before


def test_an_admin_cannot_deactivate_themselves_or_drop_their_own_admin_role(personas: Personas) -> None:
    adam = logged_in(personas.admin)
    page = adam.get("/users/adam/active/").content.decode()
    assert "cannot deactivate yourself" in page and 'name="active"' not in page
    r = adam.post("/users/adam/active/", {"active": "no"})
    assert r.status_code == 400 and "cannot deactivate yourself" in r.content.decode()
    r = adam.post("/users/adam/edit/", body(personas.admin, is_active=None, name="Adam Gone"))
    assert r.status_code == 400 and "cannot deactivate yourself" in field_errors(r.content.decode(), "is_active")
    r = adam.post("/users/adam/edit/", body(personas.admin, role="seller"))
    assert r.status_code == 400 and "your own admin role" in field_errors(r.content.decode(), "role")
    adam_now = User.objects.get(username="adam")
    assert adam_now.is_active and adam_now.role == "admin" and adam_now.name == "Adam Admin"


def test_a_deactivated_user_cannot_log_in_their_token_is_401_and_their_records_stay(
    personas: Personas, client: Client
) -> None:
    customer = Customer.objects.create(
        ref="c-anna-1", name="Kiruna Gruv AB", country="SE", city="Kiruna", lat=67.85, lon=20.22,
        time_zone="Europe/Stockholm", owner=personas.seller,
    )  # fmt: skip
    _token, raw = ApiToken.issue(personas.seller)
    bearer = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    session = logged_in(personas.seller)
    adam = logged_in(personas.admin)
    r = adam.post("/users/anna/active/", {"active": "no"}, follow=True)
    assert "anna is deactivated" in r.content.decode()
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert ApiToken.objects.get(user=personas.seller).revoked_at is not None
    assert session.get("/home/").status_code == 302  # the open session stops working
    refused = client.post("/", {"username": "anna", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert Customer.objects.get(pk=customer.pk).owner_id == personas.seller.pk
    assert AuditEntry.objects.filter(action="user_deactivate", detail__username="anna").exists()
    # Reactivated: she logs in again; the revoked token stays revoked.
    assert adam.post("/users/anna/active/", {"active": "yes"}).status_code == 302
    back = Client().post("/", {"username": "anna", "password": PASSWORD}, follow=True)
    assert back.redirect_chain[-1][0] == "/home/"
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_deactivating_from_the_edit_form_and_a_bad_answer(personas: Personas) -> None:
    adam = logged_in(personas.admin)
    assert adam.post("/users/anna/active/", {"active": "maybe"}).status_code == 400
    assert User.objects.get(username="anna").is_active
    assert adam.post("/users/bertil/edit/", body(personas.other_seller, is_active=None)).status_code == 302
    bertil = User.objects.get(username="bertil")
    assert not bertil.is_active
    assert "Reactivate" in adam.get("/users/").content.decode()
