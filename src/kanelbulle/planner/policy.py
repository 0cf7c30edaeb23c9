"""The company's travel policy: which ways to travel are allowed and what travel costs.

A policy is a plain JSON document (the defaults, with their sources and years, are
``planner/data/travel_policy.json``); the database keeps each version (``TravelPolicy``, like the
gift policy) and the exchange format carries them (``travel_policies``). Nothing here imports
Django: :func:`check_policy` says what is wrong with a document, field by field, and
:func:`travel_section` turns a policy into a planning problem's travel figures.

- ``modes``: the allowed ways to travel, of car, rail and air (car is always needed: local legs);
- ``value_of_hour``: what an hour of the seller's time is worth (the planner prices travel time);
- ``car``: ``cost_per_km`` and ``co2_g_per_km``;
- ``hotel_per_night``: a price per ISO 3166 country, and ``default`` for the rest;
- ``air`` and ``rail``: fares by distance band, one way (``fixed`` + ``per_km`` × km) and the CO2
  per passenger-km of the band; the bands start at 0 km, follow each other without a gap or an
  overlap, and the last has no end (``to_km`` null).

Amounts are decimal strings in the policy's ``currency``. The speed, route factor, overhead and
shortest distance of each mode are the planner's (``book.MODES``), not the company's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

MODES = ("car", "rail", "air")
FARE_MODES = ("rail", "air")
TOP_FIELDS = {"currency", "modes", "value_of_hour", "car", "hotel_per_night", "air", "rail", "sources", "about"}
REQUIRED = {"currency", "modes", "value_of_hour", "car", "hotel_per_night", "air", "rail"}
BAND_FIELDS = {"from_km", "to_km", "fixed", "per_km", "co2_g_per_km"}


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One thing wrong with a policy, and which field (``air.bands[1].from_km``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidPolicy(ValueError):
    def __init__(self, problems: list[PolicyProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@cache
def _defaults_text() -> str:
    return resources.files("kanelbulle.planner").joinpath("data/travel_policy.json").read_text("utf-8")


def default_policy() -> dict[str, Any]:
    """The shipped defaults (a fresh copy), with their sources."""
    doc: dict[str, Any] = json.loads(_defaults_text())
    return doc


def _amount(raw: Any, field: str, out: list[PolicyProblem], *, positive: bool = False) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        out.append(PolicyProblem(field, f'must be a decimal amount such as "2.50", not {json.dumps(raw)}'))
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        out.append(PolicyProblem(field, f"{json.dumps(raw)} is not a decimal number"))
        return None
    if not value.is_finite():
        out.append(PolicyProblem(field, f"{json.dumps(raw)} is not a finite number"))
        return None
    if value < 0 or (positive and value == 0):
        out.append(PolicyProblem(field, f"must not be negative{' or zero' if positive else ''}, not {raw}"))
        return None
    return value


def _number(raw: Any, field: str, out: list[PolicyProblem]) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        out.append(PolicyProblem(field, f"must be a number, not {json.dumps(raw)}"))
        return None
    if raw < 0:
        out.append(PolicyProblem(field, f"must not be negative, not {raw}"))
        return None
    return float(raw)


def _object(raw: Any, field: str, known: set[str], out: list[PolicyProblem]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        out.append(PolicyProblem(field, "must be an object"))
        return None
    for key in sorted(set(raw) - known):
        out.append(PolicyProblem(f"{field}.{key}" if field else key, "unknown field"))
    for key in sorted(known - set(raw) - {"sources", "about"}):
        out.append(PolicyProblem(f"{field}.{key}" if field else key, "is missing"))
    return raw


def _bands(raw: Any, field: str, out: list[PolicyProblem]) -> None:
    if not isinstance(raw, list) or not raw:
        out.append(PolicyProblem(field, "must be a non-empty list of distance bands"))
        return
    end: float | None = 0.0
    for i, item in enumerate(raw):
        path = f"{field}[{i}]"
        band = _object(item, path, BAND_FIELDS, out)
        if band is None or not set(band) >= BAND_FIELDS:
            return
        low = _number(band["from_km"], f"{path}.from_km", out)
        high = None if band["to_km"] is None else _number(band["to_km"], f"{path}.to_km", out)
        _amount(band["fixed"], f"{path}.fixed", out)
        _amount(band["per_km"], f"{path}.per_km", out)
        _number(band["co2_g_per_km"], f"{path}.co2_g_per_km", out)
        if low is None:
            return
        if end is None:
            out.append(PolicyProblem(f"{path}.from_km", "overlaps the band before it, which has no end"))
            return
        if low < end:
            out.append(PolicyProblem(f"{path}.from_km", f"overlaps the band before it (which ends at {end:g} km)"))
            return
        if low > end:
            where = (
                "the first band must start at 0 km" if i == 0 else f"leaves a gap after the band ending at {end:g} km"
            )
            out.append(PolicyProblem(f"{path}.from_km", f"{where}, not {low:g}"))
            return
        if band["to_km"] is not None and (high is None or high <= low):
            if high is not None:
                out.append(PolicyProblem(f"{path}.to_km", f"must be greater than from_km ({low:g}), not {high:g}"))
            return
        end = high
    if end is not None:
        out.append(PolicyProblem(f"{field}[{len(raw) - 1}].to_km", "the last band must have no end (null)"))


def check_policy(doc: Any) -> list[PolicyProblem]:
    """Everything wrong with a policy document, each with the field it is about (empty: good)."""
    import pycountry

    out: list[PolicyProblem] = []
    top = _object(doc, "", TOP_FIELDS, out)
    if top is None:
        return out
    currency = top.get("currency")
    if "currency" in top and (not isinstance(currency, str) or pycountry.currencies.get(alpha_3=currency) is None):
        out.append(PolicyProblem("currency", f"must be an ISO 4217 code such as SEK, not {json.dumps(currency)}"))
    modes = top.get("modes")
    if "modes" in top:
        if not isinstance(modes, list) or not modes:
            out.append(PolicyProblem("modes", 'must be a list such as ["car", "rail", "air"]'))
        else:
            for i, name in enumerate(modes):
                if name not in MODES:
                    out.append(PolicyProblem(f"modes[{i}]", f"unknown mode {json.dumps(name)} (use car, rail, air)"))
            if "car" not in modes:
                out.append(PolicyProblem("modes", "must include car (the legs between nearby customers)"))
            if len(set(map(str, modes))) != len(modes):
                out.append(PolicyProblem("modes", "lists a mode twice"))
    if "value_of_hour" in top:
        _amount(top["value_of_hour"], "value_of_hour", out)
    car = _object(top["car"], "car", {"cost_per_km", "co2_g_per_km"}, out) if "car" in top else None
    if car is not None:
        if "cost_per_km" in car:
            _amount(car["cost_per_km"], "car.cost_per_km", out)
        if "co2_g_per_km" in car:
            _number(car["co2_g_per_km"], "car.co2_g_per_km", out)
    hotels = top.get("hotel_per_night")
    if "hotel_per_night" in top:
        if not isinstance(hotels, dict):
            out.append(PolicyProblem("hotel_per_night", "must be an object of prices per country"))
        else:
            if "default" not in hotels:
                out.append(PolicyProblem("hotel_per_night.default", "is missing (the price where no country's is set)"))
            for code, price in hotels.items():
                field = f"hotel_per_night.{code}"
                if code != "default" and (
                    not isinstance(code, str) or len(code) != 2 or pycountry.countries.get(alpha_2=code) is None
                ):
                    out.append(
                        PolicyProblem(field, f"unknown country {json.dumps(code)} (use an ISO 3166 code such as SE)")
                    )
                    continue
                _amount(price, field, out)
    for name in FARE_MODES:
        if name in top:
            fares = _object(top[name], name, {"bands"}, out)
            if fares is not None and "bands" in fares:
                _bands(fares["bands"], f"{name}.bands", out)
    if "sources" in top and not isinstance(top["sources"], list):
        out.append(PolicyProblem("sources", "must be a list"))
    return out


def validated(doc: Any) -> dict[str, Any]:
    """The document when it is a good policy; else InvalidPolicy naming every bad field."""
    problems = check_policy(doc)
    if problems:
        raise InvalidPolicy(problems)
    assert isinstance(doc, dict)
    return doc


def hotel_price(doc: dict[str, Any], country: str | None) -> Decimal:
    """A hotel night in ``country`` (ISO 3166 alpha-2), in the policy's currency."""
    hotels = doc["hotel_per_night"]
    return Decimal(str(hotels.get(country or "", hotels["default"])))


def band_of(doc: dict[str, Any], mode: str, great_circle_km: float) -> dict[str, Any]:
    """The fare band of ``mode`` for a leg of this great-circle length."""
    for band in doc[mode]["bands"]:
        if band["from_km"] <= great_circle_km and (band["to_km"] is None or great_circle_km < band["to_km"]):
            found: dict[str, Any] = band
            return found
    raise ValueError(f"no {mode} band for {great_circle_km} km")  # pragma: no cover - checked bands cover all


def travel_section(
    doc: dict[str, Any], shapes: dict[str, dict[str, Any]], amount: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """A planning problem's ``travel`` (allowed modes only) and the default hotel night, from a policy.

    ``shapes`` are the planner's own figures per mode (factor, speed, overhead, min_km);
    ``amount(Decimal)`` converts a policy amount into the problem's money object.
    """
    modes: dict[str, Any] = {}
    for name in doc["modes"]:
        shape = {k: v for k, v in shapes[name].items() if k not in {"cost_per_km", "fixed_cost", "co2_g_per_km"}}
        if name == "car":
            car = doc["car"]
            modes[name] = {**shape, "cost_per_km": amount(Decimal(str(car["cost_per_km"]))),
                           "fixed_cost": amount(Decimal(0)), "co2_g_per_km": car["co2_g_per_km"]}  # fmt: skip
            continue
        bands = [
            {"from_km": b["from_km"], "to_km": b["to_km"], "fixed_cost": amount(Decimal(str(b["fixed"]))),
             "cost_per_km": amount(Decimal(str(b["per_km"]))), "co2_g_per_km": b["co2_g_per_km"]}
            for b in doc[name]["bands"]
        ]  # fmt: skip
        first = bands[0]
        modes[name] = {**shape, "cost_per_km": first["cost_per_km"], "fixed_cost": first["fixed_cost"],
                       "co2_g_per_km": first["co2_g_per_km"], "bands": bands}  # fmt: skip
    travel = {"cost_per_hour": amount(Decimal(str(doc["value_of_hour"]))), "modes": modes}
    return travel, amount(hotel_price(doc, None))
