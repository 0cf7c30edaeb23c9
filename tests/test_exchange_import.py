"""`kanelbulle import`: all or nothing, every problem with its path, upsert by ref, idempotent."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from kanelbulle.accounts.models import User
from kanelbulle.core.models import AuditEntry, Erasure
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.deals.models import Deal, Order
from kanelbulle.exchange.importer import ImportProblems, import_document
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings.models import Meeting, MeetingRequest
from tests.cli import run

pytestmark = pytest.mark.django_db


def sample() -> dict[str, Any]:
    """A small valid book: two teams, places with and without coordinates, every kind of record."""
    return {
        "format": "kanelbulle/1",
        "users": [
            {
                "username": "anna",
                "name": "Anna Berg",
                "role": "seller",
                "team": "north",
                "home": {"city": "Stockholm", "country": "SE"},
            },
            {"username": "bertil", "name": "Bertil Ek", "role": "seller", "team": "north"},
            {"username": "maria", "name": "Maria Lind", "role": "manager", "team": "north"},
            {
                "username": "olle",
                "name": "Olle Syd",
                "role": "seller",
                "team": "south",
                "home": {"city": "Malmö", "country": "SE", "lat": 55.605, "lon": 13.0038},
            },
        ],
        "customers": [
            {
                "ref": "c-lulea-1",
                "name": "Norrbotten Stål AB",
                "country": "SE",
                "city": "Luleå",
                "owner": "anna",
                "potential": "high",
                "public_sector": False,
                "visit_minutes": 90,
                "opening_hours": {"mon": [["08:00", "16:30"]], "tue": [["08:00", "16:30"]]},
                "gift_policy": {"accepts_gifts": True, "max_value": {"amount": "500.00", "currency": "SEK"}},
            },
            {
                "ref": "c-oslo-1",
                "name": "Fjord Data AS",
                "country": "NO",
                "city": "Oslo sentrum",
                "lat": 59.9133,
                "lon": 10.7389,
                "owner": "bertil",
                "potential": "medium",
                "public_sector": True,
                "visit_minutes": 60,
                "tender_open_until": "2026-03-01",
            },
            {
                "ref": "c-malmo-1",
                "name": "Öresund Bygg AB",
                "country": "SE",
                "city": "Malmö",
                "owner": "olle",
                "potential": "low",
                "public_sector": False,
                "time_zone": "Europe/Stockholm",
                "visit_minutes": 45,
                "gift_policy": {"accepts_gifts": False},
            },
        ],
        "contacts": [
            {
                "ref": "p-1",
                "customer": "c-lulea-1",
                "name": "Li Wei",
                "title": "CEO",
                "email": "li@example.com",
                "lawful_basis": "legitimate_interest",
                "source": "business card, Elmia 2025",
                "facts": [
                    {"kind": "pet", "text": "Two schnauzers", "source": "contact", "learned": "2025-10-01"},
                    {"kind": "interest", "text": "Long-distance skating"},
                ],
            },
            {"ref": "p-2", "customer": "c-oslo-1", "name": "Kari Nordmann", "lawful_basis": "consent"},
            {"ref": "p-3", "customer": "c-malmo-1", "name": "Sven Söder", "lawful_basis": "contract"},
        ],
        "meetings": [
            {
                "ref": "m-1",
                "customer": "c-lulea-1",
                "contacts": ["p-1"],
                "user": "anna",
                "start": "2025-12-18T10:00:00+01:00",
                "duration_minutes": 90,
                "modality": "in_person",
                "requested_by_customer": True,
                "notes": "Walked the new rolling mill.",
                "unsaid": "Anna thinks the CFO is leaving.",
            },
            {
                "ref": "m-2",
                "customer": "c-oslo-1",
                "user": "bertil",
                "start": "2026-01-12T09:30:00+01:00",
                "duration_minutes": 30,
                "modality": "video",
                "requested_by_customer": False,
                "unsaid": "Bertil's private doubt.",
                "status": "cancelled",
            },
            {
                "ref": "m-3",
                "customer": "c-malmo-1",
                "contacts": ["p-3"],
                "user": "olle",
                "start": "2026-02-02T13:00:00+01:00",
                "duration_minutes": 60,
                "modality": "phone",
                "requested_by_customer": False,
            },
        ],
        "meeting_requests": [
            {
                "ref": "r-1",
                "customer": "c-lulea-1",
                "contact": "p-1",
                "requested_at": "2025-11-20T09:00:00+01:00",
                "status": "honoured",
                "honoured_by": "m-1",
            }
        ],
        "deals": [
            {
                "ref": "d-1",
                "customer": "c-lulea-1",
                "user": "anna",
                "title": "Rolling mill sensors",
                "value": {"amount": "120000.00", "currency": "SEK"},
                "margin_pct": "32.5",
                "stage": "won",
                "created": "2025-09-01",
                "closed": "2026-01-10",
            },
            {
                "ref": "d-2",
                "customer": "c-oslo-1",
                "user": "bertil",
                "title": "Data platform",
                "value": {"amount": "50000.00", "currency": "NOK"},
                "probability_pct": "40",
                "stage": "open",
                "created": "2025-11-01",
            },
        ],
        "orders": [
            {
                "ref": "o-1",
                "customer": "c-lulea-1",
                "date": "2026-01-05",
                "value": {"amount": "8000.00", "currency": "EUR"},
                "margin_pct": "30",
            }
        ],
        "gifts": [
            {
                "ref": "g-1",
                "direction": "received",
                "customer": "c-lulea-1",
                "contact": "p-1",
                "user": "anna",
                "date": "2025-12-18",
                "description": "Chocolate and butter cookies",
                "category": "food",
                "value": {"amount": "250.00", "currency": "SEK"},
                "occasion": "christmas",
            }
        ],
        "erasures": [{"kind": "contact", "ref": "p-gone", "erased_at": "2025-06-01T12:00:00+00:00"}],
    }


def snapshot() -> dict[str, Any]:
    """Everything stored, with versions and update stamps: to prove nothing changed."""
    return {
        "users": sorted(User.objects.values_list("username", "name", "role", "team", "home_lat")),
        "customers": sorted(Customer.objects.values_list("ref", "name", "country", "version", "updated_at")),
        "contacts": sorted(Contact.objects.values_list("ref", "name", "version", "updated_at")),
        "facts": sorted(Fact.objects.values_list("contact__ref", "kind", "text", "source", "learned")),
        "meetings": sorted(Meeting.objects.values_list("ref", "start", "version", "updated_at")),
        "links": sorted(Meeting.contacts.through.objects.values_list("meeting__ref", "contact__ref")),
        "requests": sorted(MeetingRequest.objects.values_list("ref", "status", "version")),
        "deals": sorted(Deal.objects.values_list("ref", "value_amount", "version")),
        "orders": sorted(Order.objects.values_list("ref", "value_amount", "version")),
        "gifts": sorted(Gift.objects.values_list("ref", "value_amount", "version")),
        "erasures": sorted(Erasure.objects.values_list("kind", "ref")),
    }


@pytest.fixture
def loaded() -> dict[str, Any]:
    """A valid book already stored, and a snapshot of it."""
    import_document(sample())
    return snapshot()


def write(tmp_path: Path, doc: Any, name: str = "book.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def rejected(tmp_path: Path, doc: Any, before: dict[str, Any]) -> list[str]:
    """Import through the command; it must fail with status 2 and leave the stored book alone."""
    result = run("import", write(tmp_path, doc))
    assert result.code == 2, result.err
    assert result.out == ""
    assert snapshot() == before
    return result.err_lines


def test_a_valid_book_is_stored_with_places_from_the_gazetteer() -> None:
    report = import_document(sample())
    assert report.counts["customers"].created == 3
    assert report.counts["meetings"].created == 3
    lulea = Customer.objects.get(ref="c-lulea-1")
    assert (round(lulea.lat, 2), round(lulea.lon, 2), lulea.time_zone) == (65.58, 22.15, "Europe/Stockholm")
    assert Customer.objects.get(ref="c-oslo-1").time_zone == "Europe/Oslo"
    assert lulea.gift_max is not None and str(lulea.gift_max) == "500.00 SEK"
    anna = User.objects.get(username="anna")
    assert not anna.has_usable_password()
    assert anna.home_lat is not None and round(anna.home_lat, 1) == 59.3
    m1 = Meeting.objects.get(ref="m-1")
    assert [c.ref for c in m1.contacts.all()] == ["p-1"]
    assert MeetingRequest.objects.get(ref="r-1").honoured_by == m1
    assert Erasure.objects.filter(kind="contact", ref="p-gone").exists()


def test_facts_without_provenance_get_import_and_the_date_and_the_audit_log_says_so() -> None:
    report = import_document(sample())
    facts = list(Fact.objects.filter(contact__ref="p-1").order_by("position"))
    assert [(f.kind, f.source) for f in facts] == [("pet", "contact"), ("interest", "import")]
    entry = AuditEntry.objects.get(action="import_provenance", ref="p-1")
    assert entry.detail["facts"] == [1]
    assert any("without a source or learned date" in note for note in report.notes)


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path, loaded: dict[str, Any]) -> None:
    result = run("import", write(tmp_path, sample()))
    assert result.code == 0, result.err
    assert "customers: 0 created, 0 updated, 3 unchanged" in result.out
    assert "meetings: 0 created, 0 updated, 3 unchanged" in result.out
    assert snapshot() == loaded
    report = import_document(sample())
    assert not report.changed
    assert {k: c.unchanged for k, c in report.counts.items()} == {
        "users": 4,
        "customers": 3,
        "contacts": 3,
        "meetings": 3,
        "meeting_requests": 1,
        "deals": 2,
        "orders": 1,
        "gifts": 1,
        "erasures": 1,
    }


def test_a_changed_record_is_updated_and_only_it(loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["customers"][1]["name"] = "Fjord Data ASA"
    doc["contacts"][0]["facts"].append({"kind": "dislike", "text": "Cold coffee"})
    doc["meetings"][0]["contacts"] = []
    report = import_document(doc)
    assert (report.counts["customers"].updated, report.counts["customers"].unchanged) == (1, 2)
    assert (report.counts["contacts"].updated, report.counts["meetings"].updated) == (1, 1)
    assert Customer.objects.get(ref="c-oslo-1").version == 2
    assert Customer.objects.get(ref="c-lulea-1").version == 1
    assert Fact.objects.filter(contact__ref="p-1").count() == 3
    assert not Meeting.objects.get(ref="m-1").contacts.exists()


def test_a_dry_run_reports_and_writes_nothing(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["customers"][0]["name"] = "Renamed AB"
    doc["deals"].append({**doc["deals"][1], "ref": "d-3"})
    result = run("import", write(tmp_path, doc), "--dry-run", "--json")
    assert result.code == 0, result.err
    counts = result.json["counts"]
    assert counts["customers"] == {"created": 0, "updated": 1, "unchanged": 2, "skipped": 0}
    assert counts["deals"]["created"] == 1
    assert snapshot() == loaded
    assert not Deal.objects.filter(ref="d-3").exists()


def test_erased_records_are_skipped_and_each_skip_is_reported(db: None) -> None:
    doc = sample()
    doc["erasures"].append({"kind": "contact", "ref": "p-3", "erased_at": "2025-07-01T00:00:00+00:00"})
    report = import_document(doc)
    assert not Contact.objects.filter(ref="p-3").exists()
    assert report.counts["contacts"].skipped == 1
    assert "contacts[2]: skipped: contact 'p-3' was erased on 2025-07-01" in report.notes
    assert "meetings[2].contacts[0]: contact 'p-3' was erased; the link is left out" in report.notes
    assert not Meeting.objects.get(ref="m-3").contacts.exists()


def test_a_reference_may_point_at_a_stored_record(loaded: dict[str, Any]) -> None:
    report = import_document(
        {
            "format": "kanelbulle/1",
            "orders": [
                {
                    "ref": "o-2",
                    "customer": "c-oslo-1",
                    "date": "2026-02-01",
                    "value": {"amount": "1", "currency": "NOK"},
                }
            ],
        }
    )
    assert report.counts["orders"].created == 1
    assert Order.objects.get(ref="o-2").customer.ref == "c-oslo-1"


def test_unknown_fields_pass_only_when_strict_is_false(loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["strict"] = False
    doc["customers"][0]["colour"] = "red"
    report = import_document(doc)
    assert not report.changed
    assert any("customers[0].colour" in note for note in report.notes)


# One test per kind of bad input: the exact problem line(s), and the stored book unharmed.


def test_not_json(tmp_path: Path, loaded: dict[str, Any]) -> None:
    lines = rejected(tmp_path, '{"format": "kanelbulle/1",', loaded)
    assert len(lines) == 1
    assert lines[0].endswith(
        "book.json: not valid JSON (line 1, column 27: Expecting property name enclosed in double quotes)"
    )


def test_missing_file_and_wrong_suffix(tmp_path: Path, loaded: dict[str, Any]) -> None:
    result = run("import", str(tmp_path / "nope.json"))
    assert (result.code, result.err_lines) == (2, [f"{tmp_path / 'nope.json'}: no such file"])
    path = write(tmp_path, "a,b\n", "book.csv")
    result = run("import", path)
    assert (result.code, result.err_lines) == (2, ["--preset: a .csv file needs --preset hubspot|pipedrive|salesforce"])
    result = run("import", str(tmp_path / "nope.ics"))
    assert (result.code, result.err_lines) == (2, [f"{tmp_path / 'nope.ics'}: no such file"])
    assert snapshot() == loaded


def test_wrong_format(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["format"] = "kanelbulle/2"
    assert rejected(tmp_path, doc, loaded) == ["format: must be 'kanelbulle/1', not 'kanelbulle/2'"]
    del doc["format"]
    assert rejected(tmp_path, doc, loaded) == [
        'format: required: this is not a Kanelbulle exchange document ("format": "kanelbulle/1")'
    ]


def test_unknown_field(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["customers"][2]["colour"] = "red"
    doc["contacts"][0]["facts"][0]["mood"] = "happy"
    doc["teams"] = []
    assert rejected(tmp_path, doc, loaded) == [
        'teams: unknown field (set "strict": false to ignore unknown fields)',
        'customers[2].colour: unknown field (set "strict": false to ignore unknown fields)',
        'contacts[0].facts[0].mood: unknown field (set "strict": false to ignore unknown fields)',
    ]


def test_wrong_enum(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["customers"][0]["potential"] = "huge"
    doc["meetings"][1]["modality"] = "telepathy"
    assert rejected(tmp_path, doc, loaded) == [
        "customers[0].potential: 'huge' is not one of: unknown, low, medium, high",
        "meetings[1].modality: 'telepathy' is not one of: in_person, video, phone, email",
    ]


def test_bad_currency(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["deals"][0]["value"]["currency"] = "SEKK"
    assert rejected(tmp_path, doc, loaded) == [
        "deals[0].value.currency: currency 'SEKK' is not an ISO 4217 code such as \"SEK\""
    ]


def test_bad_amount(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["gifts"][0]["value"]["amount"] = "12,5"
    doc["orders"][0]["value"]["amount"] = 12.5
    assert rejected(tmp_path, doc, loaded) == [
        'orders[0].value.amount: amount must be a decimal string such as "120.50", not 12.5',
        "gifts[0].value.amount: amount '12,5' is not a decimal number (use a point: \"12.50\")",
    ]


def test_naive_datetime(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["meetings"][0]["start"] = "2025-12-18T10:00:00"
    assert rejected(tmp_path, doc, loaded) == [
        "meetings[0].start: '2025-12-18T10:00:00' has no UTC offset (write it with one, e.g. 2025-12-18T10:00:00+01:00)"
    ]


def test_a_date_outside_the_years_a_record_may_hold_is_refused_at_its_path(
    tmp_path: Path, loaded: dict[str, Any]
) -> None:
    """Years 1900-2200, as the API: a meeting in 9999 once overflowed (exit 1) and a gift dated
    0001-01-01 was stored, which the gift check and the API's schema could not take."""
    doc = sample()
    doc["meetings"][0]["start"] = "9999-12-31T23:30:00-05:00"
    doc["gifts"][0]["date"] = "0001-01-01"
    assert rejected(tmp_path, doc, loaded) == [
        "meetings[0].start: year must be between 1900 and 2200",
        "gifts[0].date: year must be between 1900 and 2200",
    ]


def test_ref_pointing_nowhere(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["meetings"][0]["customer"] = "c-nowhere"
    doc["meetings"][2]["contacts"] = ["p-ghost"]
    doc["deals"][1]["user"] = "nobody"
    assert rejected(tmp_path, doc, loaded) == [
        "meetings[0].customer: no customer with ref 'c-nowhere' in the document or the database",
        "meetings[2].contacts[0]: no contact with ref 'p-ghost' in the document or the database",
        "deals[1].user: no user named 'nobody' in the document or the database",
    ]


def test_duplicate_refs(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["customers"].append(copy.deepcopy(doc["customers"][0]))
    assert rejected(tmp_path, doc, loaded) == ["customers[3].ref: 'c-lulea-1' is used twice: here and at customers[0]"]


def test_unknown_place(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["customers"][0]["city"] = "Atlantis"
    doc["customers"][1]["lat"] = 0
    doc["customers"][1]["lon"] = 0
    doc["customers"][2]["country"] = "XX"
    assert rejected(tmp_path, doc, loaded) == [
        "customers[0].city: 'Atlantis' in 'SE' is not in the offline gazetteer; give lat and lon",
        "customers[1].lat: (0, 0) is not a place: give the real coordinates or leave lat and lon out",
        "customers[2].country: 'XX' is not an ISO 3166 country code",
    ]


def test_every_problem_is_reported_not_just_the_first(db: None) -> None:
    doc = sample()
    doc["customers"][0]["time_zone"] = "Mars/Olympus"
    doc["contacts"][1]["email"] = "not-an-address"
    doc["deals"][1]["closed"] = "2026-01-01"
    doc["meetings"][1]["duration_minutes"] = "long"
    with pytest.raises(ImportProblems) as caught:
        import_document(doc)
    assert [p.line() for p in caught.value.problems] == [
        "customers[0].time_zone: 'Mars/Olympus' is not a known time zone (an IANA name such as Europe/Stockholm)",
        "contacts[1].email: 'not-an-address' is not an e-mail address",
        "meetings[1].duration_minutes: must be a whole number, not 'long'",
        "deals[1].closed: an open deal has no closed date",
    ]
    assert not Customer.objects.exists()
    assert not User.objects.exists()


def test_the_time_zone_follows_from_the_nearest_known_place_when_only_coordinates_are_given(db: None) -> None:
    doc = sample()
    doc["customers"].append(
        {
            **doc["customers"][1],
            "ref": "c-denver-1",
            "country": "US",
            "city": "Warehouse district",
            "lat": 39.7392,
            "lon": -104.9903,
        }
    )
    import_document(doc)
    assert Customer.objects.get(ref="c-denver-1").time_zone == "America/Denver"


def test_a_failing_import_with_json_prints_nothing_on_stdout(tmp_path: Path, loaded: dict[str, Any]) -> None:
    doc = sample()
    doc["users"][0]["home"] = {"city": "Nowhereville", "country": "SE"}
    result = run("import", write(tmp_path, doc), "--json")
    assert (result.code, result.out) == (2, "")
    assert result.err_lines == [
        "users[0].home.city: 'Nowhereville' in 'SE' is not in the offline gazetteer; give lat and lon"
    ]
    assert snapshot() == loaded
