"""A seller's planning problem built from the book of business (for `kanelbulle plan --user`).

The value of visiting a customer in the horizon, in the company currency, with its parts explained
(docs/planner.md, "Value of a visit"):

* **open deals**: each deal's value × win probability (the deal's ``probability_pct``; else the
  team's win rate on closed deals when it has at least ``MIN_CLOSED`` of them; else
  ``PRIOR_WIN_RATE``) is what is at stake. What a visit in person adds to it is the **in-person
  uplift**: measured by the evidence module on the seller's own deals when it has enough data (its
  adjusted win odds ratio, shrunk toward no effect: a visit raises the deal's win odds by that
  factor, so it adds value × (p' − p)); otherwise the documented prior ``IN_PERSON_UPLIFT``, the
  share of the expected value a visit is taken to move.
* **order history**: ``ORDER_SHARE`` of the last 12 months' orders (keeping an account warm).
  Credit notes (negative orders) count against it, but a visit's value is never negative: credits
  lower it to zero at most (and so does any stored negative deal value, counted as zero).
* **relationship health**: a customer the attention list calls *drifting* or *underrated* is worth
  more (``HEALTH_WEIGHTS``): a visit is what repairs a drifting relationship or finds what an
  underrated one could be.
* **waiting meeting requests**: "if a customer wants to meet, make the time". An open request adds
  what an unanswered request puts at risk: the whole value at stake in the customer's open deals
  (not only the share a visit adds), and never less than a working day of the seller's time (the
  travel policy's value of an hour × the workday). A far-away one can be met by video instead:
  :func:`request_options` prices both for the plan.

Opening hours are the customer's own, in its time zone; without them the seller's workday is
assumed (exchange-format.md). The travel costs are the company's travel policy in force on the
first day planned (planner/policy.py, planner/travel_policy.py): allowed modes, fares by distance
band, the value of an hour, the hotel night in the customer's country; converted to the company
currency at the start date's rate. The speeds, route factors and overheads are ``MODES`` below.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from kanelbulle.core.money import Money
from kanelbulle.core.rates import convert

IN_PERSON_UPLIFT = Decimal("0.20")
ORDER_SHARE = Decimal("0.05")
PRIOR_WIN_RATE = Decimal("0.30")
MIN_CLOSED = 10
#: How much more a visit to a customer is worth when the attention list gives this reason
#: (added up: a customer both drifting and underrated is worth 1.75 × its value).
HEALTH_WEIGHTS: dict[str, Decimal] = {"drifting": Decimal("0.50"), "underrated": Decimal("0.25")}
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
    at_stake: Decimal = Decimal(0)  # Σ open deal value × win probability (what a video call keeps)
    uplift_amount: Decimal = Decimal(0)  # what meeting in person adds to it
    health: list[str] = field(default_factory=list)  # attention codes that raised the value
    uplift: Uplift | None = None  # where the in-person uplift came from (None: no open deal)
    requests: int = 0  # open meeting requests from the customer
    request_value: Decimal = Decimal(0)  # what the waiting requests add to the visit's value


@dataclass(frozen=True)
class Uplift:
    """What a visit in person adds to an open deal: measured (``evidence``) or the ``prior``."""

    source: str  # "evidence" or "prior"
    odds_ratio: float | None  # the evidence's shrunk win odds ratio
    n: int  # closed deals the evidence had
    needed: int  # closed deals the evidence needs
    note: str = ""  # why the evidence could not be used, beyond too few deals

    def gain(self, value: Decimal, p: Decimal) -> Decimal:
        """The value a visit adds to a deal of ``value`` won with probability ``p``."""
        if self.odds_ratio is None:
            return value * p * IN_PERSON_UPLIFT
        from kanelbulle.evidence.analysis import uplifted_probability

        lifted = Decimal(repr(uplifted_probability(float(p), self.odds_ratio)))
        return max(Decimal(0), value * (lifted - p))

    def describe(self) -> str:
        if self.odds_ratio is not None:
            return _(
                "in-person uplift: win odds × %(ratio).2f from the evidence on your deals "
                "(n=%(n)s closed deals, shrunk toward no effect)"
            ) % {"ratio": self.odds_ratio, "n": self.n}
        if self.note:
            return _("%(share)s in-person uplift (prior: %(why)s)") % {
                "share": f"{IN_PERSON_UPLIFT:.0%}",
                "why": self.note,
            }
        return _("%(share)s in-person uplift (prior: the evidence has %(n)s closed deals, %(needed)s needed)") % {
            "share": f"{IN_PERSON_UPLIFT:.0%}",
            "n": self.n,
            "needed": self.needed,
        }

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "n": self.n}
        if self.odds_ratio is not None:
            out["odds_ratio"] = round(self.odds_ratio, 3)
        else:
            out["share"] = str(IN_PERSON_UPLIFT)
            out["needed"] = self.needed
        return out


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)), "currency": currency}


def _in(amount: Decimal, currency: str, to: str, on: dt.date) -> Decimal:
    return convert(Money(amount.quantize(Decimal("0.01")), currency), to, on).amount


_UPLIFTS: dict[tuple[Any, ...], Uplift] = {}


def _uplift_key(user: Any, today: dt.date) -> tuple[Any, ...]:
    """Everything the evidence reads (evidence.book.load_book), cheaply: which database, the
    seller and their home, and the seller's deals, their customers, meetings and orders and the
    exchange rates, each counted and dated by their last change."""
    from django.db import connection
    from django.db.models import Count, Max

    from kanelbulle.core.models import ExchangeRate
    from kanelbulle.customers.models import Customer
    from kanelbulle.deals.models import Deal, Order
    from kanelbulle.meetings.models import Meeting

    def counted(qs: Any) -> tuple[Any, Any]:
        got = qs.aggregate(n=Count("id"), last=Max("updated_at"))
        return got["n"], got["last"]

    with_deals = {"deals__user": user}
    rates = ExchangeRate.objects.aggregate(n=Count("id"), last=Max("date"))
    return (
        connection.alias,
        connection.settings_dict["NAME"],
        settings.COMPANY_CURRENCY,
        user.pk,
        user.home_lat,
        user.home_lon,
        today,
        counted(Deal.objects.filter(user=user)),
        counted(Customer.objects.filter(**with_deals).distinct()),
        counted(Meeting.objects.filter(customer__deals__user=user)),
        counted(Order.objects.filter(customer__deals__user=user)),
        (rates["n"], rates["last"]),
    )


def clear_uplifts() -> None:
    """Forget every kept uplift (the tests' one fixture calls it between tests)."""
    _UPLIFTS.clear()


def in_person_uplift(user: Any, today: dt.date) -> Uplift:
    """The evidence module's shrunk win odds ratio on ``user``'s deals, or the prior.

    statsmodels takes seconds to import and the model a moment to fit, so the answer is kept per
    process for as long as the seller's deals and meetings are unchanged.
    """
    key = _uplift_key(user, today)
    if key in _UPLIFTS:
        return _UPLIFTS[key]
    from kanelbulle.core.rates import NoRate
    from kanelbulle.evidence.analysis import MIN_CLOSED_FOR_WIN, analyse, shrunk_win_uplift
    from kanelbulle.evidence.book import load_book

    try:
        result = analyse(load_book(None, seller=user, today=today), only=["win"], breakdowns=False)
    except NoRate as exc:
        uplift = Uplift("prior", None, 0, MIN_CLOSED_FOR_WIN, note=str(exc))
    else:
        if result.win.ok:
            uplift = Uplift("evidence", shrunk_win_uplift(result), result.win.n, MIN_CLOSED_FOR_WIN)
        else:
            uplift = Uplift("prior", None, result.n_closed_deals, result.win.needed or MIN_CLOSED_FOR_WIN)
    if len(_UPLIFTS) > 256:
        _UPLIFTS.clear()
    _UPLIFTS[key] = uplift
    return uplift


def health_reasons(customers: list[Any], today: dt.date) -> dict[str, list[tuple[str, str]]]:
    """Each customer's drifting / underrated reasons (code, message) from its owner's attention list.

    Read from the stored relationship state when it is as of ``today`` (one query); else one
    attention list per owner (a few bulk queries each), not one per customer.
    """
    from django.utils import translation

    from kanelbulle.accounts.models import User
    from kanelbulle.insights.attention import attention
    from kanelbulle.insights.book import load_book
    from kanelbulle.insights.state import stored_items

    wanted = {c.ref for c in customers}
    items = stored_items(customers, today, translation.get_language() or "en")
    if items is None:
        items = {}
        for owner in User.objects.filter(pk__in={c.owner_id for c in customers}):
            result = attention(load_book(owner, today), owner.username, today)
            items.update({i.customer: i for i in result.items if i.customer in wanted})
    out: dict[str, list[tuple[str, str]]] = {}
    for ref, item in items.items():
        found = [(r.code, r.message) for r in item.reasons if r.code in HEALTH_WEIGHTS]
        if found:
            out[ref] = found
    return out


def team_win_rate(user: Any) -> tuple[Decimal, str]:
    from kanelbulle.deals.models import Deal, Stage

    closed = Deal.objects.filter(stage__in=[Stage.WON, Stage.LOST])
    closed = closed.filter(user__team=user.team) if user.team else closed.filter(user=user)
    won = closed.filter(stage=Stage.WON).count()
    total = closed.count()
    if total >= MIN_CLOSED:
        return Decimal(won) / Decimal(total), _("the team's win rate %(won)s/%(total)s") % {"won": won, "total": total}
    return (
        PRIOR_WIN_RATE,
        _("a prior of %(prior)s (the team has %(total)s closed deals, fewer than %(min)s)")
        % {"prior": f"{PRIOR_WIN_RATE:.0%}", "total": total, "min": MIN_CLOSED},
    )


def visit_values(
    user: Any, customers: list[Any], currency: str, today: dt.date, uplift: Uplift | None = None
) -> dict[str, VisitValue]:
    from kanelbulle.deals.models import Deal, Order, Stage
    from kanelbulle.meetings.models import MeetingRequest, RequestStatus

    rate, rate_why = team_win_rate(user)
    ids = [c.id for c in customers]
    deals: dict[int, list[Any]] = {}
    for deal in Deal.objects.filter(customer_id__in=ids, stage=Stage.OPEN).order_by("ref"):
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
    if uplift is None and deals:
        uplift = in_person_uplift(user, today)
    health = health_reasons(customers, today) if customers else {}
    out: dict[str, VisitValue] = {}
    for c in customers:
        parts: list[str] = []
        expected = Decimal(0)
        gained = Decimal(0)
        for deal in deals.get(c.id, []):
            value = max(Decimal(0), _in(deal.value_amount, deal.value_currency, currency, today))
            if deal.probability_pct is not None:
                p = Decimal(deal.probability_pct) / 100
                why = _("%(pct)s%% (the seller's estimate)") % {"pct": deal.probability_pct}
            else:
                p, why = rate, rate_why
            expected += value * p
            assert uplift is not None
            gained += uplift.gain(value, p)
            parts.append(
                _("open deal %(ref)s %(value)s %(currency)s × %(why)s")
                % {"ref": deal.ref, "value": f"{value:.2f}", "currency": currency, "why": why}
            )
        amount = gained
        if expected:
            assert uplift is not None
            parts.append(
                _("× %(uplift)s = %(amount)s %(currency)s")
                % {"uplift": uplift.describe(), "amount": f"{amount:.2f}", "currency": currency}
            )
        if c.id in orders:
            share = orders[c.id] * ORDER_SHARE
            amount += share
            parts.append(
                _("orders in the last 12 months %(orders)s %(currency)s × %(share)s")
                % {"orders": f"{orders[c.id]:.2f}", "currency": currency, "share": f"{ORDER_SHARE:.0%}"}
            )
            if amount < 0:
                amount = Decimal(0)
                parts.append(
                    _("credit notes lower a visit's value to zero at most: %(amount)s %(currency)s")
                    % {"amount": f"{amount:.2f}", "currency": currency}
                )
        codes: list[str] = []
        weight = Decimal(0)
        for code, message in health.get(c.ref, []):
            codes.append(code)
            weight += HEALTH_WEIGHTS[code]
            label = _("drifting") if code == "drifting" else _("underrated")
            parts.append(
                _("%(label)s: + %(weight)s (%(message)s)")
                % {"label": label, "weight": f"{HEALTH_WEIGHTS[code]:.0%}", "message": message}
            )
        if weight:
            amount *= 1 + weight
            parts.append(
                _("relationship health × %(factor)s = %(amount)s %(currency)s")
                % {"factor": f"{1 + weight:.2f}", "amount": f"{amount:.2f}", "currency": currency}
            )
        required = False
        request_value = Decimal(0)
        if c.id in requests:
            day = _request_floor(currency, today)
            request_value = max(expected, day)
            amount += request_value
            parts.append(
                _(
                    "%(n)s waiting meeting request(s): + %(value)s %(currency)s (the value at stake, which an "
                    "unanswered request puts at risk; at least a working day of the seller's time, "
                    "%(day)s %(currency)s)"
                )
                % {"n": requests[c.id], "value": f"{request_value:.2f}", "currency": currency, "day": f"{day:.2f}"}
            )
        out[c.ref] = VisitValue(
            c.ref,
            c.name,
            amount.quantize(Decimal("0.01")),
            required,
            parts,
            at_stake=expected.quantize(Decimal("0.01")),
            uplift_amount=gained.quantize(Decimal("0.01")),
            health=codes,
            uplift=uplift if deals.get(c.id) else None,
            requests=requests.get(c.id, 0),
            request_value=request_value.quantize(Decimal("0.01")),
        )
    return out


def _request_floor(currency: str, today: dt.date) -> Decimal:
    """A working day of the seller's time by the travel policy in force: the least a request is worth."""
    from kanelbulle.planner.travel_policy import in_force

    policy = in_force(today)
    begin, end = (dt.time.fromisoformat(t) for t in WORKDAY)
    hours = Decimal((end.hour * 60 + end.minute) - (begin.hour * 60 + begin.minute)) / 60
    return _in(Decimal(str(policy.data["value_of_hour"])) * hours, policy.data["currency"], currency, today)


def _request_facts(v: Any) -> tuple[str, int, Decimal, Decimal]:
    """(name, open requests, value, at stake) of a VisitValue or of its listed form (a saved plan's)."""
    if isinstance(v, VisitValue):
        return v.name, v.requests, v.amount, v.at_stake
    stake = v.get("at_stake") or {"amount": "0"}
    return str(v.get("name", "")), int(v.get("requests", 0)), Decimal(v["value"]["amount"]), Decimal(stake["amount"])


def request_options(problem: Any, values: dict[str, Any], plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Each customer with a waiting meeting request: met in the plan or not, and both ways to meet.

    The trip is there and back from home by each leg's cheapest allowed mode (the plan's own model),
    with a hotel night when both journeys and the visit do not fit the workday; the video meeting
    costs nothing and keeps the value at stake but not what meeting in person adds.
    """
    from kanelbulle.planner.travel import best_leg

    planned = {s["ref"] for d in plan["days"] for s in d["stops"]}
    workday = (problem.workday[1].hour * 60 + problem.workday[1].minute) - (
        problem.workday[0].hour * 60 + problem.workday[0].minute
    )
    out = []
    for visit in problem.visits:
        v = values.get(visit.ref)
        if v is None:
            continue
        name, requests, amount, at_stake = _request_facts(v)
        if not requests:
            continue
        go = best_leg(problem, problem.home_lat, problem.home_lon, visit.lat, visit.lon)
        back = best_leg(problem, visit.lat, visit.lon, problem.home_lat, problem.home_lon)
        night = go.minutes + back.minutes + visit.minutes > workday
        hotel = (visit.overnight_cost if visit.overnight_cost is not None else problem.overnight_cost) if night else 0
        cost = go.cost + back.cost + hotel
        out.append(
            {
                "ref": visit.ref,
                "name": name,
                "requests": requests,
                "planned": visit.ref in planned,
                "trip": {"mode": go.mode, "minutes_one_way": math.ceil(go.minutes - 1e-9), "hotel_night": night,
                         "cost": _money(cost, problem.currency), "value": _money(amount, problem.currency)},
                "video": {"cost": _money(Decimal(0), problem.currency),
                          "value_kept": _money(at_stake, problem.currency)},
            }
        )  # fmt: skip
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


def problem_for(user: Any, start: dt.date, days: int, today: dt.date) -> tuple[dict[str, Any], dict[str, VisitValue]]:
    """The seller's `kanelbulle-plan/1` problem document, and each visit's value explained.

    ``today`` is the day the book is valued on (orders of the last twelve months, health, how
    long a request has waited); it is the caller's, never the clock's, so a plan can be repeated.
    """
    from kanelbulle.customers.models import Customer
    from kanelbulle.planner.travel import haversine_km

    if user.home_lat is None or user.home_lon is None:
        raise BookError(f"{user.username} has no home place (lat/lon): it is needed to plan trips")
    currency = settings.COMPANY_CURRENCY
    customers = list(Customer.objects.filter(owner=user).order_by("ref"))
    # The seller's clock: the time zone of their nearest customer within 100 km of home (a
    # neighbour), else the installation's. Loading the whole gazetteer would take seconds.
    near = [(haversine_km(user.home_lat, user.home_lon, c.lat, c.lon), c.time_zone) for c in customers]
    near = [n for n in near if n[0] <= 100]
    seller_tz = min(near)[1] if near else settings.TIME_ZONE
    values = visit_values(user, customers, currency, today)
    from kanelbulle.planner.models import VisitPin

    # "Plan a visit" on the attention list: a required visit in every plan until it is made or removed.
    for ref in VisitPin.objects.filter(customer__owner=user).values_list("customer__ref", flat=True):
        if ref in values:
            values[ref].required = True
            values[ref].parts.append(_("pinned from the attention list: a required visit"))

    from kanelbulle.planner.policy import hotel_price, travel_section
    from kanelbulle.planner.travel_policy import in_force

    policy = in_force(start)

    def cost(amount: Decimal) -> dict[str, str]:
        return _money(_in(amount, policy.data["currency"], currency, start), currency)

    travel, hotel = travel_section(policy.data, MODES, cost)
    default_hotel = hotel_price(policy.data, None)

    visits = []
    for c in customers:
        windows = _windows(c, start, days, seller_tz)
        if not windows:
            continue
        v = values[c.ref]
        visit = {
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
        night = hotel_price(policy.data, c.country)
        if night != default_hotel:
            visit["overnight_cost"] = cost(night)
        visits.append(visit)
    problem = {
        "format": "kanelbulle-plan/1",
        "start": start.isoformat(),
        "days": days,
        "time_zone": seller_tz,
        "seller": {
            "home": {"lat": user.home_lat, "lon": user.home_lon},
            "workday": list(WORKDAY),
            "weekdays": WEEKDAYS,
            "overnight": {"allowed": True, "cost": hotel},
        },
        "travel": travel,
        "visits": visits,
        "policy": policy.reference(),
    }
    return problem, values
