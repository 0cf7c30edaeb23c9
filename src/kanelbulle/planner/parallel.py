"""Independent searches in parallel processes, keeping the best (docs/planner.md, "Both cores").

Each search gets its own seed, derived from the caller's seed, and its own parameter set from a
small portfolio (``portfolio``), and runs the whole budget on a core of its own. The best result
wins, ties going to the lower search number, so the same seed and iteration budget give the same
answer however the processes were scheduled. With a budget in seconds each search stops at the
same deadline, so the wall time is the caller's budget, not a multiple of it.

Processes are started with ``fork`` (the problem is already in memory and nothing is pickled on the
way in); where ``fork`` is not available, or with one worker, the first search runs in-process alone.
Only plain data (costs, index lists) comes back through the pipe.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Searches run side by side: one per core, at most two (the planner runs beside a web server).
WORKERS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class Tuning:
    """The knobs of PyVRP's iterated local search that the portfolio sets (PyVRP's defaults as defaults)."""

    history_length: int = 300  # late-acceptance history (IteratedLocalSearchParams)
    num_neighbours: int = 50  # granular neighbourhood size (NeighbourhoodParams)
    max_perturbations: int = 25  # PerturbationParams
    num_iters_no_improvement: int = 150_000

    def solve_params(self) -> Any:
        from pyvrp import SolveParams
        from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
        from pyvrp.search import NeighbourhoodParams, PerturbationParams

        return SolveParams(
            ils=IteratedLocalSearchParams(
                num_iters_no_improvement=self.num_iters_no_improvement, history_length=self.history_length
            ),
            neighbourhood=NeighbourhoodParams(num_neighbours=self.num_neighbours),
            perturbation=PerturbationParams(max_perturbations=self.max_perturbations),
        )


# The planner's searches: the first is PyVRP's defaults (so with one worker, or when it wins, the
# plan is the one a single search with the caller's seed gives), the second a variant.
PLANNER_PORTFOLIO: tuple[Tuning, ...] = (
    Tuning(),
    Tuning(history_length=50),
)

# Search k of a benchmark instance uses portfolio(clients)[k % 2]. PyVRP's late-acceptance history
# of 300 suits long runs; within 10–20 s on a shared machine a search makes only 700–5,000
# iterations, and until the history is full every candidate better than the start is accepted, so
# a short history does better (5 and 15; docs/benchmarks-planner.md, "Tuning").
PORTFOLIO: tuple[Tuning, ...] = (
    Tuning(history_length=5),
    Tuning(history_length=15),
)
# For instances of up to SMALL_CLIENTS clients (Solomon's 100), smaller granular neighbourhoods than
# PyVRP's 50 (30 and 20; HGS-CVRP's own default is 20): each local search is quicker, about 45 % more
# iterations in the same CPU time, which at 10 s was worth more than the wider neighbourhood. On the
# 200–600-client Gehring–Homberger instances it was not shown better, so they keep PORTFOLIO.
SMALL_CLIENTS = 150
SMALL_PORTFOLIO: tuple[Tuning, ...] = (
    Tuning(history_length=5, num_neighbours=30),
    Tuning(history_length=15, num_neighbours=20),
)


def portfolio(clients: int) -> tuple[Tuning, ...]:
    """The parameter sets of a benchmark instance's searches, by its number of clients."""
    return SMALL_PORTFOLIO if clients <= SMALL_CLIENTS else PORTFOLIO


@dataclass(frozen=True, slots=True)
class Found:
    """What one search sends back: plain data only."""

    search: int  # its number, 0-based
    seed: int
    cost: float  # the objective of its best solution; infinite when infeasible
    payload: Any  # whatever the caller's search returns besides (routes, sequences …)
    iterations: int
    stopped_by: str


def derived_seeds(seed: int, count: int) -> list[int]:
    """The seeds of ``count`` searches: the caller's own first, then independent draws from it."""
    extra = np.random.SeedSequence(seed).generate_state(max(0, count - 1), dtype=np.uint32)
    return [seed, *(int(s) for s in extra)][:count]


_JOB: Callable[[int, int], Found] | None = None


def _run(args: tuple[int, int]) -> Found:
    assert _JOB is not None
    return _JOB(*args)


def best_of(search: Callable[[int, int], Found], seed: int, workers: int = WORKERS) -> tuple[Found, list[Found]]:
    """Run ``search(number, seed)`` for each derived seed, in parallel; the best and all results.

    ``search`` must be deterministic given its arguments and an iteration budget.
    """
    seeds = derived_seeds(seed, max(1, workers))
    jobs = list(enumerate(seeds))
    if len(jobs) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        found: Sequence[Found] = [search(*jobs[0])]
    else:
        global _JOB
        _JOB = search
        try:
            with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
                found = pool.map(_run, jobs, chunksize=1)
        finally:
            _JOB = None
    best = min(found, key=lambda f: (f.cost, f.search))
    return best, list(found)
