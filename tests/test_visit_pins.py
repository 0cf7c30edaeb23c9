""" "Plan a visit" on the attention list: the customer becomes a required visit in its seller's next
plan (a pin), shown on the plan page with a way to remove it; only its seller or their manager pins."""

from __future__ import annotations

import pytest
from django.test import Client

from kanelbulle.planner.book import problem_for
from kanelbulle.planner.models import VisitPin
from tests.personas import Personas
from tests.test_planner_pages import QUERY, START, TODAY, as_, scenario, solve, stops

pytestmark = pytest.mark.django_db


def test_a_seller_pins_a_visit_and_the_next_plan_requires_it(personas: Personas) -> None:
    scenario(personas)
    client = as_(personas, "seller")
    response = client.post("/attention/plan-visit/c-sthlm-1/", {"next": "/attention/?page=2"})
    assert response.status_code == 302 and response["Location"] == "/attention/?page=2"
    assert (
        "Solna Verk is pinned: a required visit the next time you plan." in client.get("/attention/").content.decode()
    )
    assert client.post("/attention/plan-visit/c-sthlm-1/").status_code == 302  # again: still one pin
    assert VisitPin.objects.get().customer.ref == "c-sthlm-1"
    problem, values = problem_for(personas.seller, START, 5, TODAY)
    assert [v["ref"] for v in problem["visits"] if v["required"]] == ["c-sthlm-1"]
    assert "pinned from the attention list: a required visit" in values["c-sthlm-1"].parts
    page = client.get("/plan/" + QUERY).content.decode()
    assert "Pinned visits" in page and "Solna Verk" in page and "/plan/pins/c-sthlm-1/remove/" in page
    pk, _page = solve(client)
    assert "c-sthlm-1" in stops(pk)  # stops() first asserts the plan stopped on its iterations
    # Accepting a plan that visits it makes the pin done.
    client.post(f"/plan/{pk}/accept/")
    assert not VisitPin.objects.exists()


def test_a_manager_pins_for_their_seller_and_the_seller_removes_it(personas: Personas) -> None:
    scenario(personas)
    manager = as_(personas, "manager")
    response = manager.post("/attention/plan-visit/c-lulea-2/")
    assert response.status_code == 302
    page = manager.get("/attention/").content.decode()
    assert "Luleå Hamn is pinned: a required visit the next time Anna Berg plans." in page
    assert as_(personas, "other_seller").post("/plan/pins/c-lulea-2/remove/").status_code == 403
    assert VisitPin.objects.count() == 1
    removed = as_(personas, "seller").post("/plan/pins/c-lulea-2/remove/", {"next": "/plan/" + QUERY})
    assert removed.status_code == 302 and removed["Location"] == "/plan/" + QUERY
    assert not VisitPin.objects.exists()
    assert "Pinned visits" not in as_(personas, "seller").get("/plan/" + QUERY).content.decode()


def test_who_may_not_pin_and_bad_input(personas: Personas) -> None:
    scenario(personas)
    teammate = as_(personas, "other_seller").post("/attention/plan-visit/c-sthlm-1/")
    assert teammate.status_code == 403  # sees Anna's customer, does not sell it
    assert as_(personas, "admin").post("/attention/plan-visit/c-sthlm-1/").status_code == 403
    foreign = as_(personas, "outsider").post("/attention/plan-visit/c-sthlm-1/")
    assert foreign.status_code == 404  # another team's customer: as if it did not exist
    assert "There is no customer “c-sthlm-1” that you may see." in foreign.content.decode()
    unknown = as_(personas, "seller").post("/attention/plan-visit/c-nobody/")
    assert (
        unknown.status_code == 404 and "There is no customer “c-nobody” that you may see." in unknown.content.decode()
    )
    assert as_(personas, "seller").get("/attention/plan-visit/c-sthlm-1/").status_code == 405
    assert as_(personas, "seller").post("/plan/pins/c-nobody/remove/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.seller)
    assert strict.post("/attention/plan-visit/c-sthlm-1/").status_code == 403
    assert Client().post("/attention/plan-visit/c-sthlm-1/").status_code == 302  # to the login page
    assert not VisitPin.objects.exists()
