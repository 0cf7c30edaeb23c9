"""What a seller's phone keeps for a day without a network (the phone app's snapshot).

The seller's own customers (names, places, people and their facts, open meeting requests) and
their own meetings planned for the next ``days`` days with each visit's brief. Every record
passes core.access (the brief too), so nothing the seller may not see reaches the phone; the
phone replaces the whole snapshot each time it is online, so what the seller lost sight of goes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from kanelbulle.core.access import scope

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User

DAYS = 7


def _with_display(doc: Any) -> Any:
    """Each amount in a brief (``{"amount", "currency"}``) also written for the reader, by the one
    formatter (core.money.format_money) in the language of the request."""
    from kanelbulle.core.money import format_money

    if isinstance(doc, dict):
        out = {k: _with_display(v) for k, v in doc.items()}
        if set(doc) == {"amount", "currency"}:
            out["display"] = format_money(doc["amount"], doc["currency"])
        return out
    if isinstance(doc, list):
        return [_with_display(v) for v in doc]
    return doc


def snapshot(viewer: User, now: dt.datetime, days: int = DAYS) -> dict[str, Any]:
    """The snapshot as one JSON-ready document, made at ``now`` (aware) in ``now``'s zone."""
    from kanelbulle.connectors.rest import ref_prefix
    from kanelbulle.customers.models import Contact, Customer, Fact
    from kanelbulle.meetings.models import Meeting, MeetingRequest, RequestStatus
    from kanelbulle.planner.brief import brief

    today = now.date()
    customers = []
    # Plain rows, three queries for the whole of a seller's book (model instances took most of the time).
    mine = scope(viewer, Customer.objects.filter(owner=viewer)).order_by("name")
    own = list(mine.values("pk", "ref", "name", "city", "country"))
    ids = [c["pk"] for c in own]
    facts: dict[int, list[dict[str, str]]] = {}
    for f in Fact.objects.filter(contact__customer_id__in=ids).values("contact_id", "kind", "text"):  # newest first
        facts.setdefault(f["contact_id"], []).append({"kind": f["kind"], "text": f["text"]})
    people: dict[int, list[dict[str, Any]]] = {}
    for p in (
        Contact.objects.filter(customer_id__in=ids)
        .order_by("name", "pk")
        .values("pk", "customer_id", "ref", "name", "title")
    ):
        people.setdefault(p["customer_id"], []).append(
            {"ref": p["ref"], "name": p["name"], "title": p["title"], "facts": facts.get(p["pk"], [])}
        )
    open_requests: dict[int, list[dict[str, Any]]] = {}
    for r in scope(viewer, MeetingRequest.objects.filter(status=RequestStatus.OPEN), "customer__").select_related(
        "contact"
    ):
        open_requests.setdefault(r.customer_id, []).append(
            {
                "ref": r.ref,
                "contact": r.contact.name if r.contact else None,
                "requested_at": r.requested_at.isoformat(),
                "waiting_days": (today - r.requested_at.date()).days,
            }
        )
    for c in own:
        customers.append(
            {
                "ref": c["ref"],
                "name": c["name"],
                "city": c["city"],
                "country": c["country"],
                "people": people.get(c["pk"], []),
                "requests": open_requests.get(c["pk"], []),
            }
        )
    visits = []
    briefs: dict[str, dict[str, Any]] = {}
    planned = (
        scope(viewer, Meeting.objects.filter(user=viewer), "customer__")
        .filter(start__gte=now, start__lt=now + dt.timedelta(days=days))
        .exclude(status__in=["cancelled", "held"])
        .select_related("customer")
        .prefetch_related("contacts")
        .order_by("start")
    )
    for m in planned:
        ref = m.customer.ref
        if ref not in briefs:
            briefs[ref] = _with_display(brief(viewer, ref, today=today))
        visits.append(
            {
                "ref": m.ref,
                "start": m.start.isoformat(),
                "duration_minutes": m.duration_minutes,
                "modality": m.modality,
                "customer": ref,
                "customer_name": m.customer.name,
                "city": m.customer.city,
                "with": [p.name for p in m.contacts.all()],
                "notes": m.notes,
            }
        )
    return {
        "as_of": now.isoformat(),
        "user": viewer.username,
        "ref_prefix": ref_prefix(viewer),  # the meetings the phone makes carry refs in it
        "days": days,
        "customers": customers,
        "visits": visits,
        "briefs": briefs,
    }
