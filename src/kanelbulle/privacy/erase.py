"""Erasure (GDPR Art. 17): the person's data goes, the business records stay, anonymised.

Facts, e-mail, phone and title are removed with the contact row, so meetings and gifts keep only
that *someone* was there. Every mention of the person in free text is redacted to ``[…]``
(``privacy/redact.py`` says what a mention is): in the employer's meeting notes and unsaid, next
steps, gift descriptions and their history, deal titles, the other contacts' titles, sources and
facts, and, anywhere in the book, the full name, e-mail and phone (other customers' records, the
gift policy's notes, the audit log, saved visit plans). ``FREE_TEXT`` lists every free-text field;
a test fails when a model gains one that is not listed here or in ``NOT_FREE_TEXT``.

The records changed are returned (kind, ref, owner, fields) for their owners' review, and the
audit entry of the erasure names them. An ``Erasure`` record (no personal data) makes a later
import of an old export skip the person and redact them from everything it brings
(``exchange/importer.py``); it also keeps which records the erasure changed, whose free text an
import of a document exported before the erasure never replaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from kanelbulle.core.actions import audit
from kanelbulle.core.models import AuditEntry, Erasure
from kanelbulle.customers import search
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.deals.models import Deal
from kanelbulle.gifts.models import Gift, GiftChange, GiftPolicy
from kanelbulle.insights.models import Snooze
from kanelbulle.meetings.models import Meeting
from kanelbulle.planner.models import VisitPlan
from kanelbulle.privacy.models import SpecialCategoryException
from kanelbulle.privacy.redact import REDACTED, Person, Redactor

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User

__all__ = ["FREE_TEXT", "NOT_FREE_TEXT", "REDACTED", "Changed", "erase_contact", "person_of"]


@dataclass(frozen=True)
class Target:
    """Free-text fields of one model, and how a row names its customer, its ref and its owner."""

    model: type[models.Model]
    kind: str
    customer: str | None  # lookup to the customer's id; None: not tied to one; "*by_ref": by (kind, ref)
    text: tuple[str, ...] = ()
    json: tuple[str, ...] = ()
    ref: str = "ref"
    owner: str | None = None  # lookup to the owner's username
    person: str | None = None  # lookup to the contact the row is about (the erased one's rows go anyway)


FREE_TEXT: tuple[Target, ...] = (
    Target(Meeting, "meeting", "customer_id", ("notes", "unsaid", "next_step"), owner="user__username"),
    Target(
        Gift,
        "gift",
        "customer_id",
        ("description", "occasion", "void_reason"),
        ("reasons", "etiquette"),
        owner="user__username",
    ),
    Target(
        GiftChange, "gift", "gift__customer_id", ("note",), ("changes",), ref="gift__ref", owner="gift__user__username"
    ),
    Target(Deal, "deal", "customer_id", ("title",), owner="user__username"),
    Target(Contact, "contact", "customer_id", ("title", "source"), owner="customer__owner__username", person="id"),
    Target(
        Fact,
        "contact",
        "contact__customer_id",
        ("text",),
        ref="contact__ref",
        owner="contact__customer__owner__username",
        person="contact_id",
    ),
    Target(
        SpecialCategoryException,
        "contact",
        "fact__contact__customer_id",
        ("note",),
        ref="fact__contact__ref",
        owner="fact__contact__customer__owner__username",
        person="fact__contact_id",
    ),
    Target(GiftPolicy, "gift_policy", None, ("note",), ref="version"),
    Target(
        VisitPlan,
        "visit_plan",
        None,
        (),
        ("base_problem", "problem", "plan", "values"),
        ref="id",
        owner="owner__username",
    ),
    Target(Snooze, "snooze", "customer_id", ("reason",), ref="id", owner="user__username"),
    # Tied to the customer through the record it names (kind, ref), not by a foreign key.
    Target(AuditEntry, "audit", "*by_ref", ("actor_label",), ("detail",), ref="id"),
)

# Text fields that hold no free text: codes, refs, names of users, places, keys.
NOT_FREE_TEXT = {
    "accounts.User": "password username first_name last_name email name role team home_city home_country "
    "time_zone language",
    "accounts.ApiToken": "name prefix key_hash",
    "accounts.CalendarToken": "name prefix key_hash",
    "accounts.CalendarImport": "uid",
    "core.ExchangeRate": "currency",
    "core.Erasure": "kind ref records",
    "core.AuditEntry": "action kind ref",
    # A customer's name is the company's, and another person's name is theirs.
    # Its search_text is derived from the name, city, people and facts (customers/search.py) and
    # recomputed from the records the erasure writes.
    "customers.Customer": "name ref org_number country city time_zone potential gift_max_currency opening_hours "
    "search_text",
    "customers.SourceId": "tool ident",  # another tool's id for the company
    "customers.Contact": "name ref email phone lawful_basis",
    "customers.Fact": "kind source",
    "meetings.Meeting": "ref modality status",
    "meetings.MeetingRequest": "ref status",
    "deals.Deal": "ref value_currency stage",
    "deals.Order": "ref value_currency",
    "gifts.Gift": "ref direction category value_currency value_company_currency verdict",
    "gifts.GiftPolicy": "currency never_categories",
    "gifts.GiftChange": "actor_label action",
    "privacy.SpecialCategoryException": "exception categories",
    "planner.VisitPlan": "pins removed meeting_refs",
    "planner.TravelPolicy": "data note",  # the company's travel figures, about no one
    "core.JobRecord": "key result",  # a background job's own bookkeeping (counts, dates)
    # A page's queued job: its key, what it computes (ids, dates), and the plan's or analysis's id
    # or the refusal's words (a customer's name at most, which is the company's).
    "core.PageJob": "key kind subject params language state result",
    # An analysis derived from the deals (counts, estimates, seller usernames) and its charts drawn
    # from them (estimates and labels, no free text); recomputed nightly.
    "evidence.StoredAnalysis": "scope since result job_key charts",
    # Derived relationship state (and the customer's name and ref, the company's): recomputed from the
    # records when the erasure writes them.
    "insights.CustomerState": "name ref team scope health_trend health_parts signals reasons",
    "insights.ScopeNorms": "scope norms",
    "insights.StateReason": "code",
}


@dataclass(frozen=True)
class Changed:
    """One record the erasure changed, for its owner's review (no personal data)."""

    kind: str
    ref: str
    owner: str
    fields: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref, "owner": self.owner, "fields": list(self.fields)}


def person_of(contact: Contact) -> Person:
    """What identifies the contact, and the words at their employer that belong to others."""
    from kanelbulle.accounts.models import User

    customer = contact.customer
    colleagues = list(customer.contacts.exclude(pk=contact.pk).values_list("name", flat=True))
    colleagues += [n for n in User.objects.values_list("name", flat=True) if n]
    namesakes = Contact.objects.exclude(pk=contact.pk).filter(name__iexact=contact.name.strip()).exists()
    return Person(
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        facts=list(contact.facts.values_list("text", flat=True)),
        country=customer.country,
        employer=f"{customer.name} {customer.city}",
        colleagues=colleagues,
        namesakes=namesakes,
    )


def _rows(target: Target, customer_id: int, near: bool, skip: Contact) -> Iterator[dict[str, Any]]:
    qs = target.model._default_manager.all()
    if target.person is not None:
        qs = qs.exclude(**{target.person: skip.pk})
    if target.customer == "*by_ref":
        about = _about_customer(customer_id)
        qs = qs.filter(about) if near else qs.exclude(about)
    elif target.customer is not None:
        qs = qs.filter(**{target.customer: customer_id}) if near else qs.exclude(**{target.customer: customer_id})
    elif near:
        return
    columns = ["pk", *target.text, *target.json]
    extra = [target.ref] + ([target.owner] if target.owner else [])
    yield from qs.order_by("pk").values(*columns, *extra).iterator(chunk_size=2000)


def _about_customer(customer_id: int) -> Q:
    """Audit entries about the customer or one of its records."""
    from kanelbulle.deals.models import Order
    from kanelbulle.meetings.models import MeetingRequest

    about = Q(kind="customer", ref__in=Customer.objects.filter(pk=customer_id).values("ref"))
    for model in (Contact, Meeting, MeetingRequest, Deal, Order, Gift):
        refs = model._default_manager.filter(customer_id=customer_id).values("ref")
        about |= Q(kind=model._meta.model_name, ref__in=refs)
    return about


def _redact_book(redactor: Redactor, customer: Customer, skip: Contact) -> list[Changed]:
    changed: list[Changed] = []
    for target in FREE_TEXT:
        has_stamp = any(f.name == "updated_at" for f in target.model._meta.get_fields())
        for near in (True, False):
            for row in _rows(target, customer.pk, near, skip):
                new: dict[str, Any] = {}
                for name in target.text:
                    value = row[name] or ""
                    red = redactor.within(value) if near else redactor.beyond(value)
                    if red != value:
                        new[name] = red
                for name in target.json:
                    red = redactor.walk(row[name], near=near)
                    if red != row[name]:
                        new[name] = red
                if not new:
                    continue
                update = dict(new, updated_at=timezone.now()) if has_stamp else new
                target.model._default_manager.filter(pk=row["pk"]).update(**update)
                owner = str(row[target.owner]) if target.owner and row[target.owner] else ""
                changed.append(Changed(target.kind, str(row[target.ref]), owner, tuple(sorted(new))))
    merged: dict[tuple[str, str], Changed] = {}
    for c in changed:
        before = merged.get((c.kind, c.ref))
        fields = tuple(sorted(set(c.fields) | set(before.fields))) if before else c.fields
        merged[(c.kind, c.ref)] = Changed(c.kind, c.ref, c.owner or (before.owner if before else ""), fields)
    return sorted(merged.values(), key=lambda c: (c.owner, c.kind, c.ref))


def erase_contact(contact: Contact, *, actor: User | None = None) -> dict[str, Any]:
    """Erase one person. Returns counts and ``changed``: the records redacted, for their owners' review."""
    customer = contact.customer
    with transaction.atomic():
        redactor = Redactor(person_of(contact))
        facts = contact.facts.count()
        changed = _redact_book(redactor, customer, contact)
        counts = {
            "facts": facts,
            "meetings_redacted": sum(1 for c in changed if c.kind == "meeting"),
            "gifts_redacted": len({c.ref for c in changed if c.kind == "gift"}),
            "records_redacted": len(changed),
        }
        records = sorted({f"{c.kind}:{c.ref}" for c in changed if c.kind in ("meeting", "gift", "deal", "contact")})
        Erasure.objects.update_or_create(
            kind="contact", ref=contact.ref, defaults={"erased_at": timezone.now(), "records": records}
        )
        audit(actor, "erase", contact, **counts, changed=[c.to_json() for c in changed])
        with search.batched():  # the facts redacted here and beyond: the customers' search words
            search.touch([customer.pk])
            refs = {c.ref for c in changed if c.kind == "contact"}
            search.touch(Contact.objects.filter(ref__in=refs).values_list("customer_id", flat=True))
            contact.delete()
    return {**counts, "changed": changed}
