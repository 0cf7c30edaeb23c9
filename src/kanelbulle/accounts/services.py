"""Actions on users and tokens, shared by the CLI, the web app and the API."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kanelbulle.accounts.models import ApiToken, Role, User


def user_create(*, username: str, role: str, password: str | None = None, name: str = "", team: str = "") -> User:
    """Add a user; a missing password leaves the account unable to log in until one is set."""
    problems: list[str] = []
    if role not in Role.values:
        problems.append(f"role must be one of {', '.join(Role.values)}, not {role!r}")
    if User.objects.filter(username=username).exists():
        problems.append(f"a user named {username!r} already exists")
    user = User(username=username, role=role, name=name, team=team, is_staff=role == Role.ADMIN)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        problems += [
            f"{field}: {' '.join(msgs)}"
            for field, msgs in exc.message_dict.items()
            if field != "username" or not any("already exists" in m for m in msgs)
        ]
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            problems += [f"password: {m}" for m in exc.messages]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
    return user


def token_create(*, username: str, name: str = "") -> tuple[ApiToken, str]:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError([f"no user named {username!r}"])
    return ApiToken.issue(user, name)
