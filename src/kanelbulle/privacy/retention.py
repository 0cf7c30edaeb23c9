"""Retention review: contacts with no interaction for a configurable period are listed for review.

A review either renews the basis (recorded in the audit log, which restarts the clock) or erases.
The period is ``KANELBULLE_RETENTION_MONTHS`` (default 24) and is written into docs/privacy.md.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Greatest, TruncDate

from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.models import Contact
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings.models import Meeting, MeetingRequest

DEFAULT_MONTHS = 24


def retention_months() -> int:
    raw = os.environ.get("KANELBULLE_RETENTION_MONTHS", str(DEFAULT_MONTHS))
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"KANELBULLE_RETENTION_MONTHS must be a whole number of months, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Due:
    contact: Contact
    last_interaction: dt.date | None  # None: no interaction recorded at all
    idle_days: int | None


NEVER = dt.date(1, 1, 1)  # the last interaction of a contact with none recorded, in SQL (sorts first)


def cutoff_of(today: dt.date, months: int) -> dt.date:
    """The first day that still counts as recent: a contact whose last interaction is before it is due."""
    return today - dt.timedelta(days=round(months * 30.44))


def due_contacts(today: dt.date, months: int | None = None) -> QuerySet[Contact]:
    """Contacts whose last interaction is older than the period, or who have none recorded, as one
    SQL query: longest idle first (no interaction at all before any), then by ref; each row carries
    its ``last_touch`` (``NEVER`` when there is none). Page it (``core/paging.py``) or read it all.

    An interaction is a meeting the person attended, a meeting request or a gift of theirs, or a
    renewal of the basis after a review; for a contact entered by hand, its entry counts too (the
    business card was handed over then). The date a record was *imported* never counts: an import
    of old data keeps the old dates, so the right contacts are due at once.

    Which contacts are due is asked with indexed ``NOT EXISTS`` lookups (a recent meeting, request,
    gift, renewal or entry by hand), and the last interaction is computed for those rows only.
    Moments are compared by their date in UTC, as they are stored.
    """
    cutoff = cutoff_of(today, months or retention_months())
    since = dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC)  # a moment's UTC date >= cutoff
    contact = OuterRef("pk")
    # Found by the record's ref (index audit_ref): the action is compared as an expression so that
    # SQLite, without statistics, does not walk every entry of the action (audit_action_at) instead.
    audit = AuditEntry.objects.filter(kind="contact", ref=OuterRef("ref")).alias(
        act=Concat("action", Value(""), output_field=CharField())
    )
    attended = Meeting.contacts.through.objects.filter(contact=contact)
    requests = MeetingRequest.objects.filter(contact=contact)
    gifts = Gift.objects.filter(contact=contact)
    renewals = audit.filter(act="retention_renewed")
    by_hand = audit.filter(act="create")

    def latest(rows: QuerySet[Any], field: str) -> Subquery:
        return Subquery(rows.order_by().values("contact").annotate(last=Max(field)).values("last")[:1])

    def day(moment: Any) -> Coalesce:
        return Coalesce(TruncDate(moment, tzinfo=dt.UTC), Value(NEVER), output_field=DateField())

    entered = Case(When(Exists(by_hand), then="created_at"), default=None, output_field=DateTimeField())
    last_renewal = Subquery(renewals.order_by("-at").values("at")[:1])
    return (
        Contact.objects.select_related("customer")
        .filter(
            ~Exists(attended.filter(meeting__start__gte=since)),
            ~Exists(requests.filter(requested_at__gte=since)),
            ~Exists(gifts.filter(date__gte=cutoff)),
            ~Exists(renewals.filter(at__gte=since)),
            ~(Q(created_at__gte=since) & Exists(by_hand)),
        )
        .annotate(
            last_touch=Greatest(
                day(latest(attended, "meeting__start")),
                day(latest(requests, "requested_at")),
                Coalesce(latest(gifts, "date"), Value(NEVER), output_field=DateField()),
                day(last_renewal),
                day(entered),
                output_field=DateField(),
            )
        )
        .order_by("last_touch", "ref")
    )


def _due(contact: Contact, last: dt.date, today: dt.date) -> Due:
    if last == NEVER:
        return Due(contact, None, None)
    return Due(contact, last, (today - last).days)


def due_for_review(today: dt.date, months: int | None = None) -> list[Due]:
    """Every contact due for review (``due_contacts``), for `kanelbulle privacy retention` and the daily job."""
    return [_due(c, c.last_touch, today) for c in due_contacts(today, months)]  # type: ignore[attr-defined]


def due_keys(today: dt.date, months: int | None = None) -> list[tuple[int, dt.date]]:
    """The due contacts' ids and last interactions in review order: one query, whose length is the
    count; page it and read the page's contacts with ``due_rows`` (the review page)."""
    return list(due_contacts(today, months).values_list("pk", "last_touch"))  # type: ignore[misc]


def due_rows(keys: list[tuple[int, dt.date]], today: dt.date) -> list[Due]:
    """The contacts of some ``due_keys`` (a page of them), in their order, with one query."""
    contacts = Contact.objects.select_related("customer").in_bulk([pk for pk, _ in keys])
    return [_due(contacts[pk], last, today) for pk, last in keys if pk in contacts]
