"""The contract's offline travel model: great-circle distance × a mode's road/route factor.

For a leg between two points by a mode: km = haversine km × factor; minutes = overhead +
km / speed × 60; cost = fixed + km × cost per km + hours × cost per hour; CO2 = km × g/km. A mode
may be used when the great-circle distance is at least its ``min_km``. The planner uses the
cheapest allowed mode for every leg (cost already prices the seller's time), so a 730 km leg
becomes a flight and a 20 km leg a drive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from numpy.typing import NDArray

from kanelbulle.planner.land import GROUND_MODES, ground_allowed, same_land
from kanelbulle.planner.problem import CENT, Mode, PlanProblem

EARTH_RADIUS_KM = 6371.0088
COST_SCALE = 1  # solver cost units per currency unit
BARRED = 1 << 44  # pyvrp.constants.MAX_VALUE: an edge that must never be used
BARRED_MINUTES = 10**7


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def haversine_matrix(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    """All pairwise great-circle distances in km (the same formula as :func:`haversine_km`)."""
    p = np.radians(lat)
    lam = np.radians(lon)
    dp = p[None, :] - p[:, None]
    dl = lam[None, :] - lam[:, None]
    a = np.sin(dp / 2) ** 2 + np.cos(p)[:, None] * np.cos(p)[None, :] * np.sin(dl / 2) ** 2
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
    return result


@dataclass(frozen=True, slots=True)
class Leg:
    mode: str | None  # None for an empty leg (same place)
    km: float
    minutes: float
    cost: Decimal  # to the cent
    co2_g: float


EMPTY_LEG = Leg(None, 0.0, 0.0, Decimal("0.00"), 0.0)


def mode_leg(problem: PlanProblem, mode: Mode, great_circle_km: float) -> Leg:
    """A leg by ``mode``: the fare of the distance band the great-circle km falls in (or the mode's own)."""
    km = great_circle_km * mode.factor
    minutes = mode.overhead_minutes + km / mode.speed_kmh * 60
    fixed, per_km, co2 = mode.fare(great_circle_km)
    cost = (fixed + Decimal(repr(km)) * per_km + Decimal(repr(minutes)) / 60 * problem.cost_per_hour).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return Leg(mode.name, km, minutes, cost, km * co2)


def allowed_modes(problem: PlanProblem, great_circle_km: float, same_land: bool = True) -> list[Mode]:
    """The modes that can make a leg: long enough for the mode, and no car or train across the sea."""
    return [
        m for m in problem.modes.values() if great_circle_km >= m.min_km and (same_land or m.name not in GROUND_MODES)
    ]


def best_leg(problem: PlanProblem, lat1: float, lon1: float, lat2: float, lon2: float) -> Leg:
    """The cheapest allowed mode's leg; ties go to the faster mode, then the name."""
    if lat1 == lat2 and lon1 == lon2:
        return EMPTY_LEG
    gc = haversine_km(lat1, lon1, lat2, lon2)
    legs = [mode_leg(problem, m, gc) for m in allowed_modes(problem, gc, same_land((lat1, lon1), (lat2, lon2)))]
    if not legs:  # nothing can make it (no plane allowed across the sea): the car's leg, barred by the solver
        legs = [mode_leg(problem, problem.modes["car"], gc)]
    return min(legs, key=lambda leg: (leg.cost, leg.minutes, leg.mode or ""))


@dataclass(frozen=True, slots=True)
class RoadTable:
    """Car distances and driving times between the points (0 home, i + 1 visit i) from a road router.

    When given, they replace the car mode's great-circle × factor km and km / speed minutes (the
    mode's overhead, costs and g/km still apply); see planner/routing.py.
    """

    km: NDArray[np.float64]
    minutes: NDArray[np.float64]
    source: str  # e.g. "osrm http://localhost:5000"


def road_leg(problem: PlanProblem, mode: Mode, km: float, driving_minutes: float) -> Leg:
    """A car leg from a road router's distance and time (the rest of the mode's figures apply)."""
    minutes = mode.overhead_minutes + driving_minutes
    fixed, per_km, co2 = mode.fare(km / mode.factor)
    cost = (fixed + Decimal(repr(km)) * per_km + Decimal(repr(minutes)) / 60 * problem.cost_per_hour).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return Leg(mode.name, km, minutes, cost, km * co2)


@dataclass(frozen=True, slots=True)
class Matrices:
    """Per pair of points: the cheapest mode's index in ``modes``, its cost, whole minutes (ceil)."""

    modes: list[str]
    mode: NDArray[np.int64]  # -1 on the diagonal / same place
    cost: NDArray[np.float64]  # in the problem's currency
    units: NDArray[np.int64]  # cost in the solver's integer units (COST_SCALE per currency unit)
    minutes: NDArray[np.int64]


#: How a leg's mode is chosen when building the model (docs/planner.md, "Choosing the way to travel"):
#: the cheapest (its cost prices the seller's hours) or the fastest allowed mode.
MODE_POLICIES = ("cheapest", "fastest")


def matrices(
    problem: PlanProblem,
    lat: list[float],
    lon: list[float],
    road: RoadTable | None = None,
    policy: str = "cheapest",
) -> Matrices:
    """Vectorised per-leg mode matrices, used to build the solver's model quickly.

    ``policy`` "cheapest" takes each leg's cheapest allowed mode (ties: the faster), "fastest" the
    quickest (ties: the cheaper). A car or a train is not allowed between two land masses
    (planner/land.py); a leg no mode can make costs ``inf`` (the solver bars it).

    The solver's integer costs are whole currency units: finer units make a minute of lateness
    cheap against money in PyVRP's penalties (it then struggles to find feasible plans); the
    reported plan recomputes each used leg exactly
    with :func:`best_leg`); a ``road`` table replaces the car mode's km and driving minutes;
    durations are rounded up to whole minutes so a schedule that fits in
    the model also fits with exact times.
    """
    la = np.asarray(lat, dtype=np.float64)
    lo = np.asarray(lon, dtype=np.float64)
    gc = haversine_matrix(la, lo)
    names = list(problem.modes)
    big = np.inf
    best_cost = np.full(gc.shape, big)
    best_min = np.zeros(gc.shape)
    best_mode = np.full(gc.shape, -1, dtype=np.int64)
    best_rank = np.full(gc.shape, big)
    per_hour = float(problem.cost_per_hour)
    ground = ground_allowed(lat, lon, gc)
    for k, name in enumerate(names):
        mode = problem.modes[name]
        if road is not None and name == "car":
            km = road.km
            minutes = mode.overhead_minutes + road.minutes
        else:
            km = gc * mode.factor
            minutes = mode.overhead_minutes + km / mode.speed_kmh * 60
        fixed = np.full(gc.shape, float(mode.fixed_cost))
        per_km = np.full(gc.shape, float(mode.cost_per_km))
        for band in mode.bands:
            inside = (gc >= band.from_km) & (gc < (np.inf if band.to_km is None else band.to_km))
            fixed = np.where(inside, float(band.fixed_cost), fixed)
            per_km = np.where(inside, float(band.cost_per_km), per_km)
        cost = fixed + km * per_km + minutes / 60 * per_hour
        usable = gc >= mode.min_km
        if name in GROUND_MODES:
            usable = usable & ground
        cost = np.where(usable, cost, big)
        rank = cost if policy == "cheapest" else np.where(usable, minutes, big)
        tie = minutes if policy == "cheapest" else cost
        best_tie = best_min if policy == "cheapest" else best_cost
        with np.errstate(invalid="ignore"):  # inf - inf (no mode yet, none allowed) is nan: not better
            better = (rank < best_rank - 1e-9) | ((np.abs(rank - best_rank) <= 1e-9) & (tie < best_tie))
        best_rank = np.where(better, rank, best_rank)
        best_cost = np.where(better, cost, best_cost)
        best_min = np.where(better, minutes, best_min)
        best_mode = np.where(better, k, best_mode)
    same = (la[:, None] == la[None, :]) & (lo[:, None] == lo[None, :])
    best_cost = np.where(same, 0.0, best_cost)
    best_min = np.where(same, 0.0, best_min)
    best_mode = np.where(same, -1, best_mode)
    # A leg no mode can make (across the sea with no plane allowed) is barred: prohibitive cost, and
    # a duration far beyond any day so no reachability check takes it for possible.
    barred = ~np.isfinite(best_cost)
    units = np.where(barred, BARRED, np.round(np.where(barred, 0, best_cost) * COST_SCALE)).astype(np.int64)
    best_min = np.where(barred, BARRED_MINUTES, best_min)
    # Round up, but not a float's 226.0000000001 to 227.
    mins = np.ceil(best_min - 1e-9).astype(np.int64)
    return Matrices(names, best_mode, best_cost, units, mins)


def round_km(km: float) -> str:
    return str(Decimal(repr(km)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
