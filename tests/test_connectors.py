"""iCalendar, vCard and CSV from other CRMs: files as Outlook, Google, iPhone and the CRMs write them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import vobject
from django.test import Client

from kanelbulle.accounts.models import ApiToken, CalendarImport, CalendarToken
from kanelbulle.connectors import import_csv, import_ics, import_vcard
from kanelbulle.connectors.crm_csv import decode, parse_amount, parse_date
from kanelbulle.connectors.ical import feed, import_ics_data
from kanelbulle.connectors.vcard import e164, export_vcards, import_vcard_text
from kanelbulle.customers import actions as customer_actions
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.deals.models import Deal
from kanelbulle.meetings import actions as meeting_actions
from kanelbulle.meetings.models import Meeting
from tests.personas import Personas

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lulea(personas: Personas) -> Customer:
    personas.seller.email = "anna@kanelbulle.example"
    personas.seller.save()
    customer = customer_actions.customer_create(
        None, ref="c-lulea-1", name="Norrbotten Stål AB", country="SE", city="Luleå", lat=65.58, lon=22.15,
        time_zone="Europe/Stockholm", owner=personas.seller,
    )  # fmt: skip
    customer_actions.contact_create(
        None, customer, ref="p-1", name="Li Wei", email="li@example.com", lawful_basis="legitimate_interest"
    )
    return customer


# -- iCalendar --------------------------------------------------------------------------------


def test_outlook_export_imports_once_with_its_time_zone_and_reports_strangers(
    personas: Personas, lulea: Customer
) -> None:
    report = import_ics(FIXTURES / "ics" / "outlook.ics", actor=personas.seller)
    assert report.problems == [] and report.stored
    assert report.created == 1
    meeting = Meeting.objects.get()
    assert meeting.start == dt.datetime(2025, 12, 18, 10, 0, tzinfo=STOCKHOLM)
    assert meeting.duration_minutes == 90
    assert [c.ref for c in meeting.contacts.all()] == ["p-1"] and meeting.user == personas.seller
    assert "Möte med Norrbotten Stål om leveransen" in meeting.notes
    assert "pumpstation i Luleå. Ta med" in meeting.notes  # the folded line is joined again
    assert "okand@example.org" in report.unmatched and "someone@elsewhere.example" in report.unmatched
    assert len(report.skipped) == 1 and "Tandläkaren" not in meeting.notes
    again = import_ics(FIXTURES / "ics" / "outlook.ics", actor=personas.seller)
    assert (again.created, again.unchanged) == (0, 1)
    assert Meeting.objects.count() == 1


def test_google_export_with_all_day_and_cancelled_events(personas: Personas, lulea: Customer) -> None:
    report = import_ics(FIXTURES / "ics" / "google.ics", actor=personas.seller)
    assert report.problems == [] and report.created == 3
    assert "anna@kanelbulle.example" not in report.unmatched  # the seller herself is not a stranger
    follow_up = Meeting.objects.get(start=dt.datetime(2026, 6, 15, 13, 30, tzinfo=STOCKHOLM))
    assert follow_up.duration_minutes == 45 and follow_up.modality == "video"
    fair = Meeting.objects.get(start=dt.datetime(2026, 9, 16, 0, 0, tzinfo=STOCKHOLM))
    assert fair.duration_minutes == 2 * 24 * 60
    assert Meeting.objects.get(notes__contains="frukostmöte").status == "cancelled"
    assert CalendarImport.objects.count() == 3


def test_a_moved_event_updates_the_meeting_instead_of_adding_one(personas: Personas, lulea: Customer) -> None:
    original = (FIXTURES / "ics" / "outlook.ics").read_bytes()
    import_ics_data(original, actor=personas.seller)
    moved = original.replace(b"20251218T100000", b"20251219T090000").replace(b"20251218T113000", b"20251219T100000")
    report = import_ics_data(moved, actor=personas.seller)
    assert report.updated == 1 and Meeting.objects.count() == 1
    assert Meeting.objects.get().start == dt.datetime(2025, 12, 19, 9, 0, tzinfo=STOCKHOLM)


def test_a_broken_calendar_file_stores_nothing_and_says_why(personas: Personas, lulea: Customer) -> None:
    report = import_ics_data(b"this is not a calendar", actor=personas.seller)
    assert report.problems and not report.stored
    no_uid = (FIXTURES / "ics" / "google.ics").read_bytes().replace(b"UID:2b8c1d9e0f@google.com\r\n", b"")
    report = import_ics_data(no_uid, actor=personas.seller)
    assert [loc for loc, _ in report.problems] == ["event 2"]
    assert Meeting.objects.count() == 0


def test_the_feed_parses_back_with_an_independent_parser(personas: Personas, lulea: Customer) -> None:
    li = Contact.objects.get(ref="p-1")
    start = dt.datetime(2026, 3, 2, 9, 30, tzinfo=STOCKHOLM)
    meeting = meeting_actions.log_meeting(
        personas.seller, lulea, start=start, duration_minutes=75, contacts=[li], unsaid="secret thought",
        notes="private-ish notes",
    )  # fmt: skip
    meeting_actions.log_meeting(personas.seller, lulea, start=start - dt.timedelta(days=90), status="held")
    text = feed(personas.seller).decode()
    assert "secret thought" not in text and "private-ish" not in text
    calendar = vobject.readOne(text)
    events = calendar.contents["vevent"]
    assert len(events) == 2
    ours = next(e for e in events if e.uid.value == f"{meeting.ref}@kanelbulle")
    assert ours.dtstart.value == start and ours.dtend.value - ours.dtstart.value == dt.timedelta(minutes=75)
    assert "Norrbotten Stål AB" in ours.summary.value
    assert ours.attendee.value.lower() == "mailto:li@example.com"
    # Imported back, the feed is recognised by its UIDs: nothing doubles.
    report = import_ics_data(text.encode(), actor=personas.seller)
    assert report.created == 0 and Meeting.objects.count() == 2


def test_the_feed_url_needs_its_own_token(personas: Personas, lulea: Customer) -> None:
    client = Client()
    meeting_actions.log_meeting(personas.seller, lulea, start=dt.datetime(2026, 3, 2, 9, 30, tzinfo=STOCKHOLM))
    raw = CalendarToken.issue(personas.seller)
    ok = client.get(f"/api/v1/calendar/anna.ics?token={raw}")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/calendar")
    assert len(vobject.readOne(ok.content.decode()).contents["vevent"]) == 1
    assert client.get(f"/api/v1/calendar/bertil.ics?token={raw}").status_code == 401
    _, api_token = ApiToken.issue(personas.seller)
    assert client.get(f"/api/v1/calendar/anna.ics?token={api_token}").status_code == 401
    CalendarToken.issue(personas.seller)  # a new one revokes the old
    gone = client.get(f"/api/v1/calendar/anna.ics?token={raw}")
    assert gone.status_code == 401 and gone.json()["errors"][0]["path"] == "token"


# -- vCard ------------------------------------------------------------------------------------


def test_vcards_from_an_iphone_and_google_import_with_e164_phones(personas: Personas, lulea: Customer) -> None:
    report = import_vcard(FIXTURES / "vcard" / "iphone-3.0.vcf", lulea, actor=personas.seller)
    assert report.problems == [] and (report.created, report.updated) == (1, 1)  # Li Wei matched by e-mail
    li = Contact.objects.get(ref="p-1")
    assert (li.phone, li.title) == ("+46701234567", "VD")
    asa = Contact.objects.get(name="Åsa Öberg")
    assert asa.phone == "+46920234500" and asa.source == "import"
    report = import_vcard(FIXTURES / "vcard" / "google-4.0.vcf", lulea, actor=personas.seller)
    assert report.created == 1
    assert Contact.objects.get(name="Karl Nyström").phone == "+46735550102"


def test_vcard_export_round_trips_in_both_versions(personas: Personas, lulea: Customer) -> None:
    import_vcard(FIXTURES / "vcard" / "iphone-3.0.vcf", lulea, actor=personas.seller)
    for version in ("3.0", "4.0"):
        text = export_vcards(lulea, version=version)
        cards = list(vobject.readComponents(text))
        assert [c.fn.value for c in cards] == ["Li Wei", "Åsa Öberg"]
        assert all(c.version.value == version for c in cards)
        assert cards[0].uid.value == "p-1" and cards[0].tel.value == "+46701234567"
        report = import_vcard_text(text, lulea, actor=personas.seller)
        assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert lulea.contacts.count() == 2


def test_a_bad_vcard_file_stores_nothing(personas: Personas, lulea: Customer) -> None:
    report = import_vcard(FIXTURES / "vcard" / "broken.vcf", lulea, actor=personas.seller)
    assert [loc for loc, _ in report.problems] == ["card 1 (Ingen Telefon)", "card 2"]
    assert lulea.contacts.count() == 1


def test_vcard_routes(personas: Personas, lulea: Customer) -> None:
    _, raw = ApiToken.issue(personas.seller)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    body = (FIXTURES / "vcard" / "google-4.0.vcf").read_bytes()
    posted = client.post("/api/v1/customers/c-lulea-1/contacts.vcf", data=body, content_type="text/vcard")
    assert posted.status_code == 200 and posted.json()["created"] == 1
    got = client.get("/api/v1/customers/c-lulea-1/contacts.vcf?version=4.0")
    assert got.status_code == 200 and got["Content-Type"].startswith("text/vcard")
    assert [c.fn.value for c in vobject.readComponents(got.content.decode())] == ["Karl Nyström", "Li Wei"]
    _, olle = ApiToken.issue(personas.outsider)
    other = Client(headers={"Authorization": f"Bearer {olle}"})
    assert other.get("/api/v1/customers/c-lulea-1/contacts.vcf").status_code == 404
    bad = client.post(
        "/api/v1/customers/c-lulea-1/contacts.vcf", data=(FIXTURES / "vcard" / "broken.vcf").read_bytes(),
        content_type="text/vcard",
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"].startswith("card 1")


def test_phones_are_normalised_to_e164() -> None:
    assert e164("070-123 45 67", "SE") == "+46701234567"
    assert e164("+1 (415) 555-2671", "SE") == "+14155552671"
    with pytest.raises(ValueError, match="not"):
        e164("12", "SE")


# -- CSV from other CRMs ----------------------------------------------------------------------


@pytest.mark.slow  # the first company loads the offline gazetteer (several seconds)
@pytest.mark.parametrize(
    ("preset", "files"),
    [
        ("hubspot", ["hubspot-companies.csv", "hubspot-contacts.csv", "hubspot-deals.csv"]),
        ("pipedrive", ["pipedrive-organizations.csv", "pipedrive-persons.csv", "pipedrive-deals.csv"]),
        ("salesforce", ["salesforce-accounts.csv", "salesforce-contacts.csv", "salesforce-opportunities.csv"]),
    ],
)
def test_each_preset_imports_its_sample_files(personas: Personas, preset: str, files: list[str]) -> None:
    for name in files:
        report = import_csv(FIXTURES / "csv" / name, preset, actor=personas.seller)
        assert report.problems == [], (name, report.problems)
        assert report.created == 2, name
    lulea = Customer.objects.get(name="Norrbotten Stål AB")
    assert (lulea.country, lulea.owner, round(lulea.lat)) == ("SE", personas.seller, 66)
    li = Contact.objects.get(email="li@example.com")
    assert li.customer == lulea and li.phone == "+46701234567" and li.name == "Li Wei"
    assert Contact.objects.get(email="asa.oberg@example.com").name == "Åsa Öberg"
    won = Deal.objects.get(title="Pumpstation 2026")
    assert (won.value_amount, won.value_currency, won.stage) == (Decimal("120000.50"), "SEK", "won")
    assert (won.created, won.closed) == (dt.date(2025, 9, 1), dt.date(2026, 1, 10))
    assert Deal.objects.get(title="Slussar").stage == "open"
    # The same files again change nothing and double nothing.
    for name in files:
        again = import_csv(FIXTURES / "csv" / name, preset, actor=personas.seller)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2), name
    assert (Customer.objects.count(), Contact.objects.count(), Deal.objects.count()) == (2, 2, 2)


def test_every_row_problem_is_reported_with_its_line_and_nothing_is_stored(personas: Personas, lulea: Customer) -> None:
    report = import_csv(FIXTURES / "csv" / "hubspot-deals-broken.csv", "hubspot", actor=personas.seller)
    assert [loc for loc, _ in report.problems] == ["line 3", "line 4", "line 5"]
    assert "No Such Company AB" in report.problems[0][1]
    assert "12,3,4" in report.problems[1][1] and "the 32nd" in report.problems[2][1]
    assert not report.stored and Deal.objects.count() == 0


def test_a_file_of_another_tool_or_preset_is_refused(personas: Personas, db: None) -> None:
    report = import_csv(FIXTURES / "csv" / "pipedrive-deals.csv", "hubspot", actor=personas.seller)
    assert report.problems[0][0] == "line 1" and "hubspot" in report.problems[0][1]
    report = import_csv(FIXTURES / "csv" / "pipedrive-deals.csv", "zoho", actor=personas.seller)
    assert report.problems[0][0] == "--preset"


def test_encodings_and_decimal_commas_are_detected() -> None:
    assert decode("Stål".encode("cp1252")) == ("Stål", "cp1252")
    assert decode(b"\xef\xbb\xbfSt\xc3\xa5l") == ("Stål", "utf-8-sig")
    assert parse_amount("120 000,50", comma_decimal=True) == Decimal("120000.50")
    assert parse_amount("1.234,5", comma_decimal=False) == Decimal("1234.50")
    assert parse_amount("120,000.50", comma_decimal=False) == Decimal("120000.50")
    assert parse_amount("1,500", comma_decimal=True) == Decimal("1.50")
    assert parse_amount("SEK 1200", comma_decimal=False) == Decimal("1200.00")
    assert parse_date("9/1/2025") == dt.date(2025, 9, 1) and parse_date("2025-09-01 09:12:44") == dt.date(2025, 9, 1)
