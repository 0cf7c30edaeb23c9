"""Property-based fuzzing (hypothesis, derandomized, bounded): the importer and the API, fed
mutated valid input (fields dropped, wrong types, random strings, huge numbers, naive datetimes),
never crash and never write partially: a refused input leaves the stored book as it was."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from bench.bench_import import make_document
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kanelbulle.accounts.models import ApiToken
from kanelbulle.exchange.exporter import export_document
from kanelbulle.exchange.importer import ImportProblems, import_document
from tests.personas import Personas
from tests.test_workspace_book import Book, make_book

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.just(10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.just("2026-01-01T10:00:00"),  # naive: no offset
    st.just("2026-02-30"),
    st.just("9999-12-31T23:59:59+14:00"),
    st.just("  "),
    st.just("x" * 5000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def slots(node: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) in a JSON-like tree, so that any value anywhere can be changed."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield node, key
            yield from slots(value)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield node, i
            yield from slots(value)


def mutate(data: st.DataObject, doc: Any, most: int = 3) -> Any:
    for _ in range(data.draw(st.integers(1, most), label="mutations")):
        places = list(slots(doc))
        if not places:
            break
        container, key = data.draw(st.sampled_from(places), label="where")
        how = data.draw(st.sampled_from(["drop", "replace", "add"]), label="how")
        if how == "drop" and isinstance(container, dict):
            del container[key]
        elif how == "add" and isinstance(container, dict):
            container[data.draw(st.text(min_size=1, max_size=10), label="new key")] = data.draw(VALUES)
        else:
            container[key] = data.draw(VALUES, label="value")
    return doc


def book_state() -> dict[str, Any]:
    doc = export_document()
    doc.pop("exported_at", None)
    return doc


BASE = make_document(2, 2, seed=3)


def stored_whole(doc: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """What of an accepted document is not in the book as it was sent (empty when all of it is)."""
    missing = []
    for kind, records in doc.items():
        if not isinstance(records, list):
            continue
        by_ref = {r.get("ref"): r for r in stored.get(kind, []) if isinstance(r, dict)}
        for record in records:
            if not isinstance(record, dict) or "ref" not in record:
                continue
            kept = by_ref.get(record["ref"])
            if kept is None:
                missing.append(f"{kind} {record['ref']}: not stored")
                continue
            missing += [
                f"{kind} {record['ref']}.{key}: sent {value!r}, stored {kept.get(key)!r}"
                for key, value in record.items()
                if key in kept and meaning(kept[key]) != meaning(value)
            ]
    return missing


def meaning(value: Any) -> Any:
    """A value as the book means it, not as it is written: an instant whatever its offset (the
    export writes a meeting in its customer's zone), a decimal whatever its trailing zeros
    (``28.5`` is stored as ``28.50``), and a list of refs in any order."""
    if isinstance(value, str):
        if "T" in value and value[:4].isdigit():
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            return moment if moment.tzinfo is None else moment.astimezone(dt.UTC)
        try:
            return ("decimal", Decimal(value).normalize()) if value[:1].isdigit() or value[:1] == "-" else value
        except InvalidOperation:
            return value
    if isinstance(value, list):
        items = [meaning(v) for v in value]
        return sorted(items, key=repr) if all(isinstance(v, str) for v in value) else items
    if isinstance(value, dict):
        return {k: meaning(v) for k, v in value.items()}
    return value


@BOUNDED
@given(data=st.data())
def test_the_importer_refuses_or_imports_whole(data: st.DataObject, db: None) -> None:
    doc = mutate(data, json.loads(json.dumps(BASE)))
    # Each example starts from the same empty book and leaves it so (a savepoint rolled back).
    with transaction.atomic():
        before = book_state()
        try:
            import_document(doc)
        except ImportProblems as problems:
            assert problems.problems, "refused without saying why"
            assert all(p.message for p in problems.problems)
            assert book_state() == before, "a refused import changed the stored book"
        else:
            assert stored_whole(doc, book_state()) == [], "an accepted document was not stored as sent"
        transaction.set_rollback(True)


# -- the API ----------------------------------------------------------------------------------


def api_client(personas: Personas) -> Client:
    _, raw = ApiToken.issue(personas.seller)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def valid_bodies(book: Book) -> dict[tuple[str, str], dict[str, Any]]:
    start = (timezone.now() - dt.timedelta(days=1)).isoformat()
    return {
        ("POST", "/api/v1/customers"): {
            "name": "Fuzz AB", "country": "SE", "city": "Luleå", "lat": 65.58, "lon": 22.15,
            "potential": "low", "visit_minutes": 30, "gift_policy": {"accepts_gifts": True},
            "opening_hours": {"mon": [["08:00", "16:00"]]},
        },
        ("PATCH", f"/api/v1/customers/{book.lulea.ref}"): {"name": "Renamed AB", "potential": "high", "version": 1},
        ("POST", "/api/v1/meetings"): {
            "customer": book.lulea.ref, "start": start, "modality": "phone", "duration_minutes": 20,
            "contacts": [book.li.ref], "notes": "Fuzzed",
            "new_facts": [{"contact": book.li.ref, "kind": "pet", "text": "A cat"}],
        },
        ("PATCH", f"/api/v1/meetings/{book.anna_meeting.ref}"): {
            "notes": "Changed", "duration_minutes": 30, "version": 1,
        },
    }  # fmt: skip


ENDPOINTS = ["POST customers", "PATCH customers", "POST meetings", "PATCH meetings"]


@pytest.fixture
def book(personas: Personas, settings: Any) -> Book:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_book(personas)


@BOUNDED
@given(data=st.data())
def test_the_api_never_fails_and_never_writes_on_a_refusal(data: st.DataObject, personas: Personas, book: Book) -> None:
    bodies = valid_bodies(book)
    (method, path), body = data.draw(st.sampled_from(sorted(bodies.items())), label="endpoint")
    raw = data.draw(
        st.one_of(
            st.builds(lambda b: json.dumps(mutate(data, b)), st.just(json.loads(json.dumps(body)))),
            st.text(max_size=30),  # not JSON at all
            st.just("[]"),
            st.just("null"),
        ),
        label="body",
    )
    before = book_state()
    response = api_client(personas).generic(method, path, data=raw, content_type="application/json")
    assert response.status_code < 500, response.content[:300]
    assert response.status_code in {200, 201, 400, 404, 409, 422, 428}, response.status_code
    if response.status_code >= 400:
        errors = json.loads(response.content)["errors"]
        assert errors and all("message" in e for e in errors)
        assert book_state() == before, f"{method} {path} answered {response.status_code} but changed the book"
