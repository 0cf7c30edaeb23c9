"""Erasure reaches every mention of the person, lists what it changed, and an old export restores none of it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from kanelbulle.core.models import AuditEntry, Erasure
from kanelbulle.core.money import Money
from kanelbulle.customers.actions import contact_create, customer_create, fact_add
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.deals.actions import deal_create
from kanelbulle.demo.generator import build_demo
from kanelbulle.exchange.exporter import export_document
from kanelbulle.exchange.importer import import_document
from kanelbulle.gifts.actions import GiftInput, record_gift
from kanelbulle.meetings.actions import log_meeting
from kanelbulle.meetings.models import Meeting
from kanelbulle.privacy.erase import FREE_TEXT, NOT_FREE_TEXT, erase_contact
from kanelbulle.privacy.redact import Person, Redactor
from tests.cli import run
from tests.personas import Personas

NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
CHEN = Person(
    name="Chen Hao",
    email="chen.hao@hengda.example",
    phone="+86 574 8765 4321",
    facts=["Två schnauzer, Max och Moritz", "Dottern studerar på Chalmers i Göteborg"],
    country="CN",
    employer="Ningbo Hengda Seals Co. Ningbo",
    colleagues=["Lin Yue", "Anna Berg"],
)


# ---- the engine ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Chens två schnauzer, Max och Moritz, slogs", "[…] […], slogs"),
        ("Möte på Chens initiativ", "Möte på […] initiativ"),
        ("Chen Haos bil och Chen Hao:s kontor", "[…] bil och […] kontor"),
        ("Chen's dogs; Hao's view; Hao Chen agreed", "[…] dogs; […] view; […] agreed"),
        ("CHEN HAO called", "[…] called"),
        ("Hälsningar från Max och Moritz.", "Hälsningar från […]."),
        ("Moritz' koppel och Max:s boll", "[…] koppel och […] boll"),
        ("Mejla chen.hao@hengda.example eller CHEN.HAO@HENGDA.EXAMPLE", "Mejla […] eller […]"),
        ("Ring +86 574 8765 4321, 0574-87654321 eller 0086 (574) 876 543 21", "Ring […], […] eller […]"),
        ("Dottern studerar på Chalmers i Göteborg.", "[…]."),
        ("Hon läser vid Chalmers", "Hon läser vid […]"),
    ],
)
def test_every_form_of_the_person_is_redacted_within_the_employer(text: str, want: str) -> None:
    assert Redactor(CHEN).within(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "Lin Yue skickade ritningar till Hengda i Ningbo",  # a colleague, the employer, its city
        "max 300 kr per styck; chenille-tyg",  # common words, lowercase
        "Vi ses i Göteborg",  # a place a fact named is not the person
        "Anna Berg ringer 0574 12 34 56",  # our seller; another number
    ],
)
def test_what_is_not_the_person_stays(text: str) -> None:
    assert Redactor(CHEN).within(text) == text


def test_beyond_the_employer_only_what_points_at_the_person_is_redacted() -> None:
    r = Redactor(CHEN)
    assert r.beyond("Chen Hao tipsade oss; Chen på ett annat bolag; ring 0574 8765 4321") == (
        "[…] tipsade oss; Chen på ett annat bolag; ring […]"
    )
    assert Redactor(Person(name="Chen Hao", namesakes=True)).beyond("Chen Hao") == "Chen Hao"


def test_names_opening_a_fact_count_when_joined_to_a_name() -> None:
    r = Redactor(Person(name="Li Wei", facts=["Max och Moritz är hans hundar", "Golf på söndagar"]))
    assert r.within("Frågade om Max och Moritz. Golf är kul, max 300 kr.") == "Frågade om […]. Golf är kul, max 300 kr."


def test_a_first_name_a_colleague_shares_is_left_alone() -> None:
    r = Redactor(Person(name="Lars Ek", colleagues=["Lars Öberg"]))
    assert r.within("Lars Ek och Lars Öberg; Eks förslag") == "[…] och Lars Öberg; […] förslag"


# ---- erasure over the whole database -------------------------------------------------------


def everything_stored() -> str:
    """Every text and JSON value of every row of every table, as one text to search.

    Times, dates and numbers are left out: a timestamp's microseconds can hold any digits (a run
    once found "8765" of the erased phone number in "…02.876511")."""
    out = []
    for model in apps.get_models():
        for row in model._default_manager.values():
            text = {k: v for k, v in row.items() if isinstance(v, str | dict | list)}
            out.append(json.dumps(text, ensure_ascii=False, default=str))
    return "\n".join(out)


@pytest.fixture
def chen(personas: Personas) -> Contact:
    seller = personas.seller
    customer = customer_create(seller, ref="c-ningbo", name="Ningbo Hengda Seals Co.", city="Ningbo", country="CN")
    chen = contact_create(seller, customer, name="Chen Hao", email="chen.hao@hengda.example", phone="+86 574 8765 4321",
                          lawful_basis="legitimate_interest", source="Hannover Messe")  # fmt: skip
    fact_add(seller, chen, kind="pet", text="Två schnauzer, Max och Moritz")
    lin = contact_create(seller, customer, name="Lin Yue", lawful_basis="contract", source="Introduced by Chen Hao")
    fact_add(seller, lin, kind="other", text="Works for Chen's brother-in-law's firm")
    log_meeting(seller, customer, start=NOON, contacts=[chen, lin], notes="Chens två schnauzer, Max och Moritz, slogs.",
                unsaid="Chen nämnde en tysk leverantör", next_step="Skicka prover till Chen")  # fmt: skip
    log_meeting(seller, customer, start=NOON - dt.timedelta(days=70), contacts=[lin],
                notes="Lin hälsade från Max och Moritz; ring 0574-87654321")  # fmt: skip
    log_meeting(seller, customer, start=NOON - dt.timedelta(days=140), contacts=[lin], notes="Lin om provdata")
    gift = GiftInput(
        customer=customer,
        contact=chen,
        direction="received",
        category="food",
        description="Choklad från Chens familj",
        value=Money(Decimal("250"), "SEK"),
        date=NOON.date(),
    )
    record_gift(seller, gift)
    deal_create(seller, customer, title="Chens serie 2", value=Money(Decimal("1000"), "SEK"), created=NOON.date())
    other = customer_create(seller, ref="c-kiel", name="Kieler Dichtungen GmbH", city="Kiel", country="DE")
    log_meeting(seller, other, start=NOON, notes="Tipset kom från Chen Hao (chen.hao@hengda.example). Chen är vanligt.")
    return chen


@pytest.mark.django_db
def test_erasure_leaves_no_mention_anywhere_and_lists_what_changed(chen: Contact) -> None:
    result = run("privacy", "erase", "--contact", chen.ref, "--yes")
    assert result.code == 0, result.err
    stored = everything_stored()
    for trace in ("Chen Hao", "Chens", "Chen's", "Max och Moritz", "Moritz", "chen.hao", "8765", "87654321"):
        assert trace not in stored, trace
    # Only the other customer's ordinary "Chen" (not tied to the person) is left.
    assert stored.count("Chen") == 1
    kiel = Meeting.objects.get(customer__ref="c-kiel")
    assert kiel.notes == "Tipset kom från […] ([…]). Chen är vanligt."
    lin = Contact.objects.get(name="Lin Yue")
    assert lin.source == "Introduced by […]"
    assert lin.facts.get().text == "Works for […] brother-in-law's firm"
    # What changed is listed for its owner's review, in the output and the audit log.
    assert "for their owners' review" in result.out
    entry = AuditEntry.objects.get(action="erase")
    changed = {(c["kind"], c["ref"]) for c in entry.detail["changed"]}
    meetings = set(Meeting.objects.values_list("ref", flat=True))
    untouched = Meeting.objects.get(notes="Lin om provdata").ref
    assert changed >= {("meeting", ref) for ref in meetings - {untouched}}
    assert ("meeting", untouched) not in changed
    assert (
        ("contact", lin.ref) in changed
        and any(k == "gift" for k, _ in changed)
        and any(k == "deal" for k, _ in changed)
    )
    assert all(c["owner"] == "anna" for c in entry.detail["changed"] if c["kind"] != "audit")
    for c in entry.detail["changed"]:
        assert f"{c['kind']} {c['ref']}" in result.out
    assert "Chen" not in json.dumps(entry.detail)
    # The gift's history (its audit entries and changes) lost the mention too.
    assert any(c["kind"] == "audit" for c in entry.detail["changed"])


@pytest.mark.django_db
def test_the_admin_page_lists_the_records_to_review(client: Client, personas: Personas, chen: Contact) -> None:
    client.force_login(personas.admin)
    page = client.post(f"/privacy/contacts/{chen.ref}/erase/", {"confirm": chen.ref}, follow=True).content.decode()
    meeting = Meeting.objects.get(notes__startswith="[…] […], slogs").ref
    assert "ask their owners to review them" in page and meeting in page


@pytest.mark.django_db
def test_erasing_chen_in_the_demo_leaves_no_chen_nor_the_dogs() -> None:
    import_document(build_demo(dt.date(2026, 11, 24)), actor_label="demo")
    assert "Max och Moritz" in everything_stored()
    result = run("privacy", "erase", "--contact", "p-ningbo-1", "--yes")
    assert result.code == 0, result.err
    stored = everything_stored()
    for trace in ("Chen", "Chens", "Max och Moritz", "Moritz", "schnauzer"):
        assert trace not in stored, trace
    assert "Hengda är inte alls en liten kund" in stored  # the business record stays


def test_every_free_text_field_is_redacted_or_declared_not_free_text() -> None:
    listed = {(t.model._meta.label, f) for t in FREE_TEXT for f in (*t.text, *t.json)}
    declared = {(label, f) for label, names in NOT_FREE_TEXT.items() for f in names.split()}
    textual = (models.CharField, models.TextField, models.JSONField)
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("kanelbulle.")
        for field in model._meta.concrete_fields
        if isinstance(field, textual) and (model._meta.label, field.name) not in listed | declared
    ]
    assert missing == []


# ---- an old export never restores what was erased ------------------------------------------


@pytest.mark.django_db
def test_importing_an_export_from_before_the_erasure_restores_nothing(chen: Contact) -> None:
    old = export_document()
    assert "Max och Moritz" in json.dumps(old, ensure_ascii=False)
    erase_contact(chen)
    before = everything_stored()
    report = import_document(json.loads(json.dumps(old)))
    assert any("erased" in note for note in report.notes)
    stored = everything_stored()
    for trace in ("Chen Hao", "Chens", "Max och Moritz", "Moritz", "chen.hao", "87654321"):
        assert trace not in stored, trace
    assert not Contact.objects.filter(ref=chen.ref).exists()
    again = json.dumps(export_document(), ensure_ascii=False)
    for trace in ("Chen Hao", "Chens", "Max och Moritz", "chen.hao"):
        assert trace not in again, trace
    assert stored.count("Chen") == before.count("Chen")


@pytest.mark.django_db
def test_an_old_export_into_a_fresh_book_with_the_erasure_restores_nothing(chen: Contact) -> None:
    old = export_document()
    erase_contact(chen)
    after = export_document()
    Meeting.objects.all().delete()
    from kanelbulle.gifts.models import Gift, GiftChange

    GiftChange.objects.all().delete()
    Gift.objects.all().delete()
    Customer.objects.all().delete()
    Erasure.objects.all().delete()
    import_document(json.loads(json.dumps(after)))
    import_document(json.loads(json.dumps(old)))
    stored = everything_stored()
    for trace in ("Chen Hao", "Chens", "Max och Moritz", "chen.hao"):
        assert trace not in stored, trace


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


@pytest.mark.django_db
def test_an_old_export_without_the_person_still_restores_no_redacted_text(chen: Contact) -> None:
    old = export_document()
    old["contacts"] = [c for c in old["contacts"] if c["ref"] != chen.ref]  # the person's own record is not there
    for meeting in old["meetings"]:
        meeting["contacts"] = [c for c in meeting.get("contacts", []) if c != chen.ref]
    for key in ("meeting_requests", "gifts"):
        for rec in old.get(key, []):
            if rec.get("contact") == chen.ref:
                del rec["contact"]
    erase_contact(chen)
    report = import_document(old)
    assert any("its text stays as the erasure" in note for note in report.notes)
    notes = " ".join(Meeting.objects.values_list("notes", flat=True))
    assert "Chens" not in notes and "Max och Moritz" not in notes


@pytest.mark.django_db
def test_the_erasure_travels_with_the_records_it_changed(chen: Contact) -> None:
    erase_contact(chen)
    doc = export_document()
    (erasure,) = doc["erasures"]
    assert erasure["ref"] == chen.ref and any(r.startswith("meeting:") for r in erasure["records"])
    assert "Chen" not in json.dumps(erasure)
    erasure["records"] = ["meeting"]
    from kanelbulle.exchange.importer import ImportProblems

    with pytest.raises(ImportProblems) as problems:
        import_document(doc)
    assert [p.path for p in problems.value.problems] == ["erasures[0].records"]


# ---- retention after an import of old data -------------------------------------------------


def old_book() -> dict[str, Any]:
    """Two contacts met in 2022 and 2026, one never met, imported today."""
    return {
        "format": "kanelbulle/1",
        "users": [{"username": "anna", "name": "Anna Berg", "role": "seller"}],
        "customers": [{"ref": "c-1", "name": "Norrbotten Stål AB", "country": "SE", "city": "Luleå",
                       "owner": "anna", "potential": "high", "public_sector": False, "visit_minutes": 60}],
        "contacts": [
            {"ref": "p-old", "customer": "c-1", "name": "Li Wei", "lawful_basis": "legitimate_interest"},
            {"ref": "p-new", "customer": "c-1", "name": "Karin Ek", "lawful_basis": "legitimate_interest"},
            {"ref": "p-never", "customer": "c-1", "name": "Per Nord", "lawful_basis": "legitimate_interest"},
            {"ref": "p-gift", "customer": "c-1", "name": "Åsa Öberg", "lawful_basis": "legitimate_interest"},
        ],
        "meetings": [
            {"ref": "m-1", "customer": "c-1", "contacts": ["p-old"], "user": "anna",
             "start": "2022-03-01T10:00:00+01:00", "duration_minutes": 60,
             "modality": "in_person", "requested_by_customer": False},
            {"ref": "m-2", "customer": "c-1", "contacts": ["p-new"], "user": "anna",
             "start": "2026-03-01T10:00:00+01:00", "duration_minutes": 60,
             "modality": "video", "requested_by_customer": False},
        ],
        "gifts": [{"ref": "g-1", "direction": "received", "customer": "c-1", "contact": "p-gift", "user": "anna",
                   "date": "2026-06-01", "description": "Choklad", "category": "food",
                   "value": {"amount": "100.00", "currency": "SEK"}}],
    }  # fmt: skip


@pytest.mark.django_db
def test_after_an_import_of_old_data_the_right_contacts_are_due_for_review() -> None:
    import_document(old_book())
    due = run("privacy", "retention", "--today", "2026-11-24", "--json")
    assert due.code == 0, due.err
    assert [(d["contact"], d["last_interaction"]) for d in due.json["due"]] == [
        ("p-never", None),
        ("p-old", "2022-03-01"),
    ]
    text = run("privacy", "retention", "--today", "2026-11-24").out
    assert "Per Nord (Norrbotten Stål AB): no interaction recorded" in text
    # A year on, the 2026 meeting and gift are old enough too.
    later = run("privacy", "retention", "--today", "2028-06-02", "--json").json["due"]
    assert {d["contact"] for d in later} == {"p-never", "p-old", "p-new", "p-gift"}


@pytest.mark.django_db
def test_a_contact_entered_by_hand_is_not_due_the_day_it_is_entered(personas: Personas) -> None:
    customer = customer_create(personas.seller, name="Umeå Trä AB", city="Umeå", country="SE")
    contact_create(personas.seller, customer, name="Eva Lind", lawful_basis="consent")
    assert run("privacy", "retention", "--json").json["due"] == []


@pytest.mark.django_db
def test_the_callers_document_is_left_as_it_was(chen: Contact) -> None:
    old = export_document()
    erase_contact(chen)
    before = json.dumps(old, sort_keys=True)
    import_document(old)
    assert json.dumps(old, sort_keys=True) == before
