"""Actions on customers, contacts and facts, called alike by pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.translation import gettext as _

from kanelbulle.core import gazetteer
from kanelbulle.core.access import require_edit, visible_customers
from kanelbulle.core.actions import apply_fields, audit, check_version, save_valid
from kanelbulle.core.refs import new_ref
from kanelbulle.customers import search
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.privacy import sensitive
from kanelbulle.privacy.models import SpecialCategoryException

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User

CUSTOMER_FIELDS = {
    "name", "org_number", "country", "city", "lat", "lon", "time_zone", "owner", "potential", "public_sector",
    "visit_minutes", "opening_hours", "accepts_gifts", "gift_max_amount", "gift_max_currency", "tender_open_until",
}  # fmt: skip
CONTACT_FIELDS = {"name", "title", "email", "phone", "lawful_basis", "source"}


def _locate(customer: Customer) -> None:
    """Fill coordinates and time zone from the offline gazetteer when they are missing."""
    if customer.lat is None or customer.lon is None:
        try:
            place = gazetteer.lookup(customer.city or "", customer.country or "")
        except gazetteer.UnknownPlace:
            raise ValidationError(
                {
                    "city": [
                        _("%(city)s is not a place the offline gazetteer knows; give latitude and longitude.")
                        % {"city": customer.city}
                    ]
                }
            ) from None
        customer.lat, customer.lon = place.lat, place.lon
        customer.time_zone = customer.time_zone or place.time_zone
    if not customer.time_zone:
        near = gazetteer.nearest(customer.lat, customer.lon, customer.country or None)
        customer.time_zone = near.time_zone if near else "UTC"


def customer_create(actor: User | None, **fields: Any) -> Customer:
    customer = Customer(ref=fields.pop("ref", None) or new_ref("customer"))
    owner = fields.pop("owner", None) or actor
    if owner is not None:
        customer.owner = owner
    apply_fields(customer, fields, CUSTOMER_FIELDS)
    with transaction.atomic():
        if customer.owner_id is not None:
            require_edit(actor, customer)
        _locate(customer)
        save_valid(customer)
        audit(actor, "create", customer)
    return customer


def customer_update(actor: User | None, customer: Customer, *, version: int | None = None, **fields: Any) -> Customer:
    require_edit(actor, customer)
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        check_version(locked, version)
        place_changed = {"city", "country"} & set(fields) and not {"lat", "lon"} & set(fields)
        changed = apply_fields(locked, fields, CUSTOMER_FIELDS)
        if "owner" in changed:
            require_edit(actor, locked)  # the new owner must be someone the actor may hand it to
        if not changed:
            return locked
        if place_changed:
            locked.lat = locked.lon = None  # type: ignore[assignment]
            locked.time_zone = ""
        _locate(locked)
        save_valid(locked)
        audit(actor, "update", locked, fields=changed)
    return locked


def customer_delete(actor: User | None, customer: Customer) -> None:
    require_edit(actor, customer)
    if customer.gifts.exists():
        raise ValidationError(_("This customer has gifts in the register, which must be kept; it cannot be deleted."))
    with transaction.atomic():
        audit(actor, "delete", customer, name=customer.name)
        customer.delete()


def contact_create(actor: User | None, customer: Customer, **fields: Any) -> Contact:
    require_edit(actor, customer)
    contact = Contact(ref=fields.pop("ref", None) or new_ref("contact"), customer=customer)
    apply_fields(contact, fields, CONTACT_FIELDS)
    with transaction.atomic():
        save_valid(contact)
        audit(actor, "create", contact)
    return contact


def contact_update(actor: User | None, contact: Contact, *, version: int | None = None, **fields: Any) -> Contact:
    require_edit(actor, contact.customer)
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        check_version(locked, version)
        changed = apply_fields(locked, fields, CONTACT_FIELDS)
        if changed:
            save_valid(locked)
            audit(actor, "update", locked, fields=changed)
    return locked


def contact_delete(actor: User | None, contact: Contact) -> None:
    require_edit(actor, contact.customer)
    with transaction.atomic():
        audit(actor, "delete", contact)
        contact.delete()


def fact_add(
    actor: User | None,
    contact: Contact,
    *,
    kind: str,
    text: str,
    source: str = "contact",
    learned: dt.date | None = None,
    exception: str | None = None,
    exception_note: str = "",
) -> Fact:
    """Add a human detail about a person ("Two schnauzers: Max and Moritz").

    A fact that seems to reveal a special category of personal data (GDPR Art. 9: health,
    religion, …) is refused unless ``exception`` names a documented Art. 9(2) exception
    (``sensitive.EXCEPTIONS``); the exception is then recorded beside the fact.
    """
    require_edit(actor, contact.customer)
    fact = Fact(
        contact=contact,
        kind=kind,
        text=text.strip(),
        source=source,
        learned=learned or timezone.localdate(),
    )
    found = sensitive.findings(fact.text)
    if exception and exception not in sensitive.EXCEPTIONS:
        raise ValidationError(
            {
                "exception": [
                    _("%(value)s is not a documented exception; use one of: %(codes)s.")
                    % {"value": exception, "codes": ", ".join(sensitive.EXCEPTIONS)}
                ]
            }
        )
    if found and not exception:
        raise ValidationError({"text": [f.message for f in found]})
    with transaction.atomic():
        save_valid(fact)
        if found and exception:
            SpecialCategoryException.objects.create(
                fact=fact,
                exception=exception,
                categories=sorted({f.category for f in found}),
                note=exception_note.strip()[:300],
                recorded_by=actor,
            )
        detail: dict[str, Any] = {"fact_kind": kind}
        if found and exception:
            detail["special_category_exception"] = exception
        audit(actor, "create", contact, **detail)
    return fact


def fact_delete(actor: User | None, fact: Fact) -> None:
    require_edit(actor, fact.contact.customer)
    with transaction.atomic():
        audit(actor, "delete", fact.contact, fact_kind=fact.kind)
        fact.delete()


# --- Finding customers (the list page, the type-ahead) -------------------------------------

SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "name": ("name",),
    "-name": ("-name",),
    "city": ("city", "name"),
    "owner": ("owner__name", "owner__username", "name"),
    "potential": ("-potential_rank", "name"),
    # Longest unmet first, never met at all before them; alike on SQLite and PostgreSQL.
    "last_met": (F("last_in_person").asc(nulls_first=True), "name"),
    "-last_met": (F("last_in_person").desc(nulls_last=True), "name"),
}


def find_customers(
    actor: User | None,
    *,
    query: str = "",
    owner: User | None = None,
    team: str = "",
    country: str = "",
    potential: str = "",
    public_sector: bool | None = None,
    not_met_days: int | None = None,
    sort: str = "name",
    today: dt.date | None = None,
) -> QuerySet[Customer]:
    """The customers the actor may see, searched, filtered and sorted (the customer list).

    The last in-person meeting is a correlated subquery read by the index on meetings (customer,
    modality, start), not a join grouped over every meeting: a page of 25 costs 25 index probes
    and its count none, whatever the size of the book.

    ``today`` is the day the list is seen as of (the page's ``today``): the meetings up to the end
    of that day count as met and "not met for N days" counts back from it; without it, from now.
    """
    from kanelbulle.meetings.models import Meeting, MeetingStatus, Modality

    if today is None:
        now = timezone.now()
    else:
        now = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    last_in_person = (
        Meeting.objects.filter(customer=OuterRef("pk"), modality=Modality.IN_PERSON, start__lte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-start")
        .values("start")[:1]
    )
    qs = visible_customers(actor).select_related("owner")
    qs = qs.annotate(
        last_in_person=Subquery(last_in_person),
        potential_rank=Case(
            *(When(potential=p, then=Value(i)) for i, p in enumerate(["unknown", "low", "medium", "high"])),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    if team:
        qs = qs.filter(owner__team=team)
    if country:
        qs = qs.filter(country=country.upper())
    if potential:
        qs = qs.filter(potential=potential)
    if public_sector is not None:
        qs = qs.filter(public_sector=public_sector)
    if not_met_days is not None:
        since = now - dt.timedelta(days=not_met_days)
        qs = qs.filter(Q(last_in_person__isnull=True) | Q(last_in_person__lt=since))
    if query.strip():
        # Every word in the customer's stored folded text (name, city, people, facts): SQL, no scan.
        qs = search.matching(qs, query)
    return qs.order_by(*SORTS.get(sort, SORTS["name"]))


# --- Choosing a customer (the meeting log's and the gift form's pickers) -------------------

SUGGESTIONS = 8  # the type-ahead's list, and a picker's search results without JavaScript
OWN_SHOWN = 12  # a picker's quick links to the viewer's own customers


def suggest(actor: User | None, query: str, *, limit: int = SUGGESTIONS) -> list[Customer]:
    """The first customers (by name) the actor may see whose words hold the query; none for no query."""
    if not query.strip():
        return []
    return list(search.matching(visible_customers(actor), query).order_by("name")[:limit])


def own_customers(actor: User | None, *, limit: int = OWN_SHOWN) -> tuple[list[Customer], int]:
    """The first of the actor's own customers by name, and how many they own: a picker shows a
    few and finds the rest by search, never the whole book."""
    if actor is None:
        return [], 0
    mine = visible_customers(actor).filter(owner=actor).order_by("name")
    shown = list(mine[:limit])
    return shown, (len(shown) if len(shown) < limit else mine.count())
