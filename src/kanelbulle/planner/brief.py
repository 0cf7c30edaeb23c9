"""The brief for a visit: who you will meet, what you know about them, and what is at stake.

Only what the viewer may see (core.access): the customer must be visible, and a meeting's
``unsaid`` appears only for its author (the operator, who owns the installation, sees it too, as
core.access.unsaid_for decides). Openers are built from the facts, newest first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kanelbulle.core.access import get_visible, unsaid_for

LAST_MEETINGS = 5
OPENER_KINDS = {
    "pet": "Ask about the pets: {text}",
    "family": "Ask about the family: {text}",
    "interest": "Talk about {text}",
    "preference": "Remember: {text}",
    "date": "Mind the date: {text}",
}  # fmt: skip


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currency": currency}


def _opener(kind: str, text: str) -> str | None:
    pattern = OPENER_KINDS.get(kind)
    if pattern is None:
        return None
    return pattern.format(text=text)


def health(customer: Any, today: dt.date) -> dict[str, Any]:
    """Why the attention list flags this customer (kanelbulle.insights), judged as its seller's
    list judges it; an empty list when nothing is wrong. Messages are in the active language."""
    from kanelbulle.insights.attention import attention
    from kanelbulle.insights.book import load_book

    owner = customer.owner
    result = attention(load_book(owner, today), owner.username, today)
    item = next((i for i in result.items if i.customer == customer.ref), None)
    if item is None:
        return {"score": None, "priority": None, "reasons": []}
    return {
        "score": item.health.score,
        "priority": item.priority,
        "reasons": [{"code": r.code, "label": r.label, "message": r.message} for r in item.reasons],
    }


def brief(viewer: Any, ref: str, today: dt.date) -> dict[str, Any]:
    """The brief as one JSON-ready document; raises core.access.NotVisible for an unseen customer."""
    from kanelbulle.customers.models import Customer
    from kanelbulle.deals.models import Deal, Order, Stage
    from kanelbulle.gifts.models import Gift, GiftPolicy
    from kanelbulle.meetings.models import Meeting, MeetingRequest, RequestStatus

    customer = get_visible(viewer, Customer.objects.select_related("owner"), ref=ref)
    people = []
    openers: list[str] = []
    for contact in customer.contacts.order_by("name").prefetch_related("facts"):
        facts = [
            {"kind": f.kind, "text": f.text, "source": f.source, "learned": f.learned.isoformat()}
            for f in contact.facts.all()
        ]
        for f in facts:
            opener = _opener(f["kind"], f["text"])
            if opener:
                openers.append(f"{contact.name}: {opener}")
        people.append({"ref": contact.ref, "name": contact.name, "title": contact.title, "facts": facts})

    meetings = []
    for m in (
        Meeting.objects.filter(customer=customer, start__date__lte=today)
        .exclude(status="cancelled")
        .select_related("user")
        .prefetch_related("contacts")
        .order_by("-start")[:LAST_MEETINGS]
    ):
        item: dict[str, Any] = {
            "ref": m.ref,
            "start": m.start.isoformat(),
            "modality": m.modality,
            "seller": m.user.username,
            "with": [c.name for c in m.contacts.all()],
            "notes": m.notes,
            "next_step": m.next_step,
        }
        unsaid = unsaid_for(viewer, m)
        if unsaid:
            item["unsaid"] = unsaid
        meetings.append(item)

    deals = [
        {
            "ref": d.ref,
            "title": d.title,
            "value": _money(d.value_amount, d.value_currency),
            "probability_pct": None if d.probability_pct is None else str(d.probability_pct),
            "created": d.created.isoformat(),
        }
        for d in Deal.objects.filter(customer=customer, stage=Stage.OPEN).order_by("-value_amount")
    ]
    requests = [
        {
            "ref": r.ref,
            "requested_at": r.requested_at.isoformat(),
            "contact": r.contact.name if r.contact else None,
            "waiting_days": (today - r.requested_at.date()).days,
        }
        for r in MeetingRequest.objects.filter(customer=customer, status=RequestStatus.OPEN).select_related("contact")
    ]
    # Orders: the last twelve months against the twelve before, per currency (no conversion needed).
    year_ago, two_years_ago = today - dt.timedelta(days=365), today - dt.timedelta(days=730)
    sums: dict[str, list[Decimal]] = {}
    for o in Order.objects.filter(customer=customer, date__gt=two_years_ago, date__lte=today):
        pair = sums.setdefault(o.value_currency, [Decimal(0), Decimal(0)])
        pair[0 if o.date > year_ago else 1] += o.value_amount
    orders = []
    for currency, (last, before) in sorted(sums.items()):
        trend = "up" if last > before * Decimal("1.05") else "down" if last < before * Decimal("0.95") else "flat"
        orders.append(
            {
                "currency": currency,
                "last_12_months": f"{last:.2f}",
                "previous_12_months": f"{before:.2f}",
                "trend": trend,
            }
        )
    gifts = [
        {
            "ref": g.ref,
            "date": g.date.isoformat(),
            "direction": g.direction,
            "description": g.description,
            "value": _money(g.value_amount, g.value_currency),
            "verdict": g.verdict,
            "voided": g.voided_at is not None,
        }
        for g in Gift.objects.filter(customer=customer).order_by("-date")[:10]
    ]
    ours = GiftPolicy.objects.order_by("-version").first()
    return {
        "trip": trip(customer, today),
        "customer": {
            "ref": customer.ref,
            "name": customer.name,
            "city": customer.city,
            "country": customer.country,
            "time_zone": customer.time_zone,
            "seller": customer.owner.username,
            "potential": customer.potential,
            "public_sector": customer.public_sector,
            "visit_minutes": customer.visit_minutes,
            "opening_hours": customer.opening_hours,
        },
        "people": people,
        "openers": openers,
        "health": health(customer, today),
        "last_meetings": meetings,
        "open_deals": deals,
        "waiting_requests": requests,
        "orders": orders,
        "gifts": gifts,
        "gift_policies": {
            "customer": {
                "accepts_gifts": customer.accepts_gifts,
                "max_value": None
                if customer.gift_max_amount is None
                else _money(customer.gift_max_amount, customer.gift_max_currency),
                "open_tender_until": customer.tender_open_until.isoformat() if customer.tender_open_until else None,
            },
            "ours": None
            if ours is None
            else {
                "version": ours.version,
                "per_gift": _money(ours.per_gift_limit, ours.currency),
                "per_recipient_year": _money(ours.per_recipient_year_limit, ours.currency),
                "public_sector_token": _money(ours.public_sector_token, ours.currency),
            },
        },
    }


def trip(customer: Any, today: dt.date) -> dict[str, Any] | None:
    """Getting there from the seller's home (trip-worth's verdict), by the travel policy in force today."""
    from kanelbulle.core.rates import NoRate
    from kanelbulle.planner.book import BookError
    from kanelbulle.planner.worth import trip_worth

    try:
        doc = trip_worth(customer.owner, customer, today)
    except (BookError, NoRate):
        return None
    return {
        "best": doc["best"],
        "worth_it": doc["worth_it"],
        "summary": doc["summary"],
        "options": [
            {k: o[k] for k in ("mode", "cost", "minutes_one_way", "hotel_night", "co2_kg") if k in o}
            for o in doc["options"]
            if o["available"]
        ],
        "travel_policy": doc["travel_policy"],
    }


def as_text(doc: dict[str, Any]) -> str:
    c = doc["customer"]
    lines = [f"{c['name']} ({c['ref']}), {c['city']} — seller {c['seller']}"]
    if doc.get("trip"):
        t = doc["trip"]
        lines.append(f"Trip: {t['summary']} (travel policy version {t['travel_policy']['version']})")
    if doc["people"]:
        lines.append("")
        lines.append("People")
        for p in doc["people"]:
            lines.append(f"  {p['name']}" + (f", {p['title']}" if p["title"] else ""))
            for f in p["facts"]:
                lines.append(f"    - {f['text']} ({f['kind']}, {f['source']}, {f['learned']})")
    if doc["openers"]:
        lines += ["", "Openers"] + [f"  {o}" for o in doc["openers"]]
    if doc["health"]["reasons"]:
        lines += ["", f"Attention (health {doc['health']['score']})"]
        lines += [f"  {r['label']}: {r['message']}" for r in doc["health"]["reasons"]]
    if doc["last_meetings"]:
        lines += ["", "Last meetings"]
        for m in doc["last_meetings"]:
            lines.append(f"  {m['start'][:10]} {m['modality']} with {', '.join(m['with']) or '—'} ({m['seller']})")
            if m["notes"]:
                lines.append(f"    notes: {m['notes']}")
            if m.get("unsaid"):
                lines.append(f"    unsaid (yours only): {m['unsaid']}")
            if m["next_step"]:
                lines.append(f"    next step: {m['next_step']}")
    if doc["open_deals"]:
        lines += ["", "Open deals"]
        for d in doc["open_deals"]:
            p = f", {d['probability_pct']}%" if d["probability_pct"] else ""
            lines.append(f"  {d['title']}: {d['value']['amount']} {d['value']['currency']}{p}")
    if doc["waiting_requests"]:
        lines += ["", "Waiting meeting requests"]
        for r in doc["waiting_requests"]:
            lines.append(f"  {r['requested_at'][:10]} from {r['contact'] or 'the customer'} ({r['waiting_days']} days)")
    for o in doc["orders"]:
        lines.append(
            f"Orders: {o['last_12_months']} {o['currency']} in the last 12 months "
            f"({o['previous_12_months']} before: {o['trend']})"
        )
    if doc["gifts"]:
        lines += ["", "Gifts"]
        for g in doc["gifts"]:
            void = " (voided)" if g["voided"] else ""
            lines.append(
                f"  {g['date']} {g['direction']}: {g['description']}, {g['value']['amount']} "
                f"{g['value']['currency']}, {g['verdict']}{void}"
            )
    pol = doc["gift_policies"]["customer"]
    accepts = {True: "accepts gifts", False: "accepts no gifts", None: "gift policy not recorded"}[pol["accepts_gifts"]]
    limit = f", up to {pol['max_value']['amount']} {pol['max_value']['currency']}" if pol["max_value"] else ""
    lines.append(f"Customer's gift policy: {accepts}{limit}")
    return "\n".join(lines)
