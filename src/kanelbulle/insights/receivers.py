"""Every write that touches a customer brings its stored relationship state up to date.

Model signals collect the customers a transaction touched; once it commits, their state is
recomputed (``state.update_customers``) in one go. Bulk writes that bypass signals (the importer,
queryset updates) call ``touch`` themselves.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

_pending = threading.local()
log = logging.getLogger(__name__)


def touch(customer_ids: Iterable[int | None]) -> None:
    """Mark customers changed: their state is recomputed when the current transaction commits
    (at once outside a transaction)."""
    ids = {pk for pk in customer_ids if pk is not None}
    if not ids:
        return
    waiting: set[int] | None = getattr(_pending, "ids", None)
    if waiting is not None and _registered():
        waiting.update(ids)
        return
    _pending.ids = set(ids)
    transaction.on_commit(_flush)


def _registered() -> bool:
    """Our callback still waits for the commit (a rollback drops it, and the set with it)."""
    return any(entry[1] is _flush for entry in transaction.get_connection().run_on_commit)


def _flush() -> None:
    """Runs after the commit: the write is stored whatever happens here. If the database went
    away in between (a restart), the answer must still say "stored" (a 503 would make a client
    without its own ref store it twice); the customers' state then catches up at the next refresh."""
    from kanelbulle.insights.state import update_customers

    ids: set[int] = getattr(_pending, "ids", None) or set()
    _pending.ids = None
    try:
        update_customers(ids)
    except (OperationalError, InterfaceError) as gone:
        log.warning("stored, but the state of customers %s is left to the next refresh: %s", sorted(ids), gone)


def _customer_of(instance: Any) -> int | None:
    name = type(instance).__name__
    if name == "Customer":
        return int(instance.pk) if instance.pk is not None else None
    if name == "Fact":
        try:  # a fact deleted with its contact: the contact's own deletion touches the customer
            return getattr(instance.contact, "customer_id", None)
        except ObjectDoesNotExist:
            return None
    return getattr(instance, "customer_id", None)


def _saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    touch([_customer_of(instance)])


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if type(instance).__name__ == "Customer":
        return  # its state goes with it
    touch([_customer_of(instance)])


def _people_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        touch([getattr(instance, "customer_id", None)])


def _user_saving(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """A seller moved to another team: their customers are judged in the new team from now on."""
    if instance.pk is None or (update_fields is not None and "team" not in update_fields):
        return  # a new user owns nothing yet; a log-in saves last_login only
    old = sender.objects.filter(pk=instance.pk).values_list("team", flat=True).first()
    if old is not None and old != instance.team:
        from kanelbulle.customers.models import Customer

        touch(Customer.objects.filter(owner_id=instance.pk).values_list("pk", flat=True))


def connect() -> None:
    from kanelbulle.customers.models import Contact, Customer, Fact
    from kanelbulle.deals.models import Deal, Order
    from kanelbulle.gifts.models import Gift
    from kanelbulle.meetings.models import Meeting, MeetingRequest

    for model in (Customer, Contact, Fact, Meeting, MeetingRequest, Deal, Order, Gift):
        post_save.connect(_saved, sender=model, dispatch_uid=f"state-save-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"state-delete-{model.__name__}")
    from django.contrib.auth import get_user_model

    pre_save.connect(_user_saving, sender=get_user_model(), dispatch_uid="state-user-team")
    m2m_changed.connect(_people_changed, sender=Meeting.contacts.through, dispatch_uid="state-meeting-people")
