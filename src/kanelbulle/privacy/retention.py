"""Retention review: contacts with no interaction for a configurable period are listed for review.

A review either renews the basis (recorded in the audit log, which restarts the clock) or erases.
The period is ``KANELBULLE_RETENTION_MONTHS`` (default 24) and is written into docs/privacy.md.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.db.models import Max

from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.models import Contact

DEFAULT_MONTHS = 24


def retention_months() -> int:
    raw = os.environ.get("KANELBULLE_RETENTION_MONTHS", str(DEFAULT_MONTHS))
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"KANELBULLE_RETENTION_MONTHS must be a whole number of months, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Due:
    contact: Contact
    last_interaction: dt.date
    idle_days: int


def due_for_review(today: dt.date, months: int | None = None) -> list[Due]:
    """Contacts whose last meeting, request, gift or renewal is older than the period."""
    months = months or retention_months()
    cutoff = today - dt.timedelta(days=round(months * 30.44))
    renewals = dict(
        AuditEntry.objects.filter(kind="contact", action="retention_renewed")
        .values("ref")
        .annotate(last=Max("at"))
        .values_list("ref", "last")
    )
    rows = Contact.objects.select_related("customer").annotate(
        last_meeting=Max("meetings__start"), last_request=Max("requests__requested_at"), last_gift=Max("gifts__date")
    )
    due = []
    for contact in rows:
        dates = [contact.created_at.date()]
        dates += [d.date() for d in (contact.last_meeting, contact.last_request, renewals.get(contact.ref)) if d]  # type: ignore[attr-defined]
        if contact.last_gift:  # type: ignore[attr-defined]
            dates.append(contact.last_gift)  # type: ignore[attr-defined]
        last = max(dates)
        if last < cutoff:
            due.append(Due(contact, last, (today - last).days))
    return sorted(due, key=lambda d: (-d.idle_days, d.contact.ref))
