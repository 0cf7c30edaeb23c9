"""Everything held about one person (GDPR Art. 15 access, Art. 20 portability).

It includes where each piece came from (source, date learned, lawful basis) and who it was shared
with (the sellers who met them, the users who viewed, exported or changed it, from the audit log).

The copy is the person's, so the command and the admin page give the same one: every meeting the
person attended with its notes *and* every author's unsaid (opinions about a person are personal
data about them; docs/privacy.md gives the reasoning), and, for the rights of others (Art.
15(4)), the names, e-mail addresses and phone numbers of the other people at the employer
redacted from the free text.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.models import Contact
from kanelbulle.privacy.redact import Person, Redactor


def _others(contact: Contact) -> list[Redactor]:
    """One redactor per other person at the employer: their name, e-mail and phone (not their facts)."""
    customer = contact.customer
    others = list(customer.contacts.exclude(pk=contact.pk))
    names = [contact.name, *(o.name for o in others)]
    return [
        Redactor(
            Person(
                name=o.name,
                email=o.email,
                phone=o.phone,
                country=customer.country,
                employer=f"{customer.name} {customer.city}",
                colleagues=[n for n in names if n != o.name],
            )
        )
        for o in others
    ]


def dossier(contact: Contact) -> dict[str, Any]:
    """The person's data as one JSON-ready document: what the person receives, whoever hands it over."""
    customer = contact.customer
    others = _others(contact)

    def theirs(text: str) -> str:
        for red in others:
            text = red.within(text)
        return text

    meetings = []
    for meeting in contact.meetings.select_related("user").order_by("start"):
        entry: dict[str, Any] = {
            "ref": meeting.ref,
            "start": meeting.start.isoformat(),
            "modality": meeting.modality,
            "seller": meeting.user.username,
            "notes": theirs(meeting.notes),
        }
        if meeting.unsaid:
            entry["unsaid"] = theirs(meeting.unsaid)
        meetings.append(entry)
    gifts = [
        {
            "ref": g.ref,
            "direction": g.direction,
            "date": g.date.isoformat(),
            "description": theirs(g.description),
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
