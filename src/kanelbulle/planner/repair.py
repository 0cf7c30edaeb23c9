"""Place required visits the search left out, by making room for them (deterministic, after the search).

PyVRP's local search moves one client at a time. A required visit far from home often needs two
changes at once: the visit at the end of a day *and* that night at a hotel instead of at home; or a
full day must give up an optional visit first. When the search ends with a required visit missing,
this tries, for every day it is open, inserting it at every position (and, for a far visit, last
before a hotel night), dropping that day's and the next day's least valuable optional visits as
needed. Each candidate is checked by PyVRP itself (``Solution.is_feasible``) and the cheapest
feasible one (travel + hotels − value) is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kanelbulle.planner.built import Built

MAX_DROPS = 4  # optional visits given up per day, at most, to make room


def _objective(solution: Any) -> int:
    return int(solution.distance_cost()) + int(solution.uncollected_prizes())


def _split(built: Built, sequence: list[int]) -> tuple[list[list[int]], list[int]]:
    """Stops per day, and the night client chosen after each day (the last day has none)."""
    days: list[list[int]] = [[] for _ in built.days]
    nights: list[int] = [-1] * max(0, len(built.days) - 1)
    for c in sequence:
        copy = built.copies[c]
        if copy.kind == "night":
            if copy.day >= 0:
                nights[copy.day] = c
        else:
            days[copy.day].append(c)
    return days, nights


def _join(built: Built, start: int | None, days: list[list[int]], nights: list[int]) -> list[int]:
    seq: list[int] = [] if start is None else [start]
    for k, stops in enumerate(days):
        seq += stops
        if k < len(nights):
            seq.append(nights[k])
    return seq


def _drop_orders(built: Built, stops: list[int]) -> list[list[int]]:
    """The day's stops with 0, 1, 2, … of its least valuable optional visits removed."""
    optional = [c for c in stops if not built.problem.visits[built.copies[c].visit].required]
    optional.sort(key=lambda c: (built.problem.visits[built.copies[c].visit].value, c))
    out = []
    for n in range(min(MAX_DROPS, len(optional)) + 1):
        gone = set(optional[:n])
        out.append([c for c in stops if c not in gone])
    return out


def place_required(built: Built, sequence: list[int]) -> list[int]:
    from pyvrp import Activity, ActivityType, Route, Solution

    start = next((c for c, copy in enumerate(built.copies) if copy.kind == "night" and copy.day < 0), None)
    hotel_of = {(copy.visit, copy.day): c for c, copy in enumerate(built.copies) if copy.kind == "night" and copy.hotel}

    def solution(seq: list[int]) -> Any:
        acts = [Activity(ActivityType.CLIENT, c) for c in seq]
        return Solution(built.data, [Route(built.data, acts, 0)] if seq else [])

    current = solution(sequence)
    for i, visit in enumerate(built.problem.visits):
        if not visit.required or i not in built.copies_of_visit:
            continue
        days, nights = _split(built, sequence)
        if any(built.copies[c].visit == i for stops in days for c in stops):
            continue
        best: tuple[int, list[int]] | None = None
        for c in built.copies_of_visit[i]:
            k = built.copies[c].day
            for kept in _drop_orders(built, days[k]):
                options: list[tuple[list[int], int | None]] = [
                    ([*kept[:pos], c, *kept[pos:]], None) for pos in range(len(kept) + 1)
                ]
                if (i, k) in hotel_of:
                    options.append(([*kept, c], hotel_of[i, k]))
                for new_day, night in options:
                    nexts: list[list[int] | None] = [None]
                    if night is not None:
                        nexts = list(_drop_orders(built, days[k + 1]))
                    for next_day in nexts:
                        trial_days = [*days]
                        trial_days[k] = new_day
                        trial_nights = [*nights]
                        if night is not None:
                            trial_nights[k] = night
                            assert next_day is not None
                            trial_days[k + 1] = next_day
                        seq = _join(built, start, trial_days, trial_nights)
                        sol = solution(seq)
                        if sol.is_feasible():
                            cost = _objective(sol)
                            if best is None or cost < best[0]:
                                best = (cost, seq)
                            break  # dropping more from the next day only loses value
        if best is not None and best[0] < _objective(current):
            sequence = best[1]
            current = solution(sequence)
    return sequence
