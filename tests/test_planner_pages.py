"""The plan pages, the brief page and their API: who may see what, the map and the Luleå trip,
pins and removals, accepting (once) with an .ics that a second parser reads back."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.utils.html import escape

from kanelbulle.accounts.models import ApiToken
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.meetings.models import Meeting, MeetingRequest
from kanelbulle.planner.models import VisitPlan
from tests.personas import Personas

START = dt.date(2026, 11, 30)  # a Monday
TODAY = dt.date(2026, 11, 27)  # the Friday before: the day the book is valued on, never the clock
LULEA = [("c-lulea-1", "Norrbotten Stål", 65.5848, 22.1547), ("c-lulea-2", "Luleå Hamn", 65.6000, 22.1000)]
LOCAL = [("c-sthlm-1", "Solna Verk", 59.3600, 18.0000), ("c-sthlm-2", "Uppsala Kvarn", 59.8586, 17.6389)]
QUERY = f"?start={START.isoformat()}&days=5&today={TODAY.isoformat()}"


def scenario(personas: Personas, *, lulea_deal: str = "600000") -> None:
    """Anna in Stockholm: two Luleå customers with big open deals, two near home; Bertil's unsaid."""
    anna = personas.seller
    for ref, name, lat, lon in LULEA:
        c = Customer.objects.create(
            ref=ref, name=name, country="SE", city="Luleå", lat=lat, lon=lon, time_zone="Europe/Stockholm",
            owner=anna, visit_minutes=90,
        )  # fmt: skip
        Deal.objects.create(
            ref=f"d-{ref}", customer=c, user=anna, title="Line 3", value_amount=Decimal(lulea_deal),
            value_currency="SEK", probability_pct=Decimal("50"), stage=Stage.OPEN, created=START,
        )  # fmt: skip
    for ref, name, lat, lon in LOCAL:
        c = Customer.objects.create(
            ref=ref, name=name, country="SE", city="Stockholm", lat=lat, lon=lon, time_zone="Europe/Stockholm",
            owner=anna, visit_minutes=60,
        )  # fmt: skip
        Deal.objects.create(
            ref=f"d-{ref}", customer=c, user=anna, title="Refill", value_amount=Decimal("100000"),
            value_currency="SEK", probability_pct=Decimal("50"), stage=Stage.OPEN, created=START,
        )  # fmt: skip
    lulea = Customer.objects.get(ref="c-lulea-1")
    li = Contact.objects.create(ref="p-li", customer=lulea, name="Li Wei", title="CEO", lawful_basis="consent")
    Fact.objects.create(contact=li, kind="pet", text="Two schnauzers, Max and Moritz", learned=dt.date(2026, 5, 2))
    for who, unsaid in ((anna, "Anna's own hunch"), (personas.other_seller, "Bertil's secret note")):
        m = Meeting.objects.create(
            ref=f"m-{who.username}", customer=lulea, user=who, start=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
            notes=f"Shared notes by {who.username}", unsaid=unsaid,
        )  # fmt: skip
        m.contacts.add(li)


def as_(personas: Personas, who: str) -> Client:
    client = Client()
    client.force_login(getattr(personas, who))
    return client


def solve(client: Client, user: str = "") -> tuple[int, str]:
    """Post the plan form as a browser without JavaScript does; return the plan's id and its page."""
    data = {"start": START.isoformat(), "days": "5", "today": TODAY.isoformat()} | ({"user": user} if user else {})
    response = client.post("/plan/solve/", data)
    assert response.status_code == 302, response.content[:500]
    pk = int(re.search(r"/plan/(\d+)/", response["Location"]).group(1))  # type: ignore[union-attr]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return pk, page.content.decode()


def stops(pk: int) -> dict[str, str]:
    """Each planned visit's day (of a plan that stopped on its iterations, not on the machine's speed)."""
    plan = VisitPlan.objects.get(pk=pk).plan
    assert plan["solver"]["stopped_by"] == "iterations"
    return {s["ref"]: d["date"] for d in plan["days"] for s in d["stops"]}


# -- who may see what ------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_go_to_the_login_page_and_the_api_answers_401(personas: Personas) -> None:
    scenario(personas)
    client = Client()
    for url in ("/plan/", "/plan/brief/c-lulea-1/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == resolve_url(settings.LOGIN_URL) + "?next=" + url
    assert client.post("/api/v1/plan", {"days": 5}, content_type="application/json").status_code == 401
    assert client.get("/api/v1/brief/c-lulea-1").status_code == 401


@pytest.mark.django_db
def test_who_may_ask_for_whose_plan(personas: Personas) -> None:
    scenario(personas)
    seller, manager, outsider = as_(personas, "seller"), as_(personas, "manager"), as_(personas, "outsider")
    assert seller.get("/plan/" + QUERY).status_code == 200
    assert seller.get("/plan/" + QUERY + "&user=bertil").status_code == 403  # a teammate: visible, not theirs
    assert seller.get("/plan/" + QUERY + "&user=olle").status_code == 404  # another team
    assert manager.get("/plan/" + QUERY + "&user=anna").status_code == 200
    assert outsider.get("/plan/" + QUERY + "&user=anna").status_code == 404
    assert seller.post("/plan/solve/", {"start": START.isoformat(), "days": "5", "user": "bertil"}).status_code == 403
    assert seller.get("/plan/" + QUERY.replace("days=5", "days=15")).status_code == 400  # at most 14 days


@pytest.mark.django_db
def test_a_plan_is_seen_by_its_seller_their_manager_and_no_one_else(personas: Personas) -> None:
    scenario(personas)
    pk, _ = solve(as_(personas, "seller"))
    assert as_(personas, "manager").get(f"/plan/{pk}/").status_code == 200
    assert as_(personas, "admin").get(f"/plan/{pk}/").status_code == 200
    for who in ("other_seller", "outsider"):
        client = as_(personas, who)
        assert client.get(f"/plan/{pk}/").status_code == 404
        assert client.post(f"/plan/{pk}/accept/").status_code == 404
        assert client.post(f"/plan/{pk}/change/", {"action": "replan", "today": TODAY.isoformat()}).status_code == 404
        assert client.get(f"/plan/{pk}/plan.ics").status_code == 404
    assert as_(personas, "manager").post(f"/plan/{pk}/accept/").status_code == 403  # the seller's calendar
    assert not Meeting.objects.filter(status="planned").exists()


@pytest.mark.django_db
def test_the_brief_page_and_api_answer_only_those_who_may_see_the_customer(personas: Personas) -> None:
    scenario(personas)
    for who, code in (("seller", 200), ("other_seller", 200), ("manager", 200), ("admin", 200), ("outsider", 404)):
        assert as_(personas, who).get("/plan/brief/c-lulea-1/").status_code == code, who
        assert as_(personas, who).get("/api/v1/brief/c-lulea-1").status_code == code, who
    assert as_(personas, "seller").get("/plan/brief/c-nobody/").status_code == 404


# -- the plan --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_plan_page_flies_to_luleå_draws_the_map_and_does_not_solve_again_on_reload(
    personas: Personas,
) -> None:
    scenario(personas)
    client = as_(personas, "seller")
    first = client.get("/plan/" + QUERY).content.decode()
    assert 'hx-trigger="load, submit"' in first and "Plan these days" in first  # planning…, works without JS
    pk, page = solve(client)
    assert "<svg" in page and "viewBox" in page
    planned = stops(pk)
    assert {"c-lulea-1", "c-lulea-2"} <= set(planned)
    assert ("by air" in page or "by train" in page) and "hotel night" in page
    assert "Norrbotten Stål" in page and "Value covered" in page and "CO₂" in page
    reload = client.get("/plan/" + QUERY).content.decode()
    assert VisitPlan.objects.count() == 1 and "<svg" in reload  # shown again, not solved again
    # Times in the viewer's own zone: her manager, in London, sees the same visits an hour earlier.
    manager = personas.manager
    manager.time_zone = "Europe/London"
    manager.save()
    london = as_(personas, "manager").get(f"/plan/{pk}/").content.decode()
    first = next(s for d in VisitPlan.objects.get(pk=pk).plan["days"] for s in d["stops"])
    begin = dt.datetime.fromisoformat(first["begin"])
    assert "Times in Europe/London." in london
    assert f"{begin.astimezone(ZoneInfo('Europe/London')):%H:%M}–" in london
    assert f"{begin:%H:%M}–" in page


@pytest.mark.django_db
def test_a_small_deal_in_luleå_is_dropped_with_its_reason_in_words(personas: Personas) -> None:
    scenario(personas, lulea_deal="20000")
    pk, page = solve(as_(personas, "seller"))
    assert "c-lulea-1" not in stops(pk)
    assert "Not in the plan, and why" in page
    reasons = {d["ref"]: d["reason"] for d in VisitPlan.objects.get(pk=pk).plan["dropped"]}
    assert reasons["c-lulea-1"].startswith("not worth the trip")
    assert escape(reasons["c-lulea-1"]) in page


@pytest.mark.django_db
def test_a_long_list_of_drops_shows_the_most_valuable_first_and_the_rest_on_asking(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kanelbulle.planner import views as plan_views

    scenario(personas, lulea_deal="20000")
    for i in range(3):  # far away and worth nothing: dropped
        Customer.objects.create(
            ref=f"c-kiruna-{i}", name=f"Kiruna {i}", country="SE", city="Kiruna", lat=67.85, lon=20.22,
            time_zone="Europe/Stockholm", owner=personas.seller,
        )  # fmt: skip
    monkeypatch.setattr(plan_views, "DROPPED_SHOWN", 2)
    client = as_(personas, "seller")
    pk, page = solve(client)
    dropped = VisitPlan.objects.get(pk=pk).plan["dropped"]
    assert len(dropped) >= 4 and "c-lulea-1" in {d["ref"] for d in dropped}
    plan = VisitPlan.objects.get(pk=pk)
    value = {v["ref"]: Decimal((v.get("value") or {}).get("amount") or 0) for v in plan.values}
    shown = re.findall(r'href="/plan/brief/(c-[a-z0-9-]+)/"', page.split('id="h-dropped"')[1])
    assert len(shown) == 2 and value[shown[0]] >= value[shown[1]]  # the most valuable two
    assert value[shown[1]] >= max(value[d["ref"]] for d in dropped if d["ref"] not in shown)
    assert value["c-lulea-1"] > 0 and "c-lulea-1" in shown  # worth something: before the Kiruna ones
    assert f"Show all {len(dropped)}, not only the most valuable" in page
    whole = client.get(f"/plan/{pk}/", {"dropped": "all"}).content.decode()
    assert len(re.findall(r'href="/plan/brief/(c-[a-z0-9-]+)/"', whole.split('id="h-dropped"')[1])) == len(dropped)
    assert "not only the most valuable" not in whole


@pytest.mark.django_db
def test_pinning_removing_and_replanning_change_the_plan(personas: Personas) -> None:
    scenario(personas)
    client = as_(personas, "seller")
    pk, _ = solve(client)
    # Pin a local visit to Friday.
    response = client.post(f"/plan/{pk}/change/", {"action": "pin", "ref": "c-sthlm-2", "date": "2026-12-04"})
    assert response.status_code == 302
    pinned = int(response["Location"].strip("/").split("/")[-1])
    assert stops(pinned)["c-sthlm-2"] == "2026-12-04"
    assert VisitPlan.objects.get(pk=pinned).pins == {"c-sthlm-2": "2026-12-04"}
    # The pin reuses the values counted as of TODAY: the new plan says so, not the clock's day.
    assert VisitPlan.objects.get(pk=pinned).plan["as_of"] == TODAY.isoformat()
    # Remove Luleå 2: gone from the plan, listed as removed, and brought back.
    response = client.post(f"/plan/{pinned}/change/", {"action": "remove", "ref": "c-lulea-2"})
    removed = int(response["Location"].strip("/").split("/")[-1])
    assert "c-lulea-2" not in stops(removed) and stops(removed)["c-sthlm-2"] == "2026-12-04"
    assert "Removed by you" in client.get(f"/plan/{removed}/").content.decode()
    response = client.post(f"/plan/{removed}/change/", {"action": "restore", "ref": "c-lulea-2"})
    restored = int(response["Location"].strip("/").split("/")[-1])
    assert "c-lulea-2" in stops(restored)
    assert VisitPlan.objects.get(pk=restored).plan["as_of"] == TODAY.isoformat()
    # A pin to a day the customer is closed is refused in words, and nothing is solved.
    before = VisitPlan.objects.count()
    refused = client.post(f"/plan/{restored}/change/", {"action": "pin", "ref": "c-sthlm-1", "date": "2026-12-05"})
    assert refused.status_code == 400
    assert "Solna Verk is not open on 2026-12-05." in refused.content.decode()
    assert VisitPlan.objects.count() == before
    # Re-plan from the book: a new customer in Uppsala with a big deal joins.
    c = Customer.objects.create(
        ref="c-new", name="Ny Kund", country="SE", city="Uppsala", lat=59.86, lon=17.64,
        time_zone="Europe/Stockholm", owner=personas.seller, visit_minutes=60,
    )  # fmt: skip
    Deal.objects.create(
        ref="d-new", customer=c, user=personas.seller, title="Big", value_amount=Decimal("500000"),
        value_currency="SEK", probability_pct=Decimal("80"), stage=Stage.OPEN, created=START,
    )  # fmt: skip
    response = client.post(f"/plan/{restored}/change/", {"action": "replan", "today": TODAY.isoformat()})
    assert "c-new" in stops(int(response["Location"].strip("/").split("/")[-1]))


@pytest.mark.django_db
def test_accepting_creates_planned_meetings_once_and_an_ics_that_vobject_reads(personas: Personas) -> None:
    scenario(personas)
    client = as_(personas, "seller")
    pk, _ = solve(client)
    planned = stops(pk)
    assert client.post(f"/plan/{pk}/accept/").status_code == 302
    assert client.post(f"/plan/{pk}/accept/").status_code == 302  # twice: nothing more
    meetings = Meeting.objects.filter(status="planned", user=personas.seller)
    assert sorted(m.customer.ref for m in meetings) == sorted(planned)
    page = client.get(f"/plan/{pk}/").content.decode()
    assert f"{len(planned)} planned meetings made from this plan." in page
    response = client.get(f"/plan/{pk}/plan.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = vobject.readOne(response.content.decode())
    events = calendar.contents["vevent"]
    assert len(events) == len(planned)
    plan = VisitPlan.objects.get(pk=pk).plan
    first = plan["days"][0]["stops"][0] if plan["days"][0]["stops"] else None
    starts = {e.dtstart.value for e in events}
    if first:
        assert dt.datetime.fromisoformat(first["begin"]) in starts
    assert any("Norrbotten Stål" in e.summary.value for e in events)
    # Accepting another plan for the same days does not duplicate the same visits.
    again = client.post(f"/plan/{pk}/change/", {"action": "replan", "today": TODAY.isoformat()})
    client.post(again["Location"].replace("/plan/", "/plan/", 1) + "accept/")
    assert Meeting.objects.filter(status="planned", user=personas.seller).count() == len(planned)


# -- the API ---------------------------------------------------------------------------------


def api(client: Client, body: dict[str, Any], token: str) -> Any:
    body = {"today": TODAY.isoformat()} | body
    return client.post("/api/v1/plan", body, content_type="application/json", headers={"authorization": token})


@pytest.mark.django_db
def test_the_plan_api_answers_the_cli_document_and_refuses_as_decided(personas: Personas) -> None:
    scenario(personas)
    tokens = {who: "Bearer " + ApiToken.issue(getattr(personas, who))[1] for who in ("seller", "manager", "outsider")}
    client = Client()
    response = api(client, {"start": START.isoformat(), "days": 5}, tokens["seller"])
    assert response.status_code == 200, response.content
    doc = response.json()
    assert doc["format"] == "kanelbulle-plan-result/1"
    assert doc["solver"]["stopped_by"] == "iterations" and doc["as_of"] == TODAY.isoformat()
    assert {"c-lulea-1", "c-lulea-2"} <= {s["ref"] for d in doc["days"] for s in d["stops"]}
    assert {v["ref"] for v in doc["values"]} >= {"c-lulea-1", "c-sthlm-1"}
    assert api(client, {"user": "bertil", "days": 5}, tokens["seller"]).status_code == 403
    assert api(client, {"user": "anna", "days": 5}, tokens["outsider"]).status_code == 404
    assert api(client, {"user": "anna", "start": START.isoformat(), "days": 5}, tokens["manager"]).status_code == 200
    bad = api(client, {"days": 30, "start": "30/11/2026"}, tokens["seller"])
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json()["errors"]} == {"days", "start"}
    unknown = api(client, {"days": 5, "start_day": START.isoformat()}, tokens["seller"])  # a misspelt field
    assert unknown.status_code == 422 and [e["path"] for e in unknown.json()["errors"]] == ["start_day"]
    far = api(client, {"start": "9999-12-31", "days": 14}, tokens["seller"])
    assert far.status_code == 422
    assert far.json()["errors"][0]["message"] == "Plan days within ten years of today, not from 9999-12-31."


# -- the brief -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_brief_shows_the_schnauzers_and_only_the_viewers_own_unsaid(personas: Personas) -> None:
    scenario(personas)
    lulea = Customer.objects.get(ref="c-lulea-1")
    MeetingRequest.objects.create(ref="r-1", customer=lulea, requested_at=dt.datetime(2026, 10, 28, 9, tzinfo=dt.UTC))
    on_today = {"today": TODAY.isoformat()}
    anna = as_(personas, "seller").get("/plan/brief/c-lulea-1/", on_today).content.decode()
    assert "Why it needs attention" in anna  # the attention list's reasons (kanelbulle.insights)
    assert "Two schnauzers, Max and Moritz" in anna
    assert "Ask about the pets: Two schnauzers, Max and Moritz" in anna
    assert "Anna&#x27;s own hunch" in anna and "Bertil&#x27;s secret note" not in anna
    assert "Shared notes by bertil" in anna and "Line 3" in anna
    manager = as_(personas, "manager").get("/plan/brief/c-lulea-1/", on_today).content.decode()
    assert "own hunch" not in manager and "secret note" not in manager
    printable = as_(personas, "seller").get("/plan/brief/c-lulea-1/", {"print": "1"} | on_today).content.decode()
    assert 'class="brief printing"' in printable and "Screen version" in printable
    doc = as_(personas, "other_seller").get("/api/v1/brief/c-lulea-1", on_today).json()
    assert [m.get("unsaid") for m in doc["last_meetings"]] == ["Bertil's secret note", None] or [
        m.get("unsaid") for m in doc["last_meetings"]
    ] == [None, "Bertil's secret note"]


@pytest.mark.django_db
def test_a_seller_without_a_home_place_is_told_what_is_missing(personas: Personas) -> None:
    scenario(personas)
    anna = personas.seller
    anna.home_lat = anna.home_lon = None
    anna.save()
    response = as_(personas, "seller").post(
        "/plan/solve/", {"start": START.isoformat(), "days": "5", "today": TODAY.isoformat()}
    )
    assert response.status_code == 400
    assert "Anna Berg has no home place yet: it is needed to plan trips." in response.content.decode()
    assert not VisitPlan.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_road_router_is_said_on_the_page_and_the_plan_still_comes(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("KANELBULLE_ROUTER", "osrm")
    monkeypatch.setenv("KANELBULLE_ROUTER_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("KANELBULLE_ROUTER_TIMEOUT", "2")
    scenario(personas)
    pk, page = solve(as_(personas, "seller"))
    assert "road router osrm at http://127.0.0.1:" in page
    assert "car legs use the offline model" in page
    assert "c-lulea-1" in stops(pk)
