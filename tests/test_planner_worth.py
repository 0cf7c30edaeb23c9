"""Is this trip worth it? The value at stake against car, train, plane and a video call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kanelbulle.core.access import NotVisible
from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.planner.worth import trip_worth_document
from tests.cli import run
from tests.personas import Personas

TODAY = "2026-11-24"  # the day the trips are valued on


def lulea(personas: Personas, deal: str) -> Customer:
    c = Customer.objects.create(
        ref="c-lulea", name="Norrbotten Stål", country="SE", city="Luleå", lat=65.5848, lon=22.1547,
        time_zone="Europe/Stockholm", owner=personas.seller, visit_minutes=90,
    )  # fmt: skip
    Deal.objects.create(
        ref="d-lulea", customer=c, user=personas.seller, title="Line 3", value_amount=Decimal(deal),
        value_currency="SEK", probability_pct=Decimal("40"), stage=Stage.OPEN, created="2026-11-01",
    )  # fmt: skip
    return c


@pytest.mark.django_db
def test_a_big_deal_in_luleå_is_worth_the_flight_and_says_why_in_numbers(personas: Personas) -> None:
    lulea(personas, "600000")
    result = run("trip-worth", "--today", TODAY, "--customer", "c-lulea", "--json")
    assert result.code == 0, result.err
    doc = result.json
    assert doc["value"]["at_stake"] == {"amount": "240000.00", "currency": "SEK"}  # 600,000 × 40 %
    assert doc["value"]["in_person"] == {"amount": "48000.00", "currency": "SEK"}  # × 20 % (the prior)
    assert doc["value"]["uplift_source"]["source"] == "prior"
    options = {o["mode"]: o for o in doc["options"]}
    assert options["air"]["minutes_one_way"] == 227  # 150 min overhead + 762.6 km at 600 km/h, rounded up
    assert options["air"]["hotel_night"] is True  # 2 × 227 min + a 90-minute visit > a 9-hour day
    assert options["car"]["hotel_night"] is True  # 2 × 12.6 h driving does not fit a day
    assert Decimal(options["air"]["cost"]["amount"]) < Decimal(options["car"]["cost"]["amount"])
    assert options["video"]["cost"]["amount"] == "0.00"
    assert options["video"]["value_kept"] == doc["value"]["at_stake"]
    # The default travel policy (planner/data/travel_policy.json): the flight is cheaper than the train
    # once the seller's hours are priced; 2 × (700 + 762.6 km × 1.40 + 3.77 h × 450) + a 1,400 SEK hotel
    # night; CO2 at the UK Government's 255 g per passenger-km for a domestic flight, there and back.
    assert doc["worth_it"] is True and doc["best"] == "air"
    assert options["air"]["fare_return"] == {"amount": "3535.16", "currency": "SEK"}
    assert options["air"]["text"].startswith(
        "Luleå by plane: 3 h 47 min door to door each way, SEK\xa08,329 with a hotel night "
        "and 389 kg CO2 there and back"
    )
    assert "at stake SEK\xa0240,000 × 20 % in-person uplift = SEK\xa048,000: worth it" in options["air"]["text"]
    assert doc["summaries"]["sv"].startswith("Värt resan: åk med flyg; besöket tillför 48\xa0000\xa0kr")


@pytest.mark.django_db
def test_a_small_deal_far_away_is_a_video_call_in_words_in_both_languages(personas: Personas) -> None:
    lulea(personas, "20000")
    english = run("trip-worth", "--today", TODAY, "--customer", "c-lulea")
    swedish = run("trip-worth", "--today", TODAY, "--customer", "c-lulea", "--language", "sv")
    assert english.code == swedish.code == 0, english.err
    assert "Luleå by plane:" in english.out and ": not worth it" in english.out
    said = "Not worth the trip: a video call keeps SEK\xa08,000 at stake; the visit would add SEK\xa01,600."
    assert said in english.out
    assert "Luleå med flyg:" in swedish.out and "Inte värt resan: ett videomöte" in swedish.out


@pytest.mark.django_db
def test_a_near_customer_offers_no_flight_and_says_so(personas: Personas) -> None:
    Customer.objects.create(
        ref="c-near", name="Solna AB", country="SE", city="Solna", lat=59.36, lon=18.00,
        time_zone="Europe/Stockholm", owner=personas.seller,
    )  # fmt: skip
    doc = run("trip-worth", "--today", TODAY, "--customer", "c-near", "--json").json
    options = {o["mode"]: o for o in doc["options"]}
    assert options["air"] == {**options["air"], "available": False}
    assert options["air"]["text"] == "Solna by plane: not offered for under 400 km"
    assert options["car"]["available"] is True and doc["worth_it"] is False  # nothing at stake


@pytest.mark.django_db
def test_unknown_customer_user_or_a_seller_without_a_home_exits_2(personas: Personas) -> None:
    lulea(personas, "600000")
    result = run("trip-worth", "--today", TODAY, "--customer", "c-nowhere", "--user", "nobody", "--json")
    assert result.code == 2 and result.out == ""
    assert result.err_lines == ["--customer: no customer 'c-nowhere'", "--user: no user named 'nobody'"]
    personas.other_seller.home_lat = personas.other_seller.home_lon = None
    personas.other_seller.save()
    result = run("trip-worth", "--today", TODAY, "--customer", "c-lulea", "--user", "bertil", "--json")
    assert result.code == 2 and result.out == ""
    assert result.err_lines == ["--user: bertil has no home place (lat/lon): it is needed to price a trip"]


@pytest.mark.django_db
def test_the_document_for_the_api_answers_only_for_a_customer_the_viewer_may_see(personas: Personas) -> None:
    c = lulea(personas, "600000")
    doc = trip_worth_document(personas.manager, c, None, today=dt.date.fromisoformat(TODAY))
    assert doc["seller"] == "anna" and doc["worth_it"] is True
    with pytest.raises(NotVisible):
        trip_worth_document(personas.outsider, c, None, today=dt.date.fromisoformat(TODAY))
