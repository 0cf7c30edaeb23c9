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
    last_interaction: dt.date | None  # None: no interaction recorded at all
    idle_days: int | None


def due_for_review(today: dt.date, months: int | None = None) -> list[Due]:
    """Contacts whose last interaction is older than the period, or who have none recorded.

    An interaction is a meeting the person attended, a meeting request or a gift of theirs, or a
    renewal of the basis after a review; for a contact entered by hand, its entry counts too (the
    business card was handed over then). The date a record was *imported* never counts: an import
    of old data keeps the old dates, so the right contacts are due at once.
    """
    months = months or retention_months()
    cutoff = today - dt.timedelta(days=round(months * 30.44))

    def last_by_ref(**lookup: str) -> dict[str, dt.datetime]:
        rows = AuditEntry.objects.filter(kind="contact", **lookup).values("ref").annotate(last=Max("at"))
        return {r["ref"]: r["last"] for r in rows}

    renewals = last_by_ref(action="retention_renewed")
    by_hand = set(AuditEntry.objects.filter(kind="contact", action="create").values_list("ref", flat=True))
    rows = Contact.objects.select_related("customer").annotate(
        last_meeting=Max("meetings__start"), last_request=Max("requests__requested_at"), last_gift=Max("gifts__date")
    )
    due = []
    for contact in rows:
        entered = contact.created_at if contact.ref in by_hand else None
        stamps = (contact.last_meeting, contact.last_request, renewals.get(contact.ref), entered)  # type: ignore[attr-defined]
        dates = [d.date() for d in stamps if d]
        if contact.last_gift:  # type: ignore[attr-defined]
            dates.append(contact.last_gift)  # type: ignore[attr-defined]
        last = max(dates) if dates else None
        if last is None:
            due.append(Due(contact, None, None))
        elif last < cutoff:
            due.append(Due(contact, last, (today - last).days))
    return sorted(due, key=lambda d: (d.idle_days is not None, -(d.idle_days or 0), d.contact.ref))
