from __future__ import annotations

import pytest

from kanelbulle.core import gazetteer


@pytest.mark.parametrize(
    ("city", "country", "lat", "lon", "tz"),
    [
        ("Luleå", "SE", 65.58, 22.15, "Europe/Stockholm"),
        ("lulea", "SE", 65.58, 22.15, "Europe/Stockholm"),
        ("Trollhättan", "SE", 58.28, 12.29, "Europe/Stockholm"),
        ("Hässleholm", "SE", 56.16, 13.77, "Europe/Stockholm"),
        ("Memphis", "US", 35.15, -90.05, "America/Chicago"),
        ("Boston", "US", 42.36, -71.06, "America/New_York"),
        ("Göteborg", "SE", 57.71, 11.97, "Europe/Stockholm"),
    ],
)
def test_it_finds_known_places_offline(city: str, country: str, lat: float, lon: float, tz: str) -> None:
    place = gazetteer.lookup(city, country)
    assert round(place.lat, 2) == lat
    assert round(place.lon, 2) == lon
    assert place.time_zone == tz


def test_an_unknown_place_is_an_error_not_zero_zero() -> None:
    with pytest.raises(gazetteer.UnknownPlace, match="Atlantis"):
        gazetteer.lookup("Atlantis", "SE")


def test_the_time_zone_follows_from_a_point() -> None:
    place = gazetteer.nearest(35.2, -90.0, "US")
    assert place is not None and place.time_zone == "America/Chicago"


def test_distance_stockholm_lulea_is_about_726_km() -> None:
    assert 720 < gazetteer.haversine_km(59.3293, 18.0686, 65.5848, 22.1547) < 732
