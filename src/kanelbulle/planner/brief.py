"""The brief for a visit: who you will meet, what you know about them, and what is at stake.

Only what the viewer may see (core.access): the customer must be visible, and a meeting's
``unsaid`` appears only for its author (the operator, who owns the installation, sees it too, as
core.access.unsaid_for decides). Openers are built from the facts, newest first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

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


def _shown(amount: str | Decimal, currency: str) -> str:
    """An amount of the document as the reader writes it (core.money.format_money, active language)."""
    from kanelbulle.core.money import format_money

    return format_money(amount, currency)


def _opener(kind: str, text: str) -> str | None:
    pattern = OPENER_KINDS.get(kind)
    if pattern is None:
        return None
    return pattern.format(text=text)


def health(customer: Any, today: dt.date) -> dict[str, Any]:
    """Why the attention list flags this customer (kanelbulle.insights), judged as its seller's
    list judges it; an empty list when nothing is wrong. Messages are in the active language."""
    from django.utils import translation

    from kanelbulle.insights.attention import attention
    from kanelbulle.insights.book import load_book
    from kanelbulle.insights.state import stored_items

    owner = customer.owner
    stored = stored_items([customer], today, translation.get_language() or "en")  # one row, as the list reads it
    if stored is not None:
        item = stored.get(customer.ref)
    else:
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


def translated_openers(doc: dict[str, Any]) -> list[dict[str, str]]:
    """Openers from the facts, in the active language (the document's own are in English)."""
    patterns = {
        "pet": gettext("Ask about the pets: %(text)s"),
        "family": gettext("Ask about the family: %(text)s"),
        "interest": gettext("Talk about %(text)s"),
        "preference": gettext("Remember: %(text)s"),
        "date": gettext("Mind the date: %(text)s"),
    }
    out = []
    for person in doc["people"]:
        for fact in person["facts"]:
            pattern = patterns.get(fact["kind"])
            if pattern:
                out.append({"person": person["name"], "text": pattern % {"text": fact["text"]}})
    return out


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
    """The brief as plain text for a terminal, in the active language (``brief --language sv``)."""
    _ = gettext
    c = doc["customer"]
    lines = [_("%(name)s (%(ref)s), %(city)s — seller %(seller)s") % c]
    if doc.get("trip"):
        t = doc["trip"]
        lines.append(
            _("Trip: %(summary)s (travel policy version %(version)s)")
            % {"summary": t["summary"], "version": t["travel_policy"]["version"]}
        )
    if doc["people"]:
        lines += ["", _("People")]
        for p in doc["people"]:
            lines.append(f"  {p['name']}" + (f", {p['title']}" if p["title"] else ""))
            for f in p["facts"]:
                lines.append(f"    - {f['text']} ({f['kind']}, {f['source']}, {f['learned']})")
    openers = translated_openers(doc)
    if openers:
        lines += ["", _("Openers")] + [f"  {o['text']}" for o in openers]
    if doc["health"]["reasons"]:
        lines += ["", _("Why it needs attention (health %(score)s)") % {"score": doc["health"]["score"]}]
        lines += [f"  {r['label']}: {r['message']}" for r in doc["health"]["reasons"]]
    if doc["last_meetings"]:
        lines += ["", _("Last meetings")]
        for m in doc["last_meetings"]:
            lines.append(
                "  "
                + _("%(day)s %(modality)s with %(people)s (%(seller)s)")
                % {"day": m["start"][:10], "modality": m["modality"], "people": ", ".join(m["with"]) or "—",
                   "seller": m["seller"]}
            )  # fmt: skip
            if m["notes"]:
                lines.append("    " + _("notes: %(text)s") % {"text": m["notes"]})
            if m.get("unsaid"):
                lines.append("    " + _("unsaid (yours only): %(text)s") % {"text": m["unsaid"]})
            if m["next_step"]:
                lines.append("    " + _("next step: %(text)s") % {"text": m["next_step"]})
    if doc["open_deals"]:
        lines += ["", _("Open deals")]
        for d in doc["open_deals"]:
            p = f", {d['probability_pct']}%" if d["probability_pct"] else ""
            lines.append(f"  {d['title']}: {_shown(d['value']['amount'], d['value']['currency'])}{p}")
    if doc["waiting_requests"]:
        lines += ["", _("Waiting meeting requests")]
        for r in doc["waiting_requests"]:
            lines.append(
                "  "
                + _("%(day)s from %(who)s (%(days)s days)")
                % {"day": r["requested_at"][:10], "who": r["contact"] or _("the customer"), "days": r["waiting_days"]}
            )
    for o in doc["orders"]:
        lines.append(
            _("Orders: %(last)s in the last 12 months (%(previous)s before: %(trend)s)")
            % {"last": _shown(o["last_12_months"], o["currency"]),
               "previous": _shown(o["previous_12_months"], o["currency"]), "trend": o["trend"]}
        )  # fmt: skip
    if doc["gifts"]:
        lines += ["", _("Gifts")]
        for g in doc["gifts"]:
            void = " (" + _("voided") + ")" if g["voided"] else ""
            direction = _("given") if g["direction"] == "given" else _("received")
            lines.append(
                f"  {g['date']} {direction}: {g['description']}, "
                f"{_shown(g['value']['amount'], g['value']['currency'])}, {g['verdict']}{void}"
            )
    pol = doc["gift_policies"]["customer"]
    accepts = {True: _("accepts gifts"), False: _("accepts no gifts"), None: _("gift policy not recorded")}[
        pol["accepts_gifts"]
    ]
    limit = (
        _(", up to %(amount)s") % {"amount": _shown(pol["max_value"]["amount"], pol["max_value"]["currency"])}
        if pol["max_value"]
        else ""
    )
    lines.append(_("Customer's gift policy: %(accepts)s%(limit)s") % {"accepts": accepts, "limit": limit})
    return "\n".join(lines)
