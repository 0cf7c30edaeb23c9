"""Benchmark instances (Solomon `.txt`, VRPLIB `.vrp`) solved as the plan-problem contract says.

Distances are Euclidean truncated to one decimal (DIMACS 2021): every value is scaled by 10 and
truncated to an integer, exactly PyVRP's ``round_func="dimacs"``, so ``cost / 10`` compares with
published best-known solutions. Every client is required; capacity and the number of vehicles
apply; routes list the instance's own client numbers (1..n, as in `.sol` files).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kanelbulle.planner.parallel import WORKERS, Found, best_of, portfolio
from kanelbulle.planner.solver import Budget, time_limit


class BadInstance(ValueError):
    """The file is not a readable benchmark instance."""


def _dimacs(values: Any) -> Any:
    return (10 * np.asarray(values, dtype=np.float64)).astype(np.int64)


def read_solomon(path: Path) -> Any:
    """A Solomon text file as PyVRP ProblemData, rounded as DIMACS (the same as its `.vrp`)."""
    import vrplib
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    inst = vrplib.read_instance(str(path), instance_format="solomon")
    coords = np.asarray(inst["node_coord"], dtype=np.float64)
    n = len(coords)
    dist = _dimacs(inst["edge_weight"])
    tws = _dimacs(inst["time_window"])
    service = _dimacs(inst["service_time"])
    demand = np.asarray(inst["demand"], dtype=np.int64)
    locations = [Location(x=int(x * 10), y=int(y * 10)) for x, y in coords]
    clients = [
        Client(
            location=i,
            delivery=[int(demand[i])],
            service_duration=int(service[i]),
            tw_early=int(tws[i][0]),
            tw_late=int(tws[i][1]),
        )
        for i in range(1, n)
    ]
    vehicle = VehicleType(
        num_available=int(inst["vehicles"]),
        capacity=[int(inst["capacity"])],
        start_depot=0,
        end_depot=0,
        tw_early=int(tws[0][0]),
        tw_late=int(tws[0][1]),
    )
    return ProblemData(
        locations=locations,
        clients=clients,
        depots=[Depot(location=0)],
        vehicle_types=[vehicle],
        distance_matrices=[dist],
        duration_matrices=[dist],
    )


def read_instance(path: Path) -> Any:
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            return read_solomon(path)
        if suffix == ".vrp":
            from pyvrp import read

            return read(str(path), round_func="dimacs")
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise BadInstance(f"{path.name}: not a readable {suffix} benchmark instance ({exc})") from None
    raise BadInstance(f"{path.name}: unknown kind of file (expected .json, .txt or .vrp)")


def solve_instance(
    path: Path,
    *,
    seconds: float | None = None,
    iterations: int | None = None,
    seed: int = 1,
    progress: Callable[[float, int], None] | None = None,
    workers: int = WORKERS,
) -> dict[str, Any]:
    """``{"cost", "routes", "feasible", "seconds", "iterations", "stopped_by"}`` (cost in the
    instance's units).

    The budget is the solver's (``solver.time_limit``): iterations alone stop on iterations. ``workers``
    independent searches run side by side (``planner/parallel.py``); the best is kept, and
    ``iterations`` is the winning search's count.
    """
    from pyvrp import solve

    started = time.perf_counter()
    data = read_instance(path)
    if any(c.required is False for c in data.clients()):
        # A prize section (PCVRPTW) is another objective; the contract treats every client as required.
        raise BadInstance(f"{path.name}: has prizes (optional clients); only VRPTW instances are benchmarks here")
    deadline = started + time_limit(seconds, iterations)
    num_depots = data.num_depots

    def search(number: int, search_seed: int) -> Found:
        tunings = portfolio(data.num_clients)
        tuning = tunings[number % len(tunings)]
        budget = Budget(max(0.0, deadline - time.perf_counter()), iterations, progress if number == 0 else None)
        best = solve(
            data, budget, seed=search_seed, collect_stats=False, display=False, params=tuning.solve_params()
        ).best
        routes = [[int(act.idx) + num_depots for act in r.schedule() if act.is_client()] for r in best.routes()]
        cost = float(best.distance()) if best.is_feasible() else math.inf
        payload = {"routes": routes, "distance": int(best.distance()), "feasible": bool(best.is_feasible())}
        return Found(number, search_seed, cost, payload, budget.iterations, budget.stopped_by)

    won, _ = best_of(search, seed, workers)
    return {
        "cost": round(won.payload["distance"] / 10, 1),
        "routes": won.payload["routes"],
        "feasible": won.payload["feasible"],
        "seconds": round(time.perf_counter() - started, 2),
        "iterations": won.iterations,
        "stopped_by": won.stopped_by or ("iterations" if iterations is not None else "seconds"),
    }


def solve_instance_pyvrp_defaults(path: Path, *, seconds: float, seed: int = 1) -> dict[str, Any]:
    """PyVRP's own ``solve`` with its default parameters, one process, for ``seconds`` from reading the file.

    The yardstick of ``bench/bench_vrptw.py``: the same instance reading and the same clock as
    ``solve_instance``, nothing of ours in the search.
    """
    from pyvrp import solve
    from pyvrp.stop import MaxRuntime

    started = time.perf_counter()
    data = read_instance(path)
    stop = MaxRuntime(max(0.0, seconds - (time.perf_counter() - started)))
    best = solve(data, stop, seed=seed, collect_stats=False).best
    return {
        "cost": round(best.distance() / 10, 1),
        "feasible": bool(best.is_feasible()),
        "seconds": round(time.perf_counter() - started, 2),
    }
