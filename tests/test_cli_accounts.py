from __future__ import annotations

import pytest

from kanelbulle.accounts.models import ApiToken, User
from tests.cli import run

pytestmark = pytest.mark.django_db


def test_init_is_idempotent() -> None:
    first = run("init")
    second = run("init")
    assert first.code == 0 and second.code == 0
    assert "database ready" in second.out


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.code == 0
    for command in ("init", "serve", "user", "token"):
        assert f"  {command} " in result.out


def test_an_unknown_command_is_bad_usage() -> None:
    result = run("frobnicate")
    assert result.code == 2
    assert result.err_lines == ["unknown command 'frobnicate'; `kanelbulle --help` lists them"]


def test_user_create_with_password_from_stdin() -> None:
    result = run("user", "create", "anna", "--role", "seller", "--password-stdin", stdin="Kanelbulle-2026!\n")
    assert result.code == 0, result.err
    user = User.objects.get(username="anna")
    assert user.role == "seller"
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("Kanelbulle-2026!")


def test_user_create_refuses_a_duplicate_and_a_weak_password() -> None:
    run("user", "create", "anna", "--role", "seller")
    dup = run("user", "create", "anna", "--role", "manager")
    assert dup.code == 2
    assert dup.err_lines == ["a user named 'anna' already exists"]
    assert User.objects.get(username="anna").role == "seller"
    weak = run("user", "create", "bo", "--role", "seller", "--password-stdin", stdin="123\n")
    assert weak.code == 2
    assert any("password:" in line for line in weak.err_lines)
    assert not User.objects.filter(username="bo").exists()


def test_user_create_refuses_an_unknown_role() -> None:
    result = run("user", "create", "bo", "--role", "king")
    assert result.code == 2
    assert "invalid choice: 'king'" in result.err
    assert not User.objects.filter(username="bo").exists()


def test_token_create_prints_a_token_that_is_stored_hashed() -> None:
    run("user", "create", "anna", "--role", "seller")
    result = run("token", "create", "anna")
    assert result.code == 0
    raw = result.out.strip()
    assert raw.startswith("kb_") and len(raw) > 30
    token = ApiToken.objects.get()
    assert raw not in (token.key_hash, token.prefix)
    assert ApiToken.authenticate(raw) == User.objects.get(username="anna")
    assert ApiToken.authenticate(raw + "x") is None


def test_token_create_for_nobody_is_an_error() -> None:
    result = run("token", "create", "nobody")
    assert result.code == 2
    assert result.err_lines == ["no user named 'nobody'"]
    assert not ApiToken.objects.exists()
