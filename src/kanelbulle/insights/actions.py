"""What a seller does with an attention item besides logging a meeting: snooze it until a day, or
wake it early. The page, the API and the tests call these alike."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import User
from kanelbulle.core.access import require_edit
from kanelbulle.customers.models import Customer
from kanelbulle.insights.models import CustomerState, Snooze


def snooze(actor: User, customer: Customer, *, until: dt.date | None, reason: str, today: dt.date) -> Snooze:
    """Take ``customer`` off its seller's list until ``until`` (after ``today``), saying why.

    It comes back on that day, or sooner if its priority rises above today's. Snoozing again
    replaces the earlier snooze.
    """
    require_edit(actor, customer)
    problems: dict[str, list[str]] = {}
    if until is None or until <= today:
        problems["until"] = [_("Until: choose a day after today.")]
    elif until > today + dt.timedelta(days=366):
        problems["until"] = [_("Until: at most a year ahead.")]
    if not reason.strip():
        problems["reason"] = [_("Reason: say why it can wait.")]
    if problems:
        raise ValidationError(problems)
    assert until is not None
    state = CustomerState.objects.filter(pk=customer.pk).values_list("priority", flat=True).first()
    with transaction.atomic():
        row, _created = Snooze.objects.update_or_create(
            customer=customer,
            defaults={"user": actor, "until": until, "reason": reason.strip()[:500], "priority": state or 0},
        )
    return row


def wake(actor: User, customer: Customer) -> bool:
    """End ``customer``'s snooze now, so it is back on its seller's list (same rule as snoozing).

    False when it was not snoozed; NotVisible or PermissionDenied as for ``snooze``.
    """
    require_edit(actor, customer)
    deleted, _kinds = Snooze.objects.filter(customer=customer).delete()
    return deleted > 0


def active_snoozes(customer_refs: list[str], today: dt.date) -> dict[str, Snooze]:
    """The snoozes still in force on ``today`` for these customers, by customer ref."""
    rows = Snooze.objects.filter(customer__ref__in=customer_refs, until__gt=today).select_related("customer", "user")
    return {s.customer.ref: s for s in rows}
