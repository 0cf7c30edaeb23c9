"""Load the insights' dataclasses from the database: a few bulk queries, none per customer.

Scoped by who may see (decisions.md): a seller's list covers their own customers, a manager's
their team's, an admin's everything. The team's norms (share of meetings in person, the usual
time from a deal's creation to its close) are computed over the whole team even for one seller's
list. Amounts are converted to the company currency at the rate of the record's date; an amount
that cannot be converted is left out of sums and counted (never a silent 1:1).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet

from kanelbulle.accounts.models import Role, User
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.deals.models import Deal, Order
from kanelbulle.insights.data import (
    Book,
    ContactIn,
    CustomerIn,
    DealIn,
    FactIn,
    MeetingIn,
    OrderIn,
    RequestIn,
    TeamNorms,
)
from kanelbulle.meetings.models import Meeting, MeetingRequest, Modality

Converter = Callable[[Decimal, str, dt.date], Decimal | None]


def raw_rows(qs: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver gives them (no converters)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _aware(value: dt.datetime | str) -> dt.datetime:
    """SQLite hands back text in UTC; PostgreSQL an aware datetime."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def list_scope(user: User | None, prefix: str = "") -> Q:
    """Whose customers a user's attention list covers; None (the operator) covers all."""
    if user is None or user.is_admin_role:
        return Q()
    if user.role == Role.MANAGER and user.team:
        return Q(**{f"{prefix}owner__team": user.team})
    return Q(**{f"{prefix}owner": user})


def team_scope(user: User | None, prefix: str = "") -> Q:
    """The team whose norms the list is judged against."""
    if user is None or user.is_admin_role:
        return Q()
    if user.team:
        return Q(**{f"{prefix}owner__team": user.team})
    return Q(**{f"{prefix}owner": user})


def converter(currency: str) -> tuple[Converter, list[int]]:
    """A function turning an amount into ``currency`` on a date, or None when no rate is known.

    Uses ``kanelbulle.core.rates`` (all rates held in memory once); without it, only amounts
    already in the company currency can be used and the rest are counted as unconverted.
    """
    missed = [0]
    try:
        from kanelbulle.core.money import Money
        from kanelbulle.core.rates import NoRate, RateBook
    except ImportError:  # pragma: no cover - the rates module is part of the product
        rates = None
    else:
        rates = RateBook()
    cache: dict[tuple[str, dt.date], Decimal | None] = {}

    def convert(amount: Decimal, from_currency: str, on: dt.date) -> Decimal | None:
        if from_currency == currency:
            return amount
        if rates is None:
            missed[0] += 1
            return None
        key = (from_currency, on)
        if key not in cache:
            try:
                cache[key] = rates.convert(Money(Decimal(1_000_000), from_currency), currency, on).amount / 1_000_000
            except (NoRate, ValueError):
                cache[key] = None
        factor = cache[key]
        if factor is None:
            missed[0] += 1
            return None
        return (amount * factor).quantize(Decimal("0.01"))

    return convert, missed


Scope = Callable[[str], Q]


def load_norms(user: User | None, today: dt.date, year_days: int = 365, scope: Scope | None = None) -> TeamNorms:
    """The team's share of meetings in person (12 months) and median deal cycle, in two queries.

    ``scope`` (a prefix -> filter) replaces the user's team when given.
    """
    where = scope or (lambda prefix: team_scope(user, prefix))
    tz = ZoneInfo(settings.TIME_ZONE)
    since = dt.datetime.combine(today - dt.timedelta(days=year_days), dt.time(), tz)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tz)
    counts = (
        Meeting.objects.filter(where("customer__"), start__gte=since, start__lt=until)
        .exclude(status__in=["cancelled", "planned"])
        .aggregate(total=Count("id"), in_person=Count("id", filter=Q(modality=Modality.IN_PERSON)))
    )
    cycles = [
        (closed - created).days
        for created, closed in Deal.objects.filter(where("customer__"), closed__isnull=False, closed__lte=today)
        .exclude(stage="open")
        .values_list("created", "closed")
        if closed is not None and closed >= created
    ]
    return TeamNorms(
        in_person_share=counts["in_person"] / counts["total"] if counts["total"] else None,
        deal_cycle_days=int(statistics.median(cycles)) if cycles else None,
        closed_deals=len(cycles),
    )


def deal_changes() -> dict[str, dt.datetime]:
    """Deal ref -> when someone last changed the deal (app, API, CLI: its audit trail).

    Loading or importing a book is not movement: the importer bumps ``updated_at`` on every
    record it writes, so a freshly loaded deal would never look stalled. An imported audit log
    keeps its entries' own times, so changes made before an export still count.
    """
    from django.db.models import Max

    from kanelbulle.core.models import AuditEntry

    rows = AuditEntry.objects.filter(kind="deal", action="update").values("ref").annotate(last=Max("at"))
    return {row["ref"]: row["last"] for row in rows}


def load_book(user: User | None, today: dt.date) -> Book:
    """The part of the book ``user``'s attention list covers, as the insights' dataclasses."""
    return load_scope(lambda prefix: list_scope(user, prefix), today, load_norms(user, today))


def load_scope(scope: Scope, today: dt.date, norms: TeamNorms | None) -> Book:
    """The customers ``scope("")`` selects with everything of theirs (``scope(prefix)`` filters a
    related table by the path to its customer)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    currency = settings.COMPANY_CURRENCY
    cust = scope("")
    via = scope("customer__")

    refs: dict[int, str] = {}
    customers: list[CustomerIn] = []
    for pk, ref, name, owner, potential, created in (
        Customer.objects.filter(cust)
        .order_by("pk")
        .values_list("pk", "ref", "name", "owner__username", "potential", "created_at")
    ):
        refs[pk] = ref
        customers.append(CustomerIn(ref, name, owner, potential, created.astimezone(tz).date()))

    contact_refs: dict[int, str] = {}
    contacts: list[ContactIn] = []
    for pk, ref, customer_id, name in Contact.objects.filter(via).values_list("pk", "ref", "customer_id", "name"):
        contact_refs[pk] = ref
        contacts.append(ContactIn(ref, refs[customer_id], name))

    facts = [
        FactIn(refs[customer_id], contact_ref, kind, text)
        for customer_id, contact_ref, kind, text in Fact.objects.filter(scope("contact__customer__")).values_list(
            "contact__customer_id", "contact__ref", "kind", "text"
        )
    ]

    present: dict[int, list[str]] = defaultdict(list)
    through = Meeting.contacts.through.objects.filter(scope("meeting__customer__"))
    for meeting_id, contact_id in raw_rows(through.values_list("meeting_id", "contact_id")):
        present[meeting_id].append(contact_refs.get(contact_id, str(contact_id)))

    # The largest table: read without the ORM's per-value converters. Never the unsaid: it is
    # its author's alone.
    meetings = [
        MeetingIn(
            refs[customer_id],
            _aware(start).astimezone(tz),
            modality,
            bool(requested),
            tuple(present.get(pk, ())),
            notes or "",
            status or "",
        )
        for pk, customer_id, start, modality, requested, notes, status in raw_rows(
            Meeting.objects.filter(via).values_list(
                "pk", "customer_id", "start", "modality", "requested_by_customer", "notes", "status"
            )
        )
    ]

    requests = [
        RequestIn(
            refs[customer_id], at.astimezone(tz), status, contact_refs.get(contact_id, "") if contact_id else "", ref
        )
        for customer_id, at, status, contact_id, ref in MeetingRequest.objects.filter(via).values_list(
            "customer_id", "requested_at", "status", "contact_id", "ref"
        )
    ]

    convert, missed = converter(currency)
    moved = deal_changes()
    deals = [
        DealIn(
            ref,
            refs[customer_id],
            title,
            stage,
            created,
            closed,
            moved[ref].astimezone(tz).date() if ref in moved else None,
            convert(amount, cur, min(today, created)),
        )
        for ref, customer_id, title, stage, created, closed, amount, cur in Deal.objects.filter(via).values_list(
            "ref", "customer_id", "title", "stage", "created", "closed", "value_amount", "value_currency"
        )
    ]
    orders = [
        OrderIn(refs[customer_id], date, convert(amount, cur, date), margin)
        for customer_id, date, amount, cur, margin in Order.objects.filter(via).values_list(
            "customer_id", "date", "value_amount", "value_currency", "margin_pct"
        )
    ]
    return Book(
        customers,
        contacts,
        facts,
        meetings,
        requests,
        deals,
        orders,
        currency=currency,
        norms=norms,
        unconverted=missed[0],
    )
