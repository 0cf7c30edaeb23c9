"""The optional road router: OSRM or Valhalla by configuration, a clear warning and the offline
model when it is down or errs. The routers are tiny local HTTP servers in the test: no network."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.planner.book import problem_for
from kanelbulle.planner.problem import parse_problem
from kanelbulle.planner.routing import routing_for
from kanelbulle.planner.travel import haversine_km
from tests.cli import run
from tests.personas import Personas
from tests.plan_checker import check_plan

START = dt.date(2026, 11, 30)
TODAY = dt.date(2026, 11, 27)
ROAD_FACTOR = 1.5  # the fake router's roads are longer than the offline model's 1.3
ROAD_KMH = 60.0


class FakeRouter(BaseHTTPRequestHandler):
    """Answers like OSRM's table service and Valhalla's sources_to_targets (or with an error)."""

    error = False
    asked: list[str] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        FakeRouter.asked.append(url.path)
        if self.error:
            self._send(400, {"code": "InvalidQuery", "message": "Query string malformed close to position 42"})
            return
        coords = [tuple(map(float, c.split(","))) for c in url.path.rsplit("/", 1)[1].split(";")]
        query = parse_qs(url.query)
        src = [int(i) for i in query["sources"][0].split(";")]
        dst = [int(i) for i in query["destinations"][0].split(";")]
        km = [[haversine_km(coords[a][1], coords[a][0], coords[b][1], coords[b][0]) * ROAD_FACTOR for b in dst]
              for a in src]  # fmt: skip
        self._send(200, {
            "code": "Ok",
            "distances": [[k * 1000 for k in row] for row in km],
            "durations": [[k / ROAD_KMH * 3600 for k in row] for row in km],
        })  # fmt: skip

    def do_POST(self) -> None:
        FakeRouter.asked.append(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        rows = [
            [{"distance": haversine_km(s["lat"], s["lon"], t["lat"], t["lon"]) * ROAD_FACTOR,
              "time": haversine_km(s["lat"], s["lon"], t["lat"], t["lon"]) * ROAD_FACTOR / ROAD_KMH * 3600}
             for t in body["targets"]]
            for s in body["sources"]
        ]  # fmt: skip
        self._send(200, {"sources_to_targets": rows, "units": "kilometers"})


@pytest.fixture
def router() -> Iterator[str]:
    FakeRouter.error = False
    FakeRouter.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRouter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def down() -> str:
    """An address where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def book(personas: Personas) -> None:
    for j, (lat, lon) in enumerate([(59.8586, 17.6389), (59.6099, 16.5448), (59.3600, 18.0000)]):
        c = Customer.objects.create(
            ref=f"c-{j}", name=f"Customer {j}", country="SE", city="Mälardalen", lat=lat, lon=lon,
            time_zone="Europe/Stockholm", owner=personas.seller, visit_minutes=60,
        )  # fmt: skip
        Deal.objects.create(
            ref=f"d-{j}", customer=c, user=personas.seller, title="Refill", value_amount=Decimal("400000"),
            value_currency="SEK", probability_pct=Decimal("50"), stage=Stage.OPEN, created=START,
        )  # fmt: skip


def plan() -> Any:
    return run(
        "plan",
        "--user",
        "anna",
        "--start",
        START.isoformat(),
        "--days",
        "1",
        "--iterations",
        "300",
        "--today",
        TODAY.isoformat(),
        "--json",
    )


@pytest.mark.django_db
def test_car_legs_come_from_osrm_when_it_is_configured(
    personas: Personas, router: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    book(personas)
    monkeypatch.setenv("KANELBULLE_ROUTER", "osrm")
    monkeypatch.setenv("KANELBULLE_ROUTER_URL", router)
    result = plan()
    assert result.code == 0, result.err
    assert result.json["solver"]["stopped_by"] == "iterations"
    assert result.err == ""
    doc = result.json
    assert doc["notes"] == [f"car legs: road distances and driving times from the osrm router at {router}"]
    assert FakeRouter.asked and FakeRouter.asked[0].startswith("/table/v1/driving/18.068600,59.329300;")
    raw, _values = problem_for(personas.seller, START, 1, TODAY)
    home = (raw["seller"]["home"]["lat"], raw["seller"]["home"]["lon"])
    points = [home] + [(s["lat"], s["lon"]) for s in raw["visits"]]
    at = {v["ref"]: (v["lat"], v["lon"]) for v in raw["visits"]}
    day = doc["days"][0]
    route = [home] + [at[s["ref"]] for s in day["stops"]] + [home]
    expected = sum(haversine_km(*a, *b) * ROAD_FACTOR for a, b in itertools.pairwise(route))
    assert len(day["stops"]) == 3 and len(points) == 4
    assert float(day["km"]) == pytest.approx(expected, abs=0.1)  # the router's roads, not 1.3 × great circle


@pytest.mark.django_db
def test_valhalla_answers_the_same_way(personas: Personas, router: str) -> None:
    book(personas)
    raw, _values = problem_for(personas.seller, START, 1, TODAY)
    routing = routing_for(parse_problem(raw), {"KANELBULLE_ROUTER": "valhalla", "KANELBULLE_ROUTER_URL": router})
    assert routing.warnings == [] and routing.table is not None
    assert FakeRouter.asked == ["/sources_to_targets"]
    v = raw["visits"][0]
    home = raw["seller"]["home"]
    assert routing.table.km[0, 1] == pytest.approx(haversine_km(home["lat"], home["lon"], v["lat"], v["lon"]) * 1.5)


@pytest.mark.django_db
def test_a_router_that_is_down_falls_back_to_the_offline_model_with_a_warning(
    personas: Personas, down: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    book(personas)
    monkeypatch.setenv("KANELBULLE_ROUTER", "osrm")
    monkeypatch.setenv("KANELBULLE_ROUTER_URL", down)
    result = plan()
    assert result.code == 0, result.err
    warning = (
        f"road router osrm at {down} cannot be used (Connection refused): car legs use the offline model "
        "(great-circle distance × 1.3 at 75.0 km/h)"
    )
    assert result.err_lines == [f"warning: {warning}"]
    assert result.json["notes"] == [warning]
    raw, _values = problem_for(personas.seller, START, 1, TODAY)
    check_plan(raw, result.json)  # the contract's offline model, checked independently


@pytest.mark.django_db
def test_a_router_that_errs_or_a_bad_setting_is_named_and_the_offline_model_used(
    personas: Personas, router: str
) -> None:
    book(personas)
    problem = parse_problem(problem_for(personas.seller, START, 1, TODAY)[0])
    FakeRouter.error = True
    routing = routing_for(problem, {"KANELBULLE_ROUTER": "osrm", "KANELBULLE_ROUTER_URL": router})
    assert routing.table is None
    assert routing.warnings[0].startswith(
        f"road router osrm at {router} cannot be used (HTTP 400: Query string malformed close to position 42)"
    )
    routing = routing_for(problem, {"KANELBULLE_ROUTER": "googlemaps", "KANELBULLE_ROUTER_URL": router})
    assert routing.table is None
    assert routing.warnings == [
        "KANELBULLE_ROUTER: unknown router 'googlemaps' (osrm or valhalla); car legs use the offline model"
    ]
    assert routing_for(problem, {}).notes == []  # offline by default, nothing to say
