"""Solve a planning problem with PyVRP 0.14 and read the solution back as a plan document.

The model (docs/planner.md has the long version):

* **One vehicle is the seller** over the whole horizon, on one clock in minutes from the first
  day's local midnight. It starts at home on the first worked day and ends at home on the last.
* **A visit** is one location with one client copy per (window, worked day) it fits in, each copy
  with that day's part of the window (``tw_late`` = close − visit length, PyVRP's latest *start*).
  The copies form one mutually exclusive group, so the visit is made at most once. Its prize is
  its value in whole currency units; a required visit gets a prize far above any travel cost, so that when it
  cannot be placed the plan still comes back and says which one and why.
* **Each night** between two worked days is a required group of night clients whose time window
  is that day's end and whose service lasts until the next worked day starts: one at home and,
  when hotel nights are allowed and the next day follows directly, one hotel per far-away visit at
  a location of its own that can only be entered from that visit (at the hotel's price). So every
  day ends at home or at the place of its last visit, and nights hold no travel.
* **Edges** carry the cheapest mode's cost in whole currency units as distance (the objective) and its minutes,
  rounded up, as duration.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import version
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from kanelbulle.planner.built import Built, Copy, WorkDay, clock
from kanelbulle.planner.parallel import PLANNER_PORTFOLIO, WORKERS, Found, Tuning, best_of
from kanelbulle.planner.problem import CENT, WEEKDAYS, PlanProblem, Visit
from kanelbulle.planner.reasons import why_dropped, why_required_missing
from kanelbulle.planner.repair import place_required
from kanelbulle.planner.travel import (
    COST_SCALE,
    EMPTY_LEG,
    Leg,
    RoadTable,
    matrices,
    mode_leg,
    road_leg,
    round_km,
)

RESULT_FORMAT = "kanelbulle-plan-result/1"
PROHIBITIVE = 1 << 44  # pyvrp.constants.MAX_VALUE: an edge that must never be used
# A visit at least this far from home (one way, cheapest mode, as a share of the working day, and
# never under 90 minutes) may end a day at a hotel. Nearer places are a day trip from home; leaving
# them out keeps the model small (each hotel candidate adds a client per night).
HOTEL_MIN_SHARE = 1 / 3
HOTEL_MIN_MINUTES = 90
UTC = dt.UTC


DEFAULT_SECONDS = 10.0
SAFETY_SECONDS = 300.0


def time_limit(seconds: float | None, iterations: int | None) -> float:
    """The clock's part in a solve's budget.

    A budget of iterations is what makes a plan repeatable: the same problem, seed and number of
    iterations give the same plan on a fast machine and on a busy one. So when only iterations are
    asked for, the clock is a generous safety limit (``SAFETY_SECONDS``), there to stop a run that
    has gone wrong, not to shape the plan. Only seconds: that limit. Neither: ``DEFAULT_SECONDS``.
    Both: whichever comes first, as the caller asked (the plan says which it was).
    """
    if seconds is not None:
        return seconds
    return DEFAULT_SECONDS if iterations is None else SAFETY_SECONDS


class Budget:
    """PyVRP stopping criterion: whichever of seconds and iterations comes first (and says which)."""

    def __init__(
        self, seconds: float | None, iterations: int | None, progress: Callable[[float, int], None] | None = None
    ) -> None:
        self.seconds = seconds
        self.max_iterations = iterations
        self.iterations = 0
        self.stopped_by = ""
        self.progress = progress
        self.started = time.perf_counter()
        self._last_report = self.started

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __call__(self, best_cost: float) -> bool:
        if self.max_iterations is not None and self.iterations >= self.max_iterations:
            self.stopped_by = "iterations"
            return True
        now = time.perf_counter()
        if self.seconds is not None and now - self.started >= self.seconds:
            self.stopped_by = "seconds"
            return True
        self.iterations += 1
        # A line as soon as the search starts, then every half second: a short run shows one too.
        if self.progress is not None and (self.iterations == 1 or now - self._last_report >= 0.5):
            self._last_report = now
            self.progress(now - self.started, self.iterations)
        return False


def at(origin_utc: dt.datetime, minutes: float, tz: str) -> str:
    moment = origin_utc + dt.timedelta(minutes=math.ceil(minutes - 1e-9))
    return moment.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def working_days(problem: PlanProblem, origin_utc: dt.datetime) -> list[WorkDay]:
    tz = ZoneInfo(problem.time_zone)
    out: list[WorkDay] = []
    for i in range(problem.days):
        date = problem.start + dt.timedelta(days=i)
        if date.weekday() not in problem.weekdays:
            continue
        begin = dt.datetime.combine(date, problem.workday[0], tzinfo=tz)
        end = dt.datetime.combine(date, problem.workday[1], tzinfo=tz)
        out.append(WorkDay(len(out), date, round(clock(origin_utc, begin)), round(clock(origin_utc, end))))
    return out


def visit_copies(visit: Visit, days: list[WorkDay], origin_utc: dt.datetime) -> list[tuple[int, int, int]]:
    """(day, earliest start, latest start) for each part of a window inside a working day."""
    out = []
    for begin, end in visit.windows:
        b = math.ceil(clock(origin_utc, begin) - 1e-9)
        e = math.floor(clock(origin_utc, end) + 1e-9)
        for day in days:
            early = max(b, day.start)
            late = min(e, day.end) - visit.minutes
            if late >= early:
                out.append((day.index, early, late))
    return sorted(set(out))


def consecutive(days: list[WorkDay], k: int) -> bool:
    """Whether worked day k + 1 is the calendar day after day k (a hotel night is possible)."""
    return k + 1 < len(days) and (days[k + 1].date - days[k].date).days == 1


def build(problem: PlanProblem, road: RoadTable | None = None, mode_policy: str = "cheapest") -> Built:
    from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType

    tz = ZoneInfo(problem.time_zone)
    origin_utc = dt.datetime.combine(problem.start, dt.time(0, 0), tzinfo=tz).astimezone(UTC)
    days = working_days(problem, origin_utc)
    visits = problem.visits
    lat = [problem.home_lat, *(v.lat for v in visits)]
    lon = [problem.home_lon, *(v.lon for v in visits)]
    mats = matrices(problem, lat, lon, road, mode_policy)

    raw_copies = {i: visit_copies(visit, days, origin_utc) for i, visit in enumerate(visits)}
    hotel_visits: list[int] = []
    any_hotel_night = problem.overnight_allowed and any(consecutive(days, k) for k in range(len(days)))
    if any_hotel_night:
        workday = days[0].end - days[0].start
        far = max(HOTEL_MIN_MINUTES, workday * HOTEL_MIN_SHARE)
        hotel_visits = [i for i in raw_copies if raw_copies[i] and mats.minutes[0, i + 1] >= far]
    hotel_set = set(hotel_visits)
    copies: list[Copy] = []
    copies_of_visit: dict[int, list[int]] = {}
    unreachable: set[int] = set()
    for i, visit in enumerate(visits):
        go, back = int(mats.minutes[0, i + 1]), int(mats.minutes[i + 1, 0])
        # After a hotel night the day starts where the seller slept: the quickest way here from any
        # place a hotel night can follow (this visit itself included), not from home.
        from_hotel = min((int(mats.minutes[h + 1, i + 1]) for h in hotel_set), default=go)
        for day, early, late in raw_copies[i]:
            # Left out of the model when it cannot be made even on an otherwise empty day.
            far = i in hotel_set
            slept_away = bool(hotel_set) and day > 0 and consecutive(days, day - 1)
            first = min(go, from_hotel) if slept_away else go
            arrive_ok = days[day].start + first <= late or (far and slept_away)
            begin = max(early, days[day].start + first)
            return_ok = begin + visit.minutes + back <= days[day].end or (far and consecutive(days, day))
            if arrive_ok and return_ok:
                copies_of_visit.setdefault(i, []).append(len(copies))
                copies.append(Copy("visit", day, i, early, late))
        if raw_copies[i] and i not in copies_of_visit:
            unreachable.add(i)
    hotel_visits = [i for i in hotel_visits if i in copies_of_visit]
    night_groups: list[list[int]] = []
    if days:
        # "Night -1": a required, empty stop at home when the first day starts. It keeps the route
        # from ever being empty (PyVRP's search inserts next to what is already in a route).
        copies.append(Copy("night", -1, early=days[0].start, late=days[0].start))
    for k in range(len(days) - 1):
        members = [len(copies)]
        copies.append(Copy("night", k, early=days[k].end, late=days[k].end))
        if consecutive(days, k) and problem.overnight_allowed:
            for i in hotel_visits:
                members.append(len(copies))
                copies.append(Copy("night", k, visit=i, early=days[k].end, late=days[k].end, hotel=True))
        night_groups.append(members)

    # Locations: 0 home, 1..V visits, then two per hotel visit (for even and odd nights), so that
    # two hotel nights in a row would mean travelling between two hotel locations, which is barred.
    n_points = 1 + len(visits)
    hotel_loc = {(i, parity): n_points + 2 * j + parity for j, i in enumerate(hotel_visits) for parity in (0, 1)}
    n_loc = n_points + 2 * len(hotel_visits)
    dist = np.zeros((n_loc, n_loc), dtype=np.int64)
    dur = np.zeros((n_loc, n_loc), dtype=np.int64)
    dist[:n_points, :n_points] = mats.units
    dur[:n_points, :n_points] = mats.minutes
    hotel_units = int((problem.overnight_cost * COST_SCALE).to_integral_value())

    def hotel_price(i: int) -> int:
        price = visits[i].overnight_cost
        return hotel_units if price is None else int((price * COST_SCALE).to_integral_value())

    for (i, _parity), loc in hotel_loc.items():
        src = i + 1
        dist[loc, :n_points] = mats.units[src, :]
        dur[loc, :n_points] = mats.minutes[src, :]
        dist[:, loc] = PROHIBITIVE  # a hotel night follows its own visit, nothing else
        dur[:, loc] = dur[:, src]
        dist[src, loc] = hotel_price(i)
        dur[src, loc] = 0
        dist[loc, loc] = 0
        dur[loc, loc] = 0
    finite = mats.units[mats.units < PROHIBITIVE]
    worst_leg = int(finite.max()) if finite.size else 0
    total_value = sum(int(v.value * COST_SCALE) for v in visits)
    # A required visit outweighs any travel and any value, but not a lateness penalty: otherwise the
    # search would prefer late (infeasible) plans that hold every required visit to a feasible one.
    worst_hotel = max([hotel_units, *(hotel_price(i) for i in hotel_visits)])
    big_prize = min(1 << 40, 4 * (worst_leg + worst_hotel) * (len(days) + 2) + total_value + 100_000)

    locations = [Location(x=0, y=0, name="home")]
    locations += [Location(x=0, y=0, name=v.ref) for v in visits]
    locations += [Location(x=0, y=0, name=f"hotel {visits[i].ref}") for i in hotel_visits for _ in (0, 1)]
    group_of: dict[int, int] = {}
    groups: list[Any] = []
    for i, members in copies_of_visit.items():
        if len(members) > 1:
            for c in members:
                group_of[c] = len(groups)
            groups.append(ClientGroup(members, required=False, name=visits[i].ref))
    for k, members in enumerate(night_groups):
        if len(members) > 1:
            for c in members:
                group_of[c] = len(groups)
            groups.append(ClientGroup(members, required=True, name=f"night {k}"))
    clients = []
    location_of_copy: list[int] = []
    for c, copy in enumerate(copies):
        if copy.kind == "visit":
            visit = visits[copy.visit]
            loc = copy.visit + 1
            prize = big_prize if visit.required else int((visit.value * COST_SCALE).to_integral_value())
            clients.append(
                Client(
                    location=loc,
                    service_duration=visit.minutes,
                    tw_early=copy.early,
                    tw_late=copy.late,
                    prize=prize,
                    required=False,
                    group=group_of.get(c),
                    name=visit.ref,
                )
            )
        else:
            loc = hotel_loc[copy.visit, copy.day % 2] if copy.hotel else 0
            service = 0 if copy.day < 0 else days[copy.day + 1].start - days[copy.day].end
            in_group = c in group_of
            clients.append(
                Client(
                    location=loc,
                    service_duration=service,
                    tw_early=copy.early,
                    tw_late=copy.late,
                    required=not in_group,
                    group=group_of.get(c),
                    name="night",
                )
            )
        location_of_copy.append(loc)
    first = days[0].start if days else 0
    last = days[-1].end if days else 0
    vehicle = VehicleType(
        num_available=1, start_depot=0, end_depot=0, tw_early=first, tw_late=last, unit_distance_cost=1
    )
    data = ProblemData(
        locations=locations,
        clients=clients,
        depots=[Depot(location=0)],
        vehicle_types=[vehicle],
        distance_matrices=[dist],  # type: ignore[list-item]
        duration_matrices=[dur],  # type: ignore[list-item]
        groups=groups,
    )
    return Built(
        problem,
        data,
        days,
        copies,
        mats,
        location_of_copy,
        hotel_visits,
        origin_utc,
        copies_of_visit,
        big_prize,
        unreachable,
        road,
    )


def solve_problem(
    problem: PlanProblem,
    *,
    seconds: float | None = None,
    iterations: int | None = None,
    seed: int = 1,
    progress: Callable[[float, int], None] | None = None,
    road: RoadTable | None = None,
    started: float | None = None,
    workers: int = WORKERS,
    mode_policy: str | None = None,
) -> dict[str, Any]:
    """Problem in, plan out (the contract's `kanelbulle-plan-result/1`): the plan that is best overall.

    ``road`` (planner/routing.py) replaces the car model with a road router's distances and times.
    ``seconds`` and ``iterations`` are the budget (see ``time_limit``); the seconds count from
    ``started`` (a ``time.perf_counter()`` reading, default: now), so a command can make its limit
    cover the work it did before solving too.

    The ways to travel are weighed (docs/planner.md, "Choosing the way to travel"): the model gives
    the search one mode per leg, so the problem is solved once per mode policy
    (``travel.MODE_POLICIES``: each leg's cheapest mode, each leg's fastest), each plan's legs are
    then given, day by day, the cheapest modes that keep its schedule (``day_modes``), and the plan
    kept has the fewest required visits left out, then the most value less travel and hotel costs,
    then the least travel time. A Stockholm seller with a day's worth of visits in Luleå flies there
    even when the train is a little cheaper, because only the flight leaves time for the visits, and
    takes the train home when the evening allows it. Each policy gets an equal share of the
    iteration budget (so the plan is repeatable by seed and ``iterations``, and costs what one solve
    did) and of the seconds. The plan's ``solver.mode_policies`` lists each policy's net value and
    ``solver.mode_policy`` the one kept; ``solver.iterations`` counts all. ``mode_policy``
    "cheapest" or "fastest" solves with that one policy only.
    """
    from kanelbulle.planner.travel import MODE_POLICIES

    started = time.perf_counter() if started is None else started
    if mode_policy is not None:
        return _solve_policy(problem, mode_policy, seconds, iterations, seed, progress, road, started, workers)
    total = time_limit(seconds, iterations)
    policies = list(MODE_POLICIES) if len(problem.modes) > 1 else list(MODE_POLICIES[:1])
    plans: list[tuple[str, dict[str, Any]]] = []
    for k, policy in enumerate(policies):
        # Policy k must be done by its share of the clock, counted from the start of the whole solve,
        # and gets its share of the iterations (the first one the remainder), so weighing the modes
        # costs no more than one solve did.
        share = None
        if iterations is not None:
            share = iterations // len(policies) + (iterations % len(policies) if k == 0 else 0)
        seconds_k = total * (k + 1) / len(policies)
        plan = _solve_policy(problem, policy, seconds_k, share, seed, progress, road, started, workers)
        plans.append((policy, plan))
        if progress is not None:  # at least one line per policy, however short its share of the clock
            progress(time.perf_counter() - started, plan["solver"]["iterations"])

    def rank(item: tuple[str, dict[str, Any]]) -> tuple[int, Decimal, int]:
        plan = item[1]
        return (-len(plan["infeasible"]), plan_net(plan), -int(plan["totals"]["travel_minutes"]))

    best_policy, best = max(plans, key=rank)  # max keeps the first of equals: "cheapest" on a tie
    best["solver"]["mode_policy"] = best_policy
    best["solver"]["mode_policies"] = [
        {"policy": policy, "net": _money(plan_net(plan), problem.currency or "SEK")["amount"],
         "visits": sum(len(d["stops"]) for d in plan["days"]), "infeasible": len(plan["infeasible"])}
        for policy, plan in plans
    ]  # fmt: skip
    best["solver"]["seconds"] = round(time.perf_counter() - started, 2)
    best["solver"]["iterations"] = sum(plan["solver"]["iterations"] for _, plan in plans)
    stops = {plan["solver"]["stopped_by"] for _, plan in plans}
    best["solver"]["stopped_by"] = "seconds" if "seconds" in stops else "iterations"
    return best


def _solve_policy(
    problem: PlanProblem,
    mode_policy: str,
    seconds: float | None,
    iterations: int | None,
    seed: int,
    progress: Callable[[float, int], None] | None,
    road: RoadTable | None,
    started: float,
    workers: int,
) -> dict[str, Any]:
    """One mode policy's plan: build the model with it, search, repair, read back."""
    seconds = time_limit(seconds, iterations)
    built = build(problem, road, mode_policy)
    sequence: list[int] = []
    won: Found | None = None
    if built.days and built.copies:
        deadline = started + seconds

        def search(number: int, search_seed: int) -> Found:
            budget = Budget(max(0.0, deadline - time.perf_counter()), iterations, progress if number == 0 else None)
            with warnings.catch_warnings():
                # PyVRP warns when its penalties saturate; the plan says what it could not place instead.
                warnings.simplefilter("ignore")
                result = _search(built, budget, search_seed, PLANNER_PORTFOLIO[number % len(PLANNER_PORTFOLIO)])
            routes = result.best.routes()
            found = [int(act.idx) for act in routes[0].schedule() if act.is_client()] if routes else []
            return Found(number, search_seed, float(result.cost()), found, budget.iterations, budget.stopped_by)

        won, _all = best_of(search, seed, workers)
        sequence = list(won.payload)
        missing = [i for i, v in enumerate(problem.visits) if v.required and i in built.copies_of_visit]
        placed = {built.copies[c].visit for c in sequence if built.copies[c].kind == "visit"}
        if any(i not in placed for i in missing):
            sequence = place_required(built, sequence)
    elapsed = time.perf_counter() - started
    plan = read_back(built, sequence)
    if isinstance(problem.raw.get("policy"), dict):
        plan["travel_policy"] = problem.raw["policy"]
    plan["solver"] = {
        "name": "pyvrp",
        "version": version("pyvrp"),
        "seconds": round(elapsed, 2),
        "seed": seed,
        "searches": workers if won is not None else 0,
        "best_search": won.search if won is not None else 0,
        "iterations": won.iterations if won is not None else 0,
        "stopped_by": (won.stopped_by if won is not None else "")
        or ("iterations" if iterations is not None else "seconds"),
    }
    return plan


def plan_net(plan: dict[str, Any]) -> Decimal:
    """What a plan is worth: the value it covers less its travel and hotel costs."""
    totals = plan["totals"]
    return (
        Decimal(totals["value_covered"]["amount"])
        - Decimal(totals["travel_cost"]["amount"])
        - Decimal(totals["overnight_cost"]["amount"])
    )


def _neighbours(built: Built, params: Any) -> dict[Any, list[Any]]:
    """PyVRP's granular neighbourhoods, plus the nights around each visit copy's day.

    With thousands of copies, a visit's nearest neighbours are often other customers that are not
    in the plan, so the search would have nowhere to insert it. Listing the home nights before and
    after its day makes "first or last visit of that day" always a candidate position.
    """
    from pyvrp import Activity, ActivityType
    from pyvrp.search import compute_neighbours

    neighbours = compute_neighbours(built.data, params.neighbourhood)
    home_night = {c.day: i for i, c in enumerate(built.copies) if c.kind == "night" and not c.hotel}
    out: dict[Any, list[Any]] = {}
    for act, near in neighbours.items():
        me = built.copies[act.idx]
        if me.kind == "visit":
            extra = [Activity(ActivityType.CLIENT, home_night[k]) for k in (me.day - 1, me.day) if k in home_night]
            taken = {e.idx for e in extra}
            near = extra + [a for a in near if a.idx not in taken][: max(0, len(near) - len(extra))]
        out[act] = near
    return out


def _search(built: Built, budget: Budget, seed: int, tuning: Tuning) -> Any:
    """``pyvrp.solve`` with two changes: the neighbourhoods above and a feasible warm start.

    The warm start is every night at home and no visits, so the best plan found is feasible and a
    required visit that cannot be placed is named rather than hidden in an infeasible answer.
    """
    from pyvrp import RandomNumberGenerator
    from pyvrp.IteratedLocalSearch import IteratedLocalSearch
    from pyvrp.PenaltyManager import PenaltyManager
    from pyvrp.search import LocalSearch, PerturbationManager

    params = tuning.solve_params()
    rng = RandomNumberGenerator(seed=seed)
    search = LocalSearch(built.data, rng, _neighbours(built, params), PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(built.data):
            search.add_operator(op(built.data))
    penalties = PenaltyManager(params.penalty.midpoint_penalties(built.data), params.penalty)
    algo = IteratedLocalSearch(built.data, penalties, search, _at_home(built), params.ils)
    return algo.run(budget, False, False, params.display_interval)


def _at_home(built: Built) -> Any:
    """A feasible start: every night at home and no visits, so the best plan found is feasible too."""
    from pyvrp import Activity, ActivityType, Route, Solution

    nights = sorted(
        (c for c, copy in enumerate(built.copies) if copy.kind == "night" and not copy.hotel),
        key=lambda c: built.copies[c].day,
    )
    if not nights:
        return Solution(built.data, [])
    activities = [Activity(ActivityType.CLIENT, c) for c in nights]
    return Solution(built.data, [Route(built.data, activities, 0)])


@dataclass
class _Stop:
    copy: int
    visit: Visit
    leg: Leg
    arrive: int
    begin: int
    end: int


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount.quantize(CENT, rounding=ROUND_HALF_UP)), "currency": currency}


def _leg(built: Built, a: int, b: int, mode_name: str | None = None) -> Leg:
    """The leg between two points (0 home, i + 1 visit i) by ``mode_name``, else by the model's mode."""
    if mode_name is None:
        k = int(built.mats.mode[a, b])
        if k < 0:
            return EMPTY_LEG
        mode_name = built.mats.modes[k]
    problem = built.problem
    mode = problem.modes[mode_name]
    if built.road is not None and mode.name == "car":
        return road_leg(problem, mode, float(built.road.km[a, b]), float(built.road.minutes[a, b]))
    from kanelbulle.planner.travel import haversine_km

    pa, pb = _point(built, a), _point(built, b)
    return mode_leg(problem, mode, haversine_km(*pa, *pb))


def _whole_minutes(leg: Leg) -> int:
    """A leg's minutes rounded up, as the model counts them (``travel.matrices``)."""
    return math.ceil(leg.minutes - 1e-9)


def _leg_options(built: Built, a: int, b: int) -> list[Leg]:
    """Every way to make the leg a → b: the modes allowed for it (long enough, no car or train across
    the sea), or the model's own leg when none is (it was barred and is never in a plan)."""
    if a == b or _point(built, a) == _point(built, b):
        return [EMPTY_LEG]
    from kanelbulle.planner.land import same_land
    from kanelbulle.planner.travel import allowed_modes, haversine_km

    pa, pb = _point(built, a), _point(built, b)
    allowed = allowed_modes(built.problem, haversine_km(*pa, *pb), same_land(pa, pb))
    return [_leg(built, a, b, m.name) for m in allowed] or [_leg(built, a, b)]


def day_modes(built: Built, day: int, start: int, stops: list[int], home: bool) -> list[Leg] | None:
    """The cheapest way to travel each leg of one day, keeping its visits and their order.

    ``stops`` are the day's visit copies in order from point ``start``; with ``home`` the day ends
    with the leg home, else at a hotel by its last visit (no leg). The model gave the search one mode
    per leg (its policy's); here every leg may take any allowed mode, so a day can fly out, drive
    between nearby customers and take the train home when the evening leaves time for it. Exact: a
    label-setting search over the legs keeping, per stop, the (time, cost) pairs no other pair
    beats, with each visit's window and the day's end as limits and minutes rounded up as in the
    model. Returns the legs (the stops' inbound legs, then the leg home if any), or None when no
    choice fits (the model's own then stands).
    """
    wd = built.days[day]
    visits = built.problem.visits
    # A label: (time the seller is free, cost so far, legs so far).
    labels: list[tuple[int, Decimal, list[Leg]]] = [(wd.start, Decimal(0), [])]
    point = start
    for c in stops:
        copy = built.copies[c]
        p = copy.visit + 1
        grown: list[tuple[int, Decimal, list[Leg]]] = []
        for leg in _leg_options(built, point, p):
            minutes = _whole_minutes(leg)
            for t, cost, legs in labels:
                begin = max(t + minutes, copy.early)
                if begin <= copy.late:
                    grown.append((begin + visits[copy.visit].minutes, cost + leg.cost, [*legs, leg]))
        labels = _pareto(grown)
        point = p
    finished: list[tuple[int, Decimal, list[Leg]]] = []
    if home:
        for leg in _leg_options(built, point, 0) if point != 0 else [EMPTY_LEG]:
            minutes = _whole_minutes(leg)
            finished += [
                (t + minutes, cost + leg.cost, [*legs, leg]) for t, cost, legs in labels if t + minutes <= wd.end
            ]
    else:
        finished = [label for label in labels if label[0] <= wd.end]
    if not finished:
        return None
    return min(finished, key=lambda label: (label[1], label[0]))[2]


def _pareto(labels: list[tuple[int, Decimal, list[Leg]]]) -> list[tuple[int, Decimal, list[Leg]]]:
    """The labels no other label beats on both time and cost (ties: the first)."""
    kept: list[tuple[int, Decimal, list[Leg]]] = []
    for label in sorted(labels, key=lambda x: (x[0], x[1])):
        if not kept or label[1] < kept[-1][1]:
            kept.append(label)
    return kept


def _point(built: Built, p: int) -> tuple[float, float]:
    if p == 0:
        return built.problem.home_lat, built.problem.home_lon
    v = built.problem.visits[p - 1]
    return v.lat, v.lon


def read_back(built: Built, sequence: list[int]) -> dict[str, Any]:
    problem = built.problem
    cur = problem.currency
    tz = problem.time_zone
    # Split the client sequence into days at the nights.
    per_day: list[list[int]] = [[] for _ in built.days]
    night_at: list[int | None] = [None] * len(built.days)  # hotel visit index, or None for home
    for c in sequence:
        copy = built.copies[c]
        if copy.kind == "night":
            if copy.day >= 0:
                night_at[copy.day] = copy.visit if copy.hotel else None
        else:
            per_day[copy.day].append(c)
    days_out: list[dict[str, Any]] = []
    total_km = 0.0
    total_minutes = 0.0
    total_co2 = 0.0
    total_cost = Decimal(0)
    overnight_cost = Decimal(0)
    value_covered = Decimal(0)
    planned: set[int] = set()
    point = 0  # where the seller wakes up
    day_plans: list[tuple[int, list[int], int, bool]] = []
    for k, wd in enumerate(built.days):
        stops: list[_Stop] = []
        t = wd.start
        start_point = point
        hotel = k < len(built.days) - 1 and night_at[k] is not None
        chosen = day_modes(built, k, point, per_day[k], not hotel)
        for j, c in enumerate(per_day[k]):
            copy = built.copies[c]
            p = copy.visit + 1
            leg = _leg(built, point, p) if chosen is None else chosen[j]
            arrive = t + (int(built.mats.minutes[point, p]) if chosen is None else _whole_minutes(leg))
            begin = max(arrive, copy.early)
            end = begin + problem.visits[copy.visit].minutes
            stops.append(_Stop(c, problem.visits[copy.visit], leg, arrive, begin, end))
            t = end
            point = p
        # Leave as late as the first stop allows, so the seller does not wait at the door.
        depart = wd.start
        if stops:
            first = stops[0]
            slack = first.begin - first.arrive
            if slack > 0:
                depart += slack
                first.arrive = first.begin
        if hotel:
            finish_leg = EMPTY_LEG
            finish_time = t
            slept = night_at[k]
            price = None if slept is None else problem.visits[slept].overnight_cost
            overnight_cost += problem.overnight_cost if price is None else price
            end_point = point
        else:
            finish_leg = _leg(built, point, 0) if chosen is None else chosen[-1]
            back = int(built.mats.minutes[point, 0]) if chosen is None else _whole_minutes(finish_leg)
            finish_time = t + back if point != 0 else max(t, depart)
            end_point = 0
        if not stops and start_point == 0 and end_point == 0:
            finish_time = depart
        legs = [s.leg for s in stops] + [finish_leg]
        day_km = sum(leg.km for leg in legs)
        day_min = sum(leg.minutes for leg in legs)
        total_km += day_km
        total_minutes += day_min
        total_co2 += sum(leg.co2_g for leg in legs)
        total_cost += sum((leg.cost for leg in legs), Decimal(0))
        slat, slon = _point(built, start_point)
        flat, flon = _point(built, end_point)
        stops_out = []
        for s in stops:
            planned.add(s.copy)
            value_covered += s.visit.value
            stop_tz = s.visit.time_zone or tz
            stops_out.append(
                {
                    "ref": s.visit.ref,
                    "mode": s.leg.mode,
                    "arrive": at(built.origin_utc, s.arrive, stop_tz),
                    "begin": at(built.origin_utc, s.begin, stop_tz),
                    "end": at(built.origin_utc, s.end, stop_tz),
                }
            )
        days_out.append(
            {
                "date": wd.date.isoformat(),
                "start": {"lat": slat, "lon": slon, "time": at(built.origin_utc, depart, tz)},
                "stops": stops_out,
                "finish": {
                    "lat": flat,
                    "lon": flon,
                    "mode": finish_leg.mode,
                    "time": at(built.origin_utc, finish_time, tz),
                    "overnight": hotel,
                },
                "km": round_km(day_km),
                "travel_minutes": int(Decimal(repr(day_min)).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
            }
        )
        day_plans.append((start_point, [s.copy for s in stops], end_point, hotel))
        point = end_point

    visited = {built.copies[c].visit for c in planned}
    dropped: list[dict[str, Any]] = []
    infeasible: list[dict[str, Any]] = []
    for i, visit in enumerate(problem.visits):
        if i in visited:
            continue
        if visit.required:
            why = why_required_missing(built, i, day_plans)
            infeasible.append({"ref": visit.ref, "code": why.code, "reason": why.message, "words": why.words})
        else:
            why = why_dropped(built, i, day_plans)
            dropped.append({"ref": visit.ref, "code": why.code, "reason": why.message, "words": why.words})

    return {
        "format": RESULT_FORMAT,
        "feasible": not infeasible,
        "days": days_out,
        "dropped": dropped,
        "infeasible": infeasible,
        "totals": {
            "km": round_km(total_km),
            "travel_minutes": int(Decimal(repr(total_minutes)).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
            "co2_kg": str(Decimal(repr(total_co2 / 1000)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
            "travel_cost": _money(total_cost, cur),
            "overnight_cost": _money(overnight_cost, cur),
            "value_covered": _money(value_covered, cur),
        },
    }


def weekday_names(problem: PlanProblem) -> str:
    return ", ".join(WEEKDAYS[d] for d in sorted(problem.weekdays))


def progress_to_stderr(seconds: float, iterations: int) -> None:
    sys.stderr.write(f"\rsolving: {seconds:5.1f} s, {iterations} iterations")
    sys.stderr.flush()
