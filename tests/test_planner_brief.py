"""`kanelbulle brief --customer REF`: the people, facts, meetings and stakes, only as the viewer may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.meetings.models import Meeting, MeetingRequest
from tests.cli import run
from tests.personas import Personas

TODAY = "2026-11-24"  # the day the brief is written on


def lulea(personas: Personas) -> Customer:
    anna = personas.seller
    c = Customer.objects.create(
        ref="c-lulea-1", name="Norrbotten Stål", country="SE", city="Luleå", lat=65.5848, lon=22.1547,
        time_zone="Europe/Stockholm", owner=anna, visit_minutes=90,
    )  # fmt: skip
    li = Contact.objects.create(ref="p-1", customer=c, name="Li Wei", title="CEO", lawful_basis="legitimate_interest")
    Fact.objects.create(contact=li, kind="pet", text="Two schnauzers, Max and Moritz", learned=dt.date(2026, 5, 2))
    m = Meeting.objects.create(
        ref="m-1", customer=c, user=anna, start=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
        notes="Wants the new line in spring", unsaid="Li seemed tired of the old supplier",
    )  # fmt: skip
    m.contacts.add(li)
    Deal.objects.create(
        ref="d-1", customer=c, user=anna, title="Line 3", value_amount=Decimal("600000"), value_currency="SEK",
        probability_pct=Decimal("40"), stage=Stage.OPEN, created=dt.date(2026, 9, 1),
    )  # fmt: skip
    MeetingRequest.objects.create(
        ref="r-1", customer=c, contact=li, requested_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
    )
    return c


@pytest.mark.django_db
def test_the_brief_shows_the_schnauzers_the_last_meeting_and_the_stakes(personas: Personas) -> None:
    lulea(personas)
    result = run("brief", "--customer", "c-lulea-1", "--today", TODAY, "--json")
    assert result.code == 0, result.err
    doc = result.json
    assert doc["people"][0]["facts"][0]["text"] == "Two schnauzers, Max and Moritz"
    assert any("Max and Moritz" in o for o in doc["openers"])
    assert doc["last_meetings"][0]["notes"] == "Wants the new line in spring"
    assert doc["last_meetings"][0]["unsaid"] == "Li seemed tired of the old supplier"  # the operator sees all
    assert doc["open_deals"][0]["value"] == {"amount": "600000.00", "currency": "SEK"}
    assert doc["waiting_requests"][0]["contact"] == "Li Wei"
    text = run("brief", "--customer", "c-lulea-1", "--today", TODAY)
    assert "Two schnauzers, Max and Moritz" in text.out and "Line 3" in text.out
    assert "Line 3: SEK\xa0600,000, 40" in text.out  # amounts by the one formatter, in the reader's language
    swedish = run("brief", "--customer", "c-lulea-1", "--today", TODAY, "--language", "sv")
    assert "Line 3: 600\xa0000\xa0kr, 40" in swedish.out


@pytest.mark.django_db
def test_the_brief_shows_only_what_the_viewer_may_see(personas: Personas) -> None:
    lulea(personas)
    own = run("brief", "--customer", "c-lulea-1", "--today", TODAY, "--as", "anna", "--json").json
    assert own["last_meetings"][0]["unsaid"] == "Li seemed tired of the old supplier"
    manager = run("brief", "--customer", "c-lulea-1", "--today", TODAY, "--as", personas.manager.username, "--json")
    assert manager.code == 0
    assert "unsaid" not in manager.json["last_meetings"][0]  # the author's alone
    outsider = run("brief", "--customer", "c-lulea-1", "--today", TODAY, "--as", personas.outsider.username, "--json")
    assert outsider.code == 2
    assert outsider.out == ""
    assert outsider.err_lines == ["--customer: no customer 'c-lulea-1'"]


@pytest.mark.django_db
def test_the_brief_in_swedish_has_swedish_headings(personas: Personas) -> None:
    lulea(personas)
    english = run("brief", "--customer", "c-lulea-1", "--today", TODAY)
    swedish = run("brief", "--customer", "c-lulea-1", "--today", TODAY, "--language", "sv")
    assert swedish.code == 0, swedish.err
    for heading in ("People", "Openers", "Last meetings", "Open deals", "Waiting meeting requests"):
        assert f"\n{heading}\n" in english.out
        assert f"\n{heading}\n" not in swedish.out, heading
    for heading in ("Personer", "Samtalsöppnare", "Senaste mötena", "Öppna affärer", "Väntande mötesförfrågningar"):
        assert f"\n{heading}\n" in swedish.out, heading
    assert "Fråga om husdjuren: Two schnauzers, Max and Moritz" in swedish.out
    assert "Customer's gift policy" not in swedish.out
