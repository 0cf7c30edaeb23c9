"""Acting on the attention list through the API (issue 15): snooze an item, wake it, plan a visit and
take it off again. The routes call the page's actions, so the same people may and the same days
count; a refused or malformed call names what is wrong and stores nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from kanelbulle.exchange.importer import import_document
from kanelbulle.insights.models import Snooze
from kanelbulle.insights.state import refresh
from kanelbulle.planner.models import VisitPin
from tests.personas import Personas
from tests.test_api import Api
from tests.test_insights_db import TODAY, scenario_book

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[Any]]
LIST = f"/attention?today={TODAY}"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas, django_capture_on_commit_callbacks: Capture) -> Personas:
    with django_capture_on_commit_callbacks(execute=True):
        import_document(scenario_book().doc)
    refresh(TODAY)
    return personas


def refs(api: Api, query: str = "") -> dict[str, dict[str, Any]]:
    response = api.call("GET", LIST + query)
    assert response.status_code == 200, response.payload
    return {item["customer"]: item for item in response.payload["items"]}


def snooze_body(days: int = 14, reason: str = "Budget decided in April") -> dict[str, Any]:
    return {"until": (TODAY + dt.timedelta(days=days)).isoformat(), "reason": reason, "today": TODAY.isoformat()}


def test_a_seller_snoozes_an_item_the_manager_sees_it_and_wakes_it(book: Personas) -> None:
    anna, maria = Api(book.seller), Api(book.manager)
    assert "c-req" in refs(anna) and refs(anna)["c-req"]["snoozed"] is None
    response = anna.call("POST", "/attention/c-req/snooze", snooze_body())
    assert response.status_code == 201, response.payload
    assert response.payload == {
        "customer": "c-req", "until": "2026-03-16", "reason": "Budget decided in April", "by": "anna",
        "priority": refs(maria, "&seller=anna")["c-req"]["priority"],
    }  # fmt: skip
    assert "c-req" not in refs(anna)  # off her own list
    seen = refs(maria, "&seller=anna")["c-req"]["snoozed"]
    assert seen["until"] == "2026-03-16" and seen["by"] == "anna" and seen["reason"] == "Budget decided in April"
    # Snoozing again replaces the earlier snooze.
    assert anna.call("POST", "/attention/c-req/snooze", snooze_body(30, "After the fair")).status_code == 201
    assert Snooze.objects.get().reason == "After the fair"
    # The manager wakes it: back on Anna's list at once.
    assert maria.call("DELETE", "/attention/c-req/snooze").status_code == 204
    assert "c-req" in refs(anna) and not Snooze.objects.exists()
    assert maria.call("DELETE", "/attention/c-req/snooze").status_code == 204  # awake either way


def test_a_snooze_with_bad_days_or_no_reason_names_the_field_and_stores_nothing(book: Personas) -> None:
    anna = Api(book.seller)
    cases = [
        (snooze_body(0), "until", "Until: choose a day after today."),
        (snooze_body(-3), "until", "Until: choose a day after today."),
        (snooze_body(400), "until", "Until: at most a year ahead."),
        (snooze_body(reason="   "), "reason", "Reason: say why it can wait."),
        ({**snooze_body(), "until": "someday"}, "until", ""),
        ({**snooze_body(), "reason": "x" * 501}, "reason", ""),
        ({"reason": "No day"}, "until", ""),
        ({**snooze_body(), "colour": "red"}, "colour", ""),
    ]
    for body, path, message in cases:
        response = anna.call("POST", "/attention/c-req/snooze", body)
        assert response.status_code == 422, (body, response.payload)
        errors = response.payload["errors"]
        assert path in [e["path"] for e in errors], (body, errors)
        if message:
            assert message in [e["message"] for e in errors]
    assert anna.call("POST", "/attention/c-req/snooze", "{not json").status_code == 400
    assert not Snooze.objects.exists()


def test_who_may_not_snooze_or_wake(book: Personas) -> None:
    assert Api(book.seller).call("POST", "/attention/c-req/snooze", snooze_body()).status_code == 201
    before = list(Snooze.objects.values())
    teammate = Api(book.other_seller)
    assert teammate.call("POST", "/attention/c-req/snooze", snooze_body(20, "Mine now")).status_code == 403
    assert teammate.call("DELETE", "/attention/c-req/snooze").status_code == 403
    outsider = Api(book.outsider).call("DELETE", "/attention/c-req/snooze")
    assert outsider.status_code == 404 and outsider.payload["errors"][0]["path"] == ""
    unknown = Api(book.seller).call("POST", "/attention/c-nobody/snooze", snooze_body())
    assert unknown.status_code == 404
    assert outsider.payload == unknown.payload  # another team's customer is worded as one that is not there
    assert Api(None).call("DELETE", "/attention/c-req/snooze").status_code == 401
    assert list(Snooze.objects.values()) == before


def test_plan_a_visit_through_the_api(book: Personas) -> None:
    anna, maria = Api(book.seller), Api(book.manager)
    first = anna.call("POST", "/attention/c-req/plan-visit")
    assert first.status_code == 201 and first.payload == {"customer": "c-req", "seller": "anna", "by": "anna"}
    assert anna.call("POST", "/attention/c-req/plan-visit").status_code == 200  # already pinned: one pin
    assert VisitPin.objects.count() == 1
    assert refs(anna)["c-req"]["pinned"] is True
    assert refs(maria, "&seller=anna")["c-req"]["pinned"] is True
    # Refused: a teammate and the admin (403), another team (404); the pin is untouched.
    assert Api(book.other_seller).call("DELETE", "/attention/c-req/plan-visit").status_code == 403
    assert Api(book.admin).call("POST", "/attention/c-req/plan-visit").status_code == 403
    assert Api(book.outsider).call("DELETE", "/attention/c-req/plan-visit").status_code == 404
    assert VisitPin.objects.count() == 1
    assert maria.call("DELETE", "/attention/c-req/plan-visit").status_code == 204
    assert not VisitPin.objects.exists() and refs(anna)["c-req"]["pinned"] is False
