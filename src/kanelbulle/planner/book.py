"""A seller's planning problem built from the book of business (for `kanelbulle plan --user`).

The value of visiting a customer in the horizon, in the company currency, with its parts explained:

* **open deals**: Σ value × win probability (the deal's ``probability_pct``; else the team's win
  rate on closed deals when it has at least ``MIN_CLOSED`` of them; else ``PRIOR_WIN_RATE``),
  times ``IN_PERSON_UPLIFT``: the share of that expected value a visit in person is taken to move.
  The evidence module will replace this prior with the uplift it measures.
* **order history**: ``ORDER_SHARE`` of the last 12 months' orders (keeping an account warm).
* **waiting meeting requests**: an open request makes the visit *required* (honouring it is not
  optional unless the seller declines the request).

Opening hours are the customer's own, in its time zone; without them the seller's workday is
assumed (exchange-format.md). The travel figures are the documented defaults of docs/planner.md,
converted to the company currency at the start date's rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from kanelbulle.core.money import Money
from kanelbulle.core.rates import convert

IN_PERSON_UPLIFT = Decimal("0.20")
ORDER_SHARE = Decimal("0.05")
PRIOR_WIN_RATE = Decimal("0.30")
MIN_CLOSED = 10
WORKDAY = ("08:00", "17:00")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

# Default travel figures in SEK (sources in docs/planner.md).
COST_PER_HOUR = Decimal("450.00")
HOTEL_NIGHT = Decimal("1400.00")
MODES: dict[str, dict[str, Any]] = {
    "car": {"factor": 1.3, "speed_kmh": 75, "overhead_minutes": 0, "min_km": 0, "cost_per_km": "2.50",
            "fixed_cost": "0.00", "co2_g_per_km": 120},
    "rail": {"factor": 1.2, "speed_kmh": 140, "overhead_minutes": 40, "min_km": 150, "cost_per_km": "1.20",
             "fixed_cost": "0.00", "co2_g_per_km": 4},
    "air": {"factor": 1.05, "speed_kmh": 600, "overhead_minutes": 150, "min_km": 400, "cost_per_km": "3.00",
            "fixed_cost": "900.00", "co2_g_per_km": 150},
}  # fmt: skip


class BookError(ValueError):
    """The book cannot give a problem (no home, no rate): one line per problem."""


@dataclass
class VisitValue:
    ref: str
    name: str
    amount: Decimal
    required: bool
    parts: list[str] = field(default_factory=list)


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)), "currency": currency}


def _in(amount: Decimal, currency: str, to: str, on: dt.date) -> Decimal:
    return convert(Money(amount.quantize(Decimal("0.01")), currency), to, on).amount


def team_win_rate(user: Any) -> tuple[Decimal, str]:
    from kanelbulle.deals.models import Deal, Stage

    closed = Deal.objects.filter(stage__in=[Stage.WON, Stage.LOST])
    closed = closed.filter(user__team=user.team) if user.team else closed.filter(user=user)
    won = closed.filter(stage=Stage.WON).count()
    total = closed.count()
    if total >= MIN_CLOSED:
        return Decimal(won) / Decimal(total), f"the team's win rate {won}/{total}"
    return (
        PRIOR_WIN_RATE,
        f"a prior of {PRIOR_WIN_RATE:.0%} (the team has {total} closed deals, fewer than {MIN_CLOSED})",
    )


def visit_values(user: Any, customers: list[Any], currency: str, today: dt.date) -> dict[str, VisitValue]:
    from kanelbulle.deals.models import Deal, Order, Stage
    from kanelbulle.meetings.models import MeetingRequest, RequestStatus

    rate, rate_why = team_win_rate(user)
    ids = [c.id for c in customers]
    deals: dict[int, list[Any]] = {}
    for deal in Deal.objects.filter(customer_id__in=ids, stage=Stage.OPEN):
        deals.setdefault(deal.customer_id, []).append(deal)
    orders: dict[int, Decimal] = {}
    since = today - dt.timedelta(days=365)
    for order in Order.objects.filter(customer_id__in=ids, date__gte=since, date__lte=today):
        orders[order.customer_id] = orders.get(order.customer_id, Decimal(0)) + _in(
            order.value_amount, order.value_currency, currency, order.date
        )
    requests: dict[int, int] = {}
    for req in MeetingRequest.objects.filter(customer_id__in=ids, status=RequestStatus.OPEN):
        requests[req.customer_id] = requests.get(req.customer_id, 0) + 1
    out: dict[str, VisitValue] = {}
    for c in customers:
        parts: list[str] = []
        expected = Decimal(0)
        for deal in deals.get(c.id, []):
            value = _in(deal.value_amount, deal.value_currency, currency, today)
            if deal.probability_pct is not None:
                p, why = Decimal(deal.probability_pct) / 100, f"{deal.probability_pct}% (the seller's estimate)"
            else:
                p, why = rate, rate_why
            expected += value * p
            parts.append(f"open deal {deal.ref} {value:.2f} {currency} × {why}")
        amount = expected * IN_PERSON_UPLIFT
        if expected:
            parts.append(f"× {IN_PERSON_UPLIFT:.0%} in-person uplift (prior) = {amount:.2f} {currency}")
        if c.id in orders:
            share = orders[c.id] * ORDER_SHARE
            amount += share
            parts.append(f"orders in the last 12 months {orders[c.id]:.2f} {currency} × {ORDER_SHARE:.0%}")
        required = c.id in requests
        if required:
            parts.append(f"{requests[c.id]} waiting meeting request(s): the visit is required")
        out[c.ref] = VisitValue(c.ref, c.name, amount.quantize(Decimal("0.01")), required, parts)
    return out


def _windows(customer: Any, start: dt.date, days: int, seller_tz: str) -> list[list[str]]:
    hours = customer.opening_hours
    tz = ZoneInfo(customer.time_zone) if hours else ZoneInfo(seller_tz)
    out = []
    for i in range(days):
        day = start + dt.timedelta(days=i)
        name = DAY_NAMES[day.weekday()]
        spans = hours.get(name, []) if hours else ([list(WORKDAY)] if name in WEEKDAYS else [])
        for begin, end in spans:
            b = dt.datetime.combine(day, dt.time.fromisoformat(begin), tzinfo=tz)
            e = dt.datetime.combine(day, dt.time.fromisoformat(end), tzinfo=tz)
            if e > b:
                out.append([b.isoformat(timespec="seconds"), e.isoformat(timespec="seconds")])
    return out


def problem_for(
    user: Any, start: dt.date, days: int, today: dt.date | None = None
) -> tuple[dict[str, Any], dict[str, VisitValue]]:
    """The seller's `kanelbulle-plan/1` problem document, and each visit's value explained."""
    from kanelbulle.customers.models import Customer
    from kanelbulle.planner.travel import haversine_km

    if user.home_lat is None or user.home_lon is None:
        raise BookError(f"{user.username} has no home place (lat/lon): it is needed to plan trips")
    currency = settings.COMPANY_CURRENCY
    today = today or dt.date.today()  # noqa: DTZ011 - the operator's calendar day
    customers = list(Customer.objects.filter(owner=user).order_by("ref"))
    # The seller's clock: the time zone of their nearest customer within 100 km of home (a
    # neighbour), else the installation's. Loading the whole gazetteer would take seconds.
    near = [(haversine_km(user.home_lat, user.home_lon, c.lat, c.lon), c.time_zone) for c in customers]
    near = [n for n in near if n[0] <= 100]
    seller_tz = min(near)[1] if near else settings.TIME_ZONE
    values = visit_values(user, customers, currency, today)

    def cost(amount: str | Decimal) -> dict[str, str]:
        return _money(_in(Decimal(amount), "SEK", currency, start), currency)

    visits = []
    for c in customers:
        windows = _windows(c, start, days, seller_tz)
        if not windows:
            continue
        v = values[c.ref]
        visits.append(
            {
                "ref": c.ref,
                "name": c.name,
                "lat": c.lat,
                "lon": c.lon,
                "minutes": max(1, int(c.visit_minutes)),
                "value": _money(v.amount, currency),
                "required": v.required,
                "time_zone": c.time_zone,
                "windows": windows,
            }
        )
    modes = {
        name: {**m, "cost_per_km": cost(m["cost_per_km"]), "fixed_cost": cost(m["fixed_cost"])}
        for name, m in MODES.items()
    }
    problem = {
        "format": "kanelbulle-plan/1",
        "start": start.isoformat(),
        "days": days,
        "time_zone": seller_tz,
        "seller": {
            "home": {"lat": user.home_lat, "lon": user.home_lon},
            "workday": list(WORKDAY),
            "weekdays": WEEKDAYS,
            "overnight": {"allowed": True, "cost": cost(HOTEL_NIGHT)},
        },
        "travel": {"cost_per_hour": cost(COST_PER_HOUR), "modes": modes},
        "visits": visits,
    }
    return problem, values
