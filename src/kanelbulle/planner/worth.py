"""Is this trip worth it? One customer's value at stake against going there, and against a video call.

The value is the planner's own (planner/book.py ``visit_values``: open deals × win probability ×
the in-person uplift, measured or the prior; a share of the orders; relationship health). Going
there is priced with the planner's travel model (planner/travel.py, the figures and their sources
in docs/planner.md) from the seller's home, by car, train and plane where each is offered, there and
back, with a hotel night when the two journeys and the visit do not fit a working day. A video call
costs nothing and takes no travel, and keeps the value at stake without the in-person uplift (the
win probability stays where it is). A trip is worth it when the value a visit adds is more than what
the round trip costs (money for the seller's time included); the answer says so in words and
numbers, in English and Swedish.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from kanelbulle.planner.book import (
    MODES,
    WORKDAY,
    BookError,
    VisitValue,
    _in,
    _money,
    visit_values,
)
from kanelbulle.planner.problem import Mode, PlanProblem
from kanelbulle.planner.travel import Leg, haversine_km, mode_leg, road_leg, round_km

FORMAT = "kanelbulle-trip-worth/1"
LANGUAGES = ("en", "sv")
TRAVEL_MODES = ("car", "rail", "air")


def _amount_text(amount: Decimal, currency: str) -> str:
    """Whole units, by the one formatter (core.money.format_money): ``SEK 11,169``, ``11 169 kr``."""
    from kanelbulle.core.money import format_money

    return format_money(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP), currency)


def _duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s h") % {"h": hours}
    return _("%(m)s min") % {"m": rest}


def _kg_text(kg: Decimal) -> str:
    from babel.numbers import format_decimal

    lang = translation.get_language() or "en"
    return format_decimal(kg.quantize(Decimal(1), rounding=ROUND_HALF_UP), format="#,##0", locale=lang[:2])


def _mode_words(mode: str) -> str:
    return {"car": _("by car"), "rail": _("by train"), "air": _("by plane"), "video": _("video call")}[mode]


def _travel(currency: str, on: dt.date, seller: Any, customer: Any) -> tuple[PlanProblem, Any, Decimal]:
    """The travel policy in force on ``on`` as the planner's objects (only its allowed modes), the
    policy itself, and a hotel night in the customer's country, all in the company currency."""
    from kanelbulle.planner.policy import hotel_price, travel_section
    from kanelbulle.planner.problem import parse_problem
    from kanelbulle.planner.travel_policy import in_force

    policy = in_force(on)

    def amount(value: Decimal) -> dict[str, str]:
        return _money(_in(value, policy.data["currency"], currency, on), currency)

    travel, hotel = travel_section(policy.data, MODES, amount)
    problem = parse_problem(
        {
            "format": "kanelbulle-plan/1", "start": on.isoformat(), "days": 1, "time_zone": settings.TIME_ZONE,
            "seller": {"home": {"lat": seller.home_lat, "lon": seller.home_lon}, "workday": list(WORKDAY),
                       "weekdays": ["mon"], "overnight": {"allowed": True, "cost": hotel}},
            "travel": travel, "visits": [],
        }
    )  # fmt: skip
    night = Decimal(amount(hotel_price(policy.data, customer.country))["amount"])
    return problem, policy, night


def _fare(mode: Mode, leg: Leg, great_circle_km: float) -> Decimal:
    """What the ticket (or the car's running cost) is for a leg, without the seller's time."""
    fixed, per_km, _co2 = mode.fare(great_circle_km)
    return (fixed + Decimal(repr(leg.km)) * per_km).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _car_leg(problem: PlanProblem, mode: Mode, customer: Any, gc: float, notes: list[str]) -> Leg:
    """The car leg by the configured road router when there is one (planner/routing.py), else offline."""
    from kanelbulle.planner.routing import RouterError, configured, road_table

    config, why = configured()
    if config is None:
        if why:
            notes.append(why)
        return mode_leg(problem, mode, gc)
    points = [(problem.home_lat, problem.home_lon), (customer.lat, customer.lon)]
    try:
        table, offline = road_table(points, mode.factor, mode.speed_kmh, config)
    except RouterError as exc:
        notes.append(
            _(
                "road router %(kind)s at %(url)s cannot be used (%(why)s): car legs use the offline model "
                "(great-circle distance × %(factor)s at %(speed)s km/h)"
            )
            % {"kind": config.kind, "url": config.url, "why": exc, "factor": mode.factor, "speed": mode.speed_kmh}
        )
        return mode_leg(problem, mode, gc)
    if offline:
        return mode_leg(problem, mode, gc)
    notes.append(
        _("car legs: road distances and driving times from the %(kind)s router at %(url)s")
        % {"kind": config.kind, "url": config.url}
    )
    return road_leg(problem, mode, float(table.km[0, 1]), float(table.minutes[0, 1]))


def trip_worth(seller: Any, customer: Any, today: dt.date) -> dict[str, Any]:
    """The answer as one JSON-ready document (numbers, and sentences in both languages).

    Raises BookError when the seller has no home, NoRate when an amount cannot be converted.
    """
    if seller.home_lat is None or seller.home_lon is None:
        raise BookError(f"{seller.username} has no home place (lat/lon): it is needed to price a trip")
    currency: str = settings.COMPANY_CURRENCY
    value = visit_values(seller, [customer], currency, today)[customer.ref]
    from kanelbulle.planner.land import GROUND_MODES, same_land

    problem, policy, hotel = _travel(currency, today, seller, customer)
    modes = problem.modes
    gc = haversine_km(seller.home_lat, seller.home_lon, customer.lat, customer.lon)
    by_land = same_land((seller.home_lat, seller.home_lon), (customer.lat, customer.lon))
    workday_minutes = _workday_minutes()
    notes: list[str] = []
    options: list[dict[str, Any]] = []
    for name in TRAVEL_MODES:
        if name not in modes:
            options.append({"mode": name, "available": False, "why": "policy"})
            continue
        mode = modes[name]
        if name in GROUND_MODES and not by_land:
            options.append({"mode": name, "available": False, "why": "sea"})
            continue
        if gc < mode.min_km:
            options.append({"mode": name, "available": False, "why": "short", "min_km": mode.min_km})
            continue
        leg = _car_leg(problem, mode, customer, gc, notes) if name == "car" else mode_leg(problem, mode, gc)
        one_way = math.ceil(leg.minutes - 1e-9)
        night = 2 * one_way + int(customer.visit_minutes) > workday_minutes
        cost = 2 * leg.cost + (hotel if night else Decimal(0))
        co2 = Decimal(repr(2 * leg.co2_g / 1000)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        net = value.amount - cost
        options.append(
            {
                "mode": name,
                "available": True,
                "km_one_way": round_km(leg.km),
                "minutes_one_way": one_way,
                "hotel_night": night,
                "fare_return": _money(2 * _fare(mode, leg, gc), currency),
                "cost": _money(cost, currency),
                "co2_kg": str(co2),
                "net": _money(net, currency),
                "worth": net > 0,
            }
        )
    video = {
        "mode": "video",
        "available": True,
        "minutes_one_way": 0,
        "cost": _money(Decimal(0), currency),
        "co2_kg": "0.0",
        "value_kept": _money(value.at_stake, currency),
        "value_lost": _money(value.amount, currency),
    }
    options.append(video)
    going = [o for o in options if o["mode"] != "video" and o["available"]]
    best = max(going, key=lambda o: (Decimal(o["net"]["amount"]), -o["minutes_one_way"]), default=None)
    worth = best is not None and best["worth"]
    doc: dict[str, Any] = {
        "format": FORMAT,
        "today": today.isoformat(),
        "customer": {"ref": customer.ref, "name": customer.name, "city": customer.city},
        "seller": seller.username,
        "great_circle_km": round_km(gc),
        "value": {
            "at_stake": _money(value.at_stake, currency),
            "in_person": _money(value.amount, currency),
            "uplift": _money(value.uplift_amount, currency),
            "uplift_source": value.uplift.to_json() if value.uplift is not None else None,
            "required": value.required,
            "requested": value.requests > 0,
            "request": _money(value.request_value, currency),
            "health": value.health,
            "why": value.parts,
        },
        "options": options,
        "travel_policy": policy.reference(),
        "sources": [f"{s['figure']}: {s['source']} ({s['year']})" for s in policy.data.get("sources", [])],
        "best": best["mode"] if worth and best is not None else "video",
        "worth_it": worth,
        "notes": notes,
    }
    texts = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            texts[lang] = _texts(doc, value, currency)
    active = (translation.get_language() or "en")[:2]
    chosen = texts.get(active, texts["en"])
    for option, line in zip(doc["options"], chosen["options"], strict=True):
        option["text"] = line
    doc["summary"] = chosen["summary"]
    doc["summaries"] = {lang: t["summary"] for lang, t in texts.items()}
    doc["texts"] = {lang: t["options"] for lang, t in texts.items()}
    return doc


def _workday_minutes() -> int:
    begin, end = (dt.time.fromisoformat(t) for t in WORKDAY)
    return (end.hour * 60 + end.minute) - (begin.hour * 60 + begin.minute)


def _stake_text(value: VisitValue, currency: str) -> str:
    uplift = value.uplift
    if uplift is None or not value.at_stake:
        stake = _("no open deal at stake")
    elif uplift.odds_ratio is not None:
        stake = _("at stake %(stake)s, win odds × %(ratio).2f in person (your evidence, n=%(n)s) = %(gain)s") % {
            "stake": _amount_text(value.at_stake, currency),
            "ratio": uplift.odds_ratio,
            "n": uplift.n,
            "gain": _amount_text(value.uplift_amount, currency),
        }
    else:
        from kanelbulle.planner.book import IN_PERSON_UPLIFT

        stake = _("at stake %(stake)s × %(share)s %% in-person uplift = %(gain)s") % {
            "stake": _amount_text(value.at_stake, currency),
            "share": int(IN_PERSON_UPLIFT * 100),
            "gain": _amount_text(value.uplift_amount, currency),
        }
    if value.amount != value.uplift_amount:
        stake += " " + _("(a visit is worth %(value)s with the orders and relationship health)") % {
            "value": _amount_text(value.amount, currency)
        }
    return stake


def _texts(doc: dict[str, Any], value: VisitValue, currency: str) -> dict[str, Any]:
    place = doc["customer"]["city"] or doc["customer"]["name"]
    stake = _stake_text(value, currency)
    lines = []
    for o in doc["options"]:
        if o["mode"] == "video":
            lines.append(
                _(
                    "%(place)s by video call: no travel, %(nothing)s, 0 kg CO2 — keeps %(kept)s at stake "
                    "without the in-person uplift of %(lost)s"
                )
                % {
                    "place": place,
                    "nothing": _amount_text(Decimal(0), currency),
                    "kept": _amount_text(value.at_stake, currency),
                    "lost": _amount_text(value.amount, currency),
                }
            )
            continue
        if not o["available"]:
            if o["why"] == "policy":
                line = _("%(place)s %(mode)s: not allowed by the travel policy (version %(version)s)") % {
                    "place": place, "mode": _mode_words(o["mode"]), "version": doc["travel_policy"]["version"],
                }  # fmt: skip
            elif o["why"] == "sea":
                line = _("%(place)s %(mode)s: not offered, there is no land route (across the sea)") % {
                    "place": place, "mode": _mode_words(o["mode"]),
                }  # fmt: skip
            else:
                line = _("%(place)s %(mode)s: not offered for under %(km)s km") % {
                    "place": place, "mode": _mode_words(o["mode"]), "km": int(o["min_km"]),
                }  # fmt: skip
            lines.append(line)
            continue
        verdict = _("worth it") if o["worth"] else _("not worth it")
        hotel = " " + _("with a hotel night") if o["hotel_night"] else ""
        lines.append(
            _(
                "%(place)s %(mode)s: %(time)s door to door each way, %(cost)s%(hotel)s and %(co2)s kg CO2 there "
                "and back — %(stake)s: %(verdict)s"
            )
            % {
                "place": place,
                "mode": _mode_words(o["mode"]),
                "time": _duration_text(o["minutes_one_way"]),
                "cost": _amount_text(Decimal(o["cost"]["amount"]), currency),
                "hotel": hotel,
                "co2": _kg_text(Decimal(o["co2_kg"])),
                "stake": stake,
                "verdict": verdict,
            }
        )
    if doc["worth_it"]:
        best = next(o for o in doc["options"] if o["mode"] == doc["best"])
        summary = _("Worth the trip: go %(mode)s; the visit adds %(value)s for %(cost)s.") % {
            "mode": _mode_words(best["mode"]),
            "value": _amount_text(value.amount, currency),
            "cost": _amount_text(Decimal(best["cost"]["amount"]), currency),
        }
    else:
        summary = _("Not worth the trip: a video call keeps %(kept)s at stake; the visit would add %(value)s.") % {
            "kept": _amount_text(value.at_stake, currency),
            "value": _amount_text(value.amount, currency),
        }
    if value.requests:
        summary += " " + _(
            "The customer has asked to meet: the request adds %(value)s (go, or meet by video at no cost)."
        ) % {"value": _amount_text(value.request_value, currency)}
    return {"options": lines, "summary": summary}


def trip_worth_document(viewer: Any, customer: Any, seller: Any | None = None, *, today: dt.date) -> dict[str, Any]:
    """For the API and the pages: ``viewer`` must see ``customer`` (else core.access.NotVisible).

    ``seller`` (default: the customer's owner) is whose home the trip starts from and whose evidence
    values it. Raises BookError when that seller has no home place.
    """
    from kanelbulle.core.access import require_visible

    require_visible(viewer, customer)
    return trip_worth(seller if seller is not None else customer.owner, customer, today)
