"""Erasure (GDPR Art. 17): the person's data goes, the business records stay, anonymised.

Facts, e-mail, phone and title are removed; the person's name is redacted from the notes of the
meetings and the descriptions of the gifts of their employer; the contact row goes, so meetings
and gifts keep only that *someone* was there. An ``Erasure`` record (no personal data) makes a
later import of an old export skip the person.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from kanelbulle.core.actions import audit
from kanelbulle.core.models import Erasure
from kanelbulle.customers.models import Contact
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings.models import Meeting

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User

REDACTED = "[…]"


def name_pattern(name: str) -> re.Pattern[str] | None:
    """The full name, then each part of two letters or more (Li, Wu), as whole words."""
    parts = [name.strip(), *[p for p in re.split(r"\s+", name.strip()) if len(p) >= 2]]
    parts = [p for p in dict.fromkeys(parts) if p]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in parts) + r")(?!\w)", re.IGNORECASE)


def redact(text: str, pattern: re.Pattern[str] | None) -> str:
    return pattern.sub(REDACTED, text) if pattern and text else text


def erase_contact(contact: Contact, *, actor: User | None = None) -> dict[str, int]:
    """Erase one person; returns what was touched (for the caller's message)."""
    pattern = name_pattern(contact.name)
    counts = {"facts": 0, "meetings_redacted": 0, "gifts_redacted": 0}
    with transaction.atomic():
        counts["facts"] = contact.facts.count()
        for meeting in Meeting.objects.filter(customer=contact.customer):
            notes, unsaid = redact(meeting.notes, pattern), redact(meeting.unsaid, pattern)
            if (notes, unsaid) != (meeting.notes, meeting.unsaid):
                Meeting.objects.filter(pk=meeting.pk).update(notes=notes, unsaid=unsaid, updated_at=timezone.now())
                counts["meetings_redacted"] += 1
        for gift in Gift.objects.filter(customer=contact.customer):
            description = redact(gift.description, pattern)
            if description != gift.description:
                Gift.objects.filter(pk=gift.pk).update(description=description, updated_at=timezone.now())
                counts["gifts_redacted"] += 1
        Erasure.objects.update_or_create(kind="contact", ref=contact.ref, defaults={"erased_at": timezone.now()})
        audit(actor, "erase", contact, **counts)
        contact.delete()
    return counts
