"""A fact revealing a special category of personal data (GDPR Art. 9) is refused on every way in,
unless a documented exception is recorded: the action, the customer page's fact form, the meeting
log's new facts, the API and the exchange importer. A refusal stores nothing."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kanelbulle.accounts.models import ApiToken, User
from kanelbulle.customers import actions
from kanelbulle.customers.api import SpecialException
from kanelbulle.customers.models import Contact, Fact
from kanelbulle.exchange.exporter import export_document
from kanelbulle.exchange.importer import ImportProblems, import_document
from kanelbulle.meetings.models import Meeting
from kanelbulle.privacy import sensitive
from kanelbulle.privacy.models import SpecialCategoryException
from tests.personas import Personas, logged_in
from tests.test_workspace_book import Book, make_book

pytestmark = pytest.mark.django_db

SENSITIVE = "Has diabetes, no sweets at meetings"
SENSITIVE_SV = "Har diabetes, inget sött på mötena"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas) -> Book:
    return make_book(personas)


def api(user: User) -> Client:
    _, raw = ApiToken.issue(user)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def facts_of(contact: Contact) -> list[str]:
    return list(Fact.objects.filter(contact=contact).values_list("text", flat=True))


def test_the_api_knows_the_same_exceptions_as_the_rules() -> None:
    assert set(get_args(SpecialException)) == set(sensitive.EXCEPTIONS)


def test_the_action_refuses_a_sensitive_fact_and_stores_nothing(book: Book) -> None:
    before = facts_of(book.li)
    with pytest.raises(ValidationError) as refused:
        actions.fact_add(None, book.li, kind="other", text=SENSITIVE)
    messages = refused.value.message_dict["text"]
    assert len(messages) == 1 and "diabetes" in messages[0] and "health" in messages[0]
    assert facts_of(book.li) == before
    assert not SpecialCategoryException.objects.exists()


def test_the_action_keeps_a_sensitive_fact_with_its_exception_recorded(personas: Personas, book: Book) -> None:
    fact = actions.fact_add(
        personas.seller,
        book.li,
        kind="other",
        text=SENSITIVE,
        exception="explicit_consent",
        exception_note="asked him, e-mail of 2026-03-02",
    )
    row = SpecialCategoryException.objects.get(fact=fact)
    assert row.exception == "explicit_consent" and row.categories == ["health"]
    assert row.note == "asked him, e-mail of 2026-03-02" and row.recorded_by == personas.seller


def test_the_action_refuses_an_undocumented_exception(book: Book) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.fact_add(None, book.li, kind="other", text=SENSITIVE, exception="because")
    assert "explicit_consent" in refused.value.message_dict["exception"][0]
    assert SENSITIVE not in facts_of(book.li)


def test_an_ordinary_fact_needs_no_exception(book: Book) -> None:
    fact = actions.fact_add(None, book.li, kind="preference", text="No sweets at meetings")
    assert fact.pk and not SpecialCategoryException.objects.exists()


def test_the_fact_form_shows_the_refusal_in_swedish_and_offers_the_exception(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    anna.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    url = f"/customers/{book.lulea.ref}/contacts/{book.li.ref}/facts/"
    response = anna.post(url, {"kind": "other", "text": SENSITIVE_SV})
    html = response.content.decode()
    assert response.status_code == 400
    errors = html[html.index('id="id_text_errors"') :]
    assert "särskild kategori" in errors[: errors.index("</div>")]
    assert 'name="exception"' in html and "uttryckligt samtycke" in html
    assert SENSITIVE_SV not in facts_of(book.li)

    response = anna.post(url, {"kind": "other", "text": SENSITIVE_SV, "exception": "explicit_consent"})
    assert response.status_code == 302
    assert SpecialCategoryException.objects.get(fact__text=SENSITIVE_SV).exception == "explicit_consent"


def test_the_inline_fact_form_shows_the_refusal_beside_the_field(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    url = f"/customers/{book.lulea.ref}/contacts/{book.li.ref}/facts/"
    response = anna.post(url, {"kind": "other", "text": SENSITIVE}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200  # swapped in by htmx
    assert f'id="text-errors-{book.li.ref}"' in html and "special category" in html
    assert f'id="exception-{book.li.ref}"' in html and 'value="Has diabetes, no sweets at meetings"' in html
    assert SENSITIVE not in facts_of(book.li)


def test_the_meeting_log_refuses_a_sensitive_new_fact_and_stores_no_meeting(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    meetings_before = Meeting.objects.count()
    data = {
        "customer": book.lulea.ref,
        "start": "2026-11-20T10:00",
        "modality": "in_person",
        "duration_minutes": "60",
        "notes": "Coffee",
        "fact_contact_1": str(book.li.pk),
        "fact_kind_1": "other",
        "fact_text_1": "He is on sick leave after a heart attack",
    }
    response = anna.post("/customers/log/", data)
    assert response.status_code == 400
    assert "special category" in response.content.decode()
    assert Meeting.objects.count() == meetings_before
    assert not any("heart attack" in t for t in facts_of(book.li))


def test_the_api_answers_422_at_text_and_accepts_an_exception(personas: Personas, book: Book) -> None:
    client = api(personas.seller)
    url = f"/api/v1/contacts/{book.li.ref}/facts"
    refused = client.post(url, {"kind": "other", "text": SENSITIVE}, content_type="application/json")
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == ["text"]
    assert "diabetes" in refused.json()["errors"][0]["message"]
    assert SENSITIVE not in facts_of(book.li)

    kept = client.post(
        url, {"kind": "other", "text": SENSITIVE, "exception": "made_public"}, content_type="application/json"
    )
    assert kept.status_code == 201
    assert SpecialCategoryException.objects.get(fact_id=kept.json()["id"]).exception == "made_public"


def test_a_new_contact_with_a_sensitive_fact_is_refused_whole(personas: Personas, book: Book) -> None:
    body = {
        "customer": book.lulea.ref,
        "name": "Karin Ny",
        "lawful_basis": "legitimate_interest",
        "facts": [{"kind": "pet", "text": "A cat"}, {"kind": "other", "text": "Votes for the Greens"}],
    }
    refused = api(personas.seller).post("/api/v1/contacts", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["path"] == "facts[1].text"
    assert not Contact.objects.filter(name="Karin Ny").exists()


def test_the_meeting_api_refuses_a_sensitive_new_fact_at_its_path(personas: Personas, book: Book) -> None:
    body = {
        "customer": book.lulea.ref,
        "start": "2026-11-20T10:00:00+01:00",
        "modality": "in_person",
        "new_facts": [
            {"contact": book.li.ref, "kind": "pet", "text": "A cat"},
            {"contact": book.li.ref, "kind": "other", "text": SENSITIVE},
        ],
    }
    meetings_before = Meeting.objects.count()
    refused = api(personas.seller).post("/api/v1/meetings", body, content_type="application/json")
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == ["new_facts[1].text"]
    assert Meeting.objects.count() == meetings_before
    assert "A cat" not in facts_of(book.li)


def _doc(fact: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The stored book with one more fact for Li Wei, and that fact's JSON path."""
    doc = export_document()
    i = next(i for i, c in enumerate(doc["contacts"]) if c["name"] == "Li Wei")
    facts = doc["contacts"][i].setdefault("facts", [])
    facts.append(fact)
    return doc, f"contacts[{i}].facts[{len(facts) - 1}]"


def test_the_importer_refuses_a_sensitive_fact_and_imports_nothing(book: Book) -> None:
    doc, path = _doc({"kind": "other", "text": "Shop steward at the plant", "learned": "2026-01-02"})
    doc["customers"][0]["name"] = "Renamed in the same document"
    before = export_document()
    with pytest.raises(ImportProblems) as refused:
        import_document(json.loads(json.dumps(doc)))
    problem = refused.value.problems[0]
    assert problem.path == f"{path}.text" and "trade-union" in problem.message
    assert "special_category_exception" in problem.message
    after = export_document()
    before.pop("exported_at"), after.pop("exported_at")
    assert after == before


def test_the_importer_keeps_a_sensitive_fact_with_its_exception(book: Book) -> None:
    fact = {"kind": "other", "text": "Shop steward at the plant", "special_category_exception": "made_public"}
    doc, _path = _doc(fact)
    import_document(json.loads(json.dumps(doc)))
    row = SpecialCategoryException.objects.get(fact__text="Shop steward at the plant")
    assert row.exception == "made_public" and row.categories == ["trade_union"]
    # The same document again changes nothing.
    report = import_document(doc)
    assert not report.changed
    assert SpecialCategoryException.objects.count() == 1


def test_an_export_keeps_the_exception_so_a_restore_keeps_the_fact(personas: Personas, book: Book) -> None:
    actions.fact_add(None, book.li, kind="other", text=SENSITIVE, exception="explicit_consent")
    exported = export_document()
    facts = [f for c in exported["contacts"] for f in c.get("facts", []) if f["text"] == SENSITIVE]
    assert facts[0]["special_category_exception"] == "explicit_consent"
    assert not import_document(exported).changed


def test_the_importer_refuses_an_unknown_exception(book: Book) -> None:
    fact = {"kind": "other", "text": "A cat", "special_category_exception": "because"}
    doc, path = _doc(fact)
    with pytest.raises(ImportProblems) as refused:
        import_document(doc)
    assert refused.value.problems[0].path == f"{path}.special_category_exception"
