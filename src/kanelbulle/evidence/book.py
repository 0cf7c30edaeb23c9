"""Read a team's book of business from the database, as the caller may see it, and analyse it.

Who sees what: the operator (``viewer=None``) and admins see every deal; a manager their team's
deals; a seller only their own. ``seller`` narrows further to one seller's deals. Amounts are
converted to the company currency at the rate of the record's date (a deal's close date, or its
creation while open; an order's date). A record whose amount cannot be converted (no rate for its
currency on that date) is never counted 1:1 and never breaks the team's analysis: it is left out
and listed in ``Book.left_out`` (and so in the result), for the page, the API and the command to say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanelbulle.core.access import scope
from kanelbulle.core.gazetteer import haversine_km
from kanelbulle.core.money import Money
from kanelbulle.core.rates import NoRate, RateBook
from kanelbulle.evidence.analysis import Book, CustomerIn, DealIn, LeftOut, MeetingIn, OrderIn, Result, analyse

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User
    from kanelbulle.deals.models import Deal


def sees_only_own(viewer: User | None) -> bool:
    """A seller's evidence is their own deals only; managers, admins and the operator see more."""
    return viewer is not None and not viewer.is_manager and not viewer.is_admin_role


def visible_deals(
    viewer: User | None, *, seller: User | None = None, since: dt.date | None = None, team: str | None = None
) -> QuerySet[Deal]:
    from kanelbulle.deals.models import Deal

    qs = scope(viewer, Deal.objects.all(), "customer__")
    if team is not None:  # a team's book, as its manager sees it (customers owned in the team)
        qs = qs.filter(customer__owner__team=team)
    if viewer is not None and sees_only_own(viewer):
        qs = qs.filter(user=viewer)
    if seller is not None:
        qs = qs.filter(user=seller)
    if since is not None:
        qs = qs.filter(created__gte=since)
    return qs


def load_book(
    viewer: User | None,
    *,
    seller: User | None = None,
    since: dt.date | None = None,
    today: dt.date | None = None,
    team: str | None = None,
) -> Book:
    from kanelbulle.deals.models import Order
    from kanelbulle.meetings.models import Meeting, MeetingStatus

    today = today or timezone.localdate()
    currency: str = settings.COMPANY_CURRENCY
    rates = RateBook()

    left_out: list[LeftOut] = []

    def company(amount: object, code: str, on: dt.date) -> object:
        money = Money(amount, code)  # type: ignore[arg-type]
        return rates.convert(money, currency, on).amount

    def converted(kind: str, ref: str, amount: object, code: str, on: dt.date) -> object | None:
        try:
            return company(amount, code, on)
        except (NoRate, ValueError):
            left_out.append(LeftOut(kind, ref, code, on))  # type: ignore[arg-type]
            return None

    deals_qs = visible_deals(viewer, seller=seller, since=since, team=team).select_related("customer", "user")
    deals: list[DealIn] = []
    customers: dict[int, CustomerIn] = {}
    for d in deals_qs:
        on = d.closed if d.stage != "open" and d.closed else d.created
        value = converted("deal", d.ref, d.value_amount, d.value_currency, on)
        if value is None:
            continue
        c = d.customer
        if c.pk not in customers:
            customers[c.pk] = CustomerIn(
                key=str(c.pk), potential=c.potential, public_sector=c.public_sector, country=c.country
            )
        seller_user = d.user
        distance = None
        if seller_user.home_lat is not None and seller_user.home_lon is not None:
            distance = haversine_km(seller_user.home_lat, seller_user.home_lon, c.lat, c.lon)
        deals.append(
            DealIn(
                key=d.ref,
                customer=str(c.pk),
                seller=seller_user.username,
                created=d.created,
                stage=d.stage,  # type: ignore[arg-type]
                closed=d.closed,
                value=value,  # type: ignore[arg-type]
                margin_pct=d.margin_pct,
                distance_km=distance,
            )
        )
    ids = list(customers)
    end_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    meetings = [
        MeetingIn(
            customer=str(cid),
            start=timezone.localtime(start),
            modality=modality,
            held=(status or (MeetingStatus.PLANNED if start > end_of_today else MeetingStatus.HELD))
            == MeetingStatus.HELD,
        )
        for cid, start, modality, status in Meeting.objects.filter(customer_id__in=ids, start__lte=end_of_today)
        .values_list("customer_id", "start", "modality", "status")
        .iterator()
    ]
    earliest = min((d.created for d in deals), default=today) - dt.timedelta(days=366)
    orders = []
    for cid, ref, day, amount, code in (
        Order.objects.filter(customer_id__in=ids, date__gte=earliest)
        .values_list("customer_id", "ref", "date", "value_amount", "value_currency")
        .iterator()
    ):
        value = converted("order", ref, amount, code, day)
        if value is not None:
            orders.append(OrderIn(str(cid), day, value))  # type: ignore[arg-type]
    return Book(
        deals=deals,
        meetings=meetings,
        customers=list(customers.values()),
        orders=orders,
        today=today,
        currency=currency,
        left_out=left_out,
    )


def evidence_for(
    viewer: User | None,
    *,
    seller: User | None = None,
    since: dt.date | None = None,
    today: dt.date | None = None,
    team: str | None = None,
) -> Result:
    """The analysis of the deals ``viewer`` may see (narrowed to ``seller``, ``team`` and ``since``)."""
    return analyse(load_book(viewer, seller=seller, since=since, today=today, team=team))


def scope_of(viewer: User) -> str:
    """The book a viewer's evidence page analyses, as a key its stored result is kept under:
    ``company`` (an admin), ``team:NAME`` (a manager of a team), ``user:ID`` (a seller's own deals,
    or a manager without a team). Everyone with the same key sees the same numbers."""
    if viewer.is_admin_role:
        return "company"
    if viewer.is_manager and viewer.team:
        return f"team:{viewer.team}"
    return f"user:{viewer.pk}"


def evidence_for_scope(key: str, *, since: dt.date | None, today: dt.date) -> Result:
    """The analysis of the book named by ``key`` (see ``scope_of``), as its viewers would get it."""
    from kanelbulle.accounts.models import User

    if key == "company":
        return evidence_for(None, since=since, today=today)
    kind, _sep, rest = key.partition(":")
    if kind == "team" and rest:
        return evidence_for(None, team=rest, since=since, today=today)
    if kind == "user" and rest.isdigit():
        user = User.objects.filter(pk=int(rest)).first()
        if user is not None:
            return evidence_for(user, since=since, today=today)
    raise LookupError(f"no evidence scope {key!r}")


def left_out_note(left_out: Sequence[LeftOut], shown: int = 10) -> str:
    """One sentence naming the records the analysis left out (empty when none), for pages and commands."""
    if not left_out:
        return ""
    refs = ", ".join(f"{r.ref} ({r.currency} {r.on.isoformat()})" for r in left_out[:shown])
    if len(left_out) > shown:
        refs += " " + _("and %(n)s more") % {"n": len(left_out) - shown}
    return ngettext(
        "%(n)s record left out: its amount cannot be converted to %(currency)s (no exchange rate): %(refs)s.",
        "%(n)s records left out: their amounts cannot be converted to %(currency)s (no exchange rate): %(refs)s.",
        len(left_out),
    ) % {"n": len(left_out), "currency": settings.COMPANY_CURRENCY, "refs": refs}
