"""Opening hours typed as people write them, stored as the exchange format's spans."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from kanelbulle.customers.actions import customer_create
from kanelbulle.customers.hours import HoursError, format_hours, parse
from tests.personas import Personas


def test_it_reads_day_ranges_lists_and_several_spans() -> None:
    assert parse("mon-fri 08:00-16:30; sat 10-14") == {
        **{d: [["08:00", "16:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "sat": [["10:00", "14:00"]],
    }
    assert parse("mån,ons 8.00-12, 13-17") == {
        "mon": [["08:00", "12:00"], ["13:00", "17:00"]],
        "wed": [["08:00", "12:00"], ["13:00", "17:00"]],
    }
    assert parse("  ") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ({"mon": [["08:00", "16:30"]], "tue": [["08:00", "16:30"]], "thu": [["09:00", "12:00"]]},
         "mon-tue 08:00-16:30; thu 09:00-12:00"),
        ({"sat": [["10:00", "14:00"]]}, "sat 10:00-14:00"),
        (None, ""),
    ],
)  # fmt: skip
def test_it_writes_back_what_it_reads(text: dict[str, list[list[str]]] | None, expected: str) -> None:
    assert format_hours(text) == expected
    assert parse(expected) == (text or None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("funday 08-16", "'funday' is not a day"),
        ("mon 25:00-26:00", "'25:00' is not a time"),
        ("mon 16:00-08:00", "'16:00-08:00' ends before it starts"),
        ("fri-mon 08-16", "'fri-mon' runs backwards"),
        ("mon 08:00", "'08:00' needs a start and an end"),
        ("08:00-16:00", "needs days and times"),
    ],
)
def test_bad_hours_name_the_part_that_is_wrong(text: str, message: str) -> None:
    with translation.override("en"), pytest.raises(HoursError, match=message):
        parse(text)


@pytest.mark.django_db
def test_the_customer_form_edits_opening_hours_and_keeps_bad_input(client: Client, personas: Personas) -> None:
    customer = customer_create(personas.seller, name="Norrbotten Stål AB", city="Luleå", country="SE")
    client.force_login(personas.seller)
    url = f"/customers/{customer.ref}/edit/"
    page = client.get(url).content.decode()
    assert 'name="opening_hours"' in page
    form = {
        "name": customer.name, "country": "SE", "city": "Luleå", "owner": str(personas.seller.pk),
        "potential": "unknown", "visit_minutes": "60", "version": str(customer.version),
        "opening_hours": "mon-fri 07:00-15:30",
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    customer.refresh_from_db()
    assert customer.opening_hours["fri"] == [["07:00", "15:30"]]
    assert "sat" not in customer.opening_hours
    assert "mon-fri 07:00-15:30" in client.get(url).content.decode()

    client.post("/i18n/setlang/", {"language": "sv", "next": url})
    bad = client.post(url, {**form, "version": str(customer.version), "opening_hours": "mon 16-08"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Inga öppettider: &#x27;16-08&#x27; slutar innan det börjar." in html
    assert 'value="mon 16-08"' in html
    customer.refresh_from_db()
    assert customer.opening_hours["mon"] == [["07:00", "15:30"]]
