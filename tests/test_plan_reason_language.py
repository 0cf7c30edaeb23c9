"""A plan solved in English reads in Swedish for a reader who speaks Swedish: its drop reasons are
kept as words (message id and parameters) and written when the page is shown, amounts included."""

from __future__ import annotations

import pytest

from kanelbulle.planner.models import VisitPlan
from tests.personas import Personas
from tests.test_planner_pages import as_, scenario, solve

pytestmark = pytest.mark.django_db


def test_a_drop_reason_is_shown_in_the_readers_language(personas: Personas) -> None:
    scenario(personas, lulea_deal="20000")
    client = as_(personas, "seller")
    pk, english = solve(client)
    plan = VisitPlan.objects.get(pk=pk).plan
    assert plan["solver"]["stopped_by"] == "iterations"  # the plan is the budget's, not the machine's speed
    stored = next(d for d in plan["dropped"] if d["ref"] == "c-lulea-1")
    assert stored["code"] == "not_worth" and stored["words"]["params"]["value"]["currency"] == "SEK"
    assert "not worth the trip: value SEK\xa0" in english
    client.post("/i18n/setlang/", {"language": "sv", "next": "/home/"})
    swedish = client.get(f"/plan/{pk}/").content.decode()
    assert "inte värt resan: värdet " in swedish and "\xa0kr" in swedish
    assert "not worth the trip" not in swedish
