"""Export the book of business in the exchange format (``kanelbulle/1``).

Deterministic: records sorted by ref (users by username), optional fields left out when
empty, datetimes in the customer's own time zone with its offset, so that export, import into
an empty database and export again give the same document apart from ``exported_at``.
As a user (``--as``), only what that user may see, and no one else's ``unsaid``. The audit log
is admin information: only the operator's export carries it.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal
from functools import cache
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kanelbulle.accounts.models import User
from kanelbulle.core.models import AuditEntry, Erasure
from kanelbulle.core.money import Money
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.deals.models import Deal, Order
from kanelbulle.exchange.schema import AUDIT_LOG, FORMAT, IMPORT_ACTIONS, TRAVEL_POLICIES
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings.models import Meeting, MeetingRequest


@cache
def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _when(value: dt.datetime, zone: str) -> str:
    return value.astimezone(_zone(zone)).isoformat()


def _pct(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{value:.2f}"


def _money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    if amount is None:
        return None
    return Money(Decimal(amount), currency).to_json()


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Optional fields are left out when empty."""
    if value is None or value == "" or value == []:
        return
    out[key] = value


def visible_customers(user: User | None) -> QuerySet[Customer]:
    """decisions.md: the operator and admins see all; others their team's customers, or only their own."""
    qs = Customer.objects.all()
    if user is None or user.is_admin_role:
        return qs
    if user.team:
        return qs.filter(owner__team=user.team)
    return qs.filter(owner=user)


def export_document(*, as_user: User | None = None) -> dict[str, Any]:
    """The whole book (or what ``as_user`` may see) as one exchange document."""
    visible = visible_customers(as_user)
    customers = list(visible.select_related("owner").order_by("ref"))
    zone_of = {c.pk: c.time_zone for c in customers}
    ref_of = {c.pk: c.ref for c in customers}
    everything = as_user is None or as_user.is_admin_role

    def of_customers(qs: QuerySet[Any], via: str = "customer") -> QuerySet[Any]:
        # A subquery, not a list of ids: a big book would overflow SQLite's parameter limit.
        return qs if everything else qs.filter(**{f"{via}__in": visible.values("pk")})

    contacts = list(of_customers(Contact.objects.all()).order_by("ref"))
    contact_ref = {c.pk: c.ref for c in contacts}
    facts: dict[int, list[Fact]] = {}
    facts_qs = of_customers(Fact.objects.all(), "contact__customer").select_related("special_category_exception")
    for fact in facts_qs.order_by("contact_id", "position", "id"):
        facts.setdefault(fact.contact_id, []).append(fact)
    meetings = list(of_customers(Meeting.objects.all()).select_related("user").order_by("ref"))
    meeting_ref = {m.pk: m.ref for m in meetings}
    links: dict[int, list[str]] = {}
    through = Meeting.contacts.through
    for mid, cref in (
        of_customers(through.objects.all(), "meeting__customer")
        .values_list("meeting_id", "contact__ref")
        .order_by("contact__ref")
    ):
        links.setdefault(mid, []).append(cref)
    requests = list(of_customers(MeetingRequest.objects.all()).order_by("ref"))
    deals = list(of_customers(Deal.objects.all()).select_related("user").order_by("ref"))
    orders = list(of_customers(Order.objects.all()).order_by("ref"))
    gifts = list(of_customers(Gift.objects.all()).select_related("user", "approved_by", "voided_by").order_by("ref"))

    users_qs = User.objects.all()
    if not everything:
        assert as_user is not None
        names = {as_user.username}
        names.update(c.owner.username for c in customers)
        names.update(m.user.username for m in meetings)
        names.update(d.user.username for d in deals)
        for g in gifts:
            names.update(u.username for u in (g.user, g.approved_by, g.voided_by) if u is not None)
        team = Q(team=as_user.team) if as_user.team else Q(pk=as_user.pk)
        users_qs = users_qs.filter(Q(username__in=names) | team)

    doc: dict[str, Any] = {"format": FORMAT, "exported_at": timezone.localtime().isoformat(timespec="seconds")}
    doc["users"] = [_user(u) for u in users_qs.order_by("username")]
    doc["customers"] = [_customer(c) for c in customers]
    doc["contacts"] = [_contact(c, ref_of, facts.get(c.pk, [])) for c in contacts if c.customer_id in ref_of]
    doc["meetings"] = [
        _meeting(m, ref_of, zone_of, links.get(m.pk, []), as_user) for m in meetings if m.customer_id in ref_of
    ]
    doc["meeting_requests"] = [_request(r, ref_of, zone_of, contact_ref, meeting_ref) for r in requests]
    doc["deals"] = [_deal(d, ref_of) for d in deals]
    doc["orders"] = [_order(o, ref_of) for o in orders]
    doc["gifts"] = [_gift(g, ref_of, zone_of, contact_ref) for g in gifts]
    erasures = [
        {"kind": e.kind, "ref": e.ref, "erased_at": e.erased_at.astimezone(dt.UTC).isoformat()}
        | ({"records": list(e.records)} if e.records else {})
        for e in Erasure.objects.order_by("kind", "ref")
    ]
    _put(doc, "erasures", erasures)
    _put(doc, TRAVEL_POLICIES, travel_policies())
    if as_user is None:
        _put(doc, AUDIT_LOG, audit_log())
    return doc


def travel_policies() -> list[dict[str, Any]]:
    """Every stored version of the travel policy (company figures, no personal data), oldest first."""
    from kanelbulle.planner.models import TravelPolicy

    out = []
    for p in TravelPolicy.objects.order_by("version"):
        row: dict[str, Any] = {"version": p.version, "valid_from": p.valid_from.isoformat()}
        _put(row, "note", p.note)
        row["policy"] = p.data
        out.append(row)
    return out


def audit_log() -> list[dict[str, Any]]:
    """Every audit entry but the import's own notes, oldest first (ties in the order written).

    Times in UTC with their microseconds (an entry is matched by its time on import); ``detail``
    with its keys sorted, so SQLite and PostgreSQL (jsonb reorders keys) export the same text.
    """
    rows = (
        AuditEntry.objects.exclude(action__in=IMPORT_ACTIONS)
        .order_by("at", "id")
        .values_list("at", "actor__username", "actor_label", "action", "kind", "ref", "detail")
    )
    out: list[dict[str, Any]] = []
    for at, username, label, action, kind, ref, detail in rows.iterator(chunk_size=2000):
        entry: dict[str, Any] = {"at": at.astimezone(dt.UTC).isoformat()}
        _put(entry, "who", username or label)
        entry["action"] = action
        _put(entry, "kind", kind)
        _put(entry, "ref", ref)
        if detail:
            normal = json.loads(json.dumps(detail, sort_keys=True))
            entry["detail"] = normal if isinstance(normal, dict) else {"value": normal}
        out.append(entry)
    return out


def _user(u: User) -> dict[str, Any]:
    out: dict[str, Any] = {"username": u.username, "name": u.name, "role": u.role}
    _put(out, "team", u.team)
    _put(out, "email", u.email)
    if u.home_city and u.home_country:
        home: dict[str, Any] = {"city": u.home_city, "country": u.home_country}
        if u.home_lat is not None and u.home_lon is not None:
            home.update(lat=u.home_lat, lon=u.home_lon)
        out["home"] = home
    return out


def _customer(c: Customer) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": c.ref,
        "name": c.name,
    }
    _put(out, "org_number", c.org_number)
    out |= {
        "country": c.country,
        "city": c.city,
        "lat": c.lat,
        "lon": c.lon,
        "owner": c.owner.username,
        "potential": c.potential,
        "public_sector": c.public_sector,
        "time_zone": c.time_zone,
        "visit_minutes": c.visit_minutes,
    }
    if c.opening_hours is not None:
        out["opening_hours"] = c.opening_hours
    if c.accepts_gifts is not None:
        policy: dict[str, Any] = {"accepts_gifts": c.accepts_gifts}
        _put(policy, "max_value", _money(c.gift_max_amount, c.gift_max_currency))
        out["gift_policy"] = policy
    if c.tender_open_until is not None:
        out["tender_open_until"] = c.tender_open_until.isoformat()
    return out


def _fact(f: Fact) -> dict[str, Any]:
    fact = {"kind": f.kind, "text": f.text, "source": f.source, "learned": f.learned.isoformat()}
    # A fact kept under a documented GDPR Art. 9(2) exception carries it, so a restore keeps it.
    exception = getattr(f, "special_category_exception", None)
    if exception is not None:
        fact["special_category_exception"] = exception.exception
    return fact


def _contact(c: Contact, ref_of: dict[int, str], facts: list[Fact]) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": c.ref, "customer": ref_of[c.customer_id], "name": c.name}
    _put(out, "title", c.title)
    _put(out, "email", c.email)
    _put(out, "phone", c.phone)
    out["lawful_basis"] = c.lawful_basis
    out["source"] = c.source  # even empty: left out, the import would say "import" (not a round trip)
    _put(
        out,
        "facts",
        [_fact(f) for f in facts],
    )
    return out


def _meeting(
    m: Meeting, ref_of: dict[int, str], zone_of: dict[int, str], contacts: list[str], as_user: User | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": m.ref, "customer": ref_of[m.customer_id]}
    _put(out, "contacts", contacts)
    out.update(
        user=m.user.username,
        start=_when(m.start, zone_of[m.customer_id]),
        duration_minutes=m.duration_minutes,
        modality=m.modality,
        requested_by_customer=m.requested_by_customer,
    )
    _put(out, "notes", m.notes)
    # The unsaid is its author's alone: an export as someone else leaves it out.
    if as_user is None or m.user_id == as_user.pk:
        _put(out, "unsaid", m.unsaid)
    _put(out, "status", m.status)
    _put(out, "next_step", m.next_step)
    if m.next_step_date is not None:
        out["next_step_date"] = m.next_step_date.isoformat()
    return out


def _request(
    r: MeetingRequest,
    ref_of: dict[int, str],
    zone_of: dict[int, str],
    contact_ref: dict[int, str],
    meeting_ref: dict[int, str],
) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": r.ref, "customer": ref_of[r.customer_id]}
    if r.contact_id is not None:
        _put(out, "contact", contact_ref.get(r.contact_id))
    out.update(requested_at=_when(r.requested_at, zone_of[r.customer_id]), status=r.status)
    if r.honoured_by_id is not None:
        _put(out, "honoured_by", meeting_ref.get(r.honoured_by_id))
    return out


def _deal(d: Deal, ref_of: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": d.ref,
        "customer": ref_of[d.customer_id],
        "user": d.user.username,
        "title": d.title,
        "value": _money(d.value_amount, d.value_currency),
    }
    _put(out, "margin_pct", _pct(d.margin_pct))
    _put(out, "probability_pct", _pct(d.probability_pct))
    out.update(stage=d.stage, created=d.created.isoformat())
    if d.closed is not None:
        out["closed"] = d.closed.isoformat()
    return out


def _order(o: Order, ref_of: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": o.ref,
        "customer": ref_of[o.customer_id],
        "date": o.date.isoformat(),
        "value": _money(o.value_amount, o.value_currency),
    }
    _put(out, "margin_pct", _pct(o.margin_pct))
    return out


def _gift(g: Gift, ref_of: dict[int, str], zone_of: dict[int, str], contact_ref: dict[int, str]) -> dict[str, Any]:
    zone = zone_of[g.customer_id]
    out: dict[str, Any] = {"ref": g.ref, "direction": g.direction, "customer": ref_of[g.customer_id]}
    if g.contact_id is not None:
        _put(out, "contact", contact_ref.get(g.contact_id))
    out.update(
        user=g.user.username,
        date=g.date.isoformat(),
        description=g.description,
        category=g.category,
        value=_money(g.value_amount, g.value_currency),
    )
    _put(out, "occasion", g.occasion)
    if g.approved_by is not None:
        out["approved_by"] = g.approved_by.username
    if g.approved_at is not None:
        out["approved_at"] = _when(g.approved_at, zone)
    if g.voided_at is not None:
        out["voided_at"] = _when(g.voided_at, zone)
    if g.voided_by is not None:
        out["voided_by"] = g.voided_by.username
    _put(out, "void_reason", g.void_reason)
    return out
