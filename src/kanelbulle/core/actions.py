"""What every action shares: validation, stale-write checks and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import DateField, Model

from kanelbulle.core.days import stored_year_ok
from kanelbulle.core.models import AuditEntry
from kanelbulle.core.problems import YEAR_RANGE

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User


class Conflict(Exception):
    """The record changed since the caller read it (answer 409; nothing was written)."""

    def __init__(self, ref: str, expected: int, actual: int) -> None:
        from django.utils.translation import gettext

        super().__init__(
            gettext("%(ref)s is at version %(actual)s, not %(expected)s: reload and try again")
            % {"ref": ref, "actual": actual, "expected": expected}
        )
        self.expected, self.actual = expected, actual


def check_version(obj: Any, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise Conflict(getattr(obj, "ref", str(obj.pk)), expected, obj.version)


def save_valid(obj: Model, exclude: list[str] | None = None) -> None:
    """full_clean then save: a ValidationError (field -> messages) leaves the database untouched.

    A date or datetime outside the years a record may hold (1900-2200, ``core.days``) is refused
    here with its field named, whichever way in (form, API, connector) set it.
    """
    years = {
        f.name: [str(YEAR_RANGE)]
        for f in obj._meta.concrete_fields
        if isinstance(f, DateField)
        and isinstance(value := getattr(obj, f.attname), dt.date)
        and not stored_year_ok(value)
    }
    if years:
        raise ValidationError(years)
    obj.full_clean(exclude=exclude)
    obj.save()


def audit(actor: User | None, action: str, obj: Any = None, **detail: Any) -> None:
    AuditEntry.objects.create(
        actor=actor,
        actor_label="" if actor is not None else "operator",
        action=action,
        kind=obj._meta.model_name if obj is not None else "",
        ref=getattr(obj, "ref", "") if obj is not None else "",
        detail=detail,
    )


def apply_fields(obj: Any, fields: dict[str, Any], allowed: set[str]) -> list[str]:
    """Set the allowed fields that differ; returns the names changed (for the audit trail)."""
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
    changed = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed
