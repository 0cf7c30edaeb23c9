"""Passwords: a user changes their own (the old one asked, other sessions ended, this one kept);
an admin sets one on a page or with `kanelbulle user set-password`; `user deactivate` and
`user list` for the operator. Argon2 stays the hasher."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from kanelbulle.accounts.models import ApiToken, User
from kanelbulle.core.models import AuditEntry
from tests.cli import run
from tests.personas import PASSWORD, Personas, logged_in

pytestmark = pytest.mark.django_db

NEW = "Kanelbulle-2027-ny!"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Argon2 first as in production, so a password set here is hashed with it; the personas'
    # own hashes come from the fast hasher (any listed hasher verifies).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]


@pytest.fixture
def personas(db: None) -> Personas:
    from django.test import override_settings

    from tests.personas import make_personas

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return make_personas()


def has_password(username: str, password: str) -> bool:
    # hashers.check_password, not User.check_password: the latter re-hashes a fast test hash
    # with Argon2, which would itself end the user's sessions.
    return check_password(password, User.objects.get(username=username).password)


def change(client: Client, old: str, new: str, again: str | None = None) -> Any:
    return client.post("/account/password/", {"old_password": old, "new_password": new,
                                              "new_password_again": new if again is None else again})  # fmt: skip


def test_a_user_changes_their_own_password_and_only_this_session_stays(personas: Personas) -> None:
    laptop, phone = logged_in(personas.seller), logged_in(personas.seller)
    page = laptop.get("/account/password/")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.content.decode()
    done = change(laptop, PASSWORD, NEW)
    assert done.status_code == 302 and done["Location"] == "/home/"
    assert laptop.get("/home/").status_code == 200  # still logged in here
    assert phone.get("/home/").status_code == 302  # the other session ended
    anna = User.objects.get(username="anna")
    assert has_password("anna", NEW) and anna.password.startswith("argon2$argon2id$")
    assert AuditEntry.objects.filter(action="password_change", actor=anna).exists()


@pytest.mark.parametrize(
    ("old", "new", "again", "field"),
    [
        ("wrong-password", NEW, None, "old_password"),
        (PASSWORD, "123", None, "new_password"),
        (PASSWORD, NEW, NEW + "x", "new_password_again"),
        (PASSWORD, PASSWORD, None, "new_password"),
    ],
)
def test_a_refused_change_names_the_field_and_keeps_the_password(
    personas: Personas, old: str, new: str, again: str | None, field: str
) -> None:
    laptop, phone = logged_in(personas.seller), logged_in(personas.seller)
    refused = change(laptop, old, new, again)
    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == [field]
    assert has_password("anna", PASSWORD)
    assert phone.get("/home/").status_code == 200


def test_an_admin_sets_a_password_on_the_page_and_the_users_sessions_end(personas: Personas) -> None:
    annas_phone = logged_in(personas.seller)
    admin = logged_in(personas.admin)
    assert "/users/anna/password/" in admin.get("/users/").content.decode()
    done = admin.post("/users/anna/password/", {"new_password": NEW, "new_password_again": NEW})
    assert done.status_code == 302
    assert has_password("anna", NEW)
    assert annas_phone.get("/home/").status_code == 302
    assert admin.get("/users/").status_code == 200
    entry = AuditEntry.objects.get(action="password_reset")
    assert entry.actor == personas.admin and entry.detail["username"] == "anna"
    weak = admin.post("/users/anna/password/", {"new_password": "anna", "new_password_again": "anna"})
    assert weak.status_code == 400 and "new_password" in weak.context["form"].errors
    assert has_password("anna", NEW)


@pytest.mark.parametrize("caller", ["seller", "other_seller", "manager", "outsider"])
def test_nobody_but_an_admin_sets_another_users_password(personas: Personas, caller: str) -> None:
    client = logged_in(getattr(personas, caller))
    assert client.get("/users/anna/password/").status_code == 403
    refused = client.post("/users/anna/password/", {"new_password": NEW, "new_password_again": NEW})
    assert refused.status_code == 403
    assert has_password("anna", PASSWORD)


def test_set_password_from_stdin(personas: Personas) -> None:
    phone = logged_in(personas.seller)
    done = run("user", "set-password", "anna", "--password-stdin", stdin=NEW + "\n")
    assert done.code == 0, done.err
    assert done.out.strip() == "password set for anna; their sessions have ended"
    anna = User.objects.get(username="anna")
    assert has_password("anna", NEW) and anna.password.startswith("argon2$argon2id$")
    assert phone.get("/home/").status_code == 302
    assert AuditEntry.objects.filter(action="password_reset", actor=None, actor_label="operator").exists()


def test_set_password_refuses_bad_input_in_one_line_each(personas: Personas) -> None:
    weak = run("user", "set-password", "anna", "--password-stdin", stdin="123\n")
    assert weak.code == 2
    assert weak.err_lines and all(line.startswith("password: ") for line in weak.err_lines)
    nobody = run("user", "set-password", "zed", "--password-stdin", stdin=NEW + "\n")
    assert nobody.code == 2 and nobody.err_lines == ["no user named 'zed'"]
    empty = run("user", "set-password", "anna", "--password-stdin", stdin="\n")
    assert empty.code == 2 and empty.err_lines == ["--password-stdin: no password on stdin"]
    no_flag = run("user", "set-password", "anna")
    assert no_flag.code == 2
    assert has_password("anna", PASSWORD)


def test_deactivate_stops_login_and_revokes_tokens(personas: Personas) -> None:
    ApiToken.issue(personas.seller)
    phone = logged_in(personas.seller)
    done = run("user", "deactivate", "anna")
    assert done.code == 0, done.err
    assert "deactivated anna" in done.out
    assert not User.objects.get(username="anna").is_active
    assert ApiToken.objects.filter(user=personas.seller, revoked_at=None).count() == 0
    assert phone.get("/home/").status_code == 302
    assert run("user", "deactivate", "anna").out.strip() == "anna was already deactivated"
    assert run("user", "deactivate", "zed").err_lines == ["no user named 'zed'"]
    assert run("user", "reactivate", "anna").code == 0
    assert User.objects.get(username="anna").is_active


def test_user_list_as_text_and_json(personas: Personas) -> None:
    run("user", "deactivate", "olle")
    listed = run("user", "list", "--json")
    assert listed.code == 0, listed.err
    rows = {row["username"]: row for row in json.loads(listed.out)}
    assert set(rows) == {"anna", "bertil", "maria", "adam", "olle"}
    assert rows["anna"] == {"username": "anna", "name": "Anna Berg", "role": "seller", "team": "north",
                            "active": True, "can_log_in": True, "last_login": None}  # fmt: skip
    assert rows["olle"]["active"] is False
    text = run("user", "list")
    assert text.code == 0
    lines = {line.split()[0]: line for line in text.out.splitlines()}
    assert "deactivated" in lines["olle"] and "manager" in lines["maria"]
