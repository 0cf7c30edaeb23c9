"""Security defaults: the deployment checklist, login throttling, sessions, headers."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client

from tests.personas import PASSWORD, Personas
from tests.server import KANELBULLE, Installation


@pytest.mark.server
def test_production_settings_pass_the_deployment_checklist(kb: Installation) -> None:
    env = {**kb.env, "KANELBULLE_PRODUCTION": "true"}
    done = subprocess.run([KANELBULLE, "check", "--deploy", "--fail-level", "WARNING"], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.server
def test_without_production_settings_the_checklist_warns(kb: Installation) -> None:
    done = subprocess.run([KANELBULLE, "check", "--deploy", "--fail-level", "WARNING"], env=kb.env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0
    assert "SECURE_HSTS_SECONDS" in done.stdout + done.stderr


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_out(client: Client, personas: Personas) -> None:
    for _ in range(5):
        client.post("/", {"username": "anna", "password": "wrong"})
    locked = client.post("/", {"username": "anna", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_changing_the_password_ends_other_sessions(personas: Personas) -> None:
    phone, laptop = Client(), Client()
    phone.force_login(personas.seller)
    laptop.force_login(personas.seller)
    assert laptop.get("/home/").status_code == 200
    personas.seller.set_password("a-new-Passw0rd-2026")
    personas.seller.save()
    assert laptop.get("/home/").status_code == 302  # back to the login page


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["samesite"] == "Lax"


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(personas: Personas) -> None:
    assert personas.seller.password.startswith("argon2$argon2id$")
