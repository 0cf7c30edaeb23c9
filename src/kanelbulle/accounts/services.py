"""Actions on users and tokens, shared by the CLI, the web app and the API.

A user who owns records cannot be deleted (their customers, meetings and gifts point at them and
the register must keep its history), so an admin deactivates them instead: they can no longer log
in, their API and calendar tokens are revoked, and their records stay.
"""

from __future__ import annotations

import math
import zoneinfo
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import ApiToken, CalendarToken, Role, User
from kanelbulle.core import gazetteer
from kanelbulle.core.actions import audit


def clean_email(raw: Any, user: User | None = None) -> tuple[str, str | None]:
    """A user's e-mail address as stored (domain in lower case) and the problem with it, if any.

    Empty means none. The format is Django's ``validate_email``; two users never share an address
    (a CSV owner or a digest must find exactly one)."""
    email = User.objects.normalize_email(str(raw or "").strip())
    if not email:
        return "", None
    try:
        validate_email(email)
    except ValidationError:
        return email, _("%(value)s is not an e-mail address") % {"value": email}
    others = User.objects.filter(email__iexact=email)
    other = (others.exclude(pk=user.pk) if user is not None else others).first()
    if other is not None:
        return email, _("%(value)s is already the address of %(user)s") % {"value": email, "user": other.username}
    return email, None


def user_create(
    *, username: str, role: str, password: str | None = None, name: str = "", team: str = "", email: str = ""
) -> User:
    """Add a user; a missing password leaves the account unable to log in until one is set."""
    problems: list[str] = []
    if role not in Role.values:
        problems.append(f"role must be one of {', '.join(Role.values)}, not {role!r}")
    if User.objects.filter(username=username).exists():
        problems.append(f"a user named {username!r} already exists")
    email, bad_email = clean_email(email)
    if bad_email:
        problems.append(f"email: {bad_email}")
    user = User(username=username, role=role, name=name, team=team, email=email, is_staff=role == Role.ADMIN)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        problems += [
            f"{field}: {' '.join(msgs)}"
            for field, msgs in exc.message_dict.items()
            if (field != "username" or not any("already exists" in m for m in msgs))
            and not (field == "email" and bad_email)
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


USER_FIELDS = {"name", "email", "role", "team", "home_city", "home_country", "home_lat", "home_lon", "time_zone"}
PLACE_FIELDS = {"home_city", "home_country", "home_lat", "home_lon"}


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin_role:
        raise PermissionDenied(_("only an admin may change users"))


def _coordinate(raw: Any, field: str, limit: float, problems: dict[str, list[str]]) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        problems.setdefault(field, []).append(
            _("%(value)s is not a coordinate between -%(limit)s and %(limit)s") % {"value": raw, "limit": int(limit)}
        )
        return None
    return value


def _home(user: User, fields: dict[str, Any], problems: dict[str, list[str]]) -> dict[str, Any]:
    """The home place from what was given: explicit lat and lon win; else the city is looked up in
    the offline gazetteer; an empty city and country clear the home place."""
    city = str(fields.get("home_city", user.home_city) or "").strip()
    country = str(fields.get("home_country", user.home_country) or "").strip().upper()
    raw_lat = fields.get("home_lat", user.home_lat)
    raw_lon = fields.get("home_lon", user.home_lon)
    lat = _coordinate(raw_lat, "home_lat", 90, problems)
    lon = _coordinate(raw_lon, "home_lon", 180, problems)
    if country and not gazetteer.is_country(country):
        problems.setdefault("home_country", []).append(
            _("%(code)s is not a country code such as SE or NO") % {"code": country}
        )
        return {}
    if (lat is None) != (lon is None) and "home_lat" not in problems and "home_lon" not in problems:
        problems.setdefault("home_lat" if lat is None else "home_lon", []).append(
            _("give both latitude and longitude, or neither to look the city up")
        )
        return {}
    if problems.keys() & {"home_lat", "home_lon"}:
        return {}
    zone: str | None = None
    if lat is not None and lon is not None:
        if city and not country:
            problems.setdefault("home_country", []).append(_("required with a home city"))
            return {}
        zone = gazetteer.zone_for(lat, lon, country) if country else None
    elif city:
        if not country:
            problems.setdefault("home_country", []).append(_("required with a home city"))
            return {}
        try:
            place = gazetteer.lookup(city, country)
        except gazetteer.UnknownPlace:
            problems.setdefault("home_city", []).append(
                _("%(city)s in %(country)s is not in the offline gazetteer: check the spelling or give latitude "
                  "and longitude") % {"city": city, "country": country}
            )  # fmt: skip
            return {}
        city, lat, lon, zone = place.name, place.lat, place.lon, place.time_zone  # as the gazetteer spells it
    elif country:
        problems.setdefault("home_city", []).append(_("required with a home country"))
        return {}
    return {"home_city": city, "home_country": country, "home_lat": lat, "home_lon": lon, "_zone": zone}


@transaction.atomic
def user_update(actor: User | None, user: User, **fields: Any) -> User:
    """Change a user's name, e-mail address, role, team, home place and time zone (admins only).

    The home place: a city and country are looked up in the offline gazetteer (which also gives
    the time zone when none is given), unless explicit lat and lon are given. An admin cannot take
    away their own admin role (nobody would be left to give it back). Raises ValidationError with
    the problems per field; nothing is stored then."""
    _require_admin(actor)
    unknown = set(fields) - USER_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("cannot be changed here")]})
    user = User.objects.select_for_update().get(pk=user.pk)
    problems: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "name" in fields:
        values["name"] = str(fields["name"] or "").strip()
    if "team" in fields:
        values["team"] = str(fields["team"] or "").strip()
    if "email" in fields:
        email, bad_email = clean_email(fields["email"], user)
        if bad_email:
            problems.setdefault("email", []).append(bad_email)
        else:
            values["email"] = email
    if "role" in fields:
        role = str(fields["role"] or "")
        if role not in Role.values:
            problems.setdefault("role", []).append(
                _("must be one of %(choices)s, not %(value)s") % {"choices": ", ".join(Role.values), "value": role}
            )
        elif actor is not None and actor.pk == user.pk and role != Role.ADMIN and user.role == Role.ADMIN:
            problems.setdefault("role", []).append(_("you cannot take away your own admin role"))
        else:
            values["role"] = role
    zone_from_place: str | None = None
    if fields.keys() & PLACE_FIELDS:
        home = _home(user, fields, problems)
        zone_from_place = home.pop("_zone", None)
        values |= home
    if "time_zone" in fields and str(fields["time_zone"] or "").strip():
        name = str(fields["time_zone"]).strip()
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.setdefault("time_zone", []).append(
                _("%(zone)s is not a time zone such as Europe/Stockholm") % {"zone": name}
            )
        else:
            values["time_zone"] = name
    elif zone_from_place:
        values["time_zone"] = zone_from_place
    if problems:
        raise ValidationError(problems)
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        old = getattr(user, name)
        if old != value:
            changes[name] = [old, value]
            setattr(user, name, value)
    if "role" in changes:
        user.is_staff = user.role == Role.ADMIN
    if not changes:
        return user
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    user.save()
    audit(actor, "user_update", user, username=user.username, changes=changes)
    return user


@transaction.atomic
def user_set_active(actor: User | None, user: User, active: bool) -> User:
    """Deactivate (the "delete" of a user who owns records) or reactivate a user (admins only).

    A deactivated user cannot log in, their sessions stop working (Django refuses an inactive
    user) and their API and calendar tokens are revoked for good: a reactivated user gets new
    ones. Their records stay. An admin cannot deactivate themselves."""
    _require_admin(actor)
    if not active and actor is not None and actor.pk == user.pk:
        raise ValidationError({"is_active": [_("you cannot deactivate yourself; ask another admin")]})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    revoked = 0
    if not active:
        now = timezone.now()
        revoked = ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=now)
        CalendarToken.objects.filter(user=user, revoked_at=None).update(revoked_at=now)
    audit(
        actor,
        "user_reactivate" if active else "user_deactivate",
        user,
        username=user.username,
        **({} if active else {"tokens_revoked": revoked}),
    )
    return user


def _checked_password(user: User, password: str, field: str) -> None:
    if not password:
        raise ValidationError({field: [_("Give a password.")]})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: list(exc.messages)}) from None


@transaction.atomic
def password_change(user: User, *, old_password: str, new_password: str) -> User:
    """A user changes their own password: the old one is asked, the new one must pass the
    password rules. Every session of theirs then ends (Django ties a session to the password
    hash); the page that called this keeps its own one (``update_session_auth_hash``)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("That is not your current password.")]})
    if new_password == old_password:
        raise ValidationError({"new_password": [_("Choose a password other than the current one.")]})
    _checked_password(user, new_password, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit(user, "password_change", user, username=user.username)
    return user


@transaction.atomic
def password_set(actor: User | None, user: User, new_password: str) -> User:
    """An admin (or the operator, from the command line) sets a user's password, e.g. when they
    forgot it. The user's sessions end; their API tokens stay (revoke them with
    ``kanelbulle token revoke`` if the account was misused)."""
    _require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    _checked_password(user, new_password, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit(actor, "password_reset", user, username=user.username)
    return user


def user_by_name(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError([_("no user named %(name)r") % {"name": username}])
    return user
