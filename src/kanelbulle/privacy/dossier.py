"""Everything held about one person (GDPR Art. 15 access, Art. 20 portability).

It includes where each piece came from (source, date learned, lawful basis) and who it was shared
with (the sellers who met them, the users who viewed, exported or changed it, from the audit log).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from kanelbulle.core.access import unsaid_for
from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.models import Contact

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User


def dossier(contact: Contact, *, actor: User | None = None) -> dict[str, Any]:
    """The person's data as one JSON-ready document. The unsaid is only the actor's own (or all for the operator)."""
    customer = contact.customer
    meetings = []
    for meeting in contact.meetings.select_related("user").order_by("start"):
        entry: dict[str, Any] = {
            "ref": meeting.ref,
            "start": meeting.start.isoformat(),
            "modality": meeting.modality,
            "seller": meeting.user.username,
            "notes": meeting.notes,
        }
        unsaid = unsaid_for(actor, meeting)
        if unsaid:
            entry["unsaid"] = unsaid
        meetings.append(entry)
    gifts = [
        {
            "ref": g.ref,
            "direction": g.direction,
            "date": g.date.isoformat(),
            "description": g.description,
            "value": g.value.to_json() if g.value else None,
        }
        for g in contact.gifts.order_by("date", "ref")
    ]
    requests = [
        {"ref": r.ref, "requested_at": r.requested_at.isoformat(), "status": r.status}
        for r in contact.requests.order_by("requested_at")
    ]
    trail = AuditEntry.objects.filter(Q(kind="contact", ref=contact.ref)).select_related("actor").order_by("at", "id")
    return {
        "generated_at": timezone.now().isoformat(),
        "person": {
            "ref": contact.ref,
            "name": contact.name,
            "title": contact.title,
            "email": contact.email,
            "phone": contact.phone,
            "employer": {"ref": customer.ref, "name": customer.name, "country": customer.country},
            "lawful_basis": contact.lawful_basis,
            "source": contact.source,
            "recorded_at": contact.created_at.isoformat(),
        },
        "facts": [
            {
                "kind": f.kind,
                "text": f.text,
                "source": f.source,
                "learned": f.learned.isoformat(),
            }
            for f in contact.facts.order_by("learned", "position", "id")
        ],
        "meetings": meetings,
        "meeting_requests": requests,
        "gifts": gifts,
        "shared_with": sorted({m["seller"] for m in meetings} | {customer.owner.username}),
        "access_log": [
            {
                "at": a.at.isoformat(),
                "who": a.actor.username if a.actor else (a.actor_label or "operator"),
                "action": a.action,
            }
            for a in trail
        ],
    }
